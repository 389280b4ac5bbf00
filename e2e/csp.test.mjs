// The page's Content-Security-Policy (a <meta http-equiv> in index.html; Trunk's loader is the
// external web/start.js, so no inline script needs allowing): the lab playing, the Share dialog and the
// exports, the gallery, the sweep page running a sweep in its Web Workers, and embed mode all
// run with zero `securitypolicyviolation` events and no "Refused to …" console message.
// Run after `trunk build --release`: node --test e2e/csp.test.mjs
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

/** A page at `query` that records CSP violations (the event and the console's report). */
async function watched(query, ready) {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`),
    );
  });
  const page = await context.newPage();
  const refused = [];
  const errors = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text().slice(0, 300));
    else if (m.type() === 'error') errors.push(m.text().slice(0, 300));
  });
  page.on('pageerror', (e) => errors.push(e.message.slice(0, 300)));
  page.on('worker', (w) => w.on('console', (m) => /Refused to|Content Security/i.test(m.text()) && refused.push(`worker: ${m.text()}`)));
  await page.goto(env.base + '/' + query);
  await page.getByTestId(ready).waitFor();
  const check = async (what) => {
    const events = await page.evaluate(() => window.__csp);
    assert.deepEqual(events, [], `${what}: securitypolicyviolation events`);
    assert.deepEqual(refused, [], `${what}: CSP console reports`);
    assert.deepEqual(errors, [], `${what}: console errors`);
  };
  return { context, page, check };
}

test('the built page carries a strict policy', async () => {
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  const m = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  assert.ok(m, 'a CSP meta element');
  const csp = Object.fromEntries(
    m[1]
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([k, ...v]) => [k, v]),
  );
  assert.deepEqual(csp['default-src'], ["'self'"]);
  assert.deepEqual(csp['object-src'], ["'none'"]);
  assert.deepEqual(csp['base-uri'], ["'self'"]);
  assert.ok(!csp['script-src'].includes("'unsafe-inline'") && !csp['script-src'].includes("'unsafe-eval'"), csp['script-src'].join(' '));
  assert.deepEqual(csp['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
  assert.ok(!(csp['style-src'] || []).includes("'unsafe-inline'"), 'no <style> element');
  // style attributes only: plotters measures chart text in a <span style="…"> (README)
  assert.deepEqual(csp['style-src-attr'], ["'unsafe-inline'"]);
  // no inline script at all: Trunk's loader is web/start.js (Trunk.toml pattern_script)
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((x) => x[1]);
  assert.deepEqual(inline, [], 'no inline script');
  // with the live preview's module on it (scripts/build-preview), also loaded from a file
  assert.match(
    html,
    /<script type="module" src="[^"]*start\.js" data-preview-js="[^"]+\.js" data-preview-wasm="[^"]+\.wasm" data-js="[^"]+\.js" data-wasm="[^"]+\.wasm"><\/script>/,
  );
});

test('the lab: playing, the Share dialog, the exports and a comparison violate nothing', async () => {
  const { context, page, check } = await watched('?v=1&preset=fig5', 'chart');
  await page.getByTestId('play').click();
  await page.waitForTimeout(800);
  await page.getByTestId('share-open').click();
  await page.waitForTimeout(200);
  await page.keyboard.press('Escape');
  for (const id of ['export-csv', 'export-json', 'export-svg', 'export-png']) {
    const dl = page.waitForEvent('download', { timeout: 5000 }).catch(() => null);
    await page.getByTestId(id).click();
    await dl;
  }
  await page.goto(env.base + '/?v=1&n=4&dim=50#vs=opt%3Dsgd');
  await page.getByTestId('chart').waitFor();
  await page.waitForTimeout(500);
  await check('lab');
  await context.close();
});

test('the gallery: thumbnails, a panel chosen, a sweep card violate nothing', async () => {
  const { context, page, check } = await watched('?v=1', 'chart');
  await page.getByTestId('to-gallery').click();
  await page.getByTestId('gallery').waitFor();
  await page.evaluate(() => document.getElementById('gallery-title').scrollIntoView());
  await page.waitForTimeout(500);
  await page.getByTestId('fig-link').first().click();
  await page.getByTestId('figure').waitFor();
  await page.waitForTimeout(300);
  await check('gallery');
  await context.close();
});

test('the sweep page: a sweep run in Web Workers, the views and the runs table violate nothing', async () => {
  // autoplay=0: a sweep this small starts by itself on open and could finish before the click,
  // which would then reuse its runs ("All 6 runs were already computed") instead of running them
  const link = 'v=1&vec=unit&loss=ce&n=50&dim=20&batch=64&steps=300&sweep=alpha:1,1.5,2&sweep2=seed:0..1:2&record=100&autoplay=0';
  const { context, page, check } = await watched('?' + link, 'sweep-chart');
  await page.getByTestId('sweep-run').click();
  await page.waitForFunction(() => /^Done/.test(document.querySelector('[data-testid=sweep-status]').textContent), null, {
    timeout: 120000,
  });
  const mode = await page.$eval('[data-testid=sweep-progress-wrap] .hint', (e) => e.textContent);
  assert.match(mode, /Web Workers?$/, `the runs went to workers: ${mode}`);
  for (const v of await page.$$eval('[data-testid=sweep-view] option', (o) => o.map((x) => x.value))) {
    await page.getByTestId('sweep-view').selectOption(v);
    await page.waitForTimeout(100);
  }
  await page.locator('.sweep-table summary').click();
  await page.waitForTimeout(200);
  await check('sweep');
  await context.close();
});

test('embed mode (with and without the controls) violates nothing', async () => {
  for (const q of ['?v=1&preset=fig5&embed=1&autoplay=1', '?v=1&preset=fig4&embed=1&ui=0&theme=dark']) {
    const { context, page, check } = await watched(q, 'chart');
    await page.waitForTimeout(800);
    await check(q);
    await context.close();
  }
});
