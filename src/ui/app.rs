//! The lab page: [`App`] makes the state ([`LabState`]), hands the animation its drawing,
//! wires the window's events (resize, history, colour scheme, keys) and lays out the views.

use super::animation::now;
use super::canvas::on_color_scheme_change;
use super::charts::Charts;
use super::dominoes::Dominoes;
use super::draw;
use super::embed::EmbedBar;
use super::gallery::{Figure, Gallery};
use super::inside::InsidePanel;
use super::location;
use super::panels::Panels;
use super::share::ShareBar;
use super::state::{LabState, Runs};
use super::theory::{ComparePanel, TheoryPanel};
use super::tour::{Tour, TourButton, TourCard};
use super::transport::Transport;
use crate::lab::FrameStats;
use crate::link::Model;
use leptos::ev;
use leptos::html::{Button, Dialog};
use leptos::prelude::*;

/// Remove the loading skeleton of index.html (the page is up).
pub fn remove_loading() {
    if let Some(l) = document().get_element_by_id("loading") {
        l.remove();
    }
}

#[component]
pub fn App() -> impl IntoView {
    let lab = LabState::from_location();
    Tour::provide(lab);
    // Where the live preview of the loading block got to (before it goes with the block), if
    // it ran the run the lab now has (a tour step may have opened another).
    let previewed = lab.setup.config.with_untracked(super::preview::reached);
    remove_loading();
    lab.anim.on_draw(move || {
        if let Err(e) = draw::all(lab) {
            leptos::logging::warn!("drawing failed: {e}");
        }
    });
    let help = Help {
        dialog: NodeRef::new(),
        button: NodeRef::new(),
        resume: StoredValue::new(false),
        opener: StoredValue::new_local(None),
        lab,
    };

    // First drawing once the canvases exist; redraw when the window, the theme, the scrubbed
    // step or the overlays change.
    Effect::new(move |_| {
        lab.playback.hover.track();
        lab.playback.scrubbed.track();
        lab.options.tab.track();
        lab.options.show_domino.track();
        lab.options.show_fit.track();
        // While playing, the loop redraws every frame anyway.
        if !lab.playback.playing.get_untracked() {
            lab.request_redraw()
        }
    });
    let resize = window_event_listener(ev::resize, move |_| lab.request_redraw());
    let history = window_event_listener(ev::popstate, move |_| lab.reload_from_location());
    on_color_scheme_change(move || lab.request_redraw());
    let keys = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        on_key(lab, help, &e)
    });
    on_cleanup(move || {
        resize.remove();
        keys.remove();
        history.remove();
    });
    // Autoplay (unless the reader asked for reduced motion) from the frame after the first
    // drawing, so the page's start-up work (first canvas draw, fonts, compiling the step) is
    // not an animation frame.
    if location::autoplay() && lab.runs.a.with_value(|r| r.error.is_none()) {
        // The preview ran the same run: continue from its step rather than start again.
        if let Some(step) = previewed {
            lab.runs.a.update_value(|r| {
                r.advance(step.saturating_sub(r.step()), &now, f64::INFINITY);
            });
        }
        request_animation_frame(move || {
            lab.runs.a.with_value(|r| r.warm_up());
            request_animation_frame(move || lab.play())
        });
    }

    view! {
        <a class="skip-link" href="#parameters" data-testid="skip" on:click=move |e| {
            e.prevent_default();
            focus_parameters();
        }>"Skip to parameters"</a>
        <Header lab=lab help=help />
        <main class="layout">
            <div class="lab">
                <EmbedBar lab=lab />
                <Notice notice=lab.setup.notice />
                <TourCard />
                <RunError runs=lab.runs />
                // The first screen shows the visualisation (issue "The first minute"): the
                // transport, the dominoes and the main chart; the figure's caption and the
                // rest follow them (on phones the slower controls move below the charts,
                // style/main.css "The first screen").
                <Transport lab=lab />
                <Dominoes lab=lab />
                <Charts lab=lab />
                <InsidePanel lab=lab />
                <Figure setup=lab.setup />
                <ShareBar lab=lab />
                <Summary runs=lab.runs />
                <TheoryPanel lab=lab />
                <ComparePanel lab=lab />
            </div>
            <aside class="side" id="parameters" tabindex="-1" aria-label="Model parameters">
                <Panels lab=lab />
            </aside>
        </main>
        <Gallery lab=lab />
        <Perf runs=lab.runs stats=lab.playback.stats />
        <HelpDialog help=help />
    }
}

