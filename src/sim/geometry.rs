//! The Geometry model (docs/models.md §3): gradient descent on a multi-skill loss.
//!
//! State θ ∈ R^N, θ(0) = 0. Skill i has a task vector t_i ∈ R^N and
//!
//! * MSE form: `s_i = t_i·θ`, `ℓ_i = (1 − s_i)²`
//! * CE form:  `s_i = σ(t_i·θ)`, `ℓ_i = −ln s_i`
//!
//! and the population loss is `L = Σ_i p_i ℓ_i`. Each step uses
//!
//! ```text
//!   g = −k Σ_i w_i (1 − s_i) t_i   (+ σ ξ, ξ ~ N(0, I_N) when noise σ > 0)
//! ```
//!
//! * mini-batch (B > 0): B skill indices drawn from p (numpy's `choice`: a uniform u per draw,
//!   index = first i with cdf_i > u), w_i = c_i / B with c_i the count of i in the batch;
//! * full batch (B = 0): w_i = p_i / n, the gradient of the notebook's `(1/n) Σ p_i ℓ_i`;
//! * k = 1 for the "mimic" gradient and for CE autograd, k = 2 for MSE autograd.
//!
//! then one optimizer step (`optim`). Observables: s_i, ℓ_i, L and the aligned-dimension count
//! `n_align,i = #{ j : t_ij · (−g_j) > 0 }` of the noise-free gradient at the recorded state.
//!
//! Recording convention (as the paper's scripts): row t is the state θ_t *before* update t+1,
//! so row 0 is the initial condition. The gradient at θ_t is computed eagerly after each
//! update, which is what lets row t report n_align of the step it is about to take.

use super::error::SimError;
use super::linalg::{axpy, dot, sigmoid, softplus};
use super::optim::{OptConfig, Optimizer};
use super::rng::{rng_for, BATCHES, TASK_VECTORS};
use rand::Rng;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;

/// Skill form: MSE (`s = t·θ`) or cross-entropy (`s = σ(t·θ)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossForm {
    Mse,
    Ce,
}

/// Which gradient: the figure scripts' "mimic" `−(1/B) Σ (1 − s) t` or autograd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GradForm {
    Mimic,
    Autograd,
}

/// How the task vectors are made (docs/models.md §3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VecKind {
    /// n orthonormal vectors: Q of the QR decomposition of an N×n Gaussian matrix (n ≤ N).
    Ortho,
    /// t_i = g_i/|g_i|, g_i ~ N(0, I_N): random unit vectors, not orthogonal.
    Unit,
    /// t_i = g_i/√N: random, not normalised (Fig. 15).
    Scaled,
    /// t_i = e_i for i ≤ N, 0 beyond (modular: one private parameter per skill).
    Basis,
}

/// The n task vectors of dimension `dim`, row-major (row i = t_i), drawn from `seed`.
pub fn task_vectors(kind: VecKind, n: usize, dim: usize, seed: u64) -> Result<Vec<f64>, SimError> {
    let mut rng = rng_for(seed, TASK_VECTORS);
    let mut gauss = |len: usize| -> Vec<f64> {
        (0..len)
            .map(|_| rng.sample::<f64, _>(StandardNormal))
            .collect()
    };
    let mut t = vec![0.0; n * dim];
    match kind {
        VecKind::Ortho => {
            if n > dim {
                return Err(SimError::Invalid(format!(
                    "vec=ortho needs n ≤ dim (n = {n}, dim = {dim}): at most N orthonormal vectors exist in R^N"
                )));
            }
            // Column i of G is the i-th block of N draws (the same draws `unit` would use).
            let g = gauss(n * dim);
            let m = nalgebra::DMatrix::from_column_slice(dim, n, &g);
            let q = m.qr().q();
            for i in 0..n {
                for j in 0..dim {
                    t[i * dim + j] = q[(j, i)];
                }
            }
        }
        VecKind::Unit | VecKind::Scaled => {
            for i in 0..n {
                let g = gauss(dim);
                let scale = if kind == VecKind::Unit {
                    dot(&g, &g).sqrt()
                } else {
                    (dim as f64).sqrt()
                };
                for j in 0..dim {
                    t[i * dim + j] = g[j] / scale;
                }
            }
        }
        VecKind::Basis => {
            for i in 0..n.min(dim) {
                t[i * dim + i] = 1.0;
            }
        }
    }
    Ok(t)
}

