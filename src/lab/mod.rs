//! What the page does that is not the DOM: a [`Run`] stepped a slice at a time that keeps
//! every recorded frame (so redrawing, scrubbing and reset never recompute a different
//! result), the theory overlays ([`domino_ramps`], [`two_skill`], the best-N0 [`Fit`]) and the
//! second configuration of a comparison ([`Compare`]). No web crate here: the clock is
//! passed in, and everything is tested natively.

use crate::link::{num, query, Config, KeySpec, Kind, Model, Problem};
use crate::plot::run::{normalised, Milestones};
use crate::sim::domino::{Domino, Schedule};
use crate::sim::geometry::LossForm;
use crate::sim::metrics;
use crate::sim::resource::ResourceParams;
use crate::sim::{Frame, ModelSpec, SimError, Simulation};

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
}

/// The frequency of each skill, for labels: none for the quadratic toy, whose four skills
/// are directions of one quadratic loss rather than tasks with frequencies, nor for
/// grokking's train/test (see `Config::skill_freqs`).
pub fn skill_freqs(config: &Config) -> Vec<f64> {
    config.skill_freqs()
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
            p: normalised(&freqs),
            freqs,
            milestones: Milestones::new(n, config.thr),
            with_align,
            error: None,
            net: config.model.is_net(),
            names: config.skill_names(),
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
                .is_none_or(|s| s.step_count() >= self.steps)
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
            let r = if t % self.every == 0 || t == self.steps {
                sim.next_frame(self.with_align).map(Some)
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
    fn levels_of(&self, i: usize) -> Vec<f64> {
        self.frames
            .iter()
            .map(|f| f.levels.get(i).copied().unwrap_or(f64::NAN))
            .collect()
    }
}

/// Which theories a model can be compared with.
pub fn has_theory(model: Model) -> bool {
    model != Model::Quadratic
}

/// The Domino model's serial prediction (PAPER.md §5.1) for this configuration:
/// `Schedule::Domino { t0 = 1/η_eff }`, skills taken in order of decreasing frequency. Each
/// skill's curve is its ramp from 0 to 1 (before it the skill is at 0, after it at 1).
/// Returns t0 and one two-point curve per skill.
pub fn domino_ramps(config: &Config) -> (f64, Vec<Vec<(f64, f64)>>) {
    let t0 = 1.0 / config.eta_eff();
    let schedule = Schedule::Domino { t0 };
    let freqs = config.freqs();
    let mut order: Vec<usize> = (0..freqs.len()).collect();
    // Stable: equal frequencies keep their index order.
    order.sort_by(|&a, &b| freqs[b].total_cmp(&freqs[a]));
    let mut curves = vec![Vec::new(); freqs.len()];
    for (rank, &i) in order.iter().enumerate() {
        let k = rank + 1;
        let (a, b) = ((k - 1) as f64 * t0, k as f64 * t0);
        curves[i] = vec![
            (a, Domino::level(schedule, k, a)),
            (b, Domino::level(schedule, k, b)),
        ];
    }
    (t0, curves)
}

/// Two skills: the measured t2/t1 next to the Resource model's formula and the naive p1/p2.
#[derive(Clone, Debug, PartialEq)]
pub struct TwoSkill {
    /// r = p1/p2.
    pub r: f64,
    /// `metrics::two_skill_ratio(r)` (PAPER.md §4.3.3).
    pub theory: f64,
    /// First steps with s_i > thr, when reached.
    pub t1: Option<u32>,
    pub t2: Option<u32>,
}

impl TwoSkill {
    /// t2/t1 measured, once both skills are learned.
    pub fn measured(&self) -> Option<f64> {
        match (self.t1, self.t2) {
            (Some(a), Some(b)) if a > 0 => Some(b as f64 / a as f64),
            _ => None,
        }
    }
}

/// The two-skill comparison of a run (None unless it has exactly two skills).
pub fn two_skill(run: &Run) -> Option<TwoSkill> {
    if run.n != 2 || run.freqs.len() != 2 || run.freqs[1] <= 0.0 {
        return None;
    }
    let r = run.freqs[0] / run.freqs[1];
    let thr = run.milestones.thr;
    let at = |i: usize| metrics::first_above(&run.levels_of(i), thr).map(|k| run.frames[k].step);
    Some(TwoSkill {
        r,
        theory: metrics::two_skill_ratio(r),
        t1: at(0),
        t2: at(1),
    })
}

/// The Resource model fitted to a Geometry run (PAPER.md §4.5): the N0 of `sim::metrics`'
/// grid that minimises the mean squared distance between the Geometry rows 0..T−1 and the
/// Resource rows 1..T. Done a few grid values at a time, off the animation path.
pub struct Fit {
    geo: Vec<Vec<f64>>,
    p: Vec<f64>,
    eta_eff: f64,
    form: LossForm,
    grid: Vec<f64>,
    next: usize,
    best: Option<(f64, f64)>,
}

/// A finished fit: the best N0 and the Resource run with it, as curves over the steps of
/// the Geometry rows it was compared with (Resource row t + 1 drawn at step t).
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub n0: f64,
    pub mse: f64,
    /// Geometry rows used (T).
    pub rows: usize,
    pub curves: Vec<Vec<(f64, f64)>>,
}

