//! The paper's three real-network experiments as steppers (one `step()` = one full-batch
//! optimizer step on an [`Mlp`]), with the observables the figures plot.
//!
//! * [`Parity`] — the Domino effect in sparse parity (PAPER.md §2, Figs 2 and 16). x ∈ {0,1}^32:
//!   `samples` integers drawn uniformly with replacement from [0, 2^32), bits MSB-first
//!   (x1 = column 0). MLP 32-`width`-K with ReLU, raw outputs regressed onto 0/1 labels by the
//!   masked MSE `L = (1/nK) Σ_ik m_ik (f_ik − y_ik)²`, Adam η = 1e−3. Tasks (outputs):
//!   - `Frequency`: [x1⊕x2, x3⊕x4]; output 1 always supervised (p1 = 1), output 2 supervised
//!     on a fresh random p2-subset of the rows each step ([`Supervision`]);
//!   - `Compositional`: [x3⊕x4, x1⊕x2, x1⊕x2⊕x3⊕x4], 80 % of the samples train;
//!   - `Independent`: [x3⊕x4, x1⊕x2, x5⊕x6⊕x7⊕x8], 80 % train.
//!
//!   Accuracy of task k = share of training rows with `[f_k(x) > 0.5] = y_k`.
//! * [`Grokking`] — modular addition (PAPER.md §6.2, Fig. 13): all p² pairs (a, b), label
//!   (a + b) mod p, a random 80 % train / 20 % test split; input concat(E[a], E[b]) with a
//!   learnable E ∈ R^{p×128} ~ N(0, 1); MLP 256-100-100-p with SiLU; softmax cross-entropy;
//!   AdamW η = 1e−2, wd = 0.03, β = (0, 0) ("SignGD") or (0.9, 0.999) ("Adam").
//!   Accuracy = share of rows whose arg-max logit is the label.
//! * [`Modular`] — modularity (PAPER.md §7, Fig. 19): 1000 points x ~ U([−1, 1]²); 99 % are
//!   task 1 (x2 := 0, supervise output 1 on x1²), 1 % task 2 (x1 := 0, output 2 on x2²);
//!   MLP 2-100-100-2 with SiLU, fully connected or block-diagonal (two private 1-50-50-1
//!   sub-networks); Adam η = 5e−4; `L = mean((f − y)² · mask)` over all 1000×2 entries, or the
//!   re-weighted `mean(ℓ·ℓ̄/mean ℓ̄)`. t_k = first step with task-k MSE < 1e−3.
//!
//! Precision (`dtype`): each run trains in f32 or f64 ([`Dtype`]); the default is the paper's
//! (PAPER.md marks float64 for Figs 2 and 13; the Fig. 19 notebook does not set it, so it runs
//! in PyTorch's default float32). The data, the network init (drawn in f64, rounded) and the
//! optimizer (f64 state, see `optim`) are shared; the MLP's products, activations and loss run
//! in the run's precision, and the observables are computed in f64 from its outputs.
//!
//! Recording convention (as `geometry`): the observables describe the current parameters
//! θ_t, t = `step_count()`, so a run's row 0 is the initial network. Each step reuses the
//! forward pass of the observables as the forward pass of its gradient, so observing is free.
//!
//! Every random draw comes from its own seeded stream (`geometry::rng_for`): data, split,
//! initial weights and the per-step supervision mask never shift each other's numbers.

pub mod kernels;
pub mod mlp;

use self::mlp::{mse_loss, softmax_ce, Activation, Embedding, Input, Mlp, MlpSpec, Real, Tape};
use super::geometry::rng_for;
use super::optim::{OptConfig, OptKind, Optimizer};
use super::SimError;
use rand::Rng;
use rand_pcg::Pcg64;

const STREAM_DATA: u64 = 0x5eed_0101;
const STREAM_SPLIT: u64 = 0x5eed_0102;
const STREAM_INIT: u64 = 0x5eed_0103;
const STREAM_MASK: u64 = 0x5eed_0104;

/// k distinct indices of 0..n, uniformly (a partial Fisher–Yates shuffle), in increasing order.
fn choose(rng: &mut Pcg64, n: usize, k: usize) -> Vec<usize> {
    let mut idx: Vec<u32> = (0..n as u32).collect();
    partial_shuffle(rng, &mut idx, k);
    let mut out: Vec<usize> = idx[..k].iter().map(|&i| i as usize).collect();
    out.sort_unstable();
    out
}

/// Moves a uniformly random k-subset of `idx` to its front (any starting order will do).
fn partial_shuffle(rng: &mut Pcg64, idx: &mut [u32], k: usize) {
    let n = idx.len() as u32;
    for i in 0..k {
        let j = rng.random_range(i as u32..n) as usize;
        idx.swap(i, j);
    }
}

fn check_opt(opt: &OptConfig) -> Result<(), SimError> {
    if !(opt.lr.is_finite() && opt.lr > 0.0) {
        return Err(SimError::Invalid(format!(
            "the learning rate must be a positive number, got {}",
            opt.lr
        )));
    }
    Ok(())
}

fn finite_or(step: u32, values: &[f64], core: &Engine) -> Result<(), SimError> {
    let s: f64 = values.iter().sum::<f64>() + core.theta_sum();
    if s.is_finite() {
        Ok(())
    } else {
        Err(SimError::NonFinite { step })
    }
}

/// The element type a run trains in (link key `dtype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
}

impl Dtype {
    pub const ALL: [Dtype; 2] = [Dtype::F32, Dtype::F64];

    /// The link name: "f32" / "f64".
    pub const fn name(self) -> &'static str {
        match self {
            Dtype::F32 => f32::NAME,
            Dtype::F64 => f64::NAME,
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == s)
    }
}

