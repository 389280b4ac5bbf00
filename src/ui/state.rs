//! The lab page's state, apart from its views: a `Copy` handle, [`LabState`], made of parts —
//! [`Setup`] (what the link says: the configuration, its preset, the comparison, what became of
//! the last change), [`Runs`] (the runs, the best-N0 fit and the counters views track),
//! [`Playback`] (the transport and the animation loop's bookkeeping), [`ViewOptions`] (the
//! second chart's tab, the overlays) and [`ChartCanvases`]. Its methods are the page's acts
//! (play, step, scrub, set a key, compare, load a link); views call them and read the parts,
//! while the state asks for frames through its [`Animation`] and never names a view.
//!
//! Reactive state is small: signals for what the view shows, and a `version` counter bumped
//! whenever a run's frames change. The frames themselves sit in non-reactive
//! [`StoredValue`]s, so a 1000-frame trajectory is never cloned to re-render.

use super::animation::{now, Animation};
use super::location;
use crate::lab::{self, default_speed, Compare, Fit, Fitted, FrameStats, Run, SPEEDS};
use crate::link::presets::Preset;
use crate::link::{self, Config, Model, Problem};
use crate::plot::run::PlotArea;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Work per animation frame on the simulation, at most (the slice stops early after this).
const SLICE_BUDGET_MS: f64 = 8.0;
/// Script time per frame the loop aims to stay under (simulation + fit + drawing + DOM).
const FRAME_BUDGET_MS: f64 = 10.0;
/// Allowance for applying a frame's new values to the DOM (after the loop's callback).
const DOM_MS: f64 = 3.0;
/// Set-up work (see `Config::setup_work`) above which a run starts only when a slider is
/// released (about 50 ms of work in the browser).
const HEAVY_SETUP: f64 = 2e7;
/// While playing, the slowly updated parts of the page refresh this often (ms)…
const SLOW_MS: f64 = 250.0;
/// …unless there are at most this many skills (then every frame, as the rest).
const FEW_SKILLS: usize = 20;

/// Which run of a comparison (A is the page's own configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

/// What the second chart under the skill levels shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Loss,
    Align,
    Collapse,
}

/// The best-N0 fit's progress.
#[derive(Default)]
pub enum FitState {
    #[default]
    Idle,
    Running(Box<Fit>),
    Done(Fitted),
    Failed(String),
}

/// What the link says: the configuration (and B's, when comparing) and what became of the
/// reader's last change.
#[derive(Clone, Copy)]
pub struct Setup {
    pub config: RwSignal<Config>,
    /// The preset the link named (its keys are the defaults the link is written against).
    pub preset: StoredValue<Option<&'static Preset>>,
    /// The second configuration of a comparison (`None` = no comparison).
    pub compare: RwSignal<Option<Compare>>,
    pub config_b: RwSignal<Option<Config>>,
    pub compare_problems: RwSignal<Vec<Problem>>,
    /// Problems of the last control change (shown beside that control).
    pub problems: RwSignal<Vec<Problem>>,
    /// What the last change did ("Restarted from step 0: …").
    pub status: RwSignal<String>,
    /// What could not be used of the link the page was opened with (or came back to).
    pub notice: RwSignal<Option<Vec<String>>>,
}

/// The notice lines of a link: each problem, notice and unknown key (`None` when there are
/// none).
fn link_notes(parsed: &link::Parsed) -> Option<Vec<String>> {
    let notes = parsed.notes();
    (!notes.is_empty()).then_some(notes)
}

impl Setup {
    /// The comparison and B's configuration, `compare` applied to `base`.
    fn set_compare(self, compare: Option<Compare>, base: &Config) {
        let b = compare.as_ref().map(|c| c.apply(base));
        self.compare_problems
            .set(b.as_ref().map(|b| b.1.clone()).unwrap_or_default());
        self.config_b.set(b.map(|b| b.0));
        self.compare.set(compare);
    }

    /// A comparison is shown (tracked).
    pub fn comparing(self) -> bool {
        self.config_b.with(|c| c.is_some())
    }

    /// The shared time axis: the longer end step of A and B.
    pub fn x_steps(self) -> u32 {
        let a = self.config.with_untracked(|c| c.steps);
        let b = self
            .config_b
            .with_untracked(|c| c.as_ref().map(|c| c.steps).unwrap_or(0));
        a.max(b)
    }

