//! The sweep page's state, apart from its views: [`SweepState`], a `Copy` handle made of the
//! link being edited, the [`Progress`] of a run of the grid, the [`Results`] (rows in run
//! order, the cache of finished grid points, an opened CSV) and the [`ChartView`]. Its methods
//! are the page's acts (run, cancel, open a CSV, a runner's events); drawing is the page's,
//! asked for through the state's [`Animation`].

use super::stored::{fetch_grids, Loaded, Precomputed};
use super::workers::{self, Event, Runner};
use crate::link::Problem;
use crate::plot::sweep::{self as sweep_plot, Table, View};
use crate::sweep::{csv as sweep_csv, RunSpec, Sweep};
use crate::ui::animation::{now, Animation};
use crate::ui::location;
use leptos::html::Canvas;
use leptos::prelude::*;
use std::collections::HashMap;
use std::rc::Rc;

/// The largest CSV file the page opens (100 000 runs of a wide sweep are ≈ 20 MB).
const MAX_CSV_BYTES: f64 = 64e6;

/// How far a run of the grid is: counts, clock, what the page says about it.
#[derive(Clone, Copy)]
pub struct Progress {
    pub running: RwSignal<bool>,
    pub done: RwSignal<usize>,
    pub total: RwSignal<usize>,
    pub reused: RwSignal<usize>,
    pub failed: RwSignal<usize>,
    /// When Run was pressed (ms). Runs computed since = `done − reused`.
    pub started: StoredValue<f64>,
    /// Time each run took where it ran (ms), since Run was pressed.
    run_ms: StoredValue<Vec<f64>>,
    /// Ticks every half second while running (elapsed / ETA text).
    pub clock: RwSignal<f64>,
    pub status: RwSignal<String>,
    /// Where the runs run ("4 Web Workers", "in the page (…)").
    pub mode: RwSignal<String>,
    /// How many workers the reader asked for.
    pub workers: RwSignal<usize>,
}

impl Progress {
    /// "12 / 40 runs · 3.1 s elapsed · about 7.2 s left" (tracked).
    pub fn text(self) -> String {
        self.clock.track();
        let (done, total) = (self.done.get(), self.total.get());
        if total == 0 {
            return String::new();
        }
        let elapsed = (self.clock.get() - self.started.get_value()).max(0.0) / 1000.0;
        let computed = done - self.reused.get();
        let left = total - done;
        let eta = if self.running.get() && computed > 0 && left > 0 {
            format!(
                " · about {} left",
                duration(elapsed / computed as f64 * left as f64)
            )
        } else {
            String::new()
        };
        let elapsed = if self.running.get() {
            format!(" · {} elapsed", duration(elapsed))
        } else {
            String::new()
        };
        format!("{done} / {total} runs{elapsed}{eta}")
    }

    /// The status line once every run is in.
    fn done_text(self) -> String {
        let secs = (now() - self.started.get_value()) / 1000.0;
        let failed = self.failed.get_untracked();
        let mut ms = self.run_ms.get_value();
        ms.sort_by(f64::total_cmp);
        let median = ms
            .get(ms.len() / 2)
            .map(|m| format!(" (median run {})", duration(m / 1000.0)))
            .unwrap_or_default();
        let reused = self.reused.get_untracked();
        format!(
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
        )
    }
}

