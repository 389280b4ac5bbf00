//! The guided tour's views (the steps and their text are `lab::tour`): the step card above
//! the figure ("Step k of N", the text, the one control to try, Back / Next, Leave the tour),
//! the offer a first-time visitor of the lab sees, and the header's Tour button.
//!
//! The tour's position is the page-only key `tour=<k>` (`link::page::TOUR`): every step
//! is a history entry (Back / Forward walk the tour), an embed of a step shows its card, and
//! leaving keeps the run on screen as an ordinary lab link. The control to try gets the
//! class `tour-try` in the parameters panel ([`highlight`], style/tour.css).

use super::canvas::{chart_theme, draw_on};
use super::location;
use super::state::LabState;
use super::sweep::stored::fetch_grids;
use crate::export::PageOpts;
use crate::lab::tour::{self, Step};
use crate::link::page;
use crate::plot::sweep::{self as sweep_plot, Plot, Table, View};
use crate::sweep::stored::known_csv;
use crate::sweep::Sweep;
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// localStorage key: the reader has answered the tour's offer (started it or dismissed it).
const OFFERED: &str = "skill-dominoes.tour-offered";

/// The tour's state (a `Copy` handle, given to the lab's views as context by [`Tour::provide`]).
#[derive(Clone, Copy)]
pub struct Tour {
    /// The step shown (1-based), `None` outside the tour.
    pub step: RwSignal<Option<usize>>,
    /// The offer to a first-time visitor is shown.
    offer: RwSignal<bool>,
    /// What could not be used of the address's `tour=` value.
    problem: RwSignal<Option<String>>,
    lab: LabState,
}

/// The address's `tour=` value as the tour reads it: `None` without one, else the step or
/// the message naming what is wrong with it.
fn position_in_address() -> Option<Result<usize, String>> {
    let search = window().location().search().unwrap_or_default();
    let q = search.strip_prefix('?').unwrap_or(&search);
    crate::link::query::pairs(q)
        .filter(|(k, _)| *k == page::TOUR)
        .last()
        .map(|(_, v)| tour::parse_position(v))
}

