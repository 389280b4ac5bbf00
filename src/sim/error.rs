//! Why a run could not be built or had to stop: the one error type of the core. It has a file
//! of its own so that every model can name it without importing `sim/mod.rs`, which imports
//! the models (no circle between files).

use std::fmt;

/// Why a run could not be built or had to stop.
#[derive(Clone, Debug, PartialEq)]
pub enum SimError {
    /// The parameters describe no valid run.
    Invalid(String),
    /// A non-finite value appeared at this step (the run diverged); nothing after it is kept.
    NonFinite { step: u32 },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Invalid(m) => write!(f, "{m}"),
            SimError::NonFinite { step } => write!(
                f,
                "the run diverged: a non-finite value appeared at step {step} (try a smaller learning rate)"
            ),
        }
    }
}

impl std::error::Error for SimError {}