    /// The page's link: the configuration (relative to its preset) and the comparison.
    pub fn link(self) -> String {
        let q = self
            .config
            .with_untracked(|c| c.link(self.preset.get_value()));
        let hash = self
            .compare
            .with_untracked(|c| lab::compare_hash(c.as_ref()));
        format!("?{q}{hash}")
    }
}

/// The runs (A, and B when comparing), the fit over A, and the counters views track.
#[derive(Clone, Copy)]
pub struct Runs {
    pub a: StoredValue<Run, LocalStorage>,
    pub b: StoredValue<Option<Run>, LocalStorage>,
    pub fit: StoredValue<FitState, LocalStorage>,
    /// Bumped whenever a run changes (frames appended, reset, fit finished).
    pub version: RwSignal<u64>,
    /// Follows `version` at most four times a second while playing more than [`FEW_SKILLS`]
    /// skills (every time otherwise): what is read rather than watched (the value table,
    /// labels, the live summary) tracks this, so a 100-skill run does not re-lay out
    /// hundreds of cells every frame.
    pub slow: RwSignal<u64>,
    slow_at: StoredValue<f64>,
}

impl Runs {
    fn bump(self, playing: bool) {
        self.version.update(|v| *v += 1);
        let t = now();
        let few = self.a.with_value(|r| r.n) <= FEW_SKILLS;
        if few || !playing || t - self.slow_at.get_value() > SLOW_MS {
            self.slow_at.set_value(t);
            self.slow.update(|v| *v += 1);
        }
    }

    /// The newest computed step over both runs.
    pub fn latest_step(self) -> u32 {
        let a = self.a.with_value(|r| r.step());
        let b = self
            .b
            .with_value(|r| r.as_ref().map(|r| r.step()).unwrap_or(0));
        a.max(b)
    }

    /// Both runs are done (the end step, or an error).
    fn finished(self) -> bool {
        self.a.with_value(|r| r.finished())
            && self
                .b
                .with_value(|r| r.as_ref().is_none_or(|r| r.finished()))
    }

    fn all_learned(self) -> bool {
        self.a.with_value(|r| r.all_learned())
            && self
                .b
                .with_value(|r| r.as_ref().is_none_or(|r| r.all_learned()))
    }

    fn fit_running(self) -> bool {
        self.fit.with_value(|f| matches!(f, FitState::Running(_)))
    }

    /// The fit has not started since the last reset.
    pub fn fit_idle(self) -> bool {
        self.fit.with_value(|f| matches!(f, FitState::Idle))
    }
}

/// The transport and the animation loop's bookkeeping.
#[derive(Clone, Copy)]
pub struct Playback {
    pub playing: RwSignal<bool>,
    /// An index into [`SPEEDS`].
    pub speed: RwSignal<usize>,
    /// Pause once every skill is learned.
    pub stop_learned: RwSignal<bool>,
    /// The reader pressed Play after such a stop: run on to the end step.
    ignore_stop: StoredValue<bool>,
    /// The scrubbed step (`None` = follow the newest frame).
    pub scrubbed: RwSignal<Option<u32>>,
    /// The step under the pointer on a chart (shown instead of `scrubbed` while hovering).
    pub hover: RwSignal<Option<u32>>,
    restart_pending: StoredValue<bool>,
    last_draw_ms: StoredValue<f64>,
    pub stats: StoredValue<FrameStats, LocalStorage>,
}

impl Playback {
    /// The step the page shows: hovered, else scrubbed, else `None` (the newest). Tracked.
    pub fn shown(self) -> Option<u32> {
        self.hover.get().or(self.scrubbed.get())
    }

    /// As [`Playback::shown`], untracked (for drawing).
    pub fn cursor(self) -> Option<u32> {
        self.hover.get_untracked().or(self.scrubbed.get_untracked())
    }
}

/// How the charts are shown: the second chart's tab and the dashed overlays.
#[derive(Clone, Copy)]
pub struct ViewOptions {
    pub tab: RwSignal<Tab>,
    pub show_fit: RwSignal<bool>,
    pub show_domino: RwSignal<bool>,
}

/// The canvases of one side.
#[derive(Clone, Copy)]
pub struct Canvases {
    pub skills: NodeRef<Canvas>,
    pub second: NodeRef<Canvas>,
    pub strip: NodeRef<Canvas>,
}

impl Canvases {
    fn new() -> Self {
        Canvases {
            skills: NodeRef::new(),
            second: NodeRef::new(),
            strip: NodeRef::new(),
        }
    }
}

