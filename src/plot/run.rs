//! Charts of a run, generic over plotters' [`DrawingBackend`]: the page draws them on a
//! `<canvas>` (plotters-canvas), native tests draw them to an SVG string and read the text.
//!
//! Nothing here knows about the web. The caller says how many device pixels make one CSS
//! pixel ([`ChartOpts::scale`]): plotters-canvas draws in backing-store pixels and does not
//! scale for `devicePixelRatio` itself (plotters issue #164), so fonts, strokes and margins
//! are multiplied here instead.

pub use super::{css_color, sig2, skill_color, ChartOpts, Theme};
pub use crate::sim::metrics::Milestones;

use super::noise::{noisy, sample, spread};
use crate::sim::freq::normalise;
use crate::sim::{metrics, Frame};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Up to this many skills get a legend (more would cover the chart).
pub const LEGEND_MAX: usize = 12;
/// At most this many curves are drawn; with more skills an evenly spaced subset is shown.
pub const MAX_CURVES: usize = 200;

/// Dashed curves drawn over a chart's own (a theory's prediction), one per skill.
#[derive(Clone, Copy, Debug)]
pub struct Overlay<'a> {
    /// What the dashes are, for the legend ("Resource, N0 = 0.0031").
    pub label: &'a str,
    /// `curves[i]` = points (step, value) of skill i; an empty curve draws nothing.
    pub curves: &'a [Vec<(f64, f64)>],
}

/// What to draw: a trajectory (possibly still growing) and the run it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct ChartData<'a> {
    pub frames: &'a [Frame],
    /// Skill frequencies for the legend and the collapse (may be empty: labels then have no
    /// frequency and there is no collapse).
    pub freqs: &'a [f64],
    /// The x axis spans 0..=steps (compared runs share one axis). The page passes where its
    /// axis ends (`lab::view::axis_end`, which follows the cascade) and only the frames up to
    /// it; the CLI's figures pass the run's length.
    pub steps: u32,
    /// Start and finish markers; `None` = no markers.
    pub milestones: Option<&'a Milestones>,
    /// Dashed theory curves over the skill levels.
    pub overlays: &'a [Overlay<'a>],
    /// The y axis title of the levels: [`LEVEL_LABEL`], or [`ACCURACY_LABEL`] for the real
    /// networks, whose levels are per-task accuracies.
    pub level_label: &'a str,
    /// Skill names for the legend (the real networks' tasks: "x1⊕x2", "train", …); empty:
    /// s1, s2, ….
    pub names: &'a [String],
    /// The loss range of every run drawn on the same axes (a comparison's A and B,
    /// [`loss_span`]): the loss chart covers it, so both runs get the same scale and range.
    /// `None`: this run's own.
    pub loss_span: Option<(f64, f64)>,
}

/// The smallest and largest finite loss over some runs' frames (`None` when there is none).
pub fn loss_span<'a>(runs: impl IntoIterator<Item = &'a [Frame]>) -> Option<(f64, f64)> {
    let mut span: Option<(f64, f64)> = None;
    for frames in runs {
        for l in frames.iter().map(|f| f.loss).filter(|l| l.is_finite()) {
            span = Some(span.map_or((l, l), |(a, b)| (a.min(l), b.max(l))));
        }
    }
    span
}

/// Skill i's label: its name when the run names its skills (the real networks' tasks), else
/// "s1", "s2", … (i from 0).
pub fn skill_name(names: &[String], i: usize) -> String {
    names
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("s{}", i + 1))
}

/// The skill chart's y axis title for the toy models.
pub const LEVEL_LABEL: &str = "skill level s_i";
/// The same for the real networks (`m=parity|grokking|modular`).
pub const ACCURACY_LABEL: &str = "task accuracy";

/// The y axis title of the skill chart for a model.
pub fn level_label(net: bool) -> &'static str {
    if net {
        ACCURACY_LABEL
    } else {
        LEVEL_LABEL
    }
}

impl<'a> ChartData<'a> {
    /// A trajectory with no markers and no overlays.
    pub fn new(frames: &'a [Frame], freqs: &'a [f64], steps: u32) -> Self {
        ChartData {
            frames,
            freqs,
            steps,
            milestones: None,
            overlays: &[],
            level_label: LEVEL_LABEL,
            names: &[],
            loss_span: None,
        }
    }

    fn skills(&self) -> usize {
        self.frames
            .first()
            .map(|f| f.levels.len())
            .unwrap_or(self.freqs.len())
    }
}

/// Which per-skill quantity a chart plots against the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// The skill level s_i.
    Level,
    /// The aligned dimensions n_align,i of the Geometry model (frames recorded with them).
    Align,
    /// The collapse variable u_i^{1/p_i} = max(1 − s_i, 0)^{1/p_i} with normalised p
    /// (docs/models.md §4.3.2): one curve for every skill in the Resource model.
    Collapse,
}

impl Quantity {
    /// The y axis title.
    pub fn title(self) -> &'static str {
        match self {
            Quantity::Level => "skill level s_i",
            Quantity::Align => "aligned dims n_align,i",
            Quantity::Collapse => "collapse u_i^(1/p_i)",
        }
    }

    /// The value of skill `i` in frame `f`; `p` = normalised frequencies (for the collapse).
    pub fn value(self, f: &Frame, i: usize, p: &[f64]) -> Option<f64> {
        match self {
            Quantity::Level => f.levels.get(i).copied(),
            Quantity::Align => f.align.as_ref()?.get(i).map(|&a| a as f64),
            Quantity::Collapse => {
                let s = *f.levels.get(i)?;
                let p = *p.get(i)?;
                (p > 0.0).then(|| metrics::collapse(s, p))
            }
        }
    }
}

