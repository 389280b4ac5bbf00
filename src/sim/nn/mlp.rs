//! Multi-layer perceptrons for the real-network experiments (PAPER.md §2, §6.2, §7), in float64
//! or float32, trained full-batch by the shared optimizer module (`optim`).
//!
//! # Precision
//!
//! `Mlp<T>`, `Tape<T>`, `Input<T>`, [`gemm`], [`mse_loss`] and [`softmax_ce`] are generic over
//! the sealed element type [`Real`] (`f32` or `f64`, defined in `kernels`; the default type
//! parameter is f64): one implementation of forward, backward and the losses for both, every
//! operation in the element type. What differs per type lives in `Real`: the GEMM micro-kernel
//! (wasm) or matrixmultiply's `sgemm`/`dgemm` (native), the libm-exact exps (`exp`/`expf`,
//! `log`/`logf`) and conversions. The f64 path performs exactly the operations it did before
//! the type became generic (same bits; tests/mlp.rs, tests/paper_figures.rs and
//! tests/frozen_links.rs pin that).
//!
//! The optimizer is not generic in its state: `optim::Optimizer::step` takes θ and g in either
//! precision, widens each element to f64 (exact), updates it with the f64 moments and rounds θ
//! back once. Chosen over a generic optimizer because it keeps one optimizer module with one
//! set of formulas and f64 moments for every model, the f64 models get identical operations,
//! and the cost (a conversion per parameter per step, ≈ 10⁴ parameters in Fig. 19) is
//! negligible next to the products. An f32 run is therefore "f32 network, f64 Adam state":
//! slightly more accurate than PyTorch's all-float32 Adam, equal in expectation.
//!
//! Initial weights are drawn in f64 (below) and rounded to `T`, so an f32 and an f64 network
//! of the same seed start from the same weights up to that rounding.
//!
//! # The network
//!
//! Widths d_0, d_1, …, d_L; layer l has weights W_l ∈ R^{d_l × d_{l−1}} (row-major, as
//! `nn.Linear`), bias b_l ∈ R^{d_l} and an optional fixed 0/1 mask M_l of the same shape
//! (block-diagonal = modular networks, Fig. 19). For a batch of n rows:
//!
//! ```text
//!   a_0 = x                     or  a_0 = concat(E[x_1], …, E[x_T])   (learnable embedding E)
//!   z_l = a_{l−1} W̃_lᵀ + b_l,   W̃_l = W_l ⊙ M_l   (W̃_l = W_l without a mask)
//!   a_l = φ(z_l)  for l < L,     f = z_L           (linear outputs)
//!   φ = ReLU: max(z, 0), φ' = [z > 0];   φ = SiLU: z σ(z), φ' = σ(z)(1 + z(1 − σ(z)))
//! ```
//!
//! # Losses (value L and ∂L/∂f)
//!
//! * masked MSE over all n·K entries: `L = (1/nK) Σ_ik m_ik (f_ik − y_ik)²`,
//!   `∂L/∂f = 2 m (f − y)/(nK)`;
//! * its re-weighted form (Fig. 19 notebook, PAPER.md §7) `L = mean(ℓ · ℓ̄ / mean(ℓ̄))` with
//!   ℓ = m (f − y)² and ℓ̄ = ℓ detached, so `∂L/∂f = (ℓ/mean ℓ) · 2 m (f − y)/(nK)`;
//! * softmax cross-entropy, mean over samples: `L = (1/n) Σ_i [ln Σ_c e^{f_ic} − f_{i,y_i}]`,
//!   `∂L/∂f_i = (softmax(f_i) − e_{y_i})/n`.
//!
//! # Backpropagation (written once, checked against central differences in tests/mlp.rs)
//!
//! ```text
//!   δ_L = ∂L/∂f;   ∂L/∂W_l = (δ_lᵀ a_{l−1}) ⊙ M_l;   ∂L/∂b_l = Σ_i δ_{l,i}
//!   δ_{l−1} = (δ_l W̃_l) ⊙ φ'(z_{l−1});   ∂L/∂E[t] = Σ over the slots holding token t of (δ_1 W̃_1)
//! ```
//!
//! A masked weight gets exactly zero gradient, so Adam and SignGD never move it.
//!
//! # Fewer products, the same function
//!
//! * **Embedding table** (Fig. 13): when a batch has more rows than the vocabulary has tokens,
//!   the first layer runs through the table: `a_0 W̃_1ᵀ = Σ_s E[x_s] W̃_1[:, slot s]ᵀ`, so one
//!   product `E·W̃_1ᵀ` per step and a gather per row replace the n-row product, and the
//!   backward pass scatters δ_1 by token first (`Mlp::embed_forward`, `embed_backward`).
//!   The sums are grouped by slot: equal to rounding to the direct path (tested both ways).
//! * **Block-diagonal masks** (modular Fig. 19): a layer whose mask is the pattern of
//!   `MlpSpec::block_diagonal` multiplies each diagonal block on its own ([`gemm_strided`]) and
//!   never reads the masked-out weights; its off-block gradient is written as exact zeros. In
//!   wasm each element is the fixed-order sum over its block, the full masked sum less exact
//!   zero terms. Other masks go through W̃.
//!
//! # Parameters and initialisation
//!
//! All parameters live in one flat vector θ = [W_1, b_1, …, W_L, b_L, E], so that one
//! `optim::Optimizer` steps them all (AdamW's decoupled decay then applies to every parameter,
//! as torch does with `model.parameters()`). PyTorch's default `nn.Linear` init: W and b
//! ~ U(−1/√d_{l−1}, +1/√d_{l−1}), drawn layer by layer (W row-major, then b); then E ~ N(0, 1)
//! (created after the linear layers, as in the grokking notebook). A mask does not change the
//! init: masked entries are drawn and never used.
//!
//! # Matrix products: `matrixmultiply` natively, `kernels::gemm_fixed_order` in wasm
//!
//! In the browser (wasm32) every product runs in the fixed-order kernel of `kernels.rs`:
//! f64x2 for f64 (≈ 9–15 GFLOP/s in Chromium against ≈ 5 at most for matrixmultiply's
//! portable kernel), f32x4 for f32 (about twice that, BENCHMARKS.md); why hand-written is in
//! that module's header. Natively matrixmultiply stays (`dgemm` / `sgemm`): its AVX-512/FMA
//! kernels are ≈ 3× faster than any FMA-free fixed-order loop could be.
//!
//! The native choice was made by measurement (criterion-free timing loop, release, one thread, medians of 5;
//! 2-core Xeon with AVX-512, a wasm build running beside it) among three pure-Rust crates that
//! all build for wasm32-unknown-unknown:
//!
//! | product (Fig. 2 step, row-major) | naive loop | matrixmultiply 0.3 | gemm 0.19 | faer 0.24 |
//! |---|---|---|---|---|
//! | X·W1ᵀ 10000×32·32×50 | 7.4 ms | 0.77 ms | 0.86 ms | 0.59 ms |
//! | H·W2ᵀ 10000×50·50×2 | 0.65 ms | 0.36 ms | 0.26 ms | 0.26 ms |
//! | δ2ᵀ·H 2×10000·10000×50 | 1.5 ms | 0.52 ms | 0.31 ms | 0.24 ms |
//! | δ2·W2 10000×2·2×50 | 0.93 ms | 0.45 ms | 0.19 ms | 0.23 ms |
//! | δ1ᵀ·X 50×10000·10000×32 | 198 ms | 0.88 ms | 1.10 ms | 0.70 ms |
//! | **sum (one step's products)** | 209 ms | **3.0 ms** | 2.7 ms | 2.0 ms |
//! | Fig. 13 X·W1ᵀ 2784×256·256×100 | 37 ms | 2.4 ms | 3.1 ms | 2.4 ms |
//! | Fig. 19 H·W2ᵀ 1000×100·100×100 | 5.7 ms | 0.34 ms | 0.58 ms | 0.35 ms |
//! | wasm32 in node 20, one Fig. 2 step | – | 15.8 ms | 15.8 ms | 18.1 ms |
//!
//! faer is ≈ 1.5× faster natively on the thin Fig. 2 products, but all three are far below
//! the goal (PyTorch: 12.6 ms per Fig. 2 step) and equal in the browser, where the page runs.
//! matrixmultiply is already in Cargo.lock (through nalgebra), is small, `no_std`-capable and
//! well kept; gemm and faer would add ≈ 15 crates and a minute of build time for nothing the
//! page would feel.
//!
//! # Determinism
//!
//! Every random draw comes from a seeded PCG64 stream, exp/ln come from libm (the SiLU and
//! softmax exps run through `kernels::exp_nonpos` / `expf_nonpos`, which return libm's bits),
//! and every sum outside the matrix products has a fixed order. In wasm the products are
//! fixed-order too
//! (each element summed in k order, no FMA: the naive loop's bits, tested in the browser), so
//! a browser run gives the same bits on every machine. Natively matrixmultiply picks its
//! micro-kernel at run time (AVX-512 / FMA+AVX2 / AVX / portable on x86-64, NEON on aarch64),
//! and the fused kernels round differently. So the native guarantee is: **the same seed on the
//! same platform (same binary, same CPU kernel) gives the same bits** (tested). Native and
//! browser runs agree to rounding in each product (≈ 1e−16 relative in f64, ≈ 1e−7 in f32)
//! and their curves agree
//! closely, but not bit for bit; the MLP models must not be part of the native-vs-wasm
//! fingerprint test (e2e/nets.test.mjs compares the page's accuracies with the CLI's to 0.01).

