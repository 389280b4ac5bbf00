//! Playback acts of the lab: play, pause, step, scrub, and one animation frame of the loop
//! (a slice of steps within the frame's budget, a slice of the best-N0 fit, a redraw).

use super::{FitState, LabState, UpdateReturning};
use crate::lab::{Fit, Pacing, SPEEDS};
use crate::link::Model;
use crate::ui::animation::now;
use leptos::prelude::*;

/// Work per animation frame on the simulation, at most (the slice stops early after this).
const SLICE_BUDGET_MS: f64 = 8.0;
/// Script time per frame the loop aims to stay under (simulation + fit + drawing + DOM).
const FRAME_BUDGET_MS: f64 = 10.0;
/// Allowance for applying a frame's new values to the DOM (after the loop's callback).
const DOM_MS: f64 = 3.0;

impl LabState {
    pub fn play(self) {
        let p = self.playback;
        if p.scrubbed.get_untracked().is_none() && self.runs.finished() {
            if self.runs.a.with_value(|r| r.error.is_some()) {
                return;
            }
            self.reset();
        }
        if p.stop_learned.get_untracked() && self.runs.all_learned() {
            p.ignore_stop.set_value(true);
        }
        p.pacing.set_value(Pacing::new(self.runs.latest_step()));
        p.playing.set(true);
        self.start_pool();
        self.anim.start();
    }

    pub fn pause(self) {
        if self.playback.playing.get_untracked() {
            self.playback.playing.set(false);
            self.runs.slow.update(|v| *v += 1);
        }
    }

    pub fn toggle(self) {
        if self.playback.playing.get_untracked() {
            self.pause()
        } else {
            self.play()
        }
    }

    /// One recorded frame forward: through the kept frames when scrubbed back, else a new one.
    pub fn step(self) {
        self.pause();
        let scrubbed = self.playback.scrubbed;
        if let Some(v) = scrubbed.get_untracked() {
            let next = self.runs.a.with_value(|r| {
                let k = r.index_at(v) + 1;
                r.frames.get(k).map(|f| f.step)
            });
            match next {
                Some(s) if s < self.runs.latest_step() => scrubbed.set(Some(s)),
                _ => scrubbed.set(None),
            }
            self.request_redraw();
            return;
        }
        let settled = self.settle_pool();
        let mut changed = settled || self.runs.a.update_value_returning(|r| r.step_once(&now));
        changed |= self
            .runs
            .b
            .update_value_returning(|r| r.as_mut().is_some_and(|r| r.step_once(&now)));
        if changed {
            self.bump();
            self.request_redraw();
        }
    }

    /// Show the state at `step` (pauses; the newest step follows the run again).
    pub fn scrub(self, step: u32) {
        self.pause();
        if step >= self.runs.latest_step() {
            self.playback.scrubbed.set(None);
        } else {
            self.playback.scrubbed.set(Some(step));
        }
        self.request_redraw();
    }

    /// One animation frame: a slice of steps (or of replayed frames), a slice of the fit,
    /// then a redraw (spaced while the run is compute-bound: `lab::Pacing`). Returns whether
    /// there is work left for the next frame.
    pub(super) fn frame(self) -> bool {
        let p = self.playback;
        let t0 = now();
        let playing = p.playing.get_untracked();
        let mut changed = playing && self.advance();
        let t1 = now();
        if self.runs.fit_running() {
            let left = FRAME_BUDGET_MS - (t1 - t0) - p.last_draw_ms.get_value() - DOM_MS;
            let done = self.runs.fit.update_value_returning(|f| match f {
                FitState::Running(fit) => fit.work(&now, left.max(1.0)),
                _ => None,
            });
            if let Some(out) = done {
                self.runs.fit.set_value(match out {
                    Ok(fitted) => FitState::Done(fitted),
                    Err(e) => FitState::Failed(e),
                });
                changed = true;
            } else {
                // Progress text.
                self.bump();
            }
        }
        let t2 = now();
        if playing && p.scrubbed.get_untracked().is_none() {
            self.stop_at_the_end();
        }
        let stopped = !p.playing.get_untracked();
        let draw = p
            .pacing
            .update_value_returning(|pc| pc.redraw(t2, changed, stopped));
        if draw {
            self.bump();
            self.anim.draw_now();
        }
        let t3 = now();
        if draw {
            p.last_draw_ms.set_value(t3 - t2);
            p.pacing.update_value(|pc| pc.drawn(t3));
        }
        if playing {
            p.stats
                .update_value(|s| s.add_frame(t1 - t0, t2 - t1, t3 - t2));
        }
        // The finished Geometry run gets its fit if the overlay is on.
        if !p.playing.get_untracked() && self.runs.finished() {
            self.maybe_start_fit();
        }
        p.playing.get_untracked() || self.runs.fit_running()
    }