/// Both sides' canvases and where their plots landed.
#[derive(Clone, Copy)]
pub struct ChartCanvases {
    pub a: Canvases,
    pub b: Canvases,
    /// Plot areas of the skill and the second chart of each side, for pointer → step.
    pub areas: StoredValue<[Option<PlotArea>; 4]>,
}

impl ChartCanvases {
    pub fn side(self, side: Side) -> Canvases {
        match side {
            Side::A => self.a,
            Side::B => self.b,
        }
    }
}

/// The lab page's state: every part is a handle, so `LabState` is `Copy` and moves into
/// closures.
#[derive(Clone, Copy)]
pub struct LabState {
    pub setup: Setup,
    pub runs: Runs,
    pub playback: Playback,
    pub options: ViewOptions,
    pub canvases: ChartCanvases,
    /// The page's frames: the loop that advances the runs, and the coalesced redraw (what
    /// drawing is, the page sets: `Animation::on_draw`).
    pub anim: Animation,
}

impl LabState {
    /// The state of the link in the address.
    pub fn from_location() -> LabState {
        let parsed = link::parse(&location::link_query());
        let compare = lab::compare_from_hash(&location::hash());
        let cfg = parsed.config.clone();
        let b = compare.as_ref().map(|c| c.apply(&cfg));
        let setup = Setup {
            notice: RwSignal::new(link_notes(&parsed)),
            compare_problems: RwSignal::new(b.as_ref().map(|b| b.1.clone()).unwrap_or_default()),
            config_b: RwSignal::new(b.as_ref().map(|b| b.0.clone())),
            compare: RwSignal::new(compare),
            preset: StoredValue::new(parsed.preset),
            config: RwSignal::new(parsed.config),
            problems: RwSignal::new(vec![]),
            status: RwSignal::new(String::new()),
        };
        let runs = Runs {
            a: StoredValue::new_local(Run::new(&cfg)),
            b: StoredValue::new_local(b.as_ref().map(|b| Run::new(&b.0))),
            fit: StoredValue::new_local(FitState::Idle),
            version: RwSignal::new(0),
            slow: RwSignal::new(0),
            slow_at: StoredValue::new(0.0),
        };
        let playback = Playback {
            playing: RwSignal::new(false),
            speed: RwSignal::new(default_speed(cfg.steps)),
            stop_learned: RwSignal::new(false),
            ignore_stop: StoredValue::new(false),
            scrubbed: RwSignal::new(None),
            hover: RwSignal::new(None),
            restart_pending: StoredValue::new(false),
            last_draw_ms: StoredValue::new(0.0),
            stats: StoredValue::new_local(FrameStats::default()),
        };
        let lab = LabState {
            setup,
            runs,
            playback,
            options: ViewOptions {
                tab: RwSignal::new(Tab::Loss),
                show_fit: RwSignal::new(false),
                show_domino: RwSignal::new(false),
            },
            canvases: ChartCanvases {
                a: Canvases::new(),
                b: Canvases::new(),
                areas: StoredValue::new([None; 4]),
            },
            anim: Animation::new(),
        };
        lab.anim.on_frame(move || lab.frame());
        lab
    }

    /// A run changed: views that watch `version` (and, throttled, `slow`) update.
    pub fn bump(self) {
        self.runs.bump(self.playback.playing.get_untracked());
    }

    /// Redraw the canvases on the next animation frame (once however often asked).
    pub fn request_redraw(self) {
        self.anim.request_redraw();
    }

    /// Fresh runs from step 0 (same configurations and seeds: the same runs, bit for bit).
    pub fn reset(self) {
        let cfg = self.setup.config.get_untracked();
        self.runs.a.set_value(Run::new(&cfg));
        let b = self.setup.config_b.get_untracked().map(|c| Run::new(&c));
        self.runs.b.set_value(b);
        self.runs.fit.set_value(FitState::Idle);
        self.playback.scrubbed.set(None);
        self.playback.hover.set(None);
        self.playback.ignore_stop.set_value(false);
        self.bump();
        self.request_redraw();
    }

    /// [`LabState::reset`], then play on if it was playing.
    fn restart(self) {
        let was_playing = self.playback.playing.get_untracked();
        self.reset();
        if was_playing {
            self.play();
        }
    }

