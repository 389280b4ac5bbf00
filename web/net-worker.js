// A network worker (issue 13, docs/models.md §13): loads the page's own wasm module, builds its
// copy of the run from the run's link, and answers the page's rounds for the shards it is
// given. Protocol (src/ui/state/pool.rs, which checks each reply before the run keeps it):
//   in:  {type: "init", js, wasm, query}                       out: {type: "ready"} or {type: "error", message}
//   in:  {type: "round", gen, step, theta, mask|null, from, to}
//   out: {type: "reply", gen, step, from, to, outputs, grads} or {type: "error", gen, message}
let worker = null;
self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      const mod = await import(m.js);
      await mod.default({ module_or_path: m.wasm });
      worker = new mod.NetWorker(m.query);
      self.postMessage({ type: "ready" });
    } else if (m.type === "round") {
      const hasMask = m.mask != null;
      const out = worker.work(m.step, m.theta, hasMask ? m.mask : new Float64Array(0), hasMask, m.from, m.to);
      const n = worker.outputs_len();
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
