// End-to-end tests of the Trunk-built page in headless Chromium (Debian's /usr/bin/chromium).
// Run from the repo root after `trunk build --release`:  node --test e2e/
// (scripts/browser-tests does both). The test serves dist/ itself on 127.0.0.1:<random port>.
// SHOT=path.png sets where the screenshot of the default page goes (default e2e/screenshot.png);
// the Resource model's screenshot goes beside it with a "-resource" suffix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const SHOT = path.resolve(process.env.SHOT || path.join(ROOT, 'e2e', 'screenshot.png'));
const SHOT_RESOURCE = SHOT.replace(/(\.png)?$/, '-resource.png');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

let server;
let base;
let browser;

before(async () => {
  server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(DIST, '.' + rel);
    if (!file.startsWith(DIST + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((ok) => (server ? server.close(ok) : ok()));
});

/** A page object over the lab, collecting console errors and page errors. */
class Lab {
  constructor(page) {
    this.page = page;
    this.errors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
  }

  static async open(query, options = {}) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
    const lab = new Lab(await context.newPage());
    lab.context = context;
    await lab.page.goto(base + query);
    await lab.page.getByTestId('chart').waitFor();
    return lab;
  }

  async close() {
    await this.context.close();
  }

  testid(id) {
    return this.page.getByTestId(id);
  }

  async step() {
    return Number(await this.testid('step').textContent());
  }

  async loss() {
    return await this.testid('loss').textContent();
  }

  async playing() {
    return (await this.testid('play').textContent()).trim() === 'Pause';
  }

  async pause() {
    if (await this.playing()) await this.testid('play').click();
    assert.equal(await this.playing(), false);
  }

  async waitStepAbove(n, timeout = 10000) {
    await this.page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=step]')?.textContent) > n,
      n,
      { timeout },
    );
  }

  /** Pixels that differ clearly from the corner pixel (the chart background), and sizes. */
  async canvasInk(testid) {
    return await this.testid(testid).evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const [r, g, b] = [d[0], d[1], d[2]];
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) > 60) ink++;
      }
      return { ink, width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight };
    });
  }

  assertNoErrors() {
    assert.deepEqual(this.errors, [], 'no console errors or page errors');
  }
}

test('default page: plays, pauses, steps, resets to the same numbers', async (t) => {
  const lab = await Lab.open('/');
  // The untouched page plays by itself (no reduced-motion preference here).
  await lab.waitStepAbove(50);
  assert.equal(await lab.testid('tile').count(), 10, 'one domino per skill');
  assert.equal(await lab.testid('dominoes').count(), 1);
  assert.equal(await lab.page.locator('#loading').count(), 0, 'loading skeleton removed');
  assert.equal(await lab.page.locator('#model').inputValue(), 'geometry');
  await lab.page.screenshot({ path: SHOT, fullPage: true });
  t.diagnostic(`screenshot (mid-run, step ${await lab.step()}): ${SHOT}`);

  const chart = await lab.canvasInk('chart');
  assert.ok(chart.ink > 3000, `chart drawn: ${JSON.stringify(chart)}`);
  assert.ok((await lab.canvasInk('losschart')).ink > 1000, 'loss chart drawn');

  // Pause stops the step readout.
  await lab.pause();
  const paused = await lab.step();
  await lab.page.waitForTimeout(400);
  assert.equal(await lab.step(), paused, 'paused: no more steps');

  // Play advances it again.
  await lab.testid('play').click();
  await lab.waitStepAbove(paused);
  await lab.pause();

  // Reset: step 0; three single steps give the same numbers twice.
  await lab.testid('reset').click();
  assert.equal(await lab.step(), 0);
  const loss0 = await lab.loss();
  for (let i = 0; i < 3; i++) await lab.testid('stepbtn').click();
  assert.equal(await lab.step(), 3);
  const loss3 = await lab.loss();
  assert.notEqual(loss3, loss0);
  await lab.testid('reset').click();
  assert.equal(await lab.step(), 0);
  assert.equal(await lab.loss(), loss0, 'reset gives the same initial loss');
  for (let i = 0; i < 3; i++) await lab.testid('stepbtn').click();
  assert.equal(await lab.loss(), loss3, 'and the same loss after three steps');

  // Dominoes stand at step 3 and some fall by the end; run to the end at full speed.
  await lab.testid('speed').fill('12');
  await lab.testid('play').click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=play]').textContent.trim() === 'Play', null, {
    timeout: 20000,
  });
  assert.equal(await lab.step(), 1000, 'ran to the last step');
  const summary = await lab.testid('summary').textContent();
  assert.match(summary, /finished at \d+|started at step \d+/, summary);
  const fallen = await lab.page.$$eval('.tile', (ts) => ts.filter((t) => /rotate\((8\d|90)\./.test(t.style.transform)).length);
  assert.ok(fallen >= 1, `some dominoes lie (nearly) flat at the end: ${fallen}`);
  t.diagnostic(`perf: ${await lab.testid('perf').textContent()}`);
  lab.assertNoErrors();
  await lab.close();
});

