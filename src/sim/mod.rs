//! The pure simulation core: the paper's toy models as discrete maps (one optimizer step =
//! one time unit), the optimizers, and the metrics. Nothing here knows about the web, the
//! DOM, canvases or the command line (see ARCHITECTURE.md).

pub mod domino;
pub mod error;
pub mod freq;
pub mod geometry;
pub mod linalg;
pub mod metrics;
pub mod nn;
pub mod optim;
pub mod quadratic;
pub mod real;
pub mod resource;
pub mod rng;

pub use error::SimError;

use domino::{Domino, Schedule};
use geometry::{Geometry, GeometryParams};
use optim::OptConfig;
use quadratic::Quadratic;
use resource::{Resource, ResourceParams};

/// Everything one model needs, already validated (see `params` for the link vocabulary).
#[derive(Clone, Debug, PartialEq)]
pub enum ModelSpec {
    Geometry(GeometryParams),
    Resource(ResourceParams),
    Domino {
        schedule: Schedule,
        p: Vec<f64>,
    },
    Quadratic {
        rotated: bool,
        opt: OptConfig,
    },
    /// A real network: sparse parity, grokking or modularity (docs/models.md §2, §6.2, §7).
    Net(nn::NetParams),
}

/// One recorded row.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Updates taken before this row (row 0 = initial state).
    pub step: u32,
    /// Population loss L.
    pub loss: f64,
    /// The per-skill columns the CLI prints: s_i, or ℓ_i for the quadratic toy.
    pub values: Vec<f64>,
    /// Skill levels s_i (what the dominoes show).
    pub levels: Vec<f64>,
    /// Aligned dimensions n_align,i (Geometry model only, when asked for).
    pub align: Option<Vec<u32>>,
}

impl Frame {
    /// Every number of the row is finite.
    pub fn is_finite(&self) -> bool {
        self.loss.is_finite()
            && self
                .values
                .iter()
                .chain(&self.levels)
                .all(|v| v.is_finite())
    }
}

/// A running model. A closed enum: every model is known here.
#[derive(Clone, Debug)]
pub enum Simulation {
    Geometry(Geometry),
    Resource(Resource),
    Domino(Domino),
    Quadratic(Quadratic),
    Net(Box<nn::Net>),
}

impl Simulation {
    pub fn new(spec: ModelSpec) -> Result<Self, SimError> {
        Ok(match spec {
            ModelSpec::Geometry(p) => Simulation::Geometry(Geometry::new(p)?),
            ModelSpec::Resource(p) => Simulation::Resource(Resource::new(p)?),
            ModelSpec::Domino { schedule, p } => Simulation::Domino(Domino::new(schedule, p)),
            ModelSpec::Quadratic { rotated, opt } => {
                Simulation::Quadratic(Quadratic::new(rotated, opt))
            }
            ModelSpec::Net(p) => Simulation::Net(Box::new(nn::Net::new(p)?)),
        })
    }

    /// Number of skills (columns per row).
    pub fn n(&self) -> usize {
        match self {
            Simulation::Geometry(g) => g.n(),
            Simulation::Resource(r) => r.n(),
            Simulation::Domino(d) => d.n(),
            Simulation::Quadratic(_) => 4,
            Simulation::Net(n) => n.experiment().n(),
        }
    }

    /// Updates taken so far.
    pub fn step_count(&self) -> u32 {
        match self {
            Simulation::Geometry(g) => g.step_count(),
            Simulation::Resource(r) => r.step_count(),
            Simulation::Domino(d) => d.step_count(),
            Simulation::Quadratic(q) => q.step_count(),
            Simulation::Net(n) => n.experiment().step_count(),
        }
    }

    /// One update. After an error the state is no longer meaningful.
    pub fn step(&mut self) -> Result<(), SimError> {
        match self {
            Simulation::Geometry(g) => g.step(),
            Simulation::Resource(r) => r.step(),
            Simulation::Domino(d) => {
                d.step();
                Ok(())
            }
            Simulation::Quadratic(q) => q.step(),
            Simulation::Net(n) => n.step(),
        }
    }

    /// One update, then the new row; a row with a non-finite number is a divergence too
    /// (e.g. a finite θ whose loss overflows), so no NaN or ∞ ever reaches a chart or a CSV.
    pub fn next_frame(&mut self, with_align: bool) -> Result<Frame, SimError> {
        self.step()?;
        let f = self.frame(with_align);
        if f.is_finite() {
            Ok(f)
        } else {
            Err(SimError::NonFinite { step: f.step })
        }
    }

    pub fn has_align(&self) -> bool {
        matches!(self, Simulation::Geometry(_))
    }

    /// The current row.
    pub fn frame(&self, with_align: bool) -> Frame {
        let step = self.step_count();
        match self {
            Simulation::Geometry(g) => {
                let levels = g.skills();
                Frame {
                    step,
                    loss: g.loss(),
                    values: levels.clone(),
                    levels,
                    align: with_align.then(|| g.aligned_dims()),
                }
            }
            Simulation::Resource(r) => {
                let levels = r.skills();
                Frame {
                    step,
                    loss: r.loss(),
                    values: levels.clone(),
                    levels,
                    align: None,
                }
            }
            Simulation::Domino(d) => {
                let levels = d.skills();
                Frame {
                    step,
                    loss: d.loss(),
                    values: levels.clone(),
                    levels,
                    align: None,
                }
            }
            Simulation::Quadratic(q) => Frame {
                step,
                loss: q.loss(),
                values: q.losses(),
                levels: q.skills(),
                align: None,
            },
            Simulation::Net(n) => {
                let n = n.experiment();
                Frame {
                    step,
                    loss: n.loss(),
                    values: n.accuracies(),
                    levels: n.levels(),
                    align: None,
                }
            }
        }
    }

    /// Names of the skills (tasks) when they have them: "x1⊕x2", "train", "x1²", …
    pub fn skill_names(&self) -> Option<Vec<String>> {
        match self {
            Simulation::Net(n) => Some(n.experiment().task_names()),
            _ => None,
        }
    }
}

/// A whole run kept in memory: rows 0..=steps (every `every`-th, plus the last).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trajectory {
    pub frames: Vec<Frame>,
    /// Set when the run stopped early because it diverged.
    pub error: Option<SimError>,
}

/// Run `spec` for `steps` updates, keeping every `every`-th row (and the last one).
pub fn run(
    spec: ModelSpec,
    steps: u32,
    every: u32,
    with_align: bool,
) -> Result<Trajectory, SimError> {
    let mut sim = Simulation::new(spec)?;
    let every = every.max(1);
    let mut traj = Trajectory::default();
    let first = sim.frame(with_align);
    if !first.is_finite() {
        return Err(SimError::NonFinite { step: 0 });
    }
    traj.frames.push(first);
    for t in 1..=steps {
        // the rule of `metrics::kept` (not called here: metrics reads `Frame` from this file)
        let keep = t % every == 0 || t == steps;
        // Rows that are not kept are still checked only through the state: computing every
        // observable of a thinned run would cost as much as keeping it.
        let r = if keep {
            sim.next_frame(with_align).map(Some)
        } else {
            sim.step().map(|_| None)
        };
        match r {
            Ok(Some(f)) => traj.frames.push(f),
            Ok(None) => {}
            Err(e) => {
                traj.error = Some(e);
                break;
            }
        }
    }
    Ok(traj)
}
