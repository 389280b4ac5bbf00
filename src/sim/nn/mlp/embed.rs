//! The embedding-table path of an `Mlp`'s first layer (see "Fewer products, the same
//! function" in `mlp`): the table products forward and backward, and the two layouts of the
//! table (unit-major for the product, slot-major for the gather).

use super::{gemm, Gemm, Mlp, Real, TableProduct};

impl<T: Gemm> Mlp<T> {
    /// z_1 = a_0 W̃_1ᵀ for token rows, through the table: a_0 = concat(E[x_1], …, E[x_T]) gives
    /// `z_1[i] = Σ_s Q_s[x_is]` with `Q_s = E · W̃_1[:, slot s]ᵀ` (vocab × d_1), one product per
    /// step instead of one per row: for Fig. 13 (59 tokens, 3481 rows, d_0 = 256) ≈ 1.5 M
    /// multiply-adds instead of 89 M. Viewing W̃_1 (d_1 × T·dim, row-major) as a
    /// (d_1·T) × dim matrix, all slots are one product `E · W̃_1ᵀ` (vocab × d_1·T, column
    /// j·T + s), re-laid slot-major so that each row is a sum of T contiguous rows, in slot
    /// order. Same sum as the direct path, grouped by slot: equal to rounding, not bit for bit.
    /// Q depends on θ alone, so it is computed once per θ and kept with it (`TableProduct`).
    pub(super) fn embed_forward(&self, tok: &[u32], w_eff: &[T], z: &mut [T]) {
        let Some(e) = self.spec.embedding else {
            return;
        };
        let (vocab, t, d1) = (e.vocab, e.tokens, self.layers[0].fan_out);
        let mut kept = self.table.borrow_mut();
        let TableProduct {
            unit: q_unit,
            slot: q_slot,
            fresh,
        } = &mut *kept;
        if !*fresh {
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
            transpose_blocks(q_unit, q_slot, vocab, d1, t);
            *fresh = true;
        }
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
    pub(super) fn embed_backward(
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
        transpose_blocks(s_slot, s_unit, vocab, t, d1);
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
}

/// Each of `rows` consecutive `a × b` blocks of `src` (row-major) transposed into a `b × a`
/// block of `dst`: per block, `dst[c·a + r] = src[r·b + c]`. The two layouts of the table
/// product: unit-major (`vocab × d1·T`, column j·T + s) to slot-major (`vocab × T·d1`, column
/// s·d1 + j) is `transpose_blocks(…, vocab, d1, t)`, and back is `(…, vocab, t, d1)`.
fn transpose_blocks<T: Real>(src: &[T], dst: &mut Vec<T>, rows: usize, a: usize, b: usize) {
    dst.resize(rows * a * b, T::ZERO);
    for (from, to) in src.chunks_exact(a * b).zip(dst.chunks_exact_mut(a * b)) {
        for r in 0..a {
            for c in 0..b {
                to[c * a + r] = from[r * b + c];
            }
        }
    }
}
