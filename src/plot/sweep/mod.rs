//! What a sweep's results look like: the page's sweep view (and its tests) read the sweep CSV
//! — the rows `skills sweep` writes, the rows the page's workers return, or a merged CSV the
//! reader opens — into a [`Table`], pick a [`View`] and turn it into a [`Plot`] of series,
//! drawn with plotters on any backend (canvas in the page, SVG in tests). Nothing here knows
//! about the web.
//!
//! Rules (documented in ARCHITECTURE.md): the axis columns are those between `run` and
//! `steps`; an axis named `seed` is aggregated (median over seeds, except in the scatter);
//! the x axis is the first numeric axis with two or more values (`dim` preferred); every
//! other axis splits the rows into series.

mod chart;

pub use self::chart::{describe, draw, log_ticks, nearest, svg, Hit, Plot, Reference, Series};
pub use crate::sweep::csv::Table;

use self::chart::span;
use crate::sim::metrics::two_skill_ratio;
use crate::sweep::exponents::{self as measure, median};
use crate::sweep::stored::{paper_value, PAPER_EXPONENTS};

/// At most this many series are drawn (the first ones; [`Plot::hidden`] counts the rest): a
/// CSV opened in the page may split its rows into any number of them.
pub const MAX_SERIES: usize = 100;

/// The x axis: the first numeric non-seed axis with two or more values, `dim` first.
fn x_axis(t: &Table) -> Option<String> {
    let numeric = |a: &String| {
        a != "seed" && {
            let v = t.values(a);
            v.len() >= 2 && v.iter().all(|x| x.parse::<f64>().is_ok())
        }
    };
    t.axes
        .iter()
        .find(|a| *a == "dim" && numeric(a))
        .or_else(|| t.axes.iter().find(|a| numeric(a)))
        .cloned()
}

/// The series of a row: the values of the axes other than `x` and `seed`.
fn series_key(t: &Table, row: &[String], x: Option<&str>) -> String {
    series_without(t, row, &[x.unwrap_or("seed"), "seed"])
}

