//! What the three real-network experiments share: the run's precision ([`Dtype`]), the
//! network with its training data in that precision (`Engine`), the optimizer and step count
//! ([`Trainer`]), and the stepping protocol ([`Experiment`]).
//!
//! One step of every experiment (`Experiment::step`), from the kept forward pass at θ_t:
//!
//! ```text
//!   ∂L/∂f   from the kept outputs (MSE: here, with the step's supervision mask; cross-entropy:
//!           already written by the observation's loss pass)
//!   g       = backward(∂L/∂f)                       (mlp)
//!   θ_{t+1} = optimizer step(θ_t, g)                  (optim, f64 state)
//!   forward pass at θ_{t+1} → the observables         (kept for the next step's gradient)
//! ```
//!
//! so observing is free, and a run stops at the first step whose observed losses or θ are not
//! finite. Recording convention (as `geometry`): the observables describe the current
//! parameters θ_t, t = `step_count()`, so a run's row 0 is the initial network.
//!
//! Precision: the data, the network init (drawn in f64, rounded) and the optimizer (f64 state)
//! are shared by both precisions; the MLP's products, activations and loss run in the run's
//! precision, and the observables are computed in f64 from its outputs.

use super::attribution::Attribution;
use super::gemm::Gemm;
use super::mlp::{mse_loss, Input, Mlp, MlpSpec, Real, Tape};
use crate::sim::error::SimError;
use crate::sim::optim::{OptConfig, Optimizer};
use crate::sim::rng::{rng_for, NET_INIT};

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

/// The training inputs: dense rows (n × d_0, row-major) or token rows.
#[derive(Clone, Debug)]
pub(super) enum Rows<T> {
    Dense(Vec<T>),
    Tokens(Vec<u32>),
}

impl<T: Real> Rows<T> {
    pub(super) fn input(&self) -> Input<'_, T> {
        match self {
            Rows::Dense(x) => Input::Dense(x),
            Rows::Tokens(t) => Input::Tokens(t),
        }
    }
}

/// The training objective as the sharded step (`shard`) computes it shard by shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Objective {
    /// The masked MSE over all n·K entries, re-weighted or not (`loss::mse_loss`).
    Mse { reweight: bool },
    /// Softmax cross-entropy, mean over the n rows (`loss::softmax_ce`), against `Core::labels`.
    CrossEntropy,
}

/// The training data of a run in f64, as the experiment builds it.
pub(super) struct TrainData<'a> {
    pub rows: Rows<f64>,
    /// MSE targets and supervision mask (empty for cross-entropy).
    pub y: &'a [f64],
    pub mask: &'a [f64],
    /// Class labels (cross-entropy; empty for the MSE).
    pub labels: &'a [u32],
    pub objective: Objective,
    /// Held-out token rows and their labels, observed at every step and never trained on
    /// (grokking's test pairs; empty otherwise).
    pub test_tokens: Vec<u32>,
    pub test_labels: &'a [u32],
}

fn to_real<T: Real>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

/// Everything of a run that lives in its precision `T`: the network, its tapes, the training
/// inputs/targets/mask as the loss sees them, ∂L/∂f and the gradient.
#[derive(Clone, Debug)]
pub(super) struct Core<T: Gemm> {
    pub net: Mlp<T>,
    pub tape: Tape<T>,
    /// The second forward pass of grokking's test pairs.
    pub test_tape: Tape<T>,
    pub rows: Rows<T>,
    /// MSE targets and supervision mask (empty for cross-entropy).
    pub y: Vec<T>,
    pub mask: Vec<T>,
    /// Class labels of the rows (cross-entropy; empty for the MSE).
    pub labels: Vec<u32>,
    pub objective: Objective,
    /// Held-out token rows and their labels (`TrainData::test_tokens`).
    pub test_tokens: Vec<u32>,
    pub test_labels: Vec<u32>,
    /// Sharded cross-entropy: the observables of the current θ as the leader gathered them
    /// from the shards' rows ([train loss, train accuracy, test loss, test accuracy]).
    pub gathered: [f64; 4],
    /// ∂L/∂f (n × d_L).
    pub d_out: Vec<T>,
    /// The gradient: of the last step, or (sharded) the one gathered for the next step.
    pub grad: Vec<T>,
    /// Sharded training (`shard`): `tape`'s outputs are gathered from the shards (set by
    /// `Tape::set_output`), and the observation reads them instead of a forward pass.
    pub sharded: bool,
    /// Sharded training: the gathered `grad` is the gradient at the current θ, not yet applied.
    pub pending: bool,
    /// Sharded training: the tape of the forward and backward pass over a worker's shards.
    pub shard_tape: Tape<T>,
    /// Sharded training: ∂L/∂f of a worker's rows.
    pub shard_d: Vec<T>,
}

