//! Charts of a run, generic over plotters' [`DrawingBackend`]: the page draws them on a
//! `<canvas>` (plotters-canvas), native tests draw them to an SVG string and read the text.
//!
//! Nothing here knows about the web. The caller says how many device pixels make one CSS
//! pixel ([`ChartOpts::scale`]): plotters-canvas draws in backing-store pixels and does not
//! scale for `devicePixelRatio` itself (plotters issue #164), so fonts, strokes and margins
//! are multiplied here instead.

use crate::sim::Frame;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Up to this many skills get a legend (more would cover the chart).
pub const LEGEND_MAX: usize = 12;
/// At most this many curves are drawn; with more skills an evenly spaced subset is shown.
pub const MAX_CURVES: usize = 200;

/// Colours of the first skills: distinct, and readable on both the light and the dark
/// background (no pale yellow, no near-black).
const PALETTE: [(u8, u8, u8); 12] = [
    (0x4c, 0x8f, 0xd6), // blue
    (0xf2, 0x8e, 0x2b), // orange
    (0x3f, 0xb2, 0x7f), // green
    (0xe1, 0x57, 0x59), // red
    (0xa7, 0x7f, 0xd1), // purple
    (0xc7, 0xa1, 0x2a), // mustard
    (0x17, 0xbe, 0xcf), // cyan
    (0xe3, 0x77, 0xc2), // pink
    (0xb8, 0x86, 0x5f), // brown
    (0x8c, 0x9a, 0xa8), // slate
    (0x7f, 0xbf, 0x3f), // lime
    (0xd6, 0x60, 0x4d), // brick
];

/// The colour of skill `i` (0-based) out of `n`: the palette for up to 12 skills, else a hue
/// sweep from blue (skill 1, the most frequent) to red (the rarest), so order stays visible.
pub fn skill_color(i: usize, n: usize) -> RGBColor {
    if n <= PALETTE.len() {
        let (r, g, b) = PALETTE[i % PALETTE.len()];
        return RGBColor(r, g, b);
    }
    let t = i as f64 / (n.max(2) - 1) as f64;
    let (r, g, b) = hsl_to_rgb(215.0 - 215.0 * t, 0.65, 0.55);
    RGBColor(r, g, b)
}

/// `rgb(r,g,b)` for CSS.
pub fn css_color(c: RGBColor) -> String {
    format!("rgb({},{},{})", c.0, c.1, c.2)
}

fn hsl_to_rgb(h: f64, s: f64, l: f64) -> (u8, u8, u8) {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    (to(r), to(g), to(b))
}

/// A number with two significant digits, for frequency labels: 0.65, 0.072, 0.0066.
pub fn sig2(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (1 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{x:.digits$}")
}

/// Light or dark chart colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

struct Colors {
    bg: RGBColor,
    fg: RGBColor,
    grid: RGBColor,
    cursor: RGBColor,
}

impl Theme {
    fn colors(self) -> Colors {
        match self {
            Theme::Light => Colors {
                bg: RGBColor(0xff, 0xff, 0xff),
                fg: RGBColor(0x22, 0x25, 0x2b),
                grid: RGBColor(0xe3, 0xe6, 0xea),
                cursor: RGBColor(0x55, 0x5b, 0x66),
            },
            Theme::Dark => Colors {
                bg: RGBColor(0x1a, 0x1d, 0x23),
                fg: RGBColor(0xe4, 0xe7, 0xec),
                grid: RGBColor(0x31, 0x36, 0x3f),
                cursor: RGBColor(0xb0, 0xb6, 0xc0),
            },
        }
    }
}

/// How to draw (not what).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartOpts {
    /// Device pixels per CSS pixel (`devicePixelRatio`); fonts, strokes and margins scale with it.
    pub scale: f64,
    pub theme: Theme,
    /// The vertical cursor's step; `None` = the last drawn frame's step.
    pub cursor: Option<u32>,
}

impl Default for ChartOpts {
    fn default() -> Self {
        ChartOpts {
            scale: 1.0,
            theme: Theme::Light,
            cursor: None,
        }
    }
}

/// First frames at which each skill starts (s_i > [`Milestones::start_level`]) and finishes
/// (s_i > `thr`). Kept up to date incrementally as a trajectory grows, so neither the chart
/// markers nor the page's text summary rescan the whole run.
#[derive(Clone, Debug, PartialEq)]
pub struct Milestones {
    pub thr: f64,
    /// Frame index where s_i first exceeds the start level.
    pub start: Vec<Option<usize>>,
    /// Frame index where s_i first exceeds `thr`.
    pub finish: Vec<Option<usize>>,
    scanned: usize,
}

impl Milestones {
    pub fn new(n: usize, thr: f64) -> Self {
        Milestones {
            thr,
            start: vec![None; n],
            finish: vec![None; n],
            scanned: 0,
        }
    }

