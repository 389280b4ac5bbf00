// Trust (issue "nothing crafted hangs, crashes or loses work"), in the real page: a sample of
// hostile links, `#vs=` comparisons, opened CSV files, messages posted to the page and replies
// of a sweep worker. After each: no panic ("unreachable", "panicked") or other error in the
// console, a notice or status naming what was refused, the page answers within a bound, and
// its memory (the wasm module's linear memory and the JS heap) stays bounded.
// Run after `trunk build --release`: node --test e2e/hostile.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { start, ROOT } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const DIST = path.resolve(process.env.DIST || path.join(ROOT, 'dist'));
/** The page may not take longer than this to answer after an input. */
const RESPONSIVE_MS = 3000;
/** Bounds on the wasm linear memory and the JS heap after an input. */
const WASM_BYTES = 512 << 20;
const HEAP_BYTES = 256 << 20;

/** A fresh page that records errors and the wasm module's exports (Trunk's start event). */
async function openPage(query, ready = 'chart', route) {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  // the test server (like most static hosts) refuses very long request lines: serve the page
  await context.route((u) => u.search.length > 8000, (r) => r.fulfill({ body: html, contentType: 'text/html' }));
  if (route) await route(context);
  await context.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => {
      window.__wasm = e.detail && e.detail.wasm;
    });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /unreachable|panicked/i.test(m.text())) errors.push(m.text().slice(0, 400));
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message.slice(0, 400)}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(env.base + '/' + query);
  await page.getByTestId(ready).waitFor();
  return { context, page, errors, cdp };
}

/** The page answers (a frame is painted) within RESPONSIVE_MS, and its memory is bounded. */
async function assertHealthy({ page, errors, cdp }, what) {
  const t0 = Date.now();
  await Promise.race([
    page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok()))),
    new Promise((_, no) => setTimeout(() => no(new Error(`${what}: no frame within ${RESPONSIVE_MS} ms`)), RESPONSIVE_MS)),
  ]);
  const ms = Date.now() - t0;
  const wasm = await page.evaluate(() => window.__wasm?.memory?.buffer?.byteLength ?? 0);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  assert.ok(wasm < WASM_BYTES, `${what}: wasm memory ${wasm} bytes`);
  assert.ok(heap < HEAP_BYTES, `${what}: JS heap ${heap} bytes`);
  assert.deepEqual(errors, [], `${what}: no console error, no panic`);
  return { ms, wasm, heap };
}

const noticeItems = (page) => page.getByTestId('notice').locator('li').allTextContents();

// [link, a notice line must start with this]
const LINKS = [
  ['?v=1&n=%F0%9F%92%A3&dim=1e308', 'n:'],
  ['?v=1&m=resource&p=' + 'NaN,'.repeat(3000) + '1', 'p:'],
  ['?v=1&and=99999999999:1-2', 'and:'],
  ['?v=1&sw=1:inf:-inf', 'sw:'],
  ['?v=1&seed=18446744073709551616&steps=0', 'seed:'],
  ['?v=1&preset=fig4&preset=' + 'x'.repeat(5000), 'preset:'],
  ['?v=1&%E2%80%AE=1&' + 'k'.repeat(300) + '=2', '\u202e:'],
];

test('hostile links: a notice names the refused key; the page stays responsive and bounded', async () => {
  for (const [q, start] of LINKS) {
    const p = await openPage(q);
    await p.page.getByTestId('notice').waitFor();
    const items = await noticeItems(p.page);
    assert.ok(items.some((t) => t.startsWith(start)), `${q.slice(0, 60)}: ${JSON.stringify(items).slice(0, 300)}`);
    await assertHealthy(p, q.slice(0, 60));
    await p.context.close();
  }
});

// [fragment, a notice line must contain this, B's label must not contain this]
const VS = [
  ['#vs=bogus%3D1%26opt%3Dsgd', 'bogus: not a key of the vocabulary', 'bogus'],
  ['#vs=n%3Dabc%26lr%3D0.03', 'n:', 'n ='],
  ['#vs=embed%3D1%26' + 'k'.repeat(4000) + '%3D1%26opt%3Dadam', 'embed: not a key', 'embed'],
  ['#vs=' + 'lr%3D0.01%26'.repeat(5000) + 'opt%3Dsgd', 'vs: 5001 differences', 'opt = sgd'],
  ['#vs=%FF%FE%zz%3D%3D%26opt%3Dsgd', ':', '%'],
];

test('#vs= comparisons: refused differences are named in the notice and left out of B’s label', async () => {
  for (const [hash, noted, absent] of VS) {
    const p = await openPage('?v=1&n=4&dim=50&steps=200' + hash);
    await p.page.getByTestId('notice').waitFor();
    const items = await noticeItems(p.page);
    assert.ok(
      items.some((t) => t.startsWith('B (#vs=):') && t.includes(noted)),
      `${hash.slice(0, 60)}: ${JSON.stringify(items).slice(0, 400)}`,
    );
    const heads = await p.page.locator('.side-head').allTextContents();
    for (const h of heads) assert.ok(!h.includes(absent), `${hash.slice(0, 60)}: B's label ${JSON.stringify(h)}`);
    await assertHealthy(p, hash.slice(0, 60));
    await p.context.close();
  }
});

