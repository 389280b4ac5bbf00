//! Metrics of a run: which rows a run keeps, learning times (the first row above a
//! threshold, and a run's [`Milestones`]), the collapse, the best-N0 fit and two-point
//! exponents.

use super::geometry::LossForm;
use super::resource::{Resource, ResourceParams};
use super::Frame;

/// Whether row `t` of a run whose last row is `last` is kept when keeping every `every`-th:
/// row 0, every multiple of `every`, and always the last. The one rule of `skills run
/// --every`, the page's recorded frames, a sweep's observed rows and the charts' decimation.
pub fn kept(t: usize, every: usize, last: usize) -> bool {
    t.is_multiple_of(every.max(1)) || t == last
}

/// The kept rows of `0..=last` (see [`kept`]), in order, without visiting the others.
pub fn kept_rows(last: usize, every: usize) -> impl Iterator<Item = usize> {
    let every = every.max(1);
    (0..=last)
        .step_by(every)
        .chain((!last.is_multiple_of(every)).then_some(last))
}

/// Learning times as rows arrive: `first[i]` becomes `at` the first time
/// `levels[i] > threshold(i)` (levels past `first.len()` are ignored). The one "learned" rule
/// of [`first_above`], a sweep's `t_skills` and a chart's [`Milestones`].
pub fn mark_first_above(
    first: &mut [Option<usize>],
    at: usize,
    levels: &[f64],
    threshold: impl Fn(usize) -> f64,
) {
    for (i, (f, &s)) in first.iter_mut().zip(levels).enumerate() {
        if f.is_none() && s > threshold(i) {
            *f = Some(at);
        }
    }
}

/// Learning time: the first row index with s > `threshold` (the paper's t90 uses 0.9).
pub fn first_above(series: &[f64], threshold: f64) -> Option<usize> {
    let mut first = [None];
    for (t, &s) in series.iter().enumerate() {
        mark_first_above(&mut first, t, &[s], |_| threshold);
        if first[0].is_some() {
            break;
        }
    }
    first[0]
}

/// First frames at which each skill starts (rises [`Milestones::start_level`] above where it
/// began) and finishes (s_i > `thr`). Kept up to date incrementally as a trajectory grows, so
/// neither the chart markers nor the page's text summary rescan the whole run.
#[derive(Clone, Debug, PartialEq)]
pub struct Milestones {
    pub thr: f64,
    /// Frame index where s_i first rises the start level above its first value.
    pub start: Vec<Option<usize>>,
    /// Frame index where s_i first exceeds `thr`.
    pub finish: Vec<Option<usize>>,
    /// s_i of the first frame (0 for the MSE forms, 0.5 for the CE forms).
    base: Vec<f64>,
    scanned: usize,
}

impl Milestones {
    pub fn new(n: usize, thr: f64) -> Self {
        Milestones {
            thr,
            start: vec![None; n],
            finish: vec![None; n],
            base: vec![],
            scanned: 0,
        }
    }

    /// "Started" means s_i rose 0.1 above its first value (or half the way to the threshold
    /// when that is less: a CE skill starts at 0.5).
    pub fn start_level(&self) -> f64 {
        0.1f64.min(self.thr / 2.0)
    }

