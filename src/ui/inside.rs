//! The inside view of a real network (docs/models.md §12): switched on by the reader, it
//! records which hidden units serve which task every few steps of run A (`lab::inside`) and
//! draws the units × time strip and the fraction of the network serving each task beside the
//! Resource model's allocation, with the sentence saying where they agree. Closed, it costs
//! the run nothing (no attribution is computed).

use super::animation::now;
use super::canvas::{chart_theme, draw_on};
use super::state::LabState;
use crate::lab::inside::{has_inside, resource_on_axis, Comparison, ResourceAllocation};
use crate::lab::view;
use crate::plot::inside::{draw_serving, draw_units};
use leptos::html::Canvas;
use leptos::prelude::*;

/// The Resource model's allocation for the frequencies p and threshold of the run it was
/// computed for.
type Cached = (Vec<f64>, f64, Option<ResourceAllocation>);

/// Redraw at most this often while the run plays (ms).
const REDRAW_MS: f64 = 250.0;

#[component]
pub fn InsidePanel(lab: LabState) -> impl IntoView {
    let open = RwSignal::new(false);
    let units: NodeRef<Canvas> = NodeRef::new();
    let serving: NodeRef<Canvas> = NodeRef::new();
    let sentence = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    // the Resource model's allocation for the run's frequencies, computed once per (p, thr)
    let resource: StoredValue<Option<Cached>, LocalStorage> = StoredValue::new_local(None);
    let last_draw = StoredValue::new(f64::NEG_INFINITY);
    let pending = StoredValue::new(false);
    let shown = move || lab.setup.config.with(|c| has_inside(c.model));

    let draw = move || {
        last_draw.set_value(now());
        let theme = chart_theme();
        let cursor = lab.playback.cursor();
        let x_end = lab.runs.a.with_value(|r| {
            view::axis_end(lab.setup.x_steps(), r.step(), r.learned_step(), cursor)
        });
        let (p, thr) = lab.runs.a.with_value(|r| (r.p.clone(), r.milestones.thr));
        let stale = resource.with_value(|c| c.as_ref().is_none_or(|c| c.0 != p || c.1 != thr));
        if stale {
            let alloc = ResourceAllocation::of(&p, thr);
            resource.set_value(Some((p, thr, alloc)));
        }
        lab.runs.a.with_value(|run| {
            let Some(inside) = run.inside.as_ref() else {
                return;
            };
            let learned = run.learned_steps();
            let rows = inside.serving();
            let (curve, text) =
                resource.with_value(|c| match c.as_ref().and_then(|c| c.2.as_ref()) {
                    Some(res) => (
                        resource_on_axis(res, &learned, 400),
                        Comparison::of(inside, &learned, res)
                            .map(|c| c.sentence(&run.names))
                            .unwrap_or_default(),
                    ),
                    None => (vec![], String::new()),
                });
            sentence.set(text);
            status.set(match inside.snapshots.first() {
                None => "Waiting for the first snapshot …".into(),
                Some((s, a)) => format!(
                    "{} hidden units, a snapshot every {} steps from step {s} ({} so far).",
                    a.units(),
                    inside.every,
                    inside.snapshots.len()
                ),
            });
            if let Some(c) = units.get_untracked() {
                let _ = draw_on(&c, theme, cursor, |root, opts| {
                    draw_units(root, &inside.snapshots, inside.every, x_end, opts)
                });
            }
            if let Some(c) = serving.get_untracked() {
                let _ = draw_on(&c, theme, cursor, |root, opts| {
                    draw_serving(root, &rows, &curve, &run.names, x_end, opts)
                });
            }
        });
    };

    // Record while open (a fresh run after a reset or a change too), and redraw as the run
    // grows, at most every REDRAW_MS while it plays.
    Effect::new(move |_| {
        lab.runs.version.track();
        let on = open.get() && shown();
        lab.runs.a.update_value(|r| {
            if on != r.inside.is_some() {
                r.watch_inside(on);
            }
        });
        if !on {
            return;
        }
        let since = now() - last_draw.get_value();
        if since >= REDRAW_MS || !lab.playback.playing.get_untracked() {
            request_animation_frame(draw);
        } else if !pending.get_value() {
            pending.set_value(true);
            set_timeout(
                move || {
                    pending.set_value(false);
                    draw();
                },
                std::time::Duration::from_millis((REDRAW_MS - since).max(0.0) as u64),
            );
        }
    });

    view! {
        <Show when=shown>
            <section class="panel inside" aria-label="Inside the network" data-testid="inside">
                <h2>"Inside the network"</h2>
                <label class="check" title="Every few steps, split each hidden unit's squared gradient among the tasks' losses (extra backward passes; the run itself does not change)">
                    <input
                        type="checkbox"
                        data-testid="inside-open"
                        prop:checked=move || open.get()
                        on:change=move |e| open.set(event_target_checked(&e))
                    />
                    <span>"Show which hidden units serve which task"</span>
                </label>
                <Show when=move || open.get()>
                    <p class="hint">
                        "Each row is a hidden unit, each column a snapshot: the colour is the task whose loss sends the unit most of its squared gradient, the intensity how large that share is (pale: shared evenly; grey: no gradient). Below, the fraction of the network serving each task (solid) beside the Resource model's share of its resource for the same task frequencies (dashed, its clock matched where the network learns its first task; docs/models.md §12)."
                    </p>
                    <canvas class="inside-units" data-testid="inside-units" node_ref=units role="img"
                        aria-label="Hidden units × time, coloured by the task each unit serves"></canvas>
                    <canvas class="inside-serving" data-testid="inside-serving" node_ref=serving role="img"
                        aria-label="Fraction of the network serving each task, and the Resource model's allocation"></canvas>
                    <p class="hint" data-testid="inside-status">{move || status.get()}</p>
                    <p data-testid="inside-verdict">{move || sentence.get()}</p>
                </Show>
            </section>
        </Show>
    }
}
