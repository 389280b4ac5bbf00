//! Acts on what the link says: set a key (live or with a restart), switch model, a new
//! seed, start or end a comparison, and the link written to or read from the address.

use super::{link_notes, page_config, LabState, UpdateReturning};
use crate::lab::{self, default_speed, Compare, CompareExample};
use crate::link::{self, Config, Model};
use crate::ui::location;
use leptos::prelude::*;

/// Set-up work (see `Config::setup_work`) above which a run starts only when a slider is
/// released (about 50 ms of work in the browser).
const HEAVY_SETUP: f64 = 2e7;

impl LabState {
    /// Restart both runs from step 0 on the next animation frame (several changes in one
    /// frame, as while dragging a slider, restart once).
    fn restart_soon(self) {
        let pending = self.playback.restart_pending;
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        let restart = move || {
            if !pending.get_value() {
                return;
            }
            pending.set_value(false);
            self.restart();
        };
        // A heavy set-up blocks the page for a moment: say so first, and let that show.
        let heavy = self.setup.config.with_untracked(|c| c.setup_work()) > HEAVY_SETUP
            || self
                .setup
                .config_b
                .with_untracked(|c| c.as_ref().is_some_and(|c| c.setup_work() > HEAVY_SETUP));
        if heavy {
            self.setup
                .status
                .update(|s| s.push_str(" Preparing the task vectors…"));
            request_animation_frame(move || request_animation_frame(restart));
        } else {
            request_animation_frame(restart);
        }
    }

    /// Set one key as a control does. Problems are shown and change nothing; a change to the
    /// end step or the threshold applies to the run as it is, any other restarts it. The link
    /// follows: `push` for discrete acts, a replaced entry while dragging.
    pub fn set_key(self, key: &str, value: &str, push: bool) {
        self.set_key_wrote(key, value, push);
    }

    /// [`LabState::set_key`]; true when the configuration changed (and the link was written).
    fn set_key_wrote(self, key: &str, value: &str, push: bool) -> bool {
        let old = self.setup.config.get_untracked();
        let (new, problems) = lab::set_by_control(&old, key, value);
        self.setup.problems.set(problems.clone());
        if !problems.is_empty() {
            let msg = problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            self.setup.status.set(format!("Not changed: {msg}"));
            return false;
        }
        // within the page's budget: a size that would make the page crawl is reduced, and
        // the status names it with the command that runs it at full size
        let i = lab::interactive(&new);
        let note = i.note(&new, &new.to_query());
        let new = i.config;
        let changed = new != old;
        if changed {
            self.apply_config(old, new, push, &format!("{key} = {value}"));
        }
        if let Some(note) = note {
            let s = self.setup.status;
            if changed {
                s.update(|s| *s = format!("{s} {note}"));
            } else {
                s.set(format!("{key} = {value}: {note}"));
            }
        }
        changed
    }

    /// A slider moved: as [`LabState::set_key`], except that a configuration whose set-up is
    /// heavy (drawing and orthonormalising large task matrices) waits for the slider's
    /// release, so dragging across it never blocks the page once per position. The first
    /// change of a drag adds a history entry, the others replace it (Back undoes the drag).
    pub fn drag_key(self, key: &'static str, value: &str) {
        let (new, problems) = self
            .setup
            .config
            .with_untracked(|c| lab::set_by_control(c, key, value));
        if problems.is_empty() && new.setup_work() > HEAVY_SETUP {
            self.setup.status.set(format!(
                "{key} = {value}: a large set-up; release the slider to restart with it."
            ));
            return;
        }
        let dragging = self.setup.dragging;
        let push = dragging.get_value() != Some(key);
        if self.set_key_wrote(key, value, push) {
            dragging.set_value(Some(key));
        }
    }

    /// A slider was released (or stepped with a key): its value, as a drag's last change.
    pub fn release_key(self, key: &'static str, value: &str) {
        let dragging = self.setup.dragging;
        let push = dragging.get_value() != Some(key);
        dragging.set_value(None);
        self.set_key(key, value, push);
    }

    fn apply_config(self, old: Config, new: Config, push: bool, what: &str) {
        let s = self.setup;
        let new_b = s
            .compare
            .with_untracked(|c| c.as_ref().map(|c| c.apply(&new)));
        let old_b = s.config_b.get_untracked();
        s.config.set(new.clone());
        let new_b = new_b.map(|b| {
            // B keeps the differences it can still use with the new A (its label and link
            // show only those; the others are named beside the comparison)
            s.compare_problems.set(b.problems);
            s.config_b.set(Some(b.config.clone()));
            s.compare.set(Some(b.kept));
            b.config
        });
        self.write_link(push);
        let live_a = self
            .runs
            .a
            .update_value_returning(|r| r.apply_live(&old, &new));
        let live_b = match (&old_b, &new_b) {
            (Some(ob), Some(nb)) => self
                .runs
                .b
                .update_value_returning(|r| r.as_mut().is_some_and(|r| r.apply_live(ob, nb))),
            _ => true,
        };
        if live_a && live_b {
            s.status
                .set(format!("{what}: applied to the run as it is (no restart)."));
            self.bump();
            self.request_redraw();
        } else {
            s.status
                .set(format!("{what}: the run restarted from step 0."));
            self.restart_soon();
        }
    }

