// The first load (README "First load"): the figure drawn at build time is on screen before
// the WebAssembly lab, for the default page and for figure embeds, with little fetched before
// it; under Lighthouse's mobile profile (e2e/firstload.mjs). The times are measured and
// printed here, and kept in BENCHMARKS.md by `node e2e/firstload.mjs` (median of 3); what
// this file asserts is what does not depend on the machine's speed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { start, ROOT } from './harness.mjs';
import { measure } from './firstload.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

/** Open `query` with the wasm blocked (the lab never starts): what the first screen shows. */
async function firstScreen(query, viewport = { width: 390, height: 844 }) {
  const context = await env.browser.newContext({ viewport });
  const page = await context.newPage();
  await page.route('**/*.wasm', (r) => r.abort());
  await page.goto(env.base + query);
  return { context, page };
}

test('the drawn figure is the first chart, with at most 300 KB fetched before it (mobile profile)', async () => {
  for (const q of ['/', '/?v=1&preset=fig5&alpha=2&n=10&embed=1']) {
    const m = await measure(env, q);
    console.log(`# ${q}: drawn figure ${m.figure} ms, live chart ${m.live} ms, ${(m.bytesFirst / 1024).toFixed(1)} KB before the first chart`);
    assert.ok(m.figure != null, `${q}: a drawn figure was shown`);
    assert.ok(m.figure < m.live, `${q}: the drawn figure (${m.figure} ms) came before the live chart (${m.live} ms)`);
    assert.ok(m.bytesFirst <= 300 * 1024, `${q}: ${m.bytesFirst} bytes before the first chart`);
    assert.ok(!m.files.some((f) => f.endsWith('.wasm')), `${q}: the wasm is not needed for the first chart: ${m.files}`);
  }
});

test('every preset panel drawn at build time is found by the page (web/first.js names it as src/predraw.rs does)', async () => {
  const skills = path.join(ROOT, 'target', 'debug', 'skills');
  const links = execFileSync(skills, ['presets'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.match(/(v=1&preset=\S+)/)?.[1])
    .filter(Boolean);
  const files = new Set(readdirSync(path.join(ROOT, 'dist', 'first')));
  assert.ok(files.has('default.svg'));
  // the page finds the figure of every drawn panel, also with page keys and in another order
  // of the page keys; a panel of a real network has none and keeps the skeleton
  const tried = [];
  for (const l of links.filter((_, i) => i % 9 === 0)) {
    const q = `/?${l}&embed=1&theme=light`;
    const { context, page } = await firstScreen(q);
    const drawn = await page
      .waitForSelector('#first-figure.drawn img', { timeout: 5000 })
      .then(() => true)
      .catch(() => false);
    const src = drawn ? await page.locator('#first-figure img').getAttribute('src') : null;
    await context.close();
    const name = src && decodeURIComponent(src.split('/first/')[1]);
    if (drawn) assert.ok(files.has(name), `${q} → ${name}`);
    tried.push([l, drawn]);
  }
  const nets = /preset=(fig2|fig2c|fig13|fig13s|fig16i|fig19)(&|$)/;
  for (const [l, drawn] of tried) {
    const runs = /runs=/.test(l);
    assert.equal(drawn, !nets.test(l) && !runs, `${l}: drawn figure ${drawn}`);
  }
  assert.ok(tried.filter(([, d]) => d).length >= 5, JSON.stringify(tried));
});

test('an address without a drawn figure keeps the skeleton; a crafted one fetches nothing odd', async () => {
  for (const q of ['/?v=1&n=7', '/?v=1&preset=..%2F..%2Findex', '/?x=<svg>']) {
    const { context, page } = await firstScreen(q);
    const asked = [];
    page.on('request', (r) => asked.push(r.url()));
    await page.waitForTimeout(800);
    assert.equal(await page.locator('#first-figure.drawn').count(), 0, q);
    assert.equal(await page.locator('#first-figure .sk-chart').count(), 1, q);
    assert.ok(!asked.some((u) => /first\/.*\.svg/.test(u) && !/first\/[A-Za-z0-9.,_-]+\.svg$/.test(u)), asked.join(' '));
    await context.close();
  }
});

test('the drawn figure follows the theme, and the lab replaces it', async () => {
  const { context, page } = await firstScreen('/?v=1&theme=dark');
  await page.waitForSelector('#first-figure.drawn img');
  assert.equal(await page.locator('#first-figure img').getAttribute('class'), 'dark');
  // the loading block's own colours follow it too (the system here is light)
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = bg.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 200, `the loading block's background is dark: ${bg}`);
  await context.close();
  const lab = await env.open('/?v=1&autoplay=0');
  assert.equal(await lab.page.locator('#loading').count(), 0, 'the loading block is gone');
  assert.ok((await lab.canvasInk('chart')).ink > 100);
  lab.assertNoErrors();
  await lab.close();
});