/// Everything of a run that lives in its precision `T`: the network, its tapes, the training
/// inputs/targets/mask as the loss sees them, ∂L/∂f and the gradient.
#[derive(Clone, Debug)]
struct Core<T: Real> {
    net: Mlp<T>,
    tape: Tape<T>,
    /// The second forward pass of grokking's test pairs.
    test_tape: Tape<T>,
    /// Dense input rows (empty for token inputs).
    x: Vec<T>,
    /// MSE targets and supervision mask (empty for cross-entropy).
    y: Vec<T>,
    mask: Vec<T>,
    d_out: Vec<T>,
    grad: Vec<T>,
}

fn to_real<T: Real>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

impl<T: Real> Core<T> {
    fn new(
        spec: MlpSpec,
        seed: u64,
        x: &[f64],
        y: &[f64],
        mask: &[f64],
        outputs: usize,
    ) -> Result<Self, SimError> {
        let net = Mlp::new(spec, &mut rng_for(seed, STREAM_INIT))?;
        Ok(Core {
            grad: vec![T::ZERO; net.n_params()],
            d_out: vec![T::ZERO; outputs],
            net,
            tape: Tape::default(),
            test_tape: Tape::default(),
            x: to_real(x),
            y: to_real(y),
            mask: to_real(mask),
        })
    }

    /// One optimizer step on the masked (re-weighted) MSE of the kept forward pass.
    fn mse_step(&mut self, reweight: bool, opt: &mut Optimizer) {
        mse_loss(
            self.tape.output(),
            &self.y,
            &self.mask,
            reweight,
            &mut self.d_out,
        );
        let input = Input::Dense(&self.x);
        self.net
            .backward(input, &mut self.tape, &self.d_out, &mut self.grad);
        opt.step(self.net.theta_mut(), &self.grad);
    }
}

/// A run's [`Core`] in its precision.
#[derive(Clone, Debug)]
enum Engine {
    F32(Core<f32>),
    F64(Core<f64>),
}

/// Runs `$body` with `$c` bound to the engine's core (`&Core<f32>` or `&Core<f64>`): the body
/// is written once and compiled for both precisions.
macro_rules! with_core {
    ($engine:expr, $c:ident => $body:expr) => {
        match $engine {
            Engine::F32($c) => $body,
            Engine::F64($c) => $body,
        }
    };
}

impl Engine {
    fn new(
        dtype: Dtype,
        spec: MlpSpec,
        seed: u64,
        x: &[f64],
        y: &[f64],
        mask: &[f64],
        outputs: usize,
    ) -> Result<Self, SimError> {
        Ok(match dtype {
            Dtype::F32 => Engine::F32(Core::new(spec, seed, x, y, mask, outputs)?),
            Dtype::F64 => Engine::F64(Core::new(spec, seed, x, y, mask, outputs)?),
        })
    }

    fn n_params(&self) -> usize {
        with_core!(self, c => c.net.n_params())
    }

    /// Σθ in f64 (only its finiteness is used).
    fn theta_sum(&self) -> f64 {
        with_core!(self, c => c.net.theta().iter().map(|x| x.to_f64()).sum::<f64>())
    }

    fn mse_step(&mut self, reweight: bool, opt: &mut Optimizer) {
        with_core!(self, c => c.mse_step(reweight, opt))
    }

    #[cfg(test)]
    fn x(&self) -> Vec<f64> {
        with_core!(self, c => c.x.iter().map(|x| x.to_f64()).collect())
    }

    #[cfg(test)]
    fn mask(&self) -> Vec<f64> {
        with_core!(self, c => c.mask.iter().map(|x| x.to_f64()).collect())
    }

    #[cfg(test)]
    fn theta(&self) -> Vec<f64> {
        with_core!(self, c => c.net.theta().iter().map(|x| x.to_f64()).collect())
    }
}

