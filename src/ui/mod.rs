//! The page (Leptos 0.8, client-side rendered): the only code that touches the DOM, timers
//! and canvases. One component, [`App`], owns the state ([`Lab`]); the runs live in
//! [`crate::lab::Run`]s that one animation loop advances a slice per frame.
//!
//! Reactive state is small and `Copy` ([`Lab`]): signals for what the view shows, and a
//! `version` counter bumped whenever a run's frames change. The frames themselves sit in
//! non-reactive [`StoredValue`]s, so a 1000-frame trajectory is never cloned to re-render.
//!
//! Files: `panels.rs` builds the controls from `link::SCHEMA`; `dominoes.rs` the tiles and
//! their prerequisite links; `charts.rs` the canvases, the scrubber and the value readout;
//! `theory.rs` the overlays and the comparison; `draw.rs` puts the charts on the canvases.

mod charts;
mod dominoes;
mod draw;
mod embed;
mod gallery;
mod panels;
mod share;
mod sweep;
mod theory;

use crate::lab::{self, Compare, Fit, Fitted, Run};
use crate::link::presets::Preset;
use crate::link::{self, Config, Model, Problem};
use leptos::ev;
use leptos::html::{Canvas, Dialog};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Steps per animation frame the speed slider offers.
const SPEEDS: [u32; 13] = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
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
/// Up to this many skills are drawn as tiles; more become a heat strip.
pub const MAX_TILES: usize = 100;

/// The default speed: the whole run in ~400 frames (about 6–7 s at 60 Hz).
fn default_speed(steps: u32) -> usize {
    let want = steps.div_ceil(400).max(1);
    SPEEDS
        .iter()
        .position(|&s| s >= want)
        .unwrap_or(SPEEDS.len() - 1)
}

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

/// The page's state: every field is a handle, so `Lab` is `Copy` and moves into closures.
#[derive(Clone, Copy)]
pub struct Lab {
    pub config: RwSignal<Config>,
    /// The preset the link named (its keys are the defaults the link is written against).
    preset: StoredValue<Option<&'static Preset>>,
    pub run: StoredValue<Run, LocalStorage>,
    /// The second configuration of a comparison (`None` = no comparison).
    pub compare: RwSignal<Option<Compare>>,
    pub config_b: RwSignal<Option<Config>>,
    pub compare_problems: RwSignal<Vec<Problem>>,
    pub run_b: StoredValue<Option<Run>, LocalStorage>,
    /// Bumped whenever a run changes (frames appended, reset, fit finished).
    pub version: RwSignal<u64>,
    /// Follows `version` at most four times a second while playing more than [`FEW_SKILLS`]
    /// skills (every time otherwise): what is read rather than watched (the value table,
    /// labels, the live summary) tracks this, so a 100-skill run does not re-lay out
    /// hundreds of cells every frame.
    pub slow: RwSignal<u64>,
    slow_at: StoredValue<f64>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<usize>,
    /// Pause once every skill is learned.
    pub stop_learned: RwSignal<bool>,
    /// The reader pressed Play after such a stop: run on to the end step.
    ignore_stop: StoredValue<bool>,
    /// The scrubbed step (`None` = follow the newest frame).
    pub view: RwSignal<Option<u32>>,
    /// The step under the pointer on a chart (shown instead of `view` while hovering).
    pub hover: RwSignal<Option<u32>>,
    pub tab: RwSignal<Tab>,
    pub show_fit: RwSignal<bool>,
    pub show_domino: RwSignal<bool>,
    pub fit: StoredValue<FitState, LocalStorage>,
    /// Problems of the last control change (shown beside that control).
    pub problems: RwSignal<Vec<Problem>>,
    /// What the last change did ("Restarted from step 0: …").
    pub status: RwSignal<String>,
    loop_id: StoredValue<u64>,
    looping: StoredValue<bool>,
    redraw_pending: StoredValue<bool>,
    restart_pending: StoredValue<bool>,
    last_draw_ms: StoredValue<f64>,
    pub stats: StoredValue<draw::Stats, LocalStorage>,
    pub a: Canvases,
    pub b: Canvases,
    /// Plot areas of the skill and the second chart of each side, for pointer → step.
    pub areas: StoredValue<[Option<crate::plot::run::PlotArea>; 4]>,
    help: NodeRef<Dialog>,
    /// What could not be used of the link the page was opened with (or came back to).
    pub notice: RwSignal<Option<Vec<String>>>,
}