/// Where a chart's plot area ended up, in backing-store pixels, so the page can turn a
/// pointer position into a step (hover readout, scrubbing on the chart).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlotArea {
    /// Left and right edge of the plot area (x = 0 and x = `x_max`).
    pub left: i32,
    pub right: i32,
    pub x_max: f64,
}

impl PlotArea {
    /// The step under backing-store pixel column `px`, clamped to the axis.
    pub fn step_at(&self, px: f64) -> f64 {
        let w = (self.right - self.left).max(1) as f64;
        ((px - self.left as f64) / w).clamp(0.0, 1.0) * self.x_max
    }
}

type Res = Result<PlotArea, String>;

/// Left and right margins of every chart's plot area, in CSS pixels: the same for the skill
/// and the loss chart so their step axes line up one above the other.
const Y_LABELS: f64 = 60.0;
const RIGHT: f64 = 24.0;

/// Width of the legend column (0 = no legend): only for up to [`LEGEND_MAX`] skills and
/// charts wide enough to spare it.
fn legend_width(n: usize, with_freqs: bool, w: u32, k: f64) -> u32 {
    if n == 0 || n > LEGEND_MAX || (w as f64) < 420.0 * k {
        return 0;
    }
    (if with_freqs { 124.0 } else { 56.0 } * k).round() as u32
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Which skills get a curve: all, or an evenly spaced subset of [`MAX_CURVES`].
fn curves(n: usize) -> Vec<usize> {
    if n <= MAX_CURVES {
        return (0..n).collect();
    }
    let mut v: Vec<usize> = (0..MAX_CURVES)
        .map(|k| k * (n - 1) / (MAX_CURVES - 1))
        .collect();
    v.dedup();
    v
}

/// An overlay's dash and gap, in CSS px: its curves and its legend swatch.
const OVERLAY_DASH: (f64, f64) = (6.0, 4.0);

/// Overlays draw at most this many dashed curves (evenly spaced skills beyond): dashes are
/// one path each, so they cost far more than a solid curve.
pub const MAX_DASHED: usize = 24;

/// The vertical cursor: the chosen step, else the last drawn frame's.
fn cursor_x(opts: &ChartOpts, frames: &[Frame]) -> Option<f64> {
    opts.cursor
        .or_else(|| frames.last().map(|f| f.step))
        .map(|x| x as f64)
}

/// Per-skill curves s_i(t) of the first `upto` frames, with a legend (≤ [`LEGEND_MAX`]
/// skills), a triangle where each skill starts and a dot where it finishes, the dashed
/// overlays, and a vertical cursor. Axis labels: "step" and "skill level s_i".
pub fn draw_skills<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    upto: usize,
    opts: &ChartOpts,
) -> Res {
    draw_per_skill(root, data, upto, opts, Quantity::Level)
}

/// One curve per skill of `q` against the step (markers and overlays only for
/// [`Quantity::Level`]).
pub fn draw_per_skill<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    upto: usize,
    opts: &ChartOpts,
    q: Quantity,
) -> Res {
    let k = opts.scale.max(0.25);
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let c = opts.theme.colors();
    root.fill(&c.bg).map_err(err)?;
    let upto = upto.min(data.frames.len());
    let frames = &data.frames[..upto];
    let n = data.skills();
    let p = normalise(data.freqs.to_vec());

    let (w, _) = root.dim_in_pixel();
    let legend_w = legend_width(n, !data.freqs.is_empty(), w, k);
    let legend = legend_w > 0;
    let (plot_area, legend_area) = root.split_horizontally(w.saturating_sub(legend_w));

    // Fewer points per curve when there are many curves (a point every ~6 pixels is still a
    // smooth curve): 100 curves cost about what 8 do at full resolution.
    let show = curves(n);
    let per_curve = if show.len() > 40 {
        w as usize / 6
    } else {
        (w as usize / 2).max(1)
    };
    let idx = sample(upto, per_curve.max(16));

    let (lo, hi) = y_range(q, frames, &idx, &show);
    let pad = 0.04 * (hi - lo);
    let (y0, y1) = (lo - pad, hi + pad);
    let x_max = data.steps.max(1) as f64;

    let font = ("sans-serif", 13.0 * k).into_font().color(&c.fg);
    let desc_font = ("sans-serif", 14.0 * k).into_font().color(&c.fg);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(px(10.0))
        .margin_right(px(if legend { 10.0 } else { RIGHT }))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(Y_LABELS))
        .build_cartesian_2d(0.0..x_max, y0..y1)
        .map_err(err)?;
    let y_fmt = |y: &f64| match q {
        Quantity::Align => format!("{}", y.round() as i64),
        _ => format!("{y:.1}"),
    };
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc(if q == Quantity::Level {
            data.level_label
        } else {
            q.title()
        })
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{}", x.round() as i64))
        .y_label_formatter(&y_fmt)
        .label_style(font.clone())
        .axis_desc_style(desc_font)
        .axis_style(c.fg.stroke_width(px(1.0)))
        .bold_line_style(c.grid.stroke_width(px(1.0)))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;

    let stroke = px(if show.len() > 40 { 1.0 } else { 2.0 });
    // A pixel of the y axis, in data units: noise within one pixel is not drawn.
    let (_, h) = plot_area.dim_in_pixel();
    let y_px = (y1 - y0) / (h.max(1) as f64);
    for &i in &show {
        let color = skill_color(i, n);
        let spread = spread(frames, &idx, |f| q.value(f, i, &p));
        // Where several steps share a point (a long run), the noise between them (SignGD's
        // ripple once a skill is learned) is drawn as what it is: a faint band from their
        // lowest to their highest value, with the curve through their mean, instead of a
        // zig-zag so dense that it reads as a thick line.
        let (band, pts) = noisy(&spread, y_px, |y| y.clamp(y0, y1));
        if let Some(band) = band {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.25).filled(),
                )))
                .map_err(err)?;
        }
        if pts.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(stroke)))
            .map_err(err)?;
    }

    if q == Quantity::Level {
        draw_overlays(&mut chart, data, &show, (x_max, y0, y1), (w, k))?;
        draw_markers(&mut chart, data, frames, &show, (y0, y1), k, &c)?;
    }

    if let Some(x) = cursor_x(opts, frames) {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, y0), (x, y1)],
                c.cursor.stroke_width(px(1.0)),
            )))
            .map_err(err)?;
    }
    let area = plot_area_of(chart.plotting_area(), x_max);

    if legend {
        draw_legend(&legend_area, data, n, q == Quantity::Level, k, &c)?;
    }
    root.present().map_err(err)?;
    Ok(area)
}