/// The results: the rows of the grid in run order, the cache of finished grid points, or an
/// opened CSV file shown instead.
#[derive(Clone, Copy)]
pub struct Results {
    header: StoredValue<String>,
    /// The sweep being run: its base link once, each run built from its index when needed.
    pub sweep: StoredValue<Option<Rc<Sweep>>, LocalStorage>,
    rows: StoredValue<Vec<Option<String>>>,
    outputs: StoredValue<String>,
    /// Finished runs by (base link and outputs) and then grid point (`key=value&…`): reused
    /// when the same grid point comes again; the base is kept once per sweep, not per run.
    cache: StoredValue<HashMap<String, HashMap<String, String>>>,
    /// Bumped when the rows are re-read (see [`SweepState::rows_changed`]).
    pub version: RwSignal<u64>,
    /// Rows arrived since the table was last re-read.
    rows_pending: StoredValue<bool>,
    /// An opened CSV file (name, text) shown instead of the computed results.
    pub opened: RwSignal<Option<(String, String)>>,
    /// The results read into a table, once per change (drawing, the views and the runs
    /// table all read it).
    pub table: Memo<Result<Table, String>>,
}

/// The CSV of the results: an opened file's text, else the header and the finished rows.
fn csv(
    opened: RwSignal<Option<(String, String)>>,
    header: StoredValue<String>,
    rows: StoredValue<Vec<Option<String>>>,
) -> String {
    if let Some((_, text)) = opened.get_untracked() {
        return text;
    }
    let header = header.get_value();
    rows.with_value(|rows| sweep_csv::write(&header, rows.iter().flatten()))
}

/// The cache's two keys of a grid point: (base link and outputs, the point's `key=value&…`),
/// the keys stored grids are known by too.
pub use crate::sweep::stored::cell_key as cache_key;

impl Results {
    /// The CSV of the finished runs, in run order (the whole `skills sweep` output once done).
    pub fn csv(self) -> String {
        csv(self.opened, self.header, self.rows)
    }

    /// The outputs every run of the shown sweep reports (`record=…&fit=n0`).
    pub fn outputs_query(self) -> String {
        self.outputs.get_value()
    }

    /// The CSV read now (not through the memo).
    pub fn parse(self) -> Result<Table, String> {
        Table::parse(&self.csv())
    }

    /// Rows arrived since the last re-read: re-read them (before a drawing).
    pub fn take_pending(self) {
        if self.rows_pending.get_value() {
            self.rows_pending.set_value(false);
            self.version.update(|v| *v += 1);
        }
    }
}

/// The charts: which view, the canvases, what was drawn where (for the hover readout).
#[derive(Clone, Copy)]
pub struct ChartView {
    /// The reader's choice of view (`None`: the first that applies).
    pub view: RwSignal<Option<View>>,
    pub main: NodeRef<Canvas>,
    pub second: NodeRef<Canvas>,
    /// The main chart as last drawn, and where its points landed (hover readout).
    pub drawn: StoredValue<Option<(sweep_plot::Plot, Vec<sweep_plot::Hit>, f64)>>,
    pub readout: RwSignal<String>,
}

/// The sweep page's state.
#[derive(Clone, Copy)]
pub struct SweepState {
    /// The sweep link being edited (no `?`).
    pub link: RwSignal<String>,
    pub problems: RwSignal<Vec<Problem>>,
    pub progress: Progress,
    pub results: Results,
    pub chart: ChartView,
    runner: StoredValue<Option<Runner>, LocalStorage>,
    /// Which run of the table each Runner generation belongs to (stale events are dropped).
    generation: StoredValue<u64>,
    /// The page's frames: the coalesced redraw (what drawing is, the page sets).
    pub anim: Animation,
    /// The precomputed grids shown for the link, and live re-runs of their cells.
    pub precomputed: Precomputed,
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn duration(secs: f64) -> String {
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
    sweep_csv::row(spec.index, &spec.point, tail)
}

impl SweepState {
    /// The estimated seconds of the sweep of the link in this tab on its workers
    /// ([`crate::lab::sweep_tab_seconds`]); `None` for a link with problems.
    pub fn estimate(self) -> Option<f64> {
        let sweep = Sweep::parse(&self.link.get_untracked()).ok()?;
        let sampled: Vec<String> = crate::lab::sample_runs(sweep.len())
            .into_iter()
            .filter_map(|i| sweep.run(i).map(|r| r.query))
            .collect();
        let workers = self.progress.workers.get_untracked().max(1);
        Some(crate::lab::sweep_tab_seconds(
            &sampled,
            sweep.len(),
            workers,
            sweep.outputs.fit_n0,
        ))
    }

