//! Editing the skill graph and the frequencies on the dominoes (the logic is
//! `lab::graph`): a pointer drag from one tile to another adds a prerequisite, a drag on a
//! tile's frequency bar sets its `p`, the keys of a focused tile do the same, and each edit
//! goes through the lab's acts (`LabState::set_key`, `drag_key`, `release_key`), so the link
//! and the history follow and the run restarts. In a comparison, B's tiles edit B: their
//! changes become differences of `#vs=` (`LabState::set_b_keys`). Pointer events (mouse, pen and touch alike)
//! are followed on the window once a drag starts, so a tile re-drawn under the pointer while
//! the run restarts never loses the drag.

use super::state::{LabState, Side};
use crate::lab::{dragged_freq, p_with, stepped_freq, Graph};
use crate::link::Config;
use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A drag moves this far (CSS pixels) before it counts as one (less is a click).
const SLOP: f64 = 6.0;

/// What a pointer drag is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum DragKind {
    /// From skill `from` towards the skill that will need it.
    Edge { from: usize },
    /// Skill `i`'s frequency bar, grabbed at frequency `p0`; `last` is the `p=` text set.
    Freq {
        i: usize,
        p0: f64,
        last: Option<String>,
    },
}

/// A pointer drag in progress, in client coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Drag {
    pub kind: DragKind,
    pub pointer: i32,
    pub start: (f64, f64),
    pub at: (f64, f64),
    pub moved: bool,
}

/// The graph editor's state: the drag, the keyboard's pending edge, and a message line.
#[derive(Clone, Copy)]
pub struct GraphEdit {
    pub lab: LabState,
    /// The run whose tiles this edits: A (the link's keys) or B (its `#vs=` differences).
    pub side: Side,
    pub drag: RwSignal<Option<Drag>>,
    /// A keyboard edge being chosen: (from, to).
    pub pick: RwSignal<Option<(usize, usize)>>,
    /// What the last edit did or why it was refused.
    pub note: RwSignal<String>,
}

impl GraphEdit {
    /// The editor of `side`'s tiles, writing its messages to `note` (one line for both
    /// runs), following pointer moves and releases on the window while it lives.
    pub fn new(lab: LabState, side: Side, note: RwSignal<String>) -> Self {
        let edit = GraphEdit {
            lab,
            side,
            drag: RwSignal::new(None),
            pick: RwSignal::new(None),
            note,
        };
        let moves = window_event_listener(ev::pointermove, move |e| edit.pointer_move(&e));
        let ups = window_event_listener(ev::pointerup, move |e| edit.pointer_up(&e, false));
        let cancels = window_event_listener(ev::pointercancel, move |e| edit.pointer_up(&e, true));
        on_cleanup(move || {
            moves.remove();
            ups.remove();
            cancels.remove();
        });
        edit
    }

    /// The configuration of the edited run (B's when comparing, else A's).
    fn config(self) -> Config {
        match self.side {
            Side::A => None,
            Side::B => self.lab.setup.config_b.get_untracked(),
        }
        .unwrap_or_else(|| self.lab.setup.config.get_untracked())
    }

    fn graph(self) -> Graph {
        Graph::of(&self.config())
    }

    /// A message about the edited run ("B: " before it for run B).
    fn say(self, text: String) {
        self.note.set(match self.side {
            Side::A => text,
            Side::B => format!("B: {text}"),
        });
    }

