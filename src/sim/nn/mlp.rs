//! Multi-layer perceptrons for the real-network experiments (docs/models.md §2, §6.2, §7), in
//! float64 or float32, trained full-batch by the shared optimizer module (`optim`).
//!
//! # Precision
//!
//! `Mlp<T>`, `Tape<T>` and `Input<T>` are generic over the element type (`f32` or `f64`; the
//! default type parameter is f64): one implementation of forward and backward for both, every
//! operation in the element type. What differs per type lives in `Real` (scalar functions with
//! libm's bits, conversions) and `gemm::Gemm` (the products). The θ of an f32 network is
//! stepped by the f64 optimizer (`optim`, see there why): "f32 network, f64 Adam state".
//! Initial weights are drawn in f64 and rounded to `T`, so an f32 and an f64 network of the
//! same seed start from the same weights up to that rounding.
//!
//! # The network
//!
//! Widths d_0, d_1, …, d_L ([`MlpSpec`]); layer l has weights W_l ∈ R^{d_l × d_{l−1}}
//! (row-major, as `nn.Linear`), bias b_l ∈ R^{d_l} and an optional fixed 0/1 mask M_l of the
//! same shape (block-diagonal = modular networks, Fig. 19). For a batch of n rows:
//!
//! ```text
//!   a_0 = x                     or  a_0 = concat(E[x_1], …, E[x_T])   (learnable embedding E)
//!   z_l = a_{l−1} W̃_lᵀ + b_l,   W̃_l = W_l ⊙ M_l   (W̃_l = W_l without a mask)
//!   a_l = φ(z_l)  for l < L,     f = z_L           (linear outputs)
//!   φ = ReLU: max(z, 0), φ' = [z > 0];   φ = SiLU: z σ(z), φ' = σ(z)(1 + z(1 − σ(z)))
//! ```
//!
//! The losses and their ∂L/∂f are in `loss`.
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
//!   `MlpSpec::block_diagonal` multiplies each diagonal block on its own (`gemm_strided`) and
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
//! # Determinism
//!
//! Every random draw comes from a seeded PCG64 stream, exp/ln come from libm (the SiLU and
//! softmax exps through the branch-free `Real::exp_nonpos`, which returns libm's bits), and
//! every sum outside the matrix products has a fixed order. The products are fixed-order in
//! wasm and matrixmultiply's run-time selected kernels natively (`gemm`): a browser run gives
//! the same bits on every machine, a native run the same bits on the same platform (tested),
//! and the two agree to rounding, not bit for bit; so the MLP models are not part of the
//! native-vs-wasm fingerprint test (e2e/nets.test.mjs compares the page's accuracies with the
//! CLI's to 0.01).

mod embed;

use super::activations::bias_silu;
use super::gemm::{gemm, gemm_strided, Gemm};
pub use super::loss::{mse_loss, mse_rows_gradient, mse_sum, softmax_ce, softmax_ce_rows};
use super::spec::diagonal_blocks;
pub use super::spec::{Activation, Embedding, MlpSpec};
use crate::sim::error::SimError;
pub use crate::sim::real::Real;
use rand::Rng;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use std::cell::RefCell;
use std::ops::Range;

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
    /// The embedding table's product Q at the current θ (see [`Mlp::embed_forward`]).
    table: RefCell<TableProduct<T>>,
}

/// The table product Q = E·W̃_1ᵀ of an embedding network in its two layouts (`vocab × d_1·T`,
/// unit-major, and `vocab × T·d_1`, slot-major). A function of θ alone, so it is kept with θ:
/// the first forward pass at a θ computes it and every other one reuses it (the test pass
/// after the training pass, the sharded step's passes over a participant's shards);
/// [`Mlp::theta_mut`] drops it.
#[derive(Clone, Debug, Default)]
struct TableProduct<T> {
    unit: Vec<T>,
    slot: Vec<T>,
    fresh: bool,
}

