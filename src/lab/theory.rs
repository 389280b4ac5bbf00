//! The theory overlays over a run: the Domino model's serial prediction ([`domino_ramps`]),
//! the two-skill t2/t1 ([`two_skill`]) and the Resource model's best-N0 [`Fit`], done a few
//! grid values per animation frame.

use super::run::Run;
use crate::link::{Config, Model};
use crate::sim::domino::{Domino, Schedule};
use crate::sim::freq::normalise;
use crate::sim::geometry::LossForm;
use crate::sim::metrics;
use crate::sim::resource::ResourceParams;
use crate::sim::{ModelSpec, Simulation};

/// Which theories a model can be compared with.
pub fn has_theory(model: Model) -> bool {
    model != Model::Quadratic
}

/// The Domino model's serial prediction (docs/models.md §5.1) for this configuration:
/// `Schedule::Domino { t0 = 1/η_eff }`, skills taken in order of decreasing frequency. Each
/// skill's curve is its ramp from 0 to 1 (before it the skill is at 0, after it at 1).
/// Returns t0 and one two-point curve per skill.
pub fn domino_ramps(config: &Config) -> (f64, Vec<Vec<(f64, f64)>>) {
    let t0 = 1.0 / config.eta_eff();
    let schedule = Schedule::Domino { t0 };
    let freqs = config.freqs();
    let mut order: Vec<usize> = (0..freqs.len()).collect();
    // Stable: equal frequencies keep their index order.
    order.sort_by(|&a, &b| freqs[b].total_cmp(&freqs[a]));
    let mut curves = vec![Vec::new(); freqs.len()];
    for (rank, &i) in order.iter().enumerate() {
        let k = rank + 1;
        let (a, b) = ((k - 1) as f64 * t0, k as f64 * t0);
        curves[i] = vec![
            (a, Domino::level(schedule, k, a)),
            (b, Domino::level(schedule, k, b)),
        ];
    }
    (t0, curves)
}

/// Two skills: the measured t2/t1 next to the Resource model's formula and the naive p1/p2.
#[derive(Clone, Debug, PartialEq)]
pub struct TwoSkill {
    /// r = p1/p2.
    pub r: f64,
    /// `metrics::two_skill_ratio(r)` (docs/models.md §4.3.3).
    pub theory: f64,
    /// First steps with s_i > thr, when reached.
    pub t1: Option<u32>,
    pub t2: Option<u32>,
}

impl TwoSkill {
    /// t2/t1 measured, once both skills are learned.
    pub fn measured(&self) -> Option<f64> {
        match (self.t1, self.t2) {
            (Some(a), Some(b)) if a > 0 => Some(b as f64 / a as f64),
            _ => None,
        }
    }
}

/// The two-skill comparison of a run (None unless it has exactly two skills).
pub fn two_skill(run: &Run) -> Option<TwoSkill> {
    if run.n != 2 || run.freqs.len() != 2 || run.freqs[1] <= 0.0 {
        return None;
    }
    let r = run.freqs[0] / run.freqs[1];
    let thr = run.milestones.thr;
    let at = |i: usize| metrics::first_above(&run.levels_of(i), thr).map(|k| run.frames[k].step);
    Some(TwoSkill {
        r,
        theory: metrics::two_skill_ratio(r),
        t1: at(0),
        t2: at(1),
    })
}

/// The Resource model fitted to a Geometry run (docs/models.md §4.5): the N0 of `sim::metrics`'
/// grid that minimises the mean squared distance between the Geometry rows 0..T−1 and the
/// Resource rows 1..T. Done a few grid values at a time, off the animation path.
pub struct Fit {
    geo: Vec<Vec<f64>>,
    p: Vec<f64>,
    eta_eff: f64,
    form: LossForm,
    grid: Vec<f64>,
    next: usize,
    best: Option<(f64, f64)>,
}

/// A finished fit: the best N0 and the Resource run with it, as curves over the steps of
/// the Geometry rows it was compared with (Resource row t + 1 drawn at step t).
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub n0: f64,
    pub mse: f64,
    /// Geometry rows used (T).
    pub rows: usize,
    pub curves: Vec<Vec<(f64, f64)>>,
}

impl Fit {
    /// A fit of the run's frames so far. Needs a Geometry run that records every step and
    /// has at least two frames.
    pub fn new(run: &Run, config: &Config) -> Result<Fit, String> {
        if config.model != Model::Geometry {
            return Err("the fit compares a Geometry run with the Resource model".into());
        }
        if run.every != 1 {
            return Err(format!(
                "the fit needs every step; this run records every {}th",
                run.every
            ));
        }
        if run.frames.len() < 2 {
            return Err("run a few steps first".into());
        }
        let rows = run.frames.len() - 1;
        Ok(Fit {
            geo: run.frames[..rows]
                .iter()
                .map(|f| f.levels.clone())
                .collect(),
            p: normalise(config.freqs()),
            eta_eff: config.eta_eff(),
            form: config.loss,
            grid: metrics::n0_grid(),
            next: 0,
            best: None,
        })
    }

