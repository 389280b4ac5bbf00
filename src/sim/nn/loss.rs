//! The training losses of the networks: their value L and ∂L/∂f for the backward pass, in the
//! run's precision.
//!
//! * masked MSE over all n·K entries: `L = (1/nK) Σ_ik m_ik (f_ik − y_ik)²`,
//!   `∂L/∂f = 2 m (f − y)/(nK)`;
//! * its re-weighted form (Fig. 19 notebook, docs/models.md §7) `L = mean(ℓ · ℓ̄ / mean(ℓ̄))`
//!   with ℓ = m (f − y)² and ℓ̄ = ℓ detached, so `∂L/∂f = (ℓ/mean ℓ) · 2 m (f − y)/(nK)`;
//! * softmax cross-entropy, mean over samples: `L = (1/n) Σ_i [ln Σ_c e^{f_ic} − f_{i,y_i}]`,
//!   `∂L/∂f_i = (softmax(f_i) − e_{y_i})/n`, shifted by the row's maximum so that no exp
//!   overflows; the exps of a row come from `activations::exp_shifted` (libm's bits).
//!
//! Every sum runs in a fixed order (the entries, the rows in order).

use super::activations::exp_shifted;
use crate::sim::real::Real;

/// Masked MSE over all n·K entries (see the header) into `d_out` = ∂L/∂f; returns L.
/// With `reweight`, the loss is `mean(ℓ · ℓ̄/mean(ℓ̄))` (ℓ̄ detached) and so is its gradient;
/// when every ℓ is 0 both are 0.
pub fn mse_loss<T: Real>(f: &[T], y: &[T], mask: &[T], reweight: bool, d_out: &mut [T]) -> T {
    assert!(
        f.len() == y.len() && f.len() == mask.len() && f.len() == d_out.len(),
        "f, y, mask and ∂L/∂f must have one length"
    );
    let total = T::from_f64(f.len() as f64);
    let two = T::ONE + T::ONE;
    let mut sum = T::ZERO;
    for ((d, (&f, &y)), &m) in d_out.iter_mut().zip(f.iter().zip(y)).zip(mask) {
        let r = f - y;
        let l = m * r * r;
        sum += l;
        *d = two * m * r / total;
    }
    let mean = sum / total;
    if !reweight {
        return mean;
    }
    if mean == T::ZERO {
        d_out.iter_mut().for_each(|d| *d = T::ZERO);
        return T::ZERO;
    }
    let mut sum_sq = T::ZERO;
    for ((d, (&f, &y)), &m) in d_out.iter_mut().zip(f.iter().zip(y)).zip(mask) {
        let r = f - y;
        let l = m * r * r;
        sum_sq += l * l;
        *d *= l / mean;
    }
    sum_sq / total / mean
}

/// The sharded form of [`mse_loss`]'s gradient (docs/models.md §13): ∂L/∂f of some rows of
/// the batch into `d_out`, with the batch's entry count `total` = n·K. Plain: the bits of
/// `mse_loss`'s ∂L/∂f for those entries. Re-weighted: `2 m (f − y)/(nK) · ℓ`, the gradient
/// before its division by the batch's mean ℓ, which the sharded step applies to the summed
/// gradient (the backward pass is linear in ∂L/∂f).
pub fn mse_rows_gradient<T: Real>(
    f: &[T],
    y: &[T],
    mask: &[T],
    total: T,
    reweight: bool,
    d_out: &mut [T],
) {
    assert!(
        f.len() == y.len() && f.len() == mask.len() && f.len() == d_out.len(),
        "f, y, mask and ∂L/∂f must have one length"
    );
    let two = T::ONE + T::ONE;
    for ((d, (&f, &y)), &m) in d_out.iter_mut().zip(f.iter().zip(y)).zip(mask) {
        let r = f - y;
        *d = two * m * r / total;
        if reweight {
            *d *= m * r * r;
        }
    }
}

/// Σ m (f − y)² over all entries in order: [`mse_loss`]'s sum, so `sum / nK` is its mean ℓ.
pub fn mse_sum<T: Real>(f: &[T], y: &[T], mask: &[T]) -> T {
    let mut sum = T::ZERO;
    for ((&f, &y), &m) in f.iter().zip(y).zip(mask) {
        let r = f - y;
        sum += m * r * r;
    }
    sum
}

/// Softmax cross-entropy, mean over the n rows of `logits` (n × classes); writes ∂L/∂f into
/// `d_out` when given. Returns L.
pub fn softmax_ce<T: Real>(
    logits: &[T],
    classes: usize,
    labels: &[u32],
    d_out: Option<&mut [T]>,
) -> T {
    let nf = T::from_f64(labels.len() as f64);
    softmax_ce_rows(logits, classes, labels, nf, d_out) / nf
}

