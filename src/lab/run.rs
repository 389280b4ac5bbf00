//! A run of the page: a [`Run`] stepped a slice at a time that keeps every recorded frame,
//! so redrawing, scrubbing and reset never recompute a different result. The clock is passed
//! in (the page gives `performance.now`, tests a constant).

use super::inside::{every_for, Inside};
use crate::link::{Config, Model};
use crate::plot::run::Milestones;
use crate::sim::freq::normalise;
use crate::sim::metrics;
use crate::sim::nn::{RoundOrder, ShardReply, Sharded};
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
    /// Frequencies as the link gives them, for labels (empty for the quadratic toy).
    pub freqs: Vec<f64>,
    /// The same, normalised (for the collapse u_i^{1/p_i}).
    pub p: Vec<f64>,
    pub milestones: Milestones,
    /// Frames carry the aligned dimensions n_align,i (Geometry model).
    pub with_align: bool,
    /// Why the run could not start or had to stop.
    pub error: Option<String>,
    /// A real network (levels are task accuracies).
    pub net: bool,
    /// The skills' names where they are named tasks (`Config::skill_names`; empty: s1, s2, …).
    pub names: Vec<String>,
    /// Which hidden units serve which task, while the inside view is open (`lab::inside`).
    pub inside: Option<Inside>,
}

/// The frequency of each skill, for labels: none for the quadratic toy, whose four skills
/// are directions of one quadratic loss rather than tasks with frequencies, nor for
/// grokking's train/test (see `Config::skill_freqs`).
pub fn skill_freqs(config: &Config) -> Vec<f64> {
    config.skill_freqs()
}

/// A sharded network's round is out: its update is taken, the replies that record the
/// step's frame are not in yet (docs/models.md §13).
fn round_out(s: &Simulation) -> bool {
    match s {
        Simulation::Net(n) => {
            let e = n.experiment();
            e.is_sharded() && !e.is_pending()
        }
        _ => false,
    }
}

/// How many steps apart recorded frames are for a run of `steps` steps.
pub fn record_every(steps: u32) -> u32 {
    steps.div_ceil(MAX_RECORDED).max(1)
}