    /// Switch model: that model's defaults, keeping the seed and the comparison; the link
    /// gets a new history entry.
    pub fn switch_model(self, model: Model) {
        let old = self.setup.config.get_untracked();
        let cfg = Config {
            seed: old.seed,
            ..Config::defaults(model)
        };
        self.setup.preset.set_value(None);
        self.setup.problems.set(vec![]);
        self.playback.speed.set(default_speed(cfg.steps));
        self.apply_config(old, cfg, true, &format!("Model = {}", model.title()));
    }

    /// A new random seed: a new run (and a new history entry).
    pub fn new_seed(self) {
        let seed = (js_sys::Math::random() * 1e9).floor() as u64;
        self.set_key("seed", &seed.to_string(), true);
    }

    /// Start, change or end a comparison.
    pub fn set_compare(self, c: Option<Compare>) {
        let cfg = self.setup.config.get_untracked();
        self.setup.set_compare(c, &cfg);
        self.write_link(true);
        self.restart();
    }

    /// Set keys of B, the comparison's second run, as its dominoes' editor does: each key
    /// becomes (or replaces) a difference of `#vs=`, in order, and both runs restart; `push`:
    /// a new history entry, else the current one is replaced (a drag's later changes).
    pub fn set_b_keys(self, keys: &[(&str, String)], push: bool) {
        let Some(mut c) = self.setup.compare.get_untracked() else {
            return;
        };
        for (k, v) in keys {
            c = c.with_diff(k, v);
        }
        let cfg = self.setup.config.get_untracked();
        self.setup.set_compare(Some(c), &cfg);
        self.write_link(push);
        self.restart_soon();
    }

    /// A ready-made comparison: A is the run on screen with the example's keys set (or, for
    /// another model or an example with a setup of its own, that model's defaults), then B.
    pub fn compare_example(self, ex: &CompareExample) {
        let current = self.setup.config.get_untracked();
        let first = ex.first(&current);
        if !first.on_screen {
            self.setup.preset.set_value(None);
            self.playback.speed.set(default_speed(first.config.steps));
        }
        self.setup.config.set(first.config);
        self.set_compare(Some(Compare::parse(ex.b)));
        self.setup.status.set(if first.on_screen {
            format!("{}: A is the run on screen with {}.", ex.label, ex.a)
        } else {
            format!("{}: A is a new {} run.", ex.label, ex.model.title())
        });
    }

    /// The page's link: the configuration (relative to its preset) and the comparison.
    pub fn link(self) -> String {
        self.setup.link()
    }

    /// The page's link into the address: a new history entry (`push`) or in place.
    pub fn write_link(self, push: bool) {
        // An embed never adds entries to its host page's history (Back would move the frame).
        let push = push && !location::opts().embed;
        location::set_address(self.link(), push);
    }

    /// Back or forward through the history: read the link again.
    pub fn reload_from_location(self) {
        // a sweep link in the history (pushed by the sweep page) is the sweep page
        if location::requested_sweep().is_some() {
            location::reload();
            return;
        }
        let s = self.setup;
        let parsed = link::parse(&location::link_query());
        let (cfg, reduced) = page_config(&parsed);
        let compare = lab::compare_from_hash(&location::hash());
        s.preset.set_value(parsed.preset);
        s.set_compare(compare, &cfg);
        s.notice.set(link_notes(
            &parsed,
            reduced,
            &s.compare_problems.get_untracked(),
        ));
        self.playback.speed.set(default_speed(cfg.steps));
        s.config.set(cfg);
        s.problems.set(vec![]);
        s.status.set("Loaded the link from the history.".into());
        self.restart();
    }

    /// Open the link `query` (`?v=1&preset=…`, a gallery panel) as a new history entry and
    /// load its run; `what` names it in the status line.
    pub fn load_link(self, query: &str, what: &str) {
        location::set_address(query.to_string(), true);
        self.pause();
        self.reload_from_location();
        self.setup.status.set(format!("Loaded {what}."));
        window().scroll_to_with_x_and_y(0.0, 0.0);
        if location::autoplay() {
            self.play();
        }
    }
}