impl<T: Gemm> Core<T> {
    fn new(spec: MlpSpec, seed: u64, data: &TrainData) -> Result<Self, SimError> {
        let net = Mlp::new(spec, &mut rng_for(seed, NET_INIT))?;
        let rows = match &data.rows {
            Rows::Dense(x) => Rows::Dense(to_real(x)),
            Rows::Tokens(t) => Rows::Tokens(t.clone()),
        };
        let outputs = net.rows(rows.input())? * net.n_out();
        Ok(Core {
            grad: vec![T::ZERO; net.n_params()],
            d_out: vec![T::ZERO; outputs],
            net,
            tape: Tape::default(),
            test_tape: Tape::default(),
            rows,
            y: to_real(data.y),
            mask: to_real(data.mask),
            labels: data.labels.to_vec(),
            objective: data.objective,
            test_tokens: data.test_tokens.clone(),
            test_labels: data.test_labels.to_vec(),
            gathered: [0.0; 4],
            sharded: false,
            pending: false,
            shard_tape: Tape::default(),
            shard_d: vec![],
        })
    }

    /// ∂L/∂f of the masked (re-weighted) MSE at the kept forward pass.
    fn mse_gradient(&mut self, reweight: bool) {
        mse_loss(
            self.tape.output(),
            &self.y,
            &self.mask,
            reweight,
            &mut self.d_out,
        );
    }

    /// g = backward(∂L/∂f) at the kept forward pass, then one optimizer step.
    fn descend(&mut self, opt: &mut Optimizer) {
        self.net.backward(
            self.rows.input(),
            &mut self.tape,
            &self.d_out,
            &mut self.grad,
        );
        opt.step(self.net.theta_mut(), &self.grad);
    }
}

impl<T: Gemm> Core<T> {
    /// The attribution (`attribution`) at the kept forward pass: ∂L/∂f of the masked MSE with
    /// per-entry weights `weights` (n × K, f64), split by output column, one backward pass per
    /// column into buffers of its own. Writes only the tape's δ scratch, which the next
    /// training backward pass overwrites before reading.
    fn attribution(&mut self, weights: &[f64], reweight: bool) -> Attribution {
        if self.sharded {
            // the tape holds only the gathered outputs: the full forward pass at θ_t first
            self.net.forward(self.rows.input(), &mut self.tape);
        }
        let k = self.net.n_out();
        let f = self.tape.output();
        let weights: Vec<T> = to_real(weights);
        let mut d_all = vec![T::ZERO; f.len()];
        if weights.len() == f.len() && self.y.len() == f.len() {
            mse_loss(f, &self.y, &weights, reweight, &mut d_all);
        }
        let layers = self.net.hidden_layers();
        let widths: Vec<usize> = layers.iter().map(|l| l.3).collect();
        let units: usize = widths.iter().sum();
        let mut g = vec![0.0; units * k];
        let mut d_task = vec![T::ZERO; d_all.len()];
        let mut grad = vec![T::ZERO; self.net.n_params()];
        for task in 0..k {
            for (c, (d, &a)) in d_task.iter_mut().zip(&d_all).enumerate() {
                *d = if c % k == task { a } else { T::ZERO };
            }
            self.net
                .backward(self.rows.input(), &mut self.tape, &d_task, &mut grad);
            let mut unit = 0;
            for &(w, b, fan_in, fan_out) in &layers {
                for j in 0..fan_out {
                    let row = &grad[w + j * fan_in..w + (j + 1) * fan_in];
                    let sq = row.iter().chain(std::iter::once(&grad[b + j]));
                    g[unit * k + task] = sq.map(|x| x.to_f64() * x.to_f64()).sum();
                    unit += 1;
                }
            }
        }
        Attribution {
            widths,
            tasks: k,
            g,
        }
    }
}

