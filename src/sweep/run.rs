//! One grid point run to the end and summarised: loss at the end and at the `record` steps,
//! each skill's learning time, and the best-fitting N0 of the Resource model (`fit=n0`).

use super::grid::{Outputs, RunSpec};
use crate::link::parse;
use crate::sim::freq::normalise;
use crate::sim::metrics::{best_n0, kept, mark_first_above, n0_grid};
use crate::sim::{SimError, Simulation};

/// The summary of one finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    pub index: usize,
    pub point: Vec<(String, String)>,
    pub steps_done: u32,
    pub final_loss: f64,
    /// Loss at each `record` step (NaN if the run stopped before it).
    pub recorded: Vec<f64>,
    /// Skills with s > thr at the end, out of n.
    pub learned: usize,
    pub n: usize,
    /// First step at which each skill was learned (s > thr).
    pub t_skills: Vec<Option<usize>>,
    /// First step at which the first skill / every skill was learned.
    pub t_first: Option<usize>,
    pub t_all: Option<usize>,
    /// Whether the N0 fit was asked for, and its result.
    pub fit_n0: bool,
    pub best_n0: Option<f64>,
    /// Set if the run diverged.
    pub error: Option<String>,
}

/// Run one grid point to the end (the query was validated by [`Sweep::parse`](super::Sweep::parse),
/// or is checked here: a link with problems is not run, its problems are the error).
pub fn run_one(spec: &RunSpec, outputs: &Outputs) -> RunResult {
    let record = &outputs.record;
    let parsed = parse(&spec.query);
    let c = parsed.config;
    let mut result = RunResult {
        index: spec.index,
        point: spec.point.clone(),
        steps_done: 0,
        final_loss: f64::NAN,
        recorded: vec![f64::NAN; record.len()],
        learned: 0,
        n: c.skills(),
        t_skills: vec![],
        t_first: None,
        t_all: None,
        fit_n0: outputs.fit_n0,
        best_n0: None,
        error: None,
    };
    // a grid point the sweep did not check up front (a sample of a large sweep) is not run
    // repaired: its problems are its error
    if !parsed.problems.is_empty() {
        let p: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
        result.error = Some(format!("invalid grid point: {}", p.join("; ")));
        return result;
    }
    let mut history: Vec<Vec<f64>> = vec![];
    let mut sim = match c.spec().and_then(Simulation::new) {
        Ok(s) => s,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    let thr = c.thr;
    let mut t_skill: Vec<Option<usize>> = vec![None; result.n];
    let mut observe = |f: &crate::sim::Frame, result: &mut RunResult| {
        mark_first_above(&mut t_skill, f.step as usize, &f.levels, |_| thr);
        for (j, &r) in record.iter().enumerate() {
            if r == f.step {
                result.recorded[j] = f.loss;
            }
        }
        result.final_loss = f.loss;
        result.steps_done = f.step;
        if outputs.fit_n0 {
            history.push(f.levels.clone());
        }
    };
    let first = sim.frame(false);
    observe(&first, &mut result);
    // Observing a row costs as much as a step for the Geometry model; long runs are observed
    // every `stride` steps (learning times then have that resolution), the N0 fit needs all.
    let stride = if outputs.fit_n0 {
        1
    } else {
        (c.steps / 2000).max(1)
    };
    for t in 1..=c.steps {
        let keep = kept(t as usize, stride as usize, c.steps as usize) || record.contains(&t);
        let r = if keep {
            sim.next_frame(false).map(Some)
        } else {
            sim.step().map(|_| None)
        };
        match r {
            Ok(Some(f)) => observe(&f, &mut result),
            Ok(None) => {}
            Err(e) => {
                result.error = Some(match e {
                    SimError::NonFinite { step } => format!("diverged at step {step}"),
                    other => other.to_string(),
                });
                break;
            }
        }
    }
    if outputs.fit_n0 && result.error.is_none() && history.len() > 1 {
        // Geometry rows 0..T−1 (before each update) against Resource rows 1..T
        let rows = &history[..history.len() - 1];
        let p = normalise(c.freqs());
        result.best_n0 = best_n0(rows, &p, c.eta_eff(), c.loss, &n0_grid()).map(|(n0, _)| n0);
    }
    result.learned = t_skill.iter().filter(|t| t.is_some()).count();
    // per-skill times only where they make a readable column
    result.t_skills = if result.n <= 100 {
        t_skill.clone()
    } else {
        vec![]
    };
    result.t_first = t_skill.iter().flatten().min().copied();
    result.t_all = if t_skill.iter().all(|t| t.is_some()) {
        t_skill.iter().flatten().max().copied()
    } else {
        None
    };
    result
}
