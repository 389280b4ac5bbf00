//! The page (Leptos 0.8, client-side rendered): the only code that touches the DOM, timers
//! and canvases. One component, [`App`], owns the state; the simulation lives in a
//! [`run::Run`] that the animation loop advances a slice per frame.
//!
//! Reactive state is small and `Copy` ([`Lab`]): signals for what the view shows, and a
//! `version` counter bumped whenever the run's frames change. The frames themselves sit in a
//! non-reactive [`StoredValue`], so a 1000-frame trajectory is never cloned to re-render.

mod draw;
mod run;

use crate::chart::{css_color, sig2, skill_color};
use crate::params::{self, Config, Model};
use leptos::ev;
use leptos::html::Canvas;
use leptos::prelude::*;
use run::Run;
use wasm_bindgen::JsValue;

/// Steps per animation frame the speed slider offers.
const SPEEDS: [u32; 13] = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/// Work per animation frame on the simulation, at most (the slice stops early after this).
const SLICE_BUDGET_MS: f64 = 8.0;
/// Above this many skills the domino row becomes a heat strip.
const MAX_TILES: usize = 40;

/// The default speed: the whole run in ~400 frames (about 6–7 s at 60 Hz).
fn default_speed(steps: u32) -> usize {
    let want = steps.div_ceil(400).max(1);
    SPEEDS
        .iter()
        .position(|&s| s >= want)
        .unwrap_or(SPEEDS.len() - 1)
}

/// The page's state: every field is a handle, so `Lab` is `Copy` and moves into closures.
#[derive(Clone, Copy)]
struct Lab {
    config: RwSignal<Config>,
    run: StoredValue<Run, LocalStorage>,
    /// Bumped whenever `run` changes (frames appended, reset, model switched).
    version: RwSignal<u64>,
    playing: RwSignal<bool>,
    speed: RwSignal<usize>,
    /// Identifies the current animation loop; a stale loop sees a newer id and ends.
    loop_id: StoredValue<u64>,
    redraw_pending: StoredValue<bool>,
    stats: StoredValue<draw::Stats, LocalStorage>,
    chart: NodeRef<Canvas>,
    loss: NodeRef<Canvas>,
    strip: NodeRef<Canvas>,
}

impl Lab {
    fn bump(self) {
        self.version.update(|v| *v += 1);
    }

    fn reset(self) {
        let cfg = self.config.get_untracked();
        self.run.set_value(Run::new(&cfg));
        self.bump();
        self.request_redraw();
    }

    fn play(self) {
        if self.run.with_value(|r| r.finished()) {
            if self.run.with_value(|r| r.error.is_some()) {
                return;
            }
            self.reset();
        }
        self.playing.set(true);
        let id = self.loop_id.get_value() + 1;
        self.loop_id.set_value(id);
        request_animation_frame(move || self.tick(id));
    }

    fn pause(self) {
        self.playing.set(false);
        self.loop_id.update_value(|id| *id += 1);
    }

    fn toggle(self) {
        if self.playing.get_untracked() {
            self.pause()
        } else {
            self.play()
        }
    }

    fn step(self) {
        self.pause();
        let changed = self.run.update_value_returning(|r| r.step_once(&now));
        if changed {
            self.bump();
            self.request_redraw();
        }
    }

    /// One animation frame: a slice of steps (at most `speed`, at most ~8 ms), then a redraw.
    fn tick(self, id: u64) {
        if self.loop_id.get_value() != id || !self.playing.get_untracked() {
            return;
        }
        let t0 = now();
        let speed = SPEEDS[self.speed.get_untracked().min(SPEEDS.len() - 1)];
        let changed = self
            .run
            .update_value_returning(|r| r.advance(speed, &now, SLICE_BUDGET_MS));
        let t1 = now();
        if changed {
            self.bump();
            self.draw_now();
        }
        self.stats
            .update_value(|s| s.add_slice(t1 - t0, now() - t1));
        if self.run.with_value(|r| r.finished()) {
            self.pause();
        } else {
            request_animation_frame(move || self.tick(id));
        }
    }

