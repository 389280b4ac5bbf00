//! Data-parallel training of one network (docs/models.md §13): the sharded step, whose bits do
//! not depend on how many workers compute it.
//!
//! A run's n training rows are cut into [`SHARDS`] fixed shards (shard s holds rows
//! `s·n/S .. (s+1)·n/S`; a shard may be empty when n < S), whatever the number of workers. One
//! round at θ_t:
//!
//! ```text
//!   leader:  apply the pending gradient (θ_t = optimizer step(θ_{t−1}, g_{t−1})), draw the
//!            step's supervision (Fig. 2's mask) → RoundOrder { step t, θ_t, mask }
//!   workers: per shard s they own: forward on its rows at θ_t, ∂L/∂f of those rows with the
//!            batch's normaliser (nK or n), backward → g_s (in passes over several shards that
//!            sum each shard's rows apart, `Core::shard_gradients`); summed up the fixed tree (below)
//!            over each aligned block they own → ShardReply { what the leader observes of
//!            their rows, block sums }
//!   leader:  the rows' observations → the observables of row t; block sums → g_t up the same
//!            tree; re-weighted MSE: g_t / mean ℓ (from the outputs)
//! ```
//!
//! What a reply carries of its rows ([`ShardReply::outputs`]): for the MSE runs (Figs 2, 19)
//! the K outputs of each row, from which the leader computes the observables exactly as a
//! forward pass would. For cross-entropy (Fig. 13) each row's loss term and whether its
//! arg-max is its label (2 numbers instead of p = 59 logits), and the same for the held-out
//! test rows, cut into 16 shards the same way and observed by whoever owns the shard: the
//! leader sums the terms in row order, so the training loss has the bits of the loss over
//! all gathered logits, and neither the logits nor the test pass burden the leader. (A
//! worker's test rows take the first-layer path of the whole test set, `Mlp::forward_as`, so
//! each row's logits are those of the one-pass test forward.)
//!
//! The tree: node [a, a + 2^k) (a a multiple of 2^k) = node [a, a + 2^{k−1}) + node
//! [a + 2^{k−1}, a + 2^k), elementwise in the run's precision, leaves = the shards' gradients.
//! A worker owning a contiguous range of shards sends one sum per maximal aligned block of it
//! ([`blocks`]); the leader completes the tree from those. Every node is always the sum of its
//! two children, so 1, 2, 3, … 16 workers and the one-thread path ([`Sharded::step_sharded`])
//! give the same bits. Compared with the unsharded step (`Experiment::step`) only the order
//! of the sums over rows changes (and, re-weighted, where 1/mean ℓ is applied): equal to
//! rounding.
//!
//! Workers build the same experiment from the run's link (data, init and fixed masks from the
//! seeded streams), so only θ, the drawn mask and the results travel.

use super::engine::{with_core, Core, Experiment, Objective, Rows};
use super::gemm::Gemm;
use super::loss::softmax_ce_each;
use super::mlp::{mse_rows_gradient, mse_sum, Input, Real};
use crate::sim::error::SimError;
use std::ops::Range;

/// Shards of every run's training rows, whatever the number of workers.
pub const SHARDS: usize = 16;

/// Activations one pass of a worker's shards keeps at most (rows × Σ widths × the element's
/// size; at least one shard): a pass that stays in a core's cache instead of one over all its
/// rows (`Core::shard_gradients`). Measured in the browser: BENCHMARKS.md, "Sixth session".
pub const PASS_BYTES: usize = 256 * 1024;

/// The rows of shard `s` of `n` rows.
pub fn shard_rows(n: usize, s: usize) -> Range<usize> {
    s * n / SHARDS..(s + 1) * n / SHARDS
}

/// The rows of shards `shards` (a non-empty range) of `n` rows: one contiguous range.
pub fn span_rows(n: usize, shards: &Range<usize>) -> Range<usize> {
    shard_rows(n, shards.start).start..shard_rows(n, shards.end - 1).end
}

