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
