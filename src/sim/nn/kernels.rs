//! The inner loops of the real-network MLPs (`mlp.rs`), written for speed in the browser, in
//! float64 and float32 (the sealed [`Real`] trait): a matrix product with a fixed summation
//! order, and a branch-free `exp` for SiLU and softmax.
//!
//! # `gemm_fixed_order`: C ← A·B, every C[i][j] summed over p = 0, 1, …, k−1 in order
//!
//! Each output element is `((0 + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + …`, a multiply then an
//! add (never a fused multiply-add) in the element type, exactly the naive triple loop. Blocking,
//! packing and SIMD width change which elements are computed together, never the operations on
//! one element, so the result is **bit-identical to the naive loop on every platform**, for
//! f64 and for f32 (tests below, and in the browser in tests/web.rs).
//!
//! Layout (GotoBLAS): B is packed into panels of `NR` columns for a `KC`-deep slice of k
//! (zero-padded at the edges, so every micro-tile is full and the padding only feeds discarded
//! outputs); A is read in place (the micro-kernel takes its strides) when a block of `MC` rows
//! has no edge tile, else packed into zero-padded panels of `MR` rows; an `MR × NR` tile of C
//! accumulates in registers over that slice and is stored; the next k-slice reloads it and
//! goes on adding in order. A short C (m < MR, B not transposed: the 2-row weight gradients)
//! skips the tiles: each row adds A[i][p]·(row p of B) for p in order. The
//! blocking and packing are written once, generic over [`Real`]; only the micro-kernel and its
//! tile are per type. In wasm32 with `simd128` the micro-kernels use `core::arch::wasm32`
//! intrinsics: f64 a 4 × 8 tile = 16 f64x2 accumulators (4 × 4, 6 × 4 and 8 × 4 measured
//! slower in Chromium 156), f32 a 4 × 8 tile = 8 f32x4 accumulators (4 × 16, 8 × 8, 6 × 8,
//! 4 × 12 and 2 × 16 measured slower, BENCHMARKS.md); four (f32: two) B vectors and one splat
//! A value per row.
//! Elsewhere the same loop on arrays (LLVM vectorises it, same bits). A thin C (2n ≤ NR, the
//! 2-output layers) is computed as Cᵀ = Bᵀ·Aᵀ so the wide tiles run along its long side.
//!
//! Why hand-written: in the browser every product ran in matrixmultiply's portable scalar
//! kernel (it has no wasm SIMD kernel), and gemm 0.19 and faer 0.24 measured no faster in wasm
//! (the table in `mlp.rs`). The fixed order also makes the product exactly testable (the naive
//! loop's bits). Natively `mlp::gemm` keeps matrixmultiply (`dgemm` / `sgemm`):
//! its run-time selected AVX-512/FMA kernels are faster than this SSE2-width loop (numbers in
//! BENCHMARKS.md).
//!
//! # `exp_nonpos` / `expf_nonpos`: e^x for x ≤ 0, bit-identical to `libm::exp` / `libm::expf`
//!
//! The same algorithm as libm (FreeBSD's e_exp.c / e_expf.c: k = the libm choice of
//! round(x/ln 2), r = hi − lo, the rational form of degree 5 / 2, scale by 2^k) with every
//! branch turned into a select, so LLVM vectorises a loop of them (f64x2 / f32x4 in wasm;
//! natively an AVX2 copy of the row loops, picked at run time, as LLVM leaves the SSE2
//! baseline scalar); no FMA anywhere. The results are the very bits of libm on [−708, 0] /
//! [−87, 0] (the region thresholds are libm's high-word tests as float compares; the f32 one is
//! checked on every float of its domain by an ignored test, 9 s in release); outside it
//! (x below the domain, NaN) the callers fall back to libm, so nothing changes numerically —
//! only the speed. `bias_silu` and `exp_shifted` (the SiLU and softmax rows) are generic over
//! [`Real`] and use them.

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The element type of the real-network MLPs: `f32` or `f64` (sealed). It carries what differs
/// between the two precisions — the GEMM micro-kernel and its tile, the branch-free exp and
/// its domain, libm's exp/ln/σ, the native BLAS call, conversions — so that everything else
/// (blocking and packing here, forward/backward/losses in `mlp.rs`) is written once.
pub trait Real:
    sealed::Sealed
    + Copy
    + Default
    + PartialEq
    + PartialOrd
    + std::fmt::Debug
    + std::fmt::Display
    + Send
    + Sync
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
    + std::ops::AddAssign
    + std::ops::SubAssign
    + std::ops::MulAssign
    + std::ops::DivAssign
{
    const ZERO: Self;
    const ONE: Self;
    const NEG_INFINITY: Self;
    /// "f32" / "f64".
    const NAME: &'static str;
    /// Rows of the fixed-order GEMM micro-tile.
    const MR: usize;
    /// Columns of the micro-tile (a multiple of the SIMD lanes).
    const NR: usize;
    /// Rows of A packed at once.
    const MC: usize;
    /// Lowest argument of [`Real::exp_nonpos`] (2^k stays a normal number).
    const EXP_MIN: Self;

    /// The nearest value (round to nearest even); exact for f64.
    fn from_f64(x: f64) -> Self;
    /// Exact.
    fn to_f64(self) -> f64;
    fn abs(self) -> Self;
    /// The larger of the two, ignoring a NaN (as `f64::max`).
    fn max(self, other: Self) -> Self;
    /// `libm::exp` / `libm::expf`.
    fn exp(self) -> Self;
    /// `libm::log` / `libm::logf`.
    fn ln(self) -> Self;
    /// e^x for EXP_MIN ≤ x ≤ 0 (other inputs: unspecified), the bits of [`Real::exp`],
    /// branch-free so that loops of it vectorise.
    fn exp_nonpos(self) -> Self;
    /// The logistic σ(z) written with [`Real::exp`] (`linalg::sigmoid` for f64): the
    /// reference of [`bias_silu`].
    fn sigmoid(self) -> Self;

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
pub fn gemm_fixed_order<T: Real>(
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
pub fn gemm_fixed_order_strided<T: Real>(
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
/// `mlp::gemm_strided`): panics unless every addressed element of A, B and C lies inside its
/// slice; an empty C is nothing to do, and k = 0 writes C's block as zeros. Returns whether a
/// product is left to compute.
#[allow(clippy::too_many_arguments)]
pub(crate) fn strided_operands<T: Real>(
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
fn blocked<T: Real>(
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
fn tile<T: Real>(
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

/// The f64 tile: 4 × 8 (16 f64x2 accumulators in wasm; 4 × 4, 6 × 4 and 8 × 4 measured
/// slower in Chromium 156, see BENCHMARKS.md).
const MR64: usize = 4;
const NR64: usize = 8;
/// The f32 tile: 4 × 8 (8 f32x4 accumulators in wasm; 4 × 16, 8 × 8, 6 × 8, 4 × 12 and 2 × 16
/// measured slower on the Fig. 19 products in Chromium 156, see BENCHMARKS.md).
const MR32: usize = 4;
const NR32: usize = 8;

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NEG_INFINITY: Self = f64::NEG_INFINITY;
    const NAME: &'static str = "f64";
    const MR: usize = MR64;
    const NR: usize = NR64;
    const MC: usize = 128;
    const EXP_MIN: Self = EXP_MIN;

    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f64::max(self, other)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        libm::exp(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        libm::log(self)
    }
    #[inline(always)]
    fn exp_nonpos(self) -> Self {
        exp_nonpos(self)
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        crate::sim::linalg::sigmoid(self)
    }
    fn with_pack<R>(f: impl FnOnce(&mut Vec<Self>, &mut Vec<Self>) -> R) -> R {
        PACK64.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (ap, bp) = &mut *guard;
            f(ap, bp)
        })
    }
    fn with_thin<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R {
        THIN64.with(|t| f(&mut t.borrow_mut()))
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
            micro_f64x2::<MR64, { NR64 / 2 }>(kc, ap, rsa, csa, bp, cp, ldc, load);
        }
        // SAFETY: forwarded from the caller.
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        unsafe {
            micro_portable::<f64, MR64, NR64>(kc, ap, rsa, csa, bp, cp, ldc, load);
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
        unsafe { matrixmultiply::dgemm(m, k, n, 1.0, a, rsa, csa, b, rsb, csb, beta, c, rsc, 1) }
    }
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const NEG_INFINITY: Self = f32::NEG_INFINITY;
    const NAME: &'static str = "f32";
    const MR: usize = MR32;
    const NR: usize = NR32;
    const MC: usize = 128;
    const EXP_MIN: Self = EXPF_MIN;

    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f32::abs(self)
    }
    #[inline(always)]
    fn max(self, other: Self) -> Self {
        f32::max(self, other)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        libm::expf(self)
    }
    #[inline(always)]
    fn ln(self) -> Self {
        libm::logf(self)
    }
    #[inline(always)]
    fn exp_nonpos(self) -> Self {
        expf_nonpos(self)
    }
    #[inline(always)]
    fn sigmoid(self) -> Self {
        if self >= 0.0 {
            1.0 / (1.0 + libm::expf(-self))
        } else {
            let e = libm::expf(self);
            e / (1.0 + e)
        }
    }
    fn with_pack<R>(f: impl FnOnce(&mut Vec<Self>, &mut Vec<Self>) -> R) -> R {
        PACK32.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (ap, bp) = &mut *guard;
            f(ap, bp)
        })
    }
    fn with_thin<R>(f: impl FnOnce(&mut Vec<Self>) -> R) -> R {
        THIN32.with(|t| f(&mut t.borrow_mut()))
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
            micro_f32x4::<MR32, { NR32 / 4 }>(kc, ap, rsa, csa, bp, cp, ldc, load);
        }
        // SAFETY: forwarded from the caller.
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        unsafe {
            micro_portable::<f32, MR32, NR32>(kc, ap, rsa, csa, bp, cp, ldc, load);
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
        unsafe { matrixmultiply::sgemm(m, k, n, 1.0, a, rsa, csa, b, rsb, csb, beta, c, rsc, 1) }
    }
}