/// Whether `b` is a node of the reduction tree: an aligned power-of-two block of shards.
pub fn is_block(b: &Range<usize>) -> bool {
    let len = b.end.saturating_sub(b.start);
    len.is_power_of_two() && b.start.is_multiple_of(len) && b.end <= SHARDS
}

/// The maximal aligned blocks that tile `shards`, in order (e.g. 6..11 → 6..8, 8..10, 10..11).
pub fn blocks(shards: Range<usize>) -> Vec<Range<usize>> {
    let mut out = vec![];
    let mut a = shards.start;
    while a < shards.end.min(SHARDS) {
        let mut len = 1;
        while 2 * len <= SHARDS && a.is_multiple_of(2 * len) && a + 2 * len <= shards.end {
            len *= 2;
        }
        out.push(a..a + len);
        a += len;
    }
    out
}

/// Which shards each of `workers` workers computes: contiguous ranges of nearly equal size
/// (at most [`SHARDS`] workers get work).
pub fn ownership(workers: usize) -> Vec<Range<usize>> {
    let w = workers.clamp(1, SHARDS);
    (0..w)
        .map(|i| i * SHARDS / w..(i + 1) * SHARDS / w)
        .collect()
}

/// What the leader sends for one round: the step t, θ_t (in f64, exact for an f32 run) and the
/// step's supervision mask when it is drawn per step (n × K), else `None`.
#[derive(Clone, Debug, PartialEq)]
pub struct RoundOrder {
    pub step: u32,
    pub theta: Vec<f64>,
    pub mask: Option<Vec<f64>>,
}

/// A worker's answer to a [`RoundOrder`] for its shards: what the leader observes of their
/// rows, in row order (MSE: rows × K outputs; cross-entropy: [loss term, hit] per training row,
/// then per test row of the same shards) and one gradient sum per block of `blocks(shards)`,
/// concatenated (each `n_params` long; f64, exact for an f32 run).
#[derive(Clone, Debug, PartialEq)]
pub struct ShardReply {
    pub step: u32,
    pub shards: Range<usize>,
    pub outputs: Vec<f64>,
    pub grads: Vec<f64>,
}

/// The rows of `rows` in `r`.
fn rows_in<'a, T: Real>(rows: &'a Rows<T>, per_row: usize, r: &Range<usize>) -> Input<'a, T> {
    match rows {
        Rows::Dense(x) => Input::Dense(&x[r.start * per_row..r.end * per_row]),
        Rows::Tokens(t) => Input::Tokens(&t[r.start * per_row..r.end * per_row]),
    }
}

impl<T: Gemm> Core<T> {
    /// Numbers per training row (inputs, or tokens).
    fn per_row(&self) -> usize {
        match self.net.spec().embedding {
            Some(e) => e.tokens,
            None => self.net.n_in(),
        }
    }

    /// Training rows.
    fn n_rows(&self) -> usize {
        let len = match &self.rows {
            Rows::Dense(x) => x.len(),
            Rows::Tokens(t) => t.len(),
        };
        len / self.per_row().max(1)
    }

    /// The gradients of shards `shards` at the current θ, one per shard (in order), in passes
    /// over consecutive shards of at most [`PASS_BYTES`] of activations (at least one shard):
    /// one forward pass over a group's rows (the first layer on the whole training set's path,
    /// `Mlp::forward_as`, so each row's numbers do not depend on which rows are computed
    /// together), ∂L/∂f of those rows with the batch's normaliser, and one backward pass that
    /// sums each shard's rows apart (`Mlp::backward_segments`). Each shard's gradient is thus
    /// the one a pass over that shard alone would give, whoever computes which shards and
    /// however they are grouped. Each shard's gradient goes to `sink` in shard order, as soon
    /// as its pass is done. What the leader observes of the rows is appended to `out`.
    fn shard_gradients(
        &mut self,
        shards: &Range<usize>,
        out: &mut Vec<f64>,
        mut sink: impl FnMut(usize, Vec<T>),
    ) {
        let (n, p) = (self.n_rows(), self.net.n_params());
        let row_bytes = self.net.spec().widths.iter().sum::<usize>() * std::mem::size_of::<T>();
        let mut first = shards.start;
        while first < shards.end {
            let mut end = first + 1;
            while end < shards.end
                && span_rows(n, &(first..end + 1)).len() * row_bytes <= PASS_BYTES
            {
                end += 1;
            }
            let group = first..end;
            let mut leaves: Vec<Vec<T>> = group.clone().map(|_| vec![T::ZERO; p]).collect();
            self.group_gradients(&group, &mut leaves, out);
            for (s, g) in group.zip(leaves) {
                sink(s, g);
            }
            first = end;
        }
    }