    pub fn play(self) {
        let p = self.playback;
        if p.scrubbed.get_untracked().is_none() && self.runs.finished() {
            if self.runs.a.with_value(|r| r.error.is_some()) {
                return;
            }
            self.reset();
        }
        if p.stop_learned.get_untracked() && self.runs.all_learned() {
            p.ignore_stop.set_value(true);
        }
        p.playing.set(true);
        self.anim.start();
    }

    pub fn pause(self) {
        if self.playback.playing.get_untracked() {
            self.playback.playing.set(false);
            self.runs.slow.update(|v| *v += 1);
        }
    }

    pub fn toggle(self) {
        if self.playback.playing.get_untracked() {
            self.pause()
        } else {
            self.play()
        }
    }

    /// One recorded frame forward: through the kept frames when scrubbed back, else a new one.
    pub fn step(self) {
        self.pause();
        let scrubbed = self.playback.scrubbed;
        if let Some(v) = scrubbed.get_untracked() {
            let next = self.runs.a.with_value(|r| {
                let k = r.index_at(v) + 1;
                r.frames.get(k).map(|f| f.step)
            });
            match next {
                Some(s) if s < self.runs.latest_step() => scrubbed.set(Some(s)),
                _ => scrubbed.set(None),
            }
            self.request_redraw();
            return;
        }
        let mut changed = self.runs.a.update_value_returning(|r| r.step_once(&now));
        changed |= self
            .runs
            .b
            .update_value_returning(|r| r.as_mut().is_some_and(|r| r.step_once(&now)));
        if changed {
            self.bump();
            self.request_redraw();
        }
    }

    /// Show the state at `step` (pauses; the newest step follows the run again).
    pub fn scrub(self, step: u32) {
        self.pause();
        if step >= self.runs.latest_step() {
            self.playback.scrubbed.set(None);
        } else {
            self.playback.scrubbed.set(Some(step));
        }
        self.request_redraw();
    }

    /// One animation frame: a slice of steps (or of replayed frames), a slice of the fit,
    /// then a redraw. Returns whether there is work left for the next frame.
    fn frame(self) -> bool {
        let p = self.playback;
        let t0 = now();
        let playing = p.playing.get_untracked();
        let mut changed = playing && self.advance();
        let t1 = now();
        if self.runs.fit_running() {
            let left = FRAME_BUDGET_MS - (t1 - t0) - p.last_draw_ms.get_value() - DOM_MS;
            let done = self.runs.fit.update_value_returning(|f| match f {
                FitState::Running(fit) => fit.work(&now, left.max(1.0)),
                _ => None,
            });
            if let Some(out) = done {
                self.runs.fit.set_value(match out {
                    Ok(fitted) => FitState::Done(fitted),
                    Err(e) => FitState::Failed(e),
                });
                changed = true;
            } else {
                // Progress text.
                self.bump();
            }
        }
        let t2 = now();
        if changed {
            self.bump();
            self.anim.draw_now();
        }
        let t3 = now();
        if changed {
            p.last_draw_ms.set_value(t3 - t2);
        }
        if playing {
            p.stats
                .update_value(|s| s.add_frame(t1 - t0, t2 - t1, t3 - t2));
        }
        if playing && p.scrubbed.get_untracked().is_none() {
            self.stop_at_the_end();
        }
        // The finished Geometry run gets its fit if the overlay is on.
        if !p.playing.get_untracked() && self.runs.finished() {
            self.maybe_start_fit();
        }
        p.playing.get_untracked() || self.runs.fit_running()
    }

    /// A playing frame's slice: replayed kept frames when scrubbed back (no computation),
    /// else new steps within what the frame has left. Whether anything changed.
    fn advance(self) -> bool {
        let p = self.playback;
        let speed = SPEEDS[p.speed.get_untracked().min(SPEEDS.len() - 1)];
        if let Some(v) = p.scrubbed.get_untracked() {
            let next = v.saturating_add(speed);
            p.scrubbed
                .set((next < self.runs.latest_step()).then_some(next));
            return true;
        }
        // What the frame has left after last frame's drawing and the DOM updates.
        let left = FRAME_BUDGET_MS - p.last_draw_ms.get_value() - DOM_MS;
        let with_b = self.runs.b.with_value(|r| r.is_some());
        let budget = left.clamp(1.0, SLICE_BUDGET_MS) / if with_b { 2.0 } else { 1.0 };
        let mut changed = self
            .runs
            .a
            .update_value_returning(|r| r.advance(speed, &now, budget));
        changed |= self
            .runs
            .b
            .update_value_returning(|r| r.as_mut().is_some_and(|r| r.advance(speed, &now, budget)));
        changed
    }