impl Run {
    /// A fresh run at step 0. The same config always gives the same run, bit for bit.
    pub fn new(config: &Config) -> Self {
        let n = config.skills();
        let freqs = skill_freqs(config);
        let with_align = config.model == Model::Geometry;
        let mut run = Run {
            sim: None,
            frames: Vec::new(),
            every: record_every(config.steps),
            steps: config.steps,
            n,
            p: normalise(freqs.clone()),
            freqs,
            milestones: Milestones::new(n, config.thr),
            with_align,
            error: None,
            net: config.model.is_net(),
            names: config.skill_names(),
            inside: None,
        };
        match config.spec().and_then(Simulation::new) {
            Ok(sim) if !sim.frame(false).is_finite() => {
                run.error = Some(SimError::NonFinite { step: 0 }.to_string());
            }
            Ok(sim) => {
                run.frames.push(sim.frame(with_align));
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

    /// Index of the last recorded frame at or before `step` (0 for an empty run).
    pub fn index_at(&self, step: u32) -> usize {
        self.frames
            .partition_point(|f| f.step <= step)
            .saturating_sub(1)
    }

    /// The frame shown at `step` (`None` = the latest).
    pub fn frame_at(&self, step: Option<u32>) -> Option<&Frame> {
        match step {
            None => self.frames.last(),
            Some(s) => self.frames.get(self.index_at(s)),
        }
    }

    /// No more steps to take: the end was reached, or the run failed.
    pub fn finished(&self) -> bool {
        self.error.is_some()
            || self
                .sim
                .as_ref()
                .is_none_or(|s| s.step_count() >= self.steps && !round_out(s))
    }

    /// Every skill is above the threshold.
    pub fn all_learned(&self) -> bool {
        self.n > 0 && self.milestones.finish.iter().all(|f| f.is_some())
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
            let r = if metrics::kept(t as usize, self.every as usize, self.steps as usize) {
                sim.next_frame(self.with_align).map(Some)
            } else {
                sim.step().map(|_| None)
            };
            if r.is_ok() {
                if let Some(inside) = self.inside.as_mut() {
                    inside.record(sim);
                }
            }
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

    /// From now on a real network takes the sharded step (docs/models.md §13): the same bits
    /// on the page's thread ([`Run::advance`]) and across workers ([`Run::begin_round`],
    /// [`Run::end_round`]), so a run may move between them. The current row is re-observed
    /// from the shards (equal to rounding). Nothing for the other models.
    pub fn shard(&mut self) {
        let Some(sim) = self.sim.as_mut() else {
            return;
        };
        let Simulation::Net(net) = sim else {
            return;
        };
        if let Err(e) = net.shard() {
            self.error = Some(e.to_string());
            return;
        }
        let f = sim.frame(self.with_align);
        if let Some(last) = self.frames.last_mut().filter(|l| l.step == f.step) {
            *last = f;
            self.milestones = Milestones::of(&self.frames, self.n, self.milestones.thr);
        }
    }

    /// Workers: the order of the next round (the gathered gradient applied: one more step),
    /// or `None` when the run is finished or is not a sharded network ([`Run::shard`]).
    pub fn begin_round(&mut self) -> Option<RoundOrder> {
        if self.finished() {
            return None;
        }
        let Some(Simulation::Net(net)) = self.sim.as_mut() else {
            return None;
        };
        let e = net.experiment_mut();
        (e.is_sharded() && e.is_pending()).then(|| e.round_order())
    }

    /// A network run's order and reply sizes for `shards` (`Sharded::round_lens`).
    pub fn round_lens(&self, shards: &std::ops::Range<usize>) -> Option<(usize, usize)> {
        match self.sim.as_ref()? {
            Simulation::Net(net) => Some(net.experiment().round_lens(shards)),
            _ => None,
        }
    }

    /// Workers: the replies to `order`, checked first (a refused set names its problem and
    /// changes nothing: [`Run::local_round`] can then do the round on the page's thread);
    /// records the frame as [`Run::advance`] would. Returns whether a frame was recorded.
    pub fn end_round(
        &mut self,
        order: &RoundOrder,
        replies: &[ShardReply],
    ) -> Result<bool, String> {
        let Some(Simulation::Net(net)) = self.sim.as_mut() else {
            return Err("this run is not a network".into());
        };
        let e = net.experiment_mut();
        e.check_replies(order, replies)?;
        let r = e.finish_round(order, replies);
        Ok(self.after_round(r))
    }

    /// The reply a worker would give to `order` for `shards`, computed on this run (the page's
    /// own share of a round: `lab::parallel::Rounds::share`).
    pub fn shard_work(
        &mut self,
        order: &RoundOrder,
        shards: std::ops::Range<usize>,
    ) -> Result<ShardReply, String> {
        let Some(Simulation::Net(net)) = self.sim.as_mut() else {
            return Err("this run is not a network".into());
        };
        net.experiment_mut()
            .shard_work(order, shards)
            .map_err(|e| e.to_string())
    }

    /// `order`'s round on the page's thread (when its workers failed): the same bits.
    pub fn local_round(&mut self, order: &RoundOrder) -> bool {
        let Some(Simulation::Net(net)) = self.sim.as_mut() else {
            return false;
        };
        let r = net.experiment_mut().local_round(order);
        self.after_round(r)
    }

    /// After a round: the frame if the step is kept (the rule of `sim::run`), the inside
    /// view's snapshot, the milestones; an error ends the run.
    fn after_round(&mut self, r: Result<(), SimError>) -> bool {
        let before = self.frames.len();
        let Some(sim) = self.sim.as_mut() else {
            return false;
        };
        let t = sim.step_count();
        match r {
            Err(e) => self.error = Some(e.to_string()),
            Ok(()) => {
                if metrics::kept(t as usize, self.every as usize, self.steps as usize) {
                    let f = sim.frame(self.with_align);
                    if f.is_finite() {
                        self.frames.push(f);
                    } else {
                        self.error = Some(SimError::NonFinite { step: t }.to_string());
                        return false;
                    }
                }
                if let Some(inside) = self.inside.as_mut() {
                    inside.record(sim);
                }
            }
        }
        if self.frames.len() > before {
            self.milestones.update(&self.frames);
            true
        } else {
            false
        }
    }

    /// Start (keeping what was recorded) or stop recording the attribution of the hidden
    /// units every `lab::inside::every_for(steps)` steps; the current step is recorded at
    /// once when due. The run itself is the same either way (tests/inside.rs).
    pub fn watch_inside(&mut self, on: bool) {
        if !on {
            self.inside = None;
            return;
        }
        let inside = self
            .inside
            .get_or_insert_with(|| Inside::new(every_for(self.steps)));
        if let Some(sim) = self.sim.as_mut() {
            inside.record(sim);
        }
    }

    /// The step at which each skill was first above the threshold (None: not yet).
    pub fn learned_steps(&self) -> Vec<Option<u32>> {
        self.milestones
            .finish
            .iter()
            .map(|f| f.and_then(|i| self.frames.get(i)).map(|f| f.step))
            .collect()
    }

    /// One step on a copy of the simulation, thrown away. In the browser, WebAssembly
    /// functions are compiled on their first call: doing it before the animation starts
    /// keeps that cost out of the first animation frames.
    pub fn warm_up(&self) {
        if let Some(sim) = &self.sim {
            let mut copy = sim.clone();
            let _ = copy.next_frame(self.with_align);
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

    /// Changes that apply mid-run without recomputing: a new end step (if the recorded
    /// frames stay the same: not before the current step, same recording interval) or a new
    /// threshold (the markers are recomputed from the kept frames). Returns false when the
    /// run has to restart instead.
    pub fn apply_live(&mut self, old: &Config, new: &Config) -> bool {
        let mut probe = old.clone();
        probe.steps = new.steps;
        probe.thr = new.thr;
        if probe != *new || self.error.is_some() {
            return false;
        }
        if new.steps != self.steps {
            if new.steps < self.step() || record_every(new.steps) != self.every {
                return false;
            }
            self.steps = new.steps;
        }
        if new.thr != self.milestones.thr {
            self.milestones = Milestones::of(&self.frames, self.n, new.thr);
        }
        true
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

    /// What a screen reader hears (the page's one polite live region): the latest milestone
    /// only, so it changes a few times per run rather than every frame. "skill 3 learned at
    /// step 240", "all 10 skills learned by step 571", "run stopped: …"; empty before the
    /// first skill is learned.
    pub fn announcement(&self) -> String {
        if let Some(e) = &self.error {
            return format!("run stopped: {e}");
        }
        let m = &self.milestones;
        let learned: Vec<(usize, usize)> = (0..self.n)
            .filter_map(|i| Some((m.finish[i]?, i)))
            .collect();
        let Some(&(k, i)) = learned.iter().max() else {
            return String::new();
        };
        let step = self.frames[k].step;
        if learned.len() == self.n {
            let what = if self.net { "tasks" } else { "skills" };
            return format!("all {} {what} learned by step {step}", self.n);
        }
        match self.names.get(i) {
            Some(name) => format!("task {name} learned at step {step}"),
            None => format!("skill {} learned at step {step}", i + 1),
        }
    }

    fn skill_sentence(&self, i: usize) -> String {
        let m = &self.milestones;
        let at = |k: usize| self.frames[k].step;
        let who = match self.names.get(i) {
            Some(name) => format!("Task {name}"),
            None => format!("Skill {}", i + 1),
        };
        match (m.start[i], m.finish[i]) {
            (Some(s), Some(f)) => {
                format!("{who} started at step {} and finished at {}.", at(s), at(f))
            }
            (None, Some(f)) => format!("{who} finished at step {}.", at(f)),
            (Some(s), None) => format!("{who} started at step {}.", at(s)),
            (None, None) => String::new(),
        }
    }

    /// Skill i's series of levels over the recorded frames.
    pub(super) fn levels_of(&self, i: usize) -> Vec<f64> {
        self.frames
            .iter()
            .map(|f| f.levels.get(i).copied().unwrap_or(f64::NAN))
            .collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::link::parse;

    pub(in crate::lab) fn no_clock() -> f64 {
        0.0
    }

    /// The run of `query` to its end, and its configuration.
    pub(in crate::lab) fn finished(query: &str) -> (Run, Config) {
        let cfg = parse(query).config;
        let mut r = Run::new(&cfg);
        while !r.finished() {
            r.advance(10_000, &no_clock, f64::INFINITY);
        }
        (r, cfg)
    }

    #[test]
    fn the_announcement_changes_only_at_milestones() {
        let cfg = parse("m=domino&n=3&steps=400").config;
        let mut r = Run::new(&cfg);
        assert_eq!(r.announcement(), "");
        let mut heard = vec![r.announcement()];
        while !r.finished() {
            r.step_once(&no_clock);
            let a = r.announcement();
            if heard.last() != Some(&a) {
                heard.push(a);
            }
        }
        // One sentence per learned skill, the last one for all of them.
        assert_eq!(heard.len(), 4, "{heard:?}");
        assert!(
            heard[1].starts_with("skill 1 learned at step "),
            "{heard:?}"
        );
        assert!(
            heard[2].starts_with("skill 2 learned at step "),
            "{heard:?}"
        );
        let last = r.frames[r.milestones.finish[2].unwrap()].step;
        assert_eq!(heard[3], format!("all 3 skills learned by step {last}"));
        let mut bad = Run::new(&cfg);
        bad.error = Some("the loss diverged at step 7".into());
        assert_eq!(
            bad.announcement(),
            "run stopped: the loss diverged at step 7"
        );
    }

    #[test]
    fn reset_gives_the_same_run_bit_for_bit() {
        let cfg = parse("m=geometry&n=5&dim=100&batch=32&steps=80&seed=3").config;
        let (mut a, mut b) = (Run::new(&cfg), Run::new(&cfg));
        // Different slicing, same frames.
        for _ in 0..80 {
            a.step_once(&no_clock);
        }
        while !b.finished() {
            b.advance(7, &no_clock, f64::INFINITY);
        }
        assert_eq!(a.frames, b.frames);
        assert_eq!(a.frames.len(), 81);
        let c = Run::new(&cfg);
        c.warm_up();
        assert_eq!(
            (c.frames.len(), c.step()),
            (1, 0),
            "warming up changes nothing"
        );
        assert!(a
            .frames
            .iter()
            .all(|f| f.align.as_ref().map(Vec::len) == Some(5)));
    }

    #[test]
    fn scrubbing_finds_frames_by_step() {
        let (r, _) = finished("m=resource&steps=50");
        assert_eq!(r.index_at(0), 0);
        assert_eq!(r.index_at(17), 17);
        assert_eq!(r.index_at(10_000), 50);
        assert_eq!(r.frame_at(Some(20)).map(|f| f.step), Some(20));
        assert_eq!(r.frame_at(None).map(|f| f.step), Some(50));
        // A thinned run: the frame at or before the step.
        let (r, _) = finished("m=domino&steps=45000");
        assert_eq!(r.every, 3);
        assert_eq!(r.frame_at(Some(10)).map(|f| f.step), Some(9));
        assert_eq!(r.frame_at(Some(45_000)).map(|f| f.step), Some(45_000));
    }

    #[test]
    fn end_step_and_threshold_apply_mid_run() {
        let old = parse("m=resource&steps=100").config;
        let mut r = Run::new(&old);
        r.advance(60, &no_clock, f64::INFINITY);
        let mut longer = old.clone();
        longer.steps = 300;
        assert!(r.apply_live(&old, &longer));
        assert_eq!(r.steps, 300);
        let mut shorter = old.clone();
        shorter.steps = 30;
        assert!(!r.apply_live(&old, &shorter), "already past step 30");
        let mut thr = old.clone();
        thr.thr = 0.2;
        assert!(r.apply_live(&old, &thr));
        assert_eq!(r.milestones, Milestones::of(&r.frames, r.n, 0.2));
        let mut other = old.clone();
        other.n0 = 1.0;
        assert!(!r.apply_live(&old, &other), "a model parameter restarts");
    }

    #[test]
    fn stop_when_all_learned() {
        let (r, _) = finished("m=domino&n=3&steps=400&t0=100");
        assert!(r.all_learned());
        let (r, _) = finished("m=domino&n=3&steps=250&t0=100");
        assert!(!r.all_learned());
    }
}