/// Task 2's supervision (`Frequency` only) into column 1 of `mask` (n × k): rows are permuted
/// in place in `order`, the first `rare` supervised, or each row with probability p2.
#[allow(clippy::too_many_arguments)]
fn draw_mask<T: Real>(
    rng: &mut Pcg64,
    order: &mut [u32],
    rare: usize,
    supervision: Supervision,
    p2: f64,
    k: usize,
    mask: &mut [T],
) {
    let n = order.len();
    match supervision {
        Supervision::Subset | Supervision::Fixed => {
            partial_shuffle(rng, order, rare);
            for i in 0..n {
                mask[i * k + 1] = T::ZERO;
            }
            for &r in &order[..rare] {
                mask[r as usize * k + 1] = T::ONE;
            }
        }
        Supervision::Bernoulli => {
            for i in 0..n {
                let u: f64 = rng.random();
                mask[i * k + 1] = if u < p2 { T::ONE } else { T::ZERO };
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// Sparse parity (Fig. 2, Fig. 16)

/// Which sparse-parity experiment (PAPER.md §2.2–2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParityTask {
    /// [x1⊕x2, x3⊕x4], task 2 at frequency p2 (Fig. 2 top-left and bottom).
    Frequency,
    /// [x3⊕x4, x1⊕x2, x1⊕x2⊕x3⊕x4] (Fig. 2 top-right, Fig. 16 top).
    Compositional,
    /// [x3⊕x4, x1⊕x2, x5⊕x6⊕x7⊕x8] (Fig. 16 bottom).
    Independent,
}

impl ParityTask {
    /// The input bits (0-based columns) whose XOR is each output.
    pub fn bits(self) -> &'static [&'static [usize]] {
        match self {
            ParityTask::Frequency => &[&[0, 1], &[2, 3]],
            ParityTask::Compositional => &[&[2, 3], &[0, 1], &[0, 1, 2, 3]],
            ParityTask::Independent => &[&[2, 3], &[0, 1], &[4, 5, 6, 7]],
        }
    }

    /// Labels of the outputs, e.g. "x1⊕x2".
    pub fn names(self) -> Vec<String> {
        self.bits()
            .iter()
            .map(|b| {
                b.iter()
                    .map(|i| format!("x{}", i + 1))
                    .collect::<Vec<_>>()
                    .join("⊕")
            })
            .collect()
    }
}

/// How the rare task of the `Frequency` experiment gets frequency p2 (PAPER.md §2.2 lists the
/// readings). The official code zeroes task 2's mask on the first ⌊n(1 − p2)⌋ rows of a batch
/// that it re-permutes every step, so each step a fresh uniformly random subset of exactly
/// n − ⌊n(1 − p2)⌋ rows is supervised: `Subset` does exactly that and is the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Supervision {
    /// A fresh random subset of exactly n − ⌊n(1 − p2)⌋ rows each step (the official code).
    Subset,
    /// Each row independently with probability p2, fresh each step.
    Bernoulli,
    /// One random subset of that size, drawn once and kept (the same rows every step).
    Fixed,
}

/// Everything that defines a sparse-parity run. `Default` is Fig. 2 with p2 = 0.1.
#[derive(Clone, Debug, PartialEq)]
pub struct ParityParams {
    pub task: ParityTask,
    /// Frequency p2 ∈ [0, 1] of task 2 (`Frequency` only; the paper sweeps 1, 0.5, 0.2, 0.1,
    /// 0.05). The other outputs are always supervised.
    pub p2: f64,
    /// How task 2's p2-subset is drawn (`Frequency` only).
    pub supervision: Supervision,
    /// Number of samples drawn (10 000); duplicates are possible, as in the paper.
    pub samples: usize,
    /// Share of the samples used for training (and for the accuracies): 1.0 for `Frequency`,
    /// 0.8 for the other two in the paper.
    pub train_frac: f64,
    /// Hidden width (50).
    pub width: usize,
    /// Adam, η = 1e−3, β = (0.9, 0.999) in the paper; Adam(0, 0) is its SignGD companion plot.
    pub opt: OptConfig,
    /// f64 (PAPER.md: Fig. 2 runs in float64).
    pub dtype: Dtype,
    pub seed: u64,
}

impl Default for ParityParams {
    fn default() -> Self {
        ParityParams::frequency(0.1)
    }
}

impl ParityParams {
    /// Fig. 2 (top-left, bottom): two tasks, the second at frequency `p2`, all 10 000 samples.
    pub fn frequency(p2: f64) -> Self {
        ParityParams {
            task: ParityTask::Frequency,
            p2,
            supervision: Supervision::Subset,
            samples: 10_000,
            train_frac: 1.0,
            width: 50,
            opt: OptConfig::new(OptKind::Adam, 1e-3),
            dtype: Dtype::F64,
            seed: 0,
        }
    }

    /// Fig. 2 top-right / Fig. 16 top (1000 steps in the paper).
    pub fn compositional() -> Self {
        ParityParams {
            task: ParityTask::Compositional,
            p2: 1.0,
            train_frac: 0.8,
            ..ParityParams::frequency(1.0)
        }
    }

    /// Fig. 16 bottom (3000 steps in the paper).
    pub fn independent() -> Self {
        ParityParams {
            task: ParityTask::Independent,
            ..ParityParams::compositional()
        }
    }

    /// Frequency p_k of each output.
    pub fn frequencies(&self) -> Vec<f64> {
        let k = self.task.bits().len();
        let mut p = vec![1.0; k];
        if self.task == ParityTask::Frequency {
            p[1] = self.p2;
        }
        p
    }
}

/// A running sparse-parity experiment.
#[derive(Clone, Debug)]
pub struct Parity {
    pub params: ParityParams,
    /// The network and the training rows (n × 32), labels (n × K) and supervision mask m
    /// (n × K, of the next step) in the run's precision.
    core: Engine,
    opt: Optimizer,
    /// The labels in f64, for the observables.
    y: Vec<f64>,
    /// Task 2's subset (`Frequency`): rows are permuted in place, the first `rare` supervised.
    order: Vec<u32>,
    rare: usize,
    rng_mask: Pcg64,
    step: u32,
    loss: f64,
    task_loss: Vec<f64>,
    acc: Vec<f64>,
}

impl Parity {
    pub fn new(params: ParityParams) -> Result<Self, SimError> {
        check_opt(&params.opt)?;
        let n_train = (params.samples as f64 * params.train_frac).floor() as usize;
        if !(params.train_frac > 0.0 && params.train_frac <= 1.0) || n_train == 0 {
            return Err(SimError::Invalid(format!(
                "need at least one training row: samples = {}, train share = {}",
                params.samples, params.train_frac
            )));
        }
        if !(0.0..=1.0).contains(&params.p2) || params.width == 0 {
            return Err(SimError::Invalid(format!(
                "p2 must lie in [0, 1] and the width be positive (p2 = {}, width = {})",
                params.p2, params.width
            )));
        }
        let bits = params.task.bits();
        let k = bits.len();
        let mut data = rng_for(params.seed, STREAM_DATA);
        let ints: Vec<u32> = (0..params.samples).map(|_| data.random()).collect();
        let rows = if n_train == params.samples {
            (0..n_train).collect()
        } else {
            choose(
                &mut rng_for(params.seed, STREAM_SPLIT),
                params.samples,
                n_train,
            )
        };
        let mut x = Vec::with_capacity(n_train * 32);
        let mut y = Vec::with_capacity(n_train * k);
        for &r in &rows {
            let v = ints[r];
            let bit = |j: usize| (v >> (31 - j)) & 1;
            x.extend((0..32).map(|j| bit(j) as f64));
            y.extend(
                bits.iter()
                    .map(|b| b.iter().fold(0, |acc, &j| acc ^ bit(j)) as f64),
            );
        }
        let core = Engine::new(
            params.dtype,
            MlpSpec::dense(vec![32, params.width, k], Activation::Relu),
            params.seed,
            &x,
            &y,
            &vec![1.0; n_train * k],
            n_train * k,
        )?;
        // ⌊n(1 − p2)⌋ rows unsupervised, as `mask[:int(N·(1−p2)), 1] = 0`
        let rare = n_train - ((n_train as f64 * (1.0 - params.p2)).floor() as usize).min(n_train);
        let mut p = Parity {
            opt: Optimizer::new(params.opt, core.n_params()),
            core,
            order: (0..n_train as u32).collect(),
            rare,
            rng_mask: rng_for(params.seed, STREAM_MASK),
            y,
            step: 0,
            loss: 0.0,
            task_loss: vec![0.0; k],
            acc: vec![0.0; k],
            params,
        };
        if p.params.task == ParityTask::Frequency && p.params.supervision == Supervision::Fixed {
            p.draw_mask();
        }
        p.observe();
        finite_or(0, &[p.loss], &p.core)?;
        Ok(p)
    }

    /// Task 2's supervision for the next step (`Frequency` only).
    fn draw_mask(&mut self) {
        let k = self.params.task.bits().len();
        let (rng, order, rare) = (&mut self.rng_mask, &mut self.order, self.rare);
        let (sup, p2) = (self.params.supervision, self.params.p2);
        with_core!(&mut self.core, c => draw_mask(rng, order, rare, sup, p2, k, &mut c.mask));
    }

    /// Forward pass at the current θ, then the observables.
    fn observe(&mut self) {
        let k = self.task_loss.len();
        let mut sq = vec![0.0; k];
        let mut hit = vec![0usize; k];
        let y = &self.y;
        with_core!(&mut self.core, c => {
            let f = c.net.forward(Input::Dense(&c.x), &mut c.tape);
            for (fr, yr) in f.chunks_exact(k).zip(y.chunks_exact(k)) {
                for j in 0..k {
                    let fj = fr[j].to_f64();
                    let r = fj - yr[j];
                    sq[j] += r * r;
                    if (fj > 0.5) == (yr[j] > 0.5) {
                        hit[j] += 1;
                    }
                }
            }
        });
        let n = (self.y.len() / k) as f64;
        let p = self.params.frequencies();
        for j in 0..k {
            self.task_loss[j] = sq[j] / n;
            self.acc[j] = hit[j] as f64 / n;
        }
        self.loss = (0..k).map(|j| p[j] * self.task_loss[j]).sum::<f64>() / k as f64;
    }

    /// One full-batch Adam step θ_t → θ_{t+1} (with a fresh task-2 subset), then the
    /// observables at θ_{t+1}.
    pub fn step(&mut self) -> Result<(), SimError> {
        if self.params.task == ParityTask::Frequency
            && self.params.supervision != Supervision::Fixed
        {
            self.draw_mask();
        }
        self.core.mse_step(false, &mut self.opt);
        self.step += 1;
        self.observe();
        finite_or(self.step, &[self.loss], &self.core)
    }

    /// Updates taken so far.
    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// The expected training objective (1/K) Σ_k p_k MSE_k at the current θ (the masked MSE
    /// averaged over the supervision draws).
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// Per-task MSE over the training rows (every row, supervised this step or not).
    pub fn task_losses(&self) -> Vec<f64> {
        self.task_loss.clone()
    }

    /// Per-task accuracy `[f_k(x) > 0.5] = y_k` over the training rows.
    pub fn accuracies(&self) -> Vec<f64> {
        self.acc.clone()
    }

    /// Output labels, e.g. ["x1⊕x2", "x3⊕x4"].
    pub fn task_names(&self) -> Vec<String> {
        self.params.task.names()
    }

    /// Number of network parameters.
    pub fn n_params(&self) -> usize {
        self.core.n_params()
    }
}

// ------------------------------------------------------------------------------------------
// Grokking (Fig. 13)

/// Everything that defines a grokking run. `Default` is Fig. 13's "SignGD" column: p = 59,
/// AdamW η = 1e−2, wd = 0.03, β = (0, 0).
#[derive(Clone, Debug, PartialEq)]
pub struct GrokkingParams {
    /// The modulus p (59): vocabulary and number of classes. A smaller p does not grok sooner
    /// (fewer training pairs: at p = 23 or 31 SignGD needs > 2000 steps); a narrower network
    /// does: `embed_dim` 32 and `hidden` [64, 64] reach 99 % test accuracy at p = 59 after
    /// ≈ 450–1050 SignGD steps (Adam ≈ 2400 or more), at half the cost per step.
    pub modulus: usize,
    /// Share of the p² pairs used for training (0.8: 2784 of 3481 pairs at p = 59).
    pub train_frac: f64,
    /// Width of one embedding vector (128), so the MLP input is 2·`embed_dim`.
    pub embed_dim: usize,
    /// Hidden widths ([100, 100]).
    pub hidden: Vec<usize>,
    /// AdamW with β = (0, 0) ("SignGD") or (0.9, 0.999) ("Adam"), η = 1e−2, wd ∈ {0, 0.03}.
    pub opt: OptConfig,
    /// f64 (PAPER.md: Fig. 13 runs in float64).
    pub dtype: Dtype,
    pub seed: u64,
}

impl Default for GrokkingParams {
    fn default() -> Self {
        GrokkingParams::signgd()
    }
}

impl GrokkingParams {
    /// Fig. 13's left column: AdamW with β = (0, 0).
    pub fn signgd() -> Self {
        let mut opt = OptConfig::new(OptKind::AdamW, 1e-2);
        opt.wd = 0.03;
        opt.beta1 = 0.0;
        opt.beta2 = 0.0;
        GrokkingParams {
            modulus: 59,
            train_frac: 0.8,
            embed_dim: 128,
            hidden: vec![100, 100],
            opt,
            dtype: Dtype::F64,
            seed: 0,
        }
    }

    /// Fig. 13's right column: AdamW with β = (0.9, 0.999).
    pub fn adam() -> Self {
        let mut p = GrokkingParams::signgd();
        p.opt.beta1 = 0.9;
        p.opt.beta2 = 0.999;
        p
    }
}

/// A running grokking experiment. Tasks: 0 = train, 1 = test.
#[derive(Clone, Debug)]
pub struct Grokking {
    pub params: GrokkingParams,
    core: Engine,
    opt: Optimizer,
    train_tokens: Vec<u32>,
    train_labels: Vec<u32>,
    test_tokens: Vec<u32>,
    test_labels: Vec<u32>,
    step: u32,
    loss: [f64; 2],
    acc: [f64; 2],
}

/// Share of rows whose first arg-max logit is the label.
fn argmax_accuracy<T: Real>(logits: &[T], classes: usize, labels: &[u32]) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    let hits = logits
        .chunks_exact(classes)
        .zip(labels)
        .filter(|(row, &y)| {
            let mut best = 0;
            for c in 1..classes {
                if row[c] > row[best] {
                    best = c;
                }
            }
            best == y as usize
        })
        .count();
    hits as f64 / labels.len() as f64
}