const HOSTILE_CSV = [
  ['empty.csv', ''],
  ['junk.bin', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ['formula.csv', 'run,alpha,steps,loss,learned,n,t_first,t_all,t_skills,error\n0,=1+1,200,@A1,2,2,1,2,1;2,=HYPERLINK("x")\n'],
  [
    'huge.csv',
    'run,dim,steps,loss,learned,n,t_first,t_all,t_skills,error\n' +
      ['1e308', '-1e308', 'NaN', 'inf', '1e-320', '0'].map((d, i) => `${i},${d},200,${d},2,2,1,2,1;2,`).join('\n'),
  ],
  ['ragged.csv', 'run,alpha,steps,loss,error\n0,1,200,0.5\n1,2,200,0.1,,extra\n'],
  [
    'many-series.csv',
    'run,alpha,p1,steps,loss,learned,n,t_first,t_all,t_skills,error\n' +
      Array.from({ length: 3000 }, (_, i) => `${i},${1 + (i % 997) / 7},${(i % 13) / 13},200,${1 / (i + 1)},2,2,1,2,1;2,`).join('\n'),
  ],
  ['long-line.csv', 'run,alpha,steps,loss,error\n0,' + '9'.repeat(2_000_000) + ',200,0.5,\n'],
  ['multibyte.csv', 'run,α,steps,loss,error\n0,💣,200,0.5,é\n1,\u202e,200,0.4,\n'],
];

test('opened CSV files: each is drawn or refused with a status naming the problem', async () => {
  // autoplay=0: a small sweep would start by itself and its status would race the file's
  const p = await openPage('?v=1&sweep=alpha:1,2&autoplay=0', 'sweep-chart');
  for (const [name, body] of HOSTILE_CSV) {
    console.log(`opening ${name}`); // the last one named is the one a hang is in
    const before = await p.page.getByTestId('sweep-status').textContent({ timeout: RESPONSIVE_MS * 3 });
    await p.page.getByTestId('sweep-open').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(body) });
    await p.page.waitForFunction(
      ([b, n]) => {
        const t = document.querySelector('[data-testid=sweep-status]').textContent;
        return t !== b && t.includes(n);
      },
      [before, name],
      { timeout: 10000 },
    );
    const status = await p.page.getByTestId('sweep-status').textContent();
    assert.match(status, new RegExp(`^(Opened ${name.replace('.', '\\.')}: \\d+ runs|${name.replace('.', '\\.')} could not be read)`), status);
    await assertHealthy(p, name);
  }
  await p.context.close();
});

const MESSAGES = [
  { context: 'iframe.resize', height: 1e308 },
  { type: 'done', id: 0, row: '\n'.repeat(1000) },
  { type: 'error', id: -1, message: '<img src=x onerror=alert(1)>' },
  'x'.repeat(1 << 20),
  [1, 2, [3, [4, [5]]]],
  null,
  { type: 'run', id: 1e308, query: 'v=1&n=10000', outputs: '' },
];

test('messages posted to the page are ignored: no error, no change, still responsive', async () => {
  for (const [query, ready] of [
    ['?v=1', 'chart'],
    ['?v=1&sweep=alpha:1,2', 'sweep-chart'],
    ['?v=1&embed=1', 'chart'],
  ]) {
    const p = await openPage(query, ready);
    const link = p.page.url();
    await p.page.evaluate((msgs) => {
      for (let i = 0; i < 200; i++) for (const m of msgs) window.postMessage(m, '*');
    }, MESSAGES);
    await p.page.waitForTimeout(300);
    assert.equal(p.page.url(), link, `${query}: the link did not change`);
    assert.equal(await p.page.getByTestId('notice').count(), 0, `${query}: nothing to notice`);
    await assertHealthy(p, `messages to ${query}`);
    await p.context.close();
  }
});

// A sweep worker that answers every run with a hostile reply (the page's own worker script
// replaced through the browser's routing); the page must go on and say what it got.
const BAD_WORKER = `
const replies = [
  (id) => ({ type: 'done', id, row: '' }),
  (id) => ({ type: 'done', id, row: '1,2\\n3,4,5,6' }),
  (id) => ({ type: 'done', id, row: '9'.repeat(100000) }),
  (id) => ({ type: 'done', id: 1e308, row: 'x,y,z' }),
  (id) => ({ type: 'done', id, row: null, ms: 'NaN' }),
  (id) => ({ type: 'error', id, message: '💣'.repeat(10000) }),
  (id) => ({ type: 'nonsense' }),
  (id) => ({ type: 'done', id, row: '=1+1,@A1,-1+2,,,,,,,' }),
];
let k = 0;
self.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'init') self.postMessage({ type: 'ready' });
  else if (m.type === 'run') self.postMessage(replies[k++ % replies.length](m.id));
};`;

test('hostile worker replies: the sweep finishes or says why, without a panic', async () => {
  const route = (context) =>
    context.route(/sweep-worker\.js$/, (r) => r.fulfill({ body: BAD_WORKER, contentType: 'text/javascript' }));
  const p = await openPage('?v=1&m=resource&steps=20&sweep=alpha:1..3:16', 'sweep-chart', route);
  await p.page.getByTestId('sweep-run').click();
  await p.page.waitForFunction(
    () => {
      const b = document.querySelector('[data-testid=sweep-progress]');
      return Number(b.value) === Number(b.max);
    },
    null,
    { timeout: 30000 },
  );
  const status = await p.page.getByTestId('sweep-status').textContent();
  assert.ok(status.trim().length > 0, 'a status');
  const { ms } = await assertHealthy(p, 'hostile worker replies');
  console.log(`hostile worker replies: status ${JSON.stringify(status)}, frame in ${ms} ms`);
  await p.context.close();
});
