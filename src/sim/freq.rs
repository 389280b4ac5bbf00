//! Skill frequencies p_i (docs/models.md §1.1).
//!
//! * Zipf: `p_i = i^(−α) / Σ_j j^(−α)`, i = 1..n
//! * exponential: `p_i = 3^(−i) / Σ_j 3^(−j)`
//! * two skills: `(p1, 1 − p1)`
//! * an explicit list, used as given (the Resource model takes unnormalised "frequencies",
//!   e.g. Fig. 17's p = (0.3, 1, 3)); samplers normalise it themselves.

/// How the frequencies are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum Freq {
    Zipf { alpha: f64 },
    Exp,
    Two { p1: f64 },
    List(Vec<f64>),
}

impl Freq {
    /// The n frequencies. `Two` always gives two, `List` its own length.
    pub fn probs(&self, n: usize) -> Vec<f64> {
        match self {
            Freq::Zipf { alpha } => {
                let w: Vec<f64> = (1..=n).map(|i| libm::pow(i as f64, -alpha)).collect();
                normalise(w)
            }
            Freq::Exp => {
                let w: Vec<f64> = (1..=n).map(|i| libm::pow(3.0, -(i as f64))).collect();
                normalise(w)
            }
            Freq::Two { p1 } => vec![*p1, 1.0 - p1],
            Freq::List(p) => p.clone(),
        }
    }
}

/// Divide by the sum (left to right, so the result is the same on every platform): the
/// frequencies the models, the collapse u_i^{1/p_i} and both N0 fits (the page's and a
/// sweep's `fit=n0`) use. Weights without a positive, finite sum are no distribution: the
/// result is empty (no collapse is drawn, no N0 is fitted) rather than NaN or infinite.
pub fn normalise(w: Vec<f64>) -> Vec<f64> {
    let s: f64 = w.iter().sum();
    if !(s > 0.0 && s.is_finite()) {
        return vec![];
    }
    w.into_iter().map(|x| x / s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipf_matches_reference_alpha2_n10() {
        // reference/prob_alpha2_n10.csv, first two entries: the notebook computed p in float32,
        // so agreement is to float32 precision (exact: 1/Σ k^−2 = 0.64525798…)
        let p = Freq::Zipf { alpha: 2.0 }.probs(10);
        assert!((p[0] - 0.645258009).abs() < 5e-8);
        assert!((p[1] - 0.161314502).abs() < 2e-8);
        assert!(
            (p[0] - 1.0 / 1.5497677311665408).abs() < 1e-15,
            "here p is exact in f64"
        );
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn weights_without_a_positive_finite_sum_normalise_to_nothing() {
        assert!(normalise(vec![0.0, 0.0]).is_empty());
        assert!(normalise(vec![]).is_empty());
        assert!(normalise(vec![1.0, -2.0]).is_empty());
        assert!(normalise(vec![f64::INFINITY, 1.0]).is_empty());
        assert!(normalise(vec![f64::NAN]).is_empty());
        let s = 0.3 + 1.0 + 3.0;
        assert_eq!(normalise(vec![0.3, 1.0, 3.0]), [0.3 / s, 1.0 / s, 3.0 / s]);
    }

    #[test]
    fn exponential_and_two() {
        let p = Freq::Exp.probs(3);
        assert!((p[0] / p[1] - 3.0).abs() < 1e-12 && (p[1] / p[2] - 3.0).abs() < 1e-12);
        assert_eq!(Freq::Two { p1: 0.9 }.probs(2), vec![0.9, 1.0 - 0.9]);
        assert_eq!(
            Freq::List(vec![0.3, 1.0, 3.0]).probs(3),
            vec![0.3, 1.0, 3.0]
        );
    }
}
