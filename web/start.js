// The page's loader, in place of the inline module script Trunk writes by default, so that the
// Content-Security-Policy in index.html needs neither 'unsafe-inline' nor a per-build hash.
// Trunk writes this element (Trunk.toml `pattern_script`) with the hashed file names:
//   <script type="module" src="start.js" data-js="…/skill-dominoes-….js" data-wasm="…_bg.wasm">
// and scripts/build-preview adds those of the live preview (data-preview-js, data-preview-wasm).
// It first starts the live preview (README "First load"; src/ui/preview.rs) where web/first.js
// found a figure drawn for the address: a small module that runs the address's run in the
// loading block. Then it does what Trunk's own loader does: load the lab's module, instantiate
// its wasm, expose the bindings as `window.wasmBindings` and fire `TrunkApplicationStarted`.
const el = document.querySelector('script[data-js][data-wasm]');

// Whether web/first.js (async, so it may still be on its way) found a drawn figure here: it
// marks <html data-drawn="name|"> and fires `skill-dominoes:drawn`.
async function drawnHere() {
  const root = document.documentElement;
  const first = document.querySelector('script[src$="first.js"]');
  if (!root.hasAttribute('data-drawn') && first) {
    await new Promise((done) => {
      document.addEventListener('skill-dominoes:drawn', done, { once: true });
      first.addEventListener('error', done, { once: true });
      setTimeout(done, 3000);
    });
  }
  return !!root.getAttribute('data-drawn');
}

if (el.dataset.previewJs && el.dataset.previewWasm && (await drawnHere())) {
  try {
    const preview = await import(el.dataset.previewJs);
    await preview.default({ module_or_path: el.dataset.previewWasm });
  } catch (err) {
    // no preview: the drawn figure stays until the lab is up
    console.warn('live preview:', err);
  }
}

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