/// A run's [`Core`] in its precision.
#[derive(Clone, Debug)]
pub(super) enum Engine {
    F32(Core<f32>),
    F64(Core<f64>),
}

/// Runs `$body` with `$c` bound to the engine's core (`&Core<f32>` or `&Core<f64>`): the body
/// is written once and compiled for both precisions.
macro_rules! with_core {
    ($engine:expr, $c:ident => $body:expr) => {
        match $engine {
            $crate::sim::nn::engine::Engine::F32($c) => $body,
            $crate::sim::nn::engine::Engine::F64($c) => $body,
        }
    };
}
pub(super) use with_core;

impl Engine {
    fn new(dtype: Dtype, spec: MlpSpec, seed: u64, data: &TrainData) -> Result<Self, SimError> {
        Ok(match dtype {
            Dtype::F32 => Engine::F32(Core::new(spec, seed, data)?),
            Dtype::F64 => Engine::F64(Core::new(spec, seed, data)?),
        })
    }

    pub(super) fn n_params(&self) -> usize {
        with_core!(self, c => c.net.n_params())
    }

    /// Σθ in f64 (only its finiteness is used).
    fn theta_sum(&self) -> f64 {
        with_core!(self, c => c.net.theta().iter().map(|x| x.to_f64()).sum::<f64>())
    }

    #[cfg(test)]
    pub(super) fn x(&self) -> Vec<f64> {
        with_core!(self, c => match &c.rows {
            Rows::Dense(x) => x.iter().map(|x| x.to_f64()).collect(),
            Rows::Tokens(_) => vec![],
        })
    }

    /// The training token rows (empty for dense rows).
    pub(super) fn tokens(&self) -> Vec<u32> {
        with_core!(self, c => match &c.rows {
            Rows::Dense(_) => vec![],
            Rows::Tokens(t) => t.clone(),
        })
    }

    #[cfg(test)]
    pub(super) fn mask(&self) -> Vec<f64> {
        with_core!(self, c => c.mask.iter().map(|x| x.to_f64()).collect())
    }

    /// θ in f64 (layout: `mlp`'s module header).
    pub(super) fn theta(&self) -> Vec<f64> {
        with_core!(self, c => c.net.theta().iter().map(|x| x.to_f64()).collect())
    }

    /// The gradient of the last step, at the θ before it, in f64 (zeros before the first).
    pub(super) fn gradient(&self) -> Vec<f64> {
        with_core!(self, c => c.grad.iter().map(|x| x.to_f64()).collect())
    }
}

/// The learning rate must be a positive number.
pub(super) fn check_lr(opt: &OptConfig) -> Result<(), SimError> {
    if !(opt.lr.is_finite() && opt.lr > 0.0) {
        return Err(SimError::Invalid(format!(
            "the learning rate must be a positive number, got {}",
            opt.lr
        )));
    }
    Ok(())
}

/// The state every experiment steps: the engine, its optimizer and the updates taken.
#[derive(Clone, Debug)]
pub struct Trainer {
    pub(super) engine: Engine,
    pub(super) opt: Optimizer,
    pub(super) step: u32,
}

impl Trainer {
    /// The network of `spec` in precision `dtype`, its initial weights drawn from `seed`, on
    /// `data`, with a fresh optimizer `opt`.
    pub(super) fn new(
        dtype: Dtype,
        spec: MlpSpec,
        seed: u64,
        opt: OptConfig,
        data: TrainData,
    ) -> Result<Self, SimError> {
        let engine = Engine::new(dtype, spec, seed, &data)?;
        Ok(Trainer {
            opt: Optimizer::new(opt, engine.n_params()),
            engine,
            step: 0,
        })
    }

    /// ∂L/∂f of the masked (re-weighted) MSE at the kept forward pass.
    pub(super) fn mse_gradient(&mut self, reweight: bool) {
        with_core!(&mut self.engine, c => c.mse_gradient(reweight))
    }

