//! Drawing the lab's runs onto its canvases with [`crate::plot::run`] and plotters-canvas:
//! both sides' skill chart, second chart and heat strip, with the dashed theory overlays the
//! reader switched on. The page hands [`all`] to its [`super::animation::Animation`].

use super::canvas::{chart_theme, draw_on, skills_data};
use super::state::{Canvases, FitState, LabState, Side, Tab};
use crate::lab::view;
use crate::lab::{self, Run};
use crate::link::Config;
use crate::plot::run::{self as chart, ChartData, Overlay, PlotArea, Quantity, Theme};
use leptos::prelude::*;

/// The dashed theory curves over a run of `cfg` (owned, borrowed by the chart).
pub struct Theory {
    labels: Vec<String>,
    curves: Vec<Vec<Vec<(f64, f64)>>>,
}

impl Theory {
    /// The overlays the reader switched on over side `side`, whose configuration is `cfg`:
    /// the Domino ramps, and over A the fitted Resource curves once the fit is done.
    pub fn of(lab: LabState, cfg: &Config, side: Side) -> Theory {
        let mut t = Theory {
            labels: vec![],
            curves: vec![],
        };
        if lab.options.show_domino.get_untracked() && lab::has_theory(cfg.model) {
            let (t0, curves) = lab::domino_ramps(cfg);
            t.labels.push(format!("Domino t0={t0:.0}"));
            t.curves.push(curves);
        }
        if side == Side::A && lab.options.show_fit.get_untracked() {
            lab.runs.fit.with_value(|f| {
                if let FitState::Done(d) = f {
                    t.labels.push(format!("Resource N0={}", chart::sig2(d.n0)));
                    t.curves.push(d.curves.clone());
                }
            });
        }
        t
    }

    pub fn overlays(&self) -> Vec<Overlay<'_>> {
        self.labels
            .iter()
            .zip(&self.curves)
            .map(|(label, curves)| Overlay { label, curves })
            .collect()
    }
}

/// Draw everything that exists: both sides' skill chart, second chart and heat strip.
pub fn all(lab: LabState) -> Result<(), String> {
    let theme = chart_theme();
    let cfg = lab.setup.config.get_untracked();
    let cfg_b = lab.setup.config_b.get_untracked();
    let cursor = lab.playback.cursor();
    let x_steps = axis_end(lab, cursor);
    let tab = lab.options.tab.get_untracked();
    let mut areas = [None; 4];
    // a comparison's loss charts share one scale and range
    let span = cfg_b.as_ref().and_then(|_| {
        lab.runs.a.with_value(|a| {
            lab.runs.b.with_value(|b| {
                let b = b.as_ref().map(|b| b.frames.as_slice()).unwrap_or(&[]);
                chart::loss_span([a.frames.as_slice(), b])
            })
        })
    });
    let axes = Axes {
        x_steps,
        loss_span: span,
    };

    let t = Theory::of(lab, &cfg, Side::A);
    let overlays = t.overlays();
    let (a0, a1) = lab
        .runs
        .a
        .with_value(|r| side(r, lab.canvases.a, axes, cursor, tab, &overlays, theme))?;
    areas[0] = a0;
    areas[1] = a1;
    if let Some(cb) = &cfg_b {
        let t = Theory::of(lab, cb, Side::B);
        let overlays = t.overlays();
        let b = lab.runs.b.with_value(|r| {
            r.as_ref()
                .map(|r| side(r, lab.canvases.b, axes, cursor, tab, &overlays, theme))
        });
        if let Some(b) = b {
            let (b0, b1) = b?;
            areas[2] = b0;
            areas[3] = b1;
        }
    }
    lab.canvases.areas.set_value(areas);
    Ok(())
}

/// Where the charts' time axis ends ([`view::axis_end`]): soon after the cascade of both
/// runs, not at the end of a mostly flat run.
fn axis_end(lab: LabState, cursor: Option<u32>) -> u32 {
    let a = lab.runs.a.with_value(|r| (r.step(), r.learned_step()));
    let b = lab
        .runs
        .b
        .with_value(|r| r.as_ref().map(|r| (r.step(), r.learned_step())));
    let latest = a.0.max(b.map_or(0, |b| b.0));
    let learned = match b {
        None => a.1,
        Some(b) => a.1.zip(b.1).map(|(x, y)| x.max(y)),
    };
    view::axis_end(lab.setup.x_steps(), latest, learned, cursor)
}

type Areas = (Option<PlotArea>, Option<PlotArea>);

/// What both sides' charts share: the time axis and, when comparing, the loss range.
#[derive(Clone, Copy)]
struct Axes {
    x_steps: u32,
    loss_span: Option<(f64, f64)>,
}

fn side(
    r: &Run,
    c: Canvases,
    axes: Axes,
    cursor: Option<u32>,
    tab: Tab,
    overlays: &[Overlay],
    theme: Theme,
) -> Result<Areas, String> {
    let data = skills_data(r, axes.x_steps, overlays, axes.loss_span);
    // the frames on the axis (a run goes on past the end of an axis that follows the cascade)
    let upto = r.index_at(axes.x_steps) + 1;
    let upto = upto.min(r.frames.len());
    // The cursor sits on the frame shown at that step.
    let cursor = cursor.and_then(|s| r.frame_at(Some(s)).map(|f| f.step));
    let mut out = (None, None);
    if let Some(canvas) = c.skills.get_untracked() {
        out.0 = draw_on(&canvas, theme, cursor, |root, opts| {
            chart::draw_skills(root, &data, upto, opts)
        })?;
    }
    if let Some(canvas) = c.second.get_untracked() {
        let plain = ChartData {
            overlays: &[],
            milestones: None,
            ..data
        };
        out.1 = draw_on(&canvas, theme, cursor, |root, opts| match tab {
            Tab::Loss => chart::draw_loss(root, &plain, upto, opts),
            Tab::Align => chart::draw_per_skill(root, &plain, upto, opts, Quantity::Align),
            Tab::Collapse => chart::draw_per_skill(root, &plain, upto, opts, Quantity::Collapse),
        })?;
    }
    if let Some(canvas) = c.strip.get_untracked() {
        let levels = r
            .frame_at(cursor)
            .map(|f| f.levels.as_slice())
            .unwrap_or(&[]);
        draw_on(&canvas, theme, None, |root, opts| {
            chart::draw_strip(root, levels, opts)
        })?;
    }
    Ok(out)
}
