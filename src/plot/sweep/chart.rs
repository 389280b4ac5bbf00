//! A sweep's chart: what to draw ([`Plot`]: series, dashed references, log axes) and drawing
//! it with plotters on any backend (canvas in the page, SVG in tests), with where each point
//! landed for the page's hover readout. Which plot a sweep's table gives is [`super`]'s.

use crate::plot::{skill_color, ChartOpts, Colors};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// One curve (or cloud) of a plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// A reference line: dashed, in a muted colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

impl Reference {
    /// A guide drawn over the data without setting the axes (clipped to them): formulas and
    /// proportionality guides that can run far off the measured range.
    pub(super) fn is_guide(&self) -> bool {
        self.label.starts_with("Resource")
            || self.label.starts_with("SGD")
            || self.label.starts_with("guide")
    }
}

/// What to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    /// Dots only (no lines).
    pub scatter: bool,
    pub series: Vec<Series>,
    pub references: Vec<Reference>,
    /// Rows the plot could not use (no value), for the caption.
    pub skipped: usize,
    /// Series left out past [`super::MAX_SERIES`].
    pub hidden: usize,
}

/// The (min, max) of some values (infinities for none).
pub(super) fn span(v: impl Iterator<Item = f64>) -> (f64, f64) {
    v.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    })
}

/// Tick values of a log axis over [lo, hi]: 1, 2, 5 × 10^k (finer for a short range, decades
/// for a long one), 3 to 10 of them where possible.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && hi.is_finite()) {
        return vec![];
    }
    let pick = |ms: &[f64]| -> Vec<f64> {
        let (k0, k1) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
        let mut v = vec![];
        for k in k0..=k1 {
            for &m in ms {
                let x = m * 10f64.powi(k);
                if x >= lo && x <= hi {
                    v.push(x);
                }
            }
        }
        v
    };
    for ms in [
        &[1.0][..],
        &[1.0, 2.0, 5.0][..],
        &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0][..],
        &[1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0][..],
    ] {
        let v = pick(ms);
        if v.len() >= 3 {
            return if v.len() > 10 && ms.len() > 1 {
                pick(&ms[..1])
            } else {
                v
            };
        }
    }
    pick(&[1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
}

/// The corner of the plot with the fewest points (for the legend), in plotters' terms.
fn emptiest_corner(plot: &Plot, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> SeriesLabelPosition {
    let norm = |v: f64, a: f64, b: f64, log: bool| {
        if log {
            (v.ln() - a.ln()) / (b.ln() - a.ln())
        } else {
            (v - a) / (b - a)
        }
    };
    let mut count = [0usize; 4]; // UL, UR, LL, LR
    let pts = plot
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .chain(plot.references.iter().flat_map(|r| r.points.iter()));
    for &(x, y) in pts {
        let (u, v) = (norm(x, x0, x1, plot.log_x), norm(y, y0, y1, plot.log_y));
        if !(u.is_finite() && v.is_finite()) {
            continue;
        }
        let left = u < 0.5;
        let up = v > 0.55;
        let low = v < 0.45;
        if left && up {
            count[0] += 1;
        }
        if !left && up {
            count[1] += 1;
        }
        if left && low {
            count[2] += 1;
        }
        if !left && low {
            count[3] += 1;
        }
    }
    // ties go to the upper right, then upper left
    let order = [1, 0, 3, 2];
    let best = order.iter().copied().min_by_key(|&i| count[i]).unwrap_or(1);
    match best {
        0 => SeriesLabelPosition::UpperLeft,
        1 => SeriesLabelPosition::UpperRight,
        2 => SeriesLabelPosition::LowerLeft,
        _ => SeriesLabelPosition::LowerRight,
    }
}

/// Colours of the dashed reference lines: muted, apart from the series' palette, readable on
/// both backgrounds.
const REFERENCE: [RGBColor; 4] = [
    RGBColor(0x80, 0x80, 0x80),
    RGBColor(0xa0, 0x6a, 0x3a),
    RGBColor(0x5e, 0x8c, 0x6a),
    RGBColor(0x8a, 0x6a, 0xa8),
];

/// A drawn point, for the page's hover readout: where it landed (backend pixels) and what it is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub px: (i32, i32),
    pub series: usize,
    pub x: f64,
    pub y: f64,
}

/// The point nearest to `at` (backend pixels) within `radius` pixels.
pub fn nearest(hits: &[Hit], at: (f64, f64), radius: f64) -> Option<Hit> {
    hits.iter()
        .map(|h| {
            let (dx, dy) = (h.px.0 as f64 - at.0, h.px.1 as f64 - at.1);
            (dx * dx + dy * dy, *h)
        })
        .filter(|(d, _)| *d <= radius * radius)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h)
}

