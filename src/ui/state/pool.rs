//! Run A's network trained across Web Workers (issue 13; docs/models.md §13). A network run of
//! the page is always the sharded run (`lab::Run::shard`): its numbers are the same on any
//! number of workers and on the page's own thread. Where workers can start, the page's thread
//! and one worker per further core the browser reports (at most [`MAX_THREADS`] threads in
//! all) share each round: the workers get their orders, then the page's thread computes its
//! own share while they compute theirs (`Rounds::share`), so no core waits for a busy page
//! thread. Each worker loads the page's own module
//! (`web/net-worker.js`), builds its copy of the run from the run's link and answers rounds
//! for its shards; `lab::parallel::Rounds` keeps which round is out and checks the replies.
//! Workers start at the first Play of a network run, not at page load. Until they are ready,
//! and for good (for that link) once one of them fails or a reply is refused, the run goes on
//! on the page's thread with the same bits, and the page says why.
//!
//! Two ways to hand out a round, the same numbers either way:
//! * **Shared memory**, when the page is cross-origin isolated (its host sends COOP and COEP,
//!   README "Real networks on every core"): each worker gets a `SharedArrayBuffer` at start and then waits on it
//!   (`Atomics.wait`); the page writes θ into it, wakes the worker, computes its own share and
//!   reads the reply back from the buffer. A round then costs the page ≈ 0.05 ms of hand-off
//!   instead of ≈ 0.3 ms of messages (BENCHMARKS.md, "Sixth session"), and a frame's rounds run
//!   back to back within the frame's slice, as on one thread.
//! * **Messages** otherwise (an embed on another site, a host without the headers): a playing
//!   frame lets up to `speed` rounds start (the page's steps per frame, as on one thread); the
//!   next round starts from the last reply, not from the next animation frame.

