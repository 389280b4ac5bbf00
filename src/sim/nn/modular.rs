//! Modularity: a rare task learns in parallel in a modular network (docs/models.md §7, Fig. 19).
//!
//! 1000 points x ~ U([−1, 1]²); 99 % are task 1 (x2 := 0, supervise output 1 on x1²), 1 % task
//! 2 (x1 := 0, output 2 on x2²); MLP 2-100-100-2 with SiLU, fully connected or block-diagonal
//! (two private 1-50-50-1 sub-networks); Adam η = 5e−4; `L = mean((f − y)² · mask)` over all
//! 1000×2 entries, or the re-weighted `mean(ℓ·ℓ̄/mean ℓ̄)`. t_k = first step with task-k MSE
//! < 1e−3. Tasks: 0 = x1 ↦ x1² (frequent), 1 = x2 ↦ x2² (rare).

use super::engine::hooks::Hooks;
use super::engine::{check_lr, with_core, Dtype, Experiment, Objective, Rows, TrainData, Trainer};
use super::mlp::{Activation, MlpSpec, Real};
use crate::sim::error::SimError;
use crate::sim::optim::{OptConfig, OptKind};
use crate::sim::rng::{choose, rng_for, NET_DATA, NET_SPLIT};
use rand::Rng;

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
    /// f32: the Fig. 19 notebook does not set float64 (the paper's code sets it for Figs 2 and
    /// 13 only, docs/models.md §7), so it runs in PyTorch's default float32.
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

/// The points of task 1 and task 2 out of `points` with a share `p1` in task 1, or `None`
/// when a task would have none (what [`Modular::new`] refuses).
pub fn task_points(points: usize, p1: f64) -> Option<[usize; 2]> {
    let n1 = (points as f64 * p1).round() as usize;
    ((0.0..=1.0).contains(&p1) && n1 > 0 && n1 < points).then_some([n1, points - n1])
}

/// A running Fig. 19 experiment. Tasks: 0 = x1 ↦ x1² (frequent), 1 = x2 ↦ x2² (rare).
#[derive(Clone, Debug)]
pub struct Modular {
    pub params: ModularParams,
    /// The network and the points, targets and mask in the run's precision.
    trainer: Trainer,
    /// Targets and mask in f64, for the observables.
    y: Vec<f64>,
    mask: Vec<f64>,
    /// Points per task.
    count: [usize; 2],
    loss: f64,
    task_loss: [f64; 2],
    initial_loss: [f64; 2],
    within: [f64; 2],
    learned: [Option<u32>; 2],
}

impl Modular {
    pub fn new(params: ModularParams) -> Result<Self, SimError> {
        check_lr(&params.opt)?;
        let n = params.points;
        let Some([n1, _]) = task_points(n, params.p1) else {
            return Err(SimError::Invalid(format!(
                "both tasks need points: {n} points with p1 = {} leave one without",
                params.p1
            )));
        };
        if params.threshold.is_nan() || params.threshold <= 0.0 {
            return Err(SimError::Invalid(format!(
                "the learned threshold must be positive, got {}",
                params.threshold
            )));
        }
        let mut data = rng_for(params.seed, NET_DATA);
        let mut x: Vec<f64> = (0..2 * n)
            .map(|_| 2.0 * data.random::<f64>() - 1.0)
            .collect();
        let mut task1 = vec![false; n];
        for i in choose(&mut rng_for(params.seed, NET_SPLIT), n, n1) {
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
        let data = TrainData {
            rows: Rows::Dense(x),
            y: &y,
            mask: &mask,
            labels: &[],
            test_tokens: vec![],
            test_labels: &[],
            objective: Objective::Mse {
                reweight: params.reweight,
            },
        };
        let trainer = Trainer::new(params.dtype, spec, params.seed, params.opt, data)?;
        Modular {
            trainer,
            y,
            mask,
            count: [n1, n - n1],
            loss: 0.0,
            task_loss: [0.0; 2],
            initial_loss: [0.0; 2],
            within: [0.0; 2],
            learned: [None; 2],
            params,
        }
        .started()
    }

    /// t_k: the first step at which task k's MSE was below the threshold (None: not yet).
    pub fn learned_at(&self) -> [Option<u32>; 2] {
        self.learned
    }

    /// The two tasks' names: the frequent x1 ↦ x1², the rare x2 ↦ x2².
    pub const TASKS: [&'static str; 2] = ["x1²", "x2²"];
}

impl Hooks for Modular {
    fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    fn trainer_mut(&mut self) -> &mut Trainer {
        &mut self.trainer
    }

    /// ∂L/∂f of the masked (or re-weighted) MSE.
    fn prepare_step(&mut self) {
        self.trainer.mse_gradient(self.params.reweight);
    }

    fn observe(&mut self) {
        let tol = self.params.threshold;
        let mut sq = [0.0; 2];
        let mut hit = [0usize; 2];
        let (y, mask) = (&self.y, &self.mask);
        with_core!(&mut self.trainer.engine, c => {
            let f = if c.sharded {
                c.tape.output()
            } else {
                c.net.forward(c.rows.input(), &mut c.tape)
            };
            for ((fr, yr), mr) in f.chunks_exact(2).zip(y.chunks_exact(2)).zip(mask.chunks_exact(2)) {
                let k = if mr[0] > 0.0 { 0 } else { 1 };
                let r = fr[k].to_f64() - yr[k];
                sq[k] += r * r;
                if r * r < tol {
                    hit[k] += 1;
                }
            }
        });
        let step = self.trainer.step_count();
        for k in 0..2 {
            self.task_loss[k] = sq[k] / self.count[k] as f64;
            self.within[k] = hit[k] as f64 / self.count[k] as f64;
            if self.learned[k].is_none() && self.task_loss[k] < tol {
                self.learned[k] = Some(step);
            }
        }
        self.loss = (sq[0] + sq[1]) / self.y.len() as f64;
        if step == 0 {
            self.initial_loss = self.task_loss;
        }
    }

    fn watched(&self) -> &[f64] {
        std::slice::from_ref(&self.loss)
    }

    /// The training objective itself: the fixed mask, re-weighted or not.
    fn objective_weights(&self) -> Option<(Vec<f64>, bool)> {
        Some((self.mask.clone(), self.params.reweight))
    }
}

impl Experiment for Modular {
    /// The plain objective `mean((f − y)² · mask)` over all entries at the current θ (also
    /// when training on the re-weighted loss).
    fn loss(&self) -> f64 {
        self.loss
    }

    /// [task 1, task 2] MSE, each over its own points and its own output.
    fn task_losses(&self) -> Vec<f64> {
        self.task_loss.to_vec()
    }

    /// Per task, the share of its points whose squared error is below the threshold.
    fn accuracies(&self) -> Vec<f64> {
        self.within.to_vec()
    }

    /// Progress of each task on a log scale, `ln(MSE_k(0)/MSE_k)/ln(MSE_k(0)/threshold)`
    /// clipped to [0, 1]: 0 at the start, 1 once the task is learned.
    fn levels(&self) -> Vec<f64> {
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

    fn task_names(&self) -> Vec<String> {
        Self::TASKS.map(String::from).to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modular_data_and_initial_levels() {
        let m = Modular::new(ModularParams {
            dtype: Dtype::F64,
            ..ModularParams::default()
        })
        .unwrap();
        assert_eq!(m.count, [990, 10]);
        let x = m.trainer.engine.x();
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
        assert_eq!(m32.trainer.engine.x(), rounded);
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
}