/// `axis=value, …` of a row's axes, leaving out `skip`.
fn series_without(t: &Table, row: &[String], skip: &[&str]) -> String {
    t.axes
        .iter()
        .filter(|a| !skip.contains(&a.as_str()))
        .filter_map(|a| Some(format!("{a}={}", row.get(t.col(a)?)?)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which picture of a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Final loss against the x axis (Figs. 10a, 18a).
    Loss,
    /// Loss against the step, from the `loss@S` columns and the final loss (Fig. 10c).
    Steps,
    /// Exponents α_N and α_S against α, with the Domino, quanta and Chinchilla marks (Fig. 10b, d).
    Exponents,
    /// t2/t1 against p1/p2 (or the x axis), with the Resource formula and t2/t1 = 2 (Fig. 4 right).
    Ratio,
    /// t2 against t1, one point per run (Fig. 19).
    Scatter,
    /// Best-fitting N0 against the x axis (Fig. 7 bottom).
    BestN0,
    /// Step at which every skill was learned.
    TAll,
}

impl View {
    pub const ALL: [View; 7] = [
        View::Loss,
        View::Steps,
        View::Exponents,
        View::Ratio,
        View::Scatter,
        View::BestN0,
        View::TAll,
    ];

    pub fn name(self) -> &'static str {
        match self {
            View::Loss => "loss",
            View::Steps => "steps",
            View::Exponents => "exponents",
            View::Ratio => "ratio",
            View::Scatter => "scatter",
            View::BestN0 => "n0",
            View::TAll => "tall",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            View::Loss => "Final loss",
            View::Steps => "Loss vs step",
            View::Exponents => "Exponents α_N, α_S vs α",
            View::Ratio => "t2/t1",
            View::Scatter => "t2 vs t1, one dot per run",
            View::BestN0 => "Best-fitting N0",
            View::TAll => "Time to learn every skill",
        }
    }
}

/// The views that make sense for this table, the most telling first.
pub fn views(t: &Table) -> Vec<View> {
    let two = t.skills() == Some(2) && t.col("t_skills").is_some();
    let x = x_axis(t);
    let mut v = vec![];
    if t.col("best_n0").is_some() {
        v.push(View::BestN0);
    }
    if two {
        let seeds = t.values("seed").len();
        let xs = x.as_ref().map(|a| t.values(a).len()).unwrap_or(0);
        if seeds >= 2 && seeds >= xs {
            v.extend([View::Scatter, View::Ratio]);
        } else {
            v.extend([View::Ratio, View::Scatter]);
        }
    }
    if !t.recorded().is_empty() {
        v.push(View::Steps);
    }
    if x.is_some() || v.is_empty() {
        v.push(View::Loss);
    }
    if exponents_available(t) {
        v.push(View::Exponents);
    }
    if x.is_some() && t.col("t_all").is_some() && !two {
        v.push(View::TAll);
    }
    v
}

fn exponents_available(t: &Table) -> bool {
    t.axes.iter().any(|a| a == "alpha") && (t.values("dim").len() >= 2 || t.recorded().len() >= 2)
}

/// The paper's proportionality guides of Fig. 7 bottom for the best N0 against a swept key:
/// N0 = 20σ, 2η, 1/B.
fn n0_guide(axis: &str, xs: &[f64]) -> Option<Reference> {
    let (label, f): (&str, fn(f64) -> f64) = match axis {
        "noise" => ("guide N0 = 20σ", |x| 20.0 * x),
        "lr" => ("guide N0 = 2η", |x| 2.0 * x),
        "batch" => ("guide N0 = 1/B", |x| 1.0 / x),
        _ => return None,
    };
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    lo.is_finite().then(|| Reference {
        label: label.into(),
        points: vec![(lo, f(lo)), (hi, f(hi))],
    })
}

/// Rows grouped by (series label, x), the y values of each group, medians taken. Hash maps
/// keep this linear in the rows (an opened CSV may have 100 000 of them).
#[derive(Default)]
struct Groups {
    /// Labels in order of first appearance, and per label: x (by its bits) → y values.
    labels: Vec<String>,
    index: std::collections::HashMap<String, usize>,
    columns: Vec<std::collections::HashMap<u64, Vec<f64>>>,
}

impl Groups {
    fn add(&mut self, label: String, x: f64, y: f64) {
        let i = match self.index.get(&label) {
            Some(&i) => i,
            None => {
                self.index.insert(label.clone(), self.labels.len());
                self.labels.push(label);
                self.columns.push(Default::default());
                self.labels.len() - 1
            }
        };
        self.columns[i].entry(x.to_bits()).or_default().push(y);
    }

    fn medians(self) -> Vec<Series> {
        self.labels
            .into_iter()
            .zip(self.columns)
            .map(|(label, pts)| {
                let mut points: Vec<(f64, f64)> = pts
                    .into_iter()
                    .map(|(x, ys)| (f64::from_bits(x), median(ys)))
                    .collect();
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                Series { label, points }
            })
            .collect()
    }
}

fn label_or(label: String, fallback: &str) -> String {
    if label.is_empty() {
        fallback.to_string()
    } else {
        label
    }
}

/// Log scale when every value is positive and they span more than a factor of `ratio`.
fn wants_log(vals: impl Iterator<Item = f64>, ratio: f64) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    lo > 0.0 && hi / lo > ratio
}

/// The exponents per series (α_N between two dims, α_S between two recorded steps, as
/// [`measure::default_dims`] and [`measure::default_steps`] choose them), measured by
/// [`crate::sweep::exponents`] with the runs grouped by α and the series (every axis but α,
/// `dim` and `seed`): one [`Series`] of (α, exponent) per kind and series.
pub fn exponents(t: &Table) -> Vec<Series> {
    let (Some(ca), Some(cl)) = (t.col("alpha"), t.col("loss")) else {
        return vec![];
    };
    // a run's group: its series and its α (by the bits of the number)
    let group = |r: &[String]| {
        let a = t.num(r, Some(ca))?;
        Some((series_without(t, r, &["alpha", "dim", "seed"]), a.to_bits()))
    };
    let mut out = vec![];
    if let (Some((d1, d2)), Some(cd)) = (measure::default_dims(t), t.col("dim")) {
        let e = measure::between(t, (cd, cl), (d1, d2), group);
        for (base, points) in by_series(e.into_iter().filter_map(|(k, e)| Some((k, e?)))) {
            let label = if base.is_empty() {
                format!("α_N (N = {d1}→{d2})")
            } else {
                format!("α_N (N = {d1}→{d2}), {base}")
            };
            out.push(Series { label, points });
        }
    }
    if let Some(((s1, c1), (s2, c2))) = measure::default_steps(t) {
        let e = measure::per_run(t, (s1, c1), (s2, c2), group);
        for (base, points) in by_series(e.into_iter()) {
            let label = if base.is_empty() {
                format!("α_S (steps {s1}→{s2})")
            } else {
                format!("α_S (steps {s1}→{s2}), {base}")
            };
            out.push(Series { label, points });
        }
    }
    out
}

