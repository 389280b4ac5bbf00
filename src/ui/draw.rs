//! Drawing the runs onto the page's canvases with [`crate::plot::run`] and plotters-canvas.
//! The backing store of each canvas is sized to its CSS box × `devicePixelRatio`
//! (plotters-canvas does not do it), and the chart code scales fonts and strokes to match.

use super::{FitState, Lab, Side, Tab};
use crate::lab::{self, Run};
use crate::link::Config;
use crate::plot::run::{self as chart, ChartData, ChartOpts, Overlay, PlotArea, Quantity, Theme};
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Script time of the animation frames while playing: simulation slice, fit slice, redraw.
#[derive(Default)]
pub struct Stats {
    sim_ms: f64,
    fit_ms: f64,
    draw_ms: f64,
    /// Total of every frame measured (a few bytes per frame; runs are short).
    totals: Vec<f32>,
}

impl Stats {
    pub fn add_frame(&mut self, sim_ms: f64, fit_ms: f64, draw_ms: f64) {
        self.sim_ms += sim_ms;
        self.fit_ms += fit_ms;
        self.draw_ms += draw_ms;
        self.totals.push((sim_ms + fit_ms + draw_ms) as f32);
    }

    pub fn text(&self) -> String {
        if self.totals.is_empty() {
            return "No frames measured yet.".into();
        }
        let k = self.totals.len() as f64;
        let mut t = self.totals.clone();
        t.sort_by(f32::total_cmp);
        let q = |p: f64| t[((t.len() - 1) as f64 * p).round() as usize];
        let worst_at = self
            .totals
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, _)| k)
            .unwrap_or(0);
        let fit = if self.fit_ms > 0.0 {
            format!(" + {:.2} ms fit", self.fit_ms / k)
        } else {
            String::new()
        };
        format!(
            "{} animation frames: {:.2} ms simulation{fit} + {:.2} ms drawing per frame on average; \
             median {:.1} ms, 95th percentile {:.1} ms, worst {:.1} ms (frame {worst_at}).",
            t.len(),
            self.sim_ms / k,
            self.draw_ms / k,
            q(0.5),
            q(0.95),
            q(1.0)
        )
    }
}

/// Size the backing store to the CSS box × devicePixelRatio; the scale, or `None` if the
/// canvas is not laid out (hidden).
pub(super) fn fit(canvas: &HtmlCanvasElement) -> Option<f64> {
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

pub(super) fn backend(canvas: &HtmlCanvasElement) -> Result<CanvasBackend, String> {
    CanvasBackend::with_canvas_object(canvas.clone()).ok_or_else(|| "no 2d context".to_string())
}

/// The dashed theory curves over a run of `cfg` (owned, borrowed by the chart).
struct Theory {
    labels: Vec<String>,
    curves: Vec<Vec<Vec<(f64, f64)>>>,
}

impl Theory {
    fn overlays(&self) -> Vec<Overlay<'_>> {
        self.labels
            .iter()
            .zip(&self.curves)
            .map(|(label, curves)| Overlay { label, curves })
            .collect()
    }
}

fn theory(lab: Lab, cfg: &Config, side: Side) -> Theory {
    let mut t = Theory {
        labels: vec![],
        curves: vec![],
    };
    if lab.show_domino.get_untracked() && lab::has_theory(cfg.model) {
        let (t0, curves) = lab::domino_ramps(cfg);
        t.labels.push(format!("Domino t0={t0:.0}"));
        t.curves.push(curves);
    }
    if side == Side::A && lab.show_fit.get_untracked() {
        lab.fit.with_value(|f| {
            if let FitState::Done(d) = f {
                t.labels.push(format!("Resource N0={}", chart::sig2(d.n0)));
                t.curves.push(d.curves.clone());
            }
        });
    }
    t
}

/// Draw everything that exists: both sides' skill chart, second chart and heat strip.
pub fn all(lab: Lab) -> Result<(), String> {
    let theme = super::embed::chart_theme();
    let cfg = lab.config.get_untracked();
    let cfg_b = lab.config_b.get_untracked();
    let x_steps = cfg.steps.max(cfg_b.as_ref().map(|c| c.steps).unwrap_or(0));
    let cursor = lab.hover.get_untracked().or(lab.view.get_untracked());
    let tab = lab.tab.get_untracked();
    let mut areas = [None; 4];

    let t = theory(lab, &cfg, Side::A);
    let overlays = t.overlays();
    let (a0, a1) = lab
        .run
        .with_value(|r| side(r, lab.a, x_steps, cursor, tab, &overlays, theme))?;
    areas[0] = a0;
    areas[1] = a1;
    if let Some(cb) = &cfg_b {
        let t = theory(lab, cb, Side::B);
        let overlays = t.overlays();
        let b = lab.run_b.with_value(|r| {
            r.as_ref()
                .map(|r| side(r, lab.b, x_steps, cursor, tab, &overlays, theme))
        });
        if let Some(b) = b {
            let (b0, b1) = b?;
            areas[2] = b0;
            areas[3] = b1;
        }
    }
    lab.areas.set_value(areas);
    Ok(())
}

type Areas = (Option<PlotArea>, Option<PlotArea>);

fn side(
    r: &Run,
    c: super::Canvases,
    x_steps: u32,
    cursor: Option<u32>,
    tab: Tab,
    overlays: &[Overlay],
    theme: Theme,
) -> Result<Areas, String> {
    let data = ChartData {
        milestones: Some(&r.milestones),
        overlays,
        level_label: chart::level_label(r.net),
        names: &r.names,
        ..ChartData::new(&r.frames, &r.freqs, x_steps)
    };
    let upto = r.frames.len();
    // The cursor sits on the frame shown at that step.
    let cursor = cursor.and_then(|s| r.frame_at(Some(s)).map(|f| f.step));
    let mut out = (None, None);
    if let Some(canvas) = c.skills.get_untracked() {
        if let Some(scale) = fit(&canvas) {
            let root = backend(&canvas)?.into_drawing_area();
            let opts = ChartOpts {
                scale,
                theme,
                cursor,
            };
            out.0 = Some(chart::draw_skills(&root, &data, upto, &opts)?);
        }
    }
    if let Some(canvas) = c.second.get_untracked() {
        if let Some(scale) = fit(&canvas) {
            let root = backend(&canvas)?.into_drawing_area();
            let opts = ChartOpts {
                scale,
                theme,
                cursor,
            };
            let plain = ChartData {
                overlays: &[],
                milestones: None,
                ..data
            };
            out.1 = Some(match tab {
                Tab::Loss => chart::draw_loss(&root, &plain, upto, &opts)?,
                Tab::Align => chart::draw_per_skill(&root, &plain, upto, &opts, Quantity::Align)?,
                Tab::Collapse => {
                    chart::draw_per_skill(&root, &plain, upto, &opts, Quantity::Collapse)?
                }
            });
        }
    }
    if let Some(canvas) = c.strip.get_untracked() {
        if let Some(scale) = fit(&canvas) {
            let root = backend(&canvas)?.into_drawing_area();
            let levels = r
                .frame_at(cursor)
                .map(|f| f.levels.as_slice())
                .unwrap_or(&[]);
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
    Ok(out)
}
