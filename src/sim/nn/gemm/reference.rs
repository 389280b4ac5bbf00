//! The definition of the product as the naive triple loop, and the bit-for-bit check of the
//! strided (block-diagonal) products, shared by the native unit tests and the browser test
//! (tests/web.rs), where the SIMD micro-kernels run.

use crate::sim::real::Real;

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

/// Checks a strided product (`gemm_fixed_order_strided`, and so `gemm_strided` in wasm)
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