/// What a forward pass keeps for the backward pass (and the outputs). Buffers grow to the
/// largest batch seen and are reused, so a training step allocates nothing.
#[derive(Clone, Debug)]
pub struct Tape<T: Real = f64> {
    n: usize,
    /// Whether the first layer ran through the embedding table ([`Mlp::factored`]); the
    /// backward pass takes the same path.
    factored: bool,
    /// a_0 when it is assembled from the embedding (n × d_0; direct path only).
    a0: Vec<T>,
    /// Factored embedding path: the backward pass's scattered δ_1, S, in the two layouts of
    /// the table product (`vocab × T·d_1`, slot-major, and `vocab × d_1·T`, unit-major).
    s_slot: Vec<T>,
    s_unit: Vec<T>,
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
            factored: false,
            a0: vec![],
            s_slot: vec![],
            s_unit: vec![],
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

    /// Replaces the outputs by `f` (n × d_L, gathered from shards by the sharded step): the
    /// rest of the tape no longer matches them, so a backward pass needs a forward pass first.
    pub fn set_output(&mut self, f: &[T]) {
        if self.z.is_empty() {
            self.z.push(Vec::new());
        }
        if let Some(z) = self.z.last_mut() {
            z.clear();
            z.extend_from_slice(f);
        }
    }
}

/// PyTorch `nn.Linear` default init bound 1/√fan_in.
fn linear_bound(fan_in: usize) -> f64 {
    1.0 / (fan_in as f64).sqrt()
}

