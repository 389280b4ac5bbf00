//! One optimizer module for every model, with PyTorch's update rules (docs/models.md §1.2).
//!
//! All optimizers act on one flat parameter vector θ given its gradient g:
//!
//! * **SGD**: `θ ← θ − η (g + wd·θ)` (torch.optim.SGD, no momentum).
//! * **SignGD** = Adam with β = (0, 0): `θ_j ← θ_j − η g_j / (|g_j| + ε)`, ε = 1e−8.
//!   It is η·sign(g_j) except where |g_j| ≲ 1e−7, and exactly 0 where g_j = 0. With weight
//!   decay it is AdamW with β = (0, 0) (the paper's grokking "SignGD"): `θ ← θ (1 − η·wd)` first.
//! * **Adam**: `m ← β1 m + (1−β1) g`, `v ← β2 v + (1−β2) g²`,
//!   `θ ← θ − (η/bc1) · m / (√v/√bc2 + ε)` with `bc_k = 1 − β_k^t`; `wd` adds `wd·θ` to g (L2).
//! * **AdamW**: decoupled decay `θ ← θ (1 − η·wd)` before the Adam step.
//! * **Lion**: `θ ← θ (1 − η·wd)`; `θ ← θ − η·sign(β1 m + (1−β1) g)`; `m ← β2 m + (1−β2) g`.
//! * **AdEMAMix**: `m1 ← β1 m1 + (1−β1) g`, `m2 ← β3 m2 + (1−β3) g`, `v ← β2 v + (1−β2) g²`,
//!   `θ ← θ − η [ (m1/bc1 + a·m2) / (√v/√bc2 + ε) + wd·θ ]`.
//!
//! Powers β^t use `libm::pow` so that the result is bit-identical natively and in wasm.
//!
//! Precision: the state (moments) is always f64 and every update is computed in f64. θ and g
//! may be f32 (`Real`): each element is widened exactly, updated in f64 and rounded back to
//! f32 once, so one implementation serves both precisions and an f64 θ gets plain f64
//! operations (the widening and rounding are exact for it). Chosen over an
//! optimizer generic in its state because it keeps one set of formulas with f64 moments for
//! every model, and the cost (a conversion per parameter per step, ≈ 10⁴ parameters in
//! Fig. 19) is negligible next to the networks' products. An f32 network is therefore trained
//! with f64 Adam state: slightly more accurate than PyTorch's all-float32 Adam, equal in
//! expectation.

use super::real::Real;

/// Which update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptKind {
    Sgd,
    SignGd,
    Adam,
    AdamW,
    Lion,
    AdEMAMix,
}

impl OptKind {
    pub const ALL: [OptKind; 6] = [
        OptKind::Sgd,
        OptKind::SignGd,
        OptKind::Adam,
        OptKind::AdamW,
        OptKind::Lion,
        OptKind::AdEMAMix,
    ];

    /// The link/CLI name (`opt=` value).
    pub const fn name(self) -> &'static str {
        match self {
            OptKind::Sgd => "sgd",
            OptKind::SignGd => "signgd",
            OptKind::Adam => "adam",
            OptKind::AdamW => "adamw",
            OptKind::Lion => "lion",
            OptKind::AdEMAMix => "ademamix",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Default (β1, β2) of this optimizer (PyTorch / the reference implementations).
    pub fn default_betas(self) -> (f64, f64) {
        match self {
            OptKind::Lion => (0.9, 0.99),
            OptKind::SignGd => (0.0, 0.0),
            _ => (0.9, 0.999),
        }
    }
}

/// Hyper-parameters of an optimizer. `Default` is SignGD with η = 3e−4.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptConfig {
    pub kind: OptKind,
    /// Learning rate η.
    pub lr: f64,
    /// First-moment decay β1 (Adam, AdamW, Lion, AdEMAMix).
    pub beta1: f64,
    /// Second-moment decay β2 (Adam, AdamW, AdEMAMix); Lion's momentum decay.
    pub beta2: f64,
    /// AdEMAMix's slow EMA decay β3.
    pub beta3: f64,
    /// AdEMAMix's mixing coefficient a.
    pub mix: f64,
    /// Weight decay (L2 for SGD/Adam, decoupled for AdamW/Lion/AdEMAMix).
    pub wd: f64,
    /// ε of the Adam family (1e−8).
    pub eps: f64,
}

