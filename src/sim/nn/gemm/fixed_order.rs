//! The fixed-order product of the browser build: C ← A·B, every C[i][j] summed over
//! p = 0, 1, …, k−1 in order without FMA (the naive loop's bits; see `gemm`).
//!
//! Layout (GotoBLAS): B is packed into panels of `NR` columns for a `KC`-deep slice of k
//! (zero-padded at the edges, so every micro-tile is full and the padding only feeds discarded
//! outputs); A is read in place (the micro-kernel takes its strides) when a block of `MC` rows
//! has no edge tile, else packed into zero-padded panels of `MR` rows; an `MR × NR` tile of C
//! accumulates in registers over that slice and is stored; the next k-slice reloads it and goes
//! on adding in order. A short C (m < MR, B not transposed: the 2-row weight gradients) skips
//! the tiles: each row adds A[i][p]·(row p of B) for p in order. A thin C (2n ≤ NR, the
//! 2-output layers) is computed as Cᵀ = Bᵀ·Aᵀ so the wide tiles run along its long side. The
//! blocking and packing are written once, generic over [`Gemm`]; the micro-kernel and its tile
//! are per type (`micro`).

use super::micro::{Gemm, TILE_MAX};
use crate::sim::real::Real;

/// Depth of one packed k-slice.
const KC: usize = 256;
/// Columns of B packed at once (a multiple of every NR).
const NC: usize = 256;

/// C ← A·B + β·C for row-major C (m × n); A is m × k row-major, or its transpose (k × m) when
/// `ta`; B is k × n, or its transpose (n × k) when `tb`. β = 0 overwrites C (NaN included).
/// Every element is summed in k order without FMA (see the module header), then `+ β·C`.
/// Never inlined: one copy of the kernel per type, so that the browser's JIT optimises it
/// once for every caller (a copy inlined into a function that runs once may stay in baseline
/// code).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn gemm_fixed_order<T: Gemm>(
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
    if beta != T::ZERO {
        let old = c[..m * n].to_vec();
        gemm_fixed_order(m, k, n, a, ta, b, tb, T::ZERO, c);
        for (c, o) in c.iter_mut().zip(old) {
            *c += beta * o;
        }
        return;
    }
    // element (i, p) of A at a[i·rsa + p·csa], (p, j) of B at b[p·rsb + j·csb]
    let (rsa, csa) = if ta { (1, m) } else { (k, 1) };
    let (rsb, csb) = if tb { (1, k) } else { (n, 1) };
    gemm_fixed_order_strided(m, k, n, a, (rsa, csa), b, (rsb, csb), c, n);
}

/// C ← A·B (β = 0) for matrices that sit inside larger ones, e.g. the diagonal blocks of a
/// block-diagonal layer: A's element (i, p) at `a[i·rsa + p·csa]`, B's (p, j) at
/// `b[p·rsb + j·csb]`, C's (i, j) at `c[i·ldc + j]` (other elements of `c` are left alone).
/// Every element is summed in p order without FMA, as [`gemm_fixed_order`], which runs
/// through here.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
pub fn gemm_fixed_order_strided<T: Gemm>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    (rsa, csa): (usize, usize),
    b: &[T],
    (rsb, csb): (usize, usize),
    c: &mut [T],
    ldc: usize,
) {
    if !strided_operands(m, k, n, a, (rsa, csa), b, (rsb, csb), c, ldc) {
        return;
    }
    if 2 * n <= T::NR && m > n {
        // a thin C (the 2-output layers): Cᵀ = Bᵀ·Aᵀ fills the NR-wide tiles along m instead
        // of padding n to NR; each element is the same products (b·a = a·b) in the same order
        let mut ct = T::with_thin(std::mem::take);
        ct.clear();
        ct.resize(m * n, T::ZERO);
        gemm_fixed_order_strided(n, k, m, b, (csb, rsb), a, (csa, rsa), &mut ct, m);
        for (j, col) in ct.chunks_exact(m).enumerate() {
            for (i, &v) in col.iter().enumerate() {
                c[i * ldc + j] = v;
            }
        }
        T::with_thin(|t| *t = ct);
        return;
    }
    if m < T::MR && csb == 1 {
        // a short C (the 2-row weight gradients): row i of C adds A[i][p]·(row p of B) for
        // p in order — per element the naive loop's operations — straight from B, which is
        // not packed
        for i in 0..m {
            let row = &mut c[i * ldc..i * ldc + n];
            row.iter_mut().for_each(|x| *x = T::ZERO);
            for p in 0..k {
                let aip = a[i * rsa + p * csa];
                for (x, &bv) in row.iter_mut().zip(&b[p * rsb..p * rsb + n]) {
                    *x += aip * bv;
                }
            }
        }
        return;
    }
    blocked(m, k, n, a, rsa, csa, b, rsb, csb, c, ldc);
}

