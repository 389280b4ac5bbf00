//! The transport (play, step, reset, new seed, speed, stop condition), the timeline
//! scrubber, the chart canvases with their pointer handling, and the readout of every value
//! at the shown step.

use super::{Lab, Side, Tab};
use crate::link::Model;
use crate::plot::run::{css_color, sig2, skill_color, Quantity};
use leptos::html::Canvas;
use leptos::prelude::*;

pub fn transport(lab: Lab, speeds: [u32; 13]) -> impl IntoView {
    let total = move || {
        let a = lab.config.with(|c| c.steps);
        let b = lab
            .config_b
            .with(|c| c.as_ref().map(|c| c.steps).unwrap_or(0));
        a.max(b)
    };
    let shown_step = move || {
        lab.version.track();
        let s = lab.shown();
        lab.run
            .with_value(|r| r.frame_at(s).map(|f| f.step).unwrap_or(0))
    };
    let shown_loss = move || {
        lab.version.track();
        let s = lab.shown();
        lab.run.with_value(|r| {
            r.frame_at(s)
                .map(|f| format!("{:.6e}", f.loss))
                .unwrap_or_default()
        })
    };
    let latest = move || {
        lab.version.track();
        lab.latest_step()
    };
    view! {
        <section class="transport" aria-label="Run controls">
            <div class="buttons">
                <button
                    class="primary"
                    data-testid="play"
                    aria-keyshortcuts="Space"
                    on:click=move |_| lab.toggle()
                >
                    {move || if lab.playing.get() { "Pause" } else { "Play" }}
                </button>
                <button data-testid="stepbtn" aria-keyshortcuts="ArrowRight" title="One step (→)" on:click=move |_| lab.step()>
                    "Step"
                </button>
                <button data-testid="reset" aria-keyshortcuts="R" title="The same run again from step 0 (R)" on:click=move |_| {
                    lab.pause();
                    lab.reset();
                }>"Reset"</button>
                <button data-testid="newseed" title="A new random seed: a different draw of the same model" on:click=move |_| lab.new_seed()>
                    "New seed"
                </button>
            </div>
            <label class="speed">
                <span>"Speed"</span>
                <input
                    type="range"
                    data-testid="speed"
                    min="0"
                    max=speeds.len() - 1
                    step="1"
                    prop:value=move || lab.speed.get().to_string()
                    on:input=move |e| {
                        let v = event_target_value(&e).parse().unwrap_or(0usize);
                        lab.speed.set(v.min(speeds.len() - 1));
                    }
                    aria-valuetext=move || format!("{} steps per frame", speeds[lab.speed.get()])
                />
                <span class="speed-value">{move || format!("{} steps/frame", speeds[lab.speed.get()])}</span>
            </label>
            <label class="check" title="Pause as soon as every skill is above the threshold">
                <input
                    type="checkbox"
                    data-testid="stoplearned"
                    prop:checked=move || lab.stop_learned.get()
                    on:change=move |e| lab.stop_learned.set(event_target_checked(&e))
                />
                <span>"Stop when all are learned"</span>
            </label>
            <p class="readout-line">
                "step " <output data-testid="step">{shown_step}</output> " / " {total}
                <span class="sep">" · "</span> "loss " <output data-testid="loss">{shown_loss}</output>
            </p>
            <div class="timeline">
                <label for="scrub">"Timeline"</label>
                <input
                    type="range"
                    id="scrub"
                    data-testid="scrub"
                    min="0"
                    step="1"
                    prop:max=move || latest().to_string()
                    prop:value=move || {
                        lab.version.track();
                        lab.view.get().unwrap_or_else(|| lab.latest_step()).to_string()
                    }
                    aria-valuetext=move || format!("step {}", shown_step())
                    on:input=move |e| {
                        if let Ok(v) = event_target_value(&e).parse::<u32>() {
                            lab.scrub(v);
                        }
                    }
                />
                <span class="timeline-note" data-testid="timeline-note">
                    {move || match lab.view.get() {
                        Some(_) => format!("scrubbed back: {} steps computed", latest()),
                        None => "following the run".to_string(),
                    }}
                </span>
            </div>
            <p class="status" role="status" aria-live="polite" data-testid="status">{move || lab.status.get()}</p>
        </section>
    }
}

