//! Drawing the run onto the page's canvases with [`crate::chart`] and plotters-canvas.
//! The backing store of each canvas is sized to its CSS box × `devicePixelRatio`
//! (plotters-canvas does not do it), and the chart code scales fonts and strokes to match.

use super::run::Run;
use crate::chart::{self, ChartData, ChartOpts, Theme};
use leptos::prelude::window;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Time spent per animation frame while playing (simulation slice + redraw).
#[derive(Default)]
pub struct Stats {
    frames: u32,
    sim_ms: f64,
    draw_ms: f64,
    worst_ms: f64,
}

impl Stats {
    pub fn add_slice(&mut self, sim_ms: f64, draw_ms: f64) {
        self.frames += 1;
        self.sim_ms += sim_ms;
        self.draw_ms += draw_ms;
        self.worst_ms = self.worst_ms.max(sim_ms + draw_ms);
    }

    pub fn text(&self) -> String {
        if self.frames == 0 {
            return "No frames measured yet.".into();
        }
        let k = self.frames as f64;
        format!(
            "{} animation frames: {:.2} ms simulation + {:.2} ms drawing per frame on average, worst {:.1} ms.",
            self.frames,
            self.sim_ms / k,
            self.draw_ms / k,
            self.worst_ms
        )
    }
}

fn theme() -> Theme {
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
}

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

fn backend(canvas: &HtmlCanvasElement) -> Result<CanvasBackend, String> {
    CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(|| "no 2d context".to_string())
}

/// Draw everything that exists: the skill chart, the loss chart and the heat strip.
pub fn all(
    r: &Run,
    skills: Option<&HtmlCanvasElement>,
    loss: Option<&HtmlCanvasElement>,
    strip: Option<&HtmlCanvasElement>,
) -> Result<(), String> {
    let theme = theme();
    let data = ChartData {
        frames: &r.frames,
        freqs: &r.freqs,
        steps: r.steps,
        milestones: Some(&r.milestones),
    };
    let upto = r.frames.len();
    if let Some(c) = skills {
        if let Some(scale) = fit(c) {
            let root = backend(c)?.into_drawing_area();
            chart::draw_skills(
                &root,
                &data,
                upto,
                &ChartOpts {
                    scale,
                    theme,
                    cursor: None,
                },
            )?;
        }
    }
    if let Some(c) = loss {
        if let Some(scale) = fit(c) {
            let root = backend(c)?.into_drawing_area();
            chart::draw_loss(
                &root,
                &data,
                upto,
                &ChartOpts {
                    scale,
                    theme,
                    cursor: None,
                },
            )?;
        }
    }
    if let Some(c) = strip {
        if let Some(scale) = fit(c) {
            let root = backend(c)?.into_drawing_area();
            let levels = r.last().map(|f| f.levels.as_slice()).unwrap_or(&[]);
            chart::draw_strip(
                &root,
                levels,
                &ChartOpts {
                    scale,
                    theme,
                    cursor: None,
                },
            )?;
        }
    }
    Ok(())
}
