// The loading block's way out (index.html #loading). A classic script, not a module: it runs
// even where the lab's own scripts cannot load. A frame sandboxed with `allow-scripts` only
// has an opaque origin, and a browser fetches module scripts and the wasm in CORS mode, so on
// a host that sends no `Access-Control-Allow-Origin` header web/start.js never runs.
// Without this script the link in #loading still appears after 2 s (style/share.css) and
// opens the lab's front page; with it, the link opens the same run in the full app, and a
// failed load shows at once, with its reason.
(function () {
  'use strict';
  var box = document.getElementById('loading');
  var open = document.getElementById('load-open');
  var reason = document.getElementById('load-reason');
  if (!box || !open || !reason) return;

  // This address without embed=1 (the full app shows the same run) and without the secret a
  // WordPress host appends (#?secret=…).
  var query = location.search
    .replace(/^\?/, '')
    .split('&')
    .filter(function (p) { return p && p.split('=')[0] !== 'embed'; })
    .join('&');
  var hash = location.hash.split('#?secret=')[0];
  open.href = location.pathname + (query ? '?' + query : '') + hash;

  var failed = false;
  function fail() {
    if (failed || !box.isConnected) return;
    failed = true;
    box.classList.add('failed');
    reason.textContent =
      self.origin === 'null'
        ? 'The lab cannot start in this frame: the page around it sandboxes the frame and the ' +
          "lab's server sends no CORS header, so the browser refuses to load the lab's program here."
        : "The lab's program failed to load.";
  }
  // A script that fails to load (capture: its error event does not bubble), or an error
  // before the lab is up (e.g. the wasm refused).
  addEventListener('error', function (e) {
    var t = e.target;
    if ((t && t.tagName === 'SCRIPT') || e instanceof ErrorEvent) fail();
  }, true);
  addEventListener('unhandledrejection', fail);

  // In a WordPress post the frame is sandboxed without allow-popups: a link cannot open a
  // window, so ask the host page to follow it (WordPress's own `link` message).
  var secret = (location.hash.split('#?secret=')[1] || '').split(/[&#]/)[0];
  if (/^[A-Za-z0-9]{1,64}$/.test(secret) && window.parent !== window) {
    open.addEventListener('click', function () {
      window.parent.postMessage({ message: 'link', value: open.href, secret: secret }, '*');
    });
  }
})();