/// The y range of a per-skill chart over the sampled frames `idx` and the drawn skills.
fn y_range(q: Quantity, frames: &[Frame], idx: &[usize], show: &[usize]) -> (f64, f64) {
    match q {
        Quantity::Level => {
            let (mut lo, mut hi) = (0.0f64, 1.0f64);
            for &t in idx {
                for &i in show {
                    let s = frames[t].levels[i];
                    if s.is_finite() {
                        lo = lo.min(s);
                        hi = hi.max(s);
                    }
                }
            }
            // Levels live in about [0, 1]; an overshooting or diverging run widens the axis
            // to at most [-1, 2] and anything further is pinned to the edge, so the labels
            // stay readable.
            (lo.max(-1.0), hi.min(2.0))
        }
        Quantity::Align => {
            let top = frames
                .iter()
                .filter_map(|f| f.align.as_ref()?.iter().max().copied())
                .max()
                .unwrap_or(1);
            (0.0, top.max(1) as f64)
        }
        Quantity::Collapse => (0.0, 1.0),
    }
}

/// The chart a per-skill quantity is drawn on: steps against values.
type SkillChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Dashed theory curves, thinner than the run's own, in the skill's colour (at most
/// [`MAX_DASHED`] of them per overlay).
fn draw_overlays<DB: DrawingBackend>(
    chart: &mut SkillChart<DB>,
    data: &ChartData,
    show: &[usize],
    (x_max, y0, y1): (f64, f64, f64),
    (w, k): (u32, f64),
) -> Result<(), String> {
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let n = data.skills();
    let dashed: Vec<usize> = if show.len() > MAX_DASHED {
        (0..MAX_DASHED)
            .map(|j| show[j * (show.len() - 1) / (MAX_DASHED - 1)])
            .collect()
    } else {
        show.to_vec()
    };
    for o in data.overlays {
        for &i in &dashed {
            let Some(curve) = o.curves.get(i) else {
                continue;
            };
            // the part on the axis (an axis that follows the cascade ends before the run)
            let on_axis = curve.partition_point(|p| p.0 <= x_max);
            let pts = thin(&curve[..on_axis], (w as usize / 4).max(8));
            if pts.len() < 2 {
                continue;
            }
            let style = skill_color(i, n).stroke_width(px(1.5));
            chart
                .draw_series(DashedLineSeries::new(
                    pts.into_iter()
                        .map(|(x, y)| (x.clamp(0.0, x_max), y.clamp(y0, y1))),
                    px(OVERLAY_DASH.0),
                    px(OVERLAY_DASH.1),
                    style,
                ))
                .map_err(err)?;
        }
    }
    Ok(())
}

/// A triangle where each drawn skill starts and a dot where it finishes (the data's
/// milestones, if any), up to the last drawn frame.
fn draw_markers<DB: DrawingBackend>(
    chart: &mut SkillChart<DB>,
    data: &ChartData,
    frames: &[Frame],
    show: &[usize],
    (y0, y1): (f64, f64),
    k: f64,
    c: &super::Colors,
) -> Result<(), String> {
    let Some(m) = data.milestones else {
        return Ok(());
    };
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let (upto, n) = (frames.len(), data.skills());
    let r = px(4.0) as i32;
    let at = |t: usize, i: usize| (frames[t].step as f64, frames[t].levels[i].clamp(y0, y1));
    let marks = |which: &[Option<usize>]| -> Vec<((f64, f64), RGBColor)> {
        show.iter()
            .filter_map(|&i| {
                let t = (*which.get(i)?)?;
                (t < upto).then(|| (at(t, i), skill_color(i, n)))
            })
            .collect()
    };
    chart
        .draw_series(marks(&m.start).into_iter().map(|(xy, col)| {
            EmptyElement::at(xy)
                + TriangleMarker::new((0, 0), r + 1, ShapeStyle::from(&col).filled())
        }))
        .map_err(err)?;
    chart
        .draw_series(marks(&m.finish).into_iter().map(|(xy, col)| {
            EmptyElement::at(xy)
                + Circle::new((0, 0), r, ShapeStyle::from(&col).filled())
                + Circle::new((0, 0), r, c.bg.stroke_width(px(1.0)))
        }))
        .map_err(err)?;
    Ok(())
}

/// The legend column: a colour swatch and name (with the frequency) per skill, then one
/// dashed entry per overlay when `overlays`.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    n: usize,
    overlays: bool,
    k: f64,
    c: &super::Colors,
) -> Result<(), String> {
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let row = 18.0 * k;
    let top = 14.0 * k;
    let lfont = ("sans-serif", 12.0 * k).into_font().color(&c.fg);
    for i in 0..n {
        let y = (top + row * i as f64) as i32;
        let color = skill_color(i, n);
        area.draw(&Rectangle::new(
            [
                (0, y + px(5.0) as i32),
                (px(14.0) as i32, y + px(9.0) as i32),
            ],
            color.filled(),
        ))
        .map_err(err)?;
        let name = skill_name(data.names, i);
        let label = match data.freqs.get(i) {
            Some(p) => format!("{name}  p={}", sig2(*p)),
            None => name,
        };
        area.draw(&Text::new(label, (px(19.0) as i32, y), lfont.clone()))
            .map_err(err)?;
    }
    if !overlays {
        return Ok(());
    }
    for (j, o) in data.overlays.iter().enumerate() {
        let y = (top + row * (n as f64 + 0.5 + j as f64)) as i32;
        let mid = y + px(7.0) as i32;
        // dashed as the overlay's curves are (plotters' own dashing, same lengths)
        area.draw(&DashedPathElement::new(
            vec![(0, mid), (px(16.0) as i32, mid)],
            px(OVERLAY_DASH.0),
            px(OVERLAY_DASH.1),
            c.fg.stroke_width(px(1.5)),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            o.label.to_string(),
            (px(19.0) as i32, y),
            lfont.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// At most about `max_points` of `pts`, evenly spaced, always keeping the last.
fn thin(pts: &[(f64, f64)], max_points: usize) -> Vec<(f64, f64)> {
    sample(pts.len(), max_points)
        .into_iter()
        .map(|i| pts[i])
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect()
}

fn plot_area_of<DB: DrawingBackend, X: Ranged, Y: Ranged>(
    area: &DrawingArea<DB, Cartesian2d<X, Y>>,
    x_max: f64,
) -> PlotArea {
    let (xr, _) = area.get_pixel_range();
    PlotArea {
        left: xr.start,
        right: xr.end,
        x_max,
    }
}

/// The total loss L(t) of the first `upto` frames; log y axis when every loss is positive.
pub fn draw_loss<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    upto: usize,
    opts: &ChartOpts,
) -> Res {
    let k = opts.scale.max(0.25);
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let c = opts.theme.colors();
    root.fill(&c.bg).map_err(err)?;
    let upto = upto.min(data.frames.len());
    let frames = &data.frames[..upto];
    let (w, _) = root.dim_in_pixel();
    // Leave the skill chart's legend column empty, so both step axes line up.
    let legend_w = legend_width(data.skills(), !data.freqs.is_empty(), w, k);
    let (root, _) = root.split_horizontally(w.saturating_sub(legend_w));
    let root = &root;
    let idx = sample(upto, 2 * w as usize);
    // the frames each drawn point stands for (as the skill chart: noise drawn as a band)
    let buckets = spread(frames, &idx, |f| Some(f.loss));
    let x_max = data.steps.max(1) as f64;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for b in &buckets {
        lo = lo.min(b.lo);
        hi = hi.max(b.hi);
    }
    if let Some((a, b)) = data.loss_span {
        (lo, hi) = (lo.min(a), hi.max(b));
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let font = ("sans-serif", 13.0 * k).into_font().color(&c.fg);
    let desc_font = ("sans-serif", 14.0 * k).into_font().color(&c.fg);
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(px(10.0))
        .margin_right(px(if legend_w > 0 { 10.0 } else { RIGHT }))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(Y_LABELS));
    let line = ShapeStyle::from(&c.fg).stroke_width(px(2.0));
    let cursor = cursor_x(opts, frames);

    // Log scale when the loss spans more than a decade or so (a narrower span would get a
    // single tick label), at most 12 decades below the top so a vanishing loss stays readable.
    let area = if lo > 0.0 && hi / lo > 20.0 {
        let lo = lo.max(hi * 1e-12);
        let (lo, hi) = (lo / 1.1, hi * 1.1);
        let mut chart = builder
            .build_cartesian_2d(0.0..x_max, (lo..hi).log_scale())
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc("loss L (log)")
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .y_label_formatter(&|y| format!("{y:.0e}"))
            .label_style(font)
            .axis_desc_style(desc_font)
            .axis_style(c.fg.stroke_width(px(1.0)))
            .bold_line_style(c.grid.stroke_width(px(1.0)))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(err)?;
        // on the log axis the noise is measured, and the curve averaged, in ln L
        let logs = spread(frames, &idx, |f| (f.loss > 0.0).then(|| f.loss.ln()));
        let (_, h) = chart.plotting_area().dim_in_pixel();
        let (band, pts) = noisy(&logs, (hi.ln() - lo.ln()) / h.max(1) as f64, f64::exp);
        if let Some(band) = band {
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band.into_iter()
                        .map(|(x, y)| (x, y.max(lo)))
                        .collect::<Vec<_>>(),
                    c.fg.mix(0.2).filled(),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                pts.into_iter().map(|(x, y)| (x, y.max(lo))),
                line,
            ))
            .map_err(err)?;
        if let Some(x) = cursor {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, hi)],
                    c.cursor.stroke_width(px(1.0)),
                )))
                .map_err(err)?;
        }
        plot_area_of(chart.plotting_area(), x_max)
    } else {
        let pad = 0.05 * (hi - lo).max(1e-12);
        let (lo, hi) = (lo - pad, hi + pad);
        let mut chart = builder
            .build_cartesian_2d(0.0..x_max, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc("loss L")
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&|x| format!("{}", x.round() as i64))
            .label_style(font)
            .axis_desc_style(desc_font)
            .axis_style(c.fg.stroke_width(px(1.0)))
            .bold_line_style(c.grid.stroke_width(px(1.0)))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(err)?;
        let (_, h) = chart.plotting_area().dim_in_pixel();
        let (band, pts) = noisy(&buckets, (hi - lo) / h.max(1) as f64, |y| y);
        if let Some(band) = band {
            chart
                .draw_series(std::iter::once(Polygon::new(band, c.fg.mix(0.2).filled())))
                .map_err(err)?;
        }
        chart.draw_series(LineSeries::new(pts, line)).map_err(err)?;
        if let Some(x) = cursor {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, hi)],
                    c.cursor.stroke_width(px(1.0)),
                )))
                .map_err(err)?;
        }
        plot_area_of(chart.plotting_area(), x_max)
    };
    root.present().map_err(err)?;
    Ok(area)
}

