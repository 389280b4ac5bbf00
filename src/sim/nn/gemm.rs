//! The matrix products of the networks: C ← A·B (+ β·C), row-major, in f32 or f64 ([`Gemm`]).
//!
//! Two implementations behind one safe entry point ([`gemm`], [`gemm_strided`]):
//!
//! * **natively**, matrixmultiply's `dgemm` / `sgemm`: its run-time selected AVX-512 / FMA+AVX2
//!   kernels are faster than any FMA-free fixed-order loop could be, at the price of bits that
//!   depend on the CPU (a fused multiply-add rounds once). So the native guarantee is: the same
//!   seed on the same platform (same binary, same CPU kernel) gives the same bits.
//! * **in wasm32**, [`gemm_fixed_order`], written here: every C[i][j] is summed over
//!   p = 0, 1, …, k−1 in order, `((0 + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + …`, a multiply then
//!   an add (never a fused multiply-add) in the element type, exactly the naive triple loop.
//!   Blocking, packing and SIMD width change which elements are computed together, never the
//!   operations on one element, so the result is **bit-identical to the naive loop on every
//!   platform** (tests below, and in the browser in tests/web.rs): a browser run gives the same
//!   bits on every machine. Native and browser runs agree to rounding in each product (≈ 1e−16
//!   relative in f64, ≈ 1e−7 in f32), not bit for bit.
//!
//! Why a hand-written kernel in the browser: matrixmultiply has no wasm SIMD kernel (its
//! portable scalar one runs there), and the other pure-Rust candidates (gemm, faer) measured
//! no faster in wasm (BENCHMARKS.md, "`src/sim/nn/gemm.rs`"). The fixed order also makes the
//! product exactly testable.
//!
//! # `gemm_fixed_order`: the layout (GotoBLAS)
//!
//! B is packed into panels of `NR` columns for a `KC`-deep slice of k (zero-padded at the
//! edges, so every micro-tile is full and the padding only feeds discarded outputs); A is read
//! in place (the micro-kernel takes its strides) when a block of `MC` rows has no edge tile,
//! else packed into zero-padded panels of `MR` rows; an `MR × NR` tile of C accumulates in
//! registers over that slice and is stored; the next k-slice reloads it and goes on adding in
//! order. A short C (m < MR, B not transposed: the 2-row weight gradients) skips the tiles:
//! each row adds A[i][p]·(row p of B) for p in order. A thin C (2n ≤ NR, the 2-output layers)
//! is computed as Cᵀ = Bᵀ·Aᵀ so the wide tiles run along its long side. The blocking and
//! packing are written once, generic over [`Gemm`]; only the micro-kernel and its tile are per
//! type: in wasm32 with `simd128` `core::arch::wasm32` intrinsics (f64: a 4 × 8 tile = 16
//! f64x2 accumulators; f32: a 4 × 8 tile = 8 f32x4 accumulators; four (f32: two) B vectors and
//! one splat A value per row; the tile sizes were chosen by measurement, BENCHMARKS.md),
//! elsewhere the same loop on arrays (LLVM vectorises it, same bits).
//!
//! This module and `activations` are the only places of the crate allowed `unsafe`: raw
//! pointers into the packed panels and C's tiles (SIMD loads and stores), and the
//! matrixmultiply calls; each block states why it stays inside its slices.

use crate::sim::real::Real;

/// What the products need per element type (sealed through [`Real`]): the micro-kernel and its
/// tile, the packing buffers, and the native BLAS call.
pub trait Gemm: Real {
    /// Rows of the fixed-order micro-tile.
    const MR: usize;
    /// Columns of the micro-tile (a multiple of the SIMD lanes).
    const NR: usize;
    /// Rows of A packed at once.
    const MC: usize;