/// [`softmax_ce`] over some rows of a batch of `nf` rows (the sharded step): ∂L/∂f of those
/// rows (`(softmax(f_i) − e_{y_i})/nf`) into `d_out` when given; returns their summed loss,
/// not divided by `nf`.
pub fn softmax_ce_rows<T: Real>(
    logits: &[T],
    classes: usize,
    labels: &[u32],
    nf: T,
    d_out: Option<&mut [T]>,
) -> T {
    softmax_ce_each(logits, classes, labels, nf, d_out, |_, _| {})
}

/// [`softmax_ce_rows`], also handing `each` every row's loss term (in row order: the returned
/// sum is these terms added one after another) and whether the row's first arg-max logit is
/// its label (as [`argmax`]). The sharded step sends these per row so that the leader sums the
/// observed losses in row order, exactly as [`softmax_ce`] over all rows would.
pub fn softmax_ce_each<T: Real>(
    logits: &[T],
    classes: usize,
    labels: &[u32],
    nf: T,
    mut d_out: Option<&mut [T]>,
    mut each: impl FnMut(T, bool),
) -> T {
    let n = labels.len();
    assert_eq!(logits.len(), n * classes, "logits must be n × classes");
    if let Some(d) = d_out.as_deref() {
        assert_eq!(d.len(), logits.len(), "∂L/∂f must be n × classes");
    }
    let mut total = T::ZERO;
    for (i, (row, &y)) in logits.chunks_exact(classes).zip(labels).enumerate() {
        let y = y as usize;
        let max = row.iter().fold(T::NEG_INFINITY, |a, &b| a.max(b));
        let mut z = T::ZERO;
        match d_out.as_deref_mut() {
            Some(d) => {
                // keep e^{f − max} to turn it into the softmax without a second exp
                let drow = &mut d[i * classes..(i + 1) * classes];
                // the bits of Real::exp(v − max), summed in order
                z = exp_shifted(row, max, drow);
                for dv in drow.iter_mut() {
                    *dv = *dv / z / nf;
                }
                drow[y] -= T::ONE / nf;
            }
            None => {
                for &v in row {
                    z += (v - max).exp();
                }
            }
        }
        let term = max + z.ln() - row[y];
        each(term, argmax(row) == y);
        total += term;
    }
    total
}

/// The index of the first largest value of `row` (0 for an empty row).
pub fn argmax<T: Real>(row: &[T]) -> usize {
    let mut best = 0;
    for c in 1..row.len() {
        if row[c] > row[best] {
            best = c;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_by_hand() {
        // MSE: entries (f − y, m) = (1, 1), (2, 0), (−3, 1) → L = (1 + 9)/3
        let f = [1.0, 2.0, -3.0];
        let y = [0.0, 0.0, 0.0];
        let m = [1.0, 0.0, 1.0];
        let mut d = [0.0; 3];
        assert_eq!(mse_loss(&f, &y, &m, false, &mut d), 10.0 / 3.0);
        assert_eq!(d, [2.0 / 3.0, 0.0, -2.0]);
        // re-weighted: ℓ = (1, 0, 9), mean 10/3 → L = mean(ℓ²)/mean(ℓ) = (82/3)/(10/3) = 8.2
        let l = mse_loss(&f, &y, &m, true, &mut d);
        assert!((l - 8.2).abs() < 1e-14);
        let w = [1.0 / (10.0 / 3.0), 0.0, 9.0 / (10.0 / 3.0)];
        for (dv, want) in d.iter().zip([2.0 / 3.0 * w[0], 0.0, -2.0 * w[2]]) {
            assert!((dv - want).abs() < 1e-14);
        }
        // all-zero loss: no 0/0
        assert_eq!(mse_loss(&y, &y, &m, true, &mut d), 0.0);
        assert_eq!(d, [0.0; 3]);
        // CE: uniform logits over 4 classes → ln 4, ∂ = (1/4 − [c = y])/n
        let logits = [0.0; 8];
        let mut d = [0.0; 8];
        let l = softmax_ce(&logits, 4, &[1, 3], Some(&mut d));
        assert!((l - 4f64.ln()).abs() < 1e-15);
        assert_eq!(d[1], (0.25 - 1.0) / 2.0);
        assert_eq!(d[0], 0.25 / 2.0);
        // huge logits stay finite
        let l = softmax_ce(&[1000.0, -1000.0], 2, &[0], None);
        assert_eq!(l, 0.0);
    }
}