test('keyboard: Space plays and pauses, ArrowRight steps, R resets', async () => {
  const lab = await Lab.open('/?v=1&m=domino');
  await lab.waitStepAbove(0);
  await lab.page.locator('h1').click();
  await lab.page.keyboard.press('Space');
  assert.equal(await lab.playing(), false);
  await lab.page.keyboard.press('r');
  assert.equal(await lab.step(), 0);
  await lab.page.keyboard.press('ArrowRight');
  await lab.page.keyboard.press('ArrowRight');
  assert.equal(await lab.step(), 2);
  await lab.page.keyboard.press('Space');
  assert.equal(await lab.playing(), true);
  await lab.waitStepAbove(2);
  lab.assertNoErrors();
  await lab.close();
});

test('resource model link, model switch rewrites the link', async (t) => {
  const lab = await Lab.open('/?v=1&m=resource');
  assert.equal(await lab.page.locator('#model').inputValue(), 'resource');
  await lab.waitStepAbove(300);
  await lab.page.screenshot({ path: SHOT_RESOURCE, fullPage: true });
  t.diagnostic(`screenshot (resource, step ${await lab.step()}): ${SHOT_RESOURCE}`);
  assert.ok((await lab.canvasInk('chart')).ink > 3000, 'chart drawn');
  assert.equal(await lab.testid('tile').count(), 10);

  // Switch to the Domino model: its defaults, same seed, and the link says so.
  await lab.page.locator('#model').selectOption('domino');
  assert.equal(new URL(lab.page.url()).search, '?v=1&m=domino');
  await lab.waitStepAbove(10);
  await lab.page.locator('#model').selectOption('geometry');
  assert.equal(new URL(lab.page.url()).search, '?v=1');
  lab.assertNoErrors();
  await lab.close();
});

test('a bad link names each bad key in one dismissible notice', async () => {
  const lab = await Lab.open('/?n=abc&m=nope&zzz=1');
  const notice = lab.testid('notice');
  await notice.waitFor();
  const items = await notice.locator('li').allTextContents();
  assert.equal(items.length, 3, items.join(' | '));
  assert.ok(items.some((t) => t.startsWith('n: ') && t.includes('abc')), items.join(' | '));
  assert.ok(items.some((t) => t.startsWith('m: ') && t.includes('nope')), items.join(' | '));
  assert.ok(items.some((t) => t.startsWith('zzz')), items.join(' | '));
  // Defaults were used: the Geometry model with 10 skills runs.
  assert.equal(await lab.page.locator('#model').inputValue(), 'geometry');
  assert.equal(await lab.testid('tile').count(), 10);
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await lab.testid('notice').count(), 0);
  lab.assertNoErrors();
  await lab.close();
});

test('HiDPI: the canvas backing store is scaled by devicePixelRatio', async () => {
  const lab = await Lab.open('/?v=1&m=parallel', { deviceScaleFactor: 2, viewport: { width: 400, height: 800 } });
  await lab.waitStepAbove(5);
  const c = await lab.canvasInk('chart');
  assert.equal(c.width, Math.round(c.cssWidth * 2), JSON.stringify(c));
  assert.equal(c.height, Math.round(c.cssHeight * 2), JSON.stringify(c));
  assert.ok(c.ink > 3000);
  // Phone layout: touch targets of at least 44 px.
  const h = await lab.testid('play').evaluate((b) => b.getBoundingClientRect().height);
  assert.ok(h >= 44, `play button is ${h}px tall`);
  lab.assertNoErrors();
  await lab.close();
});

test('many skills: the domino row becomes a heat strip', async () => {
  const lab = await Lab.open('/?v=1&m=domino&n=100');
  await lab.waitStepAbove(5);
  assert.equal(await lab.testid('tile').count(), 0);
  const strip = lab.page.locator('[data-testid=dominoes] canvas');
  assert.equal(await strip.count(), 1);
  lab.assertNoErrors();
  await lab.close();
});
