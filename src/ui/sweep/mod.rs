//! The sweep page: a sweep link (`sweep=key:values`, a sweep preset, or `runs=K`) runs its
//! grid across Web Workers ([`super::workers`]), with a progress bar (runs done / total,
//! elapsed, time left), the chart filling in as results arrive ([`crate::plot::sweep`]),
//! Cancel (finished runs stay), a cache that reuses every finished run whose link is
//! unchanged when the sweep is edited and run again, the CSV (byte-equal to `skills sweep`'s
//! once complete) and opening a CSV (for example a cluster run merged with `skills merge`).

pub mod workers;

use self::workers::{self, Event, Job, Runner};
use super::draw;
use super::share::download_text;
use crate::link::{query, Problem};
use crate::plot::run::ChartOpts;
use crate::plot::sweep::{self as sweep_plot, Table, View};
use crate::sweep::{as_sweep, RunSpec, Sweep, SWEEP_PRESETS};
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use std::collections::HashMap;
use wasm_bindgen::JsCast;

/// The largest CSV file the page opens (100 000 runs of a wide sweep are ≈ 20 MB).
const MAX_CSV_BYTES: f64 = 64e6;

/// At most this many runs are listed in the page's table (the CSV has them all).
const TABLE_ROWS: usize = 200;

#[derive(Clone, Copy)]
struct S {
    /// The sweep link being edited (no `?`).
    link: RwSignal<String>,
    problems: RwSignal<Vec<Problem>>,
    running: RwSignal<bool>,
    done: RwSignal<usize>,
    total: RwSignal<usize>,
    reused: RwSignal<usize>,
    failed: RwSignal<usize>,
    /// When Run was pressed (ms). Runs computed since = `done − reused`.
    started: StoredValue<f64>,
    /// Time each run took where it ran (ms), since Run was pressed.
    run_ms: StoredValue<Vec<f64>>,
    /// Ticks every half second while running (elapsed / ETA text).
    clock: RwSignal<f64>,
    status: RwSignal<String>,
    header: StoredValue<String>,
    specs: StoredValue<Vec<RunSpec>>,
    rows: StoredValue<Vec<Option<String>>>,
    outputs: StoredValue<String>,
    /// Finished runs by (link, outputs): reused when the same grid point comes again.
    cache: StoredValue<HashMap<String, String>>,
    runner: StoredValue<Option<Runner>, LocalStorage>,
    /// Which run of the table each Runner generation belongs to (stale events are dropped).
    generation: StoredValue<u64>,
    version: RwSignal<u64>,
    view: RwSignal<Option<View>>,
    /// An opened CSV file (name, text) shown instead of the computed results.
    opened: RwSignal<Option<(String, String)>>,
    workers: RwSignal<usize>,
    mode: RwSignal<String>,
    main: NodeRef<Canvas>,
    second: NodeRef<Canvas>,
    redraw_pending: StoredValue<bool>,
    /// Rows arrived since the table was last re-read (see [`S::rows_changed`]).
    rows_pending: StoredValue<bool>,
    /// The main chart as last drawn, and where its points landed (hover readout).
    drawn: StoredValue<Option<(sweep_plot::Plot, Vec<sweep_plot::Hit>, f64)>>,
    readout: RwSignal<String>,
    /// The results read into a table, once per change (set by [`page`]; drawing, the views
    /// and the runs table all read it).
    table: StoredValue<Option<Memo<Result<Table, String>>>>,
}

fn cache_key(query: &str, outputs: &str) -> String {
    format!("{query}\n{outputs}")
}

impl S {
    /// The CSV of the finished runs, in run order (the whole `skills sweep` output once done).
    fn csv(self) -> String {
        if let Some((_, text)) = self.opened.get_untracked() {
            return text;
        }
        let mut out = self.header.get_value();
        out.push('\n');
        self.rows.with_value(|rows| {
            for r in rows.iter().flatten() {
                out += r;
                out.push('\n');
            }
        });
        out
    }

    fn table(self) -> Result<Table, String> {
        Table::parse(&self.csv())
    }