    /// One pass of [`Core::shard_gradients`] over the consecutive shards `group`, into their
    /// `leaves`.
    fn group_gradients(&mut self, group: &Range<usize>, leaves: &mut [Vec<T>], out: &mut Vec<f64>) {
        let (n, k) = (self.n_rows(), self.net.n_out());
        let span = span_rows(n, group);
        if span.is_empty() {
            return;
        }
        let input = rows_in(&self.rows, self.per_row(), &span);
        let f = self.net.forward_as(input, &mut self.shard_tape, n);
        let mut d = std::mem::take(&mut self.shard_d);
        d.clear();
        d.resize(f.len(), T::ZERO);
        match self.objective {
            Objective::Mse { reweight } => {
                out.extend(f.iter().map(|x| x.to_f64()));
                let e = span.start * k..span.end * k;
                let total = T::from_f64((n * k) as f64);
                mse_rows_gradient(
                    f,
                    &self.y[e.clone()],
                    &self.mask[e],
                    total,
                    reweight,
                    &mut d,
                );
            }
            Objective::CrossEntropy => {
                let nf = T::from_f64(n as f64);
                softmax_ce_each(
                    f,
                    k,
                    &self.labels[span.clone()],
                    nf,
                    Some(&mut d),
                    |l, hit| out.extend([l.to_f64(), f64::from(u8::from(hit))]),
                );
            }
        }
        let segments: Vec<Range<usize>> = group
            .clone()
            .map(|s| {
                let r = shard_rows(n, s);
                r.start - span.start..r.end - span.start
            })
            .collect();
        let mut grads: Vec<&mut [T]> = leaves.iter_mut().map(|g| g.as_mut_slice()).collect();
        self.net
            .backward_segments(input, &mut self.shard_tape, &d, &segments, &mut grads);
        self.shard_d = d;
    }

    /// Cross-entropy: [loss term, hit] of each test row of `shards` at the current θ, in one
    /// forward pass that takes the path of the whole test set (`Mlp::forward_as`), so each
    /// row's logits, and with them the observables, do not depend on who computes which shard.
    fn test_observations(&mut self, shards: &Range<usize>, out: &mut Vec<f64>) {
        let n = self.test_labels.len();
        let r = span_rows(n, shards);
        if r.is_empty() {
            return;
        }
        let (k, per_row) = (self.net.n_out(), self.per_row());
        let input = Input::Tokens(&self.test_tokens[r.start * per_row..r.end * per_row]);
        let f = self.net.forward_as(input, &mut self.test_tape, n);
        softmax_ce_each(f, k, &self.test_labels[r], T::ONE, None, |l, hit| {
            out.extend([l.to_f64(), f64::from(u8::from(hit))])
        });
    }

    /// Numbers a reply carries for the rows of shards `shards` (see [`ShardReply::outputs`]).
    fn observed_len(&self, shards: &Range<usize>) -> usize {
        let train = span_rows(self.n_rows(), shards).len();
        match self.objective {
            Objective::Mse { .. } => train * self.net.n_out(),
            Objective::CrossEntropy => {
                2 * (train + span_rows(self.test_labels.len(), shards).len())
            }
        }
    }