impl Grokking {
    pub fn new(params: GrokkingParams) -> Result<Self, SimError> {
        check_opt(&params.opt)?;
        let p = params.modulus;
        let pairs = p * p;
        let n_train = (pairs as f64 * params.train_frac).floor() as usize;
        if !(2..=1 << 12).contains(&p) || params.embed_dim == 0 || params.hidden.contains(&0) {
            return Err(SimError::Invalid(format!(
                "need a modulus in 2..=4096 and positive widths (p = {p})"
            )));
        }
        if !(params.train_frac > 0.0 && params.train_frac <= 1.0) || n_train == 0 {
            return Err(SimError::Invalid(format!(
                "need at least one training pair (train share {})",
                params.train_frac
            )));
        }
        let train = choose(&mut rng_for(params.seed, STREAM_SPLIT), pairs, n_train);
        let mut is_train = vec![false; pairs];
        train.iter().for_each(|&q| is_train[q] = true);
        let (mut train_tokens, mut train_labels) = (vec![], vec![]);
        let (mut test_tokens, mut test_labels) = (vec![], vec![]);
        for q in 0..pairs {
            let (a, b) = (q / p, q % p);
            let (tok, lab) = if is_train[q] {
                (&mut train_tokens, &mut train_labels)
            } else {
                (&mut test_tokens, &mut test_labels)
            };
            tok.extend([a as u32, b as u32]);
            lab.push(((a + b) % p) as u32);
        }
        let mut widths = vec![2 * params.embed_dim];
        widths.extend(&params.hidden);
        widths.push(p);
        let spec = MlpSpec {
            embedding: Some(Embedding {
                vocab: p,
                dim: params.embed_dim,
                tokens: 2,
            }),
            ..MlpSpec::dense(widths, Activation::Silu)
        };
        let core = Engine::new(params.dtype, spec, params.seed, &[], &[], &[], n_train * p)?;
        let mut g = Grokking {
            opt: Optimizer::new(params.opt, core.n_params()),
            core,
            train_tokens,
            train_labels,
            test_tokens,
            test_labels,
            step: 0,
            loss: [0.0; 2],
            acc: [0.0; 2],
            params,
        };
        g.observe();
        finite_or(0, &g.loss, &g.core)?;
        Ok(g)
    }