    fn start(self) {
        self.stop_runner();
        self.opened.set(None);
        let link = self.link.get_untracked();
        let sweep = match Sweep::parse(&link) {
            Ok(s) => s,
            Err(p) => {
                self.problems.set(p);
                self.status
                    .set("The sweep link has problems (listed above); nothing was run.".into());
                return;
            }
        };
        self.problems.set(vec![]);
        write_url(&link);
        let specs = sweep.runs();
        let outputs = sweep.outputs.query();
        let mut rows = vec![None; specs.len()];
        let mut jobs = vec![];
        let mut reused = 0;
        self.cache.with_value(|c| {
            for s in &specs {
                match c.get(&cache_key(&s.query, &outputs)) {
                    Some(tail) => {
                        rows[s.index] = Some(row(s, tail));
                        reused += 1;
                    }
                    None => jobs.push(Job {
                        id: s.index,
                        query: s.query.clone(),
                        outputs: outputs.clone(),
                    }),
                }
            }
        });
        self.header.set_value(sweep.header());
        self.total.set(specs.len());
        self.specs.set_value(specs);
        self.rows.set_value(rows);
        self.outputs.set_value(outputs);
        self.done.set(reused);
        self.reused.set(reused);
        self.failed.set(0);
        self.started.set_value(super::now());
        self.run_ms.set_value(vec![]);
        self.clock.set(super::now());
        // keep the reader's choice of view if it still applies
        if let (Some(v), Ok(t)) = (self.view.get_untracked(), self.table()) {
            if !sweep_plot::views(&t).contains(&v) {
                self.view.set(None);
            }
        }
        self.version.update(|v| *v += 1);
        self.request_redraw();
        if jobs.is_empty() {
            self.status
                .set(format!("All {reused} runs were already computed (reused)."));
            return;
        }
        let n = self.workers.get_untracked().min(jobs.len()).max(1);
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let handler = move |e: Event| self.on_event(generation, e);
        let runner = match Runner::workers(n, handler) {
            Ok(r) => r,
            Err(e) => {
                self.mode.set(format!("in the page ({e})"));
                Runner::in_page(move |e: Event| self.on_event(generation, e))
            }
        };
        if runner.in_workers() {
            self.mode.set(format!(
                "{} Web Worker{}",
                runner.size(),
                plural(runner.size())
            ));
        }
        runner.submit(jobs);
        self.runner.set_value(Some(runner));
        self.running.set(true);
        self.status.set(if reused > 0 {
            format!("Running; {reused} runs reused from earlier sweeps.")
        } else {
            "Running.".into()
        });
        self.tick();
    }

    fn tick(self) {
        set_timeout(
            move || {
                if self.running.get_untracked() {
                    self.clock.set(super::now());
                    self.tick();
                }
            },
            std::time::Duration::from_millis(500),
        );
    }