    /// Redraw on the next animation frame; several requests in one frame draw once.
    fn request_redraw(self) {
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
        let (chart, loss, strip) = (
            self.chart.get_untracked(),
            self.loss.get_untracked(),
            self.strip.get_untracked(),
        );
        self.run.with_value(|r| {
            if let Err(e) = draw::all(r, chart.as_ref(), loss.as_ref(), strip.as_ref()) {
                leptos::logging::warn!("drawing failed: {e}");
            }
        });
    }

    /// Switch model: that model's defaults, keeping the seed; the link follows.
    fn switch_model(self, model: Model) {
        let was_playing = self.playing.get_untracked();
        self.pause();
        let seed = self.config.get_untracked().seed;
        let cfg = Config {
            seed,
            ..Config::defaults(model)
        };
        replace_query(&cfg);
        self.speed.set(default_speed(cfg.steps));
        self.config.set(cfg);
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

fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

fn replace_query(cfg: &Config) {
    let url = format!("?{}", cfg.to_query());
    if let Ok(h) = window().history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
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

#[component]
pub fn App() -> impl IntoView {
    if let Some(l) = document().get_element_by_id("loading") {
        l.remove();
    }
    let parsed = params::parse(&window().location().search().unwrap_or_default());
    let mut notes: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
    notes.extend(
        parsed
            .unknown
            .iter()
            .map(|k| format!("{k}: unknown key, ignored")),
    );
    let notice = RwSignal::new((!notes.is_empty()).then_some(notes));

    let cfg = parsed.config;
    let lab = Lab {
        run: StoredValue::new_local(Run::new(&cfg)),
        speed: RwSignal::new(default_speed(cfg.steps)),
        config: RwSignal::new(cfg),
        version: RwSignal::new(0),
        playing: RwSignal::new(false),
        loop_id: StoredValue::new(0),
        redraw_pending: StoredValue::new(false),
        stats: StoredValue::new_local(draw::Stats::default()),
        chart: NodeRef::new(),
        loss: NodeRef::new(),
        strip: NodeRef::new(),
    };

    // Derived text, recomputed when the run changes.
    let step = Memo::new(move |_| {
        lab.version.track();
        lab.run.with_value(|r| r.step())
    });
    let loss_text = Memo::new(move |_| {
        lab.version.track();
        lab.run.with_value(|r| {
            r.last()
                .map(|f| format!("{:.6e}", f.loss))
                .unwrap_or_default()
        })
    });
    let summary = Memo::new(move |_| {
        lab.version.track();
        lab.run.with_value(|r| r.summary())
    });
    let error = Memo::new(move |_| {
        lab.version.track();
        lab.run.with_value(|r| r.error.clone())
    });
    let total = move || lab.config.with(|c| c.steps);

    // First drawing once the canvases exist; redraw when the window or the theme changes.
    Effect::new(move |_| lab.request_redraw());
    let resize = window_event_listener(ev::resize, move |_| lab.request_redraw());
    watch_color_scheme(lab);
    let keys = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        on_key(lab, &e)
    });
    on_cleanup(move || {
        resize.remove();
        keys.remove();
    });
    if !prefers_reduced_motion() && lab.run.with_value(|r| r.error.is_none()) {
        lab.play();
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
        </header>
        <main>
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
            <section class="transport" aria-label="Run controls">
                <button
                    class="primary"
                    data-testid="play"
                    aria-keyshortcuts="Space"
                    on:click=move |_| lab.toggle()
                >
                    {move || if lab.playing.get() { "Pause" } else { "Play" }}
                </button>
                <button data-testid="stepbtn" aria-keyshortcuts="ArrowRight" on:click=move |_| lab.step()>
                    "Step"
                </button>
                <button data-testid="reset" aria-keyshortcuts="R" on:click=move |_| {
                    lab.pause();
                    lab.reset();
                }>"Reset"</button>
                <label class="speed">
                    <span>"Speed"</span>
                    <input
                        type="range"
                        data-testid="speed"
                        min="0"
                        max=SPEEDS.len() - 1
                        step="1"
                        prop:value=move || lab.speed.get().to_string()
                        on:input=move |e| {
                            let v = event_target_value(&e).parse().unwrap_or(0usize);
                            lab.speed.set(v.min(SPEEDS.len() - 1));
                        }
                        aria-valuetext=move || format!("{} steps per frame", SPEEDS[lab.speed.get()])
                    />
                    <span class="speed-value">{move || format!("{} steps/frame", SPEEDS[lab.speed.get()])}</span>
                </label>
                <p class="readout">
                    "step " <output data-testid="step">{move || step.get()}</output> " / " {total}
                    <span class="sep">" · "</span> "loss " <output data-testid="loss">{move || loss_text.get()}</output>
                </p>
            </section>
            <section class="charts" aria-label="Charts">
                <canvas
                    class="chart"
                    data-testid="chart"
                    node_ref=lab.chart
                    role="img"
                    aria-label="Skill levels s_i against training step, one curve per skill"
                ></canvas>
                <canvas
                    class="chart loss"
                    data-testid="losschart"
                    node_ref=lab.loss
                    role="img"
                    aria-label="Total loss against training step"
                ></canvas>
            </section>
            <section class="dominoes-wrap" aria-label="Dominoes: one tile per skill">
                <h2>"Dominoes"</h2>
                <p class="hint">"One tile per skill, labelled with its frequency; a tile falls flat as its skill is learned."</p>
                {move || dominoes(lab)}
            </section>
            <p class="summary" aria-live="polite" data-testid="summary">{move || summary.get()}</p>
            <details class="perf">
                <summary>"Performance"</summary>
                <p data-testid="perf">{move || {
                    lab.version.track();
                    lab.stats.with_value(|s| s.text())
                }}</p>
                <p>"Keyboard: Space play/pause, → step, R reset."</p>
            </details>
        </main>
    }
}

/// The domino row: one tile per skill (rotated by clamp(s_i, 0, 1) × 90° about its
/// bottom-right corner, so a learned skill lies flat), or a heat strip for many skills.
fn dominoes(lab: Lab) -> AnyView {
    let (n, freqs) = lab.config.with(|c| (c.skills(), run::skill_freqs(c)));
    if n > MAX_TILES {
        return view! {
            <div class="strip-wrap" data-testid="dominoes">
                <canvas class="strip" node_ref=lab.strip role="img"
                    aria-label=format!("Heat strip of {n} skill levels, from skill 1 on the left")></canvas>
            </div>
        }
        .into_any();
    }
    let level = move |i: usize| {
        lab.version.track();
        lab.run.with_value(|r| {
            r.last()
                .and_then(|f| f.levels.get(i).copied())
                .unwrap_or(0.0)
        })
    };
    let tiles = (0..n)
        .map(|i| {
            let color = css_color(skill_color(i, n));
            let freq = freqs.get(i).map(|p| sig2(*p)).unwrap_or_default();
            let title = if freq.is_empty() {
                format!("skill {}", i + 1)
            } else {
                format!("skill {} (frequency {})", i + 1, freq)
            };
            let label = title.clone();
            view! {
                <li class="slot" data-testid="tile" title=title>
                    <div class="stage">
                        <div
                            class="tile"
                            style:background-color=color
                            style:transform=move || {
                                let s = level(i);
                                let a = if s.is_finite() { s.clamp(0.0, 1.0) * 90.0 } else { 0.0 };
                                format!("rotate({a:.2}deg)")
                            }
                            aria-label=move || format!("{label}: level {:.2}", level(i))
                            role="img"
                        ></div>
                    </div>
                    <span class="idx">{i + 1}</span>
                    <span class="freq">{freq}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ol class="dominoes" data-testid="dominoes" style:grid-template-columns=format!("repeat({n}, minmax(0, 1fr))")>
            {tiles}
        </ol>
    }
    .into_any()
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
    if matches!(
        tag.as_str(),
        "input" | "select" | "textarea" | "button" | "summary" | "a"
    ) {
        return;
    }
    match e.key().as_str() {
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
