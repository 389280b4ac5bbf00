//! What the products need per element type ([`Gemm`]): the micro-tile and its SIMD kernel, the
//! packing buffers, and the native BLAS routine, implemented once for f32 and f64 by a macro.
//!
//! In wasm32 with `simd128` the micro-kernels use `core::arch::wasm32` intrinsics (f64: a 4 × 8
//! tile = 16 f64x2 accumulators; f32: a 4 × 8 tile = 8 f32x4 accumulators; four (f32: two) B
//! vectors and one splat A value per row; the tile sizes were chosen by measurement,
//! BENCHMARKS.md); elsewhere the same loop on arrays (LLVM vectorises it, same bits). Each
//! accumulator adds A[i][p]·B[p][j] for p in order, a multiply then an add.

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

/// Largest MR·NR (the edge-tile buffer).
pub(super) const TILE_MAX: usize = 64;

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

/// The f64 micro-kernel in wasm: an MR × (2·V) tile in f64x2 accumulators, V B vectors and
/// one splat A value per row.
///
/// # Safety
/// As [`Gemm::micro`].
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
/// As [`Gemm::micro`].
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
/// As [`Gemm::micro`].
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
