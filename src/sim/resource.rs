//! The Resource model (docs/models.md §4): skills compete for a shared learning resource.
//!
//! MSE form, state u_i = remaining error (s_i = 1 − u_i), u_i(0) = 1:
//!
//! ```text
//!   c_i = g_i(u) · p_i · u_i                      competitiveness (gated, §4.4)
//!   r_i = (C c)_i / (Σ_j c_j + N0)                resources won by skill i
//!   u_i ← max(u_i − η_eff · r_i, 0)               (no clipping when C is an overlap matrix)
//!   logged: s_i = 1 − u_i,  L = Σ_i p_i u_i²
//! ```
//!
//! CE form, state z_i = logit (s_i = σ(z_i)), z_i(0) = 0:
//!
//! ```text
//!   c_i = g_i · p_i · σ(−z_i),   z_i ← z_i + η_eff (C c)_i / (Σ_j c_j + N0)
//!   logged: s_i = σ(z_i),  L = Σ_i p_i ln(1 + e^{−z_i})
//! ```
//!
//! Gates (skill i with prerequisites k): AND `g_i = Π_k (1 − u_k^a)`, OR
//! `g_i = max_k (1 − u_k^a)`; for the CE form u_k = σ(−z_k). The frequency switch of
//! Fig. 16 (§2.5) replaces p_i by a new value once u_i ≤ a threshold.
//! When Σ c + N0 = 0 (every skill learned, N0 = 0) nothing moves: the 0/0 is guarded.
//!
//! Recording: row t is the state after t updates (row 0 = u(0)); the paper's notebook logs
//! after the update, so its row `step_after_update = t` is our row t.

use super::error::SimError;
use super::geometry::LossForm;
use super::linalg::{sigmoid, softplus};

/// A prerequisite gate of one skill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// All of these skills (0-based) must be learned.
    And(Vec<usize>),
    /// Any of these skills (0-based) must be learned.
    Or(Vec<usize>),
}

/// Fig. 16's frequency switch: skill `skill` (0-based) gets frequency `p_new` once its
/// u ≤ `at`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Switch {
    pub skill: usize,
    pub at: f64,
    pub p_new: f64,
}

/// Everything that defines a Resource run. `Default` is `resource_model.ipynb`'s MSE run:
/// n = 10, Zipf α = 2, N0 = 0.003, η_eff = 2·3e−4·√1000.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceParams {
    /// Frequencies p_i, used as given (n = p.len()).
    pub p: Vec<f64>,
    pub form: LossForm,
    /// Resource rate η_eff (= 2η√N for a matching SignGD Geometry run).
    pub eta_eff: f64,
    /// Wasted resources N0 ≥ 0.
    pub n0: f64,
    /// Overlap matrix C (row-major n × n); `None` = identity. With C, u is not clipped.
    pub overlap: Option<Vec<f64>>,
    /// Per-skill gate (`None` = no prerequisites).
    pub gates: Vec<Option<Gate>>,
    /// Gate exponent a.
    pub gate_a: f64,
    pub switch: Option<Switch>,
}

impl Default for ResourceParams {
    fn default() -> Self {
        ResourceParams {
            p: super::freq::Freq::Zipf { alpha: 2.0 }.probs(10),
            form: LossForm::Mse,
            eta_eff: 2.0 * 3e-4 * 1000f64.sqrt(),
            n0: 0.003,
            overlap: None,
            gates: vec![None; 10],
            gate_a: 1e-3,
            switch: None,
        }
    }
}

/// A running Resource model.
#[derive(Clone, Debug)]
pub struct Resource {
    pub params: ResourceParams,
    /// u_i (MSE form) or z_i (CE form).
    x: Vec<f64>,
    p: Vec<f64>,
    c: Vec<f64>,
    step: u32,
}

impl Resource {
    pub fn new(params: ResourceParams) -> Result<Self, SimError> {
        let n = params.p.len();
        if n == 0 {
            return Err(SimError::Invalid(
                "the Resource model needs at least one skill".into(),
            ));
        }
        if let Some(c) = &params.overlap {
            if c.len() != n * n {
                return Err(SimError::Invalid(format!(
                    "overlap matrix must be {n} × {n}"
                )));
            }
        }
        if params.gates.len() != n {
            return Err(SimError::Invalid(format!(
                "expected {n} gate entries, got {}",
                params.gates.len()
            )));
        }
        for gate in params.gates.iter().flatten() {
            let (Gate::And(k) | Gate::Or(k)) = gate;
            if k.iter().any(|&k| k >= n) {
                return Err(SimError::Invalid(format!(
                    "a prerequisite names a skill beyond n = {n}"
                )));
            }
        }
        let x0 = match params.form {
            LossForm::Mse => 1.0,
            LossForm::Ce => 0.0,
        };
        Ok(Resource {
            x: vec![x0; n],
            p: params.p.clone(),
            c: vec![0.0; n],
            step: 0,
            params,
        })
    }