// libm's e_exp.c constants, by their bits (as its comments give them).
const LN2HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);
/// 1.5·2⁵²: (v + S) − S rounds v to the nearest integer; bits(k + S) end in k.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// libm's "|x| > 0.5 ln 2" (high word > 0x3fd62e42) as a float compare: |x| ≥ this.
const HALF_LN2: f64 = f64::from_bits(0x3fd6_2e43_0000_0000);
/// libm's "|x| ≥ 1.5 ln 2" (high word ≥ 0x3ff0a2b2).
const THREE_HALVES_LN2: f64 = f64::from_bits(0x3ff0_a2b2_0000_0000);
/// libm's "|x| > 2⁻²⁸" (high word > 0x3e300000); below it e^x = 1 + x.
const TINY: f64 = f64::from_bits(0x3e30_0001_0000_0000);
/// Lowest argument of the branch-free path (2^k stays a normal number).
pub const EXP_MIN: f64 = -708.0;

/// e^x for EXP_MIN ≤ x ≤ 0 (other inputs: unspecified), the bits of `libm::exp(x)`.
#[inline(always)]
pub fn exp_nonpos(x: f64) -> f64 {
    let ax = -x;
    // libm's k: trunc(x/ln2 − 1/2) for |x| ≥ 1.5 ln 2 (= ceil, as it is negative), −1 for
    // 0.5 ln 2 < |x| < 1.5 ln 2, else 0
    let v = INVLN2 * x + -0.5;
    let r = (v + SHIFT) - SHIFT;
    let up = if r < v { r + 1.0 } else { r };
    let kf = if ax >= THREE_HALVES_LN2 {
        up
    } else if ax >= HALF_LN2 {
        -1.0
    } else {
        0.0
    };
    let hi = x - kf * LN2HI;
    let lo = kf * LN2LO;
    let xr = hi - lo;
    let xx = xr * xr;
    let c = xr - xx * (P1 + xx * (P2 + xx * (P3 + xx * (P4 + xx * P5))));
    let y = 1.0 + (xr * c / (2.0 - c) - lo + hi);
    // 2^k from the bits of k + SHIFT (k ≥ −1021 here, so 2^k is normal and y·2^k exact)
    let scale = f64::from_bits((kf + SHIFT).to_bits().wrapping_add(1023) << 52);
    if ax < TINY {
        1.0 + x
    } else {
        y * scale
    }
}