test('a second visit loads the lab from the service worker: offline it still starts', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(env.base + '/?v=1&autoplay=0');
  await page.getByTestId('chart').waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  // the first visit's files reach the cache once the worker controls the page: one reload online
  await page.reload();
  await page.getByTestId('chart').waitFor();
  const fetched = [];
  page.on('requestfinished', async (r) => {
    const res = await r.response();
    if (res && !res.fromServiceWorker()) fetched.push(r.url());
  });
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('chart').waitFor({ timeout: 15000 });
  await page.waitForFunction(() => document.querySelector('[data-testid=chart]')?.width > 0);
  assert.deepEqual(fetched.filter((u) => /\.(wasm|js)$/.test(u)), [], 'nothing of the lab came from the network');
  await context.close();
});

// Trunk's content hash in a file name is a 64-bit number in hex without leading zeros: up to
// 16 digits (15 for one build in 16), hence [0-9a-f]{1,16} here and in web/sw.js.

/** Open `query` with the lab's wasm blocked (the lab never starts), the live preview's allowed. */
async function previewOnly(viewport = { width: 390, height: 844 }) {
  const context = await env.browser.newContext({ viewport });
  const page = await context.newPage();
  await page.route(/skill-dominoes-[0-9a-f]{1,16}_bg\.wasm$/, (r) => r.abort());
  return { context, page };
}

/** Watch `page` for the live preview's module being asked for. */
function previewRequests(page) {
  const asked = [];
  page.on('request', (r) => {
    if (/\/preview-[0-9a-f]{1,16}(_bg\.wasm|\.js)$/.test(r.url())) asked.push(r.url());
  });
  return asked;
}

test('the live preview runs the address in the loading block before the lab arrives, and the lab goes on from its step', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // the lab's wasm is held back until the preview has gone past step 300 of 1000
  let release;
  const held = new Promise((r) => (release = r));
  await page.route(/skill-dominoes-[0-9a-f]{1,16}_bg\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  const asked = previewRequests(page);
  await page.goto(env.base + '/');
  await page.waitForFunction(() => Number(document.getElementById('live-preview')?.getAttribute('data-step')) > 300, null, { timeout: 30000 });
  assert.equal(await page.locator('[data-testid=chart]').count(), 0, 'the lab is not up yet');
  assert.equal(asked.length, 2, `the preview's module and wasm: ${asked}`);
  // the preview's canvas has the chart in it
  const ink = await page.evaluate(() => {
    const c = document.getElementById('live-preview');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4 * 13) if (d[i] < 200) n++;
    return n;
  });
  assert.ok(ink > 100, `ink ${ink}`);
  release();
  await page.getByTestId('chart').waitFor({ timeout: 30000 });
  // the lab took over at the preview's step: it did not start the run again
  const step = Number(await page.getByTestId('step').textContent());
  assert.ok(step > 300, `the lab shows step ${step}`);
  assert.equal(await page.locator('#live-preview').count(), 0, 'the preview went with the loading block');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the preview is a small module: at most 260 KB gzipped, under a third of the lab', () => {
  const dist = path.join(ROOT, 'dist');
  const gz = (re) => {
    const f = readdirSync(dist).find((n) => re.test(n));
    assert.ok(f, `${re} in dist/`);
    return gzipSync(readFileSync(path.join(dist, f))).length;
  };
  const preview = gz(/^preview-[0-9a-f]{1,16}_bg\.wasm$/);
  const lab = gz(/^skill-dominoes-[0-9a-f]{1,16}_bg\.wasm$/);
  console.log(`# preview ${(preview / 1024).toFixed(1)} KB, lab ${(lab / 1024).toFixed(1)} KB gzipped`);
  assert.ok(preview <= 260 * 1024, `${preview} bytes`);
  assert.ok(preview * 3 < lab, `${preview} vs ${lab}`);
});

test('an embed without autoplay gets its run computed ahead in the preview, as the lab draws it', async () => {
  const { context, page } = await previewOnly();
  await page.goto(env.base + '/?v=1&preset=fig5&alpha=2&n=10&embed=1');
  // computed in slices for at most 1.5 s, as the lab does (src/ui/embed.rs), never played: on
  // a quiet machine the whole run (3000 steps); here past the first slices
  await page.waitForFunction(() => Number(document.getElementById('live-preview')?.getAttribute('data-step')) >= 1000, null, { timeout: 30000 });
  await context.close();
});

test('no preview where its run could differ from the lab\'s: real networks, sweeps, comparisons, a page that does not play', async () => {
  for (const [q, fetches] of [
    ['/?v=1&preset=fig2', false],
    ['/?v=1&preset=fig10n-small', false],
    ['/?v=1#vs=opt%3Dsgd', true],
    ['/?v=1&autoplay=0', true],
    ['/?v=1&n=abc', false],
  ]) {
    const { context, page } = await previewOnly();
    const asked = previewRequests(page);
    await page.goto(env.base + q);
    await page.waitForTimeout(q.includes('#') || q.includes('autoplay') ? 2500 : 1500);
    assert.equal(await page.locator('#live-preview').count(), 0, `${q}: no preview canvas`);
    if (!fetches) assert.deepEqual(asked, [], `${q}: the preview's module is not even fetched`);
    await context.close();
  }
});