/// The notice lines of a link: each problem, notice and unknown key (`None` when there are
/// none).
fn link_notes(parsed: &link::Parsed) -> Option<Vec<String>> {
    let notes = parsed.notes();
    (!notes.is_empty()).then_some(notes)
}

impl Lab {
    pub fn bump(self) {
        self.version.update(|v| *v += 1);
        let t = now();
        let few = self.run.with_value(|r| r.n) <= FEW_SKILLS;
        if few || !self.playing.get_untracked() || t - self.slow_at.get_value() > SLOW_MS {
            self.slow_at.set_value(t);
            self.slow.update(|v| *v += 1);
        }
    }

    /// The step the page shows: hovered, else scrubbed, else `None` (the newest).
    pub fn shown(self) -> Option<u32> {
        self.hover.get().or(self.view.get())
    }

    /// The newest computed step over both runs.
    pub fn latest_step(self) -> u32 {
        let a = self.run.with_value(|r| r.step());
        let b = self
            .run_b
            .with_value(|r| r.as_ref().map(|r| r.step()).unwrap_or(0));
        a.max(b)
    }

    /// Both runs are done (the end step, or an error).
    fn finished(self) -> bool {
        self.run.with_value(|r| r.finished())
            && self
                .run_b
                .with_value(|r| r.as_ref().is_none_or(|r| r.finished()))
    }

    fn all_learned(self) -> bool {
        self.run.with_value(|r| r.all_learned())
            && self
                .run_b
                .with_value(|r| r.as_ref().is_none_or(|r| r.all_learned()))
    }

    /// Fresh runs from step 0 (same configurations and seeds: the same runs, bit for bit).
    pub fn reset(self) {
        let cfg = self.config.get_untracked();
        self.run.set_value(Run::new(&cfg));
        let b = self.config_b.get_untracked().map(|c| Run::new(&c));
        self.run_b.set_value(b);
        self.fit.set_value(FitState::Idle);
        self.view.set(None);
        self.hover.set(None);
        self.ignore_stop.set_value(false);
        self.bump();
        self.request_redraw();
    }

    pub fn play(self) {
        if self.view.get_untracked().is_none() && self.finished() {
            if self.run.with_value(|r| r.error.is_some()) {
                return;
            }
            self.reset();
        }
        if self.stop_learned.get_untracked() && self.all_learned() {
            self.ignore_stop.set_value(true);
        }
        self.playing.set(true);
        self.ensure_loop();
    }

    pub fn pause(self) {
        if self.playing.get_untracked() {
            self.playing.set(false);
            self.slow.update(|v| *v += 1);
        }
    }

    pub fn toggle(self) {
        if self.playing.get_untracked() {
            self.pause()
        } else {
            self.play()
        }
    }

    /// One recorded frame forward: through the kept frames when scrubbed back, else a new one.
    pub fn step(self) {
        self.pause();
        if let Some(v) = self.view.get_untracked() {
            let next = self.run.with_value(|r| {
                let k = r.index_at(v) + 1;
                r.frames.get(k).map(|f| f.step)
            });
            match next {
                Some(s) if s < self.latest_step() => self.view.set(Some(s)),
                _ => self.view.set(None),
            }
            self.request_redraw();
            return;
        }
        let mut changed = self.run.update_value_returning(|r| r.step_once(&now));
        changed |= self
            .run_b
            .update_value_returning(|r| r.as_mut().is_some_and(|r| r.step_once(&now)));
        if changed {
            self.bump();
            self.request_redraw();
        }
    }

    /// Show the state at `step` (pauses; the newest step follows the run again).
    pub fn scrub(self, step: u32) {
        self.pause();
        if step >= self.latest_step() {
            self.view.set(None);
        } else {
            self.view.set(Some(step));
        }
        self.request_redraw();
    }