    fn on_event(self, generation: u64, e: Event) {
        if generation != self.generation.get_value() {
            return;
        }
        match e {
            Event::Done { id, tail, ms } => {
                self.run_ms.update_value(|v| v.push(ms));
                let Some(spec) = self.specs.with_value(|s| s.get(id).cloned()) else {
                    return;
                };
                let outputs = self.outputs.get_value();
                self.cache.update_value(|c| {
                    c.insert(cache_key(&spec.query, &outputs), tail.clone());
                });
                self.rows.update_value(|r| r[id] = Some(row(&spec, &tail)));
                self.done.update(|d| *d += 1);
            }
            Event::Failed { id, message } => {
                if let Some(spec) = self.specs.with_value(|s| s.get(id).cloned()) {
                    // the row says so in its error column (not cached: a retry may work)
                    let fields = self.header.with_value(|h| h.split(',').count());
                    let lead = 1 + spec.point.len();
                    let mut tail = vec![String::new(); fields.saturating_sub(lead + 1)];
                    tail.push(format!("worker failed: {}", message.replace(',', ";")));
                    self.rows
                        .update_value(|r| r[id] = Some(row(&spec, &tail.join(","))));
                }
                self.failed.update(|f| *f += 1);
                self.done.update(|d| *d += 1);
            }
            Event::Unavailable(why) => {
                // rerun the rest on the page's thread
                self.mode
                    .set(format!("in the page (workers unavailable: {why})"));
                let jobs: Vec<Job> = self.specs.with_value(|specs| {
                    self.rows.with_value(|rows| {
                        specs
                            .iter()
                            .filter(|s| rows[s.index].is_none())
                            .map(|s| Job {
                                id: s.index,
                                query: s.query.clone(),
                                outputs: self.outputs.get_value(),
                            })
                            .collect()
                    })
                });
                let runner = Runner::in_page(move |e: Event| self.on_event(generation, e));
                runner.submit(jobs);
                self.runner.set_value(Some(runner));
                return;
            }
        }
        let finished = self.done.get_untracked() >= self.total.get_untracked();
        self.rows_changed(finished);
        if finished {
            self.stop_runner();
            self.running.set(false);
            let secs = (super::now() - self.started.get_value()) / 1000.0;
            let failed = self.failed.get_untracked();
            let mut ms = self.run_ms.get_value();
            ms.sort_by(f64::total_cmp);
            let median = ms
                .get(ms.len() / 2)
                .map(|m| format!(" (median run {})", duration(m / 1000.0)))
                .unwrap_or_default();
            let reused = self.reused.get_untracked();
            self.status.set(format!(
                "Done: {} runs in {}{median}{}{}.",
                self.total.get_untracked(),
                duration(secs),
                if reused > 0 {
                    format!(", {reused} of them reused from earlier sweeps")
                } else {
                    String::new()
                },
                if failed > 0 {
                    format!(", {failed} failed (see the error column)")
                } else {
                    String::new()
                }
            ));
        }
    }

    /// New rows arrived: the table is re-read at the next redraw, once per animation frame
    /// however many runs finished in it (re-reading per run made a sweep of n runs O(n²));
    /// `now` (the last run, a cancel) re-reads at once, also in a hidden tab, where animation
    /// frames wait.
    fn rows_changed(self, now: bool) {
        if now {
            self.rows_pending.set_value(false);
            self.version.update(|v| *v += 1);
        } else {
            self.rows_pending.set_value(true);
        }
        self.request_redraw();
    }

    fn stop_runner(self) {
        if let Some(r) = self.runner.try_update_value(|r| r.take()).flatten() {
            r.stop();
        }
        self.generation.update_value(|g| *g += 1);
    }

    fn cancel(self) {
        self.stop_runner();
        self.running.set(false);
        self.rows_changed(true);
        self.status.set(format!(
            "Cancelled: {} of {} runs finished and kept; Run again computes only the rest.",
            self.done.get_untracked(),
            self.total.get_untracked()
        ));
    }

    fn request_redraw(self) {
        if self.redraw_pending.get_value() {
            return;
        }
        self.redraw_pending.set_value(true);
        request_animation_frame(move || {
            self.redraw_pending.set_value(false);
            if self.rows_pending.get_value() {
                self.rows_pending.set_value(false);
                self.version.update(|v| *v += 1);
            }
            self.draw();
        });
    }

    fn draw(self) {
        let Some(memo) = self.table.get_value() else {
            return;
        };
        memo.with_untracked(|t| {
            if let Ok(t) = t {
                self.draw_table(t)
            }
        })
    }