use super::kernels;
pub use super::kernels::Real;
use crate::sim::SimError;
use rand::Rng;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;

/// The hidden-layer non-linearity φ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// max(z, 0) (Fig. 2); φ'(0) = 0 as in torch.
    Relu,
    /// z·σ(z) (Figs 13, 19).
    Silu,
}

/// A learnable embedding: each row of the input is `tokens` indices into a `vocab × dim`
/// table E, and a_0 is the concatenation of their rows (so d_0 = tokens·dim).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedding {
    /// Number of distinct tokens (rows of E); 59 for modular addition mod 59.
    pub vocab: usize,
    /// Width of one embedding vector (128 in Fig. 13).
    pub dim: usize,
    /// Tokens per input row (2 for a + b).
    pub tokens: usize,
}

/// The architecture. `Default` is the Fig. 2 network 32-50-2 with ReLU.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpSpec {
    /// Layer widths [d_0, d_1, …, d_L]: d_0 inputs (tokens·dim with an embedding), d_L outputs.
    /// At least two entries, none zero.
    pub widths: Vec<usize>,
    /// φ after every hidden layer (never after the output layer).
    pub activation: Activation,
    /// Per layer l = 1..L an optional fixed 0/1 mask M_l (d_l × d_{l−1}, row-major like W_l).
    /// Empty = no masks.
    pub masks: Vec<Option<Vec<f64>>>,
    /// Learnable input embedding (grokking); `None` = dense input rows.
    pub embedding: Option<Embedding>,
}

impl Default for MlpSpec {
    fn default() -> Self {
        MlpSpec::dense(vec![32, 50, 2], Activation::Relu)
    }
}

impl MlpSpec {
    /// A fully connected network with no masks and no embedding.
    pub fn dense(widths: Vec<usize>, activation: Activation) -> Self {
        MlpSpec {
            widths,
            activation,
            masks: vec![],
            embedding: None,
        }
    }

    /// The same network made of `blocks` independent sub-networks: every width is split into
    /// `blocks` equal consecutive groups and M_l[o][i] = 1 iff unit o and input i are in the
    /// same group. For widths [2, 100, 100, 2] and 2 blocks this is Fig. 19's modular MLP
    /// (input 1 → units 1–50 → units 1–50 → output 1, and the same for the second halves).
    pub fn block_diagonal(mut self, blocks: usize) -> Result<Self, SimError> {
        if blocks == 0 || self.widths.iter().any(|w| w % blocks != 0) {
            return Err(SimError::Invalid(format!(
                "every width must split into {blocks} equal blocks, widths are {:?}",
                self.widths
            )));
        }
        self.masks = self
            .widths
            .windows(2)
            .map(|w| {
                let (din, dout) = (w[0], w[1]);
                let (gin, gout) = (din / blocks, dout / blocks);
                let mut m = vec![0.0; dout * din];
                for o in 0..dout {
                    for i in 0..din {
                        if o / gout == i / gin {
                            m[o * din + i] = 1.0;
                        }
                    }
                }
                Some(m)
            })
            .collect();
        Ok(self)
    }

    /// Number of layers L.
    pub fn depth(&self) -> usize {
        self.widths.len().saturating_sub(1)
    }

