//! The model panels, built from `link::SCHEMA` (never a second list of ranges): one
//! labelled native control per key of the vocabulary, grouped as the schema groups them,
//! showing only the keys the run reads (`KeySpec::is_read_by`). The paper's symbol and the
//! key's one-line help are the tooltip on hover, and a toggle button (an "i", named "About …")
//! shows the help on tap or keyboard; the control is described by it. A control's accessible
//! name is its label alone (the key's code name beside it is hidden from screen readers). A
//! slider's drag adds one history entry and replaces it while dragging; choices, flags, typed
//! values and step buttons add one each.

use super::state::LabState;
use crate::lab::{auto_value, format, range_text, shown_value, Slider};
use crate::link::{num, Config, Group, KeySpec, Kind, SCHEMA};
use leptos::prelude::*;

/// Keys that are not set by a control here: the version, the preset (a later gallery) and
/// the model (the selector at the top).
const NOT_CONTROLS: [&str; 3] = ["v", "preset", "m"];

/// The groups in schema order.
fn groups() -> Vec<Group> {
    let mut out: Vec<Group> = vec![];
    for k in SCHEMA {
        if !out.contains(&k.group) {
            out.push(k.group);
        }
    }
    out
}

/// The keys with a control for a run of `c`: those the run reads ([`KeySpec::is_read_by`]:
/// its model, frequency mode and optimizer), so no control shows a value the run ignores.
fn shown_keys(c: &Config) -> Vec<&'static str> {
    SCHEMA
        .iter()
        .filter(|k| k.is_read_by(c) && !NOT_CONTROLS.contains(&k.key))
        .map(|k| k.key)
        .collect()
}