/// Each exponent per α as the pages write it, the paper's value beside ours where it has
/// one: `α_N (N = 40→220): α = 1: 0.33 (paper 0.35), …` (one line per series).
pub fn exponents_text(t: &Table) -> Vec<String> {
    exponents(t)
        .iter()
        .map(|s| {
            let v: Vec<String> = s
                .points
                .iter()
                .map(|(a, x)| match paper_value(&s.label, *a) {
                    Some(p) => format!("α = {a}: {x:.2} (paper {p:.2})"),
                    None => format!("α = {a}: {x:.2}"),
                })
                .collect();
            format!("{}: {}", s.label, v.join(", "))
        })
        .collect()
}

/// Exponents per (series, α bits) gathered into (series, [(α, exponent)]) with finite
/// exponents, series in order of first appearance, points by α.
fn by_series(e: impl Iterator<Item = ((String, u64), f64)>) -> Vec<(String, Vec<(f64, f64)>)> {
    let mut out: Vec<(String, Vec<(f64, f64)>)> = vec![];
    // a hash map keeps this linear in the series (a searched list made 20 000 series O(n²))
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for ((base, a), e) in e.filter(|x| x.1.is_finite()) {
        let pt = (f64::from_bits(a), e);
        match index.get(&base) {
            Some(&i) => out[i].1.push(pt),
            None => {
                index.insert(base.clone(), out.len());
                out.push((base, vec![pt]));
            }
        }
    }
    for s in &mut out {
        s.1.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// The plot of `view` (which should be one of [`views`]`(t)`).
pub fn plot(t: &Table, view: View) -> Plot {
    let x_axis = x_axis(t);
    let mut p = Plot {
        x_label: x_axis.clone().unwrap_or_else(|| "run".into()),
        y_label: String::new(),
        log_x: false,
        log_y: false,
        scatter: false,
        series: vec![],
        references: vec![],
        skipped: 0,
        hidden: 0,
    };
    let x = XAxis {
        name: x_axis.as_deref(),
        col: x_axis.as_deref().and_then(|a| t.col(a)),
    };
    match view {
        View::Loss | View::BestN0 | View::TAll => per_x_view(t, view, &x, &mut p),
        View::Steps => steps_view(t, &mut p),
        View::Exponents => exponents_view(t, &mut p),
        View::Ratio => ratio_view(t, &x, &mut p),
        View::Scatter => scatter_view(t, &mut p),
    }
    if p.series.len() > MAX_SERIES {
        p.hidden = p.series.len() - MAX_SERIES;
        p.series.truncate(MAX_SERIES);
    }
    for s in &mut p.series {
        if s.label.is_empty() {
            s.label = p.y_label.clone();
        }
    }
    let pts = || p.series.iter().flat_map(|s| s.points.iter());
    // Power laws (loss against N or steps, N0 against σ) are read on log–log axes as soon as
    // the values span a few times; a ratio near 1–2 stays linear.
    match view {
        View::Loss | View::Steps | View::BestN0 => {
            p.log_x = wants_log(pts().map(|q| q.0), 2.0);
            p.log_y = wants_log(pts().map(|q| q.1), 2.0);
        }
        View::Ratio | View::TAll => {
            p.log_x = wants_log(pts().map(|q| q.0), 20.0);
            p.log_y = wants_log(pts().map(|q| q.1), 20.0);
        }
        View::Exponents | View::Scatter => {}
    }
    p
}

/// The x axis of a plot: its name and column, if a numeric axis is swept.
struct XAxis<'a> {
    name: Option<&'a str>,
    col: Option<usize>,
}

impl XAxis<'_> {
    /// x of a row: the x axis' value, or the run index when nothing is swept numerically.
    fn of(&self, t: &Table, r: &[String]) -> Option<f64> {
        match self.col {
            Some(_) => t.num(r, self.col),
            None => t.num(r, t.col("run")),
        }
    }
}