/// The skip link's target: focus the parameters (the next Tab reaches their first control)
/// without changing the address's fragment, which holds the comparison (`#vs=`).
fn focus_parameters() {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id("parameters")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
        el.scroll_into_view();
    }
}

/// The Help dialog, the button that opens it, and whether closing it resumes the run (the
/// run pauses while Help is open).
#[derive(Clone, Copy)]
struct Help {
    dialog: NodeRef<Dialog>,
    button: NodeRef<Button>,
    resume: StoredValue<bool>,
    /// What had focus when Help opened (none: the body).
    opener: StoredValue<Option<web_sys::HtmlElement>, LocalStorage>,
    lab: LabState,
}

impl Help {
    fn is_open(self) -> bool {
        self.dialog.get_untracked().is_some_and(|d| d.open())
    }

    fn open(self) {
        if let Some(d) = self.dialog.get_untracked() {
            if !d.open() {
                self.resume
                    .set_value(self.lab.playback.playing.get_untracked());
                let opener = document()
                    .active_element()
                    .filter(|a| !a.tag_name().eq_ignore_ascii_case("body"))
                    .and_then(|a| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(a).ok());
                self.opener.set_value(opener);
                self.lab.pause();
                let _ = d.show_modal();
            }
        }
    }

    fn close(self) {
        if let Some(d) = self.dialog.get_untracked() {
            d.close();
        }
    }

    /// After the dialog closed (Esc, Close, or ?): the run plays on if it was playing, and
    /// focus goes back to what had it before, or to the help button when nothing had (the
    /// dialog was opened with the ? key), never to the page's body (where Chromium leaves it,
    /// after a moment on the closed dialog's button).
    fn closed(self) {
        if self.resume.get_value() {
            self.resume.set_value(false);
            self.lab.play();
        }
        let dialog = self.dialog.get_untracked();
        let nowhere = document().active_element().is_none_or(|a| {
            a.tag_name().eq_ignore_ascii_case("body")
                || dialog.as_ref().is_some_and(|d| d.contains(Some(&a)))
        });
        if nowhere {
            let opener = self
                .opener
                .with_value(|o| o.clone().filter(|o| o.is_connected()));
            match (opener, self.button.get_untracked()) {
                (Some(o), _) => {
                    let _ = o.focus();
                }
                (None, Some(b)) => {
                    let _ = b.focus();
                }
                (None, None) => {}
            }
        }
    }
}