impl<T: Gemm> Mlp<T> {
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
            table: RefCell::default(),
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
        self.table.get_mut().fresh = false;
        &mut self.theta
    }

    /// Number of parameters (length of θ and of the gradient).
    pub fn n_params(&self) -> usize {
        self.theta.len()
    }

    /// Where each hidden layer's parameters sit in θ, input side first (every layer but the
    /// last): (offset of W_l, offset of b_l, fan-in, fan-out); unit j's incoming weights are
    /// `θ[w + j·fan_in .. w + (j+1)·fan_in]`, its bias `θ[b + j]` (the attribution's units).
    pub fn hidden_layers(&self) -> Vec<(usize, usize, usize, usize)> {
        let hidden = self.layers.len().saturating_sub(1);
        self.layers[..hidden]
            .iter()
            .map(|la| (la.w, la.b, la.fan_in, la.fan_out))
            .collect()
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

    /// Forward pass on `input` (checked with [`Mlp::rows`] beforehand); returns the outputs f
    /// (n × d_L, row-major) and keeps what the backward pass needs in `tape`.
    pub fn forward<'t>(&self, input: Input<T>, tape: &'t mut Tape<T>) -> &'t [T] {
        let n = self.rows(input).expect("input does not fit the network");
        self.forward_as(input, tape, n)
    }

    /// [`Mlp::forward`] of some rows of a batch of `batch` rows: the first layer takes the path
    /// the whole batch would ([`Mlp::factored`]), so each row's outputs are the same however
    /// the batch is cut (the sharded step's test pairs, `shard`).
    pub fn forward_as<'t>(&self, input: Input<T>, tape: &'t mut Tape<T>, batch: usize) -> &'t [T] {
        let n = self.rows(input).expect("input does not fit the network");
        let depth = self.layers.len();
        tape.n = n;
        tape.z.resize_with(depth, Vec::new);
        tape.a.resize_with(depth - 1, Vec::new);
        tape.sig.resize_with(depth - 1, Vec::new);
        tape.w_eff.resize_with(depth, Vec::new);
        let factored = self.factored(input, batch);
        tape.factored = factored;
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
                let w_eff = self.w_eff(l, &tape.w_eff);
                let a_prev = tape.layer_input(l, input);
                if let (0, true, Input::Tokens(tok)) = (l, factored, input) {
                    self.embed_forward(tok, w_eff, &mut z);
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
                            bias_silu(zr, bias, sr, ar);
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
        self.backward_segments(
            input,
            tape,
            d_out,
            std::slice::from_ref(&(0..n)),
            &mut [grad],
        );
    }

    /// [`Mlp::backward`] with one gradient per segment of the rows: `grads[s]` is the gradient
    /// of the loss terms of rows `segments[s]` (ranges of the last forward pass's rows, in
    /// order). The δ of every row is computed once, over all rows (each row's δ is its own:
    /// the products sum over columns, never over rows); only the sums over rows (∂L/∂W, ∂L/∂b,
    /// ∂L/∂E) are taken per segment, each exactly as a backward pass over that segment's rows
    /// alone would take it. An empty segment's gradient is zero. (The sharded step, `shard`:
    /// one pass over a worker's rows gives each shard's gradient.)
    pub fn backward_segments(
        &self,
        input: Input<T>,
        tape: &mut Tape<T>,
        d_out: &[T],
        segments: &[Range<usize>],
        grads: &mut [&mut [T]],
    ) {
        let n = tape.n;
        let depth = self.layers.len();
        assert_eq!(segments.len(), grads.len(), "one gradient per segment");
        assert!(
            grads.iter().all(|g| g.len() == self.theta.len()),
            "gradient length"
        );
        assert!(
            segments.iter().all(|r| r.start <= r.end && r.end <= n),
            "segments must lie in the batch"
        );
        assert_eq!(d_out.len(), n * self.n_out(), "∂L/∂f must be n × d_L");
        for (r, g) in segments.iter().zip(grads.iter_mut()) {
            if r.is_empty() {
                g.iter_mut().for_each(|x| *x = T::ZERO);
            }
        }
        let mut delta = std::mem::take(&mut tape.delta);
        let mut prev = std::mem::take(&mut tape.delta_prev);
        delta.clear();
        delta.extend_from_slice(d_out);
        let factored = tape.factored;
        let live = || {
            segments
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.is_empty())
                .map(|(i, r)| (i, r.clone()))
        };
        for l in (0..depth).rev() {
            let la = self.layers[l];
            for (i, r) in live() {
                let grad = &mut *grads[i];
                self.weight_gradient(l, &r, input, factored, tape, &delta, grad);
                // ∂L/∂b_l = Σ_i δ_{l,i}, rows in order
                let gb = &mut grad[la.b..la.b + la.fan_out];
                gb.iter_mut().for_each(|g| *g = T::ZERO);
                let rows = &delta[r.start * la.fan_out..r.end * la.fan_out];
                for row in rows.chunks_exact(la.fan_out) {
                    for (g, &d) in gb.iter_mut().zip(row) {
                        *g += d;
                    }
                }
            }
            // (the factored embedding path has written ∂L/∂E already)
            let need_input_grad = l > 0 || (self.spec.embedding.is_some() && !factored);
            if !need_input_grad {
                break;
            }
            self.input_gradient(l, tape, &delta, &mut prev);
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
                for (i, r) in live() {
                    let ge = &mut grads[i][self.embed_at..];
                    ge.iter_mut().for_each(|g| *g = T::ZERO);
                    let slots = r.start * e.tokens..r.end * e.tokens;
                    for (slot, &t) in slots.clone().zip(&tok[slots]) {
                        let t = t as usize;
                        let src = &prev[slot * e.dim..(slot + 1) * e.dim];
                        for (g, &s) in ge[t * e.dim..(t + 1) * e.dim].iter_mut().zip(src) {
                            *g += s;
                        }
                    }
                }
            }
        }
        tape.delta = delta;
        tape.delta_prev = prev;
    }

    /// W̃_l: the masked weights kept by the last forward pass, or W_l itself without a mask.
    fn w_eff<'a>(&'a self, l: usize, w_eff: &'a [Vec<T>]) -> &'a [T] {
        let la = self.layers[l];
        if self.mask(l).is_some() {
            &w_eff[l]
        } else {
            &self.theta[la.w..la.b]
        }
    }

    /// ∂L/∂W_l = (δ_lᵀ a_{l−1}) ⊙ M_l over the rows `r` of the batch into `grad` (the
    /// factored embedding path also writes ∂L/∂E).
    #[allow(clippy::too_many_arguments)]
    fn weight_gradient(
        &self,
        l: usize,
        r: &Range<usize>,
        input: Input<T>,
        factored: bool,
        tape: &mut Tape<T>,
        delta: &[T],
        grad: &mut [T],
    ) {
        let (n, la) = (r.len(), self.layers[l]);
        let delta = &delta[r.start * la.fan_out..r.end * la.fan_out];
        let (gw, ge) = grad[la.w..].split_at_mut(la.b - la.w);
        if let (0, true, Input::Tokens(tok), Some(e)) = (l, factored, input, self.spec.embedding) {
            let w_eff = self.w_eff(0, &tape.w_eff);
            let ge = &mut ge[self.embed_at - la.b..];
            self.embed_backward(
                &tok[r.start * e.tokens..r.end * e.tokens],
                delta,
                w_eff,
                &mut tape.s_slot,
                &mut tape.s_unit,
                gw,
                ge,
            );
        } else if la.blocks > 1 {
            // only the diagonal blocks: the rest of ∂L/∂W_l is masked out, exactly 0
            let a_prev = &tape.layer_input(l, input)[r.start * la.fan_in..r.end * la.fan_in];
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
            let a_prev = &tape.layer_input(l, input)[r.start * la.fan_in..r.end * la.fan_in];
            gemm(
                la.fan_out,
                n,
                la.fan_in,
                delta,
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
    }

    /// δ_l W̃_l (n × d_{l−1}) into `prev`.
    fn input_gradient(&self, l: usize, tape: &Tape<T>, delta: &[T], prev: &mut Vec<T>) {
        let (n, la) = (tape.n, self.layers[l]);
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
            gemm(
                n,
                la.fan_out,
                la.fan_in,
                delta,
                false,
                self.w_eff(l, &tape.w_eff),
                false,
                T::ZERO,
                prev,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::rng_for;

    /// A SiLU network over `tokens` tokens of a `vocab`-word embedding of `dim` numbers.
    fn embedded(vocab: usize, dim: usize, tokens: usize, widths: Vec<usize>) -> MlpSpec {
        MlpSpec {
            embedding: Some(Embedding { vocab, dim, tokens }),
            ..MlpSpec::dense(widths, Activation::Silu)
        }
    }

    #[test]
    fn pytorch_linear_init_bounds_and_embedding() {
        let spec = embedded(59, 128, 2, vec![256, 100, 100, 59]);
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
        let emb = embedded(5, 2, 2, vec![4, 6, 2]).block_diagonal(2).unwrap();
        assert_eq!(blocks(emb), [1, 2]);
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

    #[test]
    fn the_table_product_is_reused_at_the_same_theta_and_redone_after_a_change() {
        let mut net =
            Mlp::<f64>::new(embedded(7, 3, 2, vec![6, 5, 7]), &mut rng_for(3, 1)).unwrap();
        let tok: Vec<u32> = (0..40).map(|i| (i * 5 % 7) as u32).collect();
        let input = Input::Tokens(&tok);
        let bits = |f: &[f64]| f.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // a net whose kept Q is dropped computes it anew: the reference outputs
        let fresh = |net: &Mlp<f64>| {
            let mut net = net.clone();
            net.theta_mut();
            let mut tape = Tape::default();
            let f = net.forward(input, &mut tape).to_vec();
            assert!(tape.factored, "20 rows, 7 tokens: the table path");
            f
        };
        let first = net.forward(input, &mut Tape::default()).to_vec();
        assert!(net.table.borrow().fresh);
        // the same θ: the kept Q is used, by any tape (a poisoned one shows in the outputs)
        net.table
            .borrow_mut()
            .slot
            .iter_mut()
            .for_each(|q| *q = 0.5);
        let poisoned = net.forward(input, &mut Tape::default()).to_vec();
        assert_ne!(poisoned, first, "the kept Q was used");
        // θ changed through theta_mut: Q redone, the outputs of a fresh computation
        net.theta_mut()[0] += 0.25;
        let after = net.forward(input, &mut Tape::default()).to_vec();
        assert_eq!(bits(&after), bits(&fresh(&net)));
        assert_ne!(after, first);
        // a clone keeps the Q of its θ; changing its θ drops its own Q only
        let mut other = net.clone();
        assert!(other.table.borrow().fresh);
        other.theta_mut();
        assert!(!other.table.borrow().fresh && net.table.borrow().fresh);
    }
}
