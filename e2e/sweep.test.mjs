// Issue 6 in the page: a sweep link runs its grid across Web Workers with a progress bar,
// the chart fills in as runs finish, the CSV equals the CLI's byte for byte, Cancel keeps the
// finished runs (and Run again reuses them), a merged CSV opens and is drawn with its
// exponents, and Fig. 19's `runs=K` link becomes the t1–t2 scatter.
// Run after `trunk build --release` and `cargo build --bin skills`: node --test e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { start, ROOT } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const bin = () => {
  const b = ['debug', 'release'].map((p) => path.join(ROOT, 'target', p, 'skills')).find(existsSync);
  assert.ok(b, 'the CLI is built (cargo build --bin skills)');
  return b;
};

// `skills sweep` writes each row as its run finishes; `skills merge` puts them in run order
const sweepCli = (link) => {
  const out = execFileSync(bin(), ['sweep', link], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const tmp = path.join(ROOT, 'target', `e2e-sweep-${process.pid}.csv`);
  writeFileSync(tmp, out);
  return execFileSync(bin(), ['merge', tmp], { encoding: 'utf8' });
};

const progress = (lab) =>
  lab.page.$eval('[data-testid=sweep-progress]', (p) => [Number(p.value), Number(p.max)]);

const SMALL = 'v=1&vec=unit&loss=ce&n=200&dim=50&batch=256&steps=20000&sweep=alpha:1,1.5,2&sweep2=seed:0..1:2';

test('a small sweep runs in workers: the bar advances, the chart fills, the CSV is the CLI’s', async () => {
  // autoplay=0: this test starts the sweep itself (a small sweep starts by itself otherwise)
  const lab = await env.open('/?' + SMALL + '&autoplay=0', {}, 'sweep-chart');
  assert.match(await lab.testid('sweep-size').textContent(), /^6 runs: alpha \(3 values\) × seed \(2 values\)/);
  const before = await lab.canvasInk('sweep-chart');
  await lab.testid('sweep-run').click();
  // the bar is seen part-way (some runs done, not all), then full
  const seen = new Set();
  const t0 = Date.now();
  for (;;) {
    const [v, max] = await progress(lab);
    assert.equal(max, 6);
    seen.add(v);
    if (v === 6) break;
    assert.ok(Date.now() - t0 < 120000, `sweep finished in time (progress ${v}/6)`);
    await lab.page.waitForTimeout(30);
  }
  assert.ok([...seen].some((v) => v > 0 && v < 6), `progress seen part-way: ${[...seen]}`);
  assert.match(await lab.testid('sweep-status').textContent(), /^Done: 6 runs in/);
  assert.match(await lab.testid('sweep-count').textContent(), /^6 \/ 6 runs/);
  // the runs went to Web Workers, one per core the browser reports
  const mode = await lab.page.$eval('[data-testid=sweep-progress-wrap] .hint', (e) => e.textContent);
  assert.match(mode, /Web Workers?$/, mode);
  const after = await lab.canvasInk('sweep-chart');
  assert.ok(after.ink > before.ink + 300, `chart drawn (${before.ink} → ${after.ink} inked pixels)`);
  // hovering a dot reads its values
  const box = await lab.testid('sweep-chart').boundingBox();
  let readout = '';
  scan: for (let fy = 0.05; fy < 0.95; fy += 0.03) {
    for (let fx = 0.05; fx < 0.95; fx += 0.03) {
      await lab.page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
      readout = await lab.testid('sweep-readout').textContent();
      if (/alpha = /.test(readout)) break scan;
    }
  }
  assert.match(readout, /^final loss: alpha = (1|1\.5|2), final loss = 0\.\d+$/);
  // the CSV download equals `skills sweep` on the same link, byte for byte
  const [dl] = await Promise.all([lab.page.waitForEvent('download'), lab.testid('sweep-csv').click()]);
  const csv = readFileSync(await dl.path(), 'utf8');
  const cli = sweepCli(SMALL);
  assert.equal(csv, cli);
  // the address is the sweep link (with the page-only key it was opened with), so it can be shared
  assert.equal(decodeURIComponent(new URL(lab.page.url()).search.slice(1)), SMALL + '&autoplay=0');
  lab.assertNoErrors();
  await lab.close();
});

test('Cancel stops a sweep mid-way and keeps its finished runs; Run again reuses them', async () => {
  const link = 'v=1&vec=unit&loss=ce&n=200&dim=50&batch=256&steps=20000&sweep=seed:0..39:40';
  const lab = await env.open('/?' + link, {}, 'sweep-chart');
  await lab.testid('sweep-run').click();
  await lab.page.waitForFunction(() => Number(document.querySelector('[data-testid=sweep-progress]').value) >= 2, null, {
    timeout: 60000,
  });
  await lab.testid('sweep-cancel').click();
  const [kept, max] = await progress(lab);
  assert.equal(max, 40);
  assert.ok(kept >= 2 && kept < 40, `kept ${kept}`);
  assert.match(await lab.testid('sweep-status').textContent(), /^Cancelled: \d+ of 40 runs finished and kept/);
  assert.equal(await lab.testid('sweep-cancel').isDisabled(), true);
  // nothing runs any more: the count stays
  await lab.page.waitForTimeout(1500);
  assert.equal((await progress(lab))[0], kept);
  // the finished runs are drawn and listed
  const rows = await lab.page.$$eval('[data-testid=sweep-rows] tbody tr', (r) => r.length);
  assert.equal(rows, kept);
  // a change that adds grid points keeps the finished ones: only the new runs are computed
  await lab.testid('sweep-link').fill(link.replace('seed:0..39:40', `seed:0..${kept}:${kept + 1}`));
  await lab.testid('sweep-run').click();
  await lab.page.waitForFunction(
    (n) => document.querySelector('[data-testid=sweep-status]').textContent.startsWith(`Done: ${n} runs`),
    kept + 1,
    { timeout: 60000 },
  );
  // only the one new grid point ran: the kept ones were reused
  assert.match(await lab.testid('sweep-status').textContent(), new RegExp(`, ${kept} of them reused from earlier sweeps\\.$`));
  lab.assertNoErrors();
  await lab.close();
});

test('a merged CSV opens and is drawn, with the same exponents as `skills exponents`', async () => {
  const link = 'v=1&vec=unit&loss=ce&n=100&batch=128&steps=400&sweep=alpha:1,2&sweep2=dim:20,60&sweep3=seed:0..1:2';
  const csv = sweepCli(link);
  const lab = await env.open('/?v=1&sweep=alpha:1,2', {}, 'sweep-chart');
  await lab.testid('sweep-open').setInputFiles({ name: 'merged.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=sweep-status]').textContent.startsWith('Opened'));
  assert.match(await lab.testid('sweep-status').textContent(), /^Opened merged\.csv: 8 runs over alpha, dim, seed\./);
  const views = await lab.page.$$eval('[data-testid=sweep-view] option', (o) => o.map((x) => x.value));
  assert.deepEqual(views, ['loss', 'exponents', 'tall']);
  assert.ok((await lab.canvasInk('sweep-chart')).ink > 1000, 'loss vs N drawn');
  assert.ok((await lab.canvasInk('sweep-exponents-chart')).ink > 1000, 'exponents drawn');
  // α_N per α as the CLI computes it from the same file
  const text = await lab.testid('sweep-exponents').textContent();
  const tmp = path.join(ROOT, 'target', 'e2e-merged.csv');
  execFileSync('sh', ['-c', `cat > ${tmp}`], { input: csv });
  const cli = execFileSync(bin(), ['exponents', '--x', 'dim', '--at', '20,60', tmp], { encoding: 'utf8' });
  for (const line of cli.trim().split('\n').slice(1)) {
    const [alpha, e] = line.split(',');
    assert.ok(text.includes(`α = ${alpha}: ${Number(e).toFixed(2)}`), `α=${alpha} α_N=${e} in ${text}`);
  }
  // a file that is not a sweep CSV is named, and the chart stays
  await lab.testid('sweep-open').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('step,loss\n0,1\n') });
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=sweep-status]').textContent.startsWith('bad.csv'));
  assert.match(await lab.testid('sweep-status').textContent(), /bad\.csv could not be read: not a sweep CSV/);
  lab.assertNoErrors();
  await lab.close();
});