/// Final loss, best N0 or the time to learn every skill against the x axis, medians over
/// seeds, with the paper's N0 guides for the best N0.
fn per_x_view(t: &Table, view: View, x: &XAxis, p: &mut Plot) {
    let (col, label) = match view {
        View::Loss => ("loss", "final loss"),
        View::BestN0 => ("best_n0", "best-fitting N0"),
        _ => ("t_all", "step when every skill is learned"),
    };
    p.y_label = label.into();
    let ycol = t.col(col);
    let mut g = Groups::default();
    for r in &t.rows {
        match (x.of(t, r), t.num(r, ycol)) {
            (Some(xv), Some(y)) => g.add(series_key(t, r, x.name), xv, y),
            _ => p.skipped += 1,
        }
    }
    p.series = g.medians();
    if view == View::BestN0 {
        let xs: Vec<f64> = p
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|q| q.0))
            .collect();
        p.references.extend(n0_guide(x.name.unwrap_or(""), &xs));
    }
}

/// Loss against the step from the `loss@S` columns and the final loss.
fn steps_view(t: &Table, p: &mut Plot) {
    p.x_label = "step".into();
    p.y_label = "loss (median over seeds)".into();
    let cols = t.recorded();
    let steps_col = t.col("steps");
    let mut g = Groups::default();
    for r in &t.rows {
        let label = series_key(t, r, None);
        let mut any = false;
        for &(s, c) in &cols {
            if let Some(y) = t.num(r, Some(c)) {
                g.add(label.clone(), s, y);
                any = true;
            }
        }
        // the final loss at the last step, unless it is a recorded step already
        if let (Some(s), Some(y)) = (t.num(r, steps_col), t.num(r, t.col("loss"))) {
            if !cols.iter().any(|c| c.0 == s) {
                g.add(label.clone(), s, y);
            }
            any = true;
        }
        if !any {
            p.skipped += 1;
        }
    }
    p.series = g.medians();
}

/// α_N and α_S against α with the Domino and quanta lines and Chinchilla's values.
fn exponents_view(t: &Table, p: &mut Plot) {
    p.x_label = "Zipf exponent α".into();
    p.y_label = "exponent".into();
    p.series = exponents(t);
    // the paper's values beside ours (arXiv 2501.12391, Fig. 10b, d), for each kind shown
    for e in PAPER_EXPONENTS {
        if p.series.iter().any(|s| s.label.starts_with(e.symbol)) {
            p.series.push(Series {
                label: format!("paper {} ({})", e.symbol, e.figure),
                points: e.values.to_vec(),
            });
        }
    }
    let (lo, hi) = span(
        t.values("alpha")
            .iter()
            .filter_map(|v| v.parse::<f64>().ok()),
    );
    if lo.is_finite() {
        let xs: Vec<f64> = (0..=40).map(|k| lo + (hi - lo) * k as f64 / 40.0).collect();
        p.references = vec![
            Reference {
                label: "Domino α − 1".into(),
                points: xs.iter().map(|&a| (a, a - 1.0)).collect(),
            },
            Reference {
                label: "quanta (α − 1)/α".into(),
                points: xs.iter().map(|&a| (a, (a - 1.0) / a)).collect(),
            },
        ];
        // Chinchilla's value of each kind shown
        for (symbol, value) in [("α_N", 0.34), ("α_S", 0.28)] {
            if p.series.iter().any(|s| s.label.starts_with(symbol)) {
                p.references.push(Reference {
                    label: format!("Chinchilla {symbol} = {value}"),
                    points: vec![(lo, value), (hi, value)],
                });
            }
        }
    }
}

