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
    sim_ms: f64,
    draw_ms: f64,
    /// Total work of every frame measured (a few bytes per frame; runs are short).
    totals: Vec<f32>,
}

impl Stats {
    pub fn add_slice(&mut self, sim_ms: f64, draw_ms: f64) {
        self.sim_ms += sim_ms;
        self.draw_ms += draw_ms;
        self.totals.push((sim_ms + draw_ms) as f32);
    }

    pub fn text(&self) -> String {
        if self.totals.is_empty() {
            return "No frames measured yet.".into();
        }
        let k = self.totals.len() as f64;
        let mut t = self.totals.clone();
        t.sort_by(f32::total_cmp);
        let q = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
        format!(
            "{} animation frames: {:.2} ms simulation + {:.2} ms drawing per frame on average; \
             median {:.1} ms, 95th percentile {:.1} ms, worst {:.1} ms.",
            t.len(),
            self.sim_ms / k,
            self.draw_ms / k,
            q(0.5),
            q(0.95),
            q(1.0)
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
