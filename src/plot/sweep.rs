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

use crate::plot::run::{skill_color, ChartOpts};
use crate::sim::metrics::{two_point_exponent, two_skill_ratio};
use crate::sweep::median;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A sweep CSV, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    /// The swept keys (the columns between `run` and `steps`).
    pub axes: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Read a sweep CSV (one header line, then rows). Rows with another number of fields than
    /// the header are an error naming the line.
    pub fn parse(csv: &str) -> Result<Table, String> {
        let mut lines = csv
            .lines()
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty());
        let header: Vec<String> = lines
            .next()
            .ok_or("the file is empty")?
            .split(',')
            .map(str::to_string)
            .collect();
        if header.first().map(String::as_str) != Some("run") {
            return Err("not a sweep CSV: the first column must be `run`".into());
        }
        let steps = header
            .iter()
            .position(|h| h == "steps")
            .ok_or("not a sweep CSV: no `steps` column")?;
        let mut rows = vec![];
        for (i, l) in lines.enumerate() {
            let f: Vec<String> = l.split(',').map(str::to_string).collect();
            if f.len() != header.len() {
                return Err(format!(
                    "line {}: {} fields, the header has {}",
                    i + 2,
                    f.len(),
                    header.len()
                ));
            }
            rows.push(f);
        }
        Ok(Table {
            axes: header[1..steps].to_vec(),
            header,
            rows,
        })
    }

    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn num(&self, row: &[String], col: Option<usize>) -> Option<f64> {
        col.and_then(|c| row.get(c))
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    }

    /// Distinct values of an axis, in order of first appearance.
    fn values(&self, axis: &str) -> Vec<String> {
        let Some(c) = self.col(axis) else {
            return vec![];
        };
        let mut seen = std::collections::HashSet::new();
        let mut v: Vec<String> = vec![];
        for r in &self.rows {
            if seen.insert(r[c].as_str()) {
                v.push(r[c].clone());
            }
        }
        v
    }

    /// Number of skills per run (the `n` column of the first row).
    fn skills(&self) -> Option<usize> {
        let c = self.col("n")?;
        self.rows.first()?.get(c)?.parse().ok()
    }

    /// The `loss@S` columns: (S, column).
    fn recorded(&self) -> Vec<(f64, usize)> {
        self.header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| Some((h.strip_prefix("loss@")?.parse().ok()?, i)))
            .collect()
    }

    /// The x axis: the first numeric non-seed axis with two or more values, `dim` first.
    fn x_axis(&self) -> Option<String> {
        let numeric = |a: &String| {
            a != "seed" && {
                let v = self.values(a);
                v.len() >= 2 && v.iter().all(|x| x.parse::<f64>().is_ok())
            }
        };
        self.axes
            .iter()
            .find(|a| *a == "dim" && numeric(a))
            .or_else(|| self.axes.iter().find(|a| numeric(a)))
            .cloned()
    }

    /// The series of a row: the values of the axes other than `x` and `seed`.
    fn series_key(&self, row: &[String], x: Option<&str>) -> String {
        self.axes
            .iter()
            .filter(|a| Some(a.as_str()) != x && *a != "seed")
            .filter_map(|a| Some(format!("{a}={}", row.get(self.col(a)?)?)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The first and second learning times of a two-skill run (`t_skills` = `t1;t2`).
    fn t12(&self, row: &[String]) -> Option<(f64, f64)> {
        let t = row.get(self.col("t_skills")?)?;
        let (a, b) = t.split_once(';')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    }
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
    let x = t.x_axis();
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
    fn is_guide(&self) -> bool {
        self.label.starts_with("Resource")
            || self.label.starts_with("SGD")
            || self.label.starts_with("guide")
    }
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

/// The two dims α_N is measured between: 40 and 220 (the paper's) when swept, else the
/// smallest and the largest.
fn exponent_dims(t: &Table) -> Option<(f64, f64)> {
    let mut d: Vec<f64> = t
        .values("dim")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    if d.len() < 2 {
        return None;
    }
    if d.contains(&40.0) && d.contains(&220.0) {
        return Some((40.0, 220.0));
    }
    d.sort_by(f64::total_cmp);
    Some((d[0], d[d.len() - 1]))
}

/// The exponents per series (α_N between two dims, α_S between the first two recorded steps),
/// from the medians over seeds. Returns (name, [(α, exponent)]) per series and kind.
pub fn exponents(t: &Table) -> Vec<Series> {
    let (Some(ca), Some(cl)) = (t.col("alpha"), t.col("loss")) else {
        return vec![];
    };
    // series: every axis but alpha, dim and seed
    let key = |r: &[String]| {
        t.axes
            .iter()
            .filter(|a| !matches!(a.as_str(), "alpha" | "dim" | "seed"))
            .filter_map(|a| Some(format!("{a}={}", r.get(t.col(a)?)?)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = vec![];
    if let Some((d1, d2)) = exponent_dims(t) {
        let cd = t.col("dim");
        let mut g = Groups::default();
        for r in &t.rows {
            let (Some(a), Some(d), Some(l)) =
                (t.num(r, Some(ca)), t.num(r, cd), t.num(r, Some(cl)))
            else {
                continue;
            };
            if d == d1 || d == d2 {
                // x = α, and the dim is folded into the label to pair them up below
                g.add(format!("{}\u{1}{d}", key(r)), a, l);
            }
        }
        let med = g.medians();
        let mut by: Vec<(String, Vec<(f64, f64)>)> = vec![];
        for s in med
            .iter()
            .filter(|s| s.label.ends_with(&format!("\u{1}{d1}")))
        {
            let base = s.label.split('\u{1}').next().unwrap_or("").to_string();
            let Some(other) = med.iter().find(|o| o.label == format!("{base}\u{1}{d2}")) else {
                continue;
            };
            let pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter_map(|&(a, l1)| {
                    let l2 = other.points.iter().find(|p| p.0 == a)?.1;
                    Some((a, two_point_exponent(d1, l1, d2, l2)))
                })
                .filter(|p| p.1.is_finite())
                .collect();
            by.push((base, pts));
        }
        for (base, points) in by {
            let label = if base.is_empty() {
                format!("α_N (N = {d1}→{d2})")
            } else {
                format!("α_N (N = {d1}→{d2}), {base}")
            };
            out.push(Series { label, points });
        }
    }
    let rec = t.recorded();
    // the paper's window, steps 80 → 200, when recorded; else the first two recorded steps
    let window = match (
        rec.iter().find(|r| r.0 == 80.0),
        rec.iter().find(|r| r.0 == 200.0),
    ) {
        (Some(&a), Some(&b)) => Some((a, b)),
        _ => (rec.len() >= 2).then(|| (rec[0], rec[1])),
    };
    if let Some(((s1, c1), (s2, c2))) = window {
        let mut g = Groups::default();
        for r in &t.rows {
            let (Some(a), Some(l1), Some(l2)) =
                (t.num(r, Some(ca)), t.num(r, Some(c1)), t.num(r, Some(c2)))
            else {
                continue;
            };
            let e = two_point_exponent(s1, l1, s2, l2);
            if e.is_finite() {
                g.add(key(r), a, e);
            }
        }
        for s in g.medians() {
            let label = if s.label.is_empty() {
                format!("α_S (steps {s1}→{s2})")
            } else {
                format!("α_S (steps {s1}→{s2}), {}", s.label)
            };
            out.push(Series {
                label,
                points: s.points,
            });
        }
    }
    out
}

/// The plot of `view` (which should be one of [`views`]`(t)`).
pub fn plot(t: &Table, view: View) -> Plot {
    let x_axis = t.x_axis();
    let cx = x_axis.as_deref().and_then(|a| t.col(a));
    let mut p = Plot {
        x_label: x_axis.clone().unwrap_or_else(|| "run".into()),
        y_label: String::new(),
        log_x: false,
        log_y: false,
        scatter: false,
        series: vec![],
        references: vec![],
        skipped: 0,
    };
    // x of a row: the x axis' value, or the run index when nothing is swept numerically
    let x_of = |r: &[String]| match cx {
        Some(_) => t.num(r, cx),
        None => t.num(r, t.col("run")),
    };
    let per_x = |ycol: Option<usize>, p: &mut Plot| {
        let mut g = Groups::default();
        for r in &t.rows {
            match (x_of(r), t.num(r, ycol)) {
                (Some(x), Some(y)) => g.add(t.series_key(r, x_axis.as_deref()), x, y),
                _ => p.skipped += 1,
            }
        }
        g.medians()
    };
    match view {
        View::Loss | View::BestN0 | View::TAll => {
            let (col, label) = match view {
                View::Loss => ("loss", "final loss"),
                View::BestN0 => ("best_n0", "best-fitting N0"),
                _ => ("t_all", "step when every skill is learned"),
            };
            p.y_label = label.into();
            p.series = per_x(t.col(col), &mut p);
            if view == View::BestN0 {
                let xs: Vec<f64> = p
                    .series
                    .iter()
                    .flat_map(|s| s.points.iter().map(|q| q.0))
                    .collect();
                p.references
                    .extend(n0_guide(x_axis.as_deref().unwrap_or(""), &xs));
            }
        }
        View::Steps => {
            p.x_label = "step".into();
            p.y_label = "loss (median over seeds)".into();
            let cols = t.recorded();
            let steps_col = t.col("steps");
            let mut g = Groups::default();
            for r in &t.rows {
                let label = t.series_key(r, None);
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
        View::Exponents => {
            p.x_label = "Zipf exponent α".into();
            p.y_label = "exponent".into();
            p.series = exponents(t);
            let (lo, hi) = t
                .values("alpha")
                .iter()
                .filter_map(|v| v.parse::<f64>().ok())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                    (a.min(x), b.max(x))
                });
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
                    Reference {
                        label: "Chinchilla α_N = 0.34".into(),
                        points: vec![(lo, 0.34), (hi, 0.34)],
                    },
                    Reference {
                        label: "Chinchilla α_S = 0.28".into(),
                        points: vec![(lo, 0.28), (hi, 0.28)],
                    },
                ];
            }
        }
        View::Ratio => {
            p.y_label = "t2/t1".into();
            // Fig. 4 right: against p1/p2 when p1 is swept with two skills
            let ratio_x = x_axis.as_deref() == Some("p1");
            if ratio_x {
                p.x_label = "p1/p2".into();
            }
            let mut g = Groups::default();
            for r in &t.rows {
                match (x_of(r), t.t12(r)) {
                    (Some(x), Some((t1, t2))) if t1 > 0.0 => {
                        let x = if ratio_x { x / (1.0 - x) } else { x };
                        g.add(t.series_key(r, x_axis.as_deref()), x, t2 / t1)
                    }
                    _ => p.skipped += 1,
                }
            }
            p.series = g.medians();
            let xs: Vec<f64> = p
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|q| q.0))
                .collect();
            let (lo, hi) = xs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            if lo.is_finite() {
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
        }
        View::Scatter => {
            p.x_label = "t1 (frequent skill learned)".into();
            p.y_label = "t2 (rare skill learned)".into();
            p.scatter = true;
            let mut series: Vec<Series> = vec![];
            for r in &t.rows {
                let Some((t1, t2)) = t.t12(r) else {
                    p.skipped += 1;
                    continue;
                };
                let label = label_or(t.series_key(r, None), "runs");
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
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let k = opts.scale.max(0.25);
    let px = |v: f64| (v * k).round().max(1.0) as u32;
    let c = opts.theme.colors();
    root.fill(&c.bg).map_err(err)?;
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
    let font = ("sans-serif", 13.0 * k).into_font().color(&c.fg);
    let desc_font = ("sans-serif", 14.0 * k).into_font().color(&c.fg);
    if plot.series.iter().all(|s| s.points.is_empty()) {
        let style = desc_font
            .clone()
            .pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Center,
                plotters::style::text_anchor::VPos::Center,
            ));
        let (w, h) = root.dim_in_pixel();
        root.draw(&Text::new(
            "Results appear here as runs finish.".to_string(),
            (w as i32 / 2, h as i32 / 2),
            style,
        ))
        .map_err(err)?;
        root.present().map_err(err)?;
        return Ok(vec![]);
    }
    let mut hits: Vec<Hit> = vec![];
    let range = |v: &mut dyn Iterator<Item = f64>, log: bool| {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for x in v {
            lo = lo.min(x);
            hi = hi.max(x);
        }
        if !lo.is_finite() {
            return (1.0, 10.0);
        }
        if log {
            (lo / 1.15, hi * 1.15)
        } else {
            let pad = 0.05 * (hi - lo).max(1e-9 * hi.abs().max(1.0));
            (lo - pad, hi + pad)
        }
    };
    let (x0, x1) = range(&mut all.iter().map(|p| p.0), plot.log_x);
    let (y0, y1) = range(&mut all.iter().map(|p| p.1), plot.log_y);
    let n = plot.series.len();
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(px(10.0))
        .margin_right(px(24.0))
        .x_label_area_size(px(40.0))
        .y_label_area_size(px(64.0));
    let line_w = px(2.0);
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
    macro_rules! body {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(plot.x_label.as_str())
                .y_desc(plot.y_label.as_str())
                .x_labels(7)
                .y_labels(6)
                .x_label_formatter(&fmt)
                .y_label_formatter(&fmt)
                .label_style(font.clone())
                .axis_desc_style(desc_font.clone())
                .axis_style(c.fg.stroke_width(px(1.0)))
                .bold_line_style(c.grid.stroke_width(px(1.0)))
                .light_line_style(TRANSPARENT)
                .draw()
                .map_err(err)?;
            let ok = |p: &&(f64, f64)| {
                p.0.is_finite()
                    && p.1.is_finite()
                    && (p.0 > 0.0 || !plot.log_x)
                    && (p.1 > 0.0 || !plot.log_y)
            };
            for (i, r) in plot.references.iter().enumerate() {
                let pts: Vec<(f64, f64)> = r
                    .points
                    .iter()
                    .filter(ok)
                    .map(|&(x, y)| (x.clamp(x0, x1), y.clamp(y0, y1)))
                    .collect();
                let style = ShapeStyle::from(&REFERENCE[i % REFERENCE.len()].mix(0.9))
                    .stroke_width(px(1.5));
                let dash = [6.0, 3.0, 2.0, 8.0][i % 4] * k;
                chart
                    .draw_series(DashedLineSeries::new(
                        pts,
                        dash.round().max(1.0) as u32,
                        (3.0 * k).round().max(1.0) as u32,
                        style,
                    ))
                    .map_err(err)?
                    .label(r.label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
            }
            for (i, s) in plot.series.iter().enumerate() {
                let color = skill_color(i, n);
                let pts: Vec<(f64, f64)> = s.points.iter().filter(ok).copied().collect();
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
                    .label_font(font.clone())
                    .draw()
                    .map_err(err)?;
            }
        }};
    }
    // plotters labels a log axis at its decades only: less than a decade would get one label
    let lx = || (x0..x1).log_scale().with_key_points(log_ticks(x0, x1));
    let ly = || (y0..y1).log_scale().with_key_points(log_ticks(y0, y1));
    match (plot.log_x, plot.log_y) {
        (false, false) => body!(builder.build_cartesian_2d(x0..x1, y0..y1).map_err(err)?),
        (true, false) => body!(builder.build_cartesian_2d(lx(), y0..y1).map_err(err)?),
        (false, true) => body!(builder.build_cartesian_2d(x0..x1, ly()).map_err(err)?),
        (true, true) => body!(builder.build_cartesian_2d(lx(), ly()).map_err(err)?),
    }
    root.present().map_err(err)?;
    Ok(hits)
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
        assert_eq!(t.x_axis().as_deref(), Some("dim"));
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
        for (i, (_, want)) in cli.iter().enumerate() {
            assert!((an.points[i].1 - want).abs() < 1e-12, "{e:?} vs {cli:?}");
        }
        let st = crate::sweep::step_exponents(FIG10, 80, 200, "alpha").unwrap();
        let a_s = &e[1];
        assert!(a_s.label.starts_with("α_S"));
        assert!((a_s.points[1].1 - st[1].1).abs() < 1e-12);
        // the Domino and quanta lines and both Chinchilla values are marked
        let p = plot(&t, View::Exponents);
        let labels: Vec<&str> = p.references.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels.len(), 4, "{labels:?}");
        assert!(
            labels.iter().any(|l| l.contains("0.34")) && labels.iter().any(|l| l.contains("0.28"))
        );
        let svg = svg(&p, (640, 400), &ChartOpts::default()).unwrap();
        assert!(svg.contains("Domino") && svg.contains("Zipf exponent"));
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