    /// Pause at the end step, or once every skill is learned when asked to.
    fn stop_at_the_end(self) {
        let p = self.playback;
        let stop_learned =
            p.stop_learned.get_untracked() && !p.ignore_stop.get_value() && self.runs.all_learned();
        if self.runs.finished() || stop_learned {
            self.pause();
            if stop_learned {
                self.setup.status.set(format!(
                    "Stopped at step {}: every skill is learned.",
                    self.runs.latest_step()
                ));
            }
        }
    }

    fn maybe_start_fit(self) {
        if self.runs.fit_idle()
            && self.options.show_fit.get_untracked()
            && self
                .setup
                .config
                .with_untracked(|c| c.model == Model::Geometry)
            && self
                .runs
                .a
                .with_value(|r| r.finished() && r.error.is_none())
        {
            self.start_fit();
        }
    }

    /// Start the best-N0 fit on the frames so far (the "Fit now" button, or the end of a run
    /// with the overlay on).
    pub fn start_fit(self) {
        let cfg = self.setup.config.get_untracked();
        let fit = self.runs.a.with_value(|r| Fit::new(r, &cfg));
        self.runs.fit.set_value(match fit {
            Ok(f) => FitState::Running(Box::new(f)),
            Err(e) => FitState::Failed(e),
        });
        self.bump();
        self.anim.start();
    }

    /// The fit overlay was switched: on, a finished run that has no fit yet gets one.
    pub fn show_fit(self, on: bool) {
        self.options.show_fit.set(on);
        if on
            && self.runs.fit_idle()
            && !self.playback.playing.get_untracked()
            && self.runs.a.with_value(|r| r.finished())
        {
            self.start_fit();
        }
    }

    /// Restart both runs from step 0 on the next animation frame (several changes in one
    /// frame, as while dragging a slider, restart once).
    fn restart_soon(self) {
        let pending = self.playback.restart_pending;
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        let restart = move || {
            if !pending.get_value() {
                return;
            }
            pending.set_value(false);
            self.restart();
        };
        // A heavy set-up blocks the page for a moment: say so first, and let that show.
        let heavy = self.setup.config.with_untracked(|c| c.setup_work()) > HEAVY_SETUP
            || self
                .setup
                .config_b
                .with_untracked(|c| c.as_ref().is_some_and(|c| c.setup_work() > HEAVY_SETUP));
        if heavy {
            self.setup
                .status
                .update(|s| s.push_str(" Preparing the task vectors…"));
            request_animation_frame(move || request_animation_frame(restart));
        } else {
            request_animation_frame(restart);
        }
    }

    /// Set one key as a control does. Problems are shown and change nothing; a change to the
    /// end step or the threshold applies to the run as it is, any other restarts it. The link
    /// follows: `push` for discrete acts, a replaced entry while dragging.
    pub fn set_key(self, key: &str, value: &str, push: bool) {
        let old = self.setup.config.get_untracked();
        let (new, problems) = old.with(key, value);
        self.setup.problems.set(problems.clone());
        if !problems.is_empty() {
            let msg = problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            self.setup.status.set(format!("Not changed: {msg}"));
            return;
        }
        if new == old {
            return;
        }
        self.apply_config(old, new, push, &format!("{key} = {value}"));
    }

    /// A slider moved: as [`LabState::set_key`], except that a configuration whose set-up is
    /// heavy (drawing and orthonormalising large task matrices) waits for the slider's
    /// release, so dragging across it never blocks the page once per position.
    pub fn drag_key(self, key: &str, value: &str) {
        let (new, problems) = self.setup.config.with_untracked(|c| c.with(key, value));
        if problems.is_empty() && new.setup_work() > HEAVY_SETUP {
            self.setup.status.set(format!(
                "{key} = {value}: a large set-up; release the slider to restart with it."
            ));
            return;
        }
        self.set_key(key, value, false);
    }