    fn validate(&self) -> Result<(), SimError> {
        let bad = |m: String| Err(SimError::Invalid(m));
        if self.widths.len() < 2 || self.widths.contains(&0) {
            return bad(format!(
                "an MLP needs at least an input and an output width, none zero: {:?}",
                self.widths
            ));
        }
        if !self.masks.is_empty() && self.masks.len() != self.depth() {
            return bad(format!(
                "{} masks for {} layers",
                self.masks.len(),
                self.depth()
            ));
        }
        for (l, m) in self.masks.iter().enumerate() {
            if let Some(m) = m {
                let want = self.widths[l] * self.widths[l + 1];
                if m.len() != want || m.iter().any(|&x| x != 0.0 && x != 1.0) {
                    return bad(format!(
                        "mask of layer {} must hold {want} zeros and ones",
                        l + 1
                    ));
                }
            }
        }
        if let Some(e) = self.embedding {
            if e.vocab == 0 || e.dim == 0 || e.tokens * e.dim != self.widths[0] {
                return bad(format!(
                    "embedding {} tokens × {} dims does not fill the {} inputs",
                    e.tokens, e.dim, self.widths[0]
                ));
            }
        }
        Ok(())
    }
}

/// One batch of input rows.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a, T: Real = f64> {
    /// n rows of d_0 numbers, row-major.
    Dense(&'a [T]),
    /// n rows of `tokens` indices into the embedding.
    Tokens(&'a [u32]),
}

/// Where layer l's parameters sit in θ.
#[derive(Clone, Copy, Debug)]
struct LayerAt {
    w: usize,
    b: usize,
    fan_in: usize,
    fan_out: usize,
    /// The layer's mask is block-diagonal with this many blocks (`MlpSpec::block_diagonal`):
    /// its products run block by block and skip the masked-out weights. 1 = dense (or a
    /// general mask, applied through W̃).
    blocks: usize,
}

impl LayerAt {
    /// Inputs and outputs of one diagonal block.
    fn block_size(&self) -> (usize, usize) {
        (self.fan_in / self.blocks, self.fan_out / self.blocks)
    }

    /// Per diagonal block: its first input, its first output, and where W[first output][first
    /// input] sits in the layer's row-major W.
    fn diagonal_blocks(&self) -> impl Iterator<Item = (usize, usize, usize)> {
        let (gin, gout, fan_in) = (
            self.fan_in / self.blocks,
            self.fan_out / self.blocks,
            self.fan_in,
        );
        (0..self.blocks).map(move |g| (g * gin, g * gout, g * gout * fan_in + g * gin))
    }
}

/// The number of diagonal blocks of a 0/1 mask (dout × din, row-major), if it is the pattern
/// `MlpSpec::block_diagonal` writes (M[o][i] = 1 iff o and i are in the same equal group),
/// else 1.
fn diagonal_blocks(mask: &[f64], din: usize, dout: usize) -> usize {
    (2..=din.min(dout))
        .filter(|&b| din.is_multiple_of(b) && dout.is_multiple_of(b))
        .find(|&b| {
            let (gin, gout) = (din / b, dout / b);
            mask.iter().enumerate().all(|(x, &m)| {
                let same = (x / din) / gout == (x % din) / gin;
                m == if same { 1.0 } else { 0.0 }
            })
        })
        .unwrap_or(1)
}

/// A network and its parameters θ (one flat vector) in precision `T`.
#[derive(Clone, Debug)]
pub struct Mlp<T: Real = f64> {
    spec: MlpSpec,
    layers: Vec<LayerAt>,
    /// Offset of E in θ (= θ.len() without an embedding).
    embed_at: usize,
    /// The spec's masks in `T` (0 and 1 are exact in both precisions).
    masks: Vec<Option<Vec<T>>>,
    theta: Vec<T>,
}

/// What a forward pass keeps for the backward pass (and the outputs). Buffers grow to the
/// largest batch seen and are reused, so a training step allocates nothing.
#[derive(Clone, Debug)]
pub struct Tape<T: Real = f64> {
    n: usize,
    /// a_0 when it is assembled from the embedding (n × d_0; direct path only).
    a0: Vec<T>,
    /// Factored embedding path: the table products (forward: Q, backward: S) in the two
    /// layouts (`vocab × d_1·T`, unit-major, and `vocab × T·d_1`, slot-major).
    emb_unit: Vec<T>,
    emb_slot: Vec<T>,
    /// z_l for l = 1..L (z_L = f, the outputs).
    z: Vec<Vec<T>>,
    /// a_l = φ(z_l) for the hidden layers l = 1..L−1.
    a: Vec<Vec<T>>,
    /// σ(z_l) for SiLU hidden layers (φ' needs it).
    sig: Vec<Vec<T>>,
    /// W̃_l for the masked layers.
    w_eff: Vec<Vec<T>>,
    /// δ scratch (current and previous layer).
    delta: Vec<T>,
    delta_prev: Vec<T>,
}

impl<T: Real> Default for Tape<T> {
    fn default() -> Self {
        Tape {
            n: 0,
            a0: vec![],
            emb_unit: vec![],
            emb_slot: vec![],
            z: vec![],
            a: vec![],
            sig: vec![],
            w_eff: vec![],
            delta: vec![],
            delta_prev: vec![],
        }
    }
}

impl<T: Real> Tape<T> {
    /// a_{l−1}, the input of layer l (0-based): the dense rows or the assembled embeddings for
    /// the first layer, else the previous layer's activations.
    fn layer_input<'a>(&'a self, l: usize, input: Input<'a, T>) -> &'a [T] {
        match (l, input) {
            (0, Input::Dense(x)) => x,
            (0, Input::Tokens(_)) => &self.a0,
            _ => &self.a[l - 1],
        }
    }

    /// Rows of the last forward pass.
    pub fn rows(&self) -> usize {
        self.n
    }

    /// The outputs f of the last forward pass (n × d_L); empty before the first.
    pub fn output(&self) -> &[T] {
        self.z.last().map_or(&[], |z| z.as_slice())
    }
}

/// PyTorch `nn.Linear` default init bound 1/√fan_in.
fn linear_bound(fan_in: usize) -> f64 {
    1.0 / (fan_in as f64).sqrt()
}

impl<T: Real> Mlp<T> {
    /// A network with PyTorch's default init drawn from `rng` (see the module header); the
    /// draws are f64 and rounded to `T`, so both precisions start from the same network.
    pub fn new(spec: MlpSpec, rng: &mut Pcg64) -> Result<Self, SimError> {
        spec.validate()?;
        let mut layers = Vec::with_capacity(spec.depth());
        let mut at = 0;
        for w in spec.widths.windows(2) {
            let (fan_in, fan_out) = (w[0], w[1]);
            let l = layers.len();
            let blocks = match spec.masks.get(l).and_then(|m| m.as_deref()) {
                // (an embedding's first layer keeps W̃: its table path takes W̃ whole)
                Some(m) if !(l == 0 && spec.embedding.is_some()) => {
                    diagonal_blocks(m, fan_in, fan_out)
                }
                _ => 1,
            };
            layers.push(LayerAt {
                w: at,
                b: at + fan_out * fan_in,
                fan_in,
                fan_out,
                blocks,
            });
            at += fan_out * fan_in + fan_out;
        }
        let embed_at = at;
        let n_embed = spec.embedding.map_or(0, |e| e.vocab * e.dim);
        let mut theta = vec![T::ZERO; at + n_embed];
        for la in &layers {
            let bound = linear_bound(la.fan_in);
            for x in &mut theta[la.w..la.b + la.fan_out] {
                *x = T::from_f64(rng.random_range(-bound..bound));
            }
        }
        for x in &mut theta[embed_at..] {
            *x = T::from_f64(rng.sample(StandardNormal));
        }
        let masks = spec
            .masks
            .iter()
            .map(|m| {
                m.as_ref()
                    .map(|m| m.iter().map(|&x| T::from_f64(x)).collect())
            })
            .collect();
        Ok(Mlp {
            spec,
            layers,
            embed_at,
            masks,
            theta,
        })
    }

    pub fn spec(&self) -> &MlpSpec {
        &self.spec
    }

    /// θ = [W_1, b_1, …, W_L, b_L, E].
    pub fn theta(&self) -> &[T] {
        &self.theta
    }

    /// θ, for the optimizer (and gradient checks).
    pub fn theta_mut(&mut self) -> &mut [T] {
        &mut self.theta
    }

    /// Number of parameters (length of θ and of the gradient).
    pub fn n_params(&self) -> usize {
        self.theta.len()
    }

    /// Inputs per row (d_0).
    pub fn n_in(&self) -> usize {
        self.spec.widths[0]
    }

    /// Outputs per row (d_L).
    pub fn n_out(&self) -> usize {
        *self.spec.widths.last().unwrap_or(&0)
    }

    /// Rows in `input`, or an error naming the mismatch.
    pub fn rows(&self, input: Input<T>) -> Result<usize, SimError> {
        let (len, per_row) = match (input, self.spec.embedding) {
            (Input::Dense(x), None) => (x.len(), self.n_in()),
            (Input::Tokens(t), Some(e)) => {
                if let Some(&bad) = t.iter().find(|&&v| v as usize >= e.vocab) {
                    return Err(SimError::Invalid(format!(
                        "token {bad} is outside the vocabulary of {}",
                        e.vocab
                    )));
                }
                (t.len(), e.tokens)
            }
            (Input::Dense(_), Some(_)) => {
                return Err(SimError::Invalid("this network takes tokens".into()))
            }
            (Input::Tokens(_), None) => {
                return Err(SimError::Invalid("this network takes dense rows".into()))
            }
        };
        if len % per_row != 0 {
            return Err(SimError::Invalid(format!(
                "{len} numbers do not make rows of {per_row}"
            )));
        }
        Ok(len / per_row)
    }

    fn mask(&self, l: usize) -> Option<&[T]> {
        self.masks.get(l).and_then(|m| m.as_deref())
    }

    /// Whether the first layer of an embedding network runs through the table (see
    /// [`Mlp::embed_forward`]): when the batch has more rows than the vocabulary has tokens, so
    /// that the table products (vocab rows) are cheaper than the batch products (n rows). A
    /// function of the shapes only, so a run takes the same path every step on every machine.
    fn factored(&self, input: Input<T>, n: usize) -> bool {
        matches!((input, self.spec.embedding), (Input::Tokens(_), Some(e)) if e.vocab < n)
    }

    /// z_1 = a_0 W̃_1ᵀ for token rows, through the table: a_0 = concat(E[x_1], …, E[x_T]) gives
    /// `z_1[i] = Σ_s Q_s[x_is]` with `Q_s = E · W̃_1[:, slot s]ᵀ` (vocab × d_1), one product per
    /// step instead of one per row: for Fig. 13 (59 tokens, 3481 rows, d_0 = 256) ≈ 1.5 M
    /// multiply-adds instead of 89 M. Viewing W̃_1 (d_1 × T·dim, row-major) as a
    /// (d_1·T) × dim matrix, all slots are one product `E · W̃_1ᵀ` (vocab × d_1·T, column
    /// j·T + s), re-laid slot-major so that each row is a sum of T contiguous rows, in slot
    /// order. Same sum as the direct path, grouped by slot: equal to rounding, not bit for bit.
    fn embed_forward(
        &self,
        tok: &[u32],
        w_eff: &[T],
        q_unit: &mut Vec<T>,
        q_slot: &mut Vec<T>,
        z: &mut [T],
    ) {
        let Some(e) = self.spec.embedding else {
            return;
        };
        let (vocab, t, d1) = (e.vocab, e.tokens, self.layers[0].fan_out);
        let table = &self.theta[self.embed_at..];
        q_unit.resize(vocab * d1 * t, T::ZERO);
        gemm(
            vocab,
            e.dim,
            d1 * t,
            table,
            false,
            w_eff,
            true,
            T::ZERO,
            q_unit,
        );
        unit_to_slot(q_unit, q_slot, vocab, d1, t);
        for (zr, row) in z.chunks_exact_mut(d1).zip(tok.chunks_exact(t)) {
            for (s, &x) in row.iter().enumerate() {
                let at = (x as usize * t + s) * d1;
                let q = &q_slot[at..at + d1];
                if s == 0 {
                    zr.copy_from_slice(q);
                } else {
                    zr.iter_mut().zip(q).for_each(|(z, &q)| *z += q);
                }
            }
        }
    }

    /// The backward pass of [`Mlp::embed_forward`]: with `S_s[x] = Σ_{i: x_is = x} δ_1[i]`
    /// (rows in order), ∂L/∂W̃_1[:, slot s] = S_sᵀ E and ∂L/∂E = Σ_s S_s W̃_1[:, slot s], i.e.
    /// with S laid out like Q: `∂L/∂W̃_1 = Sᵀ E` and `∂L/∂E = S W̃_1` (as (d_1·T) × dim).
    #[allow(clippy::too_many_arguments)]
    fn embed_backward(
        &self,
        tok: &[u32],
        delta: &[T],
        w_eff: &[T],
        s_slot: &mut Vec<T>,
        s_unit: &mut Vec<T>,
        gw: &mut [T],
        ge: &mut [T],
    ) {
        let Some(e) = self.spec.embedding else {
            return;
        };
        let (vocab, t, d1) = (e.vocab, e.tokens, self.layers[0].fan_out);
        s_slot.clear();
        s_slot.resize(vocab * t * d1, T::ZERO);
        for (dr, row) in delta.chunks_exact(d1).zip(tok.chunks_exact(t)) {
            for (s, &x) in row.iter().enumerate() {
                let at = (x as usize * t + s) * d1;
                s_slot[at..at + d1]
                    .iter_mut()
                    .zip(dr)
                    .for_each(|(a, &d)| *a += d);
            }
        }
        slot_to_unit(s_slot, s_unit, vocab, d1, t);
        let table = &self.theta[self.embed_at..];
        gemm(
            d1 * t,
            vocab,
            e.dim,
            s_unit,
            true,
            table,
            false,
            T::ZERO,
            gw,
        );
        gemm(
            vocab,
            d1 * t,
            e.dim,
            s_unit,
            false,
            w_eff,
            false,
            T::ZERO,
            ge,
        );
    }

    /// Forward pass on `input` (checked with [`Mlp::rows`] beforehand); returns the outputs f
    /// (n × d_L, row-major) and keeps what the backward pass needs in `tape`.
    pub fn forward<'t>(&self, input: Input<T>, tape: &'t mut Tape<T>) -> &'t [T] {
        let n = self.rows(input).expect("input does not fit the network");
        let depth = self.layers.len();
        tape.n = n;
        tape.z.resize_with(depth, Vec::new);
        tape.a.resize_with(depth - 1, Vec::new);
        tape.sig.resize_with(depth - 1, Vec::new);
        tape.w_eff.resize_with(depth, Vec::new);
        let factored = self.factored(input, n);
        if let (Input::Tokens(tok), Some(e)) = (input, self.spec.embedding) {
            if !factored {
                let table = &self.theta[self.embed_at..];
                tape.a0.clear();
                for &t in tok {
                    let t = t as usize;
                    tape.a0
                        .extend_from_slice(&table[t * e.dim..(t + 1) * e.dim]);
                }
            }
        }
        for l in 0..depth {
            let la = self.layers[l];
            let w = &self.theta[la.w..la.b];
            if let (Some(m), 1) = (self.mask(l), la.blocks) {
                let we = &mut tape.w_eff[l];
                we.clear();
                we.extend(w.iter().zip(m).map(|(&w, &m)| w * m));
            }
            // z_l = a_{l−1} W̃_lᵀ, then + b_l and φ row by row (one pass over z_l)
            let mut z = std::mem::take(&mut tape.z[l]);
            z.resize(n * la.fan_out, T::ZERO);
            {
                let w_eff: &[T] = if self.mask(l).is_some() {
                    &tape.w_eff[l]
                } else {
                    w
                };
                let a_prev = tape.layer_input(l, input);
                if let (0, true, Input::Tokens(tok)) = (l, factored, input) {
                    self.embed_forward(tok, w_eff, &mut tape.emb_unit, &mut tape.emb_slot, &mut z);
                } else if la.blocks > 1 {
                    // z[:, out_g] = a_{l−1}[:, in_g] · W_l[out_g, in_g]ᵀ, block by block
                    let (gin, gout) = la.block_size();
                    for (i0, o0, w0) in la.diagonal_blocks() {
                        gemm_strided(
                            n,
                            gin,
                            gout,
                            &a_prev[i0..],
                            (la.fan_in, 1),
                            &w[w0..],
                            (1, la.fan_in),
                            &mut z[o0..],
                            la.fan_out,
                        );
                    }
                } else {
                    gemm(
                        n,
                        la.fan_in,
                        la.fan_out,
                        a_prev,
                        false,
                        w_eff,
                        true,
                        T::ZERO,
                        &mut z,
                    );
                }
            }
            let bias = &self.theta[la.b..la.b + la.fan_out];
            let rows = z.chunks_exact_mut(la.fan_out);
            if l + 1 == depth {
                for zr in rows {
                    for (v, &b) in zr.iter_mut().zip(bias) {
                        *v += b;
                    }
                }
            } else {
                let a = &mut tape.a[l];
                a.resize(n * la.fan_out, T::ZERO);
                let ar = a.chunks_exact_mut(la.fan_out);
                match self.spec.activation {
                    Activation::Relu => {
                        for (zr, ar) in rows.zip(ar) {
                            for ((v, a), &b) in zr.iter_mut().zip(ar).zip(bias) {
                                *v += b;
                                *a = if *v > T::ZERO { *v } else { T::ZERO };
                            }
                        }
                    }
                    Activation::Silu => {
                        let s = &mut tape.sig[l];
                        s.resize(n * la.fan_out, T::ZERO);
                        let sr = s.chunks_exact_mut(la.fan_out);
                        for ((zr, ar), sr) in rows.zip(ar).zip(sr) {
                            // the bits of z + b, σ = Real::sigmoid, z·σ; vectorised exp
                            kernels::bias_silu(zr, bias, sr, ar);
                        }
                    }
                }
            }
            tape.z[l] = z;
        }
        &tape.z[depth - 1]
    }

    /// Gradient of L with respect to θ into `grad` (length [`Mlp::n_params`]), given
    /// ∂L/∂f = `d_out` (n × d_L) at the state of the last `forward(input, tape)`.
    pub fn backward(&self, input: Input<T>, tape: &mut Tape<T>, d_out: &[T], grad: &mut [T]) {
        let n = tape.n;
        let depth = self.layers.len();
        assert_eq!(grad.len(), self.theta.len(), "gradient length");
        assert_eq!(d_out.len(), n * self.n_out(), "∂L/∂f must be n × d_L");
        let mut delta = std::mem::take(&mut tape.delta);
        let mut prev = std::mem::take(&mut tape.delta_prev);
        delta.clear();
        delta.extend_from_slice(d_out);
        let factored = self.factored(input, n);
        for l in (0..depth).rev() {
            let la = self.layers[l];
            // ∂L/∂W_l = (δ_lᵀ a_{l−1}) ⊙ M_l
            let (gw, ge) = grad[la.w..].split_at_mut(la.b - la.w);
            if let (0, true, Input::Tokens(tok)) = (l, factored, input) {
                let w_eff: &[T] = if self.mask(0).is_some() {
                    &tape.w_eff[0]
                } else {
                    &self.theta[la.w..la.b]
                };
                let ge = &mut ge[self.embed_at - la.b..];
                self.embed_backward(
                    tok,
                    &delta,
                    w_eff,
                    &mut tape.emb_slot,
                    &mut tape.emb_unit,
                    gw,
                    ge,
                );
            } else if la.blocks > 1 {
                // only the diagonal blocks: the rest of ∂L/∂W_l is masked out, exactly 0
                let a_prev = tape.layer_input(l, input);
                let (gin, gout) = la.block_size();
                gw.iter_mut().for_each(|g| *g = T::ZERO);
                for (i0, o0, w0) in la.diagonal_blocks() {
                    gemm_strided(
                        gout,
                        n,
                        gin,
                        &delta[o0..],
                        (1, la.fan_out),
                        &a_prev[i0..],
                        (la.fan_in, 1),
                        &mut gw[w0..],
                        la.fan_in,
                    );
                }
            } else {
                let a_prev = tape.layer_input(l, input);
                gemm(
                    la.fan_out,
                    n,
                    la.fan_in,
                    &delta,
                    true,
                    a_prev,
                    false,
                    T::ZERO,
                    gw,
                );
            }
            if let (Some(m), 1) = (self.mask(l), la.blocks) {
                for (g, &m) in gw.iter_mut().zip(m) {
                    *g *= m;
                }
            }
            // ∂L/∂b_l = Σ_i δ_{l,i}, rows in order
            let gb = &mut grad[la.b..la.b + la.fan_out];
            gb.iter_mut().for_each(|g| *g = T::ZERO);
            for row in delta.chunks_exact(la.fan_out) {
                for (g, &d) in gb.iter_mut().zip(row) {
                    *g += d;
                }
            }
            // (the factored embedding path has written ∂L/∂E already)
            let need_input_grad = l > 0 || (self.spec.embedding.is_some() && !factored);
            if !need_input_grad {
                break;
            }
            // δ_l W̃_l (n × d_{l−1})
            prev.resize(n * la.fan_in, T::ZERO);
            if la.blocks > 1 {
                // prev[:, in_g] = δ_l[:, out_g] · W_l[out_g, in_g], block by block
                let w = &self.theta[la.w..la.b];
                let (gin, gout) = la.block_size();
                for (i0, o0, w0) in la.diagonal_blocks() {
                    gemm_strided(
                        n,
                        gout,
                        gin,
                        &delta[o0..],
                        (la.fan_out, 1),
                        &w[w0..],
                        (la.fan_in, 1),
                        &mut prev[i0..],
                        la.fan_in,
                    );
                }
            } else {
                let w_eff: &[T] = if self.mask(l).is_some() {
                    &tape.w_eff[l]
                } else {
                    &self.theta[la.w..la.b]
                };
                gemm(
                    n,
                    la.fan_out,
                    la.fan_in,
                    &delta,
                    false,
                    w_eff,
                    false,
                    T::ZERO,
                    &mut prev,
                );
            }
            if l > 0 {
                // δ_{l−1} = (δ_l W̃_l) ⊙ φ'(z_{l−1})
                let z = &tape.z[l - 1];
                match self.spec.activation {
                    Activation::Relu => {
                        for (d, &z) in prev.iter_mut().zip(z) {
                            *d = if z > T::ZERO { *d } else { T::ZERO };
                        }
                    }
                    Activation::Silu => {
                        let s = &tape.sig[l - 1];
                        for ((d, &z), &s) in prev.iter_mut().zip(z).zip(s) {
                            *d *= s * (T::ONE + z * (T::ONE - s));
                        }
                    }
                }
                std::mem::swap(&mut delta, &mut prev);
            } else if let (Input::Tokens(tok), Some(e)) = (input, self.spec.embedding) {
                // ∂L/∂E[t]: every slot holding token t adds its slice of δ_1 W̃_1, rows in order
                let ge = &mut grad[self.embed_at..];
                ge.iter_mut().for_each(|g| *g = T::ZERO);
                for (slot, &t) in tok.iter().enumerate() {
                    let t = t as usize;
                    let src = &prev[slot * e.dim..(slot + 1) * e.dim];
                    for (g, &s) in ge[t * e.dim..(t + 1) * e.dim].iter_mut().zip(src) {
                        *g += s;
                    }
                }
            }
        }
        tape.delta = delta;
        tape.delta_prev = prev;
    }
}

