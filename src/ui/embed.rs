//! The page-only keys applied to the document ([`super::location::opts`]: `data-theme`, the
//! `embed` / `figure-only` classes) and embed mode: a chromeless page for an iframe (CSS in
//! style/share.css keys off `html.embed` and `html.figure-only`), a small bar with the pause
//! control and an "open in the full app" link, a pause while the frame is scrolled off screen
//! (IntersectionObserver), and the page's height posted to the host page as
//! `{"context":"iframe.resize","height":N}` on load and on every resize.

use super::location::{opts, page_url};
use super::state::LabState;
use crate::export::{self, PageOpts};
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    type ResizeObserver;
    #[wasm_bindgen(constructor, catch)]
    fn new(callback: &js_sys::Function) -> Result<ResizeObserver, JsValue>;
    #[wasm_bindgen(method)]
    fn observe(this: &ResizeObserver, target: &web_sys::Element);
}

#[wasm_bindgen]
extern "C" {
    /// `IntersectionObserver` (also used by the gallery's thumbnails).
    pub(super) type IntersectionObserver;
    #[wasm_bindgen(constructor, catch)]
    pub(super) fn new(callback: &js_sys::Function) -> Result<IntersectionObserver, JsValue>;
    #[wasm_bindgen(method)]
    pub(super) fn observe(this: &IntersectionObserver, target: &web_sys::Element);
    #[wasm_bindgen(method)]
    pub(super) fn unobserve(this: &IntersectionObserver, target: &web_sys::Element);
}

thread_local! {
    /// The frame is (partly) on screen.
    static VISIBLE: Cell<bool> = const { Cell::new(true) };
    /// Paused because the frame left the screen: play again when it is back.
    static RESUME: Cell<bool> = const { Cell::new(false) };
    /// The last height posted to the host page.
    static POSTED: Cell<f64> = const { Cell::new(-1.0) };
}

/// Apply the page-only keys to the document, and in embed mode start the observers and
/// show the embed bar.
#[component]
pub fn EmbedBar(lab: LabState) -> impl IntoView {
    let o = document_classes();
    if o.embed {
        // After the first render, when the page's elements exist.
        request_animation_frame(move || {
            watch_visibility(lab);
            watch_height();
        });
        // A run started while the frame is off screen (autoplay) waits until it is seen.
        Effect::new(move |_| {
            if lab.playback.playing.get() && !VISIBLE.get() {
                RESUME.set(true);
                lab.pause();
            }
        });
    }
    o.embed.then(|| bar(lab, o))
}

/// The sweep page's share of embed mode: the theme and embed classes, the height posted to
/// the host, and a bar with the sweep's title and a link to it in the full app.
#[component]
pub fn SweepEmbedBar(title: String, link: RwSignal<String>) -> impl IntoView {
    let o = document_classes();
    if o.embed {
        request_animation_frame(watch_height);
    }
    o.embed.then(|| {
        view! {
            <div class="embed-bar" data-testid="embed-bar">
                <span class="embed-title" data-testid="embed-title">{title}</span>
                <a class="open-full" data-testid="open-full" href=move || format!("{}?{}", page_url(), link.get()) target="_blank" rel="noopener">
                    "Open in the full app ↗"
                </a>
            </div>
        }
    })
}

/// Set `data-theme` and the `embed` / `figure-only` classes on `<html>` from the page-only keys.
fn document_classes() -> PageOpts {
    let o = opts();
    if let Some(root) = document().document_element() {
        if o.theme != export::ThemeChoice::Auto {
            let _ = root.set_attribute("data-theme", o.theme.name());
        }
        if o.embed {
            let _ = root.class_list().add_1("embed");
            if o.figure_only {
                let _ = root.class_list().add_1("figure-only");
            }
        }
    }
    o
}

/// The embed's own bar: the run's title, a pause control (the transport's own is hidden in
/// figure-only mode) and a link to the same run in the full app.
fn bar(lab: LabState, o: PageOpts) -> impl IntoView {
    let setup = lab.setup;
    let full = move || {
        setup.config.track();
        setup.compare.track();
        format!("{}{}", page_url(), lab.link())
    };
    let title = move || {
        setup
            .config
            .with(|c| export::run_title(c, setup.preset.get_value()))
    };
    view! {
        <div class="embed-bar" data-testid="embed-bar">
            {o.figure_only.then(|| view! {
                <button
                    class="small embed-play"
                    data-testid="embed-play"
                    aria-keyshortcuts="Space"
                    on:click=move |_| lab.toggle()
                >
                    {move || if lab.playback.playing.get() { "Pause" } else { "Play" }}
                </button>
            })}
            <span class="embed-title" data-testid="embed-title">{title}</span>
            <a class="open-full" data-testid="open-full" href=full target="_blank" rel="noopener">
                "Open in the full app ↗"
            </a>
        </div>
    }
}

/// Pause while the frame is scrolled off screen; play again when it is back (if it was
/// playing). The implicit root of an IntersectionObserver is the top-level viewport, so this
/// works inside an iframe.
fn watch_visibility(lab: LabState) {
    let Some(body) = document().body() else {
        return;
    };
    let cb = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
        let last = entries.get(entries.length().saturating_sub(1));
        let visible = js_sys::Reflect::get(&last, &"isIntersecting".into())
            .map(|v| v.is_truthy())
            .unwrap_or(true);
        VISIBLE.set(visible);
        if !visible && lab.playback.playing.get_untracked() {
            RESUME.set(true);
            lab.pause();
        } else if visible && RESUME.get() {
            RESUME.set(false);
            lab.play();
        }
    });
    if let Ok(obs) = IntersectionObserver::new(cb.as_ref().unchecked_ref()) {
        obs.observe(&body);
        // Both live as long as the page.
        std::mem::forget(obs);
        cb.forget();
    }
}

/// Post the page's height to the host now and whenever it changes.
fn watch_height() {
    post_height();
    let Some(root) = document().document_element() else {
        return;
    };
    let cb = Closure::<dyn Fn()>::new(post_height);
    if let Ok(obs) = ResizeObserver::new(cb.as_ref().unchecked_ref()) {
        obs.observe(&root);
        if let Some(body) = document().body() {
            obs.observe(&body);
        }
        std::mem::forget(obs);
    }
    cb.forget();
}

/// `{"context":"iframe.resize","height":N}` to the parent window (the format Observable and
/// Embedly use), when the page is in a frame and its height changed.
fn post_height() {
    let w = window();
    let Ok(Some(parent)) = w.parent() else {
        return;
    };
    if js_sys::Object::is(parent.as_ref(), w.as_ref()) {
        return;
    }
    let Some(root) = document().document_element() else {
        return;
    };
    let h = root.get_bounding_client_rect().height().ceil();
    if h <= 0.0 || h == POSTED.get() {
        return;
    }
    POSTED.set(h);
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"context".into(), &"iframe.resize".into());
    let _ = js_sys::Reflect::set(&msg, &"height".into(), &h.into());
    let _ = parent.post_message(&msg, "*");
}
