// A network worker (issue 13, docs/models.md §13): loads the page's own wasm module, builds its
// copy of the run from the run's link, and answers the page's rounds for the shards it is
// given. Protocol (src/ui/state/pool.rs, which checks each reply before the run keeps it):
//   in:  {type: "init", js, wasm, query, sab?}                 out: {type: "ready"} or {type: "error", message}
// By messages (a page that is not cross-origin isolated):
//   in:  {type: "round", gen, step, theta, mask|null, from, to}
//   out: {type: "reply", gen, step, from, to, outputs, grads} or {type: "error", gen, message}
// Through shared memory (a cross-origin isolated page sends `sab` with init): after "ready" the
// worker waits on the buffer's control words (Atomics.wait) and never reads a message again.
// Control words (Int32, pool.rs names them): 0 seq (the page's round counter), 1 done (the
// worker: seq when its reply is written, −seq when it failed), 2 step, 3 from, 4 to,
// 5 θ's length, 6 the mask's length (−1: none), 7 outputs' length, 8 gradients' length
// (written by the worker), 9 the step, 10 from and 11 to it answered. Numbers (Float64) from
// byte 64: the order (θ, then the mask), overwritten by the reply (outputs, then gradients).
let worker = null;

function work(step, theta, mask, hasMask, from, to) {
  const out = worker.work(step, theta, hasMask ? mask : new Float64Array(0), hasMask, from, to);
  return { out, n: worker.outputs_len() };
}

const SPIN_MS = 2;

function serveShared(sab) {
  const ctl = new Int32Array(sab, 0, 16);
  const data = new Float64Array(sab, 64);
  // the page's counter starts at 0 (a round posted before this line is still served)
  let last = 0;
  for (;;) {
    // Spin a moment before sleeping: the page's next order usually follows within a fraction
    // of a millisecond (rounds run back to back within a frame), and a spinning worker sees
    // it without the wake-up of a sleeping thread (Fig. 19 through shared memory, 2 threads:
    // 2.39–2.44 s before, 2.32–2.34 s after; BENCHMARKS.md, "Seventh session"). Between
    // frames the worker sleeps after SPIN_MS.
    const until = performance.now() + SPIN_MS;
    for (let i = 1; Atomics.load(ctl, 0) === last; i++) {
      if ((i & 1023) === 0 && performance.now() > until) {
        Atomics.wait(ctl, 0, last);
        break;
      }
    }
    const seq = Atomics.load(ctl, 0);
    if (seq === last) continue;
    last = seq;
    try {
      const [step, from, to, thetaLen, maskLen] = [ctl[2], ctl[3], ctl[4], ctl[5], ctl[6]];
      const theta = data.slice(0, thetaLen);
      const mask = maskLen >= 0 ? data.slice(thetaLen, thetaLen + maskLen) : null;
      const { out, n } = work(step, theta, mask, mask !== null, from, to);
      if (out.length > data.length) throw new Error(`a reply of ${out.length} numbers does not fit the shared buffer of ${data.length}`);
      data.set(out);
      ctl[7] = n;
      ctl[8] = out.length - n;
      ctl[9] = step;
      ctl[10] = from;
      ctl[11] = to;
      Atomics.store(ctl, 1, seq);
    } catch (err) {
      self.postMessage({ type: "error", gen: null, message: String((err && err.message) || err) });
      Atomics.store(ctl, 1, -seq);
    }
  }
}

self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      const mod = await import(m.js);
      await mod.default({ module_or_path: m.wasm });
      worker = new mod.NetWorker(m.query);
      self.postMessage({ type: "ready" });
      if (m.sab) serveShared(m.sab);
    } else if (m.type === "round") {
      const { out, n } = work(m.step, m.theta, m.mask, m.mask != null, m.from, m.to);
      const outputs = out.slice(0, n);
      const grads = out.slice(n);
      self.postMessage(
        { type: "reply", gen: m.gen, step: m.step, from: m.from, to: m.to, outputs, grads },
        [outputs.buffer, grads.buffer],
      );
    }
  } catch (err) {
    self.postMessage({ type: "error", gen: m.gen ?? null, message: String((err && err.message) || err) });
  }
};