/// `vocab × d1·T` with column j·T + s (unit-major) → `vocab × T·d1` with column s·d1 + j.
fn unit_to_slot<T: Real>(unit: &[T], slot: &mut Vec<T>, vocab: usize, d1: usize, t: usize) {
    slot.resize(vocab * t * d1, T::ZERO);
    for (u, sl) in unit.chunks_exact(d1 * t).zip(slot.chunks_exact_mut(t * d1)) {
        for j in 0..d1 {
            for s in 0..t {
                sl[s * d1 + j] = u[j * t + s];
            }
        }
    }
}

/// The inverse re-layout of [`unit_to_slot`].
fn slot_to_unit<T: Real>(slot: &[T], unit: &mut Vec<T>, vocab: usize, d1: usize, t: usize) {
    unit.resize(vocab * d1 * t, T::ZERO);
    for (sl, u) in slot.chunks_exact(t * d1).zip(unit.chunks_exact_mut(d1 * t)) {
        for j in 0..d1 {
            for s in 0..t {
                u[j * t + s] = sl[s * d1 + j];
            }
        }
    }
}

/// C ← A·B + β·C for row-major C (m × n). A is m × k, stored row-major, or stored as its
/// transpose (k × m) when `ta`; B is k × n, or stored as its transpose (n × k) when `tb`.
/// β = 0 overwrites C (its old contents, even NaN, are ignored).
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Real>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    ta: bool,
    b: &[T],
    tb: bool,
    beta: T,
    c: &mut [T],
) {
    // (each implementation checks the operand sizes)
    #[cfg(target_arch = "wasm32")]
    kernels::gemm_fixed_order(m, k, n, a, ta, b, tb, beta, c);
    #[cfg(not(target_arch = "wasm32"))]
    gemm_matrixmultiply(m, k, n, a, ta, b, tb, beta, c);
}

