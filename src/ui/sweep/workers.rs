//! Sweep runs off the page's thread: a pool of Web Workers (`web/sweep-worker.js`), one per
//! core the browser reports, each loading the page's own wasm module and running one grid
//! point per message ([`crate::sweep::run_point`] through `sweep_point` in `main.rs`). Where
//! workers cannot start (a sandboxed embed with an opaque origin, a browser without module
//! workers), [`Runner::in_page`] runs the same function on the page's thread, one run per
//! task, so results are the same either way.

use crate::sweep::Sweep;
use crate::ui::animation::now;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// What the jobs are: run indices of one sweep, each built into its link only when it is
/// handed out (the sweep holds its base once), with the outputs every run reports.
struct Source {
    sweep: Rc<Sweep>,
    /// `record=…&fit=n0` ([`crate::sweep::Outputs::query`]).
    outputs: String,
}

/// What the runner reports.
#[derive(Clone, Debug)]
pub enum Event {
    /// A run finished: its row fields from `steps` on, and the time it took in the worker.
    Done { id: usize, tail: String, ms: f64 },
    /// A run failed inside the worker (the worker is replaced); the job is not retried.
    Failed { id: usize, message: String },
    /// The workers could not start at all (the caller may fall back to [`Runner::in_page`]).
    Unavailable(String),
}

type Callback = Rc<dyn Fn(Event)>;

struct Slot {
    worker: web_sys::Worker,
    ready: bool,
    job: Option<usize>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

pub struct Inner {
    slots: Vec<Option<Slot>>,
    queue: VecDeque<usize>,
    source: Source,
    on_event: Callback,
    urls: Urls,
    stopped: bool,
}

/// The worker script and the page's own module: Trunk's hashed file names, read from the
/// loader's tag (`<script … data-js=… data-wasm=…>`, Trunk.toml's `pattern_script`), resolved
/// against the page's address (a worker resolves relative names against its own).
#[derive(Clone)]
struct Urls {
    worker: String,
    js: String,
    wasm: String,
}

fn urls() -> Result<Urls, String> {
    let doc = leptos::prelude::document();
    let base = doc.base_uri().ok().flatten().unwrap_or_default();
    let loader = doc
        .query_selector("script[data-js][data-wasm]")
        .ok()
        .flatten()
        .ok_or("the page's loader tag is missing")?;
    let url = |attr: &str| -> Result<String, String> {
        let v = loader
            .get_attribute(attr)
            .ok_or(format!("the loader tag has no {attr}"))?;
        web_sys::Url::new_with_base(&v, &base)
            .map(|u| u.href())
            .map_err(|_| format!("the loader's {attr} is not a URL: {v}"))
    };
    let js = url("data-js")?;
    let wasm = url("data-wasm")?;
    let dir = js.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    Ok(Urls {
        worker: format!("{dir}/sweep-worker.js"),
        js,
        wasm,
    })
}

/// The addresses a worker of script `script` (`net-worker.js`) needs: (the script, the page's
/// module's JS, its wasm).
pub fn worker_urls(script: &str) -> Result<(String, String, String), String> {
    let u = urls()?;
    let dir = u.js.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    Ok((format!("{dir}/{script}"), u.js, u.wasm))
}

/// The address of a file the site serves beside the page's module (`grids/fig10n.csv`):
/// the module's directory is the site's root on every page (figure pages live under
/// `fig/<id>/`).
pub fn site_file(path: &str) -> Result<String, String> {
    let js = urls()?.js;
    let dir = js.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    Ok(format!("{dir}/{path}"))
}

/// The text at `url` (a GET of the site's own origin), or why not.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    use wasm_bindgen_futures::JsFuture;
    let resp = JsFuture::from(leptos::prelude::window().fetch_with_str(url))
        .await
        .map_err(|_| "the network refused it".to_string())?;
    let ok = js_sys::Reflect::get(&resp, &"ok".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !ok {
        let status = get_f64(&resp, "status").unwrap_or(0.0);
        return Err(format!("HTTP status {status}"));
    }
    let text: js_sys::Function = js_sys::Reflect::get(&resp, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or("no text in the response")?;
    let promise: js_sys::Promise = text
        .call0(&resp)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or("no text in the response")?;
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| "the response could not be read as text".to_string())
}

/// How many workers to start: `navigator.hardwareConcurrency` (at least 1, at most 16).
pub fn cores() -> usize {
    let n = leptos::prelude::window().navigator().hardware_concurrency();
    if n.is_finite() && n >= 1.0 {
        (n as usize).min(16)
    } else {
        1
    }
}

fn set(o: &js_sys::Object, k: &str, v: JsValue) {
    let _ = js_sys::Reflect::set(o, &k.into(), &v);
}

fn get_str(o: &JsValue, k: &str) -> Option<String> {
    js_sys::Reflect::get(o, &k.into()).ok()?.as_string()
}

fn get_f64(o: &JsValue, k: &str) -> Option<f64> {
    js_sys::Reflect::get(o, &k.into()).ok()?.as_f64()
}

/// Runs jobs in workers or on the page.
pub enum Runner {
    Workers(Rc<RefCell<Inner>>),
    InPage(Rc<RefCell<InPage>>),
}

pub struct InPage {
    queue: VecDeque<usize>,
    source: Source,
    on_event: Callback,
    stopped: bool,
}

impl Runner {
    /// `n` workers for runs of `sweep`, each reporting through `on_event`.
    pub fn workers(
        n: usize,
        sweep: Rc<Sweep>,
        outputs: String,
        on_event: impl Fn(Event) + 'static,
    ) -> Result<Runner, String> {
        let urls = urls()?;
        let inner = Rc::new(RefCell::new(Inner {
            slots: vec![],
            queue: VecDeque::new(),
            source: Source { sweep, outputs },
            on_event: Rc::new(on_event),
            urls,
            stopped: false,
        }));
        for i in 0..n.max(1) {
            let slot = spawn(&inner, i)?;
            inner.borrow_mut().slots.push(Some(slot));
        }
        Ok(Runner::Workers(inner))
    }