/// A readout line for a point: "alpha=1.2: dim = 40, final loss = 0.35".
pub fn describe(plot: &Plot, h: &Hit) -> String {
    let fmt = |v: f64| {
        if v.fract() == 0.0 && v.abs() < 1e9 {
            format!("{}", v as i64)
        } else {
            format!("{}", crate::lab::round_sig(v, 4))
        }
    };
    let label = plot
        .series
        .get(h.series)
        .map(|s| s.label.as_str())
        .unwrap_or("");
    format!(
        "{label}: {} = {}, {} = {}",
        plot.x_label,
        fmt(h.x),
        plot.y_label,
        fmt(h.y)
    )
}

/// Draw a plot, with a legend when there are at most 14 series and references. Returns where
/// each point landed (for a hover readout).
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &Plot,
    opts: &ChartOpts,
) -> Result<Vec<Hit>, String> {
    let k = opts.scale.max(0.25);
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let c = opts.theme.colors();
    root.fill(&c.bg).map_err(err)?;
    if plot.series.iter().all(|s| s.points.is_empty()) {
        return placeholder(root, k, &c);
    }
    let ((x0, x1), (y0, y1)) = data_range(plot);
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(px(10.0))
        .margin_right(px(24.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(64.0));
    let style = Style {
        plot,
        k,
        c: &c,
        x: (x0, x1),
        y: (y0, y1),
    };
    // plotters labels a log axis at its decades only: less than a decade would get one label
    let lx = || (x0..x1).log_scale().with_key_points(log_ticks(x0, x1));
    let ly = || (y0..y1).log_scale().with_key_points(log_ticks(y0, y1));
    let hits = match (plot.log_x, plot.log_y) {
        (false, false) => style.body(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?),
        (true, false) => style.body(builder.build_cartesian_2d(lx(), y0..y1).map_err(err)?),
        (false, true) => style.body(builder.build_cartesian_2d(x0..x1, ly()).map_err(err)?),
        (true, true) => style.body(builder.build_cartesian_2d(lx(), ly()).map_err(err)?),
    }?;
    if plot.hidden > 0 {
        // say what was left out, in the top margin
        let note = format!(
            "the first {} series are drawn; {} more are not",
            plot.series.len(),
            plot.hidden
        );
        let font = ("sans-serif", 12.0 * k).into_font().color(&c.fg);
        root.draw(&Text::new(note, (px(70.0) as i32, px(1.0) as i32), font))
            .map_err(err)?;
    }
    root.present().map_err(err)?;
    Ok(hits)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// An empty plot: a line saying results will appear.
fn placeholder<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: f64,
    c: &Colors,
) -> Result<Vec<Hit>, String> {
    let style = ("sans-serif", 14.0 * k).into_font().color(&c.fg).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(
        "Results appear here as runs finish.".to_string(),
        (w as i32 / 2, h as i32 / 2),
        style,
    ))
    .map_err(err)?;
    root.present().map_err(err)?;
    Ok(vec![])
}