    /// The state of a page opened at the sweep `link`.
    pub fn new(link: String) -> SweepState {
        let header = StoredValue::new(String::new());
        let rows = StoredValue::new(vec![]);
        let version = RwSignal::new(0);
        let opened = RwSignal::new(None);
        let results = Results {
            header,
            sweep: StoredValue::new_local(None),
            rows,
            outputs: StoredValue::new(String::new()),
            cache: StoredValue::new(HashMap::new()),
            version,
            rows_pending: StoredValue::new(false),
            opened,
            table: Memo::new(move |_| {
                version.track();
                opened.track();
                Table::parse(&csv(opened, header, rows))
            }),
        };
        SweepState {
            link: RwSignal::new(link),
            problems: RwSignal::new(vec![]),
            progress: Progress {
                running: RwSignal::new(false),
                done: RwSignal::new(0),
                total: RwSignal::new(0),
                reused: RwSignal::new(0),
                failed: RwSignal::new(0),
                started: StoredValue::new(0.0),
                run_ms: StoredValue::new(vec![]),
                clock: RwSignal::new(0.0),
                status: RwSignal::new(String::new()),
                mode: RwSignal::new(String::new()),
                workers: RwSignal::new(workers::cores()),
            },
            results,
            chart: ChartView {
                view: RwSignal::new(None),
                main: NodeRef::new(),
                second: NodeRef::new(),
                drawn: StoredValue::new(None),
                readout: RwSignal::new(String::new()),
            },
            runner: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            anim: Animation::new(),
            precomputed: Precomputed::new(),
        }
    }

    pub fn request_redraw(self) {
        self.anim.request_redraw();
    }

    /// Run the sweep of the link: finished grid points come from the cache, the rest go to
    /// the workers (or the page's thread where workers cannot start).
    pub fn start(self) {
        self.begin(true, true);
    }

    /// As [`SweepState::start`], when the page opens: the address is the sweep's already, so
    /// no history entry is added.
    pub fn start_on_open(self) {
        self.begin(false, true);
    }

    /// Show what is known of the link's grid (precomputed and earlier runs) without running
    /// the rest.
    pub fn show_known(self) {
        self.begin(false, false);
    }

    fn begin(self, push: bool, run: bool) {
        self.stop_runner();
        let (p, r) = (self.progress, self.results);
        r.opened.set(None);
        let link = self.link.get_untracked();
        let sweep = match Sweep::parse(&link) {
            Ok(s) => s,
            Err(problems) => {
                self.problems.set(problems);
                p.status
                    .set("The sweep link has problems (listed above); nothing was run.".into());
                return;
            }
        };
        self.problems.set(vec![]);
        if push {
            location::set_address(format!("?{link}"), true);
        }
        let outputs = sweep.outputs.query();
        let mut rows = vec![None; sweep.len()];
        let mut jobs = vec![];
        let mut reused = 0;
        r.cache.with_value(|c| {
            let (base, _) = cache_key(&sweep, &[], &outputs);
            let done = c.get(&base);
            // (each run's point only: its link is built when a worker gets it)
            for i in 0..sweep.len() {
                let point = sweep.point(i);
                match done.and_then(|d| d.get(&cache_key(&sweep, &point, &outputs).1)) {
                    Some(tail) => {
                        rows[i] = Some(sweep_csv::row(i, &point, tail));
                        reused += 1;
                    }
                    None => jobs.push(i),
                }
            }
        });
        r.header.set_value(sweep.csv_head());
        p.total.set(sweep.len());
        r.sweep.set_value(Some(Rc::new(sweep)));
        r.rows.set_value(rows);
        r.outputs.set_value(outputs);
        p.done.set(reused);
        p.reused.set(reused);
        p.failed.set(0);
        p.started.set_value(now());
        p.run_ms.set_value(vec![]);
        p.clock.set(now());
        // keep the reader's choice of view if it still applies
        if let (Some(v), Ok(t)) = (self.chart.view.get_untracked(), r.parse()) {
            if !sweep_plot::views(&t).contains(&v) {
                self.chart.view.set(None);
            }
        }
        r.version.update(|v| *v += 1);
        self.request_redraw();
        if !run {
            let stored = self.precomputed.tails.with_value(|t| {
                r.sweep.with_value(|sw| {
                    let outputs = r.outputs.get_value();
                    sw.as_ref().map_or(0, |sw| {
                        (0..sw.len())
                            .filter(|&i| t.contains_key(&cache_key(sw, &sw.point(i), &outputs)))
                            .count()
                    })
                })
            });
            p.status.set(if jobs.is_empty() {
                format!("All {reused} runs precomputed: shown at once (where they came from: below).")
            } else {
                format!(
                    "Precomputed: {stored} of {} runs shown at once (where they came from: below); Run sweep computes the other {} here.",
                    p.total.get_untracked(),
                    jobs.len()
                )
            });
            return;
        }
        if jobs.is_empty() {
            p.status
                .set(format!("All {reused} runs were already computed (reused)."));
            return;
        }
        self.run(jobs, reused);
    }