/// The checks of a strided product C ← A·B (shared by both implementations of
/// [`gemm_strided`]): panics unless every addressed element of A, B and C lies inside its
/// slice; an empty C is nothing to do, and k = 0 writes C's block as zeros. Returns whether a
/// product is left to compute.
#[allow(clippy::too_many_arguments)]
pub(super) fn strided_operands<T: Real>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    (rsa, csa): (usize, usize),
    b: &[T],
    (rsb, csb): (usize, usize),
    c: &mut [T],
    ldc: usize,
) -> bool {
    if m == 0 || n == 0 {
        return false;
    }
    assert!(
        ldc >= n && c.len() >= (m - 1) * ldc + n,
        "gemm: C does not hold {m} rows of {n} at stride {ldc}"
    );
    if k == 0 {
        for row in c.chunks_mut(ldc).take(m) {
            row[..n].iter_mut().for_each(|x| *x = T::ZERO);
        }
        return false;
    }
    assert!(
        a.len() > (m - 1) * rsa + (k - 1) * csa && b.len() > (k - 1) * rsb + (n - 1) * csb,
        "gemm: A or B too short for its strides"
    );
    true
}

/// The blocked product behind both entry points: C (row stride `ldc`) ← A·B, k ≥ 1.
#[allow(clippy::too_many_arguments)]
fn blocked<T: Gemm>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    rsa: usize,
    csa: usize,
    b: &[T],
    rsb: usize,
    csb: usize,
    c: &mut [T],
    ldc: usize,
) {
    let (mr_, nr_, mc_) = (T::MR, T::NR, T::MC);
    T::with_pack(|ap, bp| {
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            let panels_b = nc.div_ceil(nr_);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                pack(b, csb, rsb, jc, nc, pc, kc, nr_, bp);
                for ic in (0..m).step_by(mc_) {
                    let mc = mc_.min(m - ic);
                    // A is read in place when the block has no edge tile (the micro-kernel
                    // takes its strides), else packed into zero-padded panels
                    let direct = mc % mr_ == 0;
                    if !direct {
                        pack(a, rsa, csa, ic, mc, pc, kc, mr_, ap);
                    }
                    for jp in 0..panels_b {
                        let jr = jp * nr_;
                        let nr = nr_.min(nc - jr);
                        let bpanel = &bp[jp * nr_ * kc..(jp + 1) * nr_ * kc];
                        for ip in 0..mc.div_ceil(mr_) {
                            let ir = ip * mr_;
                            let mr = mr_.min(mc - ir);
                            let (apanel, rs, cs) = if direct {
                                (&a[(ic + ir) * rsa + pc * csa..], rsa, csa)
                            } else {
                                (&ap[ip * mr_ * kc..(ip + 1) * mr_ * kc], 1, mr_)
                            };
                            let at = (ic + ir) * ldc + jc + jr;
                            tile(kc, apanel, rs, cs, bpanel, c, at, ldc, mr, nr, pc > 0);
                        }
                    }
                }
            }
        }
    });
}

/// C[at + i·ldc + j] (i < mr, j < nr) ← (pc > 0: itself, else 0) + A_panel · B_panel, A's
/// element (i, p) at ap[i·rsa + p·csa] (i < MR: edge tiles come packed and zero-padded).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn tile<T: Gemm>(
    kc: usize,
    ap: &[T],
    rsa: usize,
    csa: usize,
    bp: &[T],
    c: &mut [T],
    at: usize,
    ldc: usize,
    mr: usize,
    nr: usize,
    load: bool,
) {
    let (mr_, nr_) = (T::MR, T::NR);
    assert!(
        kc > 0 && ap.len() > (mr_ - 1) * rsa + (kc - 1) * csa,
        "A panel too short"
    );
    assert!(bp.len() >= kc * nr_ && mr_ * nr_ <= TILE_MAX);
    if mr == mr_ && nr == nr_ {
        let c = &mut c[at..at + (mr_ - 1) * ldc + nr_];
        // SAFETY: every A element (i < MR, p < kc) lies inside `ap` and the B panel holds
        // kc·NR values (asserts above); the MR × NR tile at stride ldc lies inside the
        // re-sliced C.
        unsafe {
            T::micro(
                kc,
                ap.as_ptr(),
                rsa,
                csa,
                bp.as_ptr(),
                c.as_mut_ptr(),
                ldc,
                load,
            )
        };
    } else {
        // an edge tile: through a full-size copy (the padded lanes are dropped)
        let mut t = [T::ZERO; TILE_MAX];
        if load {
            for i in 0..mr {
                t[i * nr_..i * nr_ + nr].copy_from_slice(&c[at + i * ldc..at + i * ldc + nr]);
            }
        }
        // SAFETY: as above, with `t` as an MR × NR tile at stride NR (MR·NR ≤ TILE_MAX).
        unsafe {
            T::micro(
                kc,
                ap.as_ptr(),
                rsa,
                csa,
                bp.as_ptr(),
                t.as_mut_ptr(),
                nr_,
                true,
            )
        };
        for i in 0..mr {
            c[at + i * ldc..at + i * ldc + nr].copy_from_slice(&t[i * nr_..i * nr_ + nr]);
        }
    }
}