    /// Fraction of the grid done.
    pub fn progress(&self) -> f64 {
        self.next as f64 / self.grid.len().max(1) as f64
    }

    /// Try grid values until `budget_ms` is spent; the result once the grid is done.
    pub fn work(
        &mut self,
        now: &dyn Fn() -> f64,
        budget_ms: f64,
    ) -> Option<Result<Fitted, String>> {
        let t0 = now();
        while self.next < self.grid.len() {
            let g = &self.grid[self.next..self.next + 1];
            self.next += 1;
            if let Some((n0, mse)) =
                metrics::best_n0(&self.geo, &self.p, self.eta_eff, self.form, g)
            {
                if self.best.is_none_or(|(_, m)| mse < m) {
                    self.best = Some((n0, mse));
                }
            }
            if now() - t0 > budget_ms {
                return None;
            }
        }
        Some(self.finish())
    }

    fn finish(&self) -> Result<Fitted, String> {
        let (n0, mse) = self.best.ok_or("no N0 of the grid gave a finite fit")?;
        let n = self.p.len();
        let spec = ModelSpec::Resource(ResourceParams {
            p: self.p.clone(),
            form: self.form,
            eta_eff: self.eta_eff,
            n0,
            gates: vec![None; n],
            ..ResourceParams::default()
        });
        let mut sim = Simulation::new(spec).map_err(|e| e.to_string())?;
        let mut curves = vec![Vec::with_capacity(self.geo.len()); n];
        for t in 0..self.geo.len() {
            let f = sim.next_frame(false).map_err(|e| e.to_string())?;
            for (c, s) in curves.iter_mut().zip(&f.levels) {
                c.push((t as f64, *s));
            }
        }
        Ok(Fitted {
            n0,
            mse,
            rows: self.geo.len(),
            curves,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::run::tests::finished;
    use crate::link::parse;

    #[test]
    fn domino_ramps_follow_the_frequency_order() {
        let cfg = parse("m=resource&p=0.2,0.5,0.3").config;
        let (t0, c) = domino_ramps(&cfg);
        assert!((t0 - 1.0 / cfg.eta_eff()).abs() < 1e-12);
        // Skill 2 is the most frequent: first ramp; then skill 3, then skill 1.
        assert_eq!(c[1], vec![(0.0, 0.0), (t0, 1.0)]);
        assert_eq!(c[2], vec![(t0, 0.0), (2.0 * t0, 1.0)]);
        assert_eq!(c[0], vec![(2.0 * t0, 0.0), (3.0 * t0, 1.0)]);
    }

    #[test]
    fn two_skill_numbers() {
        // Resource model, N0 = 0: the measured ratio is the formula's (docs/models.md §4.3.3).
        let (r, _) = finished("m=resource&freq=two&p1=0.8&n0=0&steps=200&eta_eff=0.02");
        let t = two_skill(&r).unwrap();
        assert!((t.r - 4.0).abs() < 1e-12);
        assert!((t.theory - 1.42).abs() < 0.006);
        let m = t.measured().unwrap();
        assert!((m - t.theory).abs() < 0.05, "measured {m} vs {}", t.theory);
        let (r, _) = finished("m=resource&n=3&steps=10");
        assert_eq!(two_skill(&r), None);
        let (r, _) = finished("m=resource&freq=two&steps=3");
        assert_eq!(two_skill(&r).unwrap().measured(), None);
    }

    #[test]
    fn the_fit_runs_in_slices_and_recovers_n0() {
        // A Geometry run of the Fig. 6 kind (fewer skills and steps).
        let (r, cfg) = finished("m=geometry&n=5&dim=1000&batch=1024&grad=mimic&steps=300&seed=2");
        let mut fit = Fit::new(&r, &cfg).unwrap();
        let tick = std::cell::Cell::new(0.0);
        let now = || {
            tick.set(tick.get() + 1.0);
            tick.get()
        };
        let mut slices = 0;
        let out = loop {
            slices += 1;
            if let Some(out) = fit.work(&now, 50.0) {
                break out.unwrap();
            }
            assert!(fit.progress() < 1.0);
        };
        assert!(slices > 5, "{slices} slices");
        let whole = metrics::best_n0(
            &r.frames[..300]
                .iter()
                .map(|f| f.levels.clone())
                .collect::<Vec<_>>(),
            &normalise(cfg.freqs()),
            cfg.eta_eff(),
            cfg.loss,
            &metrics::n0_grid(),
        )
        .unwrap();
        assert_eq!((out.n0, out.mse), whole, "same as one call over the grid");
        assert!(out.n0 > 1e-4 && out.n0 < 1.0, "N0 = {}", out.n0);
        assert!(out.mse < 0.01, "a close fit: {}", out.mse);
        assert_eq!(out.rows, 300);
        assert_eq!(out.curves.len(), 5);
        assert_eq!(out.curves[0].len(), 300);
        assert!(Fit::new(
            &Run::new(&parse("m=resource").config),
            &parse("m=resource").config
        )
        .is_err());
    }
}
