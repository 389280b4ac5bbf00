//! Sparse parity: the Domino effect in a real network (docs/models.md §2, Figs 2 and 16).
//!
//! x ∈ {0,1}^32: `samples` integers drawn uniformly with replacement from [0, 2^32), bits
//! MSB-first (x1 = column 0). MLP 32-`width`-K with ReLU, raw outputs regressed onto 0/1
//! labels by the masked MSE `L = (1/nK) Σ_ik m_ik (f_ik − y_ik)²`, Adam η = 1e−3. Tasks
//! (outputs):
//!
//! * `Frequency`: [x1⊕x2, x3⊕x4]; output 1 always supervised (p1 = 1), output 2 supervised on a
//!   fresh random p2-subset of the rows each step ([`Supervision`]);
//! * `Compositional`: [x3⊕x4, x1⊕x2, x1⊕x2⊕x3⊕x4], 80 % of the samples train;
//! * `Independent`: [x3⊕x4, x1⊕x2, x5⊕x6⊕x7⊕x8], 80 % train.
//!
//! Accuracy of task k = share of training rows with `[f_k(x) > 0.5] = y_k`. Every random draw
//! comes from its own stream (`rng`): data, split, initial weights and the per-step
//! supervision mask never shift each other's numbers.

use super::engine::hooks::Hooks;
use super::engine::{check_lr, with_core, Dtype, Experiment, Objective, Rows, TrainData, Trainer};
use super::mlp::{Activation, MlpSpec, Real};
use crate::sim::error::SimError;
use crate::sim::optim::{OptConfig, OptKind};
use crate::sim::rng::{choose, partial_shuffle, rng_for, NET_DATA, NET_MASK, NET_SPLIT};
use rand::Rng;
use rand_pcg::Pcg64;

/// Which sparse-parity experiment (docs/models.md §2.2–2.4).
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

/// How the rare task of the `Frequency` experiment gets frequency p2 (docs/models.md §2.2 lists
/// the readings). The official code zeroes task 2's mask on the first ⌊n(1 − p2)⌋ rows of a batch
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
    /// f64: Fig. 2 runs in float64 (docs/models.md §2).
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
    trainer: Trainer,
    /// The labels in f64, for the observables.
    y: Vec<f64>,
    /// Task 2's subset (`Frequency`): rows are permuted in place, the first `rare` supervised.
    order: Vec<u32>,
    rare: usize,
    rng_mask: Pcg64,
    loss: f64,
    task_loss: Vec<f64>,
    acc: Vec<f64>,
}