fn controls_of(g: Group, shown: &[&'static str]) -> Vec<&'static KeySpec> {
    SCHEMA
        .iter()
        .filter(|k| k.group == g && shown.contains(&k.key))
        .collect()
}

#[component]
pub fn Panels(lab: LabState) -> impl IntoView {
    // Rebuilt only when the set of keys the run reads changes (a model, a frequency mode, an
    // optimizer), never while a slider is dragged.
    let shown = Memo::new(move |_| lab.setup.config.with(shown_keys));
    view! {
        <section class="panels" data-testid="panels" aria-label="Parameters of the model">
            <h2>"Parameters"</h2>
            <p class="hint" data-testid="restart-note">
                "Changing a value restarts the run from step 0 (the end step and the threshold apply to the run as it is). The link follows every change. The i button beside a label tells its meaning."
            </p>
            <div class="groups">{move || {
                let shown = shown.get();
                groups()
                    .into_iter()
                    .filter_map(|g| {
                        let keys = controls_of(g, &shown);
                        (!keys.is_empty())
                            .then(|| {
                                view! {
                                    <fieldset class="group" data-testid=format!("group-{}", g.title())>
                                        <legend>{g.title()}</legend>
                                        {keys.into_iter().map(|k| control(lab, k)).collect_view()}
                                    </fieldset>
                                }
                            })
                    })
                    .collect_view()
            }}</div>
        </section>
    }
}

/// Example text for the structured keys.
fn placeholder(key: &str) -> &'static str {
    match key {
        "p" => "0.5,0.3,0.2",
        "and" => "3:1-2",
        "or" => "3:1-2",
        "sw" => "1:0.5:0.1",
        _ => "",
    }
}

fn control(lab: LabState, k: &'static KeySpec) -> impl IntoView {
    let key = k.key;
    let id = format!("k-{key}");
    let help_id = format!("help-{key}");
    let show_help = RwSignal::new(false);
    let config = lab.setup.config;
    let tried = super::tour::highlight();
    let value = Memo::new(move |_| config.with(|c| shown_value(c, key)));
    let auto = Memo::new(move |_| config.with(|c| auto_value(c, key)));
    let problem = move || {
        lab.setup
            .problems
            .with(|ps| ps.iter().find(|p| p.key == key).map(|p| p.message.clone()))
    };
    let title = if k.symbol.is_empty() {
        format!("{}: {}", k.key, k.help)
    } else {
        format!("{} ({}): {}", k.symbol, k.key, k.help)
    };
    let label_text = if k.symbol.is_empty() || k.label.contains(k.symbol) {
        k.label.to_string()
    } else {
        format!("{} {}", k.label, k.symbol)
    };
    let range = range_text(k);
    let input: AnyView = match k.kind {
        Kind::Choice(options) => view! {
            <select
                id=id.clone()
                aria-describedby=help_id.clone()
                data-testid=format!("key-{key}")
                on:change=move |e| lab.set_key(key, &event_target_value(&e), true)
            >
                {options
                    .iter()
                    .map(|&o| view! { <option value=o prop:selected=move || value.get() == o>{o}</option> })
                    .collect_view()}
            </select>
        }
        .into_any(),
        Kind::Flag => view! {
            <input
                type="checkbox"
                id=id.clone()
                aria-describedby=help_id.clone()
                data-testid=format!("key-{key}")
                prop:checked=move || value.get() == "1"
                on:change=move |e| {
                    let on = event_target_checked(&e);
                    lab.set_key(key, if on { "1" } else { "0" }, true)
                }
            />
        }
        .into_any(),
        Kind::Text => view! {
            <input
                type="text"
                id=id.clone()
                aria-describedby=help_id.clone()
                data-testid=format!("key-{key}")
                placeholder=placeholder(key)
                spellcheck="false"
                autocomplete="off"
                prop:value=move || value.get()
                on:change=move |e| lab.set_key(key, event_target_value(&e).trim(), true)
            />
        }
        .into_any(),
        Kind::Int { .. } | Kind::Float { .. } => {
            let (nmin, nmax, nstep) = match k.kind {
                Kind::Int { min, max } => (min.to_string(), max.to_string(), "1".to_string()),
                Kind::Float { min, max, .. } => (num(min), num(max), "any".to_string()),
                _ => Default::default(),
            };
            let slider = Slider::of(k).map(|s| {
                let (a, b, st) = s.attrs();
                view! {
                    <input
                        type="range"
                        aria-label=format!("{} slider", k.label)
                        aria-describedby=help_id.clone()
                        data-testid=format!("slider-{key}")
                        min=a
                        max=b
                        step=st
                        prop:value=move || {
                            let fallback = auto.get().unwrap_or((a + b) / 2.0);
                            s.position(&value.get(), fallback).to_string()
                        }
                        on:input=move |e| {
                            if let Ok(pos) = event_target_value(&e).parse::<f64>() {
                                lab.drag_key(key, &s.value(pos));
                            }
                        }
                        on:change=move |e| {
                            if let Ok(pos) = event_target_value(&e).parse::<f64>() {
                                lab.release_key(key, &s.value(pos));
                            }
                        }
                    />
                }
            });
            view! {
                <div class="num-row">
                    {slider}
                    <input
                        type="number"
                        id=id.clone()
                        aria-describedby=help_id.clone()
                        data-testid=format!("key-{key}")
                        min=nmin
                        max=nmax
                        step=nstep
                        placeholder=move || auto.get().map(|v| format!("auto {}", format::short(v))).unwrap_or_default()
                        prop:value=move || value.get()
                        on:change=move |e| lab.set_key(key, event_target_value(&e).trim(), true)
                    />
                </div>
            }
            .into_any()
        }
    };
    let tip_label = format!("About {label_text}");
    view! {
        <div
            class="control"
            class:flag=matches!(k.kind, Kind::Flag)
            class:tour-try=move || tried.get() == Some(key)
            title=title
            data-key=key
        >
            <div class="control-head">
                <label for=id>
                    <span class="label">{label_text}</span>
                    {(k.symbol != key).then(|| view! { <span class="key" aria-hidden="true">{key}</span> })}
                </label>
                <button
                    type="button"
                    class="tip"
                    data-testid=format!("tip-{key}")
                    aria-label=tip_label
                    aria-expanded=move || show_help.get().to_string()
                    aria-controls=help_id.clone()
                    on:click=move |_| show_help.update(|v| *v = !*v)
                >
                    <span class="tip-mark" aria-hidden="true">"i"</span>
                </button>
            </div>
            {input}
            {(!range.is_empty()).then(|| view! { <span class="range">{range}</span> })}
            <p class="key-help" id=help_id data-testid=format!("help-{key}") hidden=move || !show_help.get()>
                {k.help}
            </p>
            {move || problem().map(|m| view! { <p class="problem" role="alert" data-testid=format!("problem-{key}")>{m}</p> })}
        </div>
    }
}