impl Default for OptConfig {
    fn default() -> Self {
        OptConfig::new(OptKind::SignGd, 3e-4)
    }
}

impl OptConfig {
    /// The optimizer `kind` at learning rate `lr` with its default betas and no weight decay.
    pub fn new(kind: OptKind, lr: f64) -> Self {
        let (beta1, beta2) = kind.default_betas();
        OptConfig {
            kind,
            lr,
            beta1,
            beta2,
            beta3: 0.9999,
            mix: 2.0,
            wd: 0.0,
            eps: 1e-8,
        }
    }
}

/// An optimizer with its state (moments and step count) for a vector of `dim` parameters.
#[derive(Clone, Debug)]
pub struct Optimizer {
    pub cfg: OptConfig,
    t: u64,
    m: Vec<f64>,
    v: Vec<f64>,
    m2: Vec<f64>,
}

impl Optimizer {
    pub fn new(cfg: OptConfig, dim: usize) -> Self {
        let (m, v, m2) = match cfg.kind {
            OptKind::Sgd | OptKind::SignGd => (vec![], vec![], vec![]),
            OptKind::Lion => (vec![0.0; dim], vec![], vec![]),
            OptKind::Adam | OptKind::AdamW => (vec![0.0; dim], vec![0.0; dim], vec![]),
            OptKind::AdEMAMix => (vec![0.0; dim], vec![0.0; dim], vec![0.0; dim]),
        };
        Optimizer {
            cfg,
            t: 0,
            m,
            v,
            m2,
        }
    }

    /// Number of steps taken.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// One update of `theta` with gradient `grad` (same length as at construction), computed
    /// in f64 element by element (see the module header for f32 θ).
    pub fn step<T: Real>(&mut self, theta: &mut [T], grad: &[T]) {
        assert_eq!(theta.len(), grad.len(), "theta and grad lengths differ");
        self.t += 1;
        let c = self.cfg;
        let (lr, eps, wd) = (c.lr, c.eps, c.wd);
        match c.kind {
            OptKind::Sgd => {
                for (t, &g) in theta.iter_mut().zip(grad) {
                    let (mut th, g) = (t.to_f64(), g.to_f64());
                    let g = if wd != 0.0 { g + wd * th } else { g };
                    th -= lr * g;
                    *t = T::from_f64(th);
                }
            }
            OptKind::SignGd => {
                for (t, &g) in theta.iter_mut().zip(grad) {
                    let (mut th, g) = (t.to_f64(), g.to_f64());
                    if wd != 0.0 {
                        th *= 1.0 - lr * wd;
                    }
                    th -= lr * (g / (g.abs() + eps));
                    *t = T::from_f64(th);
                }
            }
            OptKind::Adam | OptKind::AdamW => {
                let (b1, b2) = (c.beta1, c.beta2);
                let bc1 = 1.0 - libm::pow(b1, self.t as f64);
                let bc2_sqrt = (1.0 - libm::pow(b2, self.t as f64)).sqrt();
                let step_size = lr / bc1;
                let decoupled = c.kind == OptKind::AdamW;
                for j in 0..theta.len() {
                    let (mut th, mut g) = (theta[j].to_f64(), grad[j].to_f64());
                    if wd != 0.0 {
                        if decoupled {
                            th *= 1.0 - lr * wd;
                        } else {
                            g += wd * th;
                        }
                    }
                    self.m[j] = b1 * self.m[j] + (1.0 - b1) * g;
                    self.v[j] = b2 * self.v[j] + (1.0 - b2) * g * g;
                    let denom = self.v[j].sqrt() / bc2_sqrt + eps;
                    th -= step_size * self.m[j] / denom;
                    theta[j] = T::from_f64(th);
                }
            }
            OptKind::Lion => {
                let (b1, b2) = (c.beta1, c.beta2);
                for j in 0..theta.len() {
                    let (mut th, g) = (theta[j].to_f64(), grad[j].to_f64());
                    if wd != 0.0 {
                        th *= 1.0 - lr * wd;
                    }
                    let u = b1 * self.m[j] + (1.0 - b1) * g;
                    th -= lr * sign(u);
                    self.m[j] = b2 * self.m[j] + (1.0 - b2) * g;
                    theta[j] = T::from_f64(th);
                }
            }
            OptKind::AdEMAMix => {
                let (b1, b2, b3, a) = (c.beta1, c.beta2, c.beta3, c.mix);
                let bc1 = 1.0 - libm::pow(b1, self.t as f64);
                let bc2_sqrt = (1.0 - libm::pow(b2, self.t as f64)).sqrt();
                for j in 0..theta.len() {
                    let (mut th, g) = (theta[j].to_f64(), grad[j].to_f64());
                    self.m[j] = b1 * self.m[j] + (1.0 - b1) * g;
                    self.m2[j] = b3 * self.m2[j] + (1.0 - b3) * g;
                    self.v[j] = b2 * self.v[j] + (1.0 - b2) * g * g;
                    let denom = self.v[j].sqrt() / bc2_sqrt + eps;
                    let upd = (self.m[j] / bc1 + a * self.m2[j]) / denom + wd * th;
                    th -= lr * upd;
                    theta[j] = T::from_f64(th);
                }
            }
        }
    }
}