    /// "Started" means s_i > 0.1 (or thr/2 when the threshold is that low).
    pub fn start_level(&self) -> f64 {
        0.1f64.min(self.thr / 2.0)
    }

    /// Scan the frames not seen yet. `frames` must be the same, grown trajectory each time.
    pub fn update(&mut self, frames: &[Frame]) {
        let lo = self.start_level();
        for (k, f) in frames.iter().enumerate().skip(self.scanned) {
            for (i, &s) in f.levels.iter().enumerate().take(self.start.len()) {
                if self.start[i].is_none() && s > lo {
                    self.start[i] = Some(k);
                }
                if self.finish[i].is_none() && s > self.thr {
                    self.finish[i] = Some(k);
                }
            }
        }
        self.scanned = self.scanned.max(frames.len());
    }

    /// Computed from scratch.
    pub fn of(frames: &[Frame], n: usize, thr: f64) -> Self {
        let mut m = Milestones::new(n, thr);
        m.update(frames);
        m
    }
}

/// What to draw: a trajectory (possibly still growing) and the run it belongs to.
#[derive(Clone, Copy, Debug)]
pub struct ChartData<'a> {
    pub frames: &'a [Frame],
    /// Skill frequencies for the legend (may be empty: labels then have no frequency).
    pub freqs: &'a [f64],
    /// The run's total number of steps: the x axis always spans 0..=steps, so curves grow
    /// left to right.
    pub steps: u32,
    /// Finish markers (first frame above the threshold); `None` = no markers.
    pub milestones: Option<&'a Milestones>,
}

type Res = Result<(), String>;

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