/// A chart canvas of one side: hovering shows that step, pressing or dragging scrubs to it.
fn canvas(
    lab: Lab,
    side: Side,
    second: bool,
    node: NodeRef<Canvas>,
    testid: &'static str,
    label: String,
) -> impl IntoView {
    let slot = match (side, second) {
        (Side::A, false) => 0,
        (Side::A, true) => 1,
        (Side::B, false) => 2,
        (Side::B, true) => 3,
    };
    // The recorded step under the pointer (None if the chart was never drawn).
    let step_at = move |e: &web_sys::PointerEvent| -> Option<u32> {
        let c = node.get_untracked()?;
        let area = lab.areas.get_value()[slot]?;
        let ratio = c.width() as f64 / c.client_width().max(1) as f64;
        let step = area.step_at(e.offset_x() as f64 * ratio).round() as u32;
        let snap = |r: &crate::lab::Run| r.frame_at(Some(step)).map(|f| f.step);
        match side {
            Side::A => lab.run.with_value(snap),
            Side::B => lab.run_b.with_value(|r| r.as_ref().and_then(snap)),
        }
    };
    view! {
        <canvas
            class=if second { "chart second" } else { "chart" }
            data-testid=testid
            node_ref=node
            role="img"
            aria-label=label
            on:pointerdown=move |e| {
                if let Some(s) = step_at(&e) {
                    if let Some(c) = node.get_untracked() {
                        let _ = c.set_pointer_capture(e.pointer_id());
                    }
                    lab.hover.set(None);
                    lab.scrub(s);
                }
            }
            on:pointermove=move |e| {
                let Some(s) = step_at(&e) else { return };
                if e.buttons() & 1 != 0 {
                    lab.scrub(s);
                } else if e.pointer_type() == "mouse" {
                    lab.hover.set(Some(s));
                }
            }
            on:pointerleave=move |_| lab.hover.set(None)
        ></canvas>
    }
}

fn tab_label(t: Tab) -> &'static str {
    match t {
        Tab::Loss => "Loss (log)",
        Tab::Align => "Aligned dimensions",
        Tab::Collapse => "Collapse u^(1/p)",
    }
}

