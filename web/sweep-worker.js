// A sweep worker: loads the page's own wasm module (the same build, so the same results as
// the page and the CLI) and runs one grid point per message. Protocol (src/ui/sweep/workers.rs,
// which checks each reply before the page keeps it):
//   in:  {type: "init", js, wasm}          out: {type: "ready"} or {type: "error", message}
//   in:  {type: "run", id, query, outputs}  out: {type: "done", id, row, ms} or {type: "error", id, message}
let mod = null;
self.onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.type === "init") {
      mod = await import(m.js);
      await mod.default({ module_or_path: m.wasm });
      self.postMessage({ type: "ready" });
    } else if (m.type === "run") {
      const t0 = performance.now();
      const row = mod.sweep_point(m.query, m.outputs);
      self.postMessage({ type: "done", id: m.id, row, ms: performance.now() - t0 });
    }
  } catch (err) {
    self.postMessage({ type: "error", id: m.id ?? null, message: String((err && err.message) || err) });
  }
};