/// Frame indices to draw for the first `upto` frames: all of them, or about `max_points`
/// evenly spaced ones (always including the last), so a long run costs what the chart's
/// width can show.
fn sample(upto: usize, max_points: usize) -> Vec<usize> {
    if upto == 0 {
        return vec![];
    }
    let stride = upto.div_ceil(max_points.max(2));
    let mut idx: Vec<usize> = (0..upto).step_by(stride.max(1)).collect();
    if *idx.last().unwrap() != upto - 1 {
        idx.push(upto - 1);
    }
    idx
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

/// Per-skill curves s_i(t) of the first `upto` frames, with a legend (≤ [`LEGEND_MAX`]
/// skills), a marker where each skill first exceeds the threshold, and a vertical cursor.
/// Axis labels: "step" and "skill level s_i".
pub fn draw_skills<DB: DrawingBackend>(
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
    let n = frames
        .first()
        .map(|f| f.levels.len())
        .unwrap_or(data.freqs.len());

    let (w, _) = root.dim_in_pixel();
    let legend_w = legend_width(n, !data.freqs.is_empty(), w, k);
    let legend = legend_w > 0;
    let (plot_area, legend_area) = root.split_horizontally(w.saturating_sub(legend_w));

    // Fewer points per curve when there are many curves: total work stays ~ one chart width.
    let show = curves(n);
    let per_curve = if show.len() > 40 {
        w as usize / 2
    } else {
        2 * w as usize
    };
    let idx = sample(upto, per_curve.max(16));

    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for &t in &idx {
        for &i in &show {
            let s = frames[t].levels[i];
            if s.is_finite() {
                lo = lo.min(s);
                hi = hi.max(s);
            }
        }
    }
    // Levels live in about [0, 1]; an overshooting or diverging run widens the axis to at
    // most [-1, 2] and anything further is pinned to the edge, so the labels stay readable.
    let (lo, hi) = (lo.max(-1.0), hi.min(2.0));
    let pad = 0.04 * (hi - lo);
    let x_max = data.steps.max(1) as f64;

    let font = ("sans-serif", 13.0 * k).into_font().color(&c.fg);
    let desc_font = ("sans-serif", 14.0 * k).into_font().color(&c.fg);
    let mut chart = ChartBuilder::on(&plot_area)
        .margin(px(10.0))
        .margin_right(px(if legend { 10.0 } else { RIGHT }))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(Y_LABELS))
        .build_cartesian_2d(0.0..x_max, (lo - pad)..(hi + pad))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("skill level s_i")
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|x| format!("{}", x.round() as i64))
        .y_label_formatter(&|y| format!("{y:.1}"))
        .label_style(font.clone())
        .axis_desc_style(desc_font)
        .axis_style(c.fg.stroke_width(px(1.0)))
        .bold_line_style(c.grid.stroke_width(px(1.0)))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;

    let stroke = px(if show.len() > 40 { 1.0 } else { 2.0 });
    for &i in &show {
        let color = skill_color(i, n);
        chart
            .draw_series(LineSeries::new(
                idx.iter()
                    .map(|&t| (frames[t].step as f64, frames[t].levels[i])),
                color.stroke_width(stroke),
            ))
            .map_err(err)?;
    }

    if let Some(m) = data.milestones {
        let r = px(4.0) as i32;
        let marks: Vec<(f64, f64, RGBColor)> = show
            .iter()
            .filter_map(|&i| {
                let t = (*m.finish.get(i)?)?;
                (t < upto).then(|| {
                    (
                        frames[t].step as f64,
                        frames[t].levels[i],
                        skill_color(i, n),
                    )
                })
            })
            .collect();
        chart
            .draw_series(marks.into_iter().map(|(x, y, col)| {
                EmptyElement::at((x, y))
                    + Circle::new((0, 0), r, ShapeStyle::from(&col).filled())
                    + Circle::new((0, 0), r, c.bg.stroke_width(px(1.0)))
            }))
            .map_err(err)?;
    }

    let cursor = opts.cursor.or_else(|| frames.last().map(|f| f.step));
    if let Some(x) = cursor {
        let x = x as f64;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, lo - pad), (x, hi + pad)],
                c.cursor.stroke_width(px(1.0)),
            )))
            .map_err(err)?;
    }

    if legend {
        let row = 18.0 * k;
        let top = 14.0 * k;
        let lfont = ("sans-serif", 12.0 * k).into_font().color(&c.fg);
        for i in 0..n {
            let y = (top + row * i as f64) as i32;
            let color = skill_color(i, n);
            legend_area
                .draw(&Rectangle::new(
                    [
                        (0, y + px(5.0) as i32),
                        (px(14.0) as i32, y + px(9.0) as i32),
                    ],
                    color.filled(),
                ))
                .map_err(err)?;
            let label = match data.freqs.get(i) {
                Some(p) => format!("s{}  p={}", i + 1, sig2(*p)),
                None => format!("s{}", i + 1),
            };
            legend_area
                .draw(&Text::new(label, (px(19.0) as i32, y), lfont.clone()))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
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
    let n = frames
        .first()
        .map(|f| f.levels.len())
        .unwrap_or(data.freqs.len());
    let legend_w = legend_width(n, !data.freqs.is_empty(), w, k);
    let (root, _) = root.split_horizontally(w.saturating_sub(legend_w));
    let root = &root;
    let idx = sample(upto, 2 * w as usize);
    let pts: Vec<(f64, f64)> = idx
        .iter()
        .map(|&t| (frames[t].step as f64, frames[t].loss))
        .filter(|p| p.1.is_finite())
        .collect();
    let x_max = data.steps.max(1) as f64;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(_, l) in &pts {
        lo = lo.min(l);
        hi = hi.max(l);
    }
    if pts.is_empty() {
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
    let cursor = opts
        .cursor
        .or_else(|| frames.last().map(|f| f.step))
        .map(|x| x as f64);

    if lo > 0.0 {
        // Log scale, at most 12 decades below the top so a vanishing loss stays readable.
        let lo = lo.max(hi * 1e-12);
        let (lo, hi) = if hi / lo < 1.5 {
            (lo / 1.25, hi * 1.25)
        } else {
            (lo / 1.1, hi * 1.1)
        };
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
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|&(x, y)| (x, y.max(lo))),
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
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), line))
            .map_err(err)?;
        if let Some(x) = cursor {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, lo), (x, hi)],
                    c.cursor.stroke_width(px(1.0)),
                )))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)?;
    Ok(())
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
) -> Res {
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
    //! labels, one circle pair per finished skill.
    use super::*;
    use crate::params::parse;
    use crate::sim::run;
    use plotters::backend::SVGBackend;

    fn frames(query: &str) -> (Vec<Frame>, crate::params::Config) {
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
                frames,
                freqs,
                steps,
                milestones: m,
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
        // Two circles (fill + ring) per finished skill.
        let finished = m.finish.iter().filter(|x| x.is_some()).count();
        assert!(finished > 0, "some skill should finish in 300 steps: {m:?}");
        assert_eq!(count(&svg, "<circle"), 2 * finished);
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
    fn loss_chart_is_log_scaled_when_positive() {
        let (f, cfg) = frames("m=resource&n=5&steps=300");
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (600, 240)).into_drawing_area();
            let data = ChartData {
                frames: &f,
                freqs: &[],
                steps: cfg.steps,
                milestones: None,
            };
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
    fn scale_enlarges_text_and_strokes() {
        let (f, cfg) = frames("m=resource&n=3&steps=50");
        let draw = |scale: f64| {
            let mut out = String::new();
            {
                let size = ((800.0 * scale) as u32, (360.0 * scale) as u32);
                let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
                let data = ChartData {
                    frames: &f,
                    freqs: &[],
                    steps: cfg.steps,
                    milestones: None,
                };
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
