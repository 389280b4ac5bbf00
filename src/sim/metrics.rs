//! Metrics of a run: learning times, the collapse, the best-N0 fit and two-point exponents.

use super::geometry::LossForm;
use super::resource::{Resource, ResourceParams};

/// Learning time: the first row index with s > `threshold` (the paper's t90 uses 0.9).
pub fn first_above(series: &[f64], threshold: f64) -> Option<usize> {
    series.iter().position(|&s| s > threshold)
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
/// threshold 0.9 (PAPER.md §4.3.3): `(1.9 − 10^{−r}) / (1.9 − 10^{−1/r})`, r = p1/p2.
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
/// Returns (N0, mean squared error).
pub fn best_n0(
    geo: &[Vec<f64>],
    p: &[f64],
    eta_eff: f64,
    form: LossForm,
    grid: &[f64],
) -> Option<(f64, f64)> {
    let steps = geo.len();
    if steps == 0 || grid.is_empty() {
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
        assert_eq!(time_ratio(Some(100), Some(190)), Some(1.9));
        assert_eq!(time_ratio(None, Some(1)), None);
    }

    #[test]
    fn two_skill_formula_values() {
        // PAPER.md §4.3.3: 1, 1.42, 1.69, 1.87, 2.01 at r = 1, 4, 9, 19, 49
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
    fn grid_ends() {
        let g = n0_grid();
        assert_eq!(g.len(), 601);
        assert!((g[0] - 1e-4).abs() < 1e-18 && (g[600] - 100.0).abs() < 1e-10);
    }
}