/// Everything that defines a Geometry run. `Default` is the notebook's minimal example
/// (`geometry_model.ipynb`, docs/models.md §3.4): N = 1000, n = 10, Zipf α = 2, orthonormal
/// vectors, full batch, MSE autograd, SignGD η = 3e−4.
#[derive(Clone, Debug, PartialEq)]
pub struct GeometryParams {
    /// Dimension N of θ.
    pub dim: usize,
    /// Skill frequencies (normalised; n = p.len()).
    pub p: Vec<f64>,
    pub loss: LossForm,
    pub grad: GradForm,
    pub vectors: VecKind,
    /// Batch size B; 0 = full batch (expected gradient).
    pub batch: usize,
    /// Gradient noise σ.
    pub noise: f64,
    pub opt: OptConfig,
    pub seed: u64,
}

impl Default for GeometryParams {
    fn default() -> Self {
        GeometryParams {
            dim: 1000,
            p: super::freq::Freq::Zipf { alpha: 2.0 }.probs(10),
            loss: LossForm::Mse,
            grad: GradForm::Autograd,
            vectors: VecKind::Ortho,
            batch: 0,
            noise: 0.0,
            opt: OptConfig::default(),
            seed: 0,
        }
    }
}

/// A running Geometry model.
#[derive(Clone, Debug)]
pub struct Geometry {
    pub params: GeometryParams,
    n: usize,
    /// Task vectors, row-major n × N.
    t: Vec<f64>,
    theta: Vec<f64>,
    opt: Optimizer,
    cdf: Vec<f64>,
    rng: Pcg64,
    counts: Vec<u32>,
    touched: Vec<usize>,
    /// Noise-free gradient at the current θ (the next update's).
    grad: Vec<f64>,
    /// The gradient the optimizer is given (with noise).
    noisy: Vec<f64>,
    step: u32,
}

impl Geometry {
    /// A run with task vectors drawn as `params.vectors` says.
    pub fn new(params: GeometryParams) -> Result<Self, SimError> {
        let t = task_vectors(params.vectors, params.p.len(), params.dim, params.seed)?;
        Self::with_vectors(params, t)
    }

    /// A run with given task vectors (row-major n × N), e.g. the paper's exported ones.
    pub fn with_vectors(params: GeometryParams, t: Vec<f64>) -> Result<Self, SimError> {
        let n = params.p.len();
        let dim = params.dim;
        if n == 0 || dim == 0 || t.len() != n * dim {
            return Err(SimError::Invalid(format!(
                "task vectors must be n × dim = {n} × {dim}, got {} numbers",
                t.len()
            )));
        }
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &p in &params.p {
            acc += p;
            cdf.push(acc);
        }
        let last = acc;
        for c in &mut cdf {
            *c /= last;
        }
        let mut g = Geometry {
            n,
            t,
            theta: vec![0.0; dim],
            opt: Optimizer::new(params.opt, dim),
            cdf,
            rng: rng_for(params.seed, BATCHES),
            counts: vec![0; n],
            touched: Vec::with_capacity(n),
            grad: vec![0.0; dim],
            noisy: vec![],
            step: 0,
            params,
        };
        g.compute_gradient();
        g.check_finite()?;
        Ok(g)
    }

    pub fn n(&self) -> usize {
        self.n
    }

    /// Updates taken so far (= the row index of the current state).
    pub fn step_count(&self) -> u32 {
        self.step
    }

    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    /// Task vector t_i.
    pub fn task(&self, i: usize) -> &[f64] {
        &self.t[i * self.params.dim..(i + 1) * self.params.dim]
    }

    /// The whole task matrix, row-major n × N.
    pub fn tasks(&self) -> &[f64] {
        &self.t
    }

    #[inline]
    fn level(&self, i: usize) -> f64 {
        let z = dot(self.task(i), &self.theta);
        match self.params.loss {
            LossForm::Mse => z,
            LossForm::Ce => sigmoid(z),
        }
    }

    /// Gradient at the current θ, into `self.grad` (and `self.noisy` when σ > 0).
    fn compute_gradient(&mut self) {
        let k = match (self.params.loss, self.params.grad) {
            (LossForm::Mse, GradForm::Autograd) => 2.0,
            _ => 1.0,
        };
        let dim = self.params.dim;
        self.grad.iter_mut().for_each(|g| *g = 0.0);
        let b = self.params.batch;
        if b == 0 {
            let nf = self.n as f64;
            for i in 0..self.n {
                let w = self.params.p[i] / nf;
                let s = self.level(i);
                let coef = -k * w * (1.0 - s);
                axpy(&mut self.grad, coef, &self.t[i * dim..(i + 1) * dim]);
            }
        } else {
            self.touched.clear();
            for _ in 0..b {
                let u: f64 = self.rng.random();
                let idx = self.cdf.partition_point(|&c| c <= u).min(self.n - 1);
                if self.counts[idx] == 0 {
                    self.touched.push(idx);
                }
                self.counts[idx] += 1;
            }
            // Sum in skill order, independent of the order of the draws.
            self.touched.sort_unstable();
            let bf = b as f64;
            for ti in 0..self.touched.len() {
                let i = self.touched[ti];
                let w = self.counts[i] as f64 / bf;
                self.counts[i] = 0;
                let s = self.level(i);
                let coef = -k * w * (1.0 - s);
                axpy(&mut self.grad, coef, &self.t[i * dim..(i + 1) * dim]);
            }
        }
        if self.params.noise > 0.0 {
            let sigma = self.params.noise;
            self.noisy.clear();
            for j in 0..dim {
                let xi: f64 = self.rng.sample(StandardNormal);
                self.noisy.push(self.grad[j] + sigma * xi);
            }
        }
    }