/// C ← A·B (β = 0) for matrices inside larger ones (the diagonal blocks of a block-diagonal
/// layer): A's element (i, p) at `a[i·rsa + p·csa]`, B's (p, j) at `b[p·rsb + j·csb]`, C's
/// (i, j) at `c[i·ldc + j]`; the other elements of `c` are left alone. In wasm the
/// fixed-order kernel (each element summed in p order: a block product gives the bits of the
/// full masked product, whose extra terms are exact zeros), natively matrixmultiply.
#[allow(clippy::too_many_arguments)]
pub fn gemm_strided<T: Real>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    a_strides: (usize, usize),
    b: &[T],
    b_strides: (usize, usize),
    c: &mut [T],
    ldc: usize,
) {
    #[cfg(target_arch = "wasm32")]
    kernels::gemm_fixed_order_strided(m, k, n, a, a_strides, b, b_strides, c, ldc);
    #[cfg(not(target_arch = "wasm32"))]
    {
        if !kernels::strided_operands(m, k, n, a, a_strides, b, b_strides, c, ldc) {
            return;
        }
        let ((rsa, csa), (rsb, csb)) = (a_strides, b_strides);
        // SAFETY: strided_operands' asserts keep every addressed element of A, B and C inside its slice;
        // C does not alias A or B (a shared and a mutable borrow).
        unsafe {
            T::blas(
                m,
                k,
                n,
                a.as_ptr(),
                rsa as isize,
                csa as isize,
                b.as_ptr(),
                rsb as isize,
                csb as isize,
                T::ZERO,
                c.as_mut_ptr(),
                ldc as isize,
            );
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::too_many_arguments)]
fn gemm_matrixmultiply<T: Real>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    ta: bool,
    b: &[T],
    tb: bool,
    beta: T,
    c: &mut [T],
) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "gemm operands too short"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        // matrixmultiply needs k ≥ 1: C ← β·C (β = 0 overwrites, NaN included)
        for x in &mut c[..m * n] {
            *x = if beta == T::ZERO { T::ZERO } else { beta * *x };
        }
        return;
    }
    let (rsa, csa) = if ta { (1, m as isize) } else { (k as isize, 1) };
    let (rsb, csb) = if tb { (1, k as isize) } else { (n as isize, 1) };
    // SAFETY: the assert above keeps every element matrixmultiply addresses inside the
    // slices: A spans (m−1)·rsa + (k−1)·csa < m·k, likewise B and C; C does not alias A or B
    // (a shared and a mutable borrow).
    unsafe {
        T::blas(
            m,
            k,
            n,
            a.as_ptr(),
            rsa,
            csa,
            b.as_ptr(),
            rsb,
            csb,
            beta,
            c.as_mut_ptr(),
            n as isize,
        );
    }
}