impl Parity {
    pub fn new(params: ParityParams) -> Result<Self, SimError> {
        check_lr(&params.opt)?;
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
        let mut data = rng_for(params.seed, NET_DATA);
        let ints: Vec<u32> = (0..params.samples).map(|_| data.random()).collect();
        let rows = if n_train == params.samples {
            (0..n_train).collect()
        } else {
            choose(
                &mut rng_for(params.seed, NET_SPLIT),
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
        let trainer = Trainer::new(
            params.dtype,
            MlpSpec::dense(vec![32, params.width, k], Activation::Relu),
            params.seed,
            params.opt,
            TrainData {
                rows: Rows::Dense(x),
                y: &y,
                mask: &vec![1.0; n_train * k],
                labels: &[],
                test_tokens: vec![],
                test_labels: &[],
                objective: Objective::Mse { reweight: false },
            },
        )?;
        // ⌊n(1 − p2)⌋ rows unsupervised, as `mask[:int(N·(1−p2)), 1] = 0`
        let rare = n_train - ((n_train as f64 * (1.0 - params.p2)).floor() as usize).min(n_train);
        let mut p = Parity {
            trainer,
            order: (0..n_train as u32).collect(),
            rare,
            rng_mask: rng_for(params.seed, NET_MASK),
            y,
            loss: 0.0,
            task_loss: vec![0.0; k],
            acc: vec![0.0; k],
            params,
        };
        if p.params.task == ParityTask::Frequency && p.params.supervision == Supervision::Fixed {
            p.draw_mask();
        }
        p.started()
    }

    /// Task 2's supervision for the next step (`Frequency` only).
    fn draw_mask(&mut self) {
        let k = self.params.task.bits().len();
        let (rng, order, rare) = (&mut self.rng_mask, &mut self.order, self.rare);
        let (sup, p2) = (self.params.supervision, self.params.p2);
        with_core!(&mut self.trainer.engine, c => draw_mask(rng, order, rare, sup, p2, k, &mut c.mask));
    }
}

impl Hooks for Parity {
    fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    fn trainer_mut(&mut self) -> &mut Trainer {
        &mut self.trainer
    }

    /// A fresh task-2 subset (`Frequency`, unless `Fixed`), then ∂L/∂f of the masked MSE.
    fn prepare_step(&mut self) {
        self.draw_supervision();
        self.trainer.mse_gradient(false);
    }

    /// A fresh task-2 subset (`Frequency`, unless `Fixed`).
    fn draw_supervision(&mut self) -> bool {
        let fresh = self.params.task == ParityTask::Frequency
            && self.params.supervision != Supervision::Fixed;
        if fresh {
            self.draw_mask();
        }
        fresh
    }

    fn observe(&mut self) {
        let k = self.task_loss.len();
        let mut sq = vec![0.0; k];
        let mut hit = vec![0usize; k];
        let y = &self.y;
        with_core!(&mut self.trainer.engine, c => {
            let f = if c.sharded {
                c.tape.output()
            } else {
                c.net.forward(c.rows.input(), &mut c.tape)
            };
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

    fn watched(&self) -> &[f64] {
        std::slice::from_ref(&self.loss)
    }

    /// The masked MSE with task 2's mask replaced by its expectation over the draws: each row
    /// weighs `rare/n` (a fresh subset of `rare` rows each step) or p2 (Bernoulli); the kept
    /// mask itself when it is `Fixed`, and all ones for the other tasks.
    fn objective_weights(&self) -> Option<(Vec<f64>, bool)> {
        let k = self.params.task.bits().len();
        let n = self.order.len();
        let mut m = vec![1.0; n * k];
        if self.params.task == ParityTask::Frequency {
            match self.params.supervision {
                Supervision::Fixed => {
                    with_core!(&self.trainer.engine, c => {
                        m.iter_mut().zip(&c.mask).for_each(|(m, &x)| *m = x.to_f64())
                    });
                }
                sup => {
                    let w = match sup {
                        Supervision::Bernoulli => self.params.p2,
                        _ => self.rare as f64 / n as f64,
                    };
                    m.iter_mut().skip(1).step_by(k).for_each(|m| *m = w);
                }
            }
        }
        Some((m, false))
    }
}

impl Experiment for Parity {
    /// The expected training objective (1/K) Σ_k p_k MSE_k at the current θ (the masked MSE
    /// averaged over the supervision draws).
    fn loss(&self) -> f64 {
        self.loss
    }

    /// Per-task MSE over the training rows (every row, supervised this step or not).
    fn task_losses(&self) -> Vec<f64> {
        self.task_loss.clone()
    }

    /// Per-task accuracy `[f_k(x) > 0.5] = y_k` over the training rows.
    fn accuracies(&self) -> Vec<f64> {
        self.acc.clone()
    }

    /// Output labels, e.g. ["x1⊕x2", "x3⊕x4"].
    fn task_names(&self) -> Vec<String> {
        self.params.task.names()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity_data_bits_and_labels() {
        let p = Parity::new(ParityParams {
            samples: 200,
            ..ParityParams::compositional()
        })
        .unwrap();
        let x = p.trainer.engine.x();
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
                let mask = p.trainer.engine.mask();
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
}