    fn draw_table(self, t: &Table) {
        let views = sweep_plot::views(t);
        let view = self
            .view
            .get_untracked()
            .filter(|v| views.contains(v))
            .unwrap_or(views[0]);
        let theme = super::embed::chart_theme();
        let put = |canvas: Option<web_sys::HtmlCanvasElement>, v: View| {
            let c = canvas?;
            let scale = draw::fit(&c)?;
            let b = draw::backend(&c).ok()?;
            let opts = ChartOpts {
                scale,
                theme,
                cursor: None,
            };
            let plot = sweep_plot::plot(t, v);
            let hits = sweep_plot::draw(&b.into_drawing_area(), &plot, &opts).ok()?;
            Some((plot, hits, scale))
        };
        self.drawn.set_value(put(self.main.get_untracked(), view));
        if view != View::Exponents && views.contains(&View::Exponents) {
            put(self.second.get_untracked(), View::Exponents);
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn duration(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else if secs < 3600.0 {
        format!("{} min {:02} s", (secs / 60.0) as u64, (secs % 60.0) as u64)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

/// The full CSV row of a grid point from its result fields.
fn row(spec: &RunSpec, tail: &str) -> String {
    let mut f = vec![spec.index.to_string()];
    f.extend(spec.point.iter().map(|(_, v)| v.clone()));
    f.push(tail.to_string());
    f.join(",")
}

fn write_url(link: &str) {
    let url = super::embed::keep_page_keys(format!("?{link}"));
    if let Ok(h) = window().history() {
        let _ = h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Whether the page's link is a sweep (then [`page`] is shown instead of the lab).
pub fn requested() -> Option<String> {
    as_sweep(&super::embed::link_query())
}

/// The sweep page.
pub fn page(link: String) -> impl IntoView {
    let cores = workers::cores();
    let s = S {
        link: RwSignal::new(link),
        problems: RwSignal::new(vec![]),
        running: RwSignal::new(false),
        done: RwSignal::new(0),
        total: RwSignal::new(0),
        reused: RwSignal::new(0),
        failed: RwSignal::new(0),
        started: StoredValue::new(0.0),
        run_ms: StoredValue::new(vec![]),
        clock: RwSignal::new(0.0),
        status: RwSignal::new(String::new()),
        header: StoredValue::new(String::new()),
        specs: StoredValue::new(vec![]),
        rows: StoredValue::new(vec![]),
        outputs: StoredValue::new(String::new()),
        cache: StoredValue::new(HashMap::new()),
        runner: StoredValue::new_local(None),
        generation: StoredValue::new(0),
        version: RwSignal::new(0),
        view: RwSignal::new(None),
        opened: RwSignal::new(None),
        workers: RwSignal::new(cores),
        mode: RwSignal::new(String::new()),
        main: NodeRef::new(),
        second: NodeRef::new(),
        redraw_pending: StoredValue::new(false),
        rows_pending: StoredValue::new(false),
        drawn: StoredValue::new(None),
        readout: RwSignal::new(String::new()),
        table: StoredValue::new(None),
    };
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
    let preset_id = move || {
        s.link.with(|l| {
            query::parts(l)
                .find_map(|p| p.strip_prefix("preset="))
                .and_then(|id| SWEEP_PRESETS.iter().find(|p| p.id == id))
        })
    };
    let table = Memo::new(move |_| {
        s.version.track();
        s.opened.track();
        s.table()
    });
    s.table.set_value(Some(table));
    let views = move || {
        table
            .get()
            .map(|t| sweep_plot::views(&t))
            .unwrap_or_default()
    };
    let current_view = move || {
        let vs = views();
        s.view
            .get()
            .filter(|v| vs.contains(v))
            .or(vs.first().copied())
    };
    let has_second =
        move || current_view() != Some(View::Exponents) && views().contains(&View::Exponents);
    Effect::new(move |_| {
        s.view.track();
        s.opened.track();
        has_second();
        s.request_redraw();
    });
    let resize = window_event_listener(leptos::ev::resize, move |_| s.request_redraw());
    let back = window_event_listener(leptos::ev::popstate, move |_| {
        // the history moved: load that address (a lab link or another sweep)
        let _ = window().location().reload();
    });
    on_cleanup(move || {
        resize.remove();
        back.remove();
        s.stop_runner();
    });
    let progress_text = move || {
        s.clock.track();
        let (done, total) = (s.done.get(), s.total.get());
        if total == 0 {
            return String::new();
        }
        let elapsed = (s.clock.get() - s.started.get_value()).max(0.0) / 1000.0;
        let computed = done - s.reused.get();
        let left = total - done;
        let eta = if s.running.get() && computed > 0 && left > 0 {
            format!(
                " · about {} left",
                duration(elapsed / computed as f64 * left as f64)
            )
        } else {
            String::new()
        };
        let elapsed = if s.running.get() {
            format!(" · {} elapsed", duration(elapsed))
        } else {
            String::new()
        };
        format!("{done} / {total} runs{elapsed}{eta}")
    };
    let exponent_text = move || {
        let t = table.get().ok()?;
        let e = sweep_plot::exponents(&t);
        if e.is_empty() {
            return None;
        }
        Some(
            e.iter()
                .map(|s| {
                    let v: Vec<String> = s
                        .points
                        .iter()
                        .map(|(a, x)| format!("α = {a}: {x:.2}"))
                        .collect();
                    format!("{}: {}", s.label, v.join(", "))
                })
                .collect::<Vec<_>>(),
        )
    };
    let open_file = move |e: leptos::ev::Event| {
        let Some(input) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        if file.size() > MAX_CSV_BYTES {
            s.status.set(format!(
                "{name} is {:.0} MB; a sweep CSV of at most {} MB can be opened here (the CLI reads any size).",
                file.size() / 1e6,
                MAX_CSV_BYTES / 1e6
            ));
            return;
        }
        let promise = file.text();
        wasm_bindgen_futures::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(text) => {
                    let text = text.as_string().unwrap_or_default();
                    match Table::parse(&text) {
                        Ok(t) => {
                            s.stop_runner();
                            s.running.set(false);
                            s.status.set(format!(
                                "Opened {name}: {} runs over {}.",
                                t.rows.len(),
                                if t.axes.is_empty() {
                                    "no axis".to_string()
                                } else {
                                    t.axes.join(", ")
                                }
                            ));
                            s.view.set(None);
                            s.opened.set(Some((name, text)));
                        }
                        Err(m) => s.status.set(format!("{name} could not be read: {m}")),
                    }
                }
                Err(_) => s.status.set(format!("{name} could not be read.")),
            }
        });
    };
    let max_workers = cores.max(1);

    let title = preset_id()
        .map(|p| format!("{}: sweep", p.figure))
        .unwrap_or_else(|| "Skill Dominoes: a sweep".into());
    view! {
        {super::embed::setup_sweep(title, move || s.link.get())}
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
            <section class="panel sweep-setup" aria-labelledby="sweep-setup-title">
                <h2 id="sweep-setup-title">"Sweep"</h2>
                <div class="field">
                    <label for="sweep-preset">"Paper sweep"</label>
                    <select
                        id="sweep-preset"
                        data-testid="sweep-preset"
                        on:change=move |e| {
                            let v = event_target_value(&e);
                            if !v.is_empty() {
                                s.link.set(format!("v=1&preset={v}"));
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
                            format!("{} runs: {}.", sw.runs().len(), axes.join(" × "))
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
                        {move || if s.running.get() { "Restart" } else { "Run sweep" }}
                    </button>
                    <button
                        data-testid="sweep-cancel"
                        prop:disabled=move || !s.running.get()
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
                                    s.workers.set(n.max(1));
                                }
                            }
                        >
                            {(1..=max_workers.max(4))
                                .map(|n| {
                                    view! {
                                        <option value=n.to_string() prop:selected=move || s.workers.get() == n>
                                            {if n == cores { format!("{n} (cores)") } else { n.to_string() }}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
            </section>
            <section class="panel sweep-results" aria-labelledby="sweep-results-title">
                <h2 id="sweep-results-title">"Results"</h2>
                <div class="sweep-progress" data-testid="sweep-progress-wrap">
                    <progress
                        data-testid="sweep-progress"
                        max=move || s.total.get().max(1).to_string()
                        value=move || s.done.get().to_string()
                        aria-label="Runs finished"
                    ></progress>
                    <span data-testid="sweep-count">{progress_text}</span>
                    <span class="hint">{move || s.mode.get()}</span>
                </div>
                <p class="status" data-testid="sweep-status" aria-live="polite">{move || s.status.get()}</p>
                <div class="field">
                    <label for="sweep-view">"Show"</label>
                    <select
                        id="sweep-view"
                        data-testid="sweep-view"
                        on:change=move |e| {
                            let v = event_target_value(&e);
                            s.view.set(View::ALL.into_iter().find(|x| x.name() == v));
                        }
                    >
                        {move || {
                            views()
                                .into_iter()
                                .map(|v| {
                                    view! {
                                        <option value=v.name() prop:selected=move || current_view() == Some(v)>
                                            {v.title()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <canvas
                    class="chart sweep-chart"
                    data-testid="sweep-chart"
                    node_ref=s.main
                    role="img"
                    aria-label=move || current_view().map(|v| v.title()).unwrap_or("Sweep chart")
                    on:pointermove=move |e| {
                        let text = s
                            .drawn
                            .with_value(|d| {
                                let (plot, hits, scale) = d.as_ref()?;
                                let at = (e.offset_x() as f64 * scale, e.offset_y() as f64 * scale);
                                let h = sweep_plot::nearest(hits, at, 14.0 * scale)?;
                                Some(sweep_plot::describe(plot, &h))
                            })
                            .unwrap_or_default();
                        s.readout.set(text);
                    }
                    on:pointerleave=move |_| s.readout.set(String::new())
                ></canvas>
                <p class="readout-line" data-testid="sweep-readout" aria-live="off">
                    {move || {
                        let r = s.readout.get();
                        if r.is_empty() { "Point at a dot to read its values.".to_string() } else { r }
                    }}
                </p>
                <canvas
                    class="chart second sweep-chart"
                    data-testid="sweep-exponents-chart"
                    node_ref=s.second
                    role="img"
                    aria-label="Exponents α_N, α_S against α with the Domino, quanta and Chinchilla marks"
                    style:display=move || if has_second() { "block" } else { "none" }
                ></canvas>
                {move || {
                    exponent_text()
                        .map(|lines| {
                            view! {
                                <ul class="hint" data-testid="sweep-exponents">
                                    {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                                    <li>"Marks: Domino α − 1, quanta (α − 1)/α, Chinchilla α_N = 0.34 and α_S = 0.28."</li>
                                </ul>
                            }
                        })
                }}
                <div class="buttons">
                    <button
                        data-testid="sweep-csv"
                        on:click=move |_| {
                            let name = if s.opened.with_untracked(|o| o.is_some()) { "opened-sweep.csv" } else { "sweep.csv" };
                            if let Err(e) = download_text(name, "text/csv", &s.csv()) {
                                s.status.set(format!("Could not download: {e}"));
                            }
                        }
                    >
                        "Download CSV"
                    </button>
                    <button
                        data-testid="sweep-svg"
                        on:click=move |_| {
                            let Ok(t) = s.table() else { return };
                            let Some(v) = current_view() else { return };
                            match sweep_plot::svg(&sweep_plot::plot(&t, v), (900, 540), &ChartOpts::default()) {
                                Ok(svg) => {
                                    let _ = download_text("sweep.svg", "image/svg+xml", &svg);
                                }
                                Err(e) => s.status.set(format!("Could not draw the SVG: {e}")),
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
                <p class="hint sweep-cli-hint">
                    "The same sweep runs natively from the command line on every core, or sharded across a cluster: "
                    <code data-testid="sweep-cli">{move || format!("skills sweep '{}' > sweep.csv", s.link.get())}</code>
                    " (add --shard i/k, then skills merge). Open the merged CSV here to draw it."
                </p>
                <details class="sweep-table">
                    <summary>{move || format!("Runs ({} finished)", s.done.get())}</summary>
                    {move || {
                        s.version.track();
                        let t = table.get().ok()?;
                        let link = |i: usize| {
                            s.specs.with_value(|sp| sp.get(i).map(|r| format!("?{}", r.query)))
                        };
                        let shown = t.rows.len().min(TABLE_ROWS);
                        // lab links for the page's own runs, not for an opened file's
                        let computed_rows = s.opened.with_untracked(|o| o.is_none());
                        Some(view! {
                            <div class="table-scroll">
                                <table data-testid="sweep-rows">
                                    <thead><tr>{t.header.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}<th>"lab"</th></tr></thead>
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
            </section>
        </main>
    }
}