    /// The reply for `shards` at the current θ and mask. The tree's blocks are summed as the
    /// shards come (a stack of aligned blocks: two equal neighbours whose union is an aligned
    /// block become that block, its left child plus its right), so at most one pass's
    /// gradients and one per tree level are kept at once; what is left on the stack is
    /// `blocks(shards)`, each node the sum of its two children as the tree defines it.
    fn shard_reply(&mut self, step: u32, shards: Range<usize>) -> ShardReply {
        let mut outputs = vec![];
        let mut stack: Vec<(Range<usize>, Vec<T>)> = vec![];
        self.shard_gradients(&shards, &mut outputs, |s, g| {
            stack.push((s..s + 1, g));
            while let [.., (a, _), (b, _)] = stack.as_slice() {
                let len = a.end - a.start;
                if b.end - b.start != len || !a.start.is_multiple_of(2 * len) {
                    break;
                }
                let (right, rg) = stack.pop().expect("two blocks");
                let (left, lg) = stack.last_mut().expect("two blocks");
                lg.iter_mut().zip(&rg).for_each(|(l, &r)| *l += r);
                left.end = right.end;
            }
        });
        debug_assert!(stack
            .iter()
            .map(|(b, _)| b.clone())
            .eq(blocks(shards.clone())));
        let mut grads = Vec::with_capacity(stack.len() * self.net.n_params());
        for (_, g) in &stack {
            grads.extend(g.iter().map(|x| x.to_f64()));
        }
        if self.objective == Objective::CrossEntropy {
            self.test_observations(&shards, &mut outputs);
        }
        ShardReply {
            step,
            shards,
            outputs,
            grads,
        }
    }

    /// θ and (when given) the mask of `order`; an error names a length that does not fit.
    fn take_order(&mut self, order: &RoundOrder) -> Result<(), SimError> {
        if order.theta.len() != self.net.n_params() {
            return Err(SimError::Invalid(format!(
                "θ has {} numbers, the network {}",
                order.theta.len(),
                self.net.n_params()
            )));
        }
        if let Some(m) = &order.mask {
            if m.len() != self.mask.len() {
                return Err(SimError::Invalid(format!(
                    "the mask has {} entries, the run {}",
                    m.len(),
                    self.mask.len()
                )));
            }
            self.mask
                .iter_mut()
                .zip(m)
                .for_each(|(a, &b)| *a = T::from_f64(b));
        }
        let theta = self.net.theta_mut();
        theta
            .iter_mut()
            .zip(&order.theta)
            .for_each(|(a, &b)| *a = T::from_f64(b));
        Ok(())
    }

    /// Completes the tree from the replies' blocks (checked by [`check_replies`]), keeps the
    /// gathered outputs on the tape and the gradient as pending.
    fn gather(&mut self, replies: &[&ShardReply]) {
        let p = self.net.n_params();
        let mut nodes: Vec<(Range<usize>, &[f64])> = vec![];
        for r in replies {
            for (b, g) in blocks(r.shards.clone())
                .into_iter()
                .zip(r.grads.chunks_exact(p))
            {
                nodes.push((b, g));
            }
        }
        let mut g = reduce(0..SHARDS, &nodes, p);
        if self.objective == Objective::CrossEntropy {
            self.gather_observations(replies);
            self.grad = g;
            self.pending = true;
            return;
        }
        let f: Vec<T> = replies
            .iter()
            .flat_map(|r| r.outputs.iter().map(|&x| T::from_f64(x)))
            .collect();
        if self.objective == (Objective::Mse { reweight: true }) {
            let mean = mse_sum(&f, &self.y, &self.mask) / T::from_f64(f.len() as f64);
            if mean == T::ZERO {
                g.iter_mut().for_each(|x| *x = T::ZERO);
            } else {
                g.iter_mut().for_each(|x| *x /= mean);
            }
        }
        self.grad = g;
        self.pending = true;
        self.tape.set_output(&f);
    }
}