/// t2/t1 against p1/p2 (Fig. 4 right: when p1 is swept with two skills) or the x axis, with
/// t2/t1 = 2, SGD's t2/t1 = p1/p2 and the Resource formula.
fn ratio_view(t: &Table, x: &XAxis, p: &mut Plot) {
    p.y_label = "t2/t1".into();
    let ratio_x = x.name == Some("p1");
    if ratio_x {
        p.x_label = "p1/p2".into();
    }
    let mut g = Groups::default();
    for r in &t.rows {
        match (x.of(t, r), t.t12(r)) {
            (Some(xv), Some((t1, t2))) if t1 > 0.0 => {
                let xv = if ratio_x { xv / (1.0 - xv) } else { xv };
                g.add(series_key(t, r, x.name), xv, t2 / t1)
            }
            _ => p.skipped += 1,
        }
    }
    p.series = g.medians();
    let (lo, hi) = span(p.series.iter().flat_map(|s| s.points.iter().map(|q| q.0)));
    if !lo.is_finite() {
        return;
    }
    p.references.push(Reference {
        label: "t2/t1 = 2".into(),
        points: vec![(lo, 2.0), (hi, 2.0)],
    });
    if ratio_x {
        // orthogonal skills under SGD: t_i = ln 10/(η p_i) exactly
        p.references.push(Reference {
            label: "SGD: t2/t1 = p1/p2".into(),
            points: vec![(lo, lo), (hi, hi)],
        });
    }
    if ratio_x && lo >= 1.0 {
        p.references.push(Reference {
            label: "Resource model".into(),
            points: (0..=60)
                .map(|k| {
                    let r = lo * (hi / lo).powf(k as f64 / 60.0);
                    (r, two_skill_ratio(r))
                })
                .collect(),
        });
    }
}