test('Fig. 19: runs=K opens the t1–t2 scatter over K seeds', async () => {
  const lab = await env.open('/?v=1&preset=fig19&runs=4&steps=150&samples=200&autoplay=0', {}, 'sweep-chart');
  assert.match(await lab.testid('sweep-link').inputValue(), /sweep=seed:0\.\.3:4$/);
  await lab.testid('sweep-run').click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=sweep-status]').textContent.startsWith('Done'), null, {
    timeout: 120000,
  });
  assert.equal(await lab.testid('sweep-view').inputValue(), 'scatter');
  lab.assertNoErrors();
  await lab.close();
});

test('a bad sweep link names its problem and runs nothing', async () => {
  const lab = await env.open('/?v=1&sweep=lr:-1,0.1', {}, 'sweep-chart');
  assert.match(await lab.testid('sweep-problems').textContent(), /lr=-1: -1 is outside 0 … 10/);
  assert.equal(await lab.testid('sweep-run').isDisabled(), true);
  lab.assertNoErrors();
  await lab.close();
});

test('a sweep embeds: no page chrome, a bar linking to the full app, the sweep still runs', async () => {
  const lab = await env.open('/?v=1&preset=fig7n0&embed=1', {}, 'sweep-chart');
  assert.equal(await lab.page.locator('header.top').isVisible(), false);
  assert.equal(await lab.testid('sweep-link').isVisible(), false);
  assert.match(await lab.testid('embed-title').textContent(), /Fig\. 7 \(bottom\): sweep/);
  const href = await lab.testid('open-full').getAttribute('href');
  assert.ok(href.endsWith('?v=1&preset=fig7n0'), href);
  await lab.testid('sweep-run').click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=sweep-status]').textContent.startsWith('Done'));
  assert.equal(await lab.testid('sweep-view').inputValue(), 'n0');
  assert.ok((await lab.canvasInk('sweep-chart')).ink > 1000, 'best N0 vs σ drawn');
  lab.assertNoErrors();
  await lab.close();
});