impl<T: Gemm> Core<T> {
    /// Cross-entropy: the observables from the replies' [loss term, hit] rows (sorted by
    /// shard): each loss is its terms summed in row order in the run's precision, divided by
    /// the row count, as `loss::softmax_ce` does over all rows; each accuracy the share of hits.
    fn gather_observations(&mut self, replies: &[&ShardReply]) {
        let (n, n_test) = (self.n_rows(), self.test_labels.len());
        let (mut train, mut test) = ((T::ZERO, 0usize), (T::ZERO, 0usize));
        for r in replies {
            let (ours, theirs) = r.outputs.split_at(2 * span_rows(n, &r.shards).len());
            for (sum, part) in [(&mut train, ours), (&mut test, theirs)] {
                for row in part.chunks_exact(2) {
                    sum.0 += T::from_f64(row[0]);
                    sum.1 += usize::from(row[1] == 1.0);
                }
            }
        }
        let mean = |(total, hits): (T, usize), rows: usize| {
            if rows == 0 {
                [0.0, 0.0]
            } else {
                let nf = T::from_f64(rows as f64);
                [(total / nf).to_f64(), hits as f64 / rows as f64]
            }
        };
        let ([l0, a0], [l1, a1]) = (mean(train, n), mean(test, n_test));
        self.gathered = [l0, a0, l1, a1];
    }
}

/// Node `b` of the tree from the given `nodes` (a node given is taken as is, else the sum of
/// its children; a missing leaf counts as zero, which [`check_replies`] rules out).
fn reduce<T: Real>(b: Range<usize>, nodes: &[(Range<usize>, &[f64])], p: usize) -> Vec<T> {
    if let Some((_, g)) = nodes.iter().find(|(n, _)| *n == b) {
        return g.iter().map(|&x| T::from_f64(x)).collect();
    }
    if b.end - b.start <= 1 {
        return vec![T::ZERO; p];
    }
    let mid = (b.start + b.end) / 2;
    let mut left: Vec<T> = reduce(b.start..mid, nodes, p);
    let right: Vec<T> = reduce(mid..b.end, nodes, p);
    left.iter_mut().zip(&right).for_each(|(l, &r)| *l += r);
    left
}

/// The numbers a reply for `shards` carries: its observations (`observed_len` of the shards)
/// and its gradients (`n_params` per block of the tree). The one size rule of a reply, for
/// [`check_replies`] and for the room a shared-memory channel needs ([`Sharded::round_lens`]).
pub fn reply_lens(
    shards: &Range<usize>,
    n_params: usize,
    observed_len: impl Fn(&Range<usize>) -> usize,
) -> (usize, usize) {
    (
        observed_len(shards),
        blocks(shards.clone()).len() * n_params,
    )
}

/// Whether `replies` answer `order` and together cover every shard once with observations
/// and gradients of the sizes [`reply_lens`] gives; the message names the first problem.
pub fn check_replies(
    order: &RoundOrder,
    replies: &[ShardReply],
    n_params: usize,
    observed_len: impl Fn(&Range<usize>) -> usize,
) -> Result<(), String> {
    let mut sorted: Vec<&ShardReply> = replies.iter().collect();
    sorted.sort_by_key(|r| r.shards.start);
    let mut next = 0;
    for r in sorted {
        if r.step != order.step {
            return Err(format!(
                "a reply for step {} came to the round of step {}",
                r.step, order.step
            ));
        }
        if r.shards.start != next || r.shards.end <= r.shards.start || r.shards.end > SHARDS {
            return Err(format!(
                "shards {}..{} do not continue at shard {next}",
                r.shards.start, r.shards.end
            ));
        }
        next = r.shards.end;
        let (want_out, want_grad) = reply_lens(&r.shards, n_params, &observed_len);
        if r.outputs.len() != want_out || r.grads.len() != want_grad {
            return Err(format!(
                "shards {}..{}: {} outputs and {} gradient numbers, expected {want_out} and {want_grad}",
                r.shards.start,
                r.shards.end,
                r.outputs.len(),
                r.grads.len()
            ));
        }
    }
    if next != SHARDS {
        return Err(format!("shards {next}..{SHARDS} are missing"));
    }
    Ok(())
}

/// The sharded step's protocol on every experiment: the leader's side (`round_order`,
/// `finish_round`), the worker's (`shard_work`) and both in one thread (`step_sharded`).
pub trait Sharded: Experiment {
    /// Whether the run steps sharded (after its first [`Sharded::round_order`]).
    fn is_sharded(&self) -> bool {
        with_core!(&self.trainer().engine, c => c.sharded)
    }