    /// Scan the frames not seen yet. `frames` must be the same, grown trajectory each time.
    pub fn update(&mut self, frames: &[Frame]) {
        if self.base.is_empty() {
            if let Some(f) = frames.first() {
                self.base = f.levels.clone();
            }
        }
        let rise = self.start_level();
        let (base, thr) = (&self.base, self.thr);
        let start_at = |i: usize| {
            let b = base.get(i).copied().unwrap_or(0.0);
            b + rise.min(((thr - b) / 2.0).max(0.0))
        };
        for (k, f) in frames.iter().enumerate().skip(self.scanned) {
            mark_first_above(&mut self.start, k, &f.levels, start_at);
            mark_first_above(&mut self.finish, k, &f.levels, |_| thr);
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

/// t2/t1 of two learning times (None if either skill was never learned).
pub fn time_ratio(t1: Option<usize>, t2: Option<usize>) -> Option<f64> {
    match (t1, t2) {
        (Some(a), Some(b)) if a > 0 => Some(b as f64 / a as f64),
        _ => None,
    }
}

/// The collapse variable `max(1 − s, 0)^{1/p}` (Fig. 7 top): for the Resource model every
/// skill follows u_i = e^{−p_i τ}, so this is one curve e^{−τ} for all i.
pub fn collapse(s: f64, p: f64) -> f64 {
    libm::pow((1.0 - s).max(0.0), 1.0 / p)
}

/// The paper's theory value of t2/t1 for two skills in the Resource model with N0 = 0 and
/// threshold 0.9 (docs/models.md §4.3.3): `(1.9 − 10^{−r}) / (1.9 − 10^{−1/r})`, r = p1/p2.
pub fn two_skill_ratio(r: f64) -> f64 {
    (1.9 - libm::pow(10.0, -r)) / (1.9 - libm::pow(10.0, -1.0 / r))
}

/// Two-point power-law exponent `−(ln y2 − ln y1)/(ln x2 − ln x1)` (α_N, α_S of Fig. 10).
pub fn two_point_exponent(x1: f64, y1: f64, x2: f64, y2: f64) -> f64 {
    -(libm::log(y2) - libm::log(y1)) / (libm::log(x2) - libm::log(x1))
}

/// The N0 grid of Fig. 7 bottom: 10^linspace(−4, 2, 601).
pub fn n0_grid() -> Vec<f64> {
    (0..601)
        .map(|k| libm::pow(10.0, -4.0 + 6.0 * k as f64 / 600.0))
        .collect()
}

/// Best N0: argmin over `grid` of `mean_{t,i} (s_geo(t) − s_res(t; N0))²`, comparing the
/// Geometry rows 0..T−1 (recorded before each update) with the Resource rows 1..T (after each
/// update), index by index, as the paper's notebook does. `geo[t][i]` = s_i at row t.
/// Returns (N0, mean squared error); `None` without rows, grid or frequencies (`p` empty:
/// [`normalise`](super::freq::normalise) of weights without a positive sum).
pub fn best_n0(
    geo: &[Vec<f64>],
    p: &[f64],
    eta_eff: f64,
    form: LossForm,
    grid: &[f64],
) -> Option<(f64, f64)> {
    let steps = geo.len();
    if steps == 0 || grid.is_empty() || p.is_empty() {
        return None;
    }
    let n = p.len();
    let mut best: Option<(f64, f64)> = None;
    for &n0 in grid {
        let params = ResourceParams {
            p: p.to_vec(),
            form,
            eta_eff,
            n0,
            gates: vec![None; n],
            ..ResourceParams::default()
        };
        let Ok(mut r) = Resource::new(params) else {
            return None;
        };
        let mut sq = 0.0;
        for row in geo {
            if r.step().is_err() {
                sq = f64::INFINITY;
                break;
            }
            for (a, b) in row.iter().zip(r.skills()) {
                sq += (a - b) * (a - b);
            }
        }
        let mse = sq / (steps * n) as f64;
        if best.is_none_or(|(_, m)| mse < m) {
            best = Some((n0, mse));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_and_ratio() {
        assert_eq!(first_above(&[0.0, 0.5, 0.9, 0.95], 0.9), Some(3));
        assert_eq!(first_above(&[0.0], 0.9), None);
        assert_eq!(first_above(&[0.9, 0.9], 0.9), None, "strictly above");
        let mut first = vec![None, Some(0), None];
        mark_first_above(&mut first, 7, &[0.95, 0.95, 0.5, 1.0], |i| {
            [0.9, 0.9, 0.4][i]
        });
        assert_eq!(first, [Some(7), Some(0), Some(7)]);
        assert_eq!(time_ratio(Some(100), Some(190)), Some(1.9));
        assert_eq!(time_ratio(None, Some(1)), None);
    }

    #[test]
    fn two_skill_formula_values() {
        // docs/models.md §4.3.3: 1, 1.42, 1.69, 1.87, 2.01 at r = 1, 4, 9, 19, 49
        for (r, want) in [
            (1.0, 1.0),
            (4.0, 1.42),
            (9.0, 1.69),
            (19.0, 1.87),
            (49.0, 2.01),
        ] {
            assert!(
                (two_skill_ratio(r) - want).abs() < 0.006,
                "r = {r}: {}",
                two_skill_ratio(r)
            );
        }
    }

    #[test]
    fn exponent_of_a_power_law() {
        let y = |x: f64| 3.0 * x.powf(-0.34);
        assert!((two_point_exponent(40.0, y(40.0), 220.0, y(220.0)) - 0.34).abs() < 1e-12);
    }

    #[test]
    fn kept_rows_are_zero_every_kth_and_the_last() {
        assert_eq!(kept_rows(50, 20).collect::<Vec<_>>(), [0, 20, 40, 50]);
        assert_eq!(kept_rows(40, 20).collect::<Vec<_>>(), [0, 20, 40]);
        assert_eq!(kept_rows(3, 1).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(kept_rows(0, 5).collect::<Vec<_>>(), [0]);
        assert!(kept(7, 0, 9), "every = 0 keeps every row");
        for last in 0..40 {
            for every in 1..12 {
                let by_rule: Vec<usize> = (0..=last).filter(|&t| kept(t, every, last)).collect();
                assert_eq!(kept_rows(last, every).collect::<Vec<_>>(), by_rule);
            }
        }
    }

    #[test]
    fn no_n0_is_fitted_without_frequencies() {
        // the page's fit and a sweep's fit=n0 normalise with the same function: weights
        // without a positive sum give no frequencies, and no fit (not N0 = 1e-4 with a NaN error)
        let geo = vec![vec![0.0, 0.0]; 3];
        let p = super::super::freq::normalise(vec![0.0, 0.0]);
        assert_eq!(best_n0(&geo, &p, 0.01, LossForm::Mse, &n0_grid()), None);
        let p = super::super::freq::normalise(vec![1.0, 1.0]);
        assert!(best_n0(&geo, &p, 0.01, LossForm::Mse, &n0_grid()).is_some());
    }

    #[test]
    fn grid_ends() {
        let g = n0_grid();
        assert_eq!(g.len(), 601);
        assert!((g[0] - 1e-4).abs() < 1e-18 && (g[600] - 100.0).abs() < 1e-10);
    }
}
