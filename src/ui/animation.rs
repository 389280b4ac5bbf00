//! The pages' one frame mechanism: an [`Animation`] runs a page's per-frame work on every
//! animation frame while there is work left (the lab's simulation slices, the gallery's
//! thumbnails), and coalesces redraw requests, so that however many changes arrive within a
//! frame (a slider dragged, sweep rows from every worker) the canvases are drawn once, on the
//! next animation frame. The page registers what a frame does and how it draws; the state
//! that asks for frames never names a view.

use leptos::prelude::*;
use std::rc::Rc;

/// The performance clock (ms).
pub fn now() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// The reader asked the system for reduced motion (no autoplay).
pub fn prefers_reduced_motion() -> bool {
    window()
        .match_media("(prefers-reduced-motion: reduce)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// One page's frames: a work loop and a coalesced redraw. A `Copy` handle.
#[derive(Clone, Copy)]
pub struct Animation {
    /// What a frame does; returns whether there is work left for the next frame.
    work: StoredValue<Option<Rc<dyn Fn() -> bool>>, LocalStorage>,
    /// How the page draws.
    draw: StoredValue<Option<Rc<dyn Fn()>>, LocalStorage>,
    looping: StoredValue<bool>,
    redraw_pending: StoredValue<bool>,
}

impl Default for Animation {
    fn default() -> Self {
        Self::new()
    }
}

impl Animation {
    pub fn new() -> Self {
        Animation {
            work: StoredValue::new_local(None),
            draw: StoredValue::new_local(None),
            looping: StoredValue::new(false),
            redraw_pending: StoredValue::new(false),
        }
    }

    /// Set what each frame of the loop does (see [`Animation::start`]).
    pub fn on_frame(self, work: impl Fn() -> bool + 'static) {
        self.work.set_value(Some(Rc::new(work)));
    }

    /// Set how the page draws (see [`Animation::request_redraw`]).
    pub fn on_draw(self, draw: impl Fn() + 'static) {
        self.draw.set_value(Some(Rc::new(draw)));
    }

    /// Start the loop unless it runs: the work runs once per animation frame until it
    /// reports nothing left.
    pub fn start(self) {
        if self.looping.get_value() {
            return;
        }
        self.looping.set_value(true);
        request_animation_frame(move || self.frame());
    }

    fn frame(self) {
        let work = self.work.with_value(|w| w.clone());
        if work.is_some_and(|w| w()) {
            request_animation_frame(move || self.frame());
        } else {
            self.looping.set_value(false);
        }
    }

    /// Redraw on the next animation frame; several requests in one frame draw once.
    pub fn request_redraw(self) {
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

    /// Draw now (a frame of the loop that changed something); a pending request is met.
    pub fn draw_now(self) {
        self.redraw_pending.set_value(false);
        if let Some(draw) = self.draw.with_value(|d| d.clone()) {
            draw();
        }
    }
}