    /// Whether the gradient at the current θ is gathered and waits to be applied.
    fn is_pending(&self) -> bool {
        with_core!(&self.trainer().engine, c => c.pending)
    }

    /// Leader: the next round's order. Applies the pending gradient first (one more update
    /// counted), then draws the step's supervision; without a pending gradient (the first
    /// round) the round is at the current θ.
    fn round_order(&mut self) -> RoundOrder {
        let t = self.trainer_mut();
        let opt = &mut t.opt;
        let applied = with_core!(&mut t.engine, c => {
            c.sharded = true;
            let pending = c.pending;
            if pending {
                opt.step(c.net.theta_mut(), &c.grad);
                c.pending = false;
            }
            pending
        });
        if applied {
            t.step += 1;
        }
        let drew = self.draw_supervision();
        let engine = &self.trainer().engine;
        RoundOrder {
            step: self.step_count(),
            theta: engine.theta(),
            mask: drew
                .then(|| with_core!(engine, c => c.mask.iter().map(|x| x.to_f64()).collect())),
        }
    }

    /// Worker: the reply to `order` for `shards` (a non-empty range of 0..[`SHARDS`]), on
    /// this experiment's own copy of the run.
    fn shard_work(
        &mut self,
        order: &RoundOrder,
        shards: Range<usize>,
    ) -> Result<ShardReply, SimError> {
        if shards.start >= shards.end || shards.end > SHARDS {
            return Err(SimError::Invalid(format!(
                "shards {}..{} are not a range of 0..{SHARDS}",
                shards.start, shards.end
            )));
        }
        with_core!(&mut self.trainer_mut().engine, c => {
            c.take_order(order)?;
            Ok(c.shard_reply(order.step, shards))
        })
    }

    /// The most numbers an order carries (θ and the step's mask) and the numbers of a reply
    /// for `shards` (observations, one gradient per block): the room a worker's shared-memory
    /// channel needs (`ui::state::pool`).
    fn round_lens(&self, shards: &Range<usize>) -> (usize, usize) {
        with_core!(&self.trainer().engine, c => {
            let p = c.net.n_params();
            let (outputs, grads) = reply_lens(shards, p, |b| c.observed_len(b));
            (p + c.mask.len(), outputs + grads)
        })
    }

    /// Leader: whether `replies` answer `order` (see [`check_replies`]).
    fn check_replies(&self, order: &RoundOrder, replies: &[ShardReply]) -> Result<(), String> {
        with_core!(&self.trainer().engine, c => {
            check_replies(order, replies, c.net.n_params(), |b| c.observed_len(b))
        })
    }

    /// Leader: the round's result: the observables at θ_t from the gathered outputs and the
    /// gradient at θ_t kept for the next round. Replies that do not answer `order` are
    /// refused (nothing changes); a non-finite observation ends the run as in
    /// `Experiment::step`.
    fn finish_round(&mut self, order: &RoundOrder, replies: &[ShardReply]) -> Result<(), SimError> {
        self.check_replies(order, replies)
            .map_err(SimError::Invalid)?;
        let mut sorted: Vec<&ShardReply> = replies.iter().collect();
        sorted.sort_by_key(|r| r.shards.start);
        with_core!(&mut self.trainer_mut().engine, c => c.gather(&sorted));
        self.observe();
        self.trainer().check(self.watched())
    }

    /// Leader without workers: `order`'s round on every shard in this thread.
    fn local_round(&mut self, order: &RoundOrder) -> Result<(), SimError> {
        let reply =
            with_core!(&mut self.trainer_mut().engine, c => c.shard_reply(order.step, 0..SHARDS));
        self.finish_round(order, &[reply])
    }

    /// One sharded step in this thread, θ_t → θ_{t+1} with the observables at θ_{t+1} (as
    /// `Experiment::step`), on the same shards and tree as any number of workers.
    fn step_sharded(&mut self) -> Result<(), SimError> {
        if !self.is_pending() {
            let order = self.round_order();
            self.local_round(&order)?;
        }
        let order = self.round_order();
        self.local_round(&order)
    }
}

impl<E: Experiment + ?Sized> Sharded for E {}
