//! The Domino model and the parallel model (docs/models.md §5).
//!
//! Domino: skills (in order of decreasing frequency) are learned strictly one after another,
//! each at a constant rate, each taking t0 steps:
//!
//! ```text
//!   s_k(t) = clip((t − (k−1)·t0) / t0, 0, 1)          k = 1..n
//! ```
//!
//! with t0 = 1/η_eff (the N0 → 0 limit of the Resource model). Parallel (Fig. 9 right):
//! independent exponential learning `s_k(t) = 1 − exp(−t / (τ·k))` (rate ∝ 1/k, as in the
//! paper's figure, whatever the frequencies). Both are closed forms in t, so a "step" only
//! advances t. Loss: L = Σ p_k (1 − s_k)², the MSE loss of the Resource model.

/// Which of the two closed forms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Schedule {
    /// Serial, t0 steps per skill.
    Domino { t0: f64 },
    /// Parallel exponential, time constant τ·k for skill k.
    Parallel { tau: f64 },
}

#[derive(Clone, Debug)]
pub struct Domino {
    pub schedule: Schedule,
    pub p: Vec<f64>,
    step: u32,
}

impl Domino {
    pub fn new(schedule: Schedule, p: Vec<f64>) -> Self {
        Domino {
            schedule,
            p,
            step: 0,
        }
    }

    pub fn n(&self) -> usize {
        self.p.len()
    }

    pub fn step_count(&self) -> u32 {
        self.step
    }

    pub fn step(&mut self) {
        self.step += 1;
    }

    /// s_k at step t (k = 1-based skill index).
    pub fn level(schedule: Schedule, k: usize, t: f64) -> f64 {
        match schedule {
            Schedule::Domino { t0 } => ((t - (k as f64 - 1.0) * t0) / t0).clamp(0.0, 1.0),
            Schedule::Parallel { tau } => 1.0 - libm::exp(-t / (tau * k as f64)),
        }
    }

    pub fn skills(&self) -> Vec<f64> {
        (1..=self.n())
            .map(|k| Self::level(self.schedule, k, self.step as f64))
            .collect()
    }

    pub fn loss(&self) -> f64 {
        self.skills()
            .iter()
            .zip(&self.p)
            .map(|(s, p)| p * (1.0 - s) * (1.0 - s))
            .sum()
    }
}
