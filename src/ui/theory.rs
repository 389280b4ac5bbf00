//! The theory overlays (switchable: the Resource model with its best-fit N0 over a Geometry
//! run, the Domino model's serial prediction, the two-skill t2/t1) and the comparison panel.

use super::state::{FitState, LabState};
use crate::lab::{self, Compare, COMPARE_EXAMPLES};
use crate::link::Model;
use leptos::prelude::*;

#[component]
pub fn TheoryPanel(lab: LabState) -> impl IntoView {
    let (runs, options) = (lab.runs, lab.options);
    let model = move || lab.setup.config.with(|c| c.model);
    let fit_text = move || {
        runs.slow.track();
        let on = options.show_fit.get();
        if model() != Model::Geometry {
            return "Only over a Geometry run: the Resource model is its theory.".to_string();
        }
        runs.fit.with_value(|f| match f {
            FitState::Idle if on => {
                "The fit runs when the run finishes, or now with “Fit now”.".into()
            }
            FitState::Idle => String::new(),
            FitState::Running(fit) => {
                format!("Fitting N0 … {:.0} %", 100.0 * fit.progress())
            }
            FitState::Done(d) => format!(
                "Best N0 = {} (mean squared distance {} over {} steps).",
                crate::plot::run::sig2(d.n0),
                lab::format::sig(d.mse, 3),
                d.rows
            ),
            FitState::Failed(e) => format!("No fit: {e}."),
        })
    };
    let t0_text = move || {
        lab.setup.config.with(|c| {
            let (t0, _) = lab::domino_ramps(c);
            format!("t0 = 1/η_eff = {t0:.1} steps per skill")
        })
    };
    let two = move || {
        runs.slow.track();
        runs.a.with_value(lab::two_skill)
    };
    view! {
        <section class="panel theory" aria-label="Theory overlays">
            <h2>"Theory"</h2>
            <label class="check" title="Fit N0 of the Resource model to this Geometry run (the paper's Figs. 6, 7) and draw the Resource curves dashed">
                <input
                    type="checkbox"
                    data-testid="ov-fit"
                    prop:checked=move || options.show_fit.get()
                    prop:disabled=move || model() != Model::Geometry
                    on:change=move |e| lab.show_fit(event_target_checked(&e))
                />
                <span>"Resource model with its best-fit N0 (dashed)"</span>
            </label>
            <p class="fit-status">
                <span data-testid="fit-status">{fit_text}</span>
                " "
                <button
                    class="small"
                    data-testid="fitnow"
                    prop:disabled=move || model() != Model::Geometry
                    title="Fit N0 to the frames computed so far"
                    on:click=move |_| {
                        options.show_fit.set(true);
                        lab.start_fit();
                    }
                >
                    "Fit now"
                </button>
            </p>
            <label class="check" title="Schedule::Domino: skills learned strictly one after another, each in t0 = 1/η_eff steps (the paper's Fig. 9)">
                <input
                    type="checkbox"
                    data-testid="ov-domino"
                    prop:checked=move || options.show_domino.get()
                    prop:disabled=move || !lab::has_theory(model())
                    on:change=move |e| options.show_domino.set(event_target_checked(&e))
                />
                <span>"Domino model’s serial prediction (dashed ramps)"</span>
            </label>
            <p class="hint">{t0_text}</p>
            {move || {
                two()
                    .map(|t| {
                        let measured = match (t.measured(), t.t1, t.t2) {
                            (Some(m), Some(a), Some(b)) => format!("{m:.2} (t1 = {a}, t2 = {b})"),
                            _ => "— (not both learned yet)".to_string(),
                        };
                        view! {
                            <table class="two-skill" data-testid="twoskill">
                                <caption>"Two skills: when is the rarer one learned? (t_i = first step with s_i above the threshold)"</caption>
                                <tbody>
                                    <tr><th scope="row">"t2/t1 measured"</th><td data-testid="ratio-measured">{measured}</td></tr>
                                    <tr><th scope="row" title="(1.9 − 10^(−r)) / (1.9 − 10^(−1/r)), r = p1/p2 (the Resource model with two skills)">"Resource model, N0 = 0"</th><td data-testid="ratio-theory">{format!("{:.2}", t.theory)}</td></tr>
                                    <tr><th scope="row">"naive p1/p2"</th><td data-testid="ratio-naive">{format!("{:.2}", t.r)}</td></tr>
                                </tbody>
                            </table>
                        }
                    })
            }}
        </section>
    }
}

#[component]
pub fn ComparePanel(lab: LabState) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let setup = lab.setup;
    let comparing = move || setup.compare.with(|c| c.is_some());
    view! {
        <section class="panel compare-panel" aria-label="Compare two configurations">
            <h2>"Compare"</h2>
            <p class="hint">
                "Run a second configuration B beside this one, on the same seed; both share the time axis and the timeline."
            </p>
            <div class="examples">
                {COMPARE_EXAMPLES
                    .iter()
                    .map(|ex| {
                        let title = if ex.own_setup {
                            format!("A: a {} run with {}; B: A with {}", ex.model.title(), ex.a, ex.b)
                        } else {
                            format!("A: this run (a {} run if it is not one) with {}; B: A with {}", ex.model.title(), ex.a, ex.b)
                        };
                        view! {
                            <button
                                class="small"
                                data-testid="cmp-example"
                                title=title
                                on:click=move |_| lab.compare_example(ex)
                            >
                                {ex.label}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            <form class="cmp-form" on:submit=move |e| {
                e.prevent_default();
                let t = text.get_untracked();
                if !t.trim().is_empty() {
                    lab.set_compare(Some(Compare::parse(t.trim())));
                }
            }>
                <label for="cmp-text">"B differs by (link keys)"</label>
                <input
                    id="cmp-text"
                    type="text"
                    data-testid="cmp-text"
                    placeholder="opt=sgd&lr=0.03"
                    prop:value=move || text.get()
                    on:input=move |e| text.set(event_target_value(&e))
                />
                <button type="submit" class="small" data-testid="cmp-apply">"Compare"</button>
            </form>
            {move || {
                comparing()
                    .then(|| {
                        view! {
                            <p data-testid="cmp-status">
                                "Comparing with B: "
                                <strong>{move || setup.compare.with(|c| setup.compare_problems.with(|p| lab::label_b(c.as_ref(), p)))}</strong>
                                " "
                                <button class="small" data-testid="cmp-off" on:click=move |_| lab.set_compare(None)>
                                    "Stop comparing"
                                </button>
                            </p>
                        }
                    })
            }}
            {move || {
                let p = setup.compare_problems.get();
                (!p.is_empty())
                    .then(|| {
                        view! {
                            <ul class="problems" data-testid="cmp-problems">
                                {p.into_iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                            </ul>
                        }
                    })
            }}
        </section>
    }
}