/// Masked MSE over all n·K entries (see the module header) into `d_out` = ∂L/∂f; returns L.
/// With `reweight`, the loss is `mean(ℓ · ℓ̄/mean(ℓ̄))` (ℓ̄ detached) and so is its gradient;
/// when every ℓ is 0 both are 0.
pub fn mse_loss<T: Real>(f: &[T], y: &[T], mask: &[T], reweight: bool, d_out: &mut [T]) -> T {
    assert!(
        f.len() == y.len() && f.len() == mask.len() && f.len() == d_out.len(),
        "f, y, mask and ∂L/∂f must have one length"
    );
    let total = T::from_f64(f.len() as f64);
    let two = T::ONE + T::ONE;
    let mut sum = T::ZERO;
    for ((d, (&f, &y)), &m) in d_out.iter_mut().zip(f.iter().zip(y)).zip(mask) {
        let r = f - y;
        let l = m * r * r;
        sum += l;
        *d = two * m * r / total;
    }
    let mean = sum / total;
    if !reweight {
        return mean;
    }
    if mean == T::ZERO {
        d_out.iter_mut().for_each(|d| *d = T::ZERO);
        return T::ZERO;
    }
    let mut sum_sq = T::ZERO;
    for ((d, (&f, &y)), &m) in d_out.iter_mut().zip(f.iter().zip(y)).zip(mask) {
        let r = f - y;
        let l = m * r * r;
        sum_sq += l * l;
        *d *= l / mean;
    }
    sum_sq / total / mean
}