// libm's e_expf.c constants, by their bits (as its comments give them).
const F_LN2HI: f32 = f32::from_bits(0x3f31_7200);
const F_LN2LO: f32 = f32::from_bits(0x35bf_be8e);
const F_INVLN2: f32 = f32::from_bits(0x3fb8_aa3b);
const F_P1: f32 = f32::from_bits(0x3e2a_aa8f);
const F_P2: f32 = f32::from_bits(0xbb35_5215);
/// 1.5·2²³: (v + S) − S rounds v to the nearest integer; bits(k + S) end in k.
const F_SHIFT: f32 = 12_582_912.0;
/// libm's "|x| > 0.5 ln 2" (hx > 0x3eb17218); for f32 the word is the whole number, so the
/// integer compare is this float compare.
const F_HALF_LN2: f32 = f32::from_bits(0x3eb1_7218);
/// libm's "|x| > 1.5 ln 2" (hx > 0x3f851592).
const F_THREE_HALVES_LN2: f32 = f32::from_bits(0x3f85_1592);
/// libm's "|x| > 2⁻¹⁴" (hx > 0x39000000); at or below it e^x = 1 + x.
const F_TINY: f32 = f32::from_bits(0x3900_0000);
/// Lowest argument of the branch-free f32 path: k ≥ −126, so 2^k is normal, libm's scalbnf
/// is the single product y·2^k, and libm's special-case branch (|x| ≥ 87.33655) is not taken.
pub const EXPF_MIN: f32 = -87.0;

