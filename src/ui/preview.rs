//! The live preview (README "First load"): the address's run, computed and drawn live in the
//! loading block by a second, small wasm module (`src/bin/preview.rs`, built by
//! `scripts/build-preview` from Trunk's post-build hook) while the full lab loads. It holds
//! only what that first picture needs — the link's vocabulary, the toy models, the skill chart
//! — and none of the page (Leptos), the real networks' training views, the sweeps or the
//! exports, so it arrives in a fraction of the lab's time.
//!
//! It runs the very run the lab would ([`lab::interactive`] applied to the parsed link, same
//! speed, same frame budget, same chart and time axis) and writes the step it has reached on
//! its canvas ([`STEP_ATTR`]); the lab, once up, continues the run from that step
//! ([`reached`]), so the hand-over shows no restart. It stays out of the way wherever it could
//! differ from the lab: no preview for sweeps, comparisons (`#vs=`), the real networks, a page
//! whose run neither plays by itself nor is drawn ahead (an embed without autoplay computes
//! its run ahead and draws it, and so does the preview), or a link the vocabulary did not take
//! whole.
//!
//! This file uses no Leptos API beyond the `window()` accessor, so the preview's module
//! carries no Leptos code.

use super::animation::now;
use super::canvas::{chart_theme, draw_on, skills_data};
use super::embed::{AHEAD_MS, AHEAD_SLICE_MS};
use super::location;
use crate::lab::{self, view, Run, SPEEDS};
use crate::link;
use crate::plot::run as chart;
use leptos::prelude::window;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;

/// The id of the preview's canvas in index.html's `#first-figure`.
pub const CANVAS_ID: &str = "live-preview";
/// The attribute of the preview's canvas that carries the step its run has reached.
pub const STEP_ATTR: &str = "data-step";
/// The attribute that carries the link of the run it shows (`Config::to_query`): the lab
/// continues from the step only when its own run is that one.
pub const LINK_ATTR: &str = "data-link";
/// Simulation time per animation frame, at most: the lab's own slice budget
/// (`ui::state::playback`), so the preview plays at the lab's pace.
const SLICE_MS: f64 = 8.0;

/// How the lab shows the address's run at first, and the preview with it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// It plays (autoplay): at the lab's default speed, from step 0.
    Play,
    /// An embed without autoplay: the run computed ahead and drawn (`ui::embed`).
    Ahead,
}

/// The run the preview shows for the address and how, or `None` where there is none to show.
fn config() -> Option<(link::Config, Mode)> {
    let mode = if location::autoplay() {
        Mode::Play
    } else if location::opts().embed {
        Mode::Ahead
    } else {
        return None;
    };
    if location::requested_sweep().is_some() || lab::compare_from_hash(&location::hash()).is_some()
    {
        return None;
    }
    let parsed = link::parse(&location::link_query());
    if !parsed.problems.is_empty() {
        return None;
    }
    let cfg = lab::interactive(&parsed.config).config;
    (!cfg.model.is_net()).then_some((cfg, mode))
}

/// The frame loop's callback, held by itself until the loop ends.
type Loop = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

/// Start the preview in `#first-figure`; whether it started. Never panics on the page's
/// account: anything missing means no preview, and the loading block stays as it was.
pub fn start() -> bool {
    let Some((cfg, mode)) = config() else {
        return false;
    };
    let run = Run::new(&cfg);
    if run.error.is_some() {
        return false;
    }
    let doc = window().document();
    let Some(doc) = doc else { return false };
    let Some(place) = doc.get_element_by_id("first-figure") else {
        return false;
    };
    let Some(canvas) = doc
        .create_element("canvas")
        .ok()
        .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
    else {
        return false;
    };
    canvas.set_id(CANVAS_ID);
    let _ = canvas.set_attribute(LINK_ATTR, &cfg.to_query());
    let _ = canvas.set_attribute("role", "img");
    let _ = canvas.set_attribute(
        "aria-label",
        "The run of this link, computed live while the full lab loads",
    );
    if place.append_child(&canvas).is_err() {
        return false;
    }
    let _ = place.class_list().add_1("live");
    let (speed, slice_ms) = match mode {
        Mode::Play => (SPEEDS[lab::default_speed(cfg.steps)], SLICE_MS),
        Mode::Ahead => (u32::MAX, AHEAD_SLICE_MS),
    };
    let t0 = now();
    let steps = cfg.steps;
    let state = Rc::new(RefCell::new(run));
    // The frame loop: the closure asks for the next frame until the lab removes the loading
    // block (the canvas leaves the document) or the run ends.
    let frame: Loop = Rc::new(RefCell::new(None));
    let again = frame.clone();
    let drawn = Rc::new(RefCell::new(false));
    *frame.borrow_mut() = Some(Closure::new(move || {
        if !canvas.is_connected() {
            // the lab has taken over: drop the loop (and with it this closure's captures)
            let _ = again.borrow_mut().take();
            return;
        }
        let mut run = state.borrow_mut();
        let changed = run.advance(speed, &now, slice_ms);
        let _ = canvas.set_attribute(STEP_ATTR, &run.step().to_string());
        if changed || !*drawn.borrow() {
            *drawn.borrow_mut() = draw(&canvas, &run, steps);
        }
        let ahead_done = mode == Mode::Ahead && now() - t0 > AHEAD_MS;
        let over = run.finished() || run.error.is_some() || ahead_done;
        drop(run);
        if over {
            // wasm-bindgen frees the closure once this call returns
            let _ = again.borrow_mut().take();
            return;
        }
        if let Some(f) = again.borrow().as_ref() {
            let _ = window().request_animation_frame(f.as_ref().unchecked_ref());
        }
    }));
    if let Some(f) = frame.borrow().as_ref() {
        let _ = window().request_animation_frame(f.as_ref().unchecked_ref());
    }
    true
}

/// The skill chart of `run` as the lab draws it (`ui::draw`): the time axis following the
/// cascade, the milestones, the page's theme. Whether it was drawn (the canvas laid out).
fn draw(canvas: &HtmlCanvasElement, run: &Run, steps: u32) -> bool {
    let x_steps = view::axis_end(steps, run.step(), run.learned_step(), None);
    let data = skills_data(run, x_steps, &[], None);
    let upto = (run.index_at(x_steps) + 1).min(run.frames.len());
    matches!(
        draw_on(canvas, chart_theme(), None, |root, opts| {
            chart::draw_skills(root, &data, upto, opts)
        }),
        Ok(Some(_))
    )
}

/// The step the preview's run has reached, if a preview of the run of `cfg` ran on this page
/// (read by the lab before it removes the loading block; a page that opens another run than
/// its address names, e.g. a tour step, starts its own from step 0). At most `cfg.steps`:
/// the attribute is the preview's own, but it is read as any input is.
pub fn reached(cfg: &link::Config) -> Option<u32> {
    let canvas = window().document()?.get_element_by_id(CANVAS_ID)?;
    if canvas.get_attribute(LINK_ATTR)? != cfg.to_query() {
        return None;
    }
    let step: u32 = canvas.get_attribute(STEP_ATTR)?.parse().ok()?;
    Some(step.min(cfg.steps))
}