/// Colour of a skill level on the heat strip: a viridis-like ramp from dark blue (0) through
/// teal to yellow (1, learned). Values outside [0, 1] are clamped.
pub fn heat_color(s: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let s = if s.is_finite() {
        s.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = s * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let t = x - i as f64;
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The compact domino row for many skills: one vertical band per skill, left to right,
/// coloured by its current level ([`heat_color`]).
pub fn draw_strip<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    levels: &[f64],
    opts: &ChartOpts,
) -> Result<(), String> {
    let c = opts.theme.colors();
    root.fill(&c.bg).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let n = levels.len();
    for (i, &s) in levels.iter().enumerate() {
        let x0 = (i as u64 * w as u64 / n as u64) as i32;
        let x1 = ((i as u64 + 1) * w as u64 / n as u64) as i32;
        root.draw(&Rectangle::new(
            [(x0, 0), (x1.max(x0 + 1), h as i32)],
            heat_color(s).filled(),
        ))
        .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Charts drawn to SVG text: one polyline per curve (+ one for the cursor), the axis
    //! labels, one circle pair per finished skill, one triangle per started skill, one short
    //! polyline per dash of an overlay.
    use super::*;
    use crate::link::parse;
    use crate::sim::run;
    use plotters::backend::SVGBackend;

    fn frames(query: &str) -> (Vec<Frame>, crate::link::Config) {
        let cfg = parse(query).config;
        let traj = run(cfg.spec().unwrap(), cfg.steps, 1, false).unwrap();
        (traj.frames, cfg)
    }

    fn svg_skills(
        frames: &[Frame],
        freqs: &[f64],
        steps: u32,
        m: Option<&Milestones>,
        upto: usize,
        w: u32,
    ) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (w, 360)).into_drawing_area();
            let data = ChartData {
                milestones: m,
                ..ChartData::new(frames, freqs, steps)
            };
            draw_skills(&root, &data, upto, &ChartOpts::default()).unwrap();
        }
        out
    }

    fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    /// The `points` of every polyline stroked in `color` (axes and ticks are polylines too,
    /// in the foreground colour, so curves are told apart by their colour).
    fn polylines(svg: &str, color: RGBColor) -> Vec<&str> {
        let stroke = format!("stroke=\"#{:02X}{:02X}{:02X}\"", color.0, color.1, color.2);
        svg.split("<polyline")
            .skip(1)
            .filter(|p| p.contains(&stroke))
            .map(|p| {
                p.split("points=\"")
                    .nth(1)
                    .and_then(|q| q.split('"').next())
                    .unwrap_or("")
            })
            .collect()
    }

    /// Number of curves: polylines in a skill colour.
    fn curves_in(svg: &str, n: usize) -> usize {
        (0..n)
            .map(|i| polylines(svg, skill_color(i, n)).len())
            .sum()
    }

    fn cursors_in(svg: &str) -> usize {
        polylines(svg, Theme::Light.colors().cursor).len()
    }

    fn font_sizes(svg: &str) -> Vec<f64> {
        svg.split("font-size=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect()
    }

    #[test]
    fn one_polyline_per_skill_plus_cursor_and_labels() {
        let (f, cfg) = frames("m=resource&n=5&steps=300");
        let freqs = cfg.freqs();
        let m = Milestones::of(&f, 5, cfg.thr);
        let svg = svg_skills(&f, &freqs, cfg.steps, Some(&m), f.len(), 800);
        assert_eq!(curves_in(&svg, 5), 5, "one curve per skill");
        assert_eq!(cursors_in(&svg), 1, "one cursor");
        assert!(svg.contains("\nstep\n"), "x label");
        assert!(svg.contains("skill level s_i"), "y label");
        // Legend: one entry per skill with its frequency.
        assert!(svg.contains(&format!("s1  p={}", sig2(freqs[0]))));
        assert!(svg.contains("s5  p="));
        // Two circles (fill + ring) per finished skill, a triangle per started one.
        let finished = m.finish.iter().filter(|x| x.is_some()).count();
        assert!(finished > 0, "some skill should finish in 300 steps: {m:?}");
        assert_eq!(count(&svg, "<circle"), 2 * finished);
        let started = m.start.iter().filter(|x| x.is_some()).count();
        assert!(started >= finished, "{m:?}");
        assert_eq!(count(&svg, "<polygon"), started);
    }

    #[test]
    fn markers_only_up_to_the_drawn_frame() {
        let (f, cfg) = frames("m=resource&n=5&steps=300");
        let m = Milestones::of(&f, 5, cfg.thr);
        let first = m.finish.iter().flatten().min().copied().unwrap();
        let svg = svg_skills(&f, &[], cfg.steps, Some(&m), first, 800);
        assert_eq!(
            count(&svg, "<circle"),
            0,
            "nothing finished before frame {first}"
        );
        let svg = svg_skills(&f, &[], cfg.steps, Some(&m), first + 1, 800);
        assert!(count(&svg, "<circle") >= 2);
    }

    #[test]
    fn no_legend_for_many_skills_or_narrow_charts() {
        let (f, cfg) = frames("m=domino&n=20&steps=200");
        let svg = svg_skills(&f, &cfg.freqs(), cfg.steps, None, f.len(), 800);
        assert_eq!(curves_in(&svg, 20), 20);
        assert!(!svg.contains("s1  p="));
        let (f, cfg) = frames("m=resource&n=3&steps=50");
        let svg = svg_skills(&f, &cfg.freqs(), cfg.steps, None, f.len(), 300);
        assert!(!svg.contains("s1  p="), "no room for a legend at 300 px");
        assert_eq!(curves_in(&svg, 3), 3);
        assert_eq!(cursors_in(&svg), 1);
    }

    #[test]
    fn diverging_levels_keep_a_readable_axis() {
        let (mut f, cfg) = frames("m=resource&n=3&steps=20");
        f[10].levels[0] = 1e6;
        f[11].levels[1] = -1e6;
        let svg = svg_skills(&f, &[], cfg.steps, None, f.len(), 600);
        let ticks: Vec<f64> = svg
            .split("</text>")
            .filter_map(|t| t.rsplit('>').next()?.trim().parse::<f64>().ok())
            .collect();
        assert!(
            ticks.iter().all(|t| t.abs() <= 20.0),
            "y ticks within [-1, 2]: {ticks:?}"
        );
    }

    #[test]
    fn empty_trajectory_draws_axes_only() {
        let svg = svg_skills(&[], &[0.5, 0.5], 100, None, 0, 600);
        assert_eq!(cursors_in(&svg), 0, "no frame, no cursor");
        assert!(svg.contains("skill level s_i"));
    }

    #[test]
    fn long_runs_are_decimated() {
        let (f, cfg) = frames("m=resource&n=2&p=0.6,0.4&steps=5000");
        let svg = svg_skills(&f, &[], cfg.steps, None, f.len(), 400);
        let curve = svg
            .split("<polyline")
            .find(|p| p.contains(&format!("{:02X}\"", skill_color(0, 2).2)))
            .unwrap();
        let points = curve
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let n = points.split_whitespace().count();
        assert!(n <= 2 * 400 + 1, "{n} points for a 400 px chart");
        assert!(n > 100);
    }

    #[test]
    fn noise_is_a_faint_band_and_a_smooth_run_has_none() {
        // SignGD's ripple once both skills are learned (Fig. 4): a band, not a dense zig-zag
        let (f, cfg) = frames("v=1&preset=fig4&opt=signgd&p1=0.9");
        let svg = svg_skills(&f, &[], cfg.steps, None, f.len(), 400);
        assert!(svg.contains("<polygon"), "a band for the ripple");
        assert!(svg.contains("opacity=\"0.25\""), "a faint one");
        // a smooth run: none (a steep rise is not noise)
        let (f, cfg) = frames("m=resource&n=3&steps=3000");
        let svg = svg_skills(&f, &[], cfg.steps, None, f.len(), 400);
        assert!(!svg.contains("<polygon"), "no band on a smooth run");
    }

    #[test]
    fn loss_noise_is_a_faint_band_too() {
        let loss_svg = |q: &str| {
            let (f, cfg) = frames(q);
            let mut out = String::new();
            {
                let root = SVGBackend::with_string(&mut out, (400, 240)).into_drawing_area();
                let data = ChartData::new(&f, &[], cfg.steps);
                draw_loss(&root, &data, f.len(), &ChartOpts::default()).unwrap();
            }
            out
        };
        // SignGD's ripple after learning (Fig. 4): on the log axis a band, the curve its mean
        let svg = loss_svg("v=1&preset=fig4&opt=signgd&p1=0.9");
        assert!(svg.contains("<polygon"), "a band for the ripple");
        assert!(svg.contains("opacity=\"0.2\""), "a faint one");
        // a smooth run: none
        assert!(!loss_svg("m=resource&n=3&steps=3000").contains("<polygon"));
    }

    #[test]
    fn loss_chart_is_log_scaled_when_positive() {
        let (f, cfg) = frames("m=resource&n=5&steps=300");
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (600, 240)).into_drawing_area();
            let data = ChartData::new(&f, &[], cfg.steps);
            draw_loss(
                &root,
                &data,
                f.len(),
                &ChartOpts {
                    cursor: Some(100),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        assert!(out.contains("loss L (log)"));
        let loss_curve = polylines(&out, Theme::Light.colors().fg)
            .into_iter()
            .filter(|p| p.matches(',').count() > 100)
            .count();
        assert_eq!(loss_curve, 1, "one long polyline: the loss");
        assert_eq!(cursors_in(&out), 1);
        assert!(out.contains("\n1e-"), "log-scale tick labels: {out}");
    }

    #[test]
    fn compared_runs_share_the_loss_scale() {
        // the issue: A's loss chart was log-scaled and B's linear
        let (a, _) = frames("m=resource&n=5&steps=300");
        let (b, cfg) = frames("m=resource&n=5&n0=100&steps=300");
        let span = loss_span([a.as_slice(), b.as_slice()]);
        let draw = |f: &[Frame], span| {
            let mut out = String::new();
            {
                let root = SVGBackend::with_string(&mut out, (600, 240)).into_drawing_area();
                let data = ChartData {
                    loss_span: span,
                    ..ChartData::new(f, &[], cfg.steps)
                };
                draw_loss(&root, &data, f.len(), &ChartOpts::default()).unwrap();
            }
            out
        };
        assert!(!draw(&b, None).contains("(log)"), "B alone is linear");
        assert!(draw(&a, None).contains("(log)"), "A alone is log");
        let (sa, sb) = (draw(&a, span), draw(&b, span));
        assert!(
            sa.contains("(log)") && sb.contains("(log)"),
            "one scale for both"
        );
        let ticks = |s: &str| -> Vec<String> {
            s.split("</text>")
                .filter_map(|t| t.rsplit('>').next())
                .filter(|t| t.contains("e-") || t.contains("e0"))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(ticks(&sa), ticks(&sb), "and one range");
        assert_eq!(loss_span([&a[..0]]), None);
    }

    #[test]
    fn a_loss_within_a_decade_gets_a_linear_axis() {
        let (f, cfg) = frames("m=resource&n=5&n0=100&steps=100");
        let (lo, hi) = f.iter().fold((f64::MAX, 0.0f64), |(a, b), x| {
            (a.min(x.loss), b.max(x.loss))
        });
        assert!(hi / lo < 20.0, "{lo} … {hi}");
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (600, 240)).into_drawing_area();
            let data = ChartData::new(&f, &[], cfg.steps);
            draw_loss(&root, &data, f.len(), &ChartOpts::default()).unwrap();
        }
        assert!(out.contains("loss L") && !out.contains("(log)"));
        let labels = out.matches("</text>").count();
        assert!(labels >= 8, "several y tick labels: {labels}");
    }

    #[test]
    fn scale_enlarges_text_and_strokes() {
        let (f, cfg) = frames("m=resource&n=3&steps=50");
        let draw = |scale: f64| {
            let mut out = String::new();
            {
                let size = ((800.0 * scale) as u32, (360.0 * scale) as u32);
                let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
                let data = ChartData::new(&f, &[], cfg.steps);
                let opts = ChartOpts {
                    scale,
                    theme: Theme::Dark,
                    cursor: None,
                };
                draw_skills(&root, &data, f.len(), &opts).unwrap();
            }
            out
        };
        let (one, two) = (draw(1.0), draw(2.0));
        let max = |v: Vec<f64>| v.into_iter().fold(0.0, f64::max);
        let (a, b) = (max(font_sizes(&one)), max(font_sizes(&two)));
        assert!((b / a - 2.0).abs() < 1e-9, "fonts {a} -> {b}");
        assert!(one.contains("stroke-width=\"2\"") && two.contains("stroke-width=\"4\""));
        assert!(two.contains("#1A1D23"), "dark background");
    }

    #[test]
    fn a_ce_skill_starts_when_it_rises_above_one_half() {
        let cfg = parse("m=geometry&n=3&dim=100&loss=ce&lr=0.01&steps=200").config;
        let traj = run(cfg.spec().unwrap(), cfg.steps, 1, false).unwrap();
        assert_eq!(traj.frames[0].levels, vec![0.5; 3]);
        let m = Milestones::of(&traj.frames, 3, cfg.thr);
        let s0 = m.start[0].expect("skill 1 starts");
        assert!(s0 > 0, "not at step 0");
        assert!(traj.frames[s0].levels[0] > 0.6 && traj.frames[s0 - 1].levels[0] <= 0.6);
    }

    #[test]
    fn milestones_grow_incrementally() {
        let (f, cfg) = frames("m=resource&n=5&steps=300");
        let whole = Milestones::of(&f, 5, cfg.thr);
        let mut m = Milestones::new(5, cfg.thr);
        for end in [1, 50, 51, 200, f.len()] {
            m.update(&f[..end]);
        }
        assert_eq!(m, whole);
        for i in 0..5 {
            if let (Some(s), Some(e)) = (whole.start[i], whole.finish[i]) {
                assert!(s <= e);
            }
        }
    }

    fn svg_of(q: Quantity, data: &ChartData, w: u32) -> (String, PlotArea) {
        let mut out = String::new();
        let area;
        {
            let root = SVGBackend::with_string(&mut out, (w, 360)).into_drawing_area();
            area =
                draw_per_skill(&root, data, data.frames.len(), &ChartOpts::default(), q).unwrap();
        }
        (out, area)
    }

    #[test]
    fn overlays_are_dashed_in_the_skill_colour_with_a_legend_entry() {
        let (f, cfg) = frames("m=resource&n=3&steps=200");
        let freqs = cfg.freqs();
        // A ramp per skill, as the Domino prediction draws.
        let ramps: Vec<Vec<(f64, f64)>> = (0..3)
            .map(|i| vec![(50.0 * i as f64, 0.0), (50.0 * (i + 1) as f64, 1.0)])
            .collect();
        let overlays = [Overlay {
            label: "Domino t0=50",
            curves: &ramps,
        }];
        let data = ChartData {
            overlays: &overlays,
            ..ChartData::new(&f, &freqs, cfg.steps)
        };
        let (svg, _) = svg_of(Quantity::Level, &data, 800);
        assert!(svg.contains("Domino t0=50"), "legend entry");
        for i in 0..3 {
            let lines = polylines(&svg, skill_color(i, 3));
            // The solid curve plus several dashes (two points each).
            let dashes = lines.iter().filter(|p| p.split_whitespace().count() == 2);
            assert!(dashes.count() >= 5, "skill {i}: {} polylines", lines.len());
        }
        let (plain, _) = svg_of(Quantity::Level, &ChartData::new(&f, &freqs, cfg.steps), 800);
        assert_eq!(curves_in(&plain, 3), 3, "no overlay, no dashes");
    }

    #[test]
    fn many_overlay_curves_are_capped() {
        let (f, cfg) = frames("m=domino&n=100&steps=50");
        let ramps: Vec<Vec<(f64, f64)>> = (0..100).map(|_| vec![(0.0, 0.0), (50.0, 1.0)]).collect();
        let overlays = [Overlay {
            label: "x",
            curves: &ramps,
        }];
        let data = ChartData {
            overlays: &overlays,
            ..ChartData::new(&f, &[], cfg.steps)
        };
        let (svg, _) = svg_of(Quantity::Level, &data, 800);
        let dashed = (0..100)
            .filter(|&i| polylines(&svg, skill_color(i, 100)).len() > 1)
            .count();
        assert!((MAX_DASHED - 2..=MAX_DASHED).contains(&dashed), "{dashed}");
    }

    #[test]
    fn aligned_dimensions_chart() {
        let cfg = parse("m=geometry&n=4&dim=200&steps=60&batch=64").config;
        let traj = run(cfg.spec().unwrap(), cfg.steps, 1, true).unwrap();
        let freqs = cfg.freqs();
        let (svg, _) = svg_of(
            Quantity::Align,
            &ChartData::new(&traj.frames, &freqs, 60),
            800,
        );
        assert!(svg.contains("aligned dims n_align,i"));
        assert_eq!(curves_in(&svg, 4), 4);
        // Integer tick labels up to about N = 200.
        let ticks: Vec<f64> = svg
            .split("</text>")
            .filter_map(|t| t.rsplit('>').next()?.trim().parse::<f64>().ok())
            .collect();
        assert!(ticks.iter().any(|&t| t >= 100.0), "{ticks:?}");
        // Frames without alignment data draw axes only.
        let (f, _) = frames("m=geometry&n=4&dim=200&steps=60");
        let (svg, _) = svg_of(Quantity::Align, &ChartData::new(&f, &freqs, 60), 800);
        assert_eq!(curves_in(&svg, 4), 0);
    }

    #[test]
    fn collapse_chart_overlaps_for_the_resource_model() {
        // docs/models.md §4.3.2: u_i^{1/p_i} is one curve for every skill (before clipping).
        let (f, cfg) = frames("m=resource&n=3&alpha=1&steps=100&n0=0.003");
        let freqs = cfg.freqs();
        let (svg, _) = svg_of(Quantity::Collapse, &ChartData::new(&f, &freqs, 100), 600);
        assert!(svg.contains("collapse u_i^(1/p_i)"));
        let curves: Vec<Vec<&str>> = (0..3)
            .map(|i| {
                polylines(&svg, skill_color(i, 3))[0]
                    .split_whitespace()
                    .collect()
            })
            .collect();
        // Same pixels up to a pixel of rounding.
        for (a, b) in curves[0].iter().zip(&curves[2]) {
            let y = |s: &str| s.split(',').nth(1).unwrap().parse::<i32>().unwrap();
            assert!((y(a) - y(b)).abs() <= 1, "{a} vs {b}");
        }
        let p = normalise(freqs.clone());
        let v = Quantity::Collapse.value(&f[50], 1, &p).unwrap();
        assert!((v - metrics::collapse(f[50].levels[1], p[1])).abs() < 1e-15);
        assert_eq!(Quantity::Collapse.value(&f[50], 1, &[]), None);
    }

    #[test]
    fn plot_area_maps_pixels_to_steps() {
        let (f, cfg) = frames("m=resource&n=3&steps=200");
        let (_, area) = svg_of(Quantity::Level, &ChartData::new(&f, &[], cfg.steps), 800);
        assert!(
            area.left > 30 && area.right > 700 && area.right <= 800,
            "{area:?}"
        );
        assert_eq!(area.step_at(area.left as f64), 0.0);
        assert_eq!(area.step_at(area.right as f64), 200.0);
        assert_eq!(area.step_at(-5.0), 0.0);
        let mid = area.step_at((area.left + area.right) as f64 / 2.0);
        assert!((mid - 100.0).abs() < 1e-9);
    }

    #[test]
    fn strip_has_one_band_per_skill() {
        let levels: Vec<f64> = (0..50).map(|i| i as f64 / 49.0).collect();
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (500, 24)).into_drawing_area();
            draw_strip(&root, &levels, &ChartOpts::default()).unwrap();
        }
        assert_eq!(
            count(&out, "<rect"),
            50 + 1,
            "background + one band per skill"
        );
        assert_eq!(heat_color(-1.0), heat_color(0.0));
        assert_eq!(heat_color(2.0), RGBColor(253, 231, 37));
    }

    #[test]
    fn colours_and_numbers() {
        assert_eq!(sig2(0.645), "0.65");
        assert_eq!(sig2(0.0066), "0.0066");
        assert_eq!(sig2(0.0717), "0.072");
        assert_ne!(skill_color(0, 10), skill_color(1, 10));
        assert_ne!(skill_color(0, 50), skill_color(49, 50));
        assert_eq!(css_color(RGBColor(1, 2, 3)), "rgb(1,2,3)");
        assert_eq!(curves(1000).len(), MAX_CURVES);
        assert_eq!(*curves(1000).last().unwrap(), 999);
    }
}
