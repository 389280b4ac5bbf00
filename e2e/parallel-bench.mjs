// The messages' cost of one sharded round (docs/models.md §13) in headless Chromium, without
// any compute: the page sends each of W module workers the round's order (θ and, for Fig. 2,
// the step's mask, as a transferred Float64Array) and each answers with a reply of its size
// (its rows' outputs and one gradient sum); the round ends when every reply is in. Median ms
// per round over ROUNDS rounds, for W = 1, 2, 3 workers (the page's thread computes a share
// too, so W + 1 threads, each worker's reply that of 16/(W + 1) shards). The sizes are those of
// the three figures' rounds (tests/wasm_bench.rs `sharded_rounds_in_the_browser` prints them).
// The page is served cross-origin isolated (COOP/COEP), so performance.now() resolves 5 µs
// instead of 100 µs; the mean over the rounds is printed beside the median.
// Usage: node e2e/parallel-bench.mjs   (BENCHMARKS.md, "Real networks on every core")
import http from 'node:http';
import { chromium } from 'playwright-core';

const ROUNDS = Number(process.env.ROUNDS || 300);
// numbers (f64) per order and per reply, per figure: θ (+ mask), observations/W + θ-sized
// gradient (Fig. 13: a loss term and a hit per training and test row)
const CASES = [
  { name: 'fig2', send: 1752 + 20000, reply: (w) => 20000 / w + 1752 },
  { name: 'fig13', send: 49311, reply: (w) => (2 * (2784 + 697)) / w + 49311 },
  { name: 'fig19', send: 10602, reply: (w) => 2000 / w + 10602 },
];

const WORKER = `
self.onmessage = (e) => {
  const { n } = e.data;
  // read the order as a worker would (touch every number), answer with a fresh buffer
  const order = e.data.order;
  let s = 0;
  for (let i = 0; i < order.length; i += 64) s += order[i];
  const reply = new Float64Array(n);
  reply[0] = s;
  self.postMessage({ reply }, [reply.buffer]);
};`;

// The same round through shared memory (needs cross-origin isolation): the worker blocks in
// Atomics.wait on its control word; the page copies the order into the worker's buffer, bumps
// the word and spins until the worker has copied its reply back and bumped its done word.
const SAB_WORKER = `
self.onmessage = (e) => {
  const { sab, cap } = e.data;
  const ctl = new Int32Array(sab, 0, 4);
  const data = new Float64Array(sab, 16, cap);
  const local = new Float64Array(cap);
  let last = 0;
  self.postMessage('ready');
  for (;;) {
    Atomics.wait(ctl, 0, last);
    const gen = Atomics.load(ctl, 0);
    if (gen < 0) return;
    last = gen;
    const send = ctl[2], n = ctl[3];
    local.set(data.subarray(0, send));
    let s = 0;
    for (let i = 0; i < send; i += 64) s += local[i];
    local[0] = s;
    data.set(local.subarray(0, n));
    Atomics.store(ctl, 1, gen);
  }
};`;

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
const WORKER_URL = '/worker.js';
window.bench = async (cases, rounds) => {
  const out = [];
  for (const w of [1, 2, 3]) {
    const workers = Array.from({ length: w }, () => new Worker(WORKER_URL, { type: 'module' }));
    for (const c of cases) {
      const times = [];
      for (let r = 0; r < rounds + 20; r++) {
        const t0 = performance.now();
        await Promise.all(workers.map((wk) => new Promise((resolve) => {
          wk.onmessage = (e) => resolve(e.data.reply[0]);
          const order = new Float64Array(c.send);
          order[0] = r;
          wk.postMessage({ order, n: Math.ceil(c.reply[w + 1]) }, [order.buffer]);
        })));
        if (r >= 20) times.push(performance.now() - t0);
      }
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      times.sort((a, b) => a - b);
      out.push({ name: c.name, workers: w, median: times[times.length >> 1], mean, p90: times[Math.floor(times.length * 0.9)] });
    }
    workers.forEach((wk) => wk.terminate());
  }
  if (!self.crossOriginIsolated) return out;
  for (const w of [1, 2, 3]) {
    const cap = Math.max(...cases.map((c) => Math.max(c.send, Math.ceil(c.reply[w + 1]))));
    const chans = await Promise.all(Array.from({ length: w }, () => new Promise((resolve) => {
      const sab = new SharedArrayBuffer(16 + 8 * cap);
      const wk = new Worker('/sab-worker.js', { type: 'module' });
      // the page spins only once the worker runs (starting a worker needs the page's thread)
      wk.onmessage = () => resolve({ wk, ctl: new Int32Array(sab, 0, 4), data: new Float64Array(sab, 16, cap) });
      wk.postMessage({ sab, cap });
    })));
    let gen = 0;
    for (const c of cases) {
      const order = new Float64Array(c.send);
      const reply = new Float64Array(Math.ceil(c.reply[w + 1]));
      const times = [];
      for (let r = 0; r < rounds + 20; r++) {
        const t0 = performance.now();
        gen++;
        order[0] = r;
        for (const ch of chans) {
          ch.data.set(order);
          ch.ctl[2] = c.send;
          ch.ctl[3] = reply.length;
          Atomics.store(ch.ctl, 0, gen);
          Atomics.notify(ch.ctl, 0);
        }
        for (const ch of chans) {
          while (Atomics.load(ch.ctl, 1) !== gen) {}
          reply.set(ch.data.subarray(0, reply.length));
        }
        if (r >= 20) times.push(performance.now() - t0);
      }
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      times.sort((a, b) => a - b);
      out.push({ name: c.name + ' (shared memory)', workers: w, median: times[times.length >> 1], mean, p90: times[Math.floor(times.length * 0.9)] });
    }
    chans.forEach((ch) => { Atomics.store(ch.ctl, 0, -1); Atomics.notify(ch.ctl, 0); ch.wk.terminate(); });
  }
  return out;
};
</script>`;

// cross-origin isolation: fine timers (the bench uses no SharedArrayBuffer)
const ISOLATED = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};
const server = http.createServer((req, res) => {
  if (req.url === '/sab-worker.js') {
    res.writeHead(200, { 'content-type': 'text/javascript', ...ISOLATED }).end(SAB_WORKER);
  } else if (req.url === '/worker.js') {
    res.writeHead(200, { 'content-type': 'text/javascript', ...ISOLATED }).end(WORKER);
  } else {
    res.writeHead(200, { 'content-type': 'text/html', ...ISOLATED }).end(PAGE);
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => typeof window.bench === 'function');
  const isolated = await page.evaluate(() => self.crossOriginIsolated);
  console.log(`cross-origin isolated: ${isolated} (timer resolution ${isolated ? '5 µs' : '100 µs'})`);
  const cases = CASES.map((c) => ({ name: c.name, send: c.send, reply: { 2: c.reply(2), 3: c.reply(3), 4: c.reply(4) } }));
  const rows = await page.evaluate(([c, r]) => window.bench(c, r), [cases, ROUNDS]);
  for (const r of rows) {
    console.log(`messages ${r.name}: ${r.workers} workers: median ${r.median.toFixed(3)} ms per round, mean ${r.mean.toFixed(3)} (p90 ${r.p90.toFixed(3)})`);
  }
} finally {
  await browser.close();
  server.close();
}
