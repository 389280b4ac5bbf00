//! The page-only keys applied to the document ([`super::location::opts`]: `data-theme`, the
//! `embed` / `figure-only` / `hide-<part>` classes) and embed mode: a chromeless page for an
//! iframe (CSS in style/share.css keys off those classes), a small bar with the pause control
//! and an "open in the full app" link, the whole run drawn before Play (when it does not play
//! on load), a pause while the frame is scrolled off screen (IntersectionObserver), and the
//! page's height posted to the host page on load and on every resize, in each format hosts
//! listen for (see [`post_height`]).

use super::animation::now;
use super::location::{self, opts, page_url};
use super::state::LabState;
use crate::export::{self, PageOpts};
use leptos::prelude::*;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `ResizeObserver` (also used by the dominoes' arcs across rows).
    pub(super) type ResizeObserver;
    #[wasm_bindgen(constructor, catch)]
    pub(super) fn new(callback: &js_sys::Function) -> Result<ResizeObserver, JsValue>;
    #[wasm_bindgen(method)]
    pub(super) fn observe(this: &ResizeObserver, target: &web_sys::Element);
    #[wasm_bindgen(method)]
    pub(super) fn disconnect(this: &ResizeObserver);
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

/// How long an embed that waits for Play may spend computing its run ahead to draw it
/// (in slices of [`AHEAD_SLICE_MS`], one per animation frame).
pub(super) const AHEAD_MS: f64 = 1500.0;
pub(super) const AHEAD_SLICE_MS: f64 = 8.0;
/// The key Datawrapper's `datawrapper-height` message files the height under (a chart id
/// there; its embed script finds the frame by the message's source).
const DATAWRAPPER_ID: &str = "skill-dominoes";

/// Apply the page-only keys to the document, and in embed mode start the observers and
/// show the embed bar.
#[component]
pub fn EmbedBar(lab: LabState) -> impl IntoView {
    let o = document_classes();
    if o.embed {
        // Read now: the page may rewrite its address (and drop the secret) later.
        let _ = host_secret();
        // After the first render, when the page's elements exist.
        request_animation_frame(move || {
            watch_visibility(lab);
            watch_height();
        });
        // Without autoplay, the figure is drawn anyway: the run computed ahead (Play then
        // replays it from step 0), not empty axes.
        if !location::autoplay() {
            let t0 = now();
            request_animation_frame(move || draw_ahead(lab, t0));
            // So is a new run while paused (New seed, an edited value): not empty axes.
            Effect::new(move |seen: Option<()>| {
                lab.setup.config.track();
                if seen.is_some() && !lab.playback.playing.get_untracked() {
                    let t0 = now();
                    request_animation_frame(move || draw_ahead(lab, t0));
                }
            });
        }
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

/// Compute the run ahead while nobody pressed Play, a slice per animation frame, until it is
/// finished or [`AHEAD_MS`] have passed since `t0`; each slice is drawn.
fn draw_ahead(lab: LabState, t0: f64) {
    if lab.playback.playing.get_untracked() || now() - t0 > AHEAD_MS {
        return;
    }
    let mut changed = false;
    lab.runs
        .a
        .update_value(|r| changed |= r.advance(u32::MAX, &now, AHEAD_SLICE_MS));
    lab.runs.b.update_value(|r| {
        if let Some(r) = r {
            changed |= r.advance(u32::MAX, &now, AHEAD_SLICE_MS);
        }
    });
    if changed {
        lab.bump();
        lab.request_redraw();
        request_animation_frame(move || draw_ahead(lab, t0));
    }
}

/// Set `data-theme` and the `embed` / `figure-only` / `hide-<part>` classes on `<html>` from
/// the page-only keys.
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
            for (i, h) in crate::link::page::HIDE.iter().enumerate() {
                if o.hidden(i) {
                    let _ = root.class_list().add_1(&format!("hide-{}", h.name));
                }
            }
        }
    }
    o
}