/// The axes' ranges: every drawable point of the series and of the references that are not
/// guides (a little padding; a log axis by a factor).
fn data_range(plot: &Plot) -> ((f64, f64), (f64, f64)) {
    let all: Vec<(f64, f64)> = plot
        .series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .chain(
            plot.references
                .iter()
                .filter(|r| plot.series.is_empty() || !r.is_guide())
                .flat_map(|r| r.points.iter().copied()),
        )
        .filter(|p| {
            p.0.is_finite()
                && p.1.is_finite()
                && (!plot.log_x || p.0 > 0.0)
                && (!plot.log_y || p.1 > 0.0)
        })
        .collect();
    let range = |v: &mut dyn Iterator<Item = f64>, log: bool| axis_range(span(v), log);
    (
        range(&mut all.iter().map(|p| p.0), plot.log_x),
        range(&mut all.iter().map(|p| p.1), plot.log_y),
    )
}

/// The largest magnitude an axis reaches: its width (twice this) and every tick step stay
/// finite, so plotters' tick loops end (a span of ±1e308 overflowed to infinity and hung the
/// page).
pub const AXIS_LIMIT: f64 = 1e300;

/// An axis' range from the (min, max) of its values: a little padding (a log axis by a
/// factor), never wider than ±[`AXIS_LIMIT`] (a log axis within [1/AXIS_LIMIT, AXIS_LIMIT]),
/// never empty; (1, 10) for no values.
pub fn axis_range((lo, hi): (f64, f64), log: bool) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return (1.0, 10.0);
    }
    if log {
        let (a, b) = (1.0 / AXIS_LIMIT, AXIS_LIMIT);
        let (lo, hi) = ((lo / 1.15).clamp(a, b), (hi * 1.15).clamp(a, b));
        if hi > lo * (1.0 + 1e-9) {
            (lo, hi)
        } else {
            (lo / 2.0, lo * 2.0)
        }
    } else {
        let (lo, hi) = (
            lo.clamp(-AXIS_LIMIT, AXIS_LIMIT),
            hi.clamp(-AXIS_LIMIT, AXIS_LIMIT),
        );
        let pad = 0.05 * (hi - lo).max(1e-9 * hi.abs().max(lo.abs()).max(1.0));
        (lo - pad, hi + pad)
    }
}

/// What a chart body needs besides its coordinates.
struct Style<'a> {
    plot: &'a Plot,
    /// Device pixels per CSS pixel.
    k: f64,
    c: &'a Colors,
    x: (f64, f64),
    y: (f64, f64),
}

