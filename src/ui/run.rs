//! The run the page shows: a [`Simulation`] stepped a slice at a time, and every recorded
//! frame kept, so redrawing, scrubbing and reset never recompute a different result.
//! No DOM here: the clock is passed in.

use crate::chart::Milestones;
use crate::params::{Config, Model};
use crate::sim::{Frame, SimError, Simulation};

/// Rows kept per run at most (about): longer runs record every k-th step.
const MAX_RECORDED: u32 = 20_000;

pub struct Run {
    sim: Option<Simulation>,
    pub frames: Vec<Frame>,
    /// A frame is recorded every `every` steps (1 unless the run is very long), and at the end.
    pub every: u32,
    pub steps: u32,
    pub n: usize,
    pub freqs: Vec<f64>,
    pub milestones: Milestones,
    /// Why the run could not start or had to stop.
    pub error: Option<String>,
}

/// The frequency of each skill, for labels: none for the quadratic toy, whose four skills
/// are directions of one quadratic loss rather than tasks with frequencies.
pub fn skill_freqs(config: &Config) -> Vec<f64> {
    match config.model {
        Model::Quadratic => Vec::new(),
        _ => config.freqs(),
    }
}

impl Run {
    /// A fresh run at step 0. The same config always gives the same run, bit for bit.
    pub fn new(config: &Config) -> Self {
        let n = config.skills();
        let freqs = skill_freqs(config);
        let every = config.steps.div_ceil(MAX_RECORDED).max(1);
        let mut run = Run {
            sim: None,
            frames: Vec::new(),
            every,
            steps: config.steps,
            n,
            freqs,
            milestones: Milestones::new(n, config.thr),
            error: None,
        };
        match config.spec().and_then(Simulation::new) {
            Ok(sim) if !sim.frame(false).is_finite() => {
                run.error = Some(SimError::NonFinite { step: 0 }.to_string());
            }
            Ok(sim) => {
                run.frames.push(sim.frame(false));
                run.milestones.update(&run.frames);
                run.sim = Some(sim);
            }
            Err(e) => run.error = Some(e.to_string()),
        }
        run
    }

    /// The step of the last recorded frame.
    pub fn step(&self) -> u32 {
        self.frames.last().map(|f| f.step).unwrap_or(0)
    }

    pub fn last(&self) -> Option<&Frame> {
        self.frames.last()
    }

    /// No more steps to take: the end was reached, or the run failed.
    pub fn finished(&self) -> bool {
        self.error.is_some()
            || self
                .sim
                .as_ref()
                .is_none_or(|s| s.step_count() >= self.steps)
    }

    /// Take up to `max_steps` updates, stopping early once `now() - start > budget_ms`
    /// (at least one update is taken). Returns whether a frame was recorded.
    pub fn advance(&mut self, max_steps: u32, now: &dyn Fn() -> f64, budget_ms: f64) -> bool {
        let t0 = now();
        let before = self.frames.len();
        for _ in 0..max_steps {
            if self.finished() {
                break;
            }
            let Some(sim) = self.sim.as_mut() else { break };
            // The same rule as `sim::run`: a kept row must be finite, so no NaN reaches a chart.
            let t = sim.step_count() + 1;
            let r = if t % self.every == 0 || t == self.steps {
                sim.next_frame(false).map(Some)
            } else {
                sim.step().map(|_| None)
            };
            match r {
                Ok(Some(f)) => self.frames.push(f),
                Ok(None) => {}
                Err(e) => {
                    self.error = Some(e.to_string());
                    break;
                }
            }
            if now() - t0 > budget_ms {
                break;
            }
        }
        if self.frames.len() > before {
            self.milestones.update(&self.frames);
            true
        } else {
            false
        }
    }

    /// Advance to the next recorded frame (one step unless the run records every k-th step).
    pub fn step_once(&mut self, now: &dyn Fn() -> f64) -> bool {
        let target = self.frames.len();
        let mut changed = false;
        while self.frames.len() == target && !self.finished() {
            changed |= self.advance(1, now, f64::INFINITY);
        }
        changed
    }

    /// A sentence for the live region: the latest start or finish, or "all learned".
    pub fn summary(&self) -> String {
        if let Some(e) = &self.error {
            return format!("The run stopped: {e}");
        }
        let m = &self.milestones;
        let step_of = |k: usize| self.frames[k].step;
        let done = m.finish.iter().filter(|x| x.is_some()).count();
        if self.n > 0 && done == self.n {
            let last = (0..self.n).max_by_key(|&i| m.finish[i]).unwrap_or(0);
            return format!(
                "All {} skills learned by step {}. {}",
                self.n,
                step_of(m.finish[last].unwrap_or(0)),
                self.skill_sentence(last)
            );
        }
        // The most recent event: a finish, else a start.
        let latest = (0..self.n)
            .filter_map(|i| {
                let t = m.finish[i].max(m.start[i])?;
                Some((t, m.finish[i].is_some(), i))
            })
            .max();
        match latest {
            Some((_, _, i)) => {
                format!("{} learned of {}. {}", done, self.n, self.skill_sentence(i))
            }
            None => format!("Step {}: no skill has started yet.", self.step()),
        }
    }

    fn skill_sentence(&self, i: usize) -> String {
        let m = &self.milestones;
        let at = |k: usize| self.frames[k].step;
        match (m.start[i], m.finish[i]) {
            (Some(s), Some(f)) => format!(
                "Skill {} started at step {} and finished at {}.",
                i + 1,
                at(s),
                at(f)
            ),
            (None, Some(f)) => format!("Skill {} finished at step {}.", i + 1, at(f)),
            (Some(s), None) => format!("Skill {} started at step {}.", i + 1, at(s)),
            (None, None) => String::new(),
        }
    }
}