    /// Runs `f` on this type's thread-local packing buffers (A block, B block).
    #[doc(hidden)]
    fn with_pack<R>(f: impl FnOnce(&mut Vec<Self>, &mut Vec<Self>) -> R) -> R;
    /// Runs `f` on this type's thread-local Cᵀ buffer of thin products.
    #[doc(hidden)]
    fn with_thin<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R;
    /// The MR × NR tile at `cp` (row stride `ldc`) ← (its values if `load`, else 0) + A·B
    /// over kc steps, each element in p order (multiply, then add). A's element (i, p) is at
    /// `ap + i·rsa + p·csa` (a packed panel: rsa = 1, csa = MR), B's (p, j) at `bp + p·NR + j`.
    ///
    /// # Safety
    /// Every A element (i < MR, p < kc) must be readable, `bp` must hold kc·NR values, and the
    /// tile at `cp` must be valid for writes.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn micro(
        kc: usize,
        ap: *const Self,
        rsa: usize,
        csa: usize,
        bp: *const Self,
        cp: *mut Self,
        ldc: usize,
        load: bool,
    );

    /// matrixmultiply's `dgemm` / `sgemm` (native builds): C ← A·B + β·C with strides.
    ///
    /// # Safety
    /// As `matrixmultiply::dgemm`: every addressed element lies inside its allocation and C
    /// does not alias A or B.
    #[cfg(not(target_arch = "wasm32"))]
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn blas(
        m: usize,
        k: usize,
        n: usize,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
    );
}

/// C ← A·B + β·C for row-major C (m × n). A is m × k, stored row-major, or stored as its
/// transpose (k × m) when `ta`; B is k × n, or stored as its transpose (n × k) when `tb`.
/// β = 0 overwrites C (its old contents, even NaN, are ignored).
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Gemm>(
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
    gemm_fixed_order(m, k, n, a, ta, b, tb, beta, c);
    #[cfg(not(target_arch = "wasm32"))]
    gemm_matrixmultiply(m, k, n, a, ta, b, tb, beta, c);
}