    /// Start the animation loop unless it runs.
    fn ensure_loop(self) {
        if self.looping.get_value() {
            return;
        }
        self.looping.set_value(true);
        let id = self.loop_id.get_value() + 1;
        self.loop_id.set_value(id);
        request_animation_frame(move || self.tick(id));
    }

    /// One animation frame: a slice of steps (or of replayed frames), a slice of the fit,
    /// then a redraw; the loop ends when there is nothing left to do.
    fn tick(self, id: u64) {
        if self.loop_id.get_value() != id {
            return;
        }
        let t0 = now();
        let mut changed = false;
        let playing = self.playing.get_untracked();
        if playing {
            let speed = SPEEDS[self.speed.get_untracked().min(SPEEDS.len() - 1)];
            if let Some(v) = self.view.get_untracked() {
                // Replaying kept frames: no computation.
                let next = v.saturating_add(speed);
                self.view.set((next < self.latest_step()).then_some(next));
                changed = true;
            } else {
                // What the frame has left after last frame's drawing and the DOM updates.
                let left = FRAME_BUDGET_MS - self.last_draw_ms.get_value() - DOM_MS;
                let with_b = self.run_b.with_value(|r| r.is_some());
                let budget = left.clamp(1.0, SLICE_BUDGET_MS) / if with_b { 2.0 } else { 1.0 };
                changed |= self
                    .run
                    .update_value_returning(|r| r.advance(speed, &now, budget));
                changed |= self.run_b.update_value_returning(|r| {
                    r.as_mut().is_some_and(|r| r.advance(speed, &now, budget))
                });
            }
        }
        let t1 = now();
        if self.fit_running() {
            let left = FRAME_BUDGET_MS - (t1 - t0) - self.last_draw_ms.get_value() - DOM_MS;
            let done = self.fit.update_value_returning(|f| match f {
                FitState::Running(fit) => fit.work(&now, left.max(1.0)),
                _ => None,
            });
            if let Some(out) = done {
                self.fit.set_value(match out {
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
            self.draw_now();
        }
        let t3 = now();
        if changed {
            self.last_draw_ms.set_value(t3 - t2);
        }
        if playing {
            self.stats
                .update_value(|s| s.add_frame(t1 - t0, t2 - t1, t3 - t2));
        }
        if playing && self.view.get_untracked().is_none() {
            let stop_learned = self.stop_learned.get_untracked()
                && !self.ignore_stop.get_value()
                && self.all_learned();
            if self.finished() || stop_learned {
                self.pause();
                if stop_learned {
                    self.status.set(format!(
                        "Stopped at step {}: every skill is learned.",
                        self.latest_step()
                    ));
                }
            }
        }
        // The finished Geometry run gets its fit if the overlay is on.
        if !self.playing.get_untracked() && self.finished() {
            self.maybe_start_fit();
        }
        if self.playing.get_untracked() || self.fit_running() {
            request_animation_frame(move || self.tick(id));
        } else {
            self.looping.set_value(false);
        }
    }

    fn fit_running(self) -> bool {
        self.fit.with_value(|f| matches!(f, FitState::Running(_)))
    }

    /// Start the best-N0 fit on the frames so far (the "Fit now" button, or the end of a run
    /// with the overlay on).
    pub fn start_fit(self) {
        let cfg = self.config.get_untracked();
        let fit = self.run.with_value(|r| Fit::new(r, &cfg));
        self.fit.set_value(match fit {
            Ok(f) => FitState::Running(Box::new(f)),
            Err(e) => FitState::Failed(e),
        });
        self.bump();
        self.ensure_loop();
    }

    fn maybe_start_fit(self) {
        let idle = self.fit.with_value(|f| matches!(f, FitState::Idle));
        if idle
            && self.show_fit.get_untracked()
            && self.config.with_untracked(|c| c.model == Model::Geometry)
            && self.run.with_value(|r| r.finished() && r.error.is_none())
        {
            self.start_fit();
        }
    }

    /// Redraw on the next animation frame; several requests in one frame draw once.
    pub fn request_redraw(self) {
        if self.redraw_pending.get_value() {
            return;
        }
        self.redraw_pending.set_value(true);
        request_animation_frame(move || {
            if self.redraw_pending.get_value() {
                self.draw_now();
            }
        });
    }

    fn draw_now(self) {
        self.redraw_pending.set_value(false);
        if let Err(e) = draw::all(self) {
            leptos::logging::warn!("drawing failed: {e}");
        }
    }

    /// Restart both runs from step 0 on the next animation frame (several changes in one
    /// frame, as while dragging a slider, restart once).
    fn restart_soon(self) {
        if self.restart_pending.get_value() {
            return;
        }
        self.restart_pending.set_value(true);
        let restart = move || {
            if !self.restart_pending.get_value() {
                return;
            }
            self.restart_pending.set_value(false);
            let was_playing = self.playing.get_untracked();
            self.reset();
            if was_playing {
                self.play();
            }
        };
        // A heavy set-up blocks the page for a moment: say so first, and let that show.
        let heavy = self.config.with_untracked(|c| c.setup_work()) > HEAVY_SETUP
            || self
                .config_b
                .with_untracked(|c| c.as_ref().is_some_and(|c| c.setup_work() > HEAVY_SETUP));
        if heavy {
            self.status
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
        let old = self.config.get_untracked();
        let (new, problems) = old.with(key, value);
        self.problems.set(problems.clone());
        if !problems.is_empty() {
            let msg = problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            self.status.set(format!("Not changed: {msg}"));
            return;
        }
        if new == old {
            return;
        }
        self.apply_config(old, new, push, &format!("{key} = {value}"));
    }

    /// A slider moved: as [`Lab::set_key`], except that a configuration whose set-up is
    /// heavy (drawing and orthonormalising large task matrices) waits for the slider's release,
    /// so dragging across it never blocks the page once per position.
    pub fn drag_key(self, key: &str, value: &str) {
        let (new, problems) = self.config.with_untracked(|c| c.with(key, value));
        if problems.is_empty() && new.setup_work() > HEAVY_SETUP {
            self.status.set(format!(
                "{key} = {value}: a large set-up; release the slider to restart with it."
            ));
            return;
        }
        self.set_key(key, value, false);
    }

    fn apply_config(self, old: Config, new: Config, push: bool, what: &str) {
        let new_b = self
            .compare
            .with_untracked(|c| c.as_ref().map(|c| c.apply(&new)));
        let old_b = self.config_b.get_untracked();
        self.config.set(new.clone());
        if let Some((b, problems)) = &new_b {
            self.compare_problems.set(problems.clone());
            self.config_b.set(Some(b.clone()));
        }
        self.write_link(push);
        let live_a = self
            .run
            .update_value_returning(|r| r.apply_live(&old, &new));
        let live_b = match (&old_b, &new_b) {
            (Some(ob), Some((nb, _))) => self
                .run_b
                .update_value_returning(|r| r.as_mut().is_some_and(|r| r.apply_live(ob, nb))),
            _ => true,
        };
        if live_a && live_b {
            self.status
                .set(format!("{what}: applied to the run as it is (no restart)."));
            self.bump();
            self.request_redraw();
        } else {
            self.status
                .set(format!("{what}: the run restarted from step 0."));
            self.restart_soon();
        }
    }

    /// Switch model: that model's defaults, keeping the seed and the comparison; the link
    /// gets a new history entry.
    pub fn switch_model(self, model: Model) {
        let old = self.config.get_untracked();
        let cfg = Config {
            seed: old.seed,
            ..Config::defaults(model)
        };
        self.preset.set_value(None);
        self.problems.set(vec![]);
        self.speed.set(default_speed(cfg.steps));
        self.apply_config(old, cfg, true, &format!("Model = {}", model.title()));
    }

    /// A new random seed: a new run (and a new history entry).
    pub fn new_seed(self) {
        let seed = (js_sys::Math::random() * 1e9).floor() as u64;
        self.set_key("seed", &seed.to_string(), true);
    }

    /// Start, change or end a comparison.
    pub fn set_compare(self, c: Option<Compare>) {
        let cfg = self.config.get_untracked();
        let b = c.as_ref().map(|c| c.apply(&cfg));
        self.compare_problems
            .set(b.as_ref().map(|b| b.1.clone()).unwrap_or_default());
        self.config_b.set(b.map(|b| b.0));
        self.compare.set(c);
        self.write_link(true);
        let was_playing = self.playing.get_untracked();
        self.reset();
        if was_playing {
            self.play();
        }
    }

    /// A ready-made comparison: the first configuration's keys, then the second's.
    pub fn compare_example(self, a_keys: &str, b_keys: &str) {
        let seed = self.config.get_untracked().seed;
        let (mut a, _) = lab::set_keys(&Config::default(), a_keys);
        a.seed = seed;
        self.preset.set_value(None);
        self.speed.set(default_speed(a.steps));
        self.config.set(a);
        self.set_compare(Some(Compare::parse(b_keys)));
        self.status.set(String::new());
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

    fn write_link(self, push: bool) {
        // An embed never adds entries to its host page's history (Back would move the frame).
        let push = push && !embed::opts().embed;
        let url = embed::keep_page_keys(self.link());
        if let Ok(h) = window().history() {
            let _ = if push {
                h.push_state_with_url(&JsValue::NULL, "", Some(&url))
            } else {
                h.replace_state_with_url(&JsValue::NULL, "", Some(&url))
            };
        }
    }

    /// Back or forward through the history: read the link again.
    fn reload_from_location(self) {
        let loc = window().location();
        // a sweep link in the history (pushed by the sweep page) is the sweep page
        if sweep::requested().is_some() {
            let _ = loc.reload();
            return;
        }
        let parsed = link::parse(&embed::link_query());
        self.notice.set(link_notes(&parsed));
        let compare = lab::compare_from_hash(&loc.hash().unwrap_or_default());
        self.preset.set_value(parsed.preset);
        let b = compare.as_ref().map(|c| c.apply(&parsed.config));
        self.compare_problems
            .set(b.as_ref().map(|b| b.1.clone()).unwrap_or_default());
        self.config_b.set(b.map(|b| b.0));
        self.compare.set(compare);
        self.speed.set(default_speed(parsed.config.steps));
        self.config.set(parsed.config);
        self.problems.set(vec![]);
        self.status.set("Loaded the link from the history.".into());
        let was_playing = self.playing.get_untracked();
        self.reset();
        if was_playing {
            self.play();
        }
    }

    pub fn open_help(self) {
        if let Some(d) = self.help.get_untracked() {
            if !d.open() {
                let _ = d.show_modal();
            }
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

fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Panics show an error panel (`#fatal`), never a blank page, and go to the console.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_fatal(&info.to_string());
    }));
}

fn show_fatal(msg: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(l) = doc.get_element_by_id("loading") {
        l.remove();
    }
    let el = match doc.get_element_by_id("fatal") {
        Some(el) => el,
        None => {
            let Ok(el) = doc.create_element("div") else {
                return;
            };
            el.set_id("fatal");
            let _ = el.set_attribute("role", "alert");
            let _ = el.set_attribute("class", "fatal");
            if let Some(body) = doc.body() {
                let _ = body.prepend_with_node_1(&el);
            }
            el
        }
    };
    el.set_text_content(Some(&format!(
        "Something went wrong inside the lab and it stopped: {msg}. Reload the page to start again."
    )));
}

/// The page: the sweep page for a sweep link (`sweep=…`, a sweep preset, `runs=K`), else the lab.
#[component]
pub fn Root() -> impl IntoView {
    match sweep::requested() {
        Some(link) => {
            if let Some(l) = document().get_element_by_id("loading") {
                l.remove();
            }
            sweep::page(link).into_any()
        }
        None => view! { <App /> }.into_any(),
    }
}

#[component]
pub fn App() -> impl IntoView {
    if let Some(l) = document().get_element_by_id("loading") {
        l.remove();
    }
    let loc = window().location();
    let parsed = link::parse(&embed::link_query());
    let compare = lab::compare_from_hash(&loc.hash().unwrap_or_default());
    let notice = RwSignal::new(link_notes(&parsed));

    let cfg = parsed.config;
    let b = compare.as_ref().map(|c| c.apply(&cfg));
    let lab = Lab {
        notice,
        run: StoredValue::new_local(Run::new(&cfg)),
        run_b: StoredValue::new_local(b.as_ref().map(|b| Run::new(&b.0))),
        compare_problems: RwSignal::new(b.as_ref().map(|b| b.1.clone()).unwrap_or_default()),
        config_b: RwSignal::new(b.map(|b| b.0)),
        compare: RwSignal::new(compare),
        preset: StoredValue::new(parsed.preset),
        speed: RwSignal::new(default_speed(cfg.steps)),
        config: RwSignal::new(cfg),
        version: RwSignal::new(0),
        slow: RwSignal::new(0),
        slow_at: StoredValue::new(0.0),
        playing: RwSignal::new(false),
        stop_learned: RwSignal::new(false),
        ignore_stop: StoredValue::new(false),
        view: RwSignal::new(None),
        hover: RwSignal::new(None),
        tab: RwSignal::new(Tab::Loss),
        show_fit: RwSignal::new(false),
        show_domino: RwSignal::new(false),
        fit: StoredValue::new_local(FitState::Idle),
        problems: RwSignal::new(vec![]),
        status: RwSignal::new(String::new()),
        loop_id: StoredValue::new(0),
        looping: StoredValue::new(false),
        redraw_pending: StoredValue::new(false),
        restart_pending: StoredValue::new(false),
        last_draw_ms: StoredValue::new(0.0),
        stats: StoredValue::new_local(draw::Stats::default()),
        a: Canvases::new(),
        b: Canvases::new(),
        areas: StoredValue::new([None; 4]),
        help: NodeRef::new(),
    };

    let error = Memo::new(move |_| {
        lab.version.track();
        lab.run.with_value(|r| r.error.clone())
    });

    // First drawing once the canvases exist; redraw when the window, the theme, the scrubbed
    // step or the overlays change.
    Effect::new(move |_| {
        lab.hover.track();
        lab.view.track();
        lab.tab.track();
        lab.show_domino.track();
        lab.show_fit.track();
        // While playing, the loop redraws every frame anyway.
        if !lab.playing.get_untracked() {
            lab.request_redraw()
        }
    });
    let resize = window_event_listener(ev::resize, move |_| lab.request_redraw());
    let history = window_event_listener(ev::popstate, move |_| lab.reload_from_location());
    watch_color_scheme(lab);
    let keys = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        on_key(lab, &e)
    });
    on_cleanup(move || {
        resize.remove();
        keys.remove();
        history.remove();
    });
    // Autoplay (unless the reader asked for reduced motion) from the frame after the first
    // drawing, so the page's start-up work (first canvas draw, fonts, compiling the step) is
    // not an animation frame.
    if embed::autoplay() && lab.run.with_value(|r| r.error.is_none()) {
        request_animation_frame(move || {
            lab.run.with_value(|r| r.warm_up());
            request_animation_frame(move || lab.play())
        });
    }

    view! {
        <header class="top">
            <div class="title">
                <h1>"Skill Dominoes"</h1>
                <p class="lede">
                    "Skills are learned one after another, like falling dominoes: a live toy model from "
                    <a href="https://arxiv.org/abs/2501.12391">"“Physics of Skill Learning”"</a>
                    "."
                </p>
            </div>
            <div class="top-controls">
                <div class="field">
                    <label for="model">"Model"</label>
                    <select
                        id="model"
                        data-testid="model"
                        on:change=move |e| {
                            let v = event_target_value(&e);
                            if let Some(m) = Model::ALL.into_iter().find(|m| m.name() == v) {
                                lab.switch_model(m);
                            }
                        }
                    >
                        {Model::ALL
                            .into_iter()
                            .map(|m| {
                                view! {
                                    <option
                                        value=m.name()
                                        prop:selected=move || lab.config.with(|c| c.model == m)
                                    >
                                        {m.title()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                {(!embed::opts().embed)
                    .then(|| {
                        view! {
                            <a class="top-link" href="#sweeps-title" data-testid="to-sweeps" title="Sweeps: many runs over a grid, in parallel (scaling laws, Fig. 19's scatter)">
                                "Sweeps"
                            </a>
                        }
                    })}
                <button
                    class="help-button"
                    data-testid="helpbtn"
                    aria-keyshortcuts="Shift+Slash"
                    title="Keyboard shortcuts (?)"
                    on:click=move |_| lab.open_help()
                >
                    "?"
                </button>
            </div>
        </header>
        <main class="layout">
            <div class="lab">
                {share::top(lab)}
                {move || {
                    notice
                        .get()
                        .map(|items| {
                            view! {
                                <section class="notice" data-testid="notice" aria-label="Problems with the link">
                                    <p>"Some values in this link could not be used; defaults were taken instead:"</p>
                                    <ul>{items.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                                    <button class="small" on:click=move |_| notice.set(None)>"Dismiss"</button>
                                </section>
                            }
                        })
                }}
                {move || {
                    error
                        .get()
                        .map(|e| {
                            view! {
                                <div class="error" role="alert" data-testid="error">
                                    <strong>"The run stopped. "</strong>
                                    {e}
                                </div>
                            }
                        })
                }}
                {charts::transport(lab, SPEEDS)}
                {move || dominoes::section(lab)}
                {charts::charts(lab)}
                {share::bar(lab)}
                <p class="summary" aria-live="polite" data-testid="summary">
                    {move || {
                        lab.slow.track();
                        let a = lab.run.with_value(|r| r.summary());
                        match lab.run_b.with_value(|r| r.as_ref().map(|r| r.summary())) {
                            Some(b) => format!("A: {a} B: {b}"),
                            None => a,
                        }
                    }}
                </p>
                {theory::theory(lab)}
                {theory::compare(lab)}
            </div>
            <aside class="side" aria-label="Model parameters">
                {panels::panels(lab)}
            </aside>
        </main>
        {gallery::gallery(lab)}
        <footer class="foot">
            <details class="perf">
                <summary>"Performance"</summary>
                <p data-testid="perf">
                    {move || {
                        lab.slow.track();
                        lab.stats.with_value(|s| s.text())
                    }}
                </p>
            </details>
        </footer>
        <dialog class="help" data-testid="help" node_ref=lab.help aria-labelledby="help-title">
            <h2 id="help-title">"Keyboard shortcuts"</h2>
            <dl class="keys">
                <dt><kbd>"Space"</kbd></dt><dd>"Play or pause"</dd>
                <dt><kbd>"→"</kbd></dt><dd>"One step forward (through the kept frames when scrubbed back)"</dd>
                <dt><kbd>"R"</kbd></dt><dd>"Reset: the same run again from step 0, bit for bit"</dd>
                <dt><kbd>"?"</kbd></dt><dd>"This help"</dd>
                <dt><kbd>"Esc"</kbd></dt><dd>"Close this help"</dd>
            </dl>
            <p class="hint">"Hover or drag on a chart, or move the timeline slider, to see every value at that step."</p>
            <form method="dialog">
                <button class="primary" data-testid="helpclose">"Close"</button>
            </form>
        </dialog>
    }
}

/// Redraw the canvases when the system switches between light and dark.
fn watch_color_scheme(lab: Lab) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    if let Ok(Some(mql)) = window().match_media("(prefers-color-scheme: dark)") {
        let cb = Closure::<dyn Fn()>::new(move || lab.request_redraw());
        let _ = mql.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
        // The page lives as long as the tab: the listener is never removed.
        cb.forget();
    }
}

fn on_key(lab: Lab, e: &web_sys::KeyboardEvent) {
    if e.ctrl_key() || e.meta_key() || e.alt_key() {
        return;
    }
    // Form controls keep their own keys (Space presses a focused button, arrows move a slider).
    let tag = e
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        .map(|el| el.tag_name().to_ascii_lowercase())
        .unwrap_or_default();
    let in_control = matches!(
        tag.as_str(),
        "input" | "select" | "textarea" | "button" | "summary" | "a"
    );
    let help_open = lab.help.get_untracked().is_some_and(|d| d.open());
    match e.key().as_str() {
        "?" if !matches!(tag.as_str(), "input" | "textarea") => {
            if help_open {
                if let Some(d) = lab.help.get_untracked() {
                    d.close();
                }
            } else {
                lab.open_help();
            }
        }
        _ if in_control || help_open => return,
        " " => lab.toggle(),
        "ArrowRight" => lab.step(),
        "r" | "R" => {
            lab.pause();
            lab.reset();
        }
        _ => return,
    }
    e.prevent_default();
}