/// Softmax cross-entropy, mean over the n rows of `logits` (n × classes); writes ∂L/∂f into
/// `d_out` when given. Returns L.
pub fn softmax_ce<T: Real>(
    logits: &[T],
    classes: usize,
    labels: &[u32],
    mut d_out: Option<&mut [T]>,
) -> T {
    let n = labels.len();
    assert_eq!(logits.len(), n * classes, "logits must be n × classes");
    if let Some(d) = d_out.as_deref() {
        assert_eq!(d.len(), logits.len(), "∂L/∂f must be n × classes");
    }
    let nf = T::from_f64(n as f64);
    let mut total = T::ZERO;
    for (i, (row, &y)) in logits.chunks_exact(classes).zip(labels).enumerate() {
        let y = y as usize;
        let max = row.iter().fold(T::NEG_INFINITY, |a, &b| a.max(b));
        let mut z = T::ZERO;
        match d_out.as_deref_mut() {
            Some(d) => {
                // keep e^{f − max} to turn it into the softmax without a second exp
                let drow = &mut d[i * classes..(i + 1) * classes];
                // the bits of Real::exp(v − max), summed in order
                z = kernels::exp_shifted(row, max, drow);
                for dv in drow.iter_mut() {
                    *dv = *dv / z / nf;
                }
                drow[y] -= T::ONE / nf;
            }
            None => {
                for &v in row {
                    z += (v - max).exp();
                }
            }
        }
        total += max + z.ln() - row[y];
    }
    total / nf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::geometry::rng_for;

    #[test]
    fn gemm_matches_the_definition_for_every_shape_and_transpose() {
        // small integers: every product and sum is exact, so the results must be equal;
        // thin shapes (the 2-output and 2-input layers) and k = 0 included
        for (m, k, n) in [
            (7, 300, 5),
            (300, 7, 9),
            (9, 2, 300),
            (300, 9, 2),
            (2, 300, 9),
            (3, 3, 3),
            (1, 1, 1),
            (4, 0, 3),
        ] {
            let a: Vec<f64> = (0..m * k).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
            let b: Vec<f64> = (0..k * n).map(|i| ((i * 3) % 13) as f64 - 6.0).collect();
            for ta in [false, true] {
                for tb in [false, true] {
                    let want = crate::sim::nn::kernels::reference_gemm(m, k, n, &a, ta, &b, tb);
                    let mut c = vec![f64::NAN; m * n];
                    gemm(m, k, n, &a, ta, &b, tb, 0.0, &mut c);
                    assert_eq!(c, want, "{m}×{k}×{n}, ta = {ta}, tb = {tb}");
                    // β = 1 accumulates
                    gemm(m, k, n, &a, ta, &b, tb, 1.0, &mut c);
                    let twice: Vec<f64> = want.iter().map(|x| 2.0 * x).collect();
                    assert_eq!(c, twice, "{m}×{k}×{n}, ta = {ta}, tb = {tb}, β = 1");
                }
            }
        }
    }

    #[test]
    fn pytorch_linear_init_bounds_and_embedding() {
        let spec = MlpSpec {
            embedding: Some(Embedding {
                vocab: 59,
                dim: 128,
                tokens: 2,
            }),
            ..MlpSpec::dense(vec![256, 100, 100, 59], Activation::Silu)
        };
        let net = Mlp::<f64>::new(spec, &mut rng_for(0, 1)).unwrap();
        assert_eq!(
            net.n_params(),
            256 * 100 + 100 + 100 * 100 + 100 + 100 * 59 + 59 + 59 * 128
        );
        let th = net.theta();
        let l1 = &th[..256 * 100 + 100];
        let b = 1.0 / 16.0;
        assert!(l1.iter().all(|x| x.abs() < b));
        assert!(
            l1.iter().any(|x| x.abs() > 0.95 * b),
            "uses the whole range"
        );
        let l2 = &th[256 * 100 + 100..256 * 100 + 100 + 100 * 100 + 100];
        assert!(l2.iter().all(|x| x.abs() < 0.1));
        let e = &th[net.embed_at..];
        let mean = e.iter().sum::<f64>() / e.len() as f64;
        let var = e.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / e.len() as f64;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "E ~ N(0, 1): {mean} {var}"
        );
    }

    #[test]
    fn block_diagonal_masks_of_fig_19() {
        let s = MlpSpec::dense(vec![2, 100, 100, 2], Activation::Silu)
            .block_diagonal(2)
            .unwrap();
        let m1 = s.masks[0].as_ref().unwrap();
        // input 1 → units 1–50, input 2 → units 51–100
        assert_eq!(m1[0], 1.0);
        assert_eq!(m1[1], 0.0);
        assert_eq!(m1[49 * 2 + 1], 0.0);
        assert_eq!(m1[50 * 2], 0.0);
        assert_eq!(m1[50 * 2 + 1], 1.0);
        let m2 = s.masks[1].as_ref().unwrap();
        assert_eq!(m2.iter().sum::<f64>(), 2.0 * 50.0 * 50.0);
        assert_eq!(m2[49 * 100 + 49], 1.0);
        assert_eq!(m2[49 * 100 + 50], 0.0);
        let m3 = s.masks[2].as_ref().unwrap();
        assert_eq!(m3[..100].iter().sum::<f64>(), 50.0);
        assert_eq!(m3[..50].iter().sum::<f64>(), 50.0);
        assert_eq!(m3[100 + 50..].iter().sum::<f64>(), 50.0);
        assert!(MlpSpec::dense(vec![3, 4], Activation::Relu)
            .block_diagonal(2)
            .is_err());
    }

    #[test]
    fn block_diagonal_masks_run_block_by_block_and_other_masks_do_not() {
        let blocks = |spec: MlpSpec| -> Vec<usize> {
            let net = Mlp::<f64>::new(spec, &mut rng_for(0, 1)).unwrap();
            net.layers.iter().map(|l| l.blocks).collect()
        };
        let fig19 = MlpSpec::dense(vec![2, 100, 100, 2], Activation::Silu);
        assert_eq!(blocks(fig19.clone()), [1, 1, 1]);
        assert_eq!(blocks(fig19.clone().block_diagonal(2).unwrap()), [2, 2, 2]);
        let three = MlpSpec::dense(vec![6, 12, 3], Activation::Silu);
        assert_eq!(blocks(three.block_diagonal(3).unwrap()), [3, 3]);
        // one flipped entry: a general mask, applied through W̃
        let mut odd = fig19.block_diagonal(2).unwrap();
        if let Some(m) = odd.masks[1].as_mut() {
            m[150] = 1.0 - m[150];
        }
        assert_eq!(blocks(odd), [2, 1, 2]);
        // an embedding's first layer keeps W̃ for its table path
        let emb = MlpSpec {
            embedding: Some(Embedding {
                vocab: 5,
                dim: 2,
                tokens: 2,
            }),
            ..MlpSpec::dense(vec![4, 6, 2], Activation::Silu)
        }
        .block_diagonal(2)
        .unwrap();
        assert_eq!(blocks(emb), [1, 2]);
    }

    #[test]
    fn losses_by_hand() {
        // MSE: entries (f − y, m) = (1, 1), (2, 0), (−3, 1) → L = (1 + 9)/3
        let f = [1.0, 2.0, -3.0];
        let y = [0.0, 0.0, 0.0];
        let m = [1.0, 0.0, 1.0];
        let mut d = [0.0; 3];
        assert_eq!(mse_loss(&f, &y, &m, false, &mut d), 10.0 / 3.0);
        assert_eq!(d, [2.0 / 3.0, 0.0, -2.0]);
        // re-weighted: ℓ = (1, 0, 9), mean 10/3 → L = mean(ℓ²)/mean(ℓ) = (82/3)/(10/3) = 8.2
        let l = mse_loss(&f, &y, &m, true, &mut d);
        assert!((l - 8.2).abs() < 1e-14);
        let w = [1.0 / (10.0 / 3.0), 0.0, 9.0 / (10.0 / 3.0)];
        for (dv, want) in d.iter().zip([2.0 / 3.0 * w[0], 0.0, -2.0 * w[2]]) {
            assert!((dv - want).abs() < 1e-14);
        }
        // all-zero loss: no 0/0
        assert_eq!(mse_loss(&y, &y, &m, true, &mut d), 0.0);
        assert_eq!(d, [0.0; 3]);
        // CE: uniform logits over 4 classes → ln 4, ∂ = (1/4 − [c = y])/n
        let logits = [0.0; 8];
        let mut d = [0.0; 8];
        let l = softmax_ce(&logits, 4, &[1, 3], Some(&mut d));
        assert!((l - 4f64.ln()).abs() < 1e-15);
        assert_eq!(d[1], (0.25 - 1.0) / 2.0);
        assert_eq!(d[0], 0.25 / 2.0);
        // huge logits stay finite
        let l = softmax_ce(&[1000.0, -1000.0], 2, &[0], None);
        assert_eq!(l, 0.0);
    }

    #[test]
    fn validation_names_the_problem() {
        let mut r = rng_for(0, 1);
        assert!(Mlp::<f64>::new(MlpSpec::dense(vec![3], Activation::Relu), &mut r).is_err());
        let mut s = MlpSpec::dense(vec![2, 2], Activation::Relu);
        s.masks = vec![Some(vec![1.0, 0.5, 0.0, 1.0])];
        assert!(Mlp::<f64>::new(s, &mut r).is_err());
        let net = Mlp::<f64>::new(MlpSpec::dense(vec![3, 2], Activation::Relu), &mut r).unwrap();
        assert!(net.rows(Input::Dense(&[0.0; 7])).is_err());
        assert!(net.rows(Input::Tokens(&[0; 3])).is_err());
        assert_eq!(net.rows(Input::Dense(&[0.0; 9])).unwrap(), 3);
    }
}
