//! The 4-d quadratic toy of Fig. 12 (docs/models.md §6.1): why sign-based optimizers give the
//! Domino effect.
//!
//! ```text
//!   x = R θ,  ℓ_i = x_i²,  L = Σ_i w_i ℓ_i,  w = (1, 0.1, 0.01, 0.001)
//!   ∇_θ L = Rᵀ (2 w ⊙ x)
//! ```
//!
//! (A) aligned, R = I, θ(0) = (1, 1, 1, 1); (B) rotated, R = H4/2 with rows (1,1,1,1),
//! (1,1,−1,−1), (1,−1,1,−1), (1,−1,−1,1) over 2, θ(0) = (1, 1, 1, −1); ℓ_i(0) = 1 in both.
//! Full gradient, any optimizer of `optim`. The skill level shown by the dominoes is
//! s_i = 1 − |x_i| (so that ℓ_i = (1 − s_i)², as in the MSE Geometry model).

use super::error::SimError;
use super::optim::{OptConfig, Optimizer};

pub const WEIGHTS: [f64; 4] = [1.0, 0.1, 0.01, 0.001];

#[derive(Clone, Debug)]
pub struct Quadratic {
    pub rotated: bool,
    r: [[f64; 4]; 4],
    theta: Vec<f64>,
    grad: Vec<f64>,
    opt: Optimizer,
    step: u32,
}

impl Quadratic {
    pub fn new(rotated: bool, opt: OptConfig) -> Self {
        let (r, theta) = if rotated {
            let h = [
                [1.0, 1.0, 1.0, 1.0],
                [1.0, 1.0, -1.0, -1.0],
                [1.0, -1.0, 1.0, -1.0],
                [1.0, -1.0, -1.0, 1.0],
            ];
            (
                h.map(|row| row.map(|v: f64| v / 2.0)),
                vec![1.0, 1.0, 1.0, -1.0],
            )
        } else {
            let mut i = [[0.0; 4]; 4];
            for (k, row) in i.iter_mut().enumerate() {
                row[k] = 1.0;
            }
            (i, vec![1.0; 4])
        };
        Quadratic {
            rotated,
            r,
            theta,
            grad: vec![0.0; 4],
            opt: Optimizer::new(opt, 4),
            step: 0,
        }
    }

    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// x = R θ
    pub fn x(&self) -> [f64; 4] {
        let mut x = [0.0; 4];
        for (i, xi) in x.iter_mut().enumerate() {
            *xi = (0..4).map(|j| self.r[i][j] * self.theta[j]).sum();
        }
        x
    }

    pub fn step(&mut self) -> Result<(), SimError> {
        let x = self.x();
        for j in 0..4 {
            self.grad[j] = (0..4).map(|i| self.r[i][j] * 2.0 * WEIGHTS[i] * x[i]).sum();
        }
        self.opt.step(&mut self.theta, &self.grad);
        self.step += 1;
        if self.theta.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(SimError::NonFinite { step: self.step })
        }
    }

    /// ℓ_i = x_i²
    pub fn losses(&self) -> Vec<f64> {
        self.x().iter().map(|x| x * x).collect()
    }

    /// s_i = 1 − |x_i|
    pub fn skills(&self) -> Vec<f64> {
        self.x().iter().map(|x| 1.0 - x.abs()).collect()
    }

    pub fn loss(&self) -> f64 {
        self.losses().iter().zip(WEIGHTS).map(|(l, w)| w * l).sum()
    }
}
