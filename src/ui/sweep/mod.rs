//! The sweep page: a sweep link (`sweep=key:values`, a sweep preset, or `runs=K`) runs its
//! grid across Web Workers ([`workers`]), with a progress bar (runs done / total, elapsed,
//! time left), the chart filling in as results arrive ([`crate::plot::sweep`]), Cancel
//! (finished runs stay), a cache that reuses every finished run whose link is unchanged when
//! the sweep is edited and run again, the CSV (byte-equal to `skills sweep`'s once complete)
//! and opening a CSV (for example a cluster run merged with `skills merge`). The state and its
//! acts are in [`state`]; this file lays out the page and draws its charts.

pub mod state;
pub mod stored;
pub mod workers;

use self::state::{ChartView, SweepState};
use super::canvas::{chart_theme, draw_on};
use super::download::download_text;
use super::embed::SweepEmbedBar;
use crate::link::query;
use crate::plot::run::ChartOpts;
use crate::plot::sweep::{self as sweep_plot, Table, View};
use crate::sweep::stored::{paper_value, PAPER_EXPONENTS};
use crate::sweep::{Sweep, SweepPreset, SWEEP_PRESETS};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// At most this many runs are listed in the page's table (the CSV has them all).
const TABLE_ROWS: usize = 200;

/// The sweep preset a link names (`preset=…`), if any.
fn preset_of(link: &str) -> Option<&'static SweepPreset> {
    query::parts(link)
        .find_map(|p| p.strip_prefix("preset="))
        .and_then(|id| SWEEP_PRESETS.iter().find(|p| p.id == id))
}

impl SweepState {
    /// The views the results can be shown in (tracked).
    fn views(self) -> Vec<View> {
        self.results
            .table
            .get()
            .map(|t| sweep_plot::views(&t))
            .unwrap_or_default()
    }

    /// The view shown: the reader's choice if it applies, else the first (tracked).
    fn current_view(self) -> Option<View> {
        let vs = self.views();
        self.chart
            .view
            .get()
            .filter(|v| vs.contains(v))
            .or(vs.first().copied())
    }

    /// The exponents get a second chart under another main view (tracked).
    fn has_second(self) -> bool {
        self.current_view() != Some(View::Exponents) && self.views().contains(&View::Exponents)
    }
}

/// Draw the charts of the results (re-read first if rows arrived since).
fn draw(s: SweepState) {
    s.results.take_pending();
    s.results.table.with_untracked(|t| {
        if let Ok(t) = t {
            draw_table(s.chart, t)
        }
    })
}

fn draw_table(c: ChartView, t: &Table) {
    let views = sweep_plot::views(t);
    let view = c
        .view
        .get_untracked()
        .filter(|v| views.contains(v))
        .unwrap_or(views[0]);
    let theme = chart_theme();
    let put = |canvas: Option<web_sys::HtmlCanvasElement>, v: View| {
        let plot = sweep_plot::plot(t, v);
        let (hits, scale) = draw_on(&canvas?, theme, None, |root, opts| {
            Ok((sweep_plot::draw(root, &plot, opts)?, opts.scale))
        })
        .ok()??;
        Some((plot, hits, scale))
    };
    c.drawn.set_value(put(c.main.get_untracked(), view));
    if view != View::Exponents && views.contains(&View::Exponents) {
        put(c.second.get_untracked(), View::Exponents);
    }
}