/// torch.sign: −1, 0 or +1 (0 for ±0; NaN stays NaN).
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    //! Each optimizer against steps computed by hand from its definition.
    use super::*;

    fn run(cfg: OptConfig, theta0: &[f64], grads: &[&[f64]]) -> Vec<f64> {
        let mut th = theta0.to_vec();
        let mut o = Optimizer::new(cfg, th.len());
        for g in grads {
            o.step(&mut th, g);
        }
        th
    }

    fn close(a: &[f64], b: &[f64]) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} != {b:?}");
        }
    }

    #[test]
    fn sgd_plain_and_l2() {
        close(
            &run(
                OptConfig::new(OptKind::Sgd, 0.1),
                &[1.0, -2.0],
                &[&[0.5, 1.0]],
            ),
            &[0.95, -2.1],
        );
        let mut c = OptConfig::new(OptKind::Sgd, 0.1);
        c.wd = 0.5;
        // g + wd θ = (0.5 + 0.5, 1 − 1) = (1, 0)
        close(&run(c, &[1.0, -2.0], &[&[0.5, 1.0]]), &[0.9, -2.0]);
    }

    #[test]
    fn signgd_is_sign_and_zero_for_zero_gradient() {
        let th = run(
            OptConfig::new(OptKind::SignGd, 0.01),
            &[0.0, 0.0, 0.0, 0.0],
            &[&[3.0, -1e-3, 0.0, 1e-8]],
        );
        // 3/(3+1e-8), −1e−3/(1e−3+1e−8), 0, 1e−8/(2e−8) = 0.5
        close(
            &th,
            &[
                -0.01 * 3.0 / (3.0 + 1e-8),
                0.01 * 1e-3 / (1e-3 + 1e-8),
                0.0,
                -0.005,
            ],
        );
        assert_eq!(th[2], 0.0);
    }

    #[test]
    fn signgd_equals_adam_with_zero_betas() {
        let mut adam = OptConfig::new(OptKind::Adam, 0.01);
        adam.beta1 = 0.0;
        adam.beta2 = 0.0;
        let g1: &[f64] = &[0.3, -2.0, 0.0];
        let g2: &[f64] = &[-0.1, 4.0, 1e-3];
        let a = run(adam, &[1.0, 1.0, 1.0], &[g1, g2]);
        let s = run(
            OptConfig::new(OptKind::SignGd, 0.01),
            &[1.0, 1.0, 1.0],
            &[g1, g2],
        );
        close(&a, &s);
    }

    #[test]
    fn signgd_with_weight_decay_is_adamw_with_zero_betas() {
        let mut s = OptConfig::new(OptKind::SignGd, 0.01);
        s.wd = 0.03;
        let mut w = OptConfig::new(OptKind::AdamW, 0.01);
        (w.beta1, w.beta2, w.wd) = (0.0, 0.0, 0.03);
        let g1: &[f64] = &[0.3, -2.0, 0.0];
        let g2: &[f64] = &[-0.1, 4.0, 1e-3];
        let a = run(s, &[1.0, -1.0, 2.0], &[g1, g2]);
        let b = run(w, &[1.0, -1.0, 2.0], &[g1, g2]);
        close(&a, &b);
        // by hand, coordinate 3: decay then a zero-gradient step, then decay and a sign step
        let d = 1.0 - 0.01 * 0.03;
        close(&a[2..], &[(2.0 * d) * d - 0.01 * 1e-3 / (1e-3 + 1e-8)]);
    }

    #[test]
    fn adam_two_steps_by_hand() {
        let c = OptConfig::new(OptKind::Adam, 0.1);
        let th = run(c, &[1.0], &[&[2.0], &[-1.0]]);
        // step 1: m = 0.2, v = 0.004, bc1 = 0.1, bc2 = 0.001 -> m̂ = 2, v̂ = 4 -> Δ = 0.1·2/(2+ε)
        let th1 = 1.0 - 0.1 / 0.1 * 0.2 / ((0.004f64).sqrt() / (0.001f64).sqrt() + 1e-8);
        // step 2: m = 0.9·0.2 − 0.1 = 0.08, v = 0.999·0.004 + 0.001 = 0.004996
        let bc1 = 1.0 - 0.81;
        let bc2 = 1.0 - 0.999f64 * 0.999;
        let th2 = th1 - 0.1 / bc1 * 0.08 / ((0.004996f64).sqrt() / bc2.sqrt() + 1e-8);
        close(&th, &[th2]);
    }

    #[test]
    fn adamw_decays_before_the_step() {
        let mut c = OptConfig::new(OptKind::AdamW, 0.1);
        c.wd = 0.5;
        let th = run(c, &[2.0], &[&[1.0]]);
        // decay: 2·(1 − 0.05) = 1.9; Adam step 1 with g = 1: Δ = 0.1·1/(1+ε)
        close(&th, &[1.9 - 0.1 * 1.0 / (1.0 + 1e-8)]);
        // plain Adam's L2 adds wd·θ to the gradient instead: g = 1 + 1 = 2, Δ = 0.1·2/(2+ε)
        let mut c = OptConfig::new(OptKind::Adam, 0.1);
        c.wd = 0.5;
        close(
            &run(c, &[2.0], &[&[1.0]]),
            &[2.0 - 0.1 * 2.0 / (2.0 + 1e-8)],
        );
    }

    #[test]
    fn lion_by_hand() {
        let mut c = OptConfig::new(OptKind::Lion, 0.01);
        c.wd = 0.1;
        // step 1: m = 0 -> u = 0.1·g = (0.05, −0.2, 0); θ = θ(1 − 1e−3) − 0.01·sign(u)
        // m = 0.01·g = (0.005, −0.02, 0)
        // step 2: g = (−1, −1, 0): u = 0.9·m + 0.1·g = (0.0045 − 0.1, −0.018 − 0.1, 0)
        let th = run(
            c,
            &[1.0, 1.0, 1.0],
            &[&[0.5, -2.0, 0.0], &[-1.0, -1.0, 0.0]],
        );
        let d = 1.0 - 0.01 * 0.1;
        let a1 = 1.0 * d - 0.01;
        let b1 = 1.0 * d + 0.01;
        let c1 = 1.0 * d;
        close(&th, &[a1 * d + 0.01, b1 * d + 0.01, c1 * d]);
    }

    #[test]
    fn ademamix_by_hand() {
        let c = OptConfig::new(OptKind::AdEMAMix, 0.1);
        let th = run(c, &[1.0], &[&[2.0]]);
        // m1 = 0.2, m2 = 0.0002, v = 0.004; bc1 = 0.1, bc2 = 0.001
        let denom = (0.004f64).sqrt() / (0.001f64).sqrt() + 1e-8;
        let upd = (0.2 / 0.1 + 2.0 * 0.0002) / denom;
        close(&th, &[1.0 - 0.1 * upd]);
    }

    #[test]
    fn names_round_trip() {
        for k in OptKind::ALL {
            assert_eq!(OptKind::from_name(k.name()), Some(k));
        }
        assert_eq!(OptKind::from_name("rmsprop"), None);
    }
}
