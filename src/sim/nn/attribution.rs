//! Which hidden units serve which task (docs/models.md §12): the per-task split of a unit's
//! squared gradient norm.
//!
//! For an experiment whose tasks are the output columns of one masked MSE (sparse parity,
//! modularity), the training objective is a sum over tasks, L = Σ_i L_i, with L_i the terms
//! of output i. For each task i, one extra backward pass of ∂L_i/∂f (∂L/∂f with every other
//! column zeroed) gives ∂L_i/∂θ, and for hidden unit j (every hidden layer, in order)
//!
//! ```text
//!   g_ij     = ‖∂L_i/∂w_j‖² + (∂L_i/∂b_j)²     w_j: the unit's incoming weights (row j of W_l)
//!   share_ij = g_ij / Σ_k g_kj                  undefined ("idle") when Σ_k g_kj = 0
//! ```
//!
//! The passes run at the kept forward pass of the current θ, in their own buffers: they read
//! the network and write only scratch that the next training step rewrites first, so a run's
//! bits are the same with and without attribution (tests/inside.rs).

/// The per-unit, per-task squared gradient norms g_ij of one network at one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    /// Widths of the hidden layers, input side first; units are numbered layer by layer.
    pub widths: Vec<usize>,
    /// Number of tasks.
    pub tasks: usize,
    /// g_ij, unit-major: `g[j * tasks + i]`.
    pub g: Vec<f64>,
}

impl Attribution {
    /// Hidden units in all layers.
    pub fn units(&self) -> usize {
        self.widths.iter().sum()
    }

    /// share_ij over the tasks i of unit j, or `None` when no task's gradient reaches the unit
    /// (Σ_i g_ij = 0, e.g. a dead ReLU unit) or a norm is not finite.
    pub fn share(&self, j: usize) -> Option<Vec<f64>> {
        let g = self.g.get(j * self.tasks..(j + 1) * self.tasks)?;
        let total: f64 = g.iter().sum();
        (total > 0.0 && total.is_finite()).then(|| g.iter().map(|x| x / total).collect())
    }

    /// The fraction of the network serving each task, `(1/units) Σ_j share_ij`, followed by
    /// the idle fraction (units whose share is undefined): the `tasks + 1` numbers sum to 1.
    pub fn serving(&self) -> Vec<f64> {
        let units = self.units();
        let mut out = vec![0.0; self.tasks + 1];
        if units == 0 {
            return out;
        }
        for j in 0..units {
            match self.share(j) {
                Some(s) => out.iter_mut().zip(s).for_each(|(o, s)| *o += s),
                None => out[self.tasks] += 1.0,
            }
        }
        out.iter_mut().for_each(|o| *o /= units as f64);
        out
    }
}