/// The sweep page.
#[component]
pub fn SweepPage(link: String) -> impl IntoView {
    let s = SweepState::new(link);
    s.anim.on_draw(move || draw(s));
    Effect::new(move |_| {
        s.chart.view.track();
        s.results.opened.track();
        s.has_second();
        s.request_redraw();
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| s.request_redraw());
    let back = window_event_listener(leptos::ev::popstate, move |_| {
        // the history moved: load that address (a lab link or another sweep)
        super::location::reload();
    });
    on_cleanup(move || {
        resize.remove();
        back.remove();
        s.stop_runner();
        s.precomputed.stop();
    });
    // A sweep estimated to take a few seconds here starts by itself (as a run plays on load:
    // not with autoplay=0, an embed only with autoplay=1); a longer one says what it would
    // take and waits for Run sweep.
    let on_open = move || {
        let Some(secs) = s.estimate() else { return };
        let workers = s.progress.workers.get_untracked().max(1);
        if secs <= crate::lab::SWEEP_AUTOSTART_S && super::location::opts().wants_autoplay() {
            request_animation_frame(move || s.start_on_open());
        } else {
            s.progress.status.set(format!(
                "Not started: estimated ≈ {} in this tab on {workers} worker{} (press Run sweep).",
                state::duration(secs),
                state::plural(workers)
            ));
        }
    };
    // a paper sweep with precomputed grids shows them at once instead
    let stored_preset = s
        .link
        .with_untracked(|l| preset_of(l))
        .filter(|p| !crate::sweep::stored::grids_of(p.id).is_empty());
    match stored_preset {
        Some(p) if s.estimate().is_some() => s.load_precomputed(p.id, on_open),
        _ => on_open(),
    }
    // Choosing another paper sweep in the picker shows its precomputed grids at once, as
    // opening its link does (and drops those of the sweep before).
    Effect::new(move |before: Option<Option<&'static str>>| {
        let id = s.link.with(|l| preset_of(l).map(|p| p.id));
        if before.is_some_and(|b| b != id) {
            s.precomputed.stop();
            s.precomputed.loaded.set(vec![]);
            s.precomputed.failed.set(vec![]);
            let stored = id.filter(|p| !crate::sweep::stored::grids_of(p).is_empty());
            if let Some(p) = stored.filter(|_| s.estimate().is_some()) {
                s.stop_runner();
                s.load_precomputed(p, || {});
            }
        }
        id
    });
    let title = s
        .link
        .with_untracked(|l| preset_of(l))
        .map(|p| format!("{}: sweep", p.figure))
        .unwrap_or_else(|| "Skill Dominoes: a sweep".into());
    view! {
        <SweepEmbedBar title=title link=s.link />
        <header class="top">
            <div class="title">
                <h1>"Skill Dominoes: sweeps"</h1>
                <p class="lede">
                    "Many runs over a grid of parameters, in parallel in this tab: the scaling laws and curves of "
                    <a href="https://arxiv.org/abs/2501.12391">"“Physics of Skill Learning”"</a>
                    ". "
                    <a href="?" data-testid="to-lab">"Back to the lab"</a>
                </p>
            </div>
        </header>
        <main class="sweep-page" data-testid="sweep-page">
            <SweepSetup s=s />
            <SweepResults s=s />
        </main>
    }
}