pub fn charts(lab: Lab) -> impl IntoView {
    let comparing = move || lab.config_b.with(|c| c.is_some());
    let has_align = move || lab.config.with(|c| c.model == Model::Geometry);
    let has_freqs = move || lab.config.with(|c| c.model != Model::Quadratic);
    // A tab that does not apply to the model falls back to the loss.
    Effect::new(move |_| {
        let t = lab.tab.get();
        if (t == Tab::Align && !has_align()) || (t == Tab::Collapse && !has_freqs()) {
            lab.tab.set(Tab::Loss);
        }
    });
    let head = move |side: Side| {
        move || {
            comparing().then(|| {
                let text = match side {
                    Side::A => lab.config.with(|c| format!("A · {}", c.model.title())),
                    Side::B => lab.compare.with(|c| {
                        format!(
                            "B · {}",
                            c.as_ref().map(|c| c.describe()).unwrap_or_default()
                        )
                    }),
                };
                view! { <h3 class="side-head">{text}</h3> }
            })
        }
    };
    let second_label = move || {
        format!(
            "{} against training step",
            match lab.tab.get() {
                Tab::Loss => "Total loss (log scale)",
                Tab::Align => "Aligned dimensions n_align,i, one curve per skill",
                Tab::Collapse => "Collapse u_i^(1/p_i), one curve per skill",
            }
        )
    };
    view! {
        <div class="charts-wrap">
            <section class="charts" class:compare=comparing aria-label="Charts">
                <div class="chart-row">
                    <div class="chart-col">
                        {head(Side::A)}
                        {canvas(lab, Side::A, false, lab.a.skills, "chart",
                            "Skill levels s_i against training step, one curve per skill; triangles mark starts, dots finishes".into())}
                    </div>
                    {move || comparing().then(|| view! {
                        <div class="chart-col">
                            {head(Side::B)}
                            {canvas(lab, Side::B, false, lab.b.skills, "chart-b",
                                "Skill levels of the compared run B".into())}
                        </div>
                    })}
                </div>
                <fieldset class="tabs" data-testid="tabs">
                    <legend class="visually-hidden">"Second chart"</legend>
                    {[Tab::Loss, Tab::Align, Tab::Collapse]
                        .into_iter()
                        .map(|t| {
                            let disabled = move || match t {
                                Tab::Loss => false,
                                Tab::Align => !has_align(),
                                Tab::Collapse => !has_freqs(),
                            };
                            view! {
                                <label class="tab" class:disabled=disabled title=move || {
                                    if disabled() { "Not available for this model" } else { "" }
                                }>
                                    <input
                                        type="radio"
                                        name="tab"
                                        data-testid=format!("tab-{}", match t { Tab::Loss => "loss", Tab::Align => "align", Tab::Collapse => "collapse" })
                                        prop:checked=move || lab.tab.get() == t
                                        prop:disabled=disabled
                                        on:change=move |_| lab.tab.set(t)
                                    />
                                    <span>{tab_label(t)}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <div class="chart-row">
                    <div class="chart-col">
                        {move || canvas(lab, Side::A, true, lab.a.second, "losschart", second_label())}
                    </div>
                    {move || comparing().then(|| view! {
                        <div class="chart-col">
                            {canvas(lab, Side::B, true, lab.b.second, "losschart-b", format!("Run B: {}", second_label()))}
                        </div>
                    })}
                </div>
            </section>
            {readout(lab)}
        </div>
    }
}

/// The values at the shown step of one run (a snapshot for the readout table).
#[derive(Clone, Debug, PartialEq, Default)]
struct Row {
    step: u32,
    loss: f64,
    levels: Vec<f64>,
    align: Option<Vec<u32>>,
    collapse: Vec<Option<f64>>,
}

fn snapshot(r: &crate::lab::Run, at: Option<u32>) -> Option<Row> {
    let f = r.frame_at(at)?;
    Some(Row {
        step: f.step,
        loss: f.loss,
        levels: f.levels.clone(),
        align: f.align.clone(),
        collapse: (0..f.levels.len())
            .map(|i| Quantity::Collapse.value(f, i, &r.p))
            .collect(),
    })
}

fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e4) {
        format!("{x:.2e}")
    } else {
        format!("{x:.3}")
    }
}

/// Every value at the shown step: loss, and per skill s_i (A and B), n_align,i, u_i^{1/p_i}.
fn readout(lab: Lab) -> impl IntoView {
    let row_a = Memo::new(move |_| {
        lab.slow.track();
        let at = lab.shown();
        lab.run.with_value(|r| snapshot(r, at))
    });
    let row_b = Memo::new(move |_| {
        lab.slow.track();
        let at = lab.shown();
        lab.run_b
            .with_value(|r| r.as_ref().and_then(|r| snapshot(r, at)))
    });
    let comparing = move || lab.config_b.with(|c| c.is_some());
    // The table's shape: rebuilt only when the number of skills or the columns change.
    let shape = Memo::new(move |_| {
        let nb = lab.config_b.with(|c| c.as_ref().map(|c| c.skills()));
        // When comparing, the table shows s of both runs (no room for more columns).
        let (n, freqs, align, names) = lab.config.with(|c| {
            (
                c.skills(),
                crate::lab::skill_freqs(c),
                c.model == Model::Geometry && nb.is_none(),
                c.skill_names(),
            )
        });
        (n, freqs, align, nb, names)
    });
    let cell = move |f: fn(&Row, usize) -> Option<String>, side: Side, i: usize| {
        move || {
            let r = match side {
                Side::A => row_a,
                Side::B => row_b,
            };
            r.with(|r| r.as_ref().and_then(|r| f(r, i)))
                .unwrap_or_default()
        }
    };
    view! {
        <section class="readout" data-testid="readout" aria-label="Values at the shown step">
            <h2>
                "Values at step "
                <output data-testid="readout-step">
                    {move || row_a.get().map(|r| r.step.to_string()).unwrap_or_default()}
                </output>
            </h2>
            <p class="hint">"Hover or drag on a chart to move through the run."</p>
            <p class="loss-line">
                "loss L = " <output data-testid="readout-loss">{move || row_a.get().map(|r| fmt(r.loss)).unwrap_or_default()}</output>
                {move || comparing().then(|| view! {
                    " · B: " <output data-testid="readout-loss-b">{move || row_b.get().map(|r| fmt(r.loss)).unwrap_or_default()}</output>
                })}
            </p>
            <div class="table-scroll">
                {move || {
                    let (n, freqs, align, nb, names) = shape.get();
                    let tasks = !names.is_empty();
                    let rows = n.max(nb.unwrap_or(0));
                    let with_p = !freqs.is_empty();
                    view! {
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">{if tasks { "task" } else { "skill" }}</th>
                                    {with_p.then(|| view! { <th scope="col" title="frequency p_i">"p"</th> })}
                                    <th scope="col" title="skill level s_i">{if nb.is_some() { "s (A)" } else { "s" }}</th>
                                    {nb.map(|_| view! { <th scope="col" title="skill level s_i of run B">"s (B)"</th> })}
                                    {align.then(|| view! { <th scope="col" title="aligned dimensions n_align,i">"n_align"</th> })}
                                    {(with_p && nb.is_none()).then(|| view! { <th scope="col" title="collapse u_i^(1/p_i), p normalised">"u^(1/p)"</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {(0..rows)
                                    .map(|i| {
                                        let color = css_color(skill_color(i, n.max(1)));
                                        let p = freqs.get(i).map(|p| sig2(*p)).unwrap_or_default();
                                        view! {
                                            <tr data-testid="readout-row">
                                                <th scope="row">
                                                    <span class="swatch" style:background-color=color></span>
                                                    {crate::plot::run::skill_name(&names, i)}
                                                </th>
                                                {with_p.then(|| view! { <td>{p}</td> })}
                                                <td class="num">{cell(|r, i| r.levels.get(i).map(|v| fmt(*v)), Side::A, i)}</td>
                                                {nb.map(|_| view! {
                                                    <td class="num">{cell(|r, i| r.levels.get(i).map(|v| fmt(*v)), Side::B, i)}</td>
                                                })}
                                                {align.then(|| view! {
                                                    <td class="num">{cell(|r, i| r.align.as_ref()?.get(i).map(|v| v.to_string()), Side::A, i)}</td>
                                                })}
                                                {(with_p && nb.is_none()).then(|| view! {
                                                    <td class="num">{cell(|r, i| r.collapse.get(i).copied().flatten().map(fmt), Side::A, i)}</td>
                                                })}
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                }}
            </div>
        </section>
    }
}
