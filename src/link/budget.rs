//! The size budget: a link may ask only for runs that finish in minutes and fit in memory.
//! [`parse`](super::parse) shrinks what was asked for, step by step, and says so.

use super::names::{FreqKind, Model};
use super::schema::Config;
use crate::sim::geometry::VecKind;

/// Size budget: work per run (dimension × skills × steps for the Geometry model, skills ×
/// steps otherwise, skills² × steps with an overlap matrix, plus the set-up); the Geometry
/// estimate counts every skill, so a mini-batch run costs less: Fig. 10 at N = n = 1000 and
/// 100,000 steps (1e11) takes about a minute natively.
pub const WORK_BUDGET: f64 = 2e11;
/// Size budget of the real networks (multiply-adds of the forward passes of a run): Fig. 13
/// at full size, 1.2e12, is about 7 minutes natively.
pub const NET_WORK_BUDGET: f64 = 2e12;
/// Size budget: numbers in one task matrix (dimension × skills), 160 MB of f64.
pub const MATRIX_BUDGET: f64 = 2e7;
/// Size budget: skill values per run ((steps + 1) × skills); the page keeps at most 20,000
/// rows of a run and the CLI streams them, so this bounds the work of observing every row.
pub const ROWS_BUDGET: f64 = 2e8;
/// Longest value accepted for any key (the `p` list of 10,000 numbers fits).
pub const MAX_VALUE_LEN: usize = 200_000;

impl Config {
    /// Estimated work of the run (see [`WORK_BUDGET`]).
    pub fn work(&self) -> f64 {
        let n = self.skills() as f64;
        let steps = self.steps as f64;
        let w = self.width as f64;
        let run = match self.model {
            // real networks: multiply-adds of one forward pass over the data, per step
            Model::Parity => self.samples as f64 * (32.0 * w + w * n) * steps,
            Model::Grokking => {
                let (p, e) = (self.modulus as f64, self.embed as f64);
                0.8 * p * p * (2.0 * e * w + w * w + w * p) * steps
            }
            Model::Modular => self.samples as f64 * (4.0 * w + w * w) * steps,
            Model::Geometry => self.dim as f64 * n * steps,
            Model::Resource if self.overlap => n * n * steps,
            Model::Quadratic => 16.0 * steps,
            _ => n * steps,
        };
        run + self.setup_work()
    }

    /// Estimated work before the first step: drawing the task vectors (dim × n), their QR
    /// for `vec=ortho` (≈ 2·dim·n²), the overlap matrix (dim·n²).
    pub fn setup_work(&self) -> f64 {
        let (n, dim) = (self.skills() as f64, self.dim as f64);
        match self.model {
            Model::Geometry if self.vec == VecKind::Ortho => dim * n + 2.0 * dim * n * n,
            Model::Geometry => dim * n,
            Model::Resource if self.overlap => dim * n + dim * n * n,
            Model::Grokking => (self.modulus * self.modulus) as f64 * (self.embed as f64 + 1.0),
            _ => 0.0,
        }
    }
}

/// Bring `c` within the budget, if it is not: first the steps, then the sizes go back to
/// their defaults `d`. Returns what broke the budget, in words.
pub(super) fn fit(c: &mut Config, d: &Config) -> Option<String> {
    let what = over_budget(c)?;
    c.steps = d.steps;
    if over_budget(c).is_some() {
        c.dim = d.dim;
        c.n = d.n;
        c.batch = d.batch;
        c.overlap = false;
        if matches!(c.freq, FreqKind::List) && c.p.len() > d.n {
            c.freq = d.freq;
            c.p.clear();
        }
        if c.vec == VecKind::Ortho && c.skills() > c.dim {
            c.vec = VecKind::Unit;
        }
    }
    Some(what)
}

/// Which size limit the config breaks, in words, or None.
fn over_budget(c: &Config) -> Option<String> {
    let n = c.skills() as f64;
    let geometric = matches!(c.model, Model::Geometry) || c.overlap;
    let matrix = if geometric { c.dim as f64 * n } else { 0.0 };
    let budget = if c.model.is_net() {
        NET_WORK_BUDGET
    } else {
        WORK_BUDGET
    };
    let rows = (c.steps as f64 + 1.0) * n;
    if c.work() > budget {
        let what = match c.model {
            Model::Geometry => {
                format!("dim × n × steps = {} × {} × {}", c.dim, c.skills(), c.steps)
            }
            m if m.is_net() => "the network's work (data × weights × steps)".to_string(),
            _ => format!("n × steps = {} × {}", c.skills(), c.steps),
        };
        Some(format!(
            "{what} ≈ {:.2e} exceeds the budget {budget:.0e}",
            c.work()
        ))
    } else if matrix > MATRIX_BUDGET {
        Some(format!(
            "dim × n = {matrix:.2e} numbers in the task matrix exceed {MATRIX_BUDGET:.0e}"
        ))
    } else if rows > ROWS_BUDGET {
        Some(format!(
            "(steps + 1) × n = {rows:.2e} recorded values exceed {ROWS_BUDGET:.0e}"
        ))
    } else if c.batch as f64 * c.steps as f64 > WORK_BUDGET {
        Some(format!(
            "batch × steps = {:.2e} draws exceed {WORK_BUDGET:.0e}",
            c.batch as f64 * c.steps as f64
        ))
    } else {
        None
    }
}
