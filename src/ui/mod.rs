//! The pages (Leptos 0.8, client-side rendered): the only code that touches the DOM, timers
//! and canvases. [`Root`] shows the sweep page for a sweep link, else the lab ([`app::App`]).
//!
//! Files, state first and views after it (views import the state, never the reverse):
//! `state/` the lab's state and acts ([`state::LabState`]: its parts in `mod.rs`, the
//! playback in `playback.rs`, changes to the configuration and the link in `setup.rs`);
//! `animation.rs` the one frame mechanism of both pages (a work loop and a coalesced
//! redraw); `location.rs` the address and the history; `canvas.rs` what both pages' charts
//! share on a canvas; `app.rs` the lab's layout, window events and keys; `transport.rs`,
//! `dominoes.rs` (with `graph.rs`, its graph and frequency editing), `charts.rs` (canvases and the value readout), `panels.rs` (controls built
//! from `link::SCHEMA`), `theory.rs` (the overlays and the comparison), `share.rs` (exports,
//! the Share dialog), `gallery.rs` (the paper's figures), `embed.rs` (embed mode), `tour.rs`
//! (the guided tour), `inside.rs` (the hidden units of a real network) are the views;
//! `preview.rs` is the live preview's (a second wasm module, no Leptos); `draw.rs` puts the
//! runs on the canvases; `clipboard.rs` and `download.rs` hand
//! text out of the page; `sweep/` is the sweep page (`state.rs`, the page in `mod.rs`,
//! `workers.rs`).

mod animation;
mod app;
mod canvas;
mod charts;
mod clipboard;
mod dominoes;
mod download;
mod draw;
mod embed;
mod gallery;
mod graph;
mod inside;
mod location;
mod panels;
pub mod preview;
mod share;
mod state;
mod sweep;
mod theory;
mod tour;
mod transport;

use leptos::prelude::*;

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
    match location::requested_sweep() {
        Some(link) => {
            app::remove_loading();
            view! { <sweep::SweepPage link=link /> }.into_any()
        }
        None => view! { <app::App /> }.into_any(),
    }
}