    /// Write keys of the edited run: A's link keys (the first as a new history entry when
    /// `push`, the others replacing it), or B's differences in `#vs=`.
    fn write(self, keys: &[(&'static str, String)], push: bool) {
        match self.side {
            Side::A => {
                for (k, (key, value)) in keys.iter().enumerate() {
                    self.lab.set_key(key, value, push && k == 0);
                }
            }
            Side::B => self.lab.set_b_keys(keys, push),
        }
    }

    /// Apply an edit: the keys it changes, the first as a new history entry and the others
    /// replacing it (a switch AND → OR writes `and` then `or`: one step back undoes it).
    fn commit(self, next: Result<Graph, String>, done: String, focus: Option<usize>) {
        match next {
            Err(why) => self.say(format!("Not changed: {why}.")),
            Ok(g) => {
                self.write(&g.changes(&self.config()), true);
                let now = self.graph();
                self.say(if now == g {
                    format!("{done}. Back undoes it.")
                } else {
                    "Not changed (see the status line).".into()
                });
                if let Some(i) = focus {
                    refocus(self.side, i);
                }
            }
        }
    }

    /// Add "`to` needs `from`"; `keys`: from the keyboard (the focus stays on `to`).
    pub fn add(self, from: usize, to: usize, keys: bool) {
        self.commit(
            self.graph().add(from, to),
            format!(
                "Added {} → {}: skill {} needs skill {}",
                from + 1,
                to + 1,
                to + 1,
                from + 1
            ),
            keys.then_some(to),
        );
    }

    /// Remove "`to` needs `from`"; `keys`: from the keyboard (the focus goes to `to`).
    pub fn remove(self, from: usize, to: usize, keys: bool) {
        self.commit(
            self.graph().remove(from, to),
            format!("Removed {} → {}", from + 1, to + 1),
            keys.then_some(to),
        );
    }

    /// Switch skill `i` between AND and OR; `keys`: from the keyboard.
    pub fn toggle(self, i: usize, keys: bool) {
        let g = self.graph().toggle(i);
        let kind = match g.as_ref().ok().and_then(|g| g.gate(i)) {
            Some(gate) if gate.all => "AND (needs all its prerequisites)",
            _ => "OR (needs any one)",
        };
        self.commit(
            g,
            format!("Skill {} is now {kind}", i + 1),
            keys.then_some(i),
        );
    }

    /// Set skill `i`'s frequency to `value`: by a drag (`first`: its first change, a new
    /// history entry; the later ones replace it) or a key (`None`: a new entry).
    fn set_freq(self, i: usize, value: f64, drag: Option<bool>) -> Option<String> {
        let text = p_with(&self.config(), i, value)?;
        match (self.side, drag) {
            (Side::A, Some(_)) => self.lab.drag_key("p", &text),
            (Side::A, None) => self.lab.set_key("p", &text, true),
            (Side::B, first) => self.write(&[("p", text.clone())], first.unwrap_or(true)),
        }
        self.say(format!(
            "Skill {}: frequency {}",
            i + 1,
            crate::link::num(value)
        ));
        Some(text)
    }

    /// A pointer went down on skill `i`'s tile (an edge starts) or its bar (`freq`).
    pub fn pointer_down(self, e: &ev::PointerEvent, i: usize, freq: Option<f64>) {
        if e.button() != 0 {
            return;
        }
        let kind = match freq {
            Some(p0) => DragKind::Freq { i, p0, last: None },
            None => DragKind::Edge { from: i },
        };
        let at = (e.client_x() as f64, e.client_y() as f64);
        self.pick.set(None);
        self.drag.set(Some(Drag {
            kind,
            pointer: e.pointer_id(),
            start: at,
            at,
            moved: false,
        }));
    }

    fn pointer_move(self, e: &ev::PointerEvent) {
        let Some(mut d) = self.drag.get_untracked() else {
            return;
        };
        if d.pointer != e.pointer_id() {
            return;
        }
        d.at = (e.client_x() as f64, e.client_y() as f64);
        let (dx, dy) = (d.at.0 - d.start.0, d.at.1 - d.start.1);
        d.moved |= dx.hypot(dy) > SLOP;
        if let DragKind::Freq { i, p0, last } = &mut d.kind {
            if d.moved {
                e.prevent_default();
                if let Some(v) = dragged_freq(*p0, -dy) {
                    let text = p_with(&self.config(), *i, v);
                    if text.is_some() && text != *last {
                        *last = self.set_freq(*i, v, Some(last.is_none()));
                    }
                }
            }
        }
        self.drag.set(Some(d));
    }

    fn pointer_up(self, e: &ev::PointerEvent, cancelled: bool) {
        let Some(d) = self.drag.get_untracked() else {
            return;
        };
        if d.pointer != e.pointer_id() {
            return;
        }
        self.drag.set(None);
        match d.kind {
            DragKind::Freq { i, last, .. } => {
                if let Some(text) = last {
                    // the drag's last value, as a slider's release: one history entry (B's
                    // drag wrote its entry as it went)
                    if self.side == Side::A {
                        self.lab.release_key("p", &text);
                    }
                    self.say(format!(
                        "Skill {}: frequency set by the drag. Back undoes it.",
                        i + 1
                    ));
                }
            }
            DragKind::Edge { from } => {
                if cancelled {
                    self.say("Drag cancelled.".into());
                } else if d.moved {
                    match skill_at(self.side, e.client_x() as f64, e.client_y() as f64) {
                        Some(to) => self.add(from, to, false),
                        None => self.say(format!(
                            "Not changed: drop on another tile of the same run to make it need skill {}.",
                            from + 1
                        )),
                    }
                }
            }
        }
    }

    /// A key on skill `i`'s focused tile: E (or Enter) starts an edge, ←/→ pick the skill
    /// that will need it, Enter adds it, Esc cancels; T switches AND/OR; ↑/↓ step the
    /// frequency. True when the key was used.
    pub fn key(
        self,
        e: &ev::KeyboardEvent,
        i: usize,
        n: usize,
        editable: bool,
        freq: Option<f64>,
    ) -> bool {
        let pick = self.pick.get_untracked();
        let step = |to: usize, right: bool| {
            if right {
                (to + 1) % n
            } else {
                (to + n - 1) % n
            }
        };
        match (e.key().as_str(), pick) {
            ("ArrowLeft" | "ArrowRight", Some((from, to))) => {
                let to = step(to, e.key() == "ArrowRight");
                self.pick.set(Some((from, to)));
                self.say(format!(
                    "New prerequisite {} → {}: Enter adds it, Esc cancels.",
                    from + 1,
                    to + 1
                ));
                refocus(self.side, to);
            }
            ("Enter", Some((from, to))) => {
                self.pick.set(None);
                self.add(from, to, true);
            }
            ("Escape", Some(_)) => {
                self.pick.set(None);
                self.say("Cancelled.".into());
            }
            ("e" | "E" | "Enter", None) if editable && n > 1 => {
                let to = step(i, true);
                self.pick.set(Some((i, to)));
                self.say(format!(
                    "New prerequisite {} → {}: ←/→ pick the skill that needs {}, Enter adds it, Esc cancels.",
                    i + 1,
                    to + 1,
                    i + 1
                ));
                refocus(self.side, to);
            }
            ("t" | "T", None) if editable => self.toggle(i, true),
            ("ArrowUp" | "ArrowDown", None) => {
                let Some(p) = freq.and_then(|p| stepped_freq(p, e.key() == "ArrowUp")) else {
                    return false;
                };
                self.set_freq(i, p, None);
                refocus(self.side, i);
            }
            ("ArrowLeft" | "ArrowRight", None) => {
                refocus(self.side, step(i, e.key() == "ArrowRight"));
            }
            _ => return false,
        }
        true
    }
}

/// The rows of `side`'s tiles, as a CSS selector.
fn rows_of(side: Side) -> &'static str {
    match side {
        Side::A => ".dominoes-wrap [data-testid=dominoes]",
        Side::B => ".dominoes-wrap [data-testid=dominoes-b]",
    }
}

/// The skill (0-based) of `side`'s tile under a point of the window (a tile of the other
/// run is none).
fn skill_at(side: Side, x: f64, y: f64) -> Option<usize> {
    let el = document().element_from_point(x as f32, y as f32)?;
    let slot = el
        .closest(&format!("{} [data-skill]", rows_of(side)))
        .ok()??;
    slot.get_attribute("data-skill")?.parse().ok()
}

/// Focus skill `i`'s tile of `side` after the dominoes are re-drawn (the next frame).
fn refocus(side: Side, i: usize) {
    request_animation_frame(move || {
        let el = document()
            .query_selector(&format!("{} [data-skill=\"{i}\"]", rows_of(side)))
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = el {
            let _ = el.focus();
        }
    });
}