/// t2 against t1, one dot per run (seeds not aggregated), with t2 = t1 and t2 = 2·t1.
fn scatter_view(t: &Table, p: &mut Plot) {
    p.x_label = "t1 (frequent skill learned)".into();
    p.y_label = "t2 (rare skill learned)".into();
    p.scatter = true;
    let mut series: Vec<Series> = vec![];
    for r in &t.rows {
        let Some((t1, t2)) = t.t12(r) else {
            p.skipped += 1;
            continue;
        };
        let label = label_or(series_key(t, r, None), "runs");
        match series.iter_mut().find(|s| s.label == label) {
            Some(s) => s.points.push((t1, t2)),
            None => series.push(Series {
                label,
                points: vec![(t1, t2)],
            }),
        }
    }
    p.series = series;
    let hi = p
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|q| q.0.max(q.1)))
        .fold(0.0f64, f64::max);
    if hi > 0.0 {
        p.references = vec![
            Reference {
                label: "t2 = t1".into(),
                points: vec![(0.0, 0.0), (hi, hi)],
            },
            Reference {
                label: "t2 = 2·t1".into(),
                points: vec![(0.0, 0.0), (hi / 2.0, hi)],
            },
        ];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::ChartOpts;
    use plotters::prelude::{IntoDrawingArea, SVGBackend};

    const FIG10: &str =
        "run,alpha,dim,seed,steps,loss,learned,n,t_first,t_all,t_skills,loss@80,loss@200,error\n\
        0,1,40,0,200,0.5,1,1000,,,,1.0,0.8,\n\
        1,1,40,1,200,0.7,1,1000,,,,1.0,0.8,\n\
        2,1,220,0,200,0.25,1,1000,,,,1.0,0.8,\n\
        3,1,220,1,200,0.35,1,1000,,,,1.0,0.8,\n\
        4,2,40,0,200,0.2,1,1000,,,,1.0,0.4,\n\
        5,2,40,1,200,0.2,1,1000,,,,1.0,0.4,\n\
        6,2,220,0,200,0.02,1,1000,,,,1.0,0.4,\n\
        7,2,220,1,200,0.02,1,1000,,,,1.0,0.4,diverged at step 3\n";

    #[test]
    fn axes_views_and_medians() {
        let t = Table::parse(FIG10).unwrap();
        assert_eq!(t.axes, ["alpha", "dim", "seed"]);
        assert_eq!(x_axis(&t).as_deref(), Some("dim"));
        let v = views(&t);
        assert!(
            v.contains(&View::Loss) && v.contains(&View::Steps) && v.contains(&View::Exponents)
        );
        assert!(!v.contains(&View::Scatter));
        let p = plot(&t, View::Loss);
        assert_eq!(p.series.len(), 2);
        assert_eq!(p.series[0].label, "alpha=1");
        // median over the two seeds
        assert_eq!(p.series[0].points, vec![(40.0, 0.6), (220.0, 0.3)]);
        assert!(p.log_x && p.log_y, "dims span 5.5×, losses 30×: log–log");
    }

    #[test]
    fn exponents_from_medians_match_the_cli() {
        let t = Table::parse(FIG10).unwrap();
        let e = exponents(&t);
        let cli = crate::sweep::exponents(FIG10, "dim", "loss", "40", "220", "alpha").unwrap();
        let an = &e[0];
        assert!(an.label.starts_with("α_N"));
        // one implementation (sweep::exponents): the same bits
        assert_eq!(an.points.len(), cli.len());
        for (i, (_, want)) in cli.iter().enumerate() {
            assert_eq!(an.points[i].1.to_bits(), want.to_bits(), "{e:?} vs {cli:?}");
        }
        let st = crate::sweep::step_exponents(FIG10, 80, 200, "alpha").unwrap();
        let a_s = &e[1];
        assert!(a_s.label.starts_with("α_S"));
        assert_eq!(a_s.points.len(), st.len());
        for (i, (_, want)) in st.iter().enumerate() {
            assert_eq!(a_s.points[i].1.to_bits(), want.to_bits(), "{e:?} vs {st:?}");
        }
        // the Domino and quanta lines and both Chinchilla values are marked
        let p = plot(&t, View::Exponents);
        let labels: Vec<&str> = p.references.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels.len(), 4, "{labels:?}");
        assert!(
            labels.iter().any(|l| l.contains("0.34")) && labels.iter().any(|l| l.contains("0.28"))
        );
        // the paper's values of both kinds beside ours, as points of their own
        let paper: Vec<&Series> = p
            .series
            .iter()
            .filter(|s| s.label.starts_with("paper"))
            .collect();
        assert_eq!(paper.len(), 2, "{:?}", p.series);
        assert!(paper[0].label.starts_with("paper α_N") && paper[0].points.contains(&(1.4, 0.63)));
        assert!(paper[1].label.starts_with("paper α_S") && paper[1].points.contains(&(2.0, 1.03)));
        let svg = svg(&p, (640, 400), &ChartOpts::default()).unwrap();
        assert!(svg.contains("Domino") && svg.contains("Zipf exponent"));
        assert!(
            svg.contains("paper α_N"),
            "the legend names the paper's points"
        );
    }

    #[test]
    fn two_skill_sweeps_scatter_and_ratio() {
        let csv = "run,seed,steps,loss,learned,n,t_first,t_all,t_skills,error\n\
            0,0,1000,0.1,2,2,100,250,100;250,\n\
            1,1,1000,0.1,2,2,120,240,120;240,\n\
            2,2,1000,0.1,1,2,110,,110;,\n";
        let t = Table::parse(csv).unwrap();
        assert_eq!(views(&t)[0], View::Scatter);
        let p = plot(&t, View::Scatter);
        assert_eq!(p.series[0].points, vec![(100.0, 250.0), (120.0, 240.0)]);
        assert_eq!(p.skipped, 1);
        let csv = "run,p1,steps,loss,learned,n,t_first,t_all,t_skills,error\n\
            0,0.5,500,0.1,2,2,100,100,100;100,\n\
            1,0.9,500,0.1,2,2,50,90,50;90,\n";
        let t = Table::parse(csv).unwrap();
        assert_eq!(views(&t)[0], View::Ratio);
        let p = plot(&t, View::Ratio);
        assert_eq!(p.x_label, "p1/p2");
        let s = &p.series[0].points;
        assert!((s[0].0 - 1.0).abs() < 1e-12 && (s[1].0 - 9.0).abs() < 1e-9);
        assert_eq!((s[0].1, s[1].1), (1.0, 1.8));
        assert!(p.references.iter().any(|r| r.label == "Resource model"));
    }

    #[test]
    fn hover_finds_the_nearest_point() {
        let t = Table::parse(FIG10).unwrap();
        let p = plot(&t, View::Loss);
        let mut out = String::new();
        let hits = {
            let root = SVGBackend::with_string(&mut out, (640, 400)).into_drawing_area();
            draw(&root, &p, &ChartOpts::default()).unwrap()
        };
        assert_eq!(hits.len(), 4, "{hits:?}");
        let h = hits[1];
        let found = nearest(&hits, (h.px.0 as f64 + 3.0, h.px.1 as f64 - 2.0), 12.0).unwrap();
        assert_eq!(found, h);
        assert_eq!(describe(&p, &found), "alpha=1: dim = 220, final loss = 0.3");
        assert!(nearest(&hits, (-100.0, -100.0), 12.0).is_none());
    }

    #[test]
    fn a_large_table_plots_in_linear_time() {
        // 100 000 runs (the sweep limit) with distinct x: must not be quadratic
        let mut csv = String::from("run,dim,steps,loss\n");
        for i in 0..100_000 {
            csv += &format!("{i},{},10,{}\n", i + 1, 1.0 / (i + 1) as f64);
        }
        let t = Table::parse(&csv).unwrap();
        let p = plot(&t, View::Loss);
        assert_eq!(p.series[0].points.len(), 100_000);
        assert!(p.log_x && p.log_y);
    }

    #[test]
    fn many_series_plot_quickly_and_are_capped() {
        // 20 000 series (one per value of a second axis) once froze the page for minutes
        let mut csv = String::from("run,alpha,dim,n0,steps,loss\n");
        for i in 0..20_000 {
            for (j, d) in [40, 220].iter().enumerate() {
                csv += &format!(
                    "{},{},{d},{i},10,{}\n",
                    2 * i + j,
                    1.0 + (i % 5) as f64 * 0.1,
                    1.0 / *d as f64
                );
            }
        }
        let t = Table::parse(&csv).unwrap();
        let start = std::time::Instant::now();
        for v in [View::Loss, View::Exponents] {
            let p = plot(&t, v);
            assert!(p.series.len() <= MAX_SERIES, "{v:?}: {}", p.series.len());
            assert!(p.hidden > 0, "{v:?}");
            let svg = svg(&p, (640, 400), &ChartOpts::default()).unwrap();
            assert!(svg.contains("more are not"), "{v:?}");
        }
        let secs = start.elapsed().as_secs_f64();
        assert!(secs < 20.0, "{secs} s");
    }

    #[test]
    fn the_reader_caps_rows_and_names_a_cut_line() {
        use crate::sweep::csv::{MAX_COLUMNS, MAX_FIELD_CHARS, MAX_ROWS};
        let mut csv = String::from("run,steps,loss\n");
        for i in 0..MAX_ROWS + 5 {
            csv += &format!("{i},1,0.5\n");
        }
        let t = Table::parse(&csv).unwrap();
        assert_eq!(t.rows.len(), MAX_ROWS);
        assert!(t.notices[0].contains("5 rows past"), "{:?}", t.notices);
        // a last line without its line break, cut short: left out with a notice
        let t = Table::parse("run,steps,loss,error\n0,1,0.5,\n1,1,0.").unwrap();
        assert_eq!(t.rows.len(), 1);
        assert!(
            t.notices[0].contains("line 3 is cut short"),
            "{:?}",
            t.notices
        );
        // a whole last row without its line break is kept
        assert_eq!(Table::parse("run,steps\n0,1").unwrap().rows.len(), 1);
        let wide = (0..=MAX_COLUMNS)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(Table::read(&wide).unwrap_err().contains("columns"));
        let long = format!("run,steps\n0,{}\n", "9".repeat(MAX_FIELD_CHARS + 1));
        assert!(Table::read(&long).unwrap_err().contains("characters"));
        // quoted fields (RFC 4180) read back
        let t = Table::parse("run,steps,error\n0,1,\"a, \"\"b\"\"\"\n").unwrap();
        assert_eq!(t.rows[0][2], "a, \"b\"");
    }

    #[test]
    fn bad_csvs_are_named() {
        assert!(Table::parse("").unwrap_err().contains("empty"));
        assert!(Table::parse("step,loss\n0,1\n")
            .unwrap_err()
            .contains("run"));
        assert!(Table::parse("run,steps,loss\n0,1\n")
            .unwrap_err()
            .contains("line 2"));
        // an empty table draws its placeholder
        let t = Table::parse("run,dim,steps,loss\n").unwrap();
        let p = plot(&t, views(&t)[0]);
        assert!(svg(&p, (300, 200), &ChartOpts::default())
            .unwrap()
            .contains("Results appear"));
    }
}
