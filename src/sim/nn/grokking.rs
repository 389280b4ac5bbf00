//! Grokking: modular addition (docs/models.md §6.2, Fig. 13).
//!
//! All p² pairs (a, b), label (a + b) mod p, a random 80 % train / 20 % test split; input
//! `concat(E[a], E[b])` with a learnable E ∈ R^{p×128} ~ N(0, 1); MLP 256-100-100-p with SiLU;
//! softmax cross-entropy; AdamW η = 1e−2, wd = 0.03, β = (0, 0) ("SignGD") or (0.9, 0.999)
//! ("Adam"). Accuracy = share of rows whose arg-max logit is the label. Tasks: 0 = train,
//! 1 = test.

use super::engine::hooks::Hooks;
use super::engine::{check_lr, with_core, Dtype, Experiment, Objective, Rows, TrainData, Trainer};
use super::loss::argmax;
use super::mlp::{softmax_ce, Activation, Embedding, Input, MlpSpec, Real};
use crate::sim::error::SimError;
use crate::sim::optim::{OptConfig, OptKind};
use crate::sim::rng::{choose, rng_for, NET_SPLIT};

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
    /// f64: Fig. 13 runs in float64 (docs/models.md §6.2).
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
    /// The network, with the training pairs as its token rows.
    trainer: Trainer,
    train_labels: Vec<u32>,
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
        .filter(|(row, &y)| argmax(row) == y as usize)
        .count();
    hits as f64 / labels.len() as f64
}

impl Grokking {
    pub fn new(params: GrokkingParams) -> Result<Self, SimError> {
        check_lr(&params.opt)?;
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
        let train = choose(&mut rng_for(params.seed, NET_SPLIT), pairs, n_train);
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
        let data = TrainData {
            rows: Rows::Tokens(train_tokens),
            y: &[],
            mask: &[],
            labels: &train_labels,
            objective: Objective::CrossEntropy,
            test_tokens,
            test_labels: &test_labels,
        };
        let trainer = Trainer::new(params.dtype, spec, params.seed, params.opt, data)?;
        Grokking {
            trainer,
            train_labels,
            loss: [0.0; 2],
            acc: [0.0; 2],
            params,
        }
        .started()
    }

    /// The two tasks' names: training and test accuracy.
    pub const TASKS: [&'static str; 2] = ["train", "test"];

    /// Training and test pairs.
    pub fn split_sizes(&self) -> (usize, usize) {
        let test = with_core!(&self.trainer.engine, c => c.test_labels.len());
        (self.train_labels.len(), test)
    }

    /// The training and the test pairs, each as (a, b) token rows `[a0, b0, a1, b1, …]`, in the
    /// order the loss sums them; the label of (a, b) is (a + b) mod p.
    pub fn pairs(&self) -> (Vec<u32>, Vec<u32>) {
        let test = with_core!(&self.trainer.engine, c => c.test_tokens.clone());
        (self.trainer.engine.tokens(), test)
    }

    /// θ = [W_1, b_1, W_2, b_2, W_3, b_3, E] in f64 (each W row-major as `nn.Linear.weight`,
    /// E vocabulary-major): for comparisons with other implementations (scripts/replica/).
    pub fn theta(&self) -> Vec<f64> {
        self.trainer.engine.theta()
    }

    /// ∂L/∂θ of the last step, taken at the θ before it (layout of [`Grokking::theta`]; zeros
    /// before the first step).
    pub fn gradient(&self) -> Vec<f64> {
        self.trainer.engine.gradient()
    }
}

impl Hooks for Grokking {
    fn trainer(&self) -> &Trainer {
        &self.trainer
    }

    fn trainer_mut(&mut self) -> &mut Trainer {
        &mut self.trainer
    }

    /// Nothing: the observation's cross-entropy pass has written ∂L/∂f.
    fn prepare_step(&mut self) {}

    fn observe(&mut self) {
        let p = self.params.modulus;
        let (loss, acc) = (&mut self.loss, &mut self.acc);
        let train_labels = &self.train_labels;
        with_core!(&mut self.trainer.engine, c => {
            if c.sharded {
                // gathered from the shards' rows, in row order (`shard`)
                let [l0, a0, l1, a1] = c.gathered;
                *loss = [l0, l1];
                *acc = [a0, a1];
                return;
            }
            let f = c.net.forward(c.rows.input(), &mut c.tape);
            // the gradient of the next step comes with the training loss
            loss[0] = softmax_ce(f, p, train_labels, Some(&mut c.d_out)).to_f64();
            acc[0] = argmax_accuracy(f, p, train_labels);
            if c.test_labels.is_empty() {
                loss[1] = 0.0;
                acc[1] = 0.0;
            } else {
                let f = c.net.forward(Input::Tokens(&c.test_tokens), &mut c.test_tape);
                loss[1] = softmax_ce(f, p, &c.test_labels, None).to_f64();
                acc[1] = argmax_accuracy(f, p, &c.test_labels);
            }
        });
    }

    fn watched(&self) -> &[f64] {
        &self.loss
    }
}

impl Experiment for Grokking {
    /// Training cross-entropy at the current θ.
    fn loss(&self) -> f64 {
        self.loss[0]
    }

    /// [train, test] cross-entropy.
    fn task_losses(&self) -> Vec<f64> {
        self.loss.to_vec()
    }

    /// [train, test] accuracy.
    fn accuracies(&self) -> Vec<f64> {
        self.acc.to_vec()
    }

    fn task_names(&self) -> Vec<String> {
        Self::TASKS.map(String::from).to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let train_tokens = g.trainer.engine.tokens();
        for (t, &l) in train_tokens.chunks_exact(2).zip(&g.train_labels) {
            assert_eq!((t[0] + t[1]) % 7, l);
        }
        let test_tokens = g.pairs().1;
        let mut all: Vec<&[u32]> = train_tokens
            .chunks_exact(2)
            .chain(test_tokens.chunks_exact(2))
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 49, "train and test partition the pairs");
    }
}