    /// Run on the page's thread, one job per macrotask.
    pub fn in_page(
        sweep: Rc<Sweep>,
        outputs: String,
        on_event: impl Fn(Event) + 'static,
    ) -> Runner {
        Runner::InPage(Rc::new(RefCell::new(InPage {
            queue: VecDeque::new(),
            source: Source { sweep, outputs },
            on_event: Rc::new(on_event),
            stopped: false,
        })))
    }

    pub fn size(&self) -> usize {
        match self {
            Runner::Workers(w) => w.borrow().slots.len(),
            Runner::InPage(_) => 1,
        }
    }

    pub fn in_workers(&self) -> bool {
        matches!(self, Runner::Workers(_))
    }

    /// Queue these run indices.
    pub fn submit(&self, jobs: Vec<usize>) {
        match self {
            Runner::Workers(w) => {
                w.borrow_mut().queue.extend(jobs);
                dispatch(w);
            }
            Runner::InPage(p) => {
                p.borrow_mut().queue.extend(jobs);
                schedule_in_page(Rc::downgrade(p));
            }
        }
    }

    /// Stop: workers are terminated (a run in progress is dropped), queued jobs forgotten.
    pub fn stop(&self) {
        match self {
            Runner::Workers(w) => {
                let mut w = w.borrow_mut();
                w.stopped = true;
                w.queue.clear();
                for s in w.slots.iter_mut() {
                    if let Some(s) = s.take() {
                        s.worker.terminate();
                    }
                }
            }
            Runner::InPage(p) => {
                let mut p = p.borrow_mut();
                p.stopped = true;
                p.queue.clear();
            }
        }
    }
}

fn spawn(inner: &Rc<RefCell<Inner>>, i: usize) -> Result<Slot, String> {
    let urls = inner.borrow().urls.clone();
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(&urls.worker, &opts)
        .map_err(|e| format!("cannot start a worker: {e:?}"))?;
    let weak = Rc::downgrade(inner);
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(inner) = weak.upgrade() {
                handle_message(&inner, i, e.data());
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let weak = Rc::downgrade(inner);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        e.prevent_default();
        if let Some(inner) = weak.upgrade() {
            let msg = get_str(&e, "message").unwrap_or_else(|| "the worker script failed".into());
            handle_message(&inner, i, worker_error(&msg));
        }
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let init = js_sys::Object::new();
    set(&init, "type", "init".into());
    set(&init, "js", urls.js.as_str().into());
    set(&init, "wasm", urls.wasm.as_str().into());
    worker
        .post_message(&init)
        .map_err(|e| format!("cannot talk to a worker: {e:?}"))?;
    Ok(Slot {
        worker,
        ready: false,
        job: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn worker_error(msg: &str) -> JsValue {
    let o = js_sys::Object::new();
    set(&o, "type", "error".into());
    set(&o, "message", msg.into());
    o.into()
}

fn handle_message(inner: &Rc<RefCell<Inner>>, i: usize, data: JsValue) {
    let kind = get_str(&data, "type").unwrap_or_default();
    let event = {
        let mut w = inner.borrow_mut();
        if w.stopped {
            return;
        }
        let Some(slot) = w.slots.get_mut(i).and_then(|s| s.as_mut()) else {
            return;
        };
        match kind.as_str() {
            "ready" => {
                slot.ready = true;
                None
            }
            // the job this worker was given (not an id read back from the message); a reply
            // for another run, or without its row, is refused (the caller checks the row)
            "done" => slot.job.take().map(|id| {
                let echoed = get_f64(&data, "id");
                match get_str(&data, "row") {
                    Some(tail) if echoed == Some(id as f64) => Event::Done {
                        id,
                        tail,
                        ms: get_f64(&data, "ms").filter(|m| m.is_finite()).unwrap_or(0.0),
                    },
                    _ => Event::Failed {
                        id,
                        message: format!(
                            "the worker's reply was refused: it names run {echoed:?}, not {id}, or has no row"
                        ),
                    },
                }
            }),
            _ => {
                let message = get_str(&data, "message").unwrap_or_else(|| "unknown error".into());
                let job = slot.job.take();
                let was_ready = slot.ready;
                if let Some(s) = w.slots[i].take() {
                    s.worker.terminate();
                }
                match job {
                    Some(id) => Some(Event::Failed { id, message }),
                    // a worker that never got ready: workers do not work here
                    None if !was_ready => {
                        w.stopped = true;
                        for s in w.slots.iter_mut() {
                            if let Some(s) = s.take() {
                                s.worker.terminate();
                            }
                        }
                        Some(Event::Unavailable(message))
                    }
                    None => None,
                }
            }
        }
    };
    // A failed worker's wasm instance may be poisoned (a panic): start a fresh one.
    {
        let needs = {
            let w = inner.borrow();
            !w.stopped && w.slots.get(i).is_some_and(|s| s.is_none())
        };
        if needs {
            if let Ok(s) = spawn(inner, i) {
                inner.borrow_mut().slots[i] = Some(s);
            }
        }
    }
    let cb = inner.borrow().on_event.clone();
    if let Some(e) = event {
        cb(e);
    }
    dispatch(inner);
}

/// Hand queued jobs to idle, ready workers.
fn dispatch(inner: &Rc<RefCell<Inner>>) {
    let mut w = inner.borrow_mut();
    if w.stopped {
        return;
    }
    let Inner {
        slots,
        queue,
        source,
        ..
    } = &mut *w;
    for slot in slots.iter_mut().flatten() {
        if !slot.ready || slot.job.is_some() {
            continue;
        }
        let Some(job) = queue.pop_front() else {
            break;
        };
        let Some(spec) = source.sweep.run(job) else {
            continue;
        };
        let m = js_sys::Object::new();
        set(&m, "type", "run".into());
        set(&m, "id", (job as f64).into());
        set(&m, "query", spec.query.as_str().into());
        set(&m, "outputs", source.outputs.as_str().into());
        if slot.worker.post_message(&m).is_ok() {
            slot.job = Some(job);
        } else {
            queue.push_front(job);
            break;
        }
    }
}

fn schedule_in_page(p: Weak<RefCell<InPage>>) {
    leptos::prelude::set_timeout(
        move || {
            let Some(p) = p.upgrade() else { return };
            let (job, cb) = {
                let mut s = p.borrow_mut();
                if s.stopped {
                    return;
                }
                let job = s.queue.pop_front().and_then(|id| {
                    let spec = s.source.sweep.run(id)?;
                    Some((id, spec.query, s.source.outputs.clone()))
                });
                (job, s.on_event.clone())
            };
            let Some((id, query, outputs)) = job else {
                return;
            };
            let t0 = now();
            let outputs = crate::sweep::Outputs::from_query(&outputs).unwrap_or_default();
            let tail = crate::sweep::run_point(&query, &outputs);
            cb(Event::Done {
                id,
                tail,
                ms: now() - t0,
            });
            schedule_in_page(Rc::downgrade(&p));
        },
        std::time::Duration::from_millis(0),
    );
}
