// The page's service worker (README "First load"): a second visit, and every further embed of
// the lab on the same site, loads the module and the wasm from this cache instead of the
// network. web/start.js registers it once the lab has started.
//   - Build files whose names carry Trunk's content hash (…-<hex>.{js,wasm,css}: a 64-bit hash
//     written without leading zeros, so up to 16 digits, 15 for one build in 16) never
//     change: cache first. A newer build's files have new names; older ones of the same kind
//     are dropped when a new one is stored.
//   - Pages (navigations), start.js, first.js, sweep-worker.js and the drawn figures
//     (first/*.svg): network first, the cache when offline.
// Only same-origin GET requests are handled; everything else goes to the network untouched.
//   - Cross-origin isolation: every response it serves carries COOP (same-origin) and COEP
//     (require-corp), which static hosts such as GitHub Pages cannot send, so a page it serves
//     is cross-origin isolated and a network run's workers take their rounds through shared
//     memory (src/ui/state/pool.rs). The page loads nothing from other origins. A first visit,
//     before the worker controls the page, and a page framed by another site use messages;
//     the numbers are the same either way.
const CACHE = 'skill-dominoes-v1';
const HASHED = /-[0-9a-f]{1,16}(_bg)?\.(js|wasm|css)$/;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  e.respondWith((HASHED.test(url.pathname) ? cacheFirst(req, url) : networkFirst(req)).then(isolate));
});

function isolate(res) {
  if (!res || res.status < 200 || res.status > 599) return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

async function cacheFirst(req, url) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(req);
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) {
    // drop the previous build's file of the same kind (same name before the hash)
    const stem = url.pathname.replace(HASHED, '');
    const ext = url.pathname.split('.').pop();
    for (const old of await cache.keys()) {
      const p = new URL(old.url).pathname;
      if (p !== url.pathname && HASHED.test(p) && p.replace(HASHED, '') === stem && p.endsWith('.' + ext)) {
        await cache.delete(old);
      }
    }
    await cache.put(req, res.clone());
  }
  return res;
}

async function networkFirst(req) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(req, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' });
    if (hit) return hit;
    throw err;
  }
}