impl Style<'_> {
    fn px(&self, v: f64) -> u32 {
        (v * self.k).round().max(1.0) as u32
    }

    /// The mesh, the references (dashed, clipped to the axes), the series (lines and dots, or
    /// dots only) and the legend, on linear or log axes alike.
    // Inlined into `draw`'s four arms, as the macro it replaced was: a standalone copy per
    // (backend, x axis, y axis) made the page's wasm 45 KB larger (BENCHMARKS.md).
    #[inline(always)]
    fn body<'c, DB, X, Y>(
        &self,
        mut chart: ChartContext<'c, DB, Cartesian2d<X, Y>>,
    ) -> Result<Vec<Hit>, String>
    where
        DB: DrawingBackend + 'c,
        X: Ranged<ValueType = f64> + ValueFormatter<f64>,
        Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
    {
        let (plot, k, c) = (self.plot, self.k, self.c);
        let ((x0, x1), (y0, y1)) = (self.x, self.y);
        let font = ("sans-serif", 13.0 * k).into_font().color(&c.fg);
        let desc_font = ("sans-serif", 14.0 * k).into_font().color(&c.fg);
        let fmt = |v: &f64| {
            let a = v.abs();
            if a != 0.0 && !(1e-3..1e5).contains(&a) {
                format!("{v:.0e}")
            } else {
                let s = format!("{v:.3}");
                let s = s.trim_end_matches('0').trim_end_matches('.');
                s.to_string()
            }
        };
        chart
            .configure_mesh()
            .x_desc(plot.x_label.as_str())
            .y_desc(plot.y_label.as_str())
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&fmt)
            .y_label_formatter(&fmt)
            .label_style(font.clone())
            .axis_desc_style(desc_font)
            .axis_style(c.fg.stroke_width(self.px(1.0)))
            .bold_line_style(c.grid.stroke_width(self.px(1.0)))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(err)?;
        let ok = |p: &&(f64, f64)| {
            p.0.is_finite()
                && p.1.is_finite()
                && (p.0 > 0.0 || !plot.log_x)
                && (p.1 > 0.0 || !plot.log_y)
        };
        // a point past ±AXIS_LIMIT sits on the edge (plotters' pixel arithmetic overflows
        // for a point far outside the axes)
        let inside = |&(x, y): &(f64, f64)| (x.clamp(x0, x1), y.clamp(y0, y1));
        for (i, r) in plot.references.iter().enumerate() {
            let pts: Vec<(f64, f64)> = r
                .points
                .iter()
                .filter(ok)
                .map(|&(x, y)| (x.clamp(x0, x1), y.clamp(y0, y1)))
                .collect();
            let style = ShapeStyle::from(&REFERENCE[i % REFERENCE.len()].mix(0.9))
                .stroke_width(self.px(1.5));
            let dash = ([6.0, 3.0, 2.0, 8.0][i % 4] * k).round().max(1.0) as u32;
            let gap = (3.0 * k).round().max(1.0) as u32;
            chart
                .draw_series(DashedLineSeries::new(pts, dash, gap, style))
                .map_err(err)?
                .label(r.label.as_str())
                // the swatch is dashed as the line is (plotters' own dashing, same lengths)
                .legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 16, y)], dash, gap, style)
                });
        }
        let n = plot.series.len();
        let line_w = self.px(2.0);
        let mut hits: Vec<Hit> = vec![];
        for (i, s) in plot.series.iter().enumerate() {
            let color = skill_color(i, n);
            let pts: Vec<(f64, f64)> = s.points.iter().filter(ok).map(inside).collect();
            let dot = (3.0 * k).round().max(2.0) as i32;
            let series = if plot.scatter {
                chart
                    .draw_series(
                        pts.iter()
                            .map(|&p| Circle::new(p, dot, color.mix(0.75).filled())),
                    )
                    .map_err(err)?
            } else {
                chart
                    .draw_series(LineSeries::new(
                        pts.iter().copied(),
                        color.stroke_width(line_w),
                    ))
                    .map_err(err)?;
                chart
                    .draw_series(pts.iter().map(|&p| Circle::new(p, dot, color.filled())))
                    .map_err(err)?
            };
            series.label(s.label.as_str()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(line_w))
            });
            hits.extend(pts.iter().map(|&(x, y)| Hit {
                px: chart.backend_coord(&(x, y)),
                series: i,
                x,
                y,
            }));
        }
        if n + plot.references.len() <= 14 {
            chart
                .configure_series_labels()
                .position(emptiest_corner(plot, (x0, x1), (y0, y1)))
                .background_style(c.bg.mix(0.85))
                .border_style(c.grid)
                .label_font(font)
                .draw()
                .map_err(err)?;
        }
        Ok(hits)
    }
}