/// The embed's own bar: the run's title, a pause control (when the transport is hidden:
/// figure-only mode or `transport_hide=1`) and a link to the same run in the full app.
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
            {(o.figure_only || o.hides("transport")).then(|| view! {
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
            <a class="open-full" data-testid="open-full" href=full target="_blank" rel="noopener" on:click=ask_host_to_open>
                "Open in the full app ↗"
            </a>
        </div>
    }
}

/// In a WordPress post, the frame is sandboxed without `allow-popups`, so a link cannot open a
/// window: ask the host page to go there (WordPress's own `link` message, which its script
/// follows for a link on the frame's own host). Elsewhere the link opens as usual.
fn ask_host_to_open(e: leptos::ev::MouseEvent) {
    let Some(secret) = host_secret() else {
        return;
    };
    let Some(a) = e
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    post_to_parent(&wordpress("link", &a.href().into(), &secret));
}

/// The secret a WordPress host put in the frame's address (`#?secret=…`), read once.
fn host_secret() -> Option<String> {
    thread_local! {
        static SECRET: Option<String> =
            export::split_host_secret(&window().location().hash().unwrap_or_default()).1;
    }
    SECRET.with(|s| s.clone())
}

/// `{message, value, secret}`: a message of WordPress's embeds.
fn wordpress(message: &str, value: &JsValue, secret: &str) -> js_sys::Object {
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"message".into(), &message.into());
    let _ = js_sys::Reflect::set(&msg, &"value".into(), value);
    let _ = js_sys::Reflect::set(&msg, &"secret".into(), &secret.into());
    msg
}

/// Post `msg` to the parent window, when the page is in a frame.
fn post_to_parent(msg: &JsValue) {
    let w = window();
    let Ok(Some(parent)) = w.parent() else {
        return;
    };
    if js_sys::Object::is(parent.as_ref(), w.as_ref()) {
        return;
    }
    let _ = parent.post_message(msg, "*");
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

/// The page's height to the parent window when it changed, in each format hosts listen for
/// (each checked against the host's own script):
/// - Embedly / Medium: the JSON text `{"src":…,"context":"iframe.resize","height":N}`;
/// - Datawrapper's embed script: `{"datawrapper-height":{"skill-dominoes":N}}`;
/// - AMP's `amp-iframe resizable`: `{sentinel:"amp",type:"embed-size",height:N}`;
/// - WordPress's sandboxed embeds, when its `#?secret=…` is in the address:
///   `{message:"height",value:N,secret:…}`.
///
/// web/embed.js, the embed snippet's script, reads the first three.
fn post_height() {
    let w = window();
    match w.parent() {
        Ok(Some(parent)) if !js_sys::Object::is(parent.as_ref(), w.as_ref()) => {}
        _ => return,
    }
    let Some(root) = document().document_element() else {
        return;
    };
    let h = root.get_bounding_client_rect().height().ceil();
    if h <= 0.0 || h == POSTED.get() {
        return;
    }
    POSTED.set(h);
    let set = |o: &js_sys::Object, k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(o, &k.into(), v);
    };
    let src = w.location().href().unwrap_or_default();
    let embedly = format!(
        "{{\"src\":{},\"context\":\"iframe.resize\",\"height\":{h}}}",
        export::json_string(&src)
    );
    post_to_parent(&embedly.into());
    let ids = js_sys::Object::new();
    set(&ids, DATAWRAPPER_ID, &h.into());
    let dw = js_sys::Object::new();
    set(&dw, "datawrapper-height", &ids);
    post_to_parent(&dw);
    let amp = js_sys::Object::new();
    set(&amp, "sentinel", &"amp".into());
    set(&amp, "type", &"embed-size".into());
    set(&amp, "height", &h.into());
    post_to_parent(&amp);
    if let Some(secret) = host_secret() {
        post_to_parent(&wordpress("height", &h.into(), &secret));
    }
}
