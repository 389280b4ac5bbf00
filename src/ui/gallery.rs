//! The paper's figures: a gallery of every preset with its panels as links, and, when the
//! page shows a preset, its figure number, caption and a Cite button (the paper's BibTeX).
//! Choosing a panel is a discrete act: a new history entry, then that run; back and forward
//! restore the state from the address (the page's popstate handler).

use super::animation::{now, Animation};
use super::clipboard::Copier;
use super::embed::IntersectionObserver;
use super::location;
use super::state::{LabState, Setup};
use crate::lab::Run;
use crate::link::presets::{self, Preset, BIBTEX, PRESETS};
use crate::link::{self, Config};
use crate::sweep::SWEEP_PRESETS;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Thumbnails are drawn for runs up to this much work (every toy-model figure; the real
/// networks, 1e10 and more, are trained in the lab only).
const THUMB_WORK: f64 = 1e8;
/// Time per animation frame the thumbnails may take (ms).
const THUMB_MS: f64 = 3.0;
const THUMB_SIZE: (u32, u32) = (240, 56);

/// A thumbnail waiting to be computed: its element and, once started, its run.
struct Pending {
    el: web_sys::Element,
    cfg: Config,
    run: Option<Run>,
}

thread_local! {
    static QUEUE: RefCell<Vec<Pending>> = const { RefCell::new(Vec::new()) };
}

/// Compute the thumbnails of the cards that came into view, a few ms per animation frame;
/// whether any is left.
fn thumb_tick() -> bool {
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        let Some(p) = q.first_mut() else {
            return false;
        };
        let run = p.run.get_or_insert_with(|| Run::new(&p.cfg));
        run.advance(u32::MAX, &now, THUMB_MS);
        if run.finished() {
            if run.error.is_none() {
                p.el.set_inner_html(&crate::export::thumbnail_svg(
                    &run.frames,
                    run.steps,
                    THUMB_SIZE,
                ));
            }
            q.remove(0);
        }
        !q.is_empty()
    })
}

/// Queue each thumbnail when its card scrolls into view; `thumbs` computes them.
fn watch_thumbs(thumbs: Animation) {
    let cb = Closure::<dyn Fn(js_sys::Array, JsValue)>::new(
        move |entries: js_sys::Array, obs: JsValue| {
            let obs: IntersectionObserver = obs.unchecked_into();
            for e in entries.iter() {
                let seen =
                    js_sys::Reflect::get(&e, &"isIntersecting".into()).is_ok_and(|v| v.is_truthy());
                let Ok(target) = js_sys::Reflect::get(&e, &"target".into()) else {
                    continue;
                };
                if !seen {
                    continue;
                }
                let el: web_sys::Element = target.unchecked_into();
                obs.unobserve(&el);
                let Some(p) = el
                    .get_attribute("data-preset")
                    .and_then(|id| presets::find(&id))
                else {
                    continue;
                };
                let cfg = link::parse(&p.panel_link("")).config;
                QUEUE.with(|q| q.borrow_mut().push(Pending { el, cfg, run: None }));
            }
            if QUEUE.with(|q| !q.borrow().is_empty()) {
                thumbs.start();
            }
        },
    );
    let Ok(obs) = IntersectionObserver::new(cb.as_ref().unchecked_ref()) else {
        return;
    };
    let thumbs = document().get_elements_by_class_name("fig-thumb");
    for i in 0..thumbs.length() {
        if let Some(el) = thumbs.item(i) {
            obs.observe(&el);
        }
    }
    // Both live as long as the page.
    std::mem::forget(obs);
    cb.forget();
}

/// The preset the page shows, if any (read again whenever the configuration changes: the
/// preset is set together with it).
fn current(setup: Setup) -> Option<&'static Preset> {
    setup.config.track();
    setup.preset.get_value()
}

/// The figure box: figure number, title, caption and Cite (only for a preset link).
#[component]
pub fn Figure(setup: Setup) -> impl IntoView {
    move || {
        current(setup).map(|p| {
            view! {
                <section class="figure-box" data-testid="figure" aria-labelledby="figure-title">
                    <p class="figure-num" data-testid="figure-num">{p.figure}</p>
                    <div class="figure-text">
                        <h2 id="figure-title" data-testid="figure-title">{p.title}</h2>
                        <p class="caption" data-testid="caption">{p.caption()}</p>
                        <p class="figure-source">
                            "From “Physics of Skill Learning” (Liu, Liu, Michaud, Gore, Tegmark, "
                            <a href="https://arxiv.org/abs/2501.12391">"arXiv 2501.12391"</a>
                            "). "
                            <Copier testid="cite" label="Cite (BibTeX)" text=|| BIBTEX.to_string() />
                        </p>
                        {
                            let sweeps = crate::sweep::sweeps_of_figure(p.figure);
                            (!sweeps.is_empty()).then(|| view! {
                                <p class="figure-sweeps" data-testid="figure-sweeps">
                                    "Many runs of this figure, in parallel: "
                                    {sweeps
                                        .into_iter()
                                        .map(|s| view! {
                                            <a href=format!("?v=1&preset={}", s.id) title=s.caption>{format!("{} sweep", s.figure)}</a>
                                            " "
                                        })
                                        .collect_view()}
                                </p>
                            })
                        }
                    </div>
                </section>
            }
        })
    }
}