    fn observe(&mut self) {
        let p = self.params.modulus;
        let (loss, acc) = (&mut self.loss, &mut self.acc);
        let (train_tokens, train_labels) = (&self.train_tokens, &self.train_labels);
        let (test_tokens, test_labels) = (&self.test_tokens, &self.test_labels);
        with_core!(&mut self.core, c => {
            let f = c.net.forward(Input::Tokens(train_tokens), &mut c.tape);
            // the gradient of the next step comes with the training loss
            loss[0] = softmax_ce(f, p, train_labels, Some(&mut c.d_out)).to_f64();
            acc[0] = argmax_accuracy(f, p, train_labels);
            if test_labels.is_empty() {
                loss[1] = 0.0;
                acc[1] = 0.0;
            } else {
                let f = c.net.forward(Input::Tokens(test_tokens), &mut c.test_tape);
                loss[1] = softmax_ce(f, p, test_labels, None).to_f64();
                acc[1] = argmax_accuracy(f, p, test_labels);
            }
        });
    }

    /// One full-batch AdamW step on the training pairs, then the observables.
    pub fn step(&mut self) -> Result<(), SimError> {
        let (tokens, opt) = (&self.train_tokens, &mut self.opt);
        with_core!(&mut self.core, c => {
            c.net
                .backward(Input::Tokens(tokens), &mut c.tape, &c.d_out, &mut c.grad);
            opt.step(c.net.theta_mut(), &c.grad);
        });
        self.step += 1;
        self.observe();
        finite_or(self.step, &self.loss, &self.core)
    }

    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// Training cross-entropy at the current θ.
    pub fn loss(&self) -> f64 {
        self.loss[0]
    }

    /// [train, test] cross-entropy.
    pub fn task_losses(&self) -> Vec<f64> {
        self.loss.to_vec()
    }

    /// [train, test] accuracy.
    pub fn accuracies(&self) -> Vec<f64> {
        self.acc.to_vec()
    }

    pub fn task_names(&self) -> Vec<String> {
        Self::TASKS.map(String::from).to_vec()
    }

