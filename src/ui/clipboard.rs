//! The clipboard: [`copy_text`] and the [`Copier`] button (the Share dialog's link and embed
//! code, the Cite buttons), with a selected text area to copy by hand where the browser has
//! no clipboard or refuses.

use leptos::html::Textarea;
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText`: throws where there is no clipboard (insecure
    /// origins, old browsers, sandboxed frames), rejects where the browser refuses.
    #[wasm_bindgen(js_namespace = ["navigator", "clipboard"], js_name = writeText, catch)]
    fn clipboard_write_text(text: &str) -> Result<js_sys::Promise, JsValue>;
}

/// Copy `text` to the clipboard; `done(true)` once copied, `done(false)` if the browser has
/// no clipboard or refused.
pub fn copy_text(text: &str, done: impl FnOnce(bool) + 'static) {
    let promise = match clipboard_write_text(text) {
        Ok(p) => p,
        Err(_) => return done(false),
    };
    let done = Rc::new(RefCell::new(Some(done)));
    let d2 = done.clone();
    let ok = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if let Some(f) = done.borrow_mut().take() {
            f(true)
        }
    });
    let err = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if let Some(f) = d2.borrow_mut().take() {
            f(false)
        }
    });
    let _ = promise.then2(&ok, &err);
    // One of the two runs once; both are small.
    ok.forget();
    err.forget();
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyState {
    Idle,
    Copied,
    Fallback,
}

/// A Copy button for `text` with its state beside it; where the clipboard is unavailable, a
/// read-only text area with the text appears, selected, to copy by hand.
#[component]
pub fn Copier<F>(testid: &'static str, label: &'static str, text: F) -> impl IntoView
where
    F: Fn() -> String + Copy + Send + Sync + 'static,
{
    let state = RwSignal::new(CopyState::Idle);
    let area = NodeRef::<Textarea>::new();
    let click = move |_| {
        copy_text(&text(), move |ok| {
            state.set(if ok {
                CopyState::Copied
            } else {
                CopyState::Fallback
            });
            if !ok {
                // select the text for a manual copy once the area exists
                request_animation_frame(move || {
                    if let Some(a) = area.get_untracked() {
                        let _ = a.focus();
                        a.select();
                    }
                });
            }
        });
    };
    let rows = move || text().lines().count().clamp(2, 9).to_string();
    view! {
        <span class="copier">
            <button class="small" data-testid=format!("{testid}-copy") on:click=click>{label}</button>
            <span class="copy-state" role="status" data-testid=format!("{testid}-state")>
                {move || match state.get() {
                    CopyState::Idle => "",
                    CopyState::Copied => "Copied.",
                    CopyState::Fallback => "Copying is not allowed here: the text is selected below, press Ctrl+C (⌘C).",
                }}
            </span>
        </span>
        {move || (state.get() == CopyState::Fallback).then(|| view! {
            <textarea
                class="copy-fallback"
                data-testid=format!("{testid}-fallback")
                readonly
                rows=rows
                node_ref=area
                prop:value=text
            ></textarea>
        })}
    }
}