    /// The gradient at the kept forward pass, one optimizer step, one more update counted.
    pub(super) fn descend(&mut self) {
        let opt = &mut self.opt;
        with_core!(&mut self.engine, c => c.descend(opt));
        self.step += 1;
    }

    /// Updates taken so far.
    pub fn step_count(&self) -> u32 {
        self.step
    }

    /// The attribution at the current θ for the MSE with per-entry weights `weights`.
    pub(super) fn attribution(&mut self, weights: &[f64], reweight: bool) -> Attribution {
        with_core!(&mut self.engine, c => c.attribution(weights, reweight))
    }

    /// Ok while the observed `values` and θ are finite.
    pub(super) fn check(&self, values: &[f64]) -> Result<(), SimError> {
        let s: f64 = values.iter().sum::<f64>() + self.engine.theta_sum();
        if s.is_finite() {
            Ok(())
        } else {
            Err(SimError::NonFinite { step: self.step })
        }
    }
}

/// The stepping hooks each experiment implements for [`Experiment`] (sealed: only this
/// module's siblings can name it).
pub(super) mod hooks {
    use super::Trainer;
    use crate::sim::error::SimError;

    pub trait Hooks {
        fn trainer(&self) -> &Trainer;
        fn trainer_mut(&mut self) -> &mut Trainer;
        /// Writes ∂L/∂f for the next step from the kept forward pass (the cross-entropy's
        /// observation has written it already).
        fn prepare_step(&mut self);
        /// Forward pass at the current θ, then the observables.
        fn observe(&mut self);
        /// The observed losses that must stay finite (with θ) for the run to go on.
        fn watched(&self) -> &[f64];

        /// Draws what the next step's gradient is supervised with when that is drawn per
        /// step (the supervision mask of Fig. 2), into the core's mask; true when it drew.
        fn draw_supervision(&mut self) -> bool {
            false
        }

        /// The training objective as the attribution splits it (docs/models.md §12): the
        /// per-entry weights m (n × K) of the masked MSE whose column i is task i's loss
        /// (the expected mask where the training draws one each step), and whether it is
        /// re-weighted; `None` when the tasks are not output columns (grokking).
        fn objective_weights(&self) -> Option<(Vec<f64>, bool)> {
            None
        }

        /// The experiment with its row 0 observed (θ_0 checked finite), ready to step.
        fn started(mut self) -> Result<Self, SimError>
        where
            Self: Sized,
        {
            self.observe();
            self.trainer().check(self.watched())?;
            Ok(self)
        }
    }
}

/// A running real-network experiment: one [`Experiment::step`] = one full-batch optimizer step.
pub trait Experiment: hooks::Hooks {
    /// The training objective at the current θ.
    fn loss(&self) -> f64;
    /// Per-task losses at the current θ.
    fn task_losses(&self) -> Vec<f64>;
    /// Per-task accuracies at the current θ.
    fn accuracies(&self) -> Vec<f64>;
    /// The tasks' names, e.g. "x1⊕x2", "train".
    fn task_names(&self) -> Vec<String>;

    /// Skill levels in [0, 1] for the dominoes: the accuracies, unless the experiment's tasks
    /// are regressions.
    fn levels(&self) -> Vec<f64> {
        self.accuracies()
    }

    /// One full-batch optimizer step θ_t → θ_{t+1}, then the observables at θ_{t+1}.
    fn step(&mut self) -> Result<(), SimError> {
        self.prepare_step();
        self.trainer_mut().descend();
        self.observe();
        self.trainer().check(self.watched())
    }

    /// Updates taken so far.
    fn step_count(&self) -> u32 {
        self.trainer().step_count()
    }

    /// Number of network parameters.
    fn n_params(&self) -> usize {
        self.trainer().engine.n_params()
    }

    /// Which hidden units serve which task at the current θ (docs/models.md §12): K extra
    /// backward passes, none of which changes the run. `None` for an experiment whose tasks
    /// are not output columns (grokking).
    fn attribution(&mut self) -> Option<Attribution> {
        let (weights, reweight) = self.objective_weights()?;
        Some(self.trainer_mut().attribution(&weights, reweight))
    }

    /// Number of tasks (columns).
    fn n(&self) -> usize {
        self.task_names().len()
    }
}