    /// The two tasks' names: training and test accuracy.
    pub const TASKS: [&'static str; 2] = ["train", "test"];

    /// Training and test pairs.
    pub fn split_sizes(&self) -> (usize, usize) {
        (self.train_labels.len(), self.test_labels.len())
    }

    /// Number of network parameters.
    pub fn n_params(&self) -> usize {
        self.core.n_params()
    }
}

// ------------------------------------------------------------------------------------------
// Modularity (Fig. 19)

/// Everything that defines a Fig. 19 run. `Default`: the non-modular network.
#[derive(Clone, Debug, PartialEq)]
pub struct ModularParams {
    /// Number of points (1000).
    pub points: usize,
    /// Share of the points in task 1 (0.99; the rest are task 2). Both tasks need ≥ 1 point.
    pub p1: f64,
    /// Hidden width (100), even when `modular`.
    pub width: usize,
    /// Block-diagonal masks: two private 1-(width/2)-(width/2)-1 sub-networks.
    pub modular: bool,
    /// Train on `mean(ℓ·ℓ̄/mean ℓ̄)` instead of `mean(ℓ)` (the notebook's re-weighting).
    pub reweight: bool,
    /// A task is learned when its MSE falls below this (1e−3).
    pub threshold: f64,
    /// Adam, η = 5e−4.
    pub opt: OptConfig,
    /// f32: the Fig. 19 notebook does not set float64 (PAPER.md marks it for Figs 2 and 13
    /// only), so it runs in PyTorch's default float32.
    pub dtype: Dtype,
    pub seed: u64,
}

impl Default for ModularParams {
    fn default() -> Self {
        ModularParams {
            points: 1000,
            p1: 0.99,
            width: 100,
            modular: false,
            reweight: false,
            threshold: 1e-3,
            opt: OptConfig::new(OptKind::Adam, 5e-4),
            dtype: Dtype::F32,
            seed: 0,
        }
    }
}

/// A running Fig. 19 experiment. Tasks: 0 = x1 ↦ x1² (frequent), 1 = x2 ↦ x2² (rare).
#[derive(Clone, Debug)]
pub struct Modular {
    pub params: ModularParams,
    /// The network and the points, targets and mask in the run's precision.
    core: Engine,
    opt: Optimizer,
    /// Targets and mask in f64, for the observables.
    y: Vec<f64>,
    mask: Vec<f64>,
    /// Points per task.
    count: [usize; 2],
    step: u32,
    loss: f64,
    task_loss: [f64; 2],
    initial_loss: [f64; 2],
    within: [f64; 2],
    learned: [Option<u32>; 2],
}

impl Modular {
    pub fn new(params: ModularParams) -> Result<Self, SimError> {
        check_opt(&params.opt)?;
        let n = params.points;
        let n1 = (n as f64 * params.p1).round() as usize;
        if !(0.0..=1.0).contains(&params.p1) || n1 == 0 || n1 >= n {
            return Err(SimError::Invalid(format!(
                "both tasks need points: {n} points with p1 = {} give {n1} to task 1",
                params.p1
            )));
        }
        if params.threshold.is_nan() || params.threshold <= 0.0 {
            return Err(SimError::Invalid(format!(
                "the learned threshold must be positive, got {}",
                params.threshold
            )));
        }
        let mut data = rng_for(params.seed, STREAM_DATA);
        let mut x: Vec<f64> = (0..2 * n)
            .map(|_| 2.0 * data.random::<f64>() - 1.0)
            .collect();
        let mut task1 = vec![false; n];
        for i in choose(&mut rng_for(params.seed, STREAM_SPLIT), n, n1) {
            task1[i] = true;
        }
        let mut y = vec![0.0; 2 * n];
        let mut mask = vec![0.0; 2 * n];
        for i in 0..n {
            // task 1 keeps x1 (x2 := 0) and supervises output 1; task 2 the other way round
            let keep = if task1[i] { 0 } else { 1 };
            x[2 * i + 1 - keep] = 0.0;
            for j in 0..2 {
                y[2 * i + j] = x[2 * i + j] * x[2 * i + j];
            }
            mask[2 * i + keep] = 1.0;
        }
        let mut spec = MlpSpec::dense(vec![2, params.width, params.width, 2], Activation::Silu);
        if params.modular {
            spec = spec.block_diagonal(2)?;
        }
        let core = Engine::new(params.dtype, spec, params.seed, &x, &y, &mask, 2 * n)?;
        let mut m = Modular {
            opt: Optimizer::new(params.opt, core.n_params()),
            core,
            y,
            mask,
            count: [n1, n - n1],
            step: 0,
            loss: 0.0,
            task_loss: [0.0; 2],
            initial_loss: [0.0; 2],
            within: [0.0; 2],
            learned: [None; 2],
            params,
        };
        m.observe();
        m.initial_loss = m.task_loss;
        finite_or(0, &[m.loss], &m.core)?;
        Ok(m)
    }

    fn observe(&mut self) {
        let tol = self.params.threshold;
        let mut sq = [0.0; 2];
        let mut hit = [0usize; 2];
        let (y, mask) = (&self.y, &self.mask);
        with_core!(&mut self.core, c => {
            let f = c.net.forward(Input::Dense(&c.x), &mut c.tape);
            for ((fr, yr), mr) in f.chunks_exact(2).zip(y.chunks_exact(2)).zip(mask.chunks_exact(2)) {
                let k = if mr[0] > 0.0 { 0 } else { 1 };
                let r = fr[k].to_f64() - yr[k];
                sq[k] += r * r;
                if r * r < tol {
                    hit[k] += 1;
                }
            }
        });
        for k in 0..2 {
            self.task_loss[k] = sq[k] / self.count[k] as f64;
            self.within[k] = hit[k] as f64 / self.count[k] as f64;
            if self.learned[k].is_none() && self.task_loss[k] < tol {
                self.learned[k] = Some(self.step);
            }
        }
        self.loss = (sq[0] + sq[1]) / self.y.len() as f64;
    }

    /// One full-batch Adam step on the masked (or re-weighted) MSE, then the observables.
    pub fn step(&mut self) -> Result<(), SimError> {
        self.core.mse_step(self.params.reweight, &mut self.opt);
        self.step += 1;
        self.observe();
        finite_or(self.step, &[self.loss], &self.core)
    }

    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// The plain objective `mean((f − y)² · mask)` over all entries at the current θ (also
    /// when training on the re-weighted loss).
    pub fn loss(&self) -> f64 {
        self.loss
    }

    /// [task 1, task 2] MSE, each over its own points and its own output.
    pub fn task_losses(&self) -> Vec<f64> {
        self.task_loss.to_vec()
    }

    /// Per task, the share of its points whose squared error is below the threshold.
    pub fn accuracies(&self) -> Vec<f64> {
        self.within.to_vec()
    }

    /// t_k: the first step at which task k's MSE was below the threshold (None: not yet).
    pub fn learned_at(&self) -> [Option<u32>; 2] {
        self.learned
    }