    pub fn n(&self) -> usize {
        self.x.len()
    }

    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// Remaining error u_i (MSE form: the state; CE form: σ(−z_i) = 1 − s_i).
    pub fn u(&self, i: usize) -> f64 {
        match self.params.form {
            LossForm::Mse => self.x[i],
            LossForm::Ce => sigmoid(-self.x[i]),
        }
    }

    fn gate(&self, i: usize) -> f64 {
        let a = self.params.gate_a;
        match &self.params.gates[i] {
            None => 1.0,
            Some(Gate::And(ks)) => ks.iter().map(|&k| 1.0 - libm::pow(self.u(k), a)).product(),
            Some(Gate::Or(ks)) => ks
                .iter()
                .map(|&k| 1.0 - libm::pow(self.u(k), a))
                .fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// c_i = g_i(u) · p_i · u_i at the current state.
    fn competitiveness(&self, i: usize) -> f64 {
        self.gate(i) * self.p[i] * self.u(i)
    }

    /// The share of the resource each skill wins at the current state, r_i = c_i/(Σ_j c_j + N0)
    /// with C = I (docs/models.md §4.1); the rest, N0/(Σ_j c_j + N0), is wasted. All zero when
    /// Σ c + N0 = 0.
    pub fn shares(&self) -> Vec<f64> {
        let c: Vec<f64> = (0..self.n()).map(|i| self.competitiveness(i)).collect();
        let denom = c.iter().sum::<f64>() + self.params.n0;
        if denom == 0.0 {
            return vec![0.0; c.len()];
        }
        c.iter().map(|c| c / denom).collect()
    }

    /// One update of the map.
    pub fn step(&mut self) -> Result<(), SimError> {
        let n = self.n();
        if let Some(sw) = self.params.switch {
            if self.u(sw.skill) <= sw.at {
                self.p[sw.skill] = sw.p_new;
            }
        }
        let mut total = 0.0;
        for i in 0..n {
            let c = self.competitiveness(i);
            self.c[i] = c;
            total += c;
        }
        let denom = total + self.params.n0;
        let eta = self.params.eta_eff;
        if denom != 0.0 {
            match &self.params.overlap {
                None => {
                    for i in 0..n {
                        let r = self.c[i] / denom;
                        self.x[i] = match self.params.form {
                            LossForm::Mse => (self.x[i] - eta * r).max(0.0),
                            LossForm::Ce => self.x[i] + eta * r,
                        };
                    }
                }
                Some(cm) => {
                    for i in 0..n {
                        let mut cc = 0.0;
                        for j in 0..n {
                            cc += cm[i * n + j] * self.c[j];
                        }
                        let r = cc / denom;
                        match self.params.form {
                            LossForm::Mse => self.x[i] -= eta * r,
                            LossForm::Ce => self.x[i] += eta * r,
                        }
                    }
                }
            }
        }
        self.step += 1;
        if self.x.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(SimError::NonFinite { step: self.step })
        }
    }

    /// Skill levels s_i.
    pub fn skills(&self) -> Vec<f64> {
        (0..self.n())
            .map(|i| match self.params.form {
                LossForm::Mse => 1.0 - self.x[i],
                LossForm::Ce => sigmoid(self.x[i]),
            })
            .collect()
    }

    /// L = Σ p_i u_i² (MSE) or Σ p_i ln(1 + e^{−z_i}) (CE), with the current p.
    pub fn loss(&self) -> f64 {
        (0..self.n())
            .map(|i| {
                let l = match self.params.form {
                    LossForm::Mse => self.x[i] * self.x[i],
                    LossForm::Ce => softplus(-self.x[i]),
                };
                self.p[i] * l
            })
            .sum()
    }
}

/// The overlap matrix C_ij = t_i·t_j of row-major task vectors (n × dim).
pub fn overlap_matrix(t: &[f64], n: usize, dim: usize) -> Vec<f64> {
    let mut c = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            c[i * n + j] =
                super::linalg::dot(&t[i * dim..(i + 1) * dim], &t[j * dim..(j + 1) * dim]);
        }
    }
    c
}