/// Call `localStorage[method](args…)`; `None` where the page may not use localStorage (reading
/// it throws in a sandboxed frame without same-origin, and it may be missing or full).
/// Through `js_sys::Reflect`, so that every failure is a value, never an exception.
fn storage_call(method: &str, args: &[&str]) -> Option<JsValue> {
    let storage = js_sys::Reflect::get(&window(), &"localStorage".into()).ok()?;
    if storage.is_null() || storage.is_undefined() {
        return None;
    }
    let f = js_sys::Reflect::get(&storage, &method.into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let args: js_sys::Array = args.iter().map(|a| JsValue::from_str(a)).collect();
    f.apply(&storage, &args).ok()
}

/// The reader has answered the offer before (false where localStorage cannot be read: the
/// offer shows, and is not remembered).
fn offer_answered() -> bool {
    storage_call("getItem", &[OFFERED]).is_some_and(|v| v.as_string().is_some())
}

fn remember_offer_answered() {
    let _ = storage_call("setItem", &[OFFERED, "1"]);
}

impl Tour {
    /// The tour of the address the page was opened with, given to the lab's views as context;
    /// Back / Forward move it with the address.
    pub fn provide(lab: LabState) -> Tour {
        let (step, problem) = match position_in_address() {
            Some(Ok(k)) => (Some(k), None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        let opts = location::opts();
        let tour = Tour {
            step: RwSignal::new(step),
            offer: RwSignal::new(
                step.is_none() && problem.is_none() && !opts.embed && !offer_answered(),
            ),
            problem: RwSignal::new(problem),
            lab,
        };
        location::set_tour(step);
        // A cold `?tour=k` (no link of its own) opened step k's link: write it into the
        // address in place, so the address names the run on screen.
        if step.is_some() && location::tour_link_only() {
            lab.write_link(false);
        }
        let history = window_event_listener(ev::popstate, move |_| {
            let k = position_in_address().and_then(Result::ok);
            location::set_tour(k);
            tour.step.set(k);
        });
        on_cleanup(move || history.remove());
        provide_context(tour);
        tour
    }

    /// Go to step `k`: its link as a new history entry, its run loaded.
    fn go(self, k: usize) {
        let Some(s) = tour::step(k) else { return };
        self.offer.set(false);
        self.problem.set(None);
        remember_offer_answered();
        location::set_tour(Some(k));
        self.step.set(Some(k));
        self.lab
            .load_link(&format!("?{}", s.link()), &format!("step {k} of the tour"));
    }

    /// Leave the tour: the run stays, the address loses `tour=` (a new history entry).
    fn leave(self) {
        location::set_tour(None);
        self.step.set(None);
        self.lab.write_link(true);
        self.lab
            .setup
            .status
            .set("Left the tour: the lab keeps the run on screen.".into());
        focus_by_id("tour-start");
    }
}

/// The key of the control the tour's step asks the reader to try (tracked; `None` outside
/// the tour or without the tour's context).
pub fn highlight() -> Signal<Option<&'static str>> {
    let tour = use_context::<Tour>();
    Signal::derive(move || {
        tour.and_then(|t| t.step.get())
            .and_then(tour::step)
            .map(|s| s.try_key)
    })
}

/// The tour's position for a link the page hands out (the Share dialog's link and embed
/// code; tracked).
pub fn position() -> Signal<Option<usize>> {
    let tour = use_context::<Tour>();
    Signal::derive(move || tour.and_then(|t| t.step.get()))
}

fn focus_by_id(id: &str) {
    if let Some(el) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Focus the control of `key` in the parameters panel (its slider when it has one); the
/// browser scrolls it into view.
fn focus_control(key: &str) {
    let doc = document();
    let el = doc
        .query_selector(&format!("[data-testid=\"slider-{key}\"]"))
        .ok()
        .flatten()
        .or_else(|| doc.get_element_by_id(&format!("k-{key}")));
    if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// The header's button that starts the tour (not in an embed).
#[component]
pub fn TourButton() -> impl IntoView {
    let tour = use_context::<Tour>();
    (!location::opts().embed).then(|| {
        view! {
            <button
                id="tour-start"
                class="top-link tour-start"
                data-testid="tour-start"
                title="A guided tour of the paper's argument, one live figure per step"
                on:click=move |_| {
                    if let Some(t) = tour {
                        t.go(1)
                    }
                }
            >
                "Tour"
            </button>
        }
    })
}

/// The step card, or the offer to a first-time visitor, or what was wrong with `tour=`.
#[component]
pub fn TourCard() -> impl IntoView {
    let Some(tour) = use_context::<Tour>() else {
        return ().into_any();
    };
    if location::opts().figure_only {
        return ().into_any();
    }
    view! {
        {move || tour.problem.get().map(|p| view! {
            <section class="notice" data-testid="tour-problem" aria-label="Problem with the tour's link">
                <p>{p}</p>
                <button class="small" on:click=move |_| tour.problem.set(None)>"Dismiss"</button>
            </section>
        })}
        {move || tour.offer.get().then(|| view! { <Offer tour=tour /> })}
        {move || tour.step.get().is_some().then(|| view! { <Card tour=tour /> })}
    }
    .into_any()
}

/// The offer: start the tour, or not (remembered either way, where the page may store it).
#[component]
fn Offer(tour: Tour) -> impl IntoView {
    let n = tour::len();
    view! {
        <aside class="tour-offer" data-testid="tour-offer" aria-label="Guided tour">
            <p>
                <strong>"New here?"</strong>
                {format!(" Take the guided tour: the paper's argument in {n} live figures, one control to try in each.")}
            </p>
            <div class="tour-offer-actions">
                <button class="primary" data-testid="tour-offer-start" on:click=move |_| tour.go(1)>
                    "Start the tour"
                </button>
                <button
                    class="small"
                    data-testid="tour-offer-dismiss"
                    on:click=move |_| {
                        remember_offer_answered();
                        tour.offer.set(false);
                    }
                >
                    "No thanks"
                </button>
            </div>
        </aside>
    }
}

/// The card of the current step.
#[component]
fn Card(tour: Tour) -> impl IntoView {
    let n = tour::len();
    let k = move || tour.step.get().unwrap_or(1);
    let step = move || -> &'static Step { tour::step(k()).unwrap_or(&tour::STEPS[0]) };
    let embed = location::opts().embed;
    let announce = move || format!("Step {} of {n}: {}", k(), step().title);
    let nav = if embed {
        // an embed shows its step; the tour itself goes on in the full app
        view! {
            <div class="tour-nav">
                <a
                    class="tour-open"
                    data-testid="tour-open"
                    target="_blank"
                    rel="noopener"
                    href=move || {
                        format!("{}?{}&{}={}", location::page_url(), step().link(), page::TOUR, k())
                    }
                >
                    "Take the whole tour ↗"
                </a>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="tour-nav">
                <button
                    data-testid="tour-back"
                    disabled=move || tour::prev(k()).is_none()
                    on:click=move |_| {
                        if let Some(p) = tour::prev(k()) {
                            tour.go(p)
                        }
                    }
                >
                    "← Back"
                </button>
                <button
                    class="primary"
                    data-testid="tour-next"
                    on:click=move |_| match tour::next(k()) {
                        Some(p) => tour.go(p),
                        None => tour.leave(),
                    }
                >
                    {move || if tour::next(k()).is_some() { "Next →" } else { "Finish the tour" }}
                </button>
                <button class="small tour-leave" data-testid="tour-leave" on:click=move |_| tour.leave()>
                    "Leave the tour"
                </button>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="tour-card" data-testid="tour" aria-labelledby="tour-title">
            <p class="tour-pos" data-testid="tour-pos">
                {move || format!("Step {} of {n} · {}", k(), step().figures)}
            </p>
            <h2 id="tour-title" class="tour-title">{move || step().title}</h2>
            <p class="tour-text" data-testid="tour-text">{move || step().body()}</p>
            <p class="tour-try" data-testid="tour-try">
                <strong>"Try this: "</strong>
                {move || step().try_this()}
                " "
                {(!embed).then(|| view! {
                    <button
                        class="small tour-show"
                        data-testid="tour-show"
                        on:click=move |_| focus_control(step().try_key)
                    >
                        {move || format!("Go to {}", control_name(step().try_key))}
                    </button>
                })}
            </p>
            {move || step().stored.map(|preset| view! { <StoredFigure preset=preset /> })}
            {nav}
            <p class="visually-hidden" aria-live="polite" data-testid="tour-announce">{announce}</p>
        </section>
    }
}

/// What a step's precomputed grid gives once fetched and read.
#[derive(Clone)]
struct Shown {
    plot: Plot,
    /// Each exponent per α, the paper's beside ours.
    text: Vec<String>,
    /// Runs shown, of the preset's grid.
    runs: usize,
    total: usize,
    /// Each file's name, runs, commit (short) and date.
    sources: Vec<String>,
}

/// Fetch the stored grids of sweep preset `preset` and read them as the sweep page does.
async fn load_stored(preset: &'static str) -> Result<Shown, String> {
    let sweep = Sweep::parse(&format!("v=1&preset={preset}"))
        .map_err(|_| format!("{preset} is not a sweep preset"))?;
    let mut grids = vec![];
    let mut sources = vec![];
    for (g, got) in fetch_grids(preset).await {
        let st = got.map_err(|e| format!("{}: {e}", g.file))?;
        let commit: String = st.provenance.commit.chars().take(12).collect();
        let day: String = st.provenance.date.chars().take(10).collect();
        sources.push(format!(
            "{} ({} runs, commit {commit}, {day})",
            g.file,
            st.cells.len()
        ));
        grids.push(st);
    }
    let (csv, runs) = known_csv(&sweep, &grids);
    let t = Table::parse(&csv)?;
    Ok(Shown {
        plot: sweep_plot::plot(&t, View::Exponents),
        text: sweep_plot::exponents_text(&t),
        runs,
        total: sweep.len(),
        sources,
    })
}

/// A step's precomputed paper-scale grid (issue 13): the sweep preset's stored runs, fetched
/// from the site (`grids/`), their exponents drawn against α with the paper's values beside
/// ours, marked as precomputed with where they came from, and the way to the whole grid in the
/// sweep page, where any run re-runs live.
#[component]
fn StoredFigure(preset: &'static str) -> impl IntoView {
    let shown: RwSignal<Option<Result<Shown, String>>> = RwSignal::new(None);
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    leptos::task::spawn_local(async move {
        let got = load_stored(preset).await;
        let _ = shown.try_set(Some(got));
    });
    let draw = move || {
        let (Some(c), Some(Ok(s))) = (canvas.get_untracked(), shown.get_untracked()) else {
            return;
        };
        let _ = draw_on(&c, chart_theme(), None, |root, opts| {
            sweep_plot::draw(root, &s.plot, opts).map(|_| ())
        });
    };
    Effect::new(move |_| {
        shown.track();
        canvas.track();
        request_animation_frame(draw);
    });
    let resize = window_event_listener(ev::resize, move |_| draw());
    on_cleanup(move || resize.remove());
    let href = format!("{}?v=1&preset={preset}", location::page_url());
    view! {
        <figure class="tour-stored" data-testid="tour-stored">
            <figcaption>
                <strong>"Precomputed at the paper's scale"</strong>
                {move || match shown.get() {
                    None => " (loading…)".to_string(),
                    Some(Err(e)) => format!(": could not be loaded ({e})"),
                    Some(Ok(s)) => format!(": {} of the {} runs of the grid", s.runs, s.total),
                }}
            </figcaption>
            <canvas
                class="chart tour-stored-chart"
                data-testid="tour-stored-chart"
                node_ref=canvas
                role="img"
                aria-label="The exponents of the precomputed grid against α, the paper's values beside ours"
            ></canvas>
            <p class="hint" data-testid="tour-stored-text">
                {move || match shown.get() {
                    Some(Ok(s)) => format!("{}. From {}.", s.text.join("; "), s.sources.join(", ")),
                    _ => String::new(),
                }}
            </p>
            <p class="hint">
                <a href=href target=if location::opts().embed { "_blank" } else { "_self" } data-testid="tour-stored-open">
                    "The whole grid in the Sweeps page: re-run any of its runs live, checked bit for bit"
                </a>
            </p>
        </figure>
    }
}

/// How the parameters panel names the control of `key` (its label).
fn control_name(key: &str) -> String {
    crate::link::spec_of(key)
        .map(|k| k.label.to_string())
        .unwrap_or_else(|| key.to_string())
}

/// The Share dialog's page-only keys with the tour's position added (`tour` tracked).
pub fn with_position(opts: PageOpts, tour: Option<usize>) -> PageOpts {
    PageOpts {
        tour: tour.and_then(|k| u8::try_from(k).ok()),
        ..opts
    }
}