/// A plain left click (no modifier, primary button): the page handles it; anything else
/// (new tab, new window, download) is left to the browser.
fn plain_click(e: &web_sys::MouseEvent) -> bool {
    e.button() == 0 && !(e.ctrl_key() || e.meta_key() || e.shift_key() || e.alt_key())
}

/// The gallery: every preset of the paper with its panels as links.
#[component]
pub fn Gallery(lab: LabState) -> impl IntoView {
    if location::opts().embed {
        return None;
    }
    let setup = lab.setup;
    let cards = PRESETS
        .iter()
        .map(|p| {
            let whole = format!("?{}", p.panel_link(""));
            let whole_href = whole.clone();
            let panels = p
                .panels
                .iter()
                .map(|(label, extra)| {
                    let q = format!("?{}", p.panel_link(extra));
                    let href = q.clone();
                    // The panel is shown when the page's configuration is the panel's.
                    let cfg: Config = link::parse(&q).config;
                    let active = move || {
                        setup.config.with(|c| *c == cfg)
                            && setup.preset.get_value().is_some_and(|cp| cp.id == p.id)
                    };
                    let what = format!("{}, {label}", p.figure);
                    // a `runs=K` panel opens the sweep page (a full navigation)
                    let is_sweep = crate::sweep::as_sweep(&q).is_some();
                    view! {
                        <li>
                            <a
                                class="panel-link"
                                data-testid="panel-link"
                                data-preset=p.id
                                href=href
                                aria-current=move || active().then_some("page")
                                on:click=move |e| {
                                    if plain_click(&e) && !is_sweep {
                                        e.prevent_default();
                                        lab.load_link(&q, &what);
                                    }
                                }
                            >
                                {*label}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            let what = format!("{}: {}", p.figure, p.title);
            let cfg = link::parse(&p.panel_link("")).config;
            let thumb = if cfg.model.is_net() || cfg.work() > THUMB_WORK {
                view! {
                    <div class="fig-thumb fig-thumb-net" aria-hidden="true">
                        "an MLP, trained live in the lab"
                    </div>
                }
                .into_any()
            } else {
                view! { <div class="fig-thumb" data-testid="fig-thumb" data-preset=p.id aria-hidden="true"></div> }
                    .into_any()
            };
            view! {
                <li class="fig-card" data-testid="fig-card" data-preset=p.id>
                    <p class="fig-card-num">{p.figure}</p>
                    {thumb}
                    <h3>
                        <a
                            href=whole_href
                            data-testid="fig-link"
                            on:click=move |e| {
                                if plain_click(&e) {
                                    e.prevent_default();
                                    lab.load_link(&whole, &what);
                                }
                            }
                        >
                            {p.title}
                        </a>
                    </h3>
                    <ul class="panel-links" aria-label=format!("Panels of {}", p.figure)>{panels}</ul>
                </li>
            }
        })
        .collect_view();
    let thumbs = Animation::new();
    thumbs.on_frame(thumb_tick);
    request_animation_frame(move || watch_thumbs(thumbs));
    Some(view! {
        <section class="gallery" data-testid="gallery" aria-labelledby="gallery-title">
            <div class="gallery-head">
                <h2 id="gallery-title">"Paper figures"</h2>
                <p class="hint">
                    "Every figure of the paper that these toy models produce, one link per panel: the link sets the figure's parameters, and the run is recomputed here. "
                    <Copier testid="gallery-cite" label="Cite the paper" text=|| BIBTEX.to_string() />
                </p>
            </div>
            <ul class="fig-cards">{cards}</ul>
            <h2 id="sweeps-title">"Sweeps"</h2>
            <p class="hint">
                "Figures made of many runs (scaling laws, t2/t1 curves, N0 fits, Fig. 19's scatter) run as sweeps, in parallel across Web Workers, with a progress bar; the same links run from the command line with "
                <code>"skills sweep"</code>
                "."
            </p>
            <ul class="sweep-cards" data-testid="sweep-cards" aria-labelledby="sweeps-title">
                {SWEEP_PRESETS
                    .iter()
                    .map(|p| {
                        view! {
                            <li>
                                <a href=format!("?v=1&preset={}", p.id) data-testid="sweep-card" data-preset=p.id>
                                    {p.figure}
                                </a>
                                ": "
                                {p.caption}
                                " "
                                <span class="cost">{format!("({})", p.cost)}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    })
}
