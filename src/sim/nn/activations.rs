//! The element-wise row loops of the networks: bias + SiLU (forward pass of a hidden layer)
//! and the shifted exps of a softmax row, in the run's precision ([`Real`]).
//!
//! ```text
//!   bias_silu:   z ← z + b,  s ← σ(z),  a ← z·s          (σ as Real::sigmoid)
//!   exp_shifted: out_j ← e^{x_j − m},  returns Σ_j out_j in j order   (x_j ≤ m)
//! ```
//!
//! Both are the bits of the scalar code (`Real::sigmoid`, `Real::exp`): the exps go through the
//! branch-free [`Real::exp_nonpos`] (libm's bits) so that LLVM vectorises the loops (f64x2 /
//! f32x4 in wasm), and the rare arguments outside its domain (below EXP_MIN, NaN) are redone
//! by the scalar code in a second pass. Natively an AVX2 copy of each loop is picked at run
//! time, because LLVM leaves the SSE2 baseline scalar: the same IEEE operations on more lanes
//! (Rust never contracts to FMA), hence the same bits. That run-time dispatch is the only
//! `unsafe` here (calling a `#[target_feature]` function once the CPU has the feature).

use crate::sim::real::Real;

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

/// `out[j] ← e^{x[j] − m}` (the bits of [`Real::exp`]), for `x[j] ≤ m`; returns Σ out in j
/// order.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::rng_for;
    use rand::Rng;

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