/// The title, the model selector, the link to the sweeps and the help button.
#[component]
fn Header(lab: LabState, help: Help) -> impl IntoView {
    let config = lab.setup.config;
    view! {
        <header class="top">
            <div class="title">
                <h1>"Skill Dominoes"</h1>
                <p class="lede">
                    "Skills are learned one after another, like falling dominoes: live toy models of "
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
                                        prop:selected=move || config.with(|c| c.model == m)
                                    >
                                        {m.title()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                {(!location::opts().embed)
                    .then(|| {
                        view! {
                            <a class="top-link" href="#sweeps-title" data-testid="to-sweeps" title="Sweeps: many runs over a grid, in parallel (scaling laws, Fig. 19's scatter)">
                                "Sweeps"
                            </a>
                        }
                    })}
                <TourButton />
                <button
                    class="help-button"
                    data-testid="helpbtn"
                    node_ref=help.button
                    aria-label="Keyboard shortcuts"
                    aria-keyshortcuts="Shift+Slash"
                    title="Keyboard shortcuts (?)"
                    on:click=move |_| help.open()
                >
                    <span aria-hidden="true">"?"</span>
                </button>
            </div>
        </header>
    }
}

/// What could not be used of the link, until dismissed.
#[component]
fn Notice(notice: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    move || {
        notice.get().map(|items| {
            view! {
                <section class="notice" data-testid="notice" aria-label="Problems with the link">
                    <p>"Some values in this link could not be used; defaults were taken instead:"</p>
                    <ul>{items.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                    <button class="small" on:click=move |_| notice.set(None)>"Dismiss"</button>
                </section>
            }
        })
    }
}

/// Why run A stopped, if it did.
#[component]
fn RunError(runs: Runs) -> impl IntoView {
    let error = Memo::new(move |_| {
        runs.version.track();
        runs.a.with_value(|r| r.error.clone())
    });
    move || {
        error.get().map(|e| {
            view! {
                <div class="error" role="alert" data-testid="error">
                    <strong>"The run stopped. "</strong>
                    {e}
                </div>
            }
        })
    }
}

/// The summary (the latest start or finish). Not a live region: the transport's announcer
/// tells screen readers the milestones.
#[component]
fn Summary(runs: Runs) -> impl IntoView {
    view! {
        <p class="summary" data-testid="summary">
            {move || {
                runs.slow.track();
                let a = runs.a.with_value(|r| r.summary());
                match runs.b.with_value(|r| r.as_ref().map(|r| r.summary())) {
                    Some(b) => format!("A: {a} B: {b}"),
                    None => a,
                }
            }}
        </p>
    }
}

/// The frame-time statistics, folded away in the footer.
#[component]
fn Perf(runs: Runs, stats: StoredValue<FrameStats, LocalStorage>) -> impl IntoView {
    view! {
        <footer class="foot">
            <details class="perf">
                <summary>"Performance"</summary>
                <p data-testid="perf">
                    {move || {
                        runs.slow.track();
                        stats.with_value(|s| s.text())
                    }}
                </p>
            </details>
        </footer>
    }
}

/// The keyboard shortcuts.
#[component]
fn HelpDialog(help: Help) -> impl IntoView {
    view! {
        <dialog
            class="help"
            data-testid="help"
            node_ref=help.dialog
            aria-labelledby="help-title"
            on:close=move |_| help.closed()
        >
            <h2 id="help-title">"Keyboard shortcuts"</h2>
            <dl class="keys">
                <dt><kbd>"Space"</kbd></dt><dd>"Play or pause"</dd>
                <dt><kbd>"→"</kbd></dt><dd>"One step forward (through the kept frames when scrubbed back)"</dd>
                <dt><kbd>"R"</kbd></dt><dd>"Reset: the same run again from step 0, bit for bit"</dd>
                <dt><kbd>"E"</kbd>" " <kbd>"←"</kbd>" " <kbd>"→"</kbd>" " <kbd>"Enter"</kbd></dt><dd>"On a focused domino (Resource model): a new prerequisite from it, to the domino picked with the arrows"</dd>
                <dt><kbd>"T"</kbd></dt><dd>"On a focused domino: switch its prerequisites between AND and OR"</dd>
                <dt><kbd>"Delete"</kbd></dt><dd>"On a focused arc: remove that prerequisite"</dd>
                <dt><kbd>"↑"</kbd>" " <kbd>"↓"</kbd></dt><dd>"On a focused domino: its frequency one step up or down"</dd>
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

fn on_key(lab: LabState, help: Help, e: &web_sys::KeyboardEvent) {
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
    let help_open = help.is_open();
    match e.key().as_str() {
        "?" if !matches!(tag.as_str(), "input" | "textarea") => {
            if help_open {
                help.close();
            } else {
                help.open();
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