    fn apply_config(self, old: Config, new: Config, push: bool, what: &str) {
        let s = self.setup;
        let new_b = s
            .compare
            .with_untracked(|c| c.as_ref().map(|c| c.apply(&new)));
        let old_b = s.config_b.get_untracked();
        s.config.set(new.clone());
        if let Some((b, problems)) = &new_b {
            s.compare_problems.set(problems.clone());
            s.config_b.set(Some(b.clone()));
        }
        self.write_link(push);
        let live_a = self
            .runs
            .a
            .update_value_returning(|r| r.apply_live(&old, &new));
        let live_b = match (&old_b, &new_b) {
            (Some(ob), Some((nb, _))) => self
                .runs
                .b
                .update_value_returning(|r| r.as_mut().is_some_and(|r| r.apply_live(ob, nb))),
            _ => true,
        };
        if live_a && live_b {
            s.status
                .set(format!("{what}: applied to the run as it is (no restart)."));
            self.bump();
            self.request_redraw();
        } else {
            s.status
                .set(format!("{what}: the run restarted from step 0."));
            self.restart_soon();
        }
    }

    /// Switch model: that model's defaults, keeping the seed and the comparison; the link
    /// gets a new history entry.
    pub fn switch_model(self, model: Model) {
        let old = self.setup.config.get_untracked();
        let cfg = Config {
            seed: old.seed,
            ..Config::defaults(model)
        };
        self.setup.preset.set_value(None);
        self.setup.problems.set(vec![]);
        self.playback.speed.set(default_speed(cfg.steps));
        self.apply_config(old, cfg, true, &format!("Model = {}", model.title()));
    }

    /// A new random seed: a new run (and a new history entry).
    pub fn new_seed(self) {
        let seed = (js_sys::Math::random() * 1e9).floor() as u64;
        self.set_key("seed", &seed.to_string(), true);
    }

    /// Start, change or end a comparison.
    pub fn set_compare(self, c: Option<Compare>) {
        let cfg = self.setup.config.get_untracked();
        self.setup.set_compare(c, &cfg);
        self.write_link(true);
        self.restart();
    }

    /// A ready-made comparison: the first configuration's keys, then the second's.
    pub fn compare_example(self, a_keys: &str, b_keys: &str) {
        let seed = self.setup.config.get_untracked().seed;
        let (mut a, _) = lab::set_keys(&Config::default(), a_keys);
        a.seed = seed;
        self.setup.preset.set_value(None);
        self.playback.speed.set(default_speed(a.steps));
        self.setup.config.set(a);
        self.set_compare(Some(Compare::parse(b_keys)));
        self.setup.status.set(String::new());
    }

    /// The page's link: the configuration (relative to its preset) and the comparison.
    pub fn link(self) -> String {
        self.setup.link()
    }

    /// The page's link into the address: a new history entry (`push`) or in place.
    pub fn write_link(self, push: bool) {
        // An embed never adds entries to its host page's history (Back would move the frame).
        let push = push && !location::opts().embed;
        location::set_address(self.link(), push);
    }

    /// Back or forward through the history: read the link again.
    pub fn reload_from_location(self) {
        // a sweep link in the history (pushed by the sweep page) is the sweep page
        if location::requested_sweep().is_some() {
            location::reload();
            return;
        }
        let s = self.setup;
        let parsed = link::parse(&location::link_query());
        s.notice.set(link_notes(&parsed));
        let compare = lab::compare_from_hash(&location::hash());
        s.preset.set_value(parsed.preset);
        s.set_compare(compare, &parsed.config);
        self.playback.speed.set(default_speed(parsed.config.steps));
        s.config.set(parsed.config);
        s.problems.set(vec![]);
        s.status.set("Loaded the link from the history.".into());
        self.restart();
    }

    /// Open the link `query` (`?v=1&preset=…`, a gallery panel) as a new history entry and
    /// load its run; `what` names it in the status line.
    pub fn load_link(self, query: &str, what: &str) {
        location::set_address(query.to_string(), true);
        self.pause();
        self.reload_from_location();
        self.setup.status.set(format!("Loaded {what}."));
        window().scroll_to_with_x_and_y(0.0, 0.0);
        if location::autoplay() {
            self.play();
        }
    }
}

/// A helper missing from `StoredValue`: update and return a value from the closure.
trait UpdateReturning<T> {
    fn update_value_returning<R>(&self, f: impl FnOnce(&mut T) -> R) -> R;
}

impl<T: 'static> UpdateReturning<T> for StoredValue<T, LocalStorage> {
    fn update_value_returning<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut out = None;
        self.update_value(|v| out = Some(f(v)));
        out.expect("stored value was disposed")
    }
}
