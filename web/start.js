// The page's loader, in place of the inline module script Trunk writes by default, so that the
// Content-Security-Policy in index.html needs neither 'unsafe-inline' nor a per-build hash.
// Trunk writes this element (Trunk.toml `pattern_script`) with the hashed file names:
//   <script type="module" src="start.js" data-js="…/skill-dominoes-….js" data-wasm="…_bg.wasm">
// It then does what Trunk's own loader does: load the module, instantiate the wasm, expose the
// bindings as `window.wasmBindings` and fire `TrunkApplicationStarted`.
const el = document.querySelector('script[data-js][data-wasm]');
const bindings = await import(el.dataset.js);
const wasm = await bindings.default({ module_or_path: el.dataset.wasm });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));

// The service worker (web/sw.js): a second visit, and more embeds on one site, load the lab
// from its cache. Not in frames whose origin is opaque (sandboxed without allow-same-origin),
// where there is no storage to keep it in.
try {
  if (window.isSecureContext && 'serviceWorker' in navigator) {
    navigator.serviceWorker.register(new URL('sw.js', import.meta.url)).catch(() => {});
  }
} catch {
  // a sandboxed frame may refuse even the question
}