/// The link of the sweep: a paper preset or the reader's own, its size and problems, Run,
/// Cancel and the number of workers.
#[component]
fn SweepSetup(s: SweepState) -> impl IntoView {
    // the link's sweep is described (and its problems named) before anything runs
    // Checking a sweep validates every grid point (≈ 10 µs each): while the reader types, the
    // check waits for a pause of 250 ms, so a 100 000-run grid does not lag each keystroke.
    let checked = RwSignal::new(s.link.get_untracked());
    let typed = StoredValue::new(0u64);
    Effect::new(move |_| {
        let link = s.link.get();
        typed.update_value(|t| *t += 1);
        let mine = typed.get_value();
        if link.len() < 2000 && !link.contains("..") {
            checked.set(link);
            return;
        }
        set_timeout(
            move || {
                if typed.get_value() == mine {
                    checked.set(s.link.get_untracked());
                }
            },
            std::time::Duration::from_millis(250),
        );
    });
    let parsed = Memo::new(move |_| Sweep::parse(&checked.get()));
    let cores = workers::cores();
    let max_workers = cores.max(1);
    view! {
        <section class="panel sweep-setup" aria-labelledby="sweep-setup-title">
            <h2 id="sweep-setup-title">"Sweep"</h2>
            <PresetPicker link=s.link />
            <div class="field">
                <label for="sweep-link">
                    "Sweep link: a run's keys plus "
                    <code>"sweep=key:a,b,c"</code>
                    " or "
                    <code>"key:from..to:count[:log]"</code>
                    " (and sweep2, sweep3, record=steps, fit=n0)"
                </label>
                <textarea
                    id="sweep-link"
                    data-testid="sweep-link"
                    rows="3"
                    spellcheck="false"
                    prop:value=move || s.link.get()
                    on:input=move |e| s.link.set(event_target_value(&e))
                ></textarea>
            </div>
            <p class="hint" data-testid="sweep-size">
                {move || match parsed.get() {
                    Ok(sw) => {
                        let axes: Vec<String> = sw
                            .axes
                            .iter()
                            .map(|a| format!("{} ({} values)", a.key, a.values.len()))
                            .collect();
                        format!("{} runs: {}.", sw.len(), axes.join(" × "))
                    }
                    Err(_) => String::new(),
                }}
            </p>
            {move || {
                let p = match parsed.get() {
                    Err(p) => p,
                    Ok(_) => s.problems.get(),
                };
                (!p.is_empty())
                    .then(|| {
                        view! {
                            <ul class="problem" data-testid="sweep-problems" role="alert">
                                {p.iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                            </ul>
                        }
                    })
            }}
            <div class="buttons">
                <button
                    class="primary"
                    data-testid="sweep-run"
                    prop:disabled=move || parsed.with(|p| p.is_err())
                    on:click=move |_| s.start()
                >
                    {move || if s.progress.running.get() { "Restart" } else { "Run sweep" }}
                </button>
                <button
                    data-testid="sweep-cancel"
                    prop:disabled=move || !s.progress.running.get()
                    on:click=move |_| s.cancel()
                >
                    "Cancel"
                </button>
                <label class="field-inline" for="sweep-workers">
                    "Workers "
                    <select
                        id="sweep-workers"
                        data-testid="sweep-workers"
                        on:change=move |e| {
                            if let Ok(n) = event_target_value(&e).parse::<usize>() {
                                s.progress.workers.set(n.max(1));
                            }
                        }
                    >
                        {(1..=max_workers.max(4))
                            .map(|n| {
                                view! {
                                    <option value=n.to_string() prop:selected=move || s.progress.workers.get() == n>
                                        {if n == cores { format!("{n} (cores)") } else { n.to_string() }}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
        </section>
    }
}

/// The paper's sweeps to choose from, and the chosen one's caption and cost.
#[component]
fn PresetPicker(link: RwSignal<String>) -> impl IntoView {
    let preset_id = move || link.with(|l| preset_of(l));
    view! {
        <div class="field">
            <label for="sweep-preset">"Paper sweep"</label>
            <select
                id="sweep-preset"
                data-testid="sweep-preset"
                on:change=move |e| {
                    let v = event_target_value(&e);
                    if !v.is_empty() {
                        link.set(format!("v=1&preset={v}"));
                    }
                }
            >
                <option value="" prop:selected=move || preset_id().is_none()>"(your own link)"</option>
                {SWEEP_PRESETS
                    .iter()
                    .map(|p| {
                        view! {
                            <option
                                value=p.id
                                prop:selected=move || preset_id().is_some_and(|c| c.id == p.id)
                            >
                                {format!("{} — {}", p.figure, p.id)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
        {move || {
            preset_id()
                .map(|p| {
                    view! {
                        <p class="hint" data-testid="sweep-caption">
                            {p.caption}
                            " "
                            <strong>"Cost: "</strong>
                            {p.cost}
                            "."
                        </p>
                    }
                })
        }}
    }
}

/// The results: progress, the charts with their hover readout, the exponents, downloads,
/// opening a CSV, the command line, and the runs.
#[component]
fn SweepResults(s: SweepState) -> impl IntoView {
    let (p, c) = (s.progress, s.chart);
    // whether an exponent with the paper's values beside it is shown (tracked)
    let shown_paper = move |symbol: &str| {
        s.results.table.with(|t| {
            t.as_ref().is_ok_and(|t| {
                sweep_plot::exponents(t).iter().any(|e| {
                    e.label.starts_with(symbol)
                        && e.points
                            .iter()
                            .any(|(a, _)| paper_value(&e.label, *a).is_some())
                })
            })
        })
    };
    let exponent_text = move || {
        let t = s.results.table.get().ok()?;
        let e = sweep_plot::exponents_text(&t);
        (!e.is_empty()).then_some(e)
    };
    view! {
        <section class="panel sweep-results" aria-labelledby="sweep-results-title">
            <h2 id="sweep-results-title">"Results"</h2>
            <div class="sweep-progress" data-testid="sweep-progress-wrap">
                <progress
                    data-testid="sweep-progress"
                    max=move || p.total.get().max(1).to_string()
                    value=move || p.done.get().to_string()
                    aria-label="Runs finished"
                ></progress>
                <span data-testid="sweep-count">{move || p.text()}</span>
                <span class="hint">{move || p.mode.get()}</span>
            </div>
            <p class="status" data-testid="sweep-status" aria-live="polite">{move || p.status.get()}</p>
            <PrecomputedBox s=s />
            <div class="field">
                <label for="sweep-view">"Show"</label>
                <select
                    id="sweep-view"
                    data-testid="sweep-view"
                    on:change=move |e| {
                        let v = event_target_value(&e);
                        c.view.set(View::ALL.into_iter().find(|x| x.name() == v));
                    }
                >
                    {move || {
                        s.views()
                            .into_iter()
                            .map(|v| {
                                view! {
                                    <option value=v.name() prop:selected=move || s.current_view() == Some(v)>
                                        {v.title()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <SweepCharts s=s />
            {move || {
                exponent_text()
                    .map(|lines| {
                        view! {
                            <ul class="hint" data-testid="sweep-exponents">
                                {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                                {PAPER_EXPONENTS
                                    .iter()
                                    .filter(|e| shown_paper(e.symbol))
                                    .map(|e| view! { <li>{format!("Paper's {}: arXiv 2501.12391 {}.", e.symbol, e.how)}</li> })
                                    .collect_view()}
                                <li>"Marks: Domino α − 1, quanta (α − 1)/α, Chinchilla α_N = 0.34 and α_S = 0.28."</li>
                            </ul>
                        }
                    })
            }}
            <SweepFiles s=s />
            <p class="hint sweep-cli-hint">
                "The same sweep runs natively from the command line on every core, or sharded across a cluster: "
                <code data-testid="sweep-cli">{move || format!("skills sweep '{}' > sweep.csv", s.link.get())}</code>
                " (add --shard i/k, then skills merge). Open the merged CSV here to draw it."
            </p>
            <RunsTable s=s />
        </section>
    }
}

/// The main chart with its hover readout, and the exponents' chart under it.
#[component]
fn SweepCharts(s: SweepState) -> impl IntoView {
    let c = s.chart;
    view! {
        <canvas
            class="chart sweep-chart"
            data-testid="sweep-chart"
            node_ref=c.main
            role="img"
            aria-label=move || s.current_view().map(|v| v.title()).unwrap_or("Sweep chart")
            on:pointermove=move |e| {
                let text = c
                    .drawn
                    .with_value(|d| {
                        let (plot, hits, scale) = d.as_ref()?;
                        let at = (e.offset_x() as f64 * scale, e.offset_y() as f64 * scale);
                        let h = sweep_plot::nearest(hits, at, 14.0 * scale)?;
                        Some(sweep_plot::describe(plot, &h))
                    })
                    .unwrap_or_default();
                c.readout.set(text);
            }
            on:pointerleave=move |_| c.readout.set(String::new())
        ></canvas>
        <p class="readout-line" data-testid="sweep-readout" aria-live="off">
            {move || {
                let r = c.readout.get();
                if r.is_empty() { "Point at a dot to read its values.".to_string() } else { r }
            }}
        </p>
        <canvas
            class="chart second sweep-chart"
            data-testid="sweep-exponents-chart"
            node_ref=c.second
            role="img"
            aria-label="Exponents α_N, α_S against α with the paper's values and the Domino, quanta and Chinchilla marks"
            // a class, not a style: the page's Content-Security-Policy refuses style
            // attributes, and Leptos writes this `style:` as one
            class:off=move || !s.has_second()
        ></canvas>
    }
}

/// Download the CSV or the chart's SVG; open a CSV.
#[component]
fn SweepFiles(s: SweepState) -> impl IntoView {
    let status = s.progress.status;
    let open_file = move |e: leptos::ev::Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            s.open_file(file);
        }
    };
    view! {
        <div class="buttons">
            <button
                data-testid="sweep-csv"
                on:click=move |_| {
                    let name = if s.results.opened.with_untracked(|o| o.is_some()) { "opened-sweep.csv" } else { "sweep.csv" };
                    if let Err(e) = download_text(name, "text/csv", &s.results.csv()) {
                        status.set(format!("Could not download: {e}"));
                    }
                }
            >
                "Download CSV"
            </button>
            <button
                data-testid="sweep-svg"
                on:click=move |_| {
                    let Ok(t) = s.results.parse() else { return };
                    let Some(v) = s.current_view() else { return };
                    match sweep_plot::svg(&sweep_plot::plot(&t, v), (900, 540), &ChartOpts::default()) {
                        Ok(svg) => {
                            let _ = download_text("sweep.svg", "image/svg+xml", &svg);
                        }
                        Err(e) => status.set(format!("Could not draw the SVG: {e}")),
                    }
                }
            >
                "Download SVG"
            </button>
            <label class="file-button">
                "Open a CSV… "
                <input
                    type="file"
                    accept=".csv,text/csv"
                    data-testid="sweep-open"
                    on:change=open_file
                />
            </label>
        </div>
    }
}

/// The runs so far as a table (the first [`TABLE_ROWS`]), each with a link to it in the lab.
#[component]
fn RunsTable(s: SweepState) -> impl IntoView {
    let r = s.results;
    view! {
        <details class="sweep-table">
            <summary>{move || format!("Runs ({} finished)", s.progress.done.get())}</summary>
            {move || {
                r.version.track();
                let t = r.table.get().ok()?;
                let link = |i: usize| {
                    r.sweep.with_value(|sw| sw.as_ref()?.run(i).map(|r| format!("?{}", r.query)))
                };
                let shown = t.rows.len().min(TABLE_ROWS);
                // a stored run (precomputed): its key, if the row is one
                let stored = |i: usize| {
                    r.sweep.with_value(|sw| {
                        let sw = sw.as_ref()?;
                        let key = state::cache_key(sw, &sw.point(i), &r.outputs_query());
                        s.precomputed.tail(&key).map(|_| i)
                    })
                };
                // lab links for the page's own runs, not for an opened file's
                let computed_rows = r.opened.with_untracked(|o| o.is_none());
                Some(view! {
                    <div class="table-scroll">
                        <table data-testid="sweep-rows">
                            <thead><tr>{t.header.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}<th>"lab"</th><th>"precomputed"</th></tr></thead>
                            <tbody>
                                {t.rows[..shown]
                                    .iter()
                                    .map(|r| {
                                        let i: usize = r[0].parse().unwrap_or(usize::MAX);
                                        let href = if computed_rows { link(i) } else { None };
                                        view! {
                                            <tr>
                                                {r.iter().map(|f| view! { <td>{f.clone()}</td> }).collect_view()}
                                                <td>{href.map(|h| view! { <a href=h>"open"</a> })}</td>
                                                <td>{(if computed_rows { stored(i) } else { None }).map(|i| view! { <RerunCell s=s index=i /> })}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        {(t.rows.len() > shown).then(|| view! {
                            <p class="hint">{format!("The first {shown} of {} runs; the CSV has them all.", t.rows.len())}</p>
                        })}
                    </div>
                })
            }}
        </details>
    }
}

/// Where the precomputed grids shown came from: each grid's file, what it holds, its sweep
/// link, commit, command and date.
#[component]
fn PrecomputedBox(s: SweepState) -> impl IntoView {
    let pre = s.precomputed;
    move || {
        let loaded = pre.loaded.get();
        let failed = pre.failed.get();
        (!loaded.is_empty() || !failed.is_empty()).then(|| {
            view! {
                <div class="hint sweep-precomputed" data-testid="sweep-precomputed">
                    <p>
                        <strong>"Precomputed"</strong>
                        " with the native "
                        <code>"skills sweep"</code>
                        ", shipped with the site; each run can be re-run here (the runs table: re-run), and the toy models' re-runs must match bit for bit."
                    </p>
                    <ul>
                        {loaded
                            .into_iter()
                            .map(|g| {
                                let p = g.provenance;
                                let short: String = p.commit.chars().take(12).collect();
                                view! {
                                    <li data-testid="sweep-precomputed-grid">
                                        {format!("{} ({} runs): {}. ", g.file, g.runs, g.note)}
                                        "Sweep link "
                                        <code>{p.link}</code>
                                        "; commit "
                                        <code title=p.commit.clone()>{short}</code>
                                        "; command "
                                        <code>{p.command}</code>
                                        "; date "
                                        {p.date}
                                        "."
                                    </li>
                                }
                            })
                            .collect_view()}
                        {failed
                            .into_iter()
                            .map(|(f, why)| view! { <li class="problem">{format!("{f} could not be loaded: {why}")}</li> })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// A stored run's cell in the runs table: Re-run, then what the re-run found.
#[component]
fn RerunCell(s: SweepState, index: usize) -> impl IntoView {
    let verdict = move || s.precomputed.verdicts.with(|v| v.get(&index).cloned());
    view! {
        <button class="small" data-testid="sweep-rerun" on:click=move |_| s.rerun(index)>
            "re-run"
        </button>
        " "
        <span data-testid="sweep-rerun-verdict">{verdict}</span>
    }
}
