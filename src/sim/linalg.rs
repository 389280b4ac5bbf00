//! Small dense kernels written so that the compiler can vectorise them without reordering
//! floating-point sums: the summation order is fixed in the source (eight partial sums, then
//! a fixed tree), so results are bit-identical on every platform, with or without SIMD.

use super::real::Real;

/// Dot product with a fixed summation order.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut rem = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        rem += x * y;
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + rem
}

/// y ← y + a·x
#[inline]
pub fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Logistic sigmoid σ(z) = 1/(1 + e^{−z}), computed without overflow (`Real::sigmoid`).
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    Real::sigmoid(z)
}

/// softplus(x) = ln(1 + e^x), stable for large |x|. −ln σ(z) = softplus(−z).
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + libm::log1p(libm::exp(-x))
    } else {
        libm::log1p(libm::exp(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_on_integers() {
        let a: Vec<f64> = (0..37).map(|i| i as f64).collect();
        let b: Vec<f64> = (0..37).map(|i| (i % 5) as f64 - 2.0).collect();
        let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert_eq!(dot(&a, &b), naive);
    }

    #[test]
    fn sigmoid_and_softplus_limits() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-800.0) >= 0.0 && sigmoid(800.0) == 1.0);
        assert!((softplus(-0.0) - std::f64::consts::LN_2).abs() < 1e-15);
        assert_eq!(softplus(800.0), 800.0);
        assert!(softplus(-800.0) >= 0.0);
    }
}