impl Fit {
    /// A fit of the run's frames so far. Needs a Geometry run that records every step and
    /// has at least two frames.
    pub fn new(run: &Run, config: &Config) -> Result<Fit, String> {
        if config.model != Model::Geometry {
            return Err("the fit compares a Geometry run with the Resource model".into());
        }
        if run.every != 1 {
            return Err(format!(
                "the fit needs every step; this run records every {}th",
                run.every
            ));
        }
        if run.frames.len() < 2 {
            return Err("run a few steps first".into());
        }
        let rows = run.frames.len() - 1;
        Ok(Fit {
            geo: run.frames[..rows]
                .iter()
                .map(|f| f.levels.clone())
                .collect(),
            p: normalised(&config.freqs()),
            eta_eff: config.eta_eff(),
            form: config.loss,
            grid: metrics::n0_grid(),
            next: 0,
            best: None,
        })
    }

    /// Fraction of the grid done.
    pub fn progress(&self) -> f64 {
        self.next as f64 / self.grid.len().max(1) as f64
    }

    /// Try grid values until `budget_ms` is spent; the result once the grid is done.
    pub fn work(
        &mut self,
        now: &dyn Fn() -> f64,
        budget_ms: f64,
    ) -> Option<Result<Fitted, String>> {
        let t0 = now();
        while self.next < self.grid.len() {
            let g = &self.grid[self.next..self.next + 1];
            self.next += 1;
            if let Some((n0, mse)) =
                metrics::best_n0(&self.geo, &self.p, self.eta_eff, self.form, g)
            {
                if self.best.is_none_or(|(_, m)| mse < m) {
                    self.best = Some((n0, mse));
                }
            }
            if now() - t0 > budget_ms {
                return None;
            }
        }
        Some(self.finish())
    }

    fn finish(&self) -> Result<Fitted, String> {
        let (n0, mse) = self.best.ok_or("no N0 of the grid gave a finite fit")?;
        let n = self.p.len();
        let spec = ModelSpec::Resource(ResourceParams {
            p: self.p.clone(),
            form: self.form,
            eta_eff: self.eta_eff,
            n0,
            gates: vec![None; n],
            ..ResourceParams::default()
        });
        let mut sim = Simulation::new(spec).map_err(|e| e.to_string())?;
        let mut curves = vec![Vec::with_capacity(self.geo.len()); n];
        for t in 0..self.geo.len() {
            let f = sim.next_frame(false).map_err(|e| e.to_string())?;
            for (c, s) in curves.iter_mut().zip(&f.levels) {
                c.push((t as f64, *s));
            }
        }
        Ok(Fitted {
            n0,
            mse,
            rows: self.geo.len(),
            curves,
        })
    }
}

/// The second configuration of a comparison: the first one with some keys set differently.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compare {
    /// (key, value) in link form, applied in order.
    pub diffs: Vec<(String, String)>,
}

