// A network run trained in the real page, end to end, on the page's thread and Web Workers against the
// page's own thread (the worker script refused, so the page falls back to one thread with the
// same numbers): the time from Play to the run's end at the fastest speed, which includes the
// page's drawing. For BENCHMARKS.md, "Real networks on every core"; run it beside
// `torch_mlp.py 1` and `4` in the same sitting. Needs a release build in dist/. The workers run
// twice: by messages (a page that is not cross-origin isolated) and through shared memory (the
// same build served with COOP and COEP).
// Usage: node e2e/parallel-page-bench.mjs [repeats]
import { start, Lab } from './harness.mjs';

const REPEATS = Number(process.argv[2] || 3);
const CASES = [
  ['fig2 (1000 steps)', '/?v=1&preset=fig2&autoplay=0'],
  ['fig13 (200 steps)', '/?v=1&preset=fig13&steps=200&autoplay=0'],
  ['fig19 (1000 steps)', '/?v=1&preset=fig19&autoplay=0'],
];

const env = await start();
const iso = await start({ browser: env.browser, isolated: true });
async function timed(query, workers, shared = false) {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const base = shared ? iso.base : env.base;
  if (!workers) await context.route('**/net-worker.js', (r) => r.abort());
  const lab = new Lab(await context.newPage());
  lab.context = context;
  await lab.page.goto(base + query);
  await lab.testid('chart').waitFor();
  // workers start at the first Play: play until the status line says where the run trains,
  // then time a fresh run from Reset (which keeps the workers)
  await lab.testid('play').click();
  const want = workers ? /^This network trains on (\d+) threads/ : /^This network trains on the page's own thread/;
  await lab.page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector('[data-testid=status]')?.textContent || ''),
    want.source,
    { timeout: 60000 },
  );
  const status = await lab.testid('status').textContent();
  await lab.pause();
  await lab.testid('reset').click();
  await lab.testid('speed').fill('12');
  const t0 = Date.now();
  await lab.testid('play').click();
  await lab.waitStopped(600000);
  const secs = (Date.now() - t0) / 1000;
  const steps = await lab.step();
  // the Performance readout's rounds (lab::FrameStats; the warm-up's rounds included)
  const rounds = /\d+ rounds across.*$/.exec(await lab.testid('perf').textContent())?.[0] ?? '';
  await lab.close();
  return { secs, steps, rounds, n: workers ? Number(status.match(want)[1]) : 1 };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, q] of CASES) {
  const one = [], many = [], mem = [];
  let n = 0;
  for (let r = 0; r < REPEATS; r++) {
    one.push((await timed(q, false)).secs);
    const m = await timed(q, true);
    many.push(m.secs);
    n = m.n;
    const s = await timed(q, true, true);
    mem.push(s.secs);
    console.log(`  ${name}, run ${r + 1}: by messages: ${m.rounds}`);
    console.log(`  ${name}, run ${r + 1}: through shared memory: ${s.rounds}`);
  }
  const list = (xs) => `${median(xs).toFixed(2)} s [${xs.map((x) => x.toFixed(2)).join(', ')}]`;
  console.log(`${name}: page's thread ${list(one)}; ${n} threads by messages ${list(many)}, through shared memory ${list(mem)}`);
}
await iso.stop();
await env.stop();