test('in a frame sandboxed with allow-scripts only (no workers there), the sweep runs on the page and gives the same CSV', async () => {
  const link = 'v=1&preset=fig7n0&embed=1';
  const host = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head>
<body><iframe id="f" title="sweep" src="${env.base}/?${link}" width="900" height="900" sandbox="allow-scripts"></iframe></body></html>`);
  });
  await new Promise((ok) => host.listen(0, '127.0.0.1', ok));
  const context = await env.browser.newContext({ viewport: { width: 1000, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`http://127.0.0.1:${host.address().port}/`);
    const frame = page.frameLocator('#f');
    await frame.getByTestId('sweep-chart').waitFor();
    await frame.getByTestId('sweep-run').click();
    await frame.locator('[data-testid=sweep-status]:text-matches("^Done")').waitFor({ timeout: 60000 });
    const mode = await frame.locator('[data-testid=sweep-progress-wrap] .hint').textContent();
    assert.match(mode, /^in the page/, mode);
    // the same rows as the CLI (the CSV text is what Download CSV hands out)
    const rows = await frame.locator('[data-testid=sweep-rows] tbody tr').count();
    assert.equal(rows, 10);
    const n0s = await frame.locator('[data-testid=sweep-rows] tbody tr').evaluateAll((trs) =>
      trs.map((tr) => tr.children[tr.children.length - 4].textContent),
    );
    const cli = sweepCli('v=1&preset=fig7n0')
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => l.split(',').at(-2));
    assert.deepEqual(n0s, cli);
  } finally {
    await context.close();
    host.close();
  }
  assert.deepEqual(errors, []);
});

test('the lab links a figure to its sweeps, and the sweep page back to the lab', async () => {
  const lab = await env.open('/?v=1&preset=fig4');
  const a = lab.testid('figure-sweeps').locator('a').first();
  assert.equal(await a.getAttribute('href'), '?v=1&preset=fig4r');
  await a.click();
  await lab.testid('sweep-page').waitFor();
  assert.equal(await lab.testid('sweep-preset').inputValue(), 'fig4r');
  await lab.testid('to-lab').click();
  await lab.testid('chart').waitFor();
  lab.assertNoErrors();
  await lab.close();
});

test('a small sweep starts by itself; a long one says its estimate and waits (issue 14)', async () => {
  // (fig10s, the first small one, is precomputed now: e2e/grids.test.mjs; fig7n0 is not)
  const lab = await env.open('/?v=1&preset=fig7n0', {}, 'sweep-chart');
  const h0 = await lab.page.evaluate(() => history.length);
  await lab.page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid=sweep-status]').textContent), null, {
    timeout: 60000,
  });
  assert.deepEqual(await progress(lab), [10, 10]);
  assert.equal(await lab.page.evaluate(() => history.length), h0, 'starting on open adds no history entry');
  lab.assertNoErrors();
  await lab.close();
  const long = await env.open('/?v=1&preset=fig10n-small', {}, 'sweep-chart');
  assert.match(await long.testid('sweep-status').textContent(), /^Not started: estimated ≈ [\d.]+ (h|min)\b.* in this tab/);
  assert.deepEqual(await progress(long), [0, 1]);
  long.assertNoErrors();
  await long.close();
});