    /// Hand `jobs` (run indices) to a new runner.
    fn run(self, jobs: Vec<usize>, reused: usize) {
        let p = self.progress;
        let Some(sweep) = self.results.sweep.get_value() else {
            return;
        };
        let outputs = self.results.outputs.get_value();
        let n = p.workers.get_untracked().min(jobs.len()).max(1);
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        let handler = move |e: Event| self.on_event(generation, e);
        let runner = match Runner::workers(n, sweep.clone(), outputs.clone(), handler) {
            Ok(r) => r,
            Err(e) => {
                p.mode.set(format!("in the page ({e})"));
                Runner::in_page(sweep, outputs, move |e: Event| self.on_event(generation, e))
            }
        };
        if runner.in_workers() {
            p.mode.set(format!(
                "{} Web Worker{}",
                runner.size(),
                plural(runner.size())
            ));
        }
        runner.submit(jobs);
        self.runner.set_value(Some(runner));
        p.running.set(true);
        p.status.set(if reused > 0 {
            format!("Running; {reused} runs reused (precomputed or from earlier sweeps).")
        } else {
            "Running.".into()
        });
        self.tick();
    }

    fn tick(self) {
        set_timeout(
            move || {
                if self.progress.running.get_untracked() {
                    self.progress.clock.set(now());
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
        let (p, r) = (self.progress, self.results);
        match e {
            Event::Done { id, tail, ms } => {
                p.run_ms.update_value(|v| v.push(ms));
                let Some(sweep) = r.sweep.get_value() else {
                    return;
                };
                // a known run index, and fields of the expected count and form (a reply is
                // data from another context: checked before it is stored)
                let Some(spec) = sweep.run(id) else {
                    return;
                };
                let outputs = r.outputs.get_value();
                match sweep_csv::check_tail(&sweep, &tail) {
                    Ok(tail) => {
                        let (base, point) = cache_key(&sweep, &spec.point, &outputs);
                        r.cache.update_value(|c| {
                            c.entry(base).or_default().insert(point, tail.clone());
                        });
                        r.rows
                            .update_value(|rows| rows[id] = Some(row(&spec, &tail)));
                    }
                    Err(why) => {
                        let message = format!("the worker's reply was refused: {why}");
                        self.fail(&sweep, &spec, &message);
                    }
                }
                p.done.update(|d| *d += 1);
            }
            Event::Failed { id, message } => {
                if let Some(sweep) = r.sweep.get_value() {
                    if let Some(spec) = sweep.run(id) {
                        self.fail(&sweep, &spec, &message);
                    }
                }
                p.done.update(|d| *d += 1);
            }
            Event::Unavailable(why) => {
                self.rerun_in_page(generation, &why);
                return;
            }
        }
        let finished = p.done.get_untracked() >= p.total.get_untracked();
        self.rows_changed(finished);
        if finished {
            self.stop_runner();
            p.running.set(false);
            p.status.set(p.done_text());
        }
    }

    /// A run that failed (or whose reply was refused): its row says so in its error column
    /// (not cached: a retry may work), and the count of failures (the status line) grows.
    fn fail(self, sweep: &Sweep, spec: &RunSpec, message: &str) {
        let r = self.results;
        let tail = sweep_csv::failed_tail(&sweep.header(), spec, message);
        r.rows
            .update_value(|rows| rows[spec.index] = Some(row(spec, &tail)));
        self.progress.failed.update(|f| *f += 1);
    }

    /// The workers could not start: rerun the rest on the page's thread.
    fn rerun_in_page(self, generation: u64, why: &str) {
        let r = self.results;
        self.progress
            .mode
            .set(format!("in the page (workers unavailable: {why})"));
        let Some(sweep) = r.sweep.get_value() else {
            return;
        };
        let jobs: Vec<usize> = r
            .rows
            .with_value(|rows| (0..rows.len()).filter(|&i| rows[i].is_none()).collect());
        let outputs = r.outputs.get_value();
        let runner = Runner::in_page(sweep, outputs, move |e: Event| self.on_event(generation, e));
        runner.submit(jobs);
        self.runner.set_value(Some(runner));
    }

    /// New rows arrived: the table is re-read at the next redraw, once per animation frame
    /// however many runs finished in it (re-reading per run made a sweep of n runs O(n²));
    /// `now` (the last run, a cancel) re-reads at once, also in a hidden tab, where animation
    /// frames wait.
    fn rows_changed(self, now: bool) {
        let r = self.results;
        if now {
            r.rows_pending.set_value(false);
            r.version.update(|v| *v += 1);
        } else {
            r.rows_pending.set_value(true);
        }
        self.request_redraw();
    }

    pub fn stop_runner(self) {
        if let Some(r) = self.runner.try_update_value(|r| r.take()).flatten() {
            r.stop();
        }
        self.generation.update_value(|g| *g += 1);
    }

    pub fn cancel(self) {
        let p = self.progress;
        self.stop_runner();
        p.running.set(false);
        self.rows_changed(true);
        p.status.set(format!(
            "Cancelled: {} of {} runs finished and kept; Run again computes only the rest.",
            p.done.get_untracked(),
            p.total.get_untracked()
        ));
    }

    /// Fetch the precomputed grids of sweep preset `preset` and show them at once (the
    /// rest of the grid waits for Run sweep); `otherwise` runs when none could be loaded.
    pub fn load_precomputed(self, preset: &'static str, otherwise: impl FnOnce() + 'static) {
        let pre = self.precomputed;
        self.progress
            .status
            .set("Loading the precomputed grid…".into());
        wasm_bindgen_futures::spawn_local(async move {
            let mut loaded = vec![];
            let mut failed = vec![];
            for (g, got) in fetch_grids(preset).await {
                match got {
                    Ok(st) => {
                        let outputs = st.sweep.outputs.query();
                        let (base, _) = cache_key(&st.sweep, &[], &outputs);
                        for c in &st.cells {
                            let (_, point) = cache_key(&st.sweep, &c.point, &outputs);
                            pre.tails.update_value(|t| {
                                t.insert((base.clone(), point.clone()), c.tail.clone());
                            });
                            self.results.cache.update_value(|m| {
                                m.entry(base.clone())
                                    .or_default()
                                    .insert(point, c.tail.clone());
                            });
                        }
                        loaded.push(Loaded {
                            file: g.file,
                            note: g.note,
                            runs: st.cells.len(),
                            provenance: st.provenance,
                        });
                    }
                    Err(why) => failed.push((g.file.to_string(), why)),
                }
            }
            let none = loaded.is_empty();
            pre.loaded.set(loaded);
            pre.failed.set(failed);
            if none {
                self.progress.status.set(String::new());
                otherwise();
            } else {
                self.show_known();
            }
        });
    }

    /// Re-run grid point `index` of the shown sweep live (one worker, or the page's thread
    /// where workers cannot start) and compare its fields with the stored ones.
    pub fn rerun(self, index: usize) {
        self.rerun_with(index, false);
    }

    fn rerun_with(self, index: usize, in_page: bool) {
        let (pre, r) = (self.precomputed, self.results);
        let Some(sweep) = r.sweep.get_value() else {
            return;
        };
        let outputs = r.outputs.get_value();
        let Some(spec) = sweep.run(index) else {
            return;
        };
        let Some(stored) = pre.tail(&cache_key(&sweep, &spec.point, &outputs)) else {
            return;
        };
        pre.stop();
        let net = crate::link::parse(&spec.query).config.model.is_net();
        pre.verdicts.update(|v| {
            v.insert(index, "re-running…".into());
        });
        pre.started.update_value(|s| {
            s.insert(index, now());
        });
        let sw = sweep.clone();
        let on_event = move |e: Event| {
            let (id, text) = match e {
                Event::Done { id, tail, .. } => {
                    let secs = pre
                        .started
                        .with_value(|s| s.get(&id).map(|t| (now() - t) / 1000.0))
                        .unwrap_or(0.0);
                    let text = match crate::sweep::stored::difference(&sw, &tail, &stored) {
                        None => format!(
                            "re-run: identical (every field, bit for bit; {} here)",
                            duration(secs)
                        ),
                        Some(d) if net => format!(
                            "re-run: differs from the stored native run — {d} (the real networks agree across platforms to rounding, not bit for bit)"
                        ),
                        Some(d) => format!("re-run: differs — {d}"),
                    };
                    (id, text)
                }
                Event::Failed { id, message } => (id, format!("re-run failed: {message}")),
                Event::Unavailable(_) => {
                    // the worker could not start: the same run on the page's thread
                    self.rerun_with(index, true);
                    return;
                }
            };
            pre.verdicts.update(|v| {
                v.insert(id, text.clone());
            });
            self.progress.status.set(format!("Run {id}: {text}"));
        };
        let workers = if in_page {
            Err(String::new())
        } else {
            Runner::workers(1, sweep.clone(), outputs.clone(), on_event.clone())
        };
        let runner = workers.unwrap_or_else(|_| Runner::in_page(sweep, outputs, on_event));
        runner.submit(vec![index]);
        pre.runner.set_value(Some(runner));
    }

    /// Open a CSV file (a cluster run merged with `skills merge`) in place of the results.
    pub fn open_file(self, file: web_sys::File) {
        let status = self.progress.status;
        let name = file.name();
        if file.size() > MAX_CSV_BYTES {
            status.set(format!(
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
                            self.stop_runner();
                            self.progress.running.set(false);
                            // what the reader left out (rows past its limit, a cut last line)
                            let cut: String =
                                t.notices.iter().map(|n| format!(" Note: {n}.")).collect();
                            status.set(format!(
                                "Opened {name}: {} runs over {}.{cut}",
                                t.rows.len(),
                                if t.axes.is_empty() {
                                    "no axis".to_string()
                                } else {
                                    t.axes.join(", ")
                                }
                            ));
                            self.chart.view.set(None);
                            self.results.opened.set(Some((name, text)));
                        }
                        Err(m) => status.set(format!("{name} could not be read: {m}")),
                    }
                }
                Err(_) => status.set(format!("{name} could not be read.")),
            }
        });
    }
}