/// Packs rows `r0..r0+rows` × depth `p0..p0+kc` of a matrix whose element (r, p) sits at
/// `x[r·rs + p·cs]` into panels of `w` rows: panel q holds, for each p in order, the `w`
/// values of rows q·w.., zero past the last row.
#[allow(clippy::too_many_arguments)]
fn pack<T: Real>(
    x: &[T],
    rs: usize,
    cs: usize,
    r0: usize,
    rows: usize,
    p0: usize,
    kc: usize,
    w: usize,
    out: &mut Vec<T>,
) {
    let panels = rows.div_ceil(w);
    out.clear();
    out.resize(panels * w * kc, T::ZERO);
    for q in 0..panels {
        let dst = &mut out[q * w * kc..(q + 1) * w * kc];
        let live = w.min(rows - q * w);
        if rs == 1 && live == w {
            // the panel's w values of one p are contiguous in x
            let base = r0 + q * w + p0 * cs;
            for (p, d) in dst.chunks_exact_mut(w).enumerate() {
                d.copy_from_slice(&x[base + p * cs..base + p * cs + w]);
            }
            continue;
        }
        for r in 0..live {
            let base = (r0 + q * w + r) * rs + p0 * cs;
            if cs == 1 {
                for (p, &v) in x[base..base + kc].iter().enumerate() {
                    dst[p * w + r] = v;
                }
            } else {
                for p in 0..kc {
                    dst[p * w + r] = x[base + p * cs];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::reference::{check_strided_gemm, reference_gemm};
    use super::*;
    use crate::sim::rng::rng_for;
    use rand::Rng;

    /// Random reals (so any other summation order or an FMA would show), edge sizes 1, 2, 3,
    /// odd, non-multiples of the tiles (4 × 8 for both) and of the 256-deep
    /// k-slice and 128/256 blocks, every transpose.
    fn gemm_is_the_naive_loop<T: Gemm>(seed: u64) {
        let mut rng = rng_for(seed, 9);
        let dims = [1, 2, 3, 5, 7, 17, 130, 257, 300];
        let mut shapes = vec![];
        for &m in &dims {
            for &k in &[1, 2, 3, 33, 257, 513] {
                for &n in &dims {
                    if m * k * n <= 3_000_000 {
                        shapes.push((m, k, n));
                    }
                }
            }
        }
        let mut draw = |len: usize| -> Vec<T> {
            (0..len)
                .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
                .collect()
        };
        for (m, k, n) in shapes {
            let a = draw(m * k);
            let b = draw(k * n);
            for ta in [false, true] {
                for tb in [false, true] {
                    let want = reference_gemm(m, k, n, &a, ta, &b, tb);
                    let mut c = vec![T::from_f64(f64::NAN); m * n];
                    gemm_fixed_order(m, k, n, &a, ta, &b, tb, T::ZERO, &mut c);
                    let same = c
                        .iter()
                        .zip(&want)
                        .all(|(x, y)| x.to_f64().to_bits() == y.to_f64().to_bits());
                    assert!(same, "{} {m}×{k}×{n}, ta = {ta}, tb = {tb}", T::NAME);
                }
            }
        }
    }

    #[test]
    fn fixed_order_gemm_is_the_naive_loop_bit_for_bit() {
        gemm_is_the_naive_loop::<f64>(3);
    }

    #[test]
    fn fixed_order_f32_gemm_is_the_naive_loop_bit_for_bit() {
        gemm_is_the_naive_loop::<f32>(4);
        // and differs from the f64 product rounded (so the test above would see an f64 kernel)
        // (1 + 1e−8 + … in f32 stays 1; in f64 it is 1 + 64e−8)
        let a = [1.0f32; 65];
        let mut b = [1e-8f32; 65];
        b[0] = 1.0;
        let mut c = [0.0f32];
        gemm_fixed_order(1, 65, 1, &a, false, &b, false, 0.0, &mut c);
        let wide: f64 = b.iter().map(|&x| x as f64).sum();
        assert_eq!(c[0], 1.0);
        assert_ne!(c[0], wide as f32);
    }

    #[test]
    fn strided_blocks_are_the_naive_loop_bit_for_bit() {
        check_strided_gemm::<f64>(5, gemm_fixed_order_strided).unwrap();
        check_strided_gemm::<f32>(6, gemm_fixed_order_strided).unwrap();
    }

    #[test]
    fn fixed_order_gemm_beta_and_empty_k() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [5.0, 6.0, 7.0, 8.0];
        let mut c = [1.0, 1.0, 1.0, 1.0];
        gemm_fixed_order(2, 2, 2, &a, false, &b, false, 2.0, &mut c);
        assert_eq!(c, [21.0, 24.0, 45.0, 52.0]);
        let mut c = [f64::NAN; 6];
        gemm_fixed_order(2, 0, 3, &a, false, &b, false, 0.0, &mut c);
        assert_eq!(c, [0.0; 6]);
    }
}
