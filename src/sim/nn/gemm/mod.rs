//! The matrix products of the networks: C ← A·B (+ β·C), row-major, in f32 or f64 ([`Gemm`]).
//!
//! Two implementations behind one safe entry point ([`gemm`], [`gemm_strided`]):
//!
//! * **natively**, matrixmultiply's `dgemm` / `sgemm`: its run-time selected AVX-512 / FMA+AVX2
//!   kernels are faster than any FMA-free fixed-order loop could be, at the price of bits that
//!   depend on the CPU (a fused multiply-add rounds once). So the native guarantee is: the same
//!   seed on the same platform (same binary, same CPU kernel) gives the same bits.
//! * **in wasm32**, [`gemm_fixed_order`] (`fixed_order`): every `C[i][j]` is summed over
//!   p = 0, 1, …, k−1 in order, `((0 + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + …`, a multiply then
//!   an add (never a fused multiply-add) in the element type, exactly the naive triple loop
//!   ([`reference_gemm`]). Blocking, packing and SIMD width change which elements are computed
//!   together, never the operations on one element, so the result is **bit-identical to the
//!   naive loop on every platform** (tested natively, and in the browser in tests/web.rs): a
//!   browser run gives the same bits on every machine. Native and browser runs agree to
//!   rounding in each product (≈ 1e−16 relative in f64, ≈ 1e−7 in f32), not bit for bit.
//!
//! Why a hand-written kernel in the browser: matrixmultiply has no wasm SIMD kernel (its
//! portable scalar one runs there), and the other pure-Rust candidates (gemm, faer) measured
//! no faster in wasm (BENCHMARKS.md, "`src/sim/nn/gemm`"). The fixed order also makes the
//! product exactly testable. Natively matrixmultiply was kept over gemm and faer: no faster
//! where it matters, already in the tree through nalgebra, and small.
//!
//! Files: `fixed_order` (the blocked, packed product), `micro` (what is per element type: the
//! [`Gemm`] trait, tiles, SIMD micro-kernels, buffers, the BLAS call), `reference` (the naive
//! loop and the checks shared with the browser tests). This module and `nn::activations` are
//! the only places of the crate allowed `unsafe`: raw pointers into the packed panels and C's
//! tiles (SIMD loads and stores), and the matrixmultiply calls; each block states why it stays
//! inside its slices.

mod fixed_order;
mod micro;
mod reference;

pub use fixed_order::{gemm_fixed_order, gemm_fixed_order_strided};
pub use micro::Gemm;
pub use reference::{check_strided_gemm, reference_gemm};

#[cfg(not(target_arch = "wasm32"))]
use fixed_order::strided_operands;

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

#[cfg(test)]
mod tests {
    use super::*;

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