/// C ← A·B (β = 0) for matrices inside larger ones (the diagonal blocks of a block-diagonal
/// layer): A's element (i, p) at `a[i·rsa + p·csa]`, B's (p, j) at `b[p·rsb + j·csb]`, C's
/// (i, j) at `c[i·ldc + j]`; the other elements of `c` are left alone. In wasm the
/// fixed-order kernel (each element summed in p order: a block product gives the bits of the
/// full masked product, whose extra terms are exact zeros), natively matrixmultiply.
#[allow(clippy::too_many_arguments)]
pub fn gemm_strided<T: Gemm>(
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
    gemm_fixed_order_strided(m, k, n, a, a_strides, b, b_strides, c, ldc);
    #[cfg(not(target_arch = "wasm32"))]
    {
        if !strided_operands(m, k, n, a, a_strides, b, b_strides, c, ldc) {
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
fn gemm_matrixmultiply<T: Gemm>(
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

/// Depth of one packed k-slice.
const KC: usize = 256;
/// Columns of B packed at once (a multiple of every NR).
const NC: usize = 256;
/// Largest MR·NR (the edge-tile buffer).
const TILE_MAX: usize = 64;

thread_local! {
    /// Packing buffers (A block, B block) per type, grown once and reused: a product
    /// allocates nothing.
    static PACK64: std::cell::RefCell<(Vec<f64>, Vec<f64>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    static PACK32: std::cell::RefCell<(Vec<f32>, Vec<f32>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    /// Cᵀ of a thin product, reused likewise.
    static THIN64: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
    static THIN32: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

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
fn strided_operands<T: Real>(
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

/// The f64 micro-kernel in wasm: an MR × (2·V) tile in f64x2 accumulators, V B vectors and
/// one splat A value per row.
///
/// # Safety
/// As [`Real::micro`].
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn micro_f64x2<const MR: usize, const V: usize>(
    kc: usize,
    ap: *const f64,
    rsa: usize,
    csa: usize,
    bp: *const f64,
    cp: *mut f64,
    ldc: usize,
    load: bool,
) {
    use core::arch::wasm32::*;
    let nr = 2 * V;
    // SAFETY (all loads and stores): guaranteed by the caller; wasm needs no alignment.
    unsafe {
        let mut acc = [[f64x2_splat(0.0); V]; MR];
        if load {
            for (i, row) in acc.iter_mut().enumerate() {
                for (v, x) in row.iter_mut().enumerate() {
                    *x = v128_load(cp.add(i * ldc + 2 * v) as *const v128);
                }
            }
        }
        for p in 0..kc {
            let mut bv = [f64x2_splat(0.0); V];
            for (v, x) in bv.iter_mut().enumerate() {
                *x = v128_load(bp.add(p * nr + 2 * v) as *const v128);
            }
            for (i, row) in acc.iter_mut().enumerate() {
                let a = v128_load64_splat(ap.add(i * rsa + p * csa) as *const u64);
                for (x, &b) in row.iter_mut().zip(&bv) {
                    *x = f64x2_add(*x, f64x2_mul(a, b));
                }
            }
        }
        for (i, row) in acc.iter().enumerate() {
            for (v, x) in row.iter().enumerate() {
                v128_store(cp.add(i * ldc + 2 * v) as *mut v128, *x);
            }
        }
    }
}

/// The f32 micro-kernel in wasm: an MR × (4·V) tile in f32x4 accumulators, V B vectors and
/// one splat A value per row.
///
/// # Safety
/// As [`Real::micro`].
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn micro_f32x4<const MR: usize, const V: usize>(
    kc: usize,
    ap: *const f32,
    rsa: usize,
    csa: usize,
    bp: *const f32,
    cp: *mut f32,
    ldc: usize,
    load: bool,
) {
    use core::arch::wasm32::*;
    let nr = 4 * V;
    // SAFETY (all loads and stores): guaranteed by the caller; wasm needs no alignment.
    unsafe {
        let mut acc = [[f32x4_splat(0.0); V]; MR];
        if load {
            for (i, row) in acc.iter_mut().enumerate() {
                for (v, x) in row.iter_mut().enumerate() {
                    *x = v128_load(cp.add(i * ldc + 4 * v) as *const v128);
                }
            }
        }
        for p in 0..kc {
            let mut bv = [f32x4_splat(0.0); V];
            for (v, x) in bv.iter_mut().enumerate() {
                *x = v128_load(bp.add(p * nr + 4 * v) as *const v128);
            }
            for (i, row) in acc.iter_mut().enumerate() {
                let a = v128_load32_splat(ap.add(i * rsa + p * csa) as *const u32);
                for (x, &b) in row.iter_mut().zip(&bv) {
                    *x = f32x4_add(*x, f32x4_mul(a, b));
                }
            }
        }
        for (i, row) in acc.iter().enumerate() {
            for (v, x) in row.iter().enumerate() {
                v128_store(cp.add(i * ldc + 4 * v) as *mut v128, *x);
            }
        }
    }
}

/// The micro-kernel on arrays (natively and in wasm without simd128; LLVM vectorises it,
/// same bits).
///
/// # Safety
/// As [`Real::micro`].
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn micro_portable<T: Real, const MR: usize, const NR: usize>(
    kc: usize,
    ap: *const T,
    rsa: usize,
    csa: usize,
    bp: *const T,
    cp: *mut T,
    ldc: usize,
    load: bool,
) {
    // SAFETY: guaranteed by the caller.
    let bp = unsafe { std::slice::from_raw_parts(bp, kc * NR) };
    let mut acc = [[T::ZERO; NR]; MR];
    if load {
        for (i, row) in acc.iter_mut().enumerate() {
            for (j, x) in row.iter_mut().enumerate() {
                // SAFETY: inside the tile.
                *x = unsafe { *cp.add(i * ldc + j) };
            }
        }
    }
    for (p, b) in bp.chunks_exact(NR).enumerate() {
        for (i, row) in acc.iter_mut().enumerate() {
            // SAFETY: an element of A (guaranteed by the caller).
            let ai = unsafe { *ap.add(i * rsa + p * csa) };
            for (x, &bj) in row.iter_mut().zip(b) {
                *x += ai * bj;
            }
        }
    }
    for (i, row) in acc.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            // SAFETY: inside the tile.
            unsafe { *cp.add(i * ldc + j) = *x };
        }
    }
}

/// The f64 tile: 4 × 8 (16 f64x2 accumulators in wasm).
const MR64: usize = 4;
const NR64: usize = 8;
/// The f32 tile: 4 × 8 (8 f32x4 accumulators in wasm).
const MR32: usize = 4;
const NR32: usize = 8;

/// One implementation for both types: `$t`, its tile, its buffers, its wasm SIMD micro-kernel
/// and lanes per vector, and matrixmultiply's routine for it.
macro_rules! impl_gemm {
    ($t:ident, $mr:ident, $nr:ident, $pack:ident, $thin:ident, $simd:ident, $lanes:expr, $blas:path) => {
        impl Gemm for $t {
            const MR: usize = $mr;
            const NR: usize = $nr;
            const MC: usize = 128;

            fn with_pack<R>(f: impl FnOnce(&mut Vec<Self>, &mut Vec<Self>) -> R) -> R {
                $pack.with(|cell| {
                    let mut guard = cell.borrow_mut();
                    let (ap, bp) = &mut *guard;
                    f(ap, bp)
                })
            }
            fn with_thin<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R {
                $thin.with(|t| f(&mut t.borrow_mut()))
            }
            #[inline(always)]
            unsafe fn micro(
                kc: usize,
                ap: *const Self,
                rsa: usize,
                csa: usize,
                bp: *const Self,
                cp: *mut Self,
                ldc: usize,
                load: bool,
            ) {
                // SAFETY: forwarded from the caller.
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                unsafe {
                    $simd::<$mr, { $nr / $lanes }>(kc, ap, rsa, csa, bp, cp, ldc, load);
                }
                // SAFETY: forwarded from the caller.
                #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
                unsafe {
                    micro_portable::<$t, $mr, $nr>(kc, ap, rsa, csa, bp, cp, ldc, load);
                }
            }
            #[cfg(not(target_arch = "wasm32"))]
            unsafe fn blas(
                m: usize,
                k: usize,
                n: usize,
                a: *const Self,
                rsa: isize,
                csa: isize,
                b: *const Self,
                rsb: isize,
                csb: isize,
                beta: Self,
                c: *mut Self,
                rsc: isize,
            ) {
                // SAFETY: forwarded from the caller.
                unsafe { $blas(m, k, n, 1.0, a, rsa, csa, b, rsb, csb, beta, c, rsc, 1) }
            }
        }
    };
}

impl_gemm!(
    f64,
    MR64,
    NR64,
    PACK64,
    THIN64,
    micro_f64x2,
    2,
    matrixmultiply::dgemm
);
impl_gemm!(
    f32,
    MR32,
    NR32,
    PACK32,
    THIN32,
    micro_f32x4,
    4,
    matrixmultiply::sgemm
);

/// The definition C = op(A)·op(B) as the naive triple loop (each element summed in k order,
/// a multiply and an add): the reference that the tests of this module and the
/// browser test (tests/web.rs) compare against, bit for bit where the order is the same.
/// `op(A)` is m × k (A stored k × m when `ta`), `op(B)` is k × n (B stored n × k when `tb`).
pub fn reference_gemm<T: Real>(
    m: usize,
    k: usize,
    n: usize,
    a: &[T],
    ta: bool,
    b: &[T],
    tb: bool,
) -> Vec<T> {
    let mut c = vec![T::ZERO; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut s = T::ZERO;
            for p in 0..k {
                let x = if ta { a[p * m + i] } else { a[i * k + p] };
                let y = if tb { b[j * k + p] } else { b[p * n + j] };
                s += x * y;
            }
            c[i * n + j] = s;
        }
    }
    c
}

/// A matrix operand inside a slice, with its (row, column) strides.
type Operand<'a, T> = (&'a [T], (usize, usize));

/// Checks a strided product ([`gemm_fixed_order_strided`], and so [`gemm_strided`] in wasm)
/// against the naive loop, bit for bit, on diagonal blocks of larger random matrices in every
/// layout the MLPs use, including thin, short and empty blocks, and that it leaves the rest of
/// C alone. Shared by the native unit test and the browser test (tests/web.rs), where the SIMD
/// micro-kernels run.
#[doc(hidden)]
pub fn check_strided_gemm<T: Real>(
    seed: u64,
    product: impl Fn(usize, usize, usize, &[T], (usize, usize), &[T], (usize, usize), &mut [T], usize),
) -> Result<(), String> {
    use rand::Rng;
    let mut rng = crate::sim::rng::rng_for(seed, 10);
    // (rows, depth, cols) of one block and the block count, as a layer of the modular MLP
    // (n rows of samples; widths split into equal blocks)
    for &(n, gin, gout, blocks) in &[
        (1000usize, 50usize, 50usize, 2usize),
        (37, 1, 50, 2),
        (37, 50, 1, 2),
        (9, 5, 3, 3),
        (3, 7, 2, 2),
        (2, 0, 4, 2),
        (300, 130, 17, 2),
    ] {
        let (din, dout) = (gin * blocks, gout * blocks);
        let mut draw = |len: usize| -> Vec<T> {
            (0..len)
                .map(|_| T::from_f64(rng.random_range(-1.0..1.0)))
                .collect()
        };
        let x = draw(n * din);
        let w = draw(dout * din);
        let d = draw(n * dout);
        for g in 0..blocks {
            // copies of the blocks, for the reference
            let xg: Vec<T> = (0..n * gin)
                .map(|q| x[(q / gin) * din + g * gin + q % gin])
                .collect();
            let wg: Vec<T> = (0..gout * gin)
                .map(|q| w[(g * gout + q / gin) * din + g * gin + q % gin])
                .collect();
            let dg: Vec<T> = (0..n * gout)
                .map(|q| d[(q / gout) * dout + g * gout + q % gout])
                .collect();
            // forward z = x·Wᵀ, weight gradient δᵀ·x, input gradient δ·W:
            // (m, k, n), the naive product of the copies, A and its strides, B and its
            // strides, C's offset and row stride
            type Case<'a, T> = (
                (usize, usize, usize),
                Vec<T>,
                Operand<'a, T>,
                Operand<'a, T>,
                (usize, usize),
            );
            let cases: [Case<T>; 3] = [
                (
                    (n, gin, gout),
                    reference_gemm(n, gin, gout, &xg, false, &wg, true),
                    (&x[g * gin..], (din, 1)),
                    (&w[g * gout * din + g * gin..], (1, din)),
                    (g * gout, dout),
                ),
                (
                    (gout, n, gin),
                    reference_gemm(gout, n, gin, &dg, true, &xg, false),
                    (&d[g * gout..], (1, dout)),
                    (&x[g * gin..], (din, 1)),
                    (g * gout * din + g * gin, din),
                ),
                (
                    (n, gout, gin),
                    reference_gemm(n, gout, gin, &dg, false, &wg, false),
                    (&d[g * gout..], (dout, 1)),
                    (&w[g * gout * din + g * gin..], (din, 1)),
                    (g * gin, din),
                ),
            ];
            for (which, ((m, k, nn), want, (a, sa), (b, sb), (at, ldc))) in
                cases.into_iter().enumerate()
            {
                let rows = if m == 0 { 0 } else { (m - 1) * ldc + nn };
                let mut c = vec![T::from_f64(7.5); at + rows + 3];
                product(m, k, nn, a, sa, b, sb, &mut c[at..], ldc);
                for i in 0..m {
                    for j in 0..nn {
                        let (got, w) = (c[at + i * ldc + j], want[i * nn + j]);
                        if got.to_f64().to_bits() != w.to_f64().to_bits() {
                            return Err(format!(
                                "{} case {which}, block {g} of {n}×{gin}×{gout}: ({i}, {j}) = {got}, want {w}",
                                T::NAME
                            ));
                        }
                    }
                }
                let outside = c.iter().enumerate().filter(|(q, _)| {
                    let r = q.wrapping_sub(at);
                    !(*q >= at && r / ldc.max(1) < m && r % ldc.max(1) < nn)
                });
                if let Some((q, v)) = outside.into_iter().find(|(_, v)| v.to_f64() != 7.5) {
                    return Err(format!(
                        "{} case {which}: C[{q}] = {v} was written outside the block",
                        T::NAME
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
                    let want = reference_gemm(m, k, n, &a, ta, &b, tb);
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
}
