//! The chart canvases with their pointer handling (hover shows a step, pressing or dragging
//! scrubs to it), the tabs of the second chart, and the readout of every value at the shown
//! step.

use super::state::{LabState, Playback, Runs, Setup, Side, Tab};
use crate::link::Model;
use crate::plot::run::{css_color, sig2, skill_color, Quantity};
use leptos::html::Canvas;
use leptos::prelude::*;

/// A chart canvas of one side: hovering shows that step, pressing or dragging scrubs to it.
#[component]
fn ChartCanvas(
    lab: LabState,
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
        let area = lab.canvases.areas.get_value()[slot]?;
        let ratio = c.width() as f64 / c.client_width().max(1) as f64;
        let step = area.step_at(e.offset_x() as f64 * ratio).round() as u32;
        let snap = |r: &crate::lab::Run| r.frame_at(Some(step)).map(|f| f.step);
        match side {
            Side::A => lab.runs.a.with_value(snap),
            Side::B => lab.runs.b.with_value(|r| r.as_ref().and_then(snap)),
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
                    lab.playback.hover.set(None);
                    lab.scrub(s);
                }
            }
            on:pointermove=move |e| {
                let Some(s) = step_at(&e) else { return };
                if e.buttons() & 1 != 0 {
                    lab.scrub(s);
                } else if e.pointer_type() == "mouse" {
                    lab.playback.hover.set(Some(s));
                }
            }
            on:pointerleave=move |_| lab.playback.hover.set(None)
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

#[component]
pub fn Charts(lab: LabState) -> impl IntoView {
    let (setup, tab) = (lab.setup, lab.options.tab);
    let comparing = move || setup.comparing();
    let has_align = move || setup.config.with(|c| c.model == Model::Geometry);
    let has_freqs = move || setup.config.with(|c| c.model != Model::Quadratic);
    // A tab that does not apply to the model falls back to the loss.
    Effect::new(move |_| {
        let t = tab.get();
        if (t == Tab::Align && !has_align()) || (t == Tab::Collapse && !has_freqs()) {
            tab.set(Tab::Loss);
        }
    });
    let head = move |side: Side| {
        move || {
            comparing().then(|| {
                let text = match side {
                    Side::A => setup.config.with(|c| format!("A · {}", c.model.title())),
                    Side::B => setup.compare.with(|c| {
                        setup
                            .compare_problems
                            .with(|p| format!("B · {}", crate::lab::label_b(c.as_ref(), p)))
                    }),
                };
                view! { <h3 class="side-head">{text}</h3> }
            })
        }
    };
    let second_label = move || {
        format!(
            "{} against training step",
            match tab.get() {
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
                        <ChartCanvas lab=lab side=Side::A second=false node=lab.canvases.a.skills testid="chart"
                            label="Skill levels s_i against training step, one curve per skill; triangles mark starts, dots finishes".to_string() />
                    </div>
                    {move || comparing().then(|| view! {
                        <div class="chart-col">
                            {head(Side::B)}
                            <ChartCanvas lab=lab side=Side::B second=false node=lab.canvases.b.skills testid="chart-b"
                                label="Skill levels of the compared run B".to_string() />
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
                                        prop:checked=move || tab.get() == t
                                        prop:disabled=disabled
                                        on:change=move |_| tab.set(t)
                                    />
                                    <span>{tab_label(t)}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <div class="chart-row">
                    <div class="chart-col">
                        {move || view! { <ChartCanvas lab=lab side=Side::A second=true node=lab.canvases.a.second testid="losschart" label=second_label() /> }}
                    </div>
                    {move || comparing().then(|| view! {
                        <div class="chart-col">
                            <ChartCanvas lab=lab side=Side::B second=true node=lab.canvases.b.second testid="losschart-b" label=format!("Run B: {}", second_label()) />
                        </div>
                    })}
                </div>
            </section>
            <Readout setup=lab.setup runs=lab.runs playback=lab.playback />
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

/// Every value of the readout in the page's one number format (three significant digits).
fn fmt(x: f64) -> String {
    crate::lab::format::sig(x, 3)
}

/// Every value at the shown step: loss, and per skill s_i (A and B), n_align,i, u_i^{1/p_i}.
#[component]
fn Readout(setup: Setup, runs: Runs, playback: Playback) -> impl IntoView {
    let row_a = Memo::new(move |_| {
        runs.slow.track();
        let at = playback.shown();
        runs.a.with_value(|r| snapshot(r, at))
    });
    let row_b = Memo::new(move |_| {
        runs.slow.track();
        let at = playback.shown();
        runs.b
            .with_value(|r| r.as_ref().and_then(|r| snapshot(r, at)))
    });
    let comparing = move || setup.comparing();
    // The table's shape: rebuilt only when the number of skills or the columns change.
    let shape = Memo::new(move |_| {
        let nb = setup.config_b.with(|c| c.as_ref().map(|c| c.skills()));
        // When comparing, the table shows s of both runs (no room for more columns).
        let (n, freqs, align, names) = setup.config.with(|c| {
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
                <span class="num" data-testid="readout-step">
                    {move || row_a.get().map(|r| r.step.to_string()).unwrap_or_default()}
                </span>
            </h2>
            <p class="hint">"Hover or drag on a chart to move through the run."</p>
            <p class="loss-line">
                "loss L = " <span class="num" data-testid="readout-loss">{move || row_a.get().map(|r| fmt(r.loss)).unwrap_or_default()}</span>
                {move || comparing().then(|| view! {
                    " · B: " <span class="num" data-testid="readout-loss-b">{move || row_b.get().map(|r| fmt(r.loss)).unwrap_or_default()}</span>
                })}
            </p>
            <div class="table-scroll">
                {move || {
                    let (n, freqs, align, nb, names) = shape.get();
                    let tasks = !names.is_empty();
                    let all = n.max(nb.unwrap_or(0));
                    let rows = all.min(crate::lab::TABLE_ROWS);
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
                                {(all > rows).then(|| view! {
                                    <tr data-testid="readout-more"><td colspan="6">{format!("… and {} more (the CSV has every one)", all - rows)}</td></tr>
                                })}
                            </tbody>
                        </table>
                    }
                }}
            </div>
        </section>
    }
}
