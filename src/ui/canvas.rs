//! What both pages' charts share on a canvas: the backing store sized to the CSS box ×
//! `devicePixelRatio` (plotters-canvas does not do it; the chart code scales fonts and
//! strokes to match), the plotters backend, and the chart colours in use (`theme=` of the
//! link, else the system's light or dark).

use crate::lab::Run;
use crate::plot::run::{self as chart, ChartData, Overlay, Theme};
use crate::plot::ChartOpts;
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Size the backing store to the CSS box × devicePixelRatio; the scale, or `None` if the
/// canvas is not laid out (hidden).
fn fit(canvas: &HtmlCanvasElement) -> Option<f64> {
    let dpr = window().device_pixel_ratio();
    let dpr = if dpr.is_finite() && dpr > 0.0 {
        dpr
    } else {
        1.0
    };
    let (w, h) = (canvas.client_width(), canvas.client_height());
    if w <= 0 || h <= 0 {
        return None;
    }
    let (bw, bh) = (
        (w as f64 * dpr).round() as u32,
        (h as f64 * dpr).round() as u32,
    );
    if canvas.width() != bw {
        canvas.set_width(bw);
    }
    if canvas.height() != bh {
        canvas.set_height(bh);
    }
    Some(dpr)
}

/// Draw on `canvas` with `draw`, the backing store sized to its box first ([`fit`]), in
/// `theme` with a `cursor`: `Ok(None)` when the canvas is not laid out (hidden).
pub fn draw_on<T>(
    canvas: &HtmlCanvasElement,
    theme: Theme,
    cursor: Option<u32>,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>, &ChartOpts) -> Result<T, String>,
) -> Result<Option<T>, String> {
    let Some(scale) = fit(canvas) else {
        return Ok(None);
    };
    let root = backend(canvas)?.into_drawing_area();
    draw(
        &root,
        &ChartOpts {
            scale,
            theme,
            cursor,
        },
    )
    .map(Some)
}

fn backend(canvas: &HtmlCanvasElement) -> Result<CanvasBackend, String> {
    CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(|| "no 2d context".to_string())
}

/// The chart colours in use: those `theme=light|dark` forces, else the system's.
pub fn chart_theme() -> Theme {
    super::location::opts().theme.forced().unwrap_or_else(|| {
        let dark = window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        if dark {
            Theme::Dark
        } else {
            Theme::Light
        }
    })
}

/// Call `f` when the system switches between light and dark (for as long as the tab lives).
pub fn on_color_scheme_change(f: impl Fn() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    if let Ok(Some(mql)) = window().match_media("(prefers-color-scheme: dark)") {
        let cb = Closure::<dyn Fn()>::new(f);
        let _ = mql.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        // The page lives as long as the tab: the listener is never removed.
        cb.forget();
    }
}

/// The skill chart's data of run `r` on a time axis ending at `x_steps`, as the lab draws it
/// (`ui::draw`) and the live preview (`ui::preview`) too.
pub fn skills_data<'a>(
    r: &'a Run,
    x_steps: u32,
    overlays: &'a [Overlay<'a>],
    loss_span: Option<(f64, f64)>,
) -> ChartData<'a> {
    ChartData {
        milestones: Some(&r.milestones),
        overlays,
        level_label: chart::level_label(r.net),
        names: &r.names,
        loss_span,
        ..ChartData::new(&r.frames, &r.freqs, x_steps)
    }
}