    /// A playing frame's slice: replayed kept frames when scrubbed back (no computation),
    /// else new steps within what the frame has left. Whether anything changed.
    fn advance(self) -> bool {
        let p = self.playback;
        let speed = SPEEDS[p.speed.get_untracked().min(SPEEDS.len() - 1)];
        if let Some(v) = p.scrubbed.get_untracked() {
            let next = v.saturating_add(speed);
            p.scrubbed
                .set((next < self.runs.latest_step()).then_some(next));
            return true;
        }
        // What the frame has left after last frame's drawing and the DOM updates.
        let left = FRAME_BUDGET_MS - p.last_draw_ms.get_value() - DOM_MS;
        let with_b = self.runs.b.with_value(|r| r.is_some());
        let calm = left.clamp(1.0, SLICE_BUDGET_MS);
        let budget = p.pacing.with_value(|pc| pc.slice_ms(calm)) / if with_b { 2.0 } else { 1.0 };
        // run A's network on its workers, else on this thread
        let mut changed = match self.pump_pool(speed, budget) {
            Some(changed) => changed,
            None => self
                .runs
                .a
                .update_value_returning(|r| r.advance(speed, &now, budget)),
        };
        changed |= self
            .runs
            .b
            .update_value_returning(|r| r.as_mut().is_some_and(|r| r.advance(speed, &now, budget)));
        let (step, ended) = (self.runs.latest_step(), self.runs.finished());
        p.pacing
            .update_value(|pc| pc.after_slice(speed, step, ended));
        changed
    }

    /// Pause at the end step, or once every skill is learned when asked to.
    fn stop_at_the_end(self) {
        let p = self.playback;
        let stop_learned =
            p.stop_learned.get_untracked() && !p.ignore_stop.get_value() && self.runs.all_learned();
        if self.runs.finished() || stop_learned {
            self.pause();
            if stop_learned {
                self.setup.status.set(format!(
                    "Stopped at step {}: every skill is learned.",
                    self.runs.latest_step()
                ));
            }
        }
    }

    fn maybe_start_fit(self) {
        if self.runs.fit_idle()
            && self.options.show_fit.get_untracked()
            && self
                .setup
                .config
                .with_untracked(|c| c.model == Model::Geometry)
            && self
                .runs
                .a
                .with_value(|r| r.finished() && r.error.is_none())
        {
            self.start_fit();
        }
    }

    /// Start the best-N0 fit on the frames so far (the "Fit now" button, or the end of a run
    /// with the overlay on).
    pub fn start_fit(self) {
        let cfg = self.setup.config.get_untracked();
        let fit = self.runs.a.with_value(|r| Fit::new(r, &cfg));
        self.runs.fit.set_value(match fit {
            Ok(f) => FitState::Running(Box::new(f)),
            Err(e) => FitState::Failed(e),
        });
        self.bump();
        self.anim.start();
    }

    /// The fit overlay was switched: on, a finished run that has no fit yet gets one.
    pub fn show_fit(self, on: bool) {
        self.options.show_fit.set(on);
        if on
            && self.runs.fit_idle()
            && !self.playback.playing.get_untracked()
            && self.runs.a.with_value(|r| r.finished())
        {
            self.start_fit();
        }
    }
}