    fn check_finite(&self) -> Result<(), SimError> {
        let s: f64 = self.theta.iter().sum::<f64>() + self.grad.iter().sum::<f64>();
        if s.is_finite() {
            Ok(())
        } else {
            Err(SimError::NonFinite { step: self.step })
        }
    }

    /// One optimizer step θ_t → θ_{t+1}, then the gradient at θ_{t+1}.
    pub fn step(&mut self) -> Result<(), SimError> {
        if self.params.noise > 0.0 {
            self.opt.step(&mut self.theta, &self.noisy);
        } else {
            self.opt.step(&mut self.theta, &self.grad);
        }
        self.step += 1;
        self.compute_gradient();
        self.check_finite()
    }

    /// Skill levels s_i of the current state.
    pub fn skills(&self) -> Vec<f64> {
        (0..self.n).map(|i| self.level(i)).collect()
    }

    /// Skill losses ℓ_i of the current state.
    pub fn skill_losses(&self) -> Vec<f64> {
        (0..self.n)
            .map(|i| {
                let z = dot(self.task(i), &self.theta);
                match self.params.loss {
                    LossForm::Mse => (1.0 - z) * (1.0 - z),
                    LossForm::Ce => softplus(-z),
                }
            })
            .collect()
    }

    /// Population loss L = Σ p_i ℓ_i.
    pub fn loss(&self) -> f64 {
        self.skill_losses()
            .iter()
            .zip(&self.params.p)
            .map(|(l, p)| p * l)
            .sum()
    }

    /// Aligned dimensions n_align,i of the (noise-free) gradient at the current state.
    pub fn aligned_dims(&self) -> Vec<u32> {
        (0..self.n)
            .map(|i| {
                self.task(i)
                    .iter()
                    .zip(&self.grad)
                    .filter(|(t, g)| **t * -**g > 0.0)
                    .count() as u32
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ortho_vectors_are_orthonormal() {
        let t = task_vectors(VecKind::Ortho, 7, 50, 3).unwrap();
        for i in 0..7 {
            for j in 0..7 {
                let d = dot(&t[i * 50..(i + 1) * 50], &t[j * 50..(j + 1) * 50]);
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((d - want).abs() < 1e-12, "t{i}·t{j} = {d}");
            }
        }
        assert!(task_vectors(VecKind::Ortho, 51, 50, 3).is_err());
    }

    #[test]
    fn unit_scaled_basis_vectors() {
        let u = task_vectors(VecKind::Unit, 3, 40, 1).unwrap();
        for i in 0..3 {
            assert!((dot(&u[i * 40..(i + 1) * 40], &u[i * 40..(i + 1) * 40]) - 1.0).abs() < 1e-12);
        }
        // `scaled` uses the same draws, divided by √N instead of the norm
        let s = task_vectors(VecKind::Scaled, 3, 40, 1).unwrap();
        let ratio = s[5] / u[5];
        assert!((ratio - s[7] / u[7]).abs() < 1e-12);
        let b = task_vectors(VecKind::Basis, 5, 3, 0).unwrap();
        assert_eq!(&b[..9], &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        assert!(
            b[9..].iter().all(|&x| x == 0.0),
            "skills beyond N have t = 0"
        );
    }

    #[test]
    fn initial_state_and_full_batch_gradient() {
        let g = Geometry::new(GeometryParams::default()).unwrap();
        assert!(g.skills().iter().all(|&s| s == 0.0));
        assert!((g.loss() - 1.0).abs() < 1e-12, "Σ p_i (1 − 0)² = 1");
        // with θ = 0 the full-batch gradient is −(2/n) Σ p_i t_i, so t_i·(−g) = 2 p_i / n > 0
        let want: Vec<f64> = g.params.p.iter().map(|p| 2.0 * p / 10.0).collect();
        for i in 0..10 {
            let tg = -dot(g.task(i), &g.grad);
            assert!((tg - want[i]).abs() < 1e-12);
        }
    }
}