    /// Progress of each task on a log scale, `ln(MSE_k(0)/MSE_k)/ln(MSE_k(0)/threshold)`
    /// clipped to [0, 1]: 0 at the start, 1 once the task is learned.
    pub fn levels(&self) -> Vec<f64> {
        let tol = self.params.threshold;
        (0..2)
            .map(|k| {
                let (l0, l) = (self.initial_loss[k], self.task_loss[k]);
                if l0 <= tol || l <= tol {
                    1.0
                } else {
                    (libm::log(l0 / l) / libm::log(l0 / tol)).clamp(0.0, 1.0)
                }
            })
            .collect()
    }

    pub fn task_names(&self) -> Vec<String> {
        Self::TASKS.map(String::from).to_vec()
    }

    /// The two tasks' names: the frequent x1 ↦ x1², the rare x2 ↦ x2².
    pub const TASKS: [&'static str; 2] = ["x1²", "x2²"];

    /// Number of network parameters.
    pub fn n_params(&self) -> usize {
        self.core.n_params()
    }
}

// ------------------------------------------------------------------------------------------
// One closed enum over the three, for the `Simulation` dispatch.

/// Parameters of one real-network run.
#[derive(Clone, Debug, PartialEq)]
pub enum NetParams {
    Parity(ParityParams),
    Grokking(GrokkingParams),
    Modular(ModularParams),
}

/// A running real-network experiment.
#[derive(Clone, Debug)]
pub enum Net {
    Parity(Parity),
    Grokking(Grokking),
    Modular(Modular),
}

impl Net {
    pub fn new(params: NetParams) -> Result<Self, SimError> {
        Ok(match params {
            NetParams::Parity(p) => Net::Parity(Parity::new(p)?),
            NetParams::Grokking(p) => Net::Grokking(Grokking::new(p)?),
            NetParams::Modular(p) => Net::Modular(Modular::new(p)?),
        })
    }

    /// One full-batch optimizer step.
    pub fn step(&mut self) -> Result<(), SimError> {
        match self {
            Net::Parity(n) => n.step(),
            Net::Grokking(n) => n.step(),
            Net::Modular(n) => n.step(),
        }
    }

    pub fn step_count(&self) -> u32 {
        match self {
            Net::Parity(n) => n.step_count(),
            Net::Grokking(n) => n.step_count(),
            Net::Modular(n) => n.step_count(),
        }
    }

    /// Number of tasks (columns).
    pub fn n(&self) -> usize {
        self.task_names().len()
    }

    pub fn loss(&self) -> f64 {
        match self {
            Net::Parity(n) => n.loss(),
            Net::Grokking(n) => n.loss(),
            Net::Modular(n) => n.loss(),
        }
    }

    pub fn task_losses(&self) -> Vec<f64> {
        match self {
            Net::Parity(n) => n.task_losses(),
            Net::Grokking(n) => n.task_losses(),
            Net::Modular(n) => n.task_losses(),
        }
    }

    pub fn accuracies(&self) -> Vec<f64> {
        match self {
            Net::Parity(n) => n.accuracies(),
            Net::Grokking(n) => n.accuracies(),
            Net::Modular(n) => n.accuracies(),
        }
    }

    /// Skill levels in [0, 1] for the dominoes: the accuracies for parity and grokking, the
    /// log-scale progress towards the threshold for the regression tasks of Fig. 19.
    pub fn levels(&self) -> Vec<f64> {
        match self {
            Net::Modular(n) => n.levels(),
            _ => self.accuracies(),
        }
    }

