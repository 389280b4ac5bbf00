//! The architecture of a network ([`MlpSpec`]): layer widths, the hidden non-linearity, optional
//! fixed 0/1 weight masks and an optional learnable input embedding, checked before a network
//! is built.
//!
//! Widths d_0, d_1, …, d_L; layer l has weights W_l ∈ R^{d_l × d_{l−1}} (row-major, as
//! `nn.Linear`) and an optional mask M_l of the same shape. The masks of a modular network
//! (Fig. 19) are block-diagonal: every width is split into `blocks` equal consecutive groups
//! and `M_l[o][i] = 1` iff unit o and input i are in the same group ([`MlpSpec::block_diagonal`]
//! writes the pattern, `diagonal_blocks` recognises it, so that the network multiplies the
//! blocks on their own).

use crate::sim::error::SimError;

/// The hidden-layer non-linearity φ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// max(z, 0) (Fig. 2); φ'(0) = 0 as in torch.
    Relu,
    /// z·σ(z) (Figs 13, 19).
    Silu,
}

/// A learnable embedding: each row of the input is `tokens` indices into a `vocab × dim`
/// table E, and a_0 is the concatenation of their rows (so d_0 = tokens·dim).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedding {
    /// Number of distinct tokens (rows of E); 59 for modular addition mod 59.
    pub vocab: usize,
    /// Width of one embedding vector (128 in Fig. 13).
    pub dim: usize,
    /// Tokens per input row (2 for a + b).
    pub tokens: usize,
}

/// The architecture. `Default` is the Fig. 2 network 32-50-2 with ReLU.
#[derive(Clone, Debug, PartialEq)]
pub struct MlpSpec {
    /// Layer widths [d_0, d_1, …, d_L]: d_0 inputs (tokens·dim with an embedding), d_L outputs.
    /// At least two entries, none zero.
    pub widths: Vec<usize>,
    /// φ after every hidden layer (never after the output layer).
    pub activation: Activation,
    /// Per layer l = 1..L an optional fixed 0/1 mask M_l (d_l × d_{l−1}, row-major like W_l).
    /// Empty = no masks.
    pub masks: Vec<Option<Vec<f64>>>,
    /// Learnable input embedding (grokking); `None` = dense input rows.
    pub embedding: Option<Embedding>,
}

impl Default for MlpSpec {
    fn default() -> Self {
        MlpSpec::dense(vec![32, 50, 2], Activation::Relu)
    }
}

impl MlpSpec {
    /// A fully connected network with no masks and no embedding.
    pub fn dense(widths: Vec<usize>, activation: Activation) -> Self {
        MlpSpec {
            widths,
            activation,
            masks: vec![],
            embedding: None,
        }
    }

    /// The same network made of `blocks` independent sub-networks: every width is split into
    /// `blocks` equal consecutive groups and `M_l[o][i] = 1` iff unit o and input i are in the
    /// same group. For widths [2, 100, 100, 2] and 2 blocks this is Fig. 19's modular MLP
    /// (input 1 → units 1–50 → units 1–50 → output 1, and the same for the second halves).
    pub fn block_diagonal(mut self, blocks: usize) -> Result<Self, SimError> {
        if blocks == 0 || self.widths.iter().any(|w| w % blocks != 0) {
            return Err(SimError::Invalid(format!(
                "every width must split into {blocks} equal blocks, widths are {:?}",
                self.widths
            )));
        }
        self.masks = self
            .widths
            .windows(2)
            .map(|w| {
                let (din, dout) = (w[0], w[1]);
                let (gin, gout) = (din / blocks, dout / blocks);
                let mut m = vec![0.0; dout * din];
                for o in 0..dout {
                    for i in 0..din {
                        if o / gout == i / gin {
                            m[o * din + i] = 1.0;
                        }
                    }
                }
                Some(m)
            })
            .collect();
        Ok(self)
    }

    /// Number of layers L.
    pub fn depth(&self) -> usize {
        self.widths.len().saturating_sub(1)
    }

    pub(crate) fn validate(&self) -> Result<(), SimError> {
        let bad = |m: String| Err(SimError::Invalid(m));
        if self.widths.len() < 2 || self.widths.contains(&0) {
            return bad(format!(
                "an MLP needs at least an input and an output width, none zero: {:?}",
                self.widths
            ));
        }
        if !self.masks.is_empty() && self.masks.len() != self.depth() {
            return bad(format!(
                "{} masks for {} layers",
                self.masks.len(),
                self.depth()
            ));
        }
        for (l, m) in self.masks.iter().enumerate() {
            if let Some(m) = m {
                let want = self.widths[l] * self.widths[l + 1];
                if m.len() != want || m.iter().any(|&x| x != 0.0 && x != 1.0) {
                    return bad(format!(
                        "mask of layer {} must hold {want} zeros and ones",
                        l + 1
                    ));
                }
            }
        }
        if let Some(e) = self.embedding {
            if e.vocab == 0 || e.dim == 0 || e.tokens * e.dim != self.widths[0] {
                return bad(format!(
                    "embedding {} tokens × {} dims does not fill the {} inputs",
                    e.tokens, e.dim, self.widths[0]
                ));
            }
        }
        Ok(())
    }
}

/// The number of diagonal blocks of a 0/1 mask (dout × din, row-major), if it is the pattern
/// `MlpSpec::block_diagonal` writes (M[o][i] = 1 iff o and i are in the same equal group),
/// else 1.
pub(crate) fn diagonal_blocks(mask: &[f64], din: usize, dout: usize) -> usize {
    (2..=din.min(dout))
        .filter(|&b| din.is_multiple_of(b) && dout.is_multiple_of(b))
        .find(|&b| {
            let (gin, gout) = (din / b, dout / b);
            mask.iter().enumerate().all(|(x, &m)| {
                let same = (x / din) / gout == (x % din) / gin;
                m == if same { 1.0 } else { 0.0 }
            })
        })
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_diagonal_masks_of_fig_19() {
        let s = MlpSpec::dense(vec![2, 100, 100, 2], Activation::Silu)
            .block_diagonal(2)
            .unwrap();
        let m1 = s.masks[0].as_ref().unwrap();
        // input 1 → units 1–50, input 2 → units 51–100
        assert_eq!(m1[0], 1.0);
        assert_eq!(m1[1], 0.0);
        assert_eq!(m1[49 * 2 + 1], 0.0);
        assert_eq!(m1[50 * 2], 0.0);
        assert_eq!(m1[50 * 2 + 1], 1.0);
        let m2 = s.masks[1].as_ref().unwrap();
        assert_eq!(m2.iter().sum::<f64>(), 2.0 * 50.0 * 50.0);
        assert_eq!(m2[49 * 100 + 49], 1.0);
        assert_eq!(m2[49 * 100 + 50], 0.0);
        let m3 = s.masks[2].as_ref().unwrap();
        assert_eq!(m3[..100].iter().sum::<f64>(), 50.0);
        assert_eq!(m3[..50].iter().sum::<f64>(), 50.0);
        assert_eq!(m3[100 + 50..].iter().sum::<f64>(), 50.0);
        assert!(MlpSpec::dense(vec![3, 4], Activation::Relu)
            .block_diagonal(2)
            .is_err());
    }
}