/// The plot as an SVG document (tests, and the page's SVG export).
pub fn svg(plot: &Plot, (w, h): (u32, u32), opts: &ChartOpts) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        draw(&root, plot, opts)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axes_get_readable_ticks() {
        assert_eq!(log_ticks(80.0, 200.0), vec![100.0, 150.0, 200.0]);
        assert_eq!(
            log_ticks(20.0, 1000.0),
            vec![20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        );
        assert_eq!(log_ticks(1e-3, 1.0), vec![1e-3, 1e-2, 1e-1, 1.0]);
        assert!(log_ticks(0.0, 1.0).is_empty() && log_ticks(2.0, 1.0).is_empty());
        let t = log_ticks(0.031, 0.45);
        assert!(t.len() >= 3 && t.len() <= 10, "{t:?}");
    }

    #[test]
    fn huge_and_tiny_spans_give_finite_axes() {
        for (lo, hi) in [
            (-1e308, 1e308),
            (-f64::MAX, f64::MAX),
            (1e308, 1e308),
            (0.0, 5e-324),
            (-5e-324, 0.0),
            (3.0, 3.0),
        ] {
            for log in [false, true] {
                let (a, b) = axis_range((lo, hi), log);
                assert!(
                    a.is_finite() && b.is_finite() && b > a,
                    "{lo}..{hi}: {a}..{b}"
                );
                assert!((b - a).is_finite(), "{lo}..{hi}: width");
            }
        }
        assert_eq!(
            axis_range((f64::INFINITY, f64::NEG_INFINITY), false),
            (1.0, 10.0)
        );
    }

    /// Horizontal two-point polylines of `stroke` no longer than `max_len`: legend swatch
    /// dashes (a diagonal line's dashes are not horizontal).
    fn short_flat_lines(svg: &str, stroke: &str, max_len: f64) -> usize {
        svg.split('<')
            .filter(|e| e.starts_with("polyline") && e.contains(&format!("stroke=\"{stroke}\"")))
            .filter_map(|e| {
                let pts = e.split("points=\"").nth(1)?.split('"').next()?;
                let xy: Vec<(f64, f64)> = pts
                    .split_whitespace()
                    .filter_map(|p| {
                        let (x, y) = p.split_once(',')?;
                        Some((x.parse().ok()?, y.parse().ok()?))
                    })
                    .collect();
                (xy.len() == 2 && xy[0].1 == xy[1].1 && (xy[1].0 - xy[0].0).abs() <= max_len)
                    .then_some(())
            })
            .count()
    }

    #[test]
    fn a_dashed_reference_has_a_dashed_legend_swatch() {
        let plot = Plot {
            x_label: "x".into(),
            y_label: "y".into(),
            log_x: false,
            log_y: false,
            scatter: false,
            series: vec![Series {
                label: "s".into(),
                points: vec![(0.0, 0.0), (1.0, 0.5), (2.0, 2.0)],
            }],
            references: vec![Reference {
                label: "guide".into(),
                points: vec![(0.0, 0.0), (2.0, 2.0)],
            }],
            skipped: 0,
            hidden: 0,
        };
        let svg = svg(&plot, (400, 300), &ChartOpts::default()).unwrap();
        assert!(svg.contains("guide"), "the legend names the reference");
        // the swatch, 16 px of 6 px dashes 3 px apart: two dashes (and a stub), not one line
        let dashes = short_flat_lines(&svg, "#808080", 16.0);
        assert!(dashes >= 2, "{dashes} dash(es) in the legend swatch");
    }

    #[test]
    fn a_plot_spanning_every_float_draws() {
        // the two-row CSV (−1e308, 1e308) once hung the page in plotters' tick loop
        for (log_x, log_y, pts) in [
            (false, false, vec![(-1e308, -1e308), (1e308, 1e308)]),
            (false, false, vec![(-f64::MAX, 1.0), (f64::MAX, 2.0)]),
            (true, true, vec![(1e-300, 5e-324), (1e308, f64::MAX)]),
            (false, false, vec![(1.0, 5e-324), (1.0 + f64::EPSILON, 0.0)]),
        ] {
            let plot = Plot {
                x_label: "x".into(),
                y_label: "y".into(),
                log_x,
                log_y,
                scatter: false,
                series: vec![Series {
                    label: "s".into(),
                    points: pts,
                }],
                references: vec![],
                skipped: 0,
                hidden: 0,
            };
            let t = std::time::Instant::now();
            let svg = svg(&plot, (400, 300), &ChartOpts::default()).unwrap();
            assert!(svg.contains("<svg"));
            assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
        }
    }
}
