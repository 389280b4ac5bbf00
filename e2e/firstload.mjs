// The first load under Lighthouse's mobile profile (README "First load", BENCHMARKS.md "First
// load"): 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, the CPU 4× slower, emulated
// through the DevTools protocol in a fresh browser context (empty cache), served gzipped as
// static hosts serve it (e2e/harness.mjs).
//
// For one address it reports, from the navigation's start:
//   first  — the first chart on screen: the figure drawn at build time (web/first.js), or the
//            live chart if that comes first;
//   live   — the first live run on screen: the live preview's chart in the loading block
//            (src/ui/preview.rs), or the lab's chart if that comes first;
//   lab    — the lab's own chart (the full page is up and its run has started);
//   bytes  — bytes received over the network (gzipped, headers included) for the responses
//            completed before `first`, and `total` for everything up to `live`;
//   received — every byte received by the time `first` is seen (polled every 20 ms), in-flight
//            responses included: Trunk preloads the wasm, so its download runs alongside.
//
//   node e2e/firstload.mjs [runs=3] [query ...]   prints the median of `runs` fresh loads
// e2e/firstload.test.mjs checks the byte budget and that the drawn figure comes first.
import { start } from './harness.mjs';

export const MOBILE = {
  latency: 150,
  downloadThroughput: (1.6e6 / 8) | 0,
  uploadThroughput: (750e3 / 8) | 0,
  cpu: 4,
};

// Runs in the page before its own scripts: note when each kind of chart first shows.
const WATCH = () => {
  window.__firstload = {};
  const seen = () => {
    const t = performance.now();
    const fig = document.querySelector('#first-figure.drawn img');
    if (fig && fig.complete && !window.__firstload.figure) window.__firstload.figure = t;
    // a chart counts once it has ink
    const inked = (c) => {
      try {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < d.length; i += 4 * 97) if (d[i] < 200) ink++;
        return ink > 20;
      } catch {
        return false;
      }
    };
    const p = document.getElementById('live-preview');
    if (p && !window.__firstload.preview && p.width > 0 && inked(p)) window.__firstload.preview = t;
    const c = document.querySelector('[data-testid=chart]');
    if (c && !window.__firstload.lab && inked(c)) window.__firstload.lab = t;
    const m = window.__firstload;
    if ((m.preview || m.lab) && !m.live) m.live = Math.min(m.preview ?? Infinity, m.lab ?? Infinity);
    if (!window.__firstload.lab) requestAnimationFrame(seen);
  };
  requestAnimationFrame(seen);
};

/** One fresh load of `query`; `profile` = MOBILE or null (no throttling). */
export async function measure(env, query, profile = MOBILE, viewport = { width: 390, height: 844 }) {
  const context = await env.browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.addInitScript(WATCH);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  if (profile) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: profile.latency,
      downloadThroughput: profile.downloadThroughput,
      uploadThroughput: profile.uploadThroughput,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
  }
  // bytes received so far over all requests, in-flight ones included (the wasm that Trunk's
  // preload starts at once arrives in parallel with the figure)
  let received = 0;
  cdp.on('Network.dataReceived', (e) => (received += e.encodedDataLength));
  let receivedFirst = null;
  await page.goto(env.base + query, { waitUntil: 'commit' });
  await page
    .waitForFunction(() => window.__firstload && (window.__firstload.figure || window.__firstload.live), null, { timeout: 60000, polling: 20 })
    .then(() => (receivedFirst = received));
  await page.waitForFunction(() => window.__firstload && window.__firstload.lab, null, { timeout: 60000, polling: 100 });
  const marks = await page.evaluate(() => ({ ...window.__firstload }));
  // transferSize: bytes on the wire (gzipped body and headers) per response
  const resources = await page.evaluate(() =>
    performance.getEntriesByType('resource').map((r) => ({ name: r.name, end: r.responseEnd, size: r.transferSize })),
  );
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { end: n.responseEnd, size: n.transferSize };
  });
  await context.close();
  const first = Math.min(marks.figure ?? Infinity, marks.live);
  const all = [{ name: 'document', end: nav.end, size: nav.size }, ...resources];
  const before = (t) => all.filter((r) => r.end <= t).reduce((a, r) => a + r.size, 0);
  return {
    query,
    first: Math.round(first),
    figure: marks.figure ? Math.round(marks.figure) : null,
    live: Math.round(marks.live),
    preview: marks.preview ? Math.round(marks.preview) : null,
    lab: Math.round(marks.lab),
    bytesFirst: before(first),
    bytesTotal: before(marks.live),
    receivedFirst,
    files: all.filter((r) => r.end <= first).map((r) => r.name.replace(env.base, '')),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1];
};

/** Median of `runs` fresh loads of each query. */
export async function table(env, queries, runs = 3, profile = MOBILE) {
  const rows = [];
  for (const q of queries) {
    const ms = [];
    for (let i = 0; i < runs; i++) ms.push(await measure(env, q, profile));
    rows.push({
      query: q,
      first: median(ms.map((m) => m.first)),
      figure: ms.every((m) => m.figure != null) ? median(ms.map((m) => m.figure)) : null,
      live: median(ms.map((m) => m.live)),
      preview: ms.every((m) => m.preview != null) ? median(ms.map((m) => m.preview)) : null,
      lab: median(ms.map((m) => m.lab)),
      kbFirst: +(median(ms.map((m) => m.bytesFirst)) / 1024).toFixed(1),
      kbTotal: +(median(ms.map((m) => m.bytesTotal)) / 1024).toFixed(1),
      kbReceived: +(median(ms.map((m) => m.receivedFirst)) / 1024).toFixed(1),
      each: ms.map((m) => `${m.first}/${m.live}/${m.lab}`).join(' '),
      files: ms[0].files,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const runs = /^\d+$/.test(args[0] || '') ? Number(args.shift()) : 3;
  const queries = args.length ? args : ['/', '/?v=1&preset=fig5&alpha=2&n=10&embed=1'];
  const env = await start();
  try {
    const rows = await table(env, queries, runs);
    for (const r of rows) {
      console.log(
        `${r.query}\n  first chart ${r.first} ms (drawn figure ${r.figure ?? '—'} ms), live run ${r.live} ms (preview ${r.preview ?? '—'} ms), lab ${r.lab} ms; ` +
          `${r.kbFirst} KB in responses complete before the first chart (${r.kbReceived} KB received by then, in-flight wasm included), ` +
          `${r.kbTotal} KB before the live one; loads (first/live/lab ms): ${r.each}\n` +
          `  before the first chart: ${r.files.join(', ')}`,
      );
    }
  } finally {
    await env.stop();
  }
}