/// e^x for EXPF_MIN ≤ x ≤ 0 (other inputs: unspecified), the bits of `libm::expf(x)`: its
/// algorithm (FreeBSD's e_expf.c) with the branches turned into selects.
#[inline(always)]
pub fn expf_nonpos(x: f32) -> f32 {
    let ax = -x;
    // libm's k: (int)(x/ln2 − 1/2) for |x| > 1.5 ln 2 (truncation = ceil, as it is
    // negative), −1 for 0.5 ln 2 < |x| ≤ 1.5 ln 2, else 0
    let v = F_INVLN2 * x + -0.5;
    let r = (v + F_SHIFT) - F_SHIFT;
    let up = if r < v { r + 1.0 } else { r };
    let kf = if ax > F_THREE_HALVES_LN2 {
        up
    } else if ax > F_HALF_LN2 {
        -1.0
    } else {
        0.0
    };
    let hi = x - kf * F_LN2HI;
    let lo = kf * F_LN2LO;
    let xr = hi - lo;
    let xx = xr * xr;
    let c = xr - xx * (F_P1 + xx * F_P2);
    let y = 1.0 + (xr * c / (2.0 - c) - lo + hi);
    // 2^k from the bits of k + F_SHIFT (−126 ≤ k ≤ 0: a normal power of two)
    let scale = f32::from_bits((kf + F_SHIFT).to_bits().wrapping_add(127) << 23);
    if ax > F_TINY {
        y * scale
    } else {
        1.0 + x
    }
}

