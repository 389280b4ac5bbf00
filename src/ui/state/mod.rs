//! The lab page's state, apart from its views: a `Copy` handle, [`LabState`], made of parts —
//! [`Setup`] (what the link says: the configuration, its preset, the comparison, what became of
//! the last change), [`Runs`] (the runs, the best-N0 fit and the counters views track),
//! [`Playback`] (the transport and the animation loop's bookkeeping), [`ViewOptions`] (the
//! second chart's tab, the overlays) and [`ChartCanvases`]. Its methods are the page's acts
//! (`playback.rs`: play, step, scrub, the animation frame, the fit; `setup.rs`: set a key,
//! switch model, compare, the link and the history); views call them and read the parts,
//! while the state asks for frames through its [`Animation`] and never names a view.
//!
//! Reactive state is small: signals for what the view shows, and a `version` counter bumped
//! whenever a run's frames change. The frames themselves sit in non-reactive
//! [`StoredValue`]s, so a 1000-frame trajectory is never cloned to re-render.

mod playback;
mod pool;
mod setup;

use super::animation::{now, Animation};
use super::location;
use crate::lab::{self, default_speed, Compare, Fit, Fitted, FrameStats, Pacing, Run};
use crate::link::presets::Preset;
use crate::link::{self, Config, Problem};
use crate::plot::run::PlotArea;
use leptos::html::Canvas;
use leptos::prelude::*;

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
    /// The key of the slider being dragged once its drag has added a history entry (the
    /// drag's later values replace that entry).
    pub dragging: StoredValue<Option<&'static str>>,
}

/// The notice lines of a link: each problem, notice and unknown key, what the page's budget
/// reduced, then each difference of its `#vs=` comparison that B could not use (`None` when there are none).
fn link_notes(
    parsed: &link::Parsed,
    reduced: Option<String>,
    compare: &[Problem],
) -> Option<Vec<String>> {
    let mut notes = parsed.notes();
    notes.extend(reduced);
    notes.extend(compare.iter().map(|p| format!("B (#vs=): {p}")));
    (!notes.is_empty()).then_some(notes)
}

/// The configuration the page runs for a parsed link: within the page's own budget
/// ([`lab::interactive`]), with the notice of what was reduced.
fn page_config(parsed: &link::Parsed) -> (Config, Option<String>) {
    let i = lab::interactive(&parsed.config);
    let note = i.note(&parsed.config, &parsed.config.to_query());
    (i.config, note)
}

/// A comparison applied to `base`: the differences B uses (`None` when none is left), B's
/// configuration, and each refused difference.
fn applied(
    compare: Option<&Compare>,
    base: &Config,
) -> (Option<Compare>, Option<Config>, Vec<Problem>) {
    match compare.map(|c| c.apply(base)) {
        Some(mut a) if !a.kept.diffs.is_empty() => {
            // B is kept within the page's budget too
            let i = lab::interactive(&a.config);
            if let Some(note) = i.note(&a.config, &a.config.to_query()) {
                a.problems.push(Problem {
                    key: "vs".into(),
                    message: note,
                });
            }
            (Some(a.kept), Some(i.config), a.problems)
        }
        Some(a) => (None, None, a.problems),
        None => (None, None, vec![]),
    }
}

impl Setup {
    /// The comparison and B's configuration, `compare` applied to `base`.
    /// The differences B could not use are dropped (and named in `compare_problems`), so B's
    /// label and the link show only what B runs.
    fn set_compare(self, compare: Option<Compare>, base: &Config) {
        let (compare, b, problems) = applied(compare.as_ref(), base);
        self.compare_problems.set(problems);
        self.config_b.set(b);
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
    /// How the playing frames share the page's thread (`lab::Pacing`).
    pacing: StoredValue<Pacing, LocalStorage>,
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
        let (cfg, reduced) = page_config(&parsed);
        let (compare, b, compare_problems) =
            applied(lab::compare_from_hash(&location::hash()).as_ref(), &cfg);
        let setup = Setup {
            notice: RwSignal::new(link_notes(&parsed, reduced, &compare_problems)),
            compare_problems: RwSignal::new(compare_problems),
            config_b: RwSignal::new(b.clone()),
            compare: RwSignal::new(compare),
            preset: StoredValue::new(parsed.preset),
            config: RwSignal::new(cfg.clone()),
            problems: RwSignal::new(vec![]),
            status: RwSignal::new(String::new()),
            dragging: StoredValue::new(None),
        };
        let runs = Runs {
            a: StoredValue::new_local(Run::new(&cfg)),
            b: StoredValue::new_local(b.as_ref().map(Run::new)),
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
            pacing: StoredValue::new_local(Pacing::default()),
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
        lab.attach_pool();
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
        self.attach_pool();
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