use super::{LabState, UpdateReturning};
use crate::lab::parallel::{Received, Rounds};
use crate::sim::nn::shard::ownership;
use crate::sim::nn::{RoundOrder, ShardReply};
use crate::ui::animation::now;
use crate::ui::sweep::workers::{cores, worker_urls};
use leptos::prelude::*;
use std::cell::RefCell;
use std::ops::Range;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The most threads (the page's and its workers) one run uses (16 shards: more would leave a
/// thread with one shard).
pub const MAX_THREADS: usize = 8;

/// Control words of a worker's shared buffer (Int32; `web/net-worker.js` reads the same).
const C_SEQ: u32 = 0;
const C_DONE: u32 = 1;
const C_STEP: u32 = 2;
const C_FROM: u32 = 3;
const C_TO: u32 = 4;
const C_THETA: u32 = 5;
const C_MASK: u32 = 6;
const C_OUTPUTS: u32 = 7;
const C_GRADS: u32 = 8;
const C_R_STEP: u32 = 9;
const C_R_FROM: u32 = 10;
const C_R_TO: u32 = 11;
/// Control words, then the numbers from this byte on.
const CTL_WORDS: u32 = 16;
const DATA_AT: u32 = 4 * CTL_WORDS;
/// How long the page waits for a worker's reply through shared memory before giving the
/// workers up (a round takes milliseconds).
const SHARED_TIMEOUT_MS: f64 = 10_000.0;

/// A worker's shared buffer: its control words, its numbers and the last round handed out.
struct Channel {
    ctl: js_sys::Int32Array,
    data: js_sys::Float64Array,
    seq: i32,
}

impl Channel {
    /// A buffer for orders of `order` numbers and replies of `reply` numbers.
    fn new(order: usize, reply: usize) -> Result<(Channel, js_sys::SharedArrayBuffer), String> {
        let room = order.max(reply);
        let bytes = DATA_AT as usize + 8 * room;
        if bytes > u32::MAX as usize {
            return Err(format!("a round of {room} numbers is too large to share"));
        }
        let sab = js_sys::SharedArrayBuffer::new(bytes as u32);
        let ctl = js_sys::Int32Array::new_with_byte_offset_and_length(&sab, 0, CTL_WORDS);
        let data =
            js_sys::Float64Array::new_with_byte_offset_and_length(&sab, DATA_AT, room as u32);
        Ok((Channel { ctl, data, seq: 0 }, sab))
    }

    /// Hands `order` for `shards` to the worker and wakes it.
    fn post(&mut self, order: &RoundOrder, shards: &Range<usize>) -> Result<(), String> {
        let (tl, ml) = (order.theta.len(), order.mask.as_ref().map(|m| m.len()));
        if tl + ml.unwrap_or(0) > self.data.length() as usize {
            return Err("an order does not fit the shared buffer".into());
        }
        self.data.subarray(0, tl as u32).copy_from(&order.theta);
        if let Some(m) = &order.mask {
            self.data
                .subarray(tl as u32, (tl + m.len()) as u32)
                .copy_from(m);
        }
        let c = &self.ctl;
        c.set_index(C_STEP, order.step as i32);
        c.set_index(C_FROM, shards.start as i32);
        c.set_index(C_TO, shards.end as i32);
        c.set_index(C_THETA, tl as i32);
        c.set_index(C_MASK, ml.map_or(-1, |m| m as i32));
        self.seq = self.seq.wrapping_add(1).max(1);
        let fail = |_| "the shared buffer refused an atomic operation".to_string();
        js_sys::Atomics::store(c, C_SEQ, self.seq).map_err(fail)?;
        js_sys::Atomics::notify(c, C_SEQ).map_err(fail)?;
        Ok(())
    }

    /// Waits (spinning: the page's thread may not block) for the reply to the last order.
    fn reply(&self) -> Result<ShardReply, String> {
        let deadline = now() + SHARED_TIMEOUT_MS;
        let mut spins = 0u32;
        loop {
            let done = js_sys::Atomics::load(&self.ctl, C_DONE)
                .map_err(|_| "the shared buffer refused an atomic operation".to_string())?;
            if done == self.seq {
                break;
            }
            if done == -self.seq {
                return Err("a worker failed on its shards".into());
            }
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(4096) && now() > deadline {
                return Err(format!(
                    "a worker did not answer within {} s",
                    SHARED_TIMEOUT_MS / 1000.0
                ));
            }
        }
        let c = &self.ctl;
        let (n, g) = (c.get_index(C_OUTPUTS), c.get_index(C_GRADS));
        let len = self.data.length() as i64;
        if n < 0 || g < 0 || n as i64 + g as i64 > len {
            return Err(format!(
                "a worker's reply of {n} + {g} numbers does not fit its buffer"
            ));
        }
        let (n, g) = (n as u32, g as u32);
        let word =
            |i| u32::try_from(c.get_index(i)).map_err(|_| "a negative shard or step".to_string());
        Ok(ShardReply {
            step: word(C_R_STEP)?,
            shards: word(C_R_FROM)? as usize..word(C_R_TO)? as usize,
            outputs: self.data.subarray(0, n).to_vec(),
            grads: self.data.subarray(n, n + g).to_vec(),
        })
    }
}

/// Whether the page is cross-origin isolated (then `SharedArrayBuffer` exists).
fn isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

struct Slot {
    worker: web_sys::Worker,
    ready: bool,
    /// Shared memory (a cross-origin isolated page); `None`: messages.
    channel: Option<Channel>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

struct Pool {
    /// The link of the run the workers built.
    query: String,
    slots: Vec<Slot>,
    rounds: Rounds,
    /// Rounds this animation frame may still start.
    allowance: u32,
    /// A frame was recorded since the page last asked.
    changed: bool,
    /// By messages, the round out: when it began, the page's share (ms), when that ended
    /// (for the Performance readout, `lab::FrameStats::add_round`).
    timing: Option<(f64, f64, f64)>,
}

impl Pool {
    fn ready(&self) -> bool {
        !self.slots.is_empty() && self.slots.iter().all(|s| s.ready)
    }

    /// Whether the rounds go through shared memory (every worker has a channel).
    fn shared(&self) -> bool {
        self.slots.iter().all(|s| s.channel.is_some())
    }

    fn stop(&mut self) {
        for s in self.slots.drain(..) {
            s.worker.terminate();
        }
    }
}

thread_local! {
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
    /// The link whose workers failed: the page does not start workers for it again.
    static GAVE_UP: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn set(o: &js_sys::Object, k: &str, v: JsValue) {
    let _ = js_sys::Reflect::set(o, &k.into(), &v);
}

fn get(o: &JsValue, k: &str) -> JsValue {
    js_sys::Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

fn numbers(v: JsValue) -> Option<Vec<f64>> {
    v.dyn_into::<js_sys::Float64Array>()
        .ok()
        .map(|a| a.to_vec())
}

/// A worker's reply as the run reads it, or why it is not one.
fn reply_of(data: &JsValue) -> Result<(u32, ShardReply), String> {
    let int = |k: &str| -> Result<u32, String> {
        get(data, k)
            .as_f64()
            .filter(|x| x.fract() == 0.0 && *x >= 0.0 && *x <= u32::MAX as f64)
            .map(|x| x as u32)
            .ok_or_else(|| format!("its {k} is not a whole number"))
    };
    let (from, to) = (int("from")? as usize, int("to")? as usize);
    let reply = ShardReply {
        step: int("step")?,
        shards: from..to,
        outputs: numbers(get(data, "outputs")).ok_or("it has no outputs")?,
        grads: numbers(get(data, "grads")).ok_or("it has no gradients")?,
    };
    Ok((int("gen")?, reply))
}

impl LabState {
    /// Serve run A: a network run becomes the sharded run and keeps its workers when the link
    /// is the same (a reset); any other run lets the workers go. Workers start only at Play
    /// ([`LabState::start_pool`]): a page that is only read, or an embed that is never played,
    /// loads no worker. A network run B becomes the sharded run too (on the page's thread).
    pub(super) fn attach_pool(self) {
        let net = self.runs.a.update_value_returning(|r| {
            if r.net && r.error.is_none() {
                r.shard(); // may fail (then `r.error` says why, and the run gets no workers)
            }
            r.net && r.error.is_none()
        });
        // B, a comparison's network, steps on the page's thread, sharded too: a link gives
        // the same numbers as A or as B
        self.runs.b.update_value(|b| {
            if let Some(b) = b.as_mut().filter(|b| b.net && b.error.is_none()) {
                b.shard();
            }
        });
        let query = self.setup.config.with_untracked(|c| c.to_query());
        POOL.with_borrow_mut(|p| match p {
            Some(pool) if net && pool.query == query => pool.rounds.restart(),
            _ => {
                if let Some(mut pool) = p.take() {
                    pool.stop();
                }
            }
        });
    }

    /// At Play: run A's network gets its workers unless it has them, the browser reports one
    /// core, or workers already failed for this link (the page's thread then trains it; the
    /// status line said why). Until they are ready the page's thread steps the run.
    pub(super) fn start_pool(self) {
        let net = self.runs.a.with_value(|r| r.net && r.error.is_none());
        let threads = cores().min(MAX_THREADS);
        if !net || threads < 2 || POOL.with_borrow(|p| p.is_some()) {
            return;
        }
        let query = self.setup.config.with_untracked(|c| c.to_query());
        if GAVE_UP.with_borrow(|g| g.as_deref() == Some(query.as_str())) {
            return;
        }
        if let Err(why) = self.spawn_pool(query, threads - 1) {
            self.workers_failed(&why);
        }
    }

    /// `n` workers beside the page's thread, each with a shared buffer when the page is
    /// cross-origin isolated (all or none: a worker given one no longer reads messages).
    fn spawn_pool(self, query: String, n: usize) -> Result<(), String> {
        let (script, js, wasm) = worker_urls("net-worker.js")?;
        let owned = ownership(n + 1);
        let mut channels: Vec<Option<(Channel, js_sys::SharedArrayBuffer)>> =
            (0..n).map(|_| None).collect();
        if isolated() {
            let made: Option<Vec<_>> = (0..n)
                .map(|i| {
                    let lens = self.runs.a.with_value(|r| r.round_lens(&owned[i + 1]))?;
                    Channel::new(lens.0, lens.1).ok()
                })
                .collect();
            if let Some(made) = made {
                channels = made.into_iter().map(Some).collect();
            }
        }
        let mut slots = vec![];
        for (i, channel) in channels.into_iter().enumerate() {
            let opts = web_sys::WorkerOptions::new();
            opts.set_type(web_sys::WorkerType::Module);
            let worker = match web_sys::Worker::new_with_options(&script, &opts) {
                Ok(w) => w,
                Err(_) => {
                    slots.iter().for_each(|s: &Slot| s.worker.terminate());
                    return Err("Web Workers cannot start here".into());
                }
            };
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |e: web_sys::MessageEvent| self.on_worker_message(i, e.data()),
            );
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                e.prevent_default();
                let msg = get(&e, "message")
                    .as_string()
                    .unwrap_or_else(|| "the worker's script failed".into());
                self.workers_failed(&msg);
            });
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let init = js_sys::Object::new();
            set(&init, "type", "init".into());
            set(&init, "js", js.as_str().into());
            set(&init, "wasm", wasm.as_str().into());
            set(&init, "query", query.as_str().into());
            let channel = channel.map(|(c, sab)| {
                set(&init, "sab", sab.into());
                c
            });
            worker
                .post_message(&init)
                .map_err(|_| "a worker cannot be reached".to_string())?;
            slots.push(Slot {
                worker,
                ready: false,
                channel,
                _on_message: on_message,
                _on_error: on_error,
            });
        }
        POOL.with_borrow_mut(|p| {
            *p = Some(Pool {
                query,
                slots,
                rounds: Rounds::new(n + 1),
                allowance: 0,
                changed: false,
                timing: None,
            })
        });
        Ok(())
    }

    /// The workers are given up: an open round is done on the page's thread (the same bits)
    /// and the run goes on there; the page says why.
    fn workers_failed(self, why: &str) {
        let query = self.setup.config.with_untracked(|c| c.to_query());
        GAVE_UP.with_borrow_mut(|g| *g = Some(query));
        let had = POOL.with_borrow_mut(|p| p.take());
        if let Some(mut pool) = had {
            pool.stop();
            let recorded = self.runs.a.update_value_returning(|r| pool.rounds.fail(r));
            if recorded {
                self.bump();
                self.request_redraw();
            }
        }
        self.setup.status.set(format!(
            "This network trains on the page's own thread: {why}. Its numbers are the same either way."
        ));
    }

    fn on_worker_message(self, i: usize, data: JsValue) {
        match get(&data, "type").as_string().as_deref() {
            Some("ready") => {
                let all = POOL.with_borrow_mut(|p| {
                    let pool = p.as_mut()?;
                    pool.slots.get_mut(i)?.ready = true;
                    pool.ready().then_some((pool.slots.len(), pool.shared()))
                });
                if let Some((n, shared)) = all {
                    let workers = if n == 1 {
                        "1 Web Worker".to_string()
                    } else {
                        format!("{n} Web Workers")
                    };
                    let how = if shared { " through shared memory" } else { "" };
                    self.setup.status.set(format!(
                        "This network trains on {} threads, the page's and {workers}{how}, data parallel (the same numbers as on one thread).",
                        n + 1
                    ));
                    if self.playback.playing.get_untracked() {
                        self.anim.start();
                    }
                }
            }
            Some("reply") => match reply_of(&data) {
                // participant 0 is the page's thread
                Ok((generation, reply)) => self.on_reply(i + 1, generation, reply),
                Err(why) => self.workers_failed(&format!("a worker's reply was refused: {why}")),
            },
            _ => {
                let msg = get(&data, "message")
                    .as_string()
                    .unwrap_or_else(|| "unknown error".into());
                self.workers_failed(&format!("a worker failed: {msg}"));
            }
        }
    }

    /// Participant `i`'s reply (a worker: `i` ≥ 1).
    fn on_reply(self, i: usize, generation: u32, reply: ShardReply) {
        let got = POOL.with_borrow_mut(|p| {
            let pool = p.as_mut()?;
            let got = self
                .runs
                .a
                .update_value_returning(|r| pool.rounds.receive(r, generation, i, reply));
            if let Received::Recorded(recorded) = got {
                pool.changed |= recorded;
                if let Some((t0, share, shared_at)) = pool.timing.take() {
                    let t = now();
                    self.playback
                        .stats
                        .update_value(|s| s.add_round(share, t - shared_at, t - t0));
                }
            }
            Some(got)
        });
        match got {
            Some(Received::Recorded(_)) => {
                if self.playback.playing.get_untracked() {
                    // the next round at once, within this frame's allowance
                    self.next_round();
                    self.anim.start();
                } else {
                    // the round that was out when the reader paused: shown at once
                    POOL.with_borrow_mut(|p| p.as_mut().map(|p| p.changed = false));
                    self.bump();
                    self.request_redraw();
                }
            }
            Some(Received::Refused(why)) => {
                self.workers_failed(&format!("a worker's reply was refused: {why}"))
            }
            _ => {}
        }
    }

    /// Start the next round if none is out and the frame allows one. Whether one started.
    fn next_round(self) -> bool {
        let posted = POOL.with_borrow_mut(|p| {
            let pool = p.as_mut().filter(|p| p.ready())?;
            if pool.allowance == 0 || pool.rounds.busy() {
                return None;
            }
            let owned = pool.rounds.owned().to_vec();
            let order = self
                .runs
                .a
                .update_value_returning(|r| pool.rounds.begin(r).map(|(g, o)| (g, o.clone())));
            let (generation, order) = order?;
            let t0 = now();
            pool.allowance -= 1;
            let theta = js_sys::Float64Array::from(order.theta.as_slice());
            let mask = order
                .mask
                .as_ref()
                .map(|m| JsValue::from(js_sys::Float64Array::from(m.as_slice())))
                .unwrap_or(JsValue::NULL);
            // participant 0 is the page's thread: the workers own the shards after its share
            for (slot, shards) in pool.slots.iter().zip(owned.into_iter().skip(1)) {
                let m = js_sys::Object::new();
                set(&m, "type", "round".into());
                set(&m, "gen", generation.into());
                set(&m, "step", order.step.into());
                set(&m, "theta", theta.clone().into());
                set(&m, "mask", mask.clone());
                set(&m, "from", (shards.start as u32).into());
                set(&m, "to", (shards.end as u32).into());
                if slot.worker.post_message(&m).is_err() {
                    return Some(Err("a worker cannot be reached".to_string()));
                }
            }
            // the page's own share while the workers compute theirs
            let t1 = now();
            let got = self.runs.a.update_value_returning(|r| pool.rounds.share(r));
            let t2 = now();
            if matches!(got, Received::Recorded(_)) {
                // the workers had answered before the page's share was done: no wait
                let stats = self.playback.stats;
                stats.update_value(|s| s.add_round(t2 - t1, 0.0, t2 - t0));
            } else {
                pool.timing = Some((t0, t2 - t1, t2));
            }
            match got {
                Received::Refused(why) => Some(Err(format!("the page's share was refused: {why}"))),
                Received::Recorded(recorded) => {
                    pool.changed |= recorded;
                    Some(Ok(()))
                }
                Received::Waiting | Received::Stale => Some(Ok(())),
            }
        });
        match posted {
            Some(Ok(())) => true,
            Some(Err(why)) => {
                self.workers_failed(&why);
                false
            }
            None => false,
        }
    }

    /// Shared memory: rounds back to back, while the frame's allowance lasts and within
    /// `budget` ms. Whether a frame was recorded; an error means the workers are to be given up
    /// (a round left open is then done on the page's thread).
    fn shared_rounds(self, budget: f64) -> Result<bool, String> {
        let start = now();
        let mut recorded = false;
        loop {
            let round = POOL.with_borrow_mut(|p| -> Result<Option<bool>, String> {
                let Some(pool) = p.as_mut().filter(|p| p.allowance > 0) else {
                    return Ok(None);
                };
                let t0 = now();
                self.runs.a.update_value_returning(|r| {
                    let Some((generation, order)) =
                        pool.rounds.begin(r).map(|(g, o)| (g, o.clone()))
                    else {
                        return Ok(None);
                    };
                    pool.allowance -= 1;
                    let owned = pool.rounds.owned().to_vec();
                    // participant 0 is the page's thread: the workers own the shards after
                    // its share
                    for (slot, shards) in pool.slots.iter_mut().zip(&owned[1..]) {
                        let ch = slot
                            .channel
                            .as_mut()
                            .ok_or("a worker has no shared buffer")?;
                        ch.post(&order, shards)?;
                    }
                    let t1 = now();
                    let mut got = pool.rounds.share(r);
                    let t2 = now();
                    let mut wait = 0.0;
                    for (i, slot) in pool.slots.iter().enumerate() {
                        if let Received::Refused(why) = &got {
                            return Err(format!("a reply was refused: {why}"));
                        }
                        let ch = slot
                            .channel
                            .as_ref()
                            .ok_or("a worker has no shared buffer")?;
                        let t = now();
                        let reply = ch.reply()?;
                        wait += now() - t;
                        got = pool.rounds.receive(r, generation, i + 1, reply);
                    }
                    match got {
                        Received::Recorded(rec) => {
                            let t3 = now();
                            self.playback
                                .stats
                                .update_value(|s| s.add_round(t2 - t1, wait, t3 - t0));
                            Ok(Some(rec))
                        }
                        Received::Refused(why) => Err(format!("a reply was refused: {why}")),
                        Received::Waiting | Received::Stale => Err("a round was left open".into()),
                    }
                })
            })?;
            match round {
                Some(rec) => recorded |= rec,
                None => break,
            }
            if now() - start >= budget {
                break;
            }
        }
        Ok(recorded)
    }

    /// A playing frame of run A when its workers train it: up to `speed` rounds (through
    /// shared memory: within `budget` ms, on this thread; by messages: started from the
    /// replies). `Some(changed)` when the workers have run A, `None` when the page's thread
    /// should step it.
    pub(super) fn pump_pool(self, speed: u32, budget: f64) -> Option<bool> {
        let (active, shared) = POOL.with_borrow_mut(|p| {
            let pool = p.as_mut().filter(|p| p.ready())?;
            pool.allowance = speed.max(1);
            Some((std::mem::take(&mut pool.changed), pool.shared()))
        })?;
        if self.runs.a.with_value(|r| r.finished()) {
            return Some(active);
        }
        if shared {
            return match self.shared_rounds(budget) {
                Ok(recorded) => Some(active | recorded),
                Err(why) => {
                    self.workers_failed(&why);
                    Some(true)
                }
            };
        }
        self.next_round();
        Some(active)
    }

    /// Before the page's thread steps run A itself (the Step button): a round out with the
    /// workers is done here (the same bits) and closed, so the two never overlap.
    pub(super) fn settle_pool(self) -> bool {
        let recorded = POOL.with_borrow_mut(|p| {
            let pool = p.as_mut()?;
            if !pool.rounds.busy() {
                return None;
            }
            let r = self.runs.a.update_value_returning(|r| pool.rounds.fail(r));
            pool.rounds.restart();
            Some(r)
        });
        recorded.unwrap_or(false)
    }
}