    pub fn task_names(&self) -> Vec<String> {
        match self {
            Net::Parity(n) => n.task_names(),
            Net::Grokking(n) => n.task_names(),
            Net::Modular(n) => n.task_names(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_gives_distinct_sorted_indices() {
        let mut r = rng_for(3, 9);
        let c = choose(&mut r, 100, 40);
        assert_eq!(c.len(), 40);
        assert!(c.windows(2).all(|w| w[0] < w[1]) && c[39] < 100);
        assert_eq!(choose(&mut r, 5, 5), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn parity_data_bits_and_labels() {
        let p = Parity::new(ParityParams {
            samples: 200,
            ..ParityParams::compositional()
        })
        .unwrap();
        let x = p.core.x();
        assert_eq!(x.len(), 160 * 32);
        for (xr, yr) in x.chunks_exact(32).zip(p.y.chunks_exact(3)) {
            let b = |j: usize| xr[j] as u32;
            assert_eq!(yr[0] as u32, b(2) ^ b(3));
            assert_eq!(yr[1] as u32, b(0) ^ b(1));
            assert_eq!(yr[2] as u32, b(0) ^ b(1) ^ b(2) ^ b(3));
        }
        assert_eq!(p.task_names(), ["x3⊕x4", "x1⊕x2", "x1⊕x2⊕x3⊕x4"]);
        // every bit column is a fair coin
        for j in 0..32 {
            let ones: f64 = x.iter().skip(j).step_by(32).sum();
            assert!((ones / 160.0 - 0.5).abs() < 0.15, "bit {j}");
        }
    }

    #[test]
    fn frequency_supervision_readings() {
        for (sup, exact) in [
            (Supervision::Subset, true),
            (Supervision::Fixed, true),
            (Supervision::Bernoulli, false),
        ] {
            let mut p = Parity::new(ParityParams {
                samples: 1000,
                supervision: sup,
                ..ParityParams::frequency(0.1)
            })
            .unwrap();
            let mut first = None;
            for _ in 0..3 {
                p.step().unwrap();
                let mask = p.core.mask();
                let col: Vec<f64> = mask.iter().skip(1).step_by(2).copied().collect();
                let count: f64 = col.iter().sum();
                let ones: f64 = mask.iter().step_by(2).sum();
                assert_eq!(ones, 1000.0, "task 1 is always supervised");
                if exact {
                    assert_eq!(count, 100.0, "{sup:?}: exactly n − ⌊0.9 n⌋ rows");
                } else {
                    assert!(
                        (count - 100.0).abs() < 40.0,
                        "Bernoulli(0.1) of 1000: {count}"
                    );
                }
                match &first {
                    None => first = Some(col),
                    Some(f) => assert_eq!(*f == col, sup == Supervision::Fixed, "{sup:?}"),
                }
            }
        }
    }

    #[test]
    fn grokking_split_and_labels() {
        let g = Grokking::new(GrokkingParams {
            modulus: 7,
            embed_dim: 4,
            hidden: vec![8],
            ..GrokkingParams::signgd()
        })
        .unwrap();
        assert_eq!(g.split_sizes(), (39, 10));
        assert_eq!(GrokkingParams::default().modulus * 59 * 4 / 5, 2784);
        for (t, &l) in g.train_tokens.chunks_exact(2).zip(&g.train_labels) {
            assert_eq!((t[0] + t[1]) % 7, l);
        }
        let mut all: Vec<&[u32]> = g
            .train_tokens
            .chunks_exact(2)
            .chain(g.test_tokens.chunks_exact(2))
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 49, "train and test partition the pairs");
    }

    #[test]
    fn modular_data_and_initial_levels() {
        let m = Modular::new(ModularParams {
            dtype: Dtype::F64,
            ..ModularParams::default()
        })
        .unwrap();
        assert_eq!(m.count, [990, 10]);
        let x = m.core.x();
        for ((x, y), mk) in x
            .chunks_exact(2)
            .zip(m.y.chunks_exact(2))
            .zip(m.mask.chunks_exact(2))
        {
            assert_eq!(mk[0] + mk[1], 1.0);
            let k = if mk[0] == 1.0 { 0 } else { 1 };
            assert_eq!(x[1 - k], 0.0, "the other coordinate is zeroed");
            assert!(x[k].abs() <= 1.0 && y[k] == x[k] * x[k]);
        }
        // the default (f32) run sees the same points, rounded
        let m32 = Modular::new(ModularParams::default()).unwrap();
        assert_eq!(m32.params.dtype, Dtype::F32);
        let rounded: Vec<f64> = x.iter().map(|&v| v as f32 as f64).collect();
        assert_eq!(m32.core.x(), rounded);
        assert_ne!(rounded, x);
        assert_eq!(m.levels(), vec![0.0, 0.0]);
        assert_eq!(m.learned_at(), [None, None]);
        assert!(Modular::new(ModularParams {
            p1: 1.0,
            ..ModularParams::default()
        })
        .is_err());
        assert!(Modular::new(ModularParams {
            width: 99,
            modular: true,
            ..ModularParams::default()
        })
        .is_err());
    }

    /// Loss columns of the first `steps` steps (row 0 = the initial network) and the final θ.
    fn trace(params: NetParams, steps: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut net = Net::new(params).unwrap();
        let mut rows = vec![net.task_losses()];
        for _ in 0..steps {
            net.step().unwrap();
            rows.push(net.task_losses());
        }
        let theta = match &net {
            Net::Parity(n) => n.core.theta(),
            Net::Grokking(n) => n.core.theta(),
            Net::Modular(n) => n.core.theta(),
        };
        (rows, theta)
    }

    /// The same seed in f32 and f64: the f32 run is deterministic, is really computed in f32
    /// (not the f64 bits), and tracks the f64 run to float32-sized differences over its first
    /// steps, for each of the three models.
    #[test]
    fn f32_runs_track_f64_runs_and_repeat_bit_for_bit() {
        type Case = (&'static str, fn(Dtype) -> NetParams, f64);
        let cases: [Case; 3] = [
            (
                "parity",
                |d| {
                    NetParams::Parity(ParityParams {
                        dtype: d,
                        ..small_parity_params()
                    })
                },
                1e-5,
            ),
            (
                "grokking",
                |d| {
                    NetParams::Grokking(GrokkingParams {
                        dtype: d,
                        ..small_grok_params()
                    })
                },
                1e-5,
            ),
            (
                "modular",
                |d| {
                    NetParams::Modular(ModularParams {
                        dtype: d,
                        ..fig19_params()
                    })
                },
                1e-5,
            ),
        ];
        for (name, params, tol) in cases {
            let steps = 10;
            let (l32, th32) = trace(params(Dtype::F32), steps);
            let (l32b, th32b) = trace(params(Dtype::F32), steps);
            let (l64, th64) = trace(params(Dtype::F64), steps);
            let bits =
                |v: &[Vec<f64>]| -> Vec<u64> { v.iter().flatten().map(|x| x.to_bits()).collect() };
            assert_eq!(bits(&l32), bits(&l32b), "{name}: f32 losses repeat");
            assert!(
                th32.iter()
                    .zip(&th32b)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{name}: f32 θ repeats"
            );
            assert!(
                th32.iter().all(|&t| t == t as f32 as f64),
                "{name}: θ is f32"
            );
            assert_ne!(bits(&l32), bits(&l64), "{name}: f32 is not the f64 run");
            let mut worst = 0.0f64;
            for (r32, r64) in l32.iter().zip(&l64) {
                for (a, b) in r32.iter().zip(r64) {
                    worst = worst.max((a - b).abs() / b.abs().max(1e-12));
                }
            }
            let dth = th32
                .iter()
                .zip(&th64)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            println!("{name}: worst relative loss difference {worst:e}, max |Δθ| {dth:e}");
            assert!(worst < tol, "{name}: f32 vs f64 losses differ by {worst:e}");
            assert!(worst > 0.0);
        }
    }

    fn small_parity_params() -> ParityParams {
        ParityParams {
            samples: 400,
            width: 16,
            seed: 3,
            ..ParityParams::frequency(0.5)
        }
    }

    fn small_grok_params() -> GrokkingParams {
        GrokkingParams {
            modulus: 11,
            embed_dim: 8,
            hidden: vec![16, 16],
            seed: 3,
            ..GrokkingParams::adam()
        }
    }

    fn fig19_params() -> ModularParams {
        ModularParams {
            seed: 3,
            ..ModularParams::default()
        }
    }
}