/// Ready-made comparisons: (label, keys set on the first configuration, keys of the second).
pub const COMPARE_EXAMPLES: &[(&str, &str, &str)] = &[
    ("SignGD vs SGD", "m=geometry&opt=signgd", "opt=sgd&lr=0.03"),
    ("SignGD vs Adam", "m=geometry&opt=signgd", "opt=adam"),
    (
        "Modular vs not",
        "m=geometry&vec=unit&loss=ce&dim=20&n=40&lr=0.01&batch=1024&steps=1500",
        "vec=basis",
    ),
    ("N0 = 0.001 vs 1", "m=resource&n0=0.001", "n0=1"),
    ("α = 1 vs 4", "m=resource", "alpha=4"),
];

impl Compare {
    /// Read `a=1&b=2` (the page's `#vs=` text); pairs without `=` are skipped.
    pub fn parse(text: &str) -> Compare {
        let diffs = query::parts(text)
            .filter(|kv| kv.contains('='))
            .map(query::pair)
            .filter_map(|(k, v)| {
                let k = k.trim();
                (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
            })
            .collect();
        Compare { diffs }
    }

    pub fn text(&self) -> String {
        self.diffs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The second configuration: `base` with each difference set as a control would set it.
    /// Each bad difference is named and skipped.
    pub fn apply(&self, base: &Config) -> (Config, Vec<Problem>) {
        let mut c = base.clone();
        let mut problems = vec![];
        for (k, v) in &self.diffs {
            let (next, p) = c.with(k, v);
            c = next;
            problems.extend(p);
        }
        (c, problems)
    }

    /// A short description: "opt = sgd, lr = 0.03".
    pub fn describe(&self) -> String {
        self.diffs
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Set keys of a `k=v&…` text on a configuration (a compare example's first half).
pub fn set_keys(base: &Config, text: &str) -> (Config, Vec<Problem>) {
    Compare::parse(text).apply(base)
}

/// Percent-encoding for a URL fragment: everything but ASCII letters, digits and `-_.~`.
pub fn percent_encode(s: &str) -> String {
    query::encode_fragment(s)
}

/// The inverse of [`percent_encode`]; malformed escapes are kept as they are, invalid UTF-8
/// is replaced. Never panics.
pub fn percent_decode(s: &str) -> String {
    query::decode_fragment(s)
}

/// The comparison named by a URL fragment `#vs=<percent-encoded k=v&…>` (None if absent).
pub fn compare_from_hash(hash: &str) -> Option<Compare> {
    let h = hash.trim_start_matches('#');
    query::parts(h)
        .find_map(|part| part.strip_prefix("vs="))
        .map(|v| Compare::parse(&percent_decode(v)))
}

/// The URL fragment of a comparison ("" for none).
pub fn compare_hash(c: Option<&Compare>) -> String {
    match c {
        Some(c) => format!("#vs={}", percent_encode(&c.text())),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Controls: how a key of `params::SCHEMA` maps onto a slider (the page's panels).

/// Steps of a log slider per decade.
pub const PER_DECADE: f64 = 100.0;

/// "1 – 10000", "0 < x ≤ 10": the range a control accepts.
pub fn range_text(k: &KeySpec) -> String {
    match k.kind {
        Kind::Int { min, max } if max >= 1 << 40 => format!("≥ {min}"),
        Kind::Int { min, max } => format!("{min} – {max}"),
        Kind::Float { min, max, open, .. } => {
            if open {
                format!("> {} … {}", num(min), num(max))
            } else {
                format!("{} – {}", num(min), num(max))
            }
        }
        Kind::Choice(c) => c.join(" · "),
        Kind::Flag => "on / off".into(),
        Kind::Text => String::new(),
    }
}

/// `x` rounded to `d` significant digits.
pub fn round_sig(x: f64, d: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor() as i32;
    let f = 10f64.powi(d - 1 - e);
    (x * f).round() / f
}

/// A slider's geometry over a key's range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slider {
    /// Positions min ..= max, `step` apart.
    Linear {
        min: f64,
        max: f64,
        step: f64,
        int: bool,
    },
    /// Positions log10(lo) ..= log10(max) in 1/[`PER_DECADE`] decades; one position more
    /// on the left means 0 when `zero`.
    Log {
        lo: f64,
        hi: f64,
        zero: bool,
        int: bool,
    },
}

impl Slider {
    pub fn of(k: &KeySpec) -> Option<Slider> {
        match k.kind {
            Kind::Int { min, max } if max >= 1 << 40 || max <= min => None,
            Kind::Int { min, max } if max - min <= 1000 => Some(Slider::Linear {
                min: min as f64,
                max: max as f64,
                step: 1.0,
                int: true,
            }),
            Kind::Int { min, max } => Some(Slider::Log {
                lo: (min as f64).max(1.0).log10(),
                hi: (max as f64).log10(),
                zero: min == 0,
                int: true,
            }),
            Kind::Float {
                min,
                max,
                open,
                log,
            } if log || (min == 0.0 && max >= 100.0) => {
                let lo = if min > 0.0 {
                    min
                } else {
                    (max * 1e-12).max(1e-6)
                };
                Some(Slider::Log {
                    lo: lo.log10(),
                    hi: max.log10(),
                    zero: min == 0.0 && !open,
                    int: false,
                })
            }
            Kind::Float { min, max, open, .. } => {
                let step = round_sig((max - min) / 1000.0, 1);
                // An open range (thr: strictly between 0 and 1) keeps one step off both ends.
                let (min, max) = if open {
                    (min + step, max - step)
                } else {
                    (min, max)
                };
                Some(Slider::Linear {
                    min,
                    max,
                    step,
                    int: false,
                })
            }
            _ => None,
        }
    }

    /// (min, max, step) attributes of the `<input type=range>`.
    pub fn attrs(self) -> (f64, f64, f64) {
        match self {
            Slider::Linear { min, max, step, .. } => (min, max, step),
            Slider::Log { lo, hi, zero, .. } => {
                let step = 1.0 / PER_DECADE;
                (if zero { lo - step } else { lo }, hi, step)
            }
        }
    }

    /// The slider position of a value (link text); `fallback` for an unset value.
    pub fn position(self, value: &str, fallback: f64) -> f64 {
        let v: f64 = value.parse().unwrap_or(fallback);
        match self {
            Slider::Linear { min, max, .. } => v.clamp(min, max),
            Slider::Log { lo, hi, zero, .. } => {
                if v <= 0.0 || !v.is_finite() {
                    if zero {
                        lo - 1.0 / PER_DECADE
                    } else {
                        lo
                    }
                } else {
                    v.log10().clamp(lo, hi)
                }
            }
        }
    }

    /// The link text of a slider position (rounded to what the slider can set).
    pub fn value(self, pos: f64) -> String {
        match self {
            Slider::Linear {
                step,
                int,
                min,
                max,
            } => {
                let v = ((pos - min) / step).round() * step + min;
                let v = v.clamp(min, max);
                if int {
                    format!("{}", v.round() as i64)
                } else {
                    num(round_sig(v, 6))
                }
            }
            Slider::Log { lo, zero, int, .. } => {
                if zero && pos < lo - 0.5 / PER_DECADE {
                    return "0".into();
                }
                let v = round_sig(10f64.powf(pos), 3);
                if int {
                    format!("{}", v.round().max(1.0) as i64)
                } else {
                    num(v)
                }
            }
        }
    }
}

/// What an unset optional key means, for its placeholder and slider position.
pub fn auto_value(c: &Config, key: &str) -> Option<f64> {
    match key {
        "eta_eff" => Some(c.eta_eff()),
        "t0" => Some(1.0 / c.eta_eff()),
        "beta1" => Some(c.opt_config().beta1),
        "beta2" => Some(c.opt_config().beta2),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::parse;

    fn no_clock() -> f64 {
        0.0
    }

    fn finished(query: &str) -> (Run, Config) {
        let cfg = parse(query).config;
        let mut r = Run::new(&cfg);
        while !r.finished() {
            r.advance(10_000, &no_clock, f64::INFINITY);
        }
        (r, cfg)
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

    #[test]
    fn domino_ramps_follow_the_frequency_order() {
        let cfg = parse("m=resource&p=0.2,0.5,0.3").config;
        let (t0, c) = domino_ramps(&cfg);
        assert!((t0 - 1.0 / cfg.eta_eff()).abs() < 1e-12);
        // Skill 2 is the most frequent: first ramp; then skill 3, then skill 1.
        assert_eq!(c[1], vec![(0.0, 0.0), (t0, 1.0)]);
        assert_eq!(c[2], vec![(t0, 0.0), (2.0 * t0, 1.0)]);
        assert_eq!(c[0], vec![(2.0 * t0, 0.0), (3.0 * t0, 1.0)]);
    }

    #[test]
    fn two_skill_numbers() {
        // Resource model, N0 = 0: the measured ratio is the formula's (PAPER.md §4.3.3).
        let (r, _) = finished("m=resource&freq=two&p1=0.8&n0=0&steps=200&eta_eff=0.02");
        let t = two_skill(&r).unwrap();
        assert!((t.r - 4.0).abs() < 1e-12);
        assert!((t.theory - 1.42).abs() < 0.006);
        let m = t.measured().unwrap();
        assert!((m - t.theory).abs() < 0.05, "measured {m} vs {}", t.theory);
        let (r, _) = finished("m=resource&n=3&steps=10");
        assert_eq!(two_skill(&r), None);
        let (r, _) = finished("m=resource&freq=two&steps=3");
        assert_eq!(two_skill(&r).unwrap().measured(), None);
    }

    #[test]
    fn the_fit_runs_in_slices_and_recovers_n0() {
        // A Geometry run of the Fig. 6 kind (fewer skills and steps).
        let (r, cfg) = finished("m=geometry&n=5&dim=1000&batch=1024&grad=mimic&steps=300&seed=2");
        let mut fit = Fit::new(&r, &cfg).unwrap();
        let tick = std::cell::Cell::new(0.0);
        let now = || {
            tick.set(tick.get() + 1.0);
            tick.get()
        };
        let mut slices = 0;
        let out = loop {
            slices += 1;
            if let Some(out) = fit.work(&now, 50.0) {
                break out.unwrap();
            }
            assert!(fit.progress() < 1.0);
        };
        assert!(slices > 5, "{slices} slices");
        let whole = metrics::best_n0(
            &r.frames[..300]
                .iter()
                .map(|f| f.levels.clone())
                .collect::<Vec<_>>(),
            &normalised(&cfg.freqs()),
            cfg.eta_eff(),
            cfg.loss,
            &metrics::n0_grid(),
        )
        .unwrap();
        assert_eq!((out.n0, out.mse), whole, "same as one call over the grid");
        assert!(out.n0 > 1e-4 && out.n0 < 1.0, "N0 = {}", out.n0);
        assert!(out.mse < 0.01, "a close fit: {}", out.mse);
        assert_eq!(out.rows, 300);
        assert_eq!(out.curves.len(), 5);
        assert_eq!(out.curves[0].len(), 300);
        assert!(Fit::new(
            &Run::new(&parse("m=resource").config),
            &parse("m=resource").config
        )
        .is_err());
    }

    #[test]
    fn compare_applies_differences_and_names_bad_ones() {
        let base = parse("m=geometry&n=4&dim=50&steps=20").config;
        let c = Compare::parse("opt=sgd&lr=0.03&zzz&n=abc");
        assert_eq!(c.diffs.len(), 3);
        let (b, problems) = c.apply(&base);
        assert_eq!(b.get("opt"), "sgd");
        assert_eq!(b.get("lr"), "0.03");
        assert_eq!(b.n, 4, "bad n kept the old value");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(b.seed, base.seed);
        assert_eq!(c.describe(), "opt = sgd, lr = 0.03, n = abc");
        for (label, a, bk) in COMPARE_EXAMPLES {
            let (a, p) = set_keys(&Config::default(), a);
            assert!(p.is_empty(), "{label}: {p:?}");
            let (_, p) = Compare::parse(bk).apply(&a);
            assert!(p.is_empty(), "{label}: {p:?}");
        }
    }

    #[test]
    fn compare_round_trips_through_the_fragment() {
        let c = Compare::parse("and=5:1-2,7:5-6&p=0.5,0.3&sw=1:0.5:0.1");
        let h = compare_hash(Some(&c));
        assert!(!h[4..].contains(['&', '=', ':', ',']), "{h}");
        assert_eq!(compare_from_hash(&h), Some(c));
        assert_eq!(compare_from_hash(""), None);
        assert_eq!(compare_hash(None), "");
        // Garbage never panics.
        for s in ["#vs=%", "#vs=%4", "#vs=%zz&x", "#vs=%FF%FE", "vs=a=b=c"] {
            let _ = compare_from_hash(s);
        }
        assert_eq!(percent_decode("%41%zz%"), "A%zz%");
    }

    fn spec(key: &str) -> &'static KeySpec {
        crate::link::SCHEMA.iter().find(|k| k.key == key).unwrap()
    }

    #[test]
    fn every_numeric_key_gets_a_slider_that_round_trips_its_default() {
        let cfg = Config::default();
        for k in crate::link::SCHEMA {
            let s = Slider::of(k);
            match k.kind {
                Kind::Int { max, .. } if max >= 1 << 40 => assert_eq!(s, None, "{}", k.key),
                Kind::Int { min, max } if max <= min => assert_eq!(s, None),
                Kind::Int { .. } | Kind::Float { .. } => {
                    let s = s.unwrap_or_else(|| panic!("{} has no slider", k.key));
                    let (a, b, st) = s.attrs();
                    assert!(a < b && st > 0.0, "{}: {a} {b} {st}", k.key);
                    // Positions give values the key accepts (as a link would set them).
                    for pos in [a, (a + b) / 2.0, b] {
                        let v = s.value(pos);
                        let (_, p) = cfg.with(k.key, &v);
                        let ok = p.is_empty() || p.iter().all(|p| p.key != k.key);
                        assert!(ok, "{} = {v}: {p:?}", k.key);
                    }
                }
                _ => assert_eq!(s, None),
            }
        }
    }

    #[test]
    fn log_sliders_reach_zero_and_round_to_three_digits() {
        let s = Slider::of(spec("n0")).unwrap();
        let (a, _, _) = s.attrs();
        assert_eq!(s.value(a), "0");
        assert_eq!(s.position("0", 1.0), a);
        let p = s.position("0.003", 1.0);
        assert_eq!(s.value(p), "0.003");
        assert_eq!(s.value(-2.0), "0.01");
        let lr = Slider::of(spec("lr")).unwrap();
        assert_eq!(lr.value(lr.position("0.0003", 1.0)), "0.0003");
        assert_eq!(lr.value(-3.4567), "0.000349");
        // Integers: whole numbers; steps is a log slider, n is too.
        let steps = Slider::of(spec("steps")).unwrap();
        assert_eq!(steps.value(3.0), "1000");
        assert_eq!(steps.value(3.011), "1030");
        let thr = Slider::of(spec("thr")).unwrap();
        assert!(matches!(thr, Slider::Linear { .. }));
        assert_eq!(thr.value(thr.position("0.9", 0.5)), "0.9");
        let alpha = Slider::of(spec("alpha")).unwrap();
        assert_eq!(alpha.value(2.0), "2");
        assert_eq!(alpha.value(1.2345), "1.23");
        assert_eq!(range_text(spec("n")), "1 – 10000");
        assert_eq!(range_text(spec("lr")), "> 0 … 10");
        assert_eq!(range_text(spec("seed")), "≥ 0");
        assert_eq!(round_sig(0.00034567, 3), 0.000346);
        assert!((auto_value(&Config::default(), "t0").unwrap() - 52.7046).abs() < 1e-3);
    }
}
