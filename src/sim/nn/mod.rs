//! The paper's three real-network experiments as steppers, and the network library they
//! share: a wing of the core with its own layers.
//!
//! * experiments: [`parity`] (sparse parity, Figs 2 and 16), [`grokking`] (modular addition,
//!   Fig. 13), [`modular`] (modularity, Fig. 19), each an [`Experiment`]: one `step()` = one
//!   full-batch optimizer step, with the observables the figures plot; `engine` holds what
//!   they share (precision, training state, the step protocol); [`Net`] is the closed enum over
//!   the three for `sim::Simulation`;
//! * the network: [`mlp`] (forward, backward), [`spec`] (architecture), [`loss`] (MSE,
//!   re-weighted MSE, cross-entropy);
//! * the kernels: [`gemm`] (matrix products) and [`activations`] (SiLU and softmax rows), the
//!   only modules of the crate allowed `unsafe`.
//!
//! Precision (`dtype`): each run trains in f32 or f64 ([`Dtype`]); the default is the paper's
//! (float64 for Figs 2 and 13; the Fig. 19 notebook does not set it, so it runs in PyTorch's
//! default float32).

#[allow(unsafe_code)]
pub mod activations;
pub mod attribution;
mod engine;
#[allow(unsafe_code)]
pub mod gemm;
pub mod grokking;
pub mod loss;
pub mod mlp;
pub mod modular;
pub mod parity;
pub mod shard;
pub mod spec;

pub use attribution::Attribution;
pub use engine::{Dtype, Experiment};
pub use grokking::{Grokking, GrokkingParams};
pub use modular::{Modular, ModularParams};
pub use parity::{Parity, ParityParams, ParityTask, Supervision};
pub use shard::{RoundOrder, ShardReply, Sharded};

use crate::sim::error::SimError;

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

    /// The running experiment: its step, observables and names.
    pub fn experiment(&self) -> &dyn Experiment {
        match self {
            Net::Parity(n) => n,
            Net::Grokking(n) => n,
            Net::Modular(n) => n,
        }
    }

    pub fn experiment_mut(&mut self) -> &mut dyn Experiment {
        match self {
            Net::Parity(n) => n,
            Net::Grokking(n) => n,
            Net::Modular(n) => n,
        }
    }

    /// One step: the sharded step once the run steps sharded (`shard`, docs/models.md §13),
    /// else the unsharded `Experiment::step`.
    pub fn step(&mut self) -> Result<(), SimError> {
        let e = self.experiment_mut();
        if e.is_sharded() {
            e.step_sharded()
        } else {
            e.step()
        }
    }

    /// From now on, every step is the sharded step (the page's runs: the same bits on any
    /// number of workers and on one thread).
    pub fn shard(&mut self) -> Result<(), SimError> {
        let e = self.experiment_mut();
        if e.is_sharded() {
            return Ok(());
        }
        let order = e.round_order();
        e.local_round(&order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loss columns of the first `steps` steps (row 0 = the initial network) and the final θ.
    fn trace(params: NetParams, steps: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut net = Net::new(params).unwrap();
        let mut rows = vec![net.experiment().task_losses()];
        for _ in 0..steps {
            net.experiment_mut().step().unwrap();
            rows.push(net.experiment().task_losses());
        }
        (rows, net.experiment().trainer().engine.theta())
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