/// z ← z + b, s ← σ(z), a ← z·s (SiLU) over one row, with the bits of [`Real::sigmoid`]
/// (`linalg::sigmoid` for f64).
pub fn bias_silu<T: Real>(z: &mut [T], b: &[T], s: &mut [T], a: &mut [T]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2. The same IEEE operations on more lanes (no FMA: Rust never
        // contracts), so the same bits; LLVM's cost model leaves the SSE2 build scalar.
        return unsafe { bias_silu_avx2(z, b, s, a) };
    }
    bias_silu_lanes(z, b, s, a)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn bias_silu_avx2<T: Real>(z: &mut [T], b: &[T], s: &mut [T], a: &mut [T]) {
    bias_silu_lanes(z, b, s, a)
}

#[inline(always)]
fn bias_silu_lanes<T: Real>(z: &mut [T], b: &[T], s: &mut [T], a: &mut [T]) {
    let n = z.len();
    let (b, s, a) = (&b[..n], &mut s[..n], &mut a[..n]);
    let mut rare = 0u32;
    for j in 0..n {
        let v = z[j] + b[j];
        z[j] = v;
        let x = -v.abs();
        let ok = x >= T::EXP_MIN;
        rare += u32::from(!ok);
        let e = (if ok { x } else { T::ZERO }).exp_nonpos();
        let sv = (if v >= T::ZERO { T::ONE } else { e }) / (T::ONE + e);
        s[j] = sv;
        a[j] = v * sv;
    }
    if rare > 0 {
        for j in 0..n {
            let ok = -z[j].abs() >= T::EXP_MIN;
            if !ok {
                s[j] = z[j].sigmoid();
                a[j] = z[j] * s[j];
            }
        }
    }
}

/// out[j] ← e^{x[j] − m} (the bits of [`Real::exp`]), for x[j] ≤ m; returns Σ out in j order.
pub fn exp_shifted<T: Real>(x: &[T], m: T, out: &mut [T]) -> T {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: as in `bias_silu`.
        return unsafe { exp_shifted_avx2(x, m, out) };
    }
    exp_shifted_lanes(x, m, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn exp_shifted_avx2<T: Real>(x: &[T], m: T, out: &mut [T]) -> T {
    exp_shifted_lanes(x, m, out)
}

#[inline(always)]
fn exp_shifted_lanes<T: Real>(x: &[T], m: T, out: &mut [T]) -> T {
    let n = x.len();
    let out = &mut out[..n];
    let mut rare = 0u32;
    for j in 0..n {
        let d = x[j] - m;
        let ok = d >= T::EXP_MIN && d <= T::ZERO;
        rare += u32::from(!ok);
        out[j] = (if ok { d } else { T::ZERO }).exp_nonpos();
    }
    if rare > 0 {
        for j in 0..n {
            let d = x[j] - m;
            if !(d >= T::EXP_MIN && d <= T::ZERO) {
                out[j] = d.exp();
            }
        }
    }
    let mut z = T::ZERO;
    for &e in out.iter() {
        z += e;
    }
    z
}

/// The definition C = op(A)·op(B) as the naive triple loop (each element summed in k order,
/// a multiply and an add): the reference that the kernels' tests, `mlp::gemm`'s tests and the
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

/// Checks [`gemm_fixed_order_strided`] (and so `mlp::gemm_strided` in wasm) against the naive
/// loop, bit for bit, on diagonal blocks of larger random matrices in every layout the MLPs
/// use, including thin, short and empty blocks, and that it leaves the rest of C alone.
/// Shared by the native unit test and the browser test (tests/web.rs), where the SIMD
/// micro-kernels run.
/// A matrix operand inside a slice, with its (row, column) strides.
type Operand<'a, T> = (&'a [T], (usize, usize));

#[doc(hidden)]
pub fn check_strided_gemm<T: Real>(
    seed: u64,
    product: impl Fn(usize, usize, usize, &[T], (usize, usize), &[T], (usize, usize), &mut [T], usize),
) -> Result<(), String> {
    use rand::Rng;
    let mut rng = crate::sim::geometry::rng_for(seed, 10);
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
    use crate::sim::geometry::rng_for;
    use rand::Rng;

    /// Random reals (so any other summation order or an FMA would show), edge sizes 1, 2, 3,
    /// odd, non-multiples of the tiles (4 × 8 for both) and of the 256-deep
    /// k-slice and 128/256 blocks, every transpose.
    fn gemm_is_the_naive_loop<T: Real>(seed: u64) {
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
    fn exp_nonpos_is_libm_exp_bit_for_bit() {
        let check = |x: f64| {
            if !(EXP_MIN..=0.0).contains(&x) {
                return;
            }
            let (got, want) = (exp_nonpos(x), libm::exp(x));
            assert_eq!(
                got.to_bits(),
                want.to_bits(),
                "x = {x:e}: {got:e} vs {want:e}"
            );
        };
        let mut rng = rng_for(5, 1);
        for _ in 0..1_000_000 {
            check(rng.random_range(EXP_MIN..=0.0));
            check(-rng.random_range(0.0..2.0f64).powi(3));
            check(-libm::exp(rng.random_range(-80.0..6.5)));
        }
        // every region boundary of libm's branches and its neighbours
        for t in [0.0, TINY, HALF_LN2, THREE_HALVES_LN2, -EXP_MIN] {
            let mut x = -t;
            for _ in 0..1000 {
                check(x);
                check(-x.abs() * (1.0 + f64::EPSILON));
                x = f64::from_bits(x.to_bits() + 1);
            }
        }
        // around every k·ln 2 (where k changes) and its halves (ties of the rounding)
        for k in 0..1021 {
            for h in [0.0, 0.5] {
                let c = -(k as f64 + h) * std::f64::consts::LN_2;
                let mut x = c;
                for _ in 0..64 {
                    check(x);
                    x = f64::from_bits(x.to_bits().wrapping_sub(1));
                }
                let mut x = c;
                for _ in 0..64 {
                    check(x);
                    x = f64::from_bits(x.to_bits() + 1);
                }
            }
        }
        check(-0.0);
    }

    #[test]
    fn silu_and_softmax_rows_match_the_scalar_code() {
        // long rows (the vector loops and their remainders), on both natives paths
        let mut rng = rng_for(7, 2);
        for n in [1, 3, 4, 5, 59, 100, 257] {
            let z0: Vec<f64> = (0..n).map(|_| rng.random_range(-40.0..40.0)).collect();
            let b: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
            let mut z = z0.clone();
            let (mut s, mut a) = (vec![0.0; n], vec![0.0; n]);
            let mut zl = z0.clone();
            let (mut sl, mut al) = (vec![0.0; n], vec![0.0; n]);
            bias_silu(&mut z, &b, &mut s, &mut a);
            bias_silu_lanes(&mut zl, &b, &mut sl, &mut al);
            for j in 0..n {
                let v = z0[j] + b[j];
                let want = crate::sim::linalg::sigmoid(v);
                assert_eq!(s[j].to_bits(), want.to_bits(), "σ({v})");
                assert_eq!(a[j].to_bits(), (v * want).to_bits(), "SiLU({v})");
                assert_eq!(
                    (sl[j].to_bits(), al[j].to_bits()),
                    (s[j].to_bits(), a[j].to_bits())
                );
            }
            let mut out = vec![0.0; n];
            let mut outl = vec![0.0; n];
            let max = z0.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let sum = exp_shifted(&z0, max, &mut out);
            let suml = exp_shifted_lanes(&z0, max, &mut outl);
            let mut want_sum = 0.0;
            for j in 0..n {
                let want = libm::exp(z0[j] - max);
                want_sum += want;
                assert_eq!(out[j].to_bits(), want.to_bits());
                assert_eq!(outl[j].to_bits(), want.to_bits());
            }
            assert_eq!(
                (sum.to_bits(), suml.to_bits()),
                (want_sum.to_bits(), want_sum.to_bits())
            );
        }
    }

    #[test]
    fn silu_and_softmax_exps_match_the_scalar_code_outside_the_fast_range_too() {
        let z0 = [
            0.0,
            -0.0,
            1.5,
            -1.5,
            -700.0,
            -708.5,
            -750.0,
            800.0,
            f64::NAN,
            f64::NEG_INFINITY,
            3e-9,
            -3e-9,
        ];
        let b = [0.25; 12];
        let mut z = z0;
        let (mut s, mut a) = ([0.0; 12], [0.0; 12]);
        bias_silu(&mut z, &b, &mut s, &mut a);
        for j in 0..12 {
            let v = z0[j] + 0.25;
            let want = crate::sim::linalg::sigmoid(v);
            assert_eq!(z[j].to_bits(), v.to_bits());
            assert_eq!(s[j].to_bits(), want.to_bits(), "σ({v})");
            assert_eq!(a[j].to_bits(), (v * want).to_bits(), "SiLU({v})");
        }
        let mut out = [0.0; 12];
        let sum = exp_shifted(&z0, 1.5, &mut out);
        let mut want_sum = 0.0;
        for j in 0..12 {
            let want = libm::exp(z0[j] - 1.5);
            want_sum += want;
            assert_eq!(out[j].to_bits(), want.to_bits(), "exp({} − 1.5)", z0[j]);
        }
        assert_eq!(sum.to_bits(), want_sum.to_bits());
    }

    fn check_expf(x: f32) {
        if !(EXPF_MIN..=0.0).contains(&x) {
            return;
        }
        let (got, want) = (expf_nonpos(x), libm::expf(x));
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "x = {x:e} ({:#x}): {got:e} vs {want:e}",
            x.to_bits()
        );
    }

    #[test]
    fn expf_nonpos_is_libm_expf_bit_for_bit() {
        let mut rng = rng_for(5, 2);
        for _ in 0..1_000_000 {
            check_expf(rng.random_range(EXPF_MIN..=0.0));
            check_expf(-rng.random_range(0.0..2.0f32).powi(3));
            check_expf(-libm::expf(rng.random_range(-40.0..4.4)));
        }
        // every region boundary of libm's branches and its neighbours
        for t in [0.0, F_TINY, F_HALF_LN2, F_THREE_HALVES_LN2, -EXPF_MIN] {
            let b = t.to_bits();
            for d in 0..2000u32 {
                check_expf(-f32::from_bits(b.saturating_sub(1000) + d));
            }
        }
        // around every k·ln 2 (where k changes) and its halves (ties of the rounding)
        for k in 0..126 {
            for h in [0.0, 0.5] {
                let c = (-(k as f64 + h) * std::f64::consts::LN_2) as f32;
                for d in 0..256u32 {
                    check_expf(f32::from_bits(c.to_bits().saturating_sub(128) + d));
                }
            }
        }
        check_expf(-0.0);
        check_expf(0.0);
        check_expf(EXPF_MIN);
    }

    /// Every f32 in [EXPF_MIN, 0] (≈ 1.12·10⁹ numbers): `cargo test --release -- --ignored
    /// expf_nonpos_exhaustive` (9 s in release on the 2-core Xeon of BENCHMARKS.md).
    #[test]
    #[ignore = "exhaustive: about 9 s in release, minutes in debug"]
    fn expf_nonpos_exhaustive() {
        let mut bad = 0u64;
        let mut first = None;
        let last = EXPF_MIN.to_bits();
        let mut xs = (0x8000_0000u32..=last).map(f32::from_bits).chain([0.0f32]);
        let mut got = [0.0f32; 1024];
        loop {
            let mut chunk = [0.0f32; 1024];
            let mut len = 0;
            for slot in chunk.iter_mut() {
                match xs.next() {
                    Some(x) => {
                        *slot = x;
                        len += 1;
                    }
                    None => break,
                }
            }
            if len == 0 {
                break;
            }
            for (g, &x) in got.iter_mut().zip(&chunk[..len]) {
                *g = expf_nonpos(x);
            }
            for (g, &x) in got.iter().zip(&chunk[..len]) {
                if g.to_bits() != libm::expf(x).to_bits() {
                    bad += 1;
                    first.get_or_insert(x);
                }
            }
        }
        assert_eq!(bad, 0, "{bad} mismatches, first at x = {first:?}");
    }

    #[test]
    fn f32_silu_and_softmax_rows_match_the_scalar_code() {
        let mut rng = rng_for(7, 3);
        for n in [1, 3, 4, 5, 8, 59, 100, 257] {
            let mut z0: Vec<f32> = (0..n).map(|_| rng.random_range(-40.0..40.0)).collect();
            if n == 100 {
                // outside the fast domain: the fallback
                z0[..6].copy_from_slice(&[-87.5, 95.0, -200.0, f32::NAN, f32::NEG_INFINITY, 3e-9]);
            }
            let b: Vec<f32> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
            let mut z = z0.clone();
            let (mut s, mut a) = (vec![0.0f32; n], vec![0.0f32; n]);
            let mut zl = z0.clone();
            let (mut sl, mut al) = (vec![0.0f32; n], vec![0.0f32; n]);
            bias_silu(&mut z, &b, &mut s, &mut a);
            bias_silu_lanes(&mut zl, &b, &mut sl, &mut al);
            for j in 0..n {
                let v = z0[j] + b[j];
                let want = if v >= 0.0 {
                    1.0 / (1.0 + libm::expf(-v))
                } else {
                    libm::expf(v) / (1.0 + libm::expf(v))
                };
                assert_eq!(z[j].to_bits(), v.to_bits());
                assert_eq!(s[j].to_bits(), want.to_bits(), "σ({v})");
                assert_eq!(a[j].to_bits(), (v * want).to_bits(), "SiLU({v})");
                assert_eq!(
                    (sl[j].to_bits(), al[j].to_bits()),
                    (s[j].to_bits(), a[j].to_bits())
                );
            }
            let finite: Vec<f32> = z0
                .iter()
                .map(|&x| if x.is_nan() { 1.0 } else { x })
                .collect();
            let max = finite.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
            let mut out = vec![0.0f32; n];
            let mut outl = vec![0.0f32; n];
            let sum = exp_shifted(&finite, max, &mut out);
            let suml = exp_shifted_lanes(&finite, max, &mut outl);
            let mut want_sum = 0.0f32;
            for j in 0..n {
                let want = libm::expf(finite[j] - max);
                want_sum += want;
                assert_eq!(out[j].to_bits(), want.to_bits());
                assert_eq!(outl[j].to_bits(), want.to_bits());
            }
            assert_eq!(
                (sum.to_bits(), suml.to_bits()),
                (want_sum.to_bits(), want_sum.to_bits())
            );
        }
    }
}
