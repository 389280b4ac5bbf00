// Share, embed, export (issue 4): every paper figure as a preset link, the gallery and its
// history, Cite, the four exports (file contents checked; the CSV against the CLI), the Share
// dialog, a table of hostile links, and embed mode inside a real iframe on a host page.
// Run after `trunk build --release`: node --test e2e/ (scripts/browser-tests does both).
// The CLI comparisons build and run target/release/skills (cargo build --release --bin skills).
// SHOTS=dir writes shot-gallery.png, shot-share.png, shot-embed.png there (default e2e/,
// where *.png is ignored by git).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { start, ROOT } from './harness.mjs';

const SHOTS = path.resolve(process.env.SHOTS || path.join(ROOT, 'e2e'));
const TARGET = path.resolve(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'));
const DIST = path.resolve(process.env.DIST || path.join(ROOT, 'dist'));

let env;
/** The CLI: `skills <args…>` → stdout. */
let skills;

before(async () => {
  execFileSync('cargo', ['build', '--release', '--quiet', '--bin', 'skills'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 20 * 60 * 1000,
  });
  const bin = path.join(TARGET, 'release', 'skills');
  skills = (...args) => execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  env = await start();
});

after(async () => {
  await env?.stop();
});

/** The presets as the CLI lists them: id, "figure title" and the links of the panels. */
function cliPresets() {
  const presets = [];
  for (const line of skills('presets').split('\n')) {
    // the sweep presets after it run in the CLI only (`skills sweep`)
    if (line.startsWith('Sweeps')) break;
    if (!line.trim()) continue;
    if (!line.startsWith(' ')) {
      presets.push({ id: line.slice(0, 9).trim(), text: line.slice(10).trim(), panels: [] });
    } else {
      presets.at(-1).panels.push(line.trim().split(/\s+/).at(-1));
    }
  }
  return presets;
}

/** Click `testid` and return the download's file name and bytes. */
async function download(lab, testid) {
  const [dl] = await Promise.all([lab.page.waitForEvent('download'), lab.testid(testid).click()]);
  const bytes = await readFile(await dl.path());
  return { name: dl.suggestedFilename(), bytes, text: bytes.toString('utf8') };
}

async function runToEnd(lab, timeout = 60000) {
  await lab.pause();
  await lab.testid('speed').fill('12');
  await lab.testid('play').click();
  await lab.waitStopped(timeout);
}

test('every preset link loads, draws, runs and shows its figure number and caption', async () => {
  const presets = cliPresets();
  assert.ok(presets.length >= 15, `presets: ${presets.length}`);
  for (const p of presets) {
    const lab = await env.open(`/?v=1&preset=${p.id}`);
    await lab.testid('figure').waitFor();
    const fig = (await lab.testid('figure-num').textContent()).trim();
    const title = (await lab.testid('figure-title').textContent()).trim();
    const caption = (await lab.testid('caption').textContent()).trim();
    assert.equal(`${fig} ${title}`.replace(/\s+/g, ' '), p.text.replace(/\s+/g, ' '), `${p.id}: the CLI's figure and title`);
    assert.ok(caption.length > 60, `${p.id}: a caption`);
    assert.equal(await lab.testid('notice').count(), 0, `${p.id}: a preset link has no problems`);
    await lab.waitStepAbove(0, 30000);
    const ink = await lab.canvasInk('chart');
    assert.ok(ink.ink > 800, `${p.id}: chart drawn ${JSON.stringify(ink)}`);
    lab.assertNoErrors();
    await lab.close();
  }
});

test('gallery: every panel of the CLI, chosen by a click that pushes a history entry; back and forward restore', async () => {
  const presets = cliPresets();
  const lab = await env.open('/?v=1&m=resource&n=3');
  const gallery = lab.testid('gallery');
  // Thumbnails are computed as their cards scroll into view (the real networks have none).
  await lab.page.evaluate(() => document.getElementById('gallery-title').scrollIntoView());
  for (let i = 0; i < 12; i++) {
    await lab.page.mouse.wheel(0, 400);
    await lab.page.waitForTimeout(150);
  }
  await lab.page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid=fig-thumb]')].every((t) => t.querySelectorAll('svg polyline').length > 0),
    null,
    { timeout: 30000 },
  );
  assert.ok((await lab.testid('fig-thumb').count()) >= 14, 'a thumbnail for every toy-model figure');
  await gallery.screenshot({ path: path.join(SHOTS, 'shot-gallery.png') });
  assert.equal(await lab.testid('figure').count(), 0, 'no figure box without a preset');
  const hrefs = await lab.page.$$eval('[data-testid=panel-link]', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, presets.flatMap((p) => p.panels.map((l) => `?${l}`)), 'one link per panel, as the CLI lists them');
  assert.equal(await lab.testid('fig-card').count(), presets.length);

  // Every panel, clicked: the address is the panel's link, the figure box names its figure.
  const len0 = await lab.page.evaluate(() => history.length);
  let clicks = 0;
  for (const p of presets) {
    const figure = (await lab.page.locator(`[data-testid=fig-card][data-preset=${p.id}] .fig-card-num`).textContent()).trim();
    assert.ok(p.text.startsWith(figure), `${p.id}: ${figure}`);
    for (const l of p.panels) {
      // `runs=K` panels (Fig. 19's scatter) open the sweep page: checked below
      if (/(^|&)runs=/.test(l)) continue;
      const link = lab.page.locator(`[data-testid=panel-link][href="?${l}"]`);
      await link.click();
      clicks++;
      await lab.page.waitForFunction((q) => location.search === q, `?${l}`);
      await lab.page.waitForFunction(
        (f) => document.querySelector('[data-testid=figure-num]')?.textContent.trim() === f,
        figure,
      );
      assert.equal(await link.getAttribute('aria-current'), 'page', `${l} is marked as shown`);
      assert.equal(await lab.testid('notice').count(), 0);
      assert.ok((await lab.canvasInk('chart')).ink > 800, `${l}: drawn`);
    }
  }
  // (Chromium keeps at most 50 entries per tab)
  assert.equal(await lab.page.evaluate(() => history.length), Math.min(len0 + clicks, 50), 'one history entry per choice');

  // A scatter panel (runs=100) is a full navigation to the sweep page over 100 seeds.
  const scatter = lab.page.locator('[data-testid=panel-link][href="?v=1&preset=fig19&runs=100"]');
  await scatter.click();
  await lab.testid('sweep-page').waitFor();
  assert.match(await lab.testid('sweep-link').inputValue(), /^v=1&preset=fig19&sweep=seed:0\.\.99:100$/);
  assert.match(await lab.testid('sweep-size').textContent(), /^100 runs: seed \(100 values\)/);
  await lab.page.goBack();
  await lab.testid('gallery').waitFor();

  // Back and forward through three choices.
  const fig4 = lab.page.locator('[data-testid=panel-link][href="?v=1&preset=fig4&opt=sgd&p1=0.5"]');
  await fig4.click();
  await lab.page.waitForFunction(() => location.search === '?v=1&preset=fig4&opt=sgd&p1=0.5');
  const fig9 = lab.page.locator('[data-testid=panel-link][href="?v=1&preset=fig9&m=parallel"]');
  await fig9.click();
  await lab.page.waitForFunction(() => location.search === '?v=1&preset=fig9&m=parallel');
  assert.equal(await lab.page.locator('#model').inputValue(), 'parallel');
  await lab.page.goBack();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=figure-num]')?.textContent.trim() === 'Fig. 4');
  assert.equal(await lab.page.locator('#model').inputValue(), 'geometry');
  assert.equal(await lab.testid('key-p1').first().inputValue(), '0.5');
  assert.equal(await lab.testid('key-opt').first().inputValue(), 'sgd');
  await lab.page.goForward();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=figure-num]')?.textContent.trim() === 'Fig. 9');
  assert.equal(await lab.page.locator('#model').inputValue(), 'parallel');
  lab.assertNoErrors();
  await lab.close();
});

test('Cite copies the BibTeX, or shows it selected in a text area where the clipboard is unavailable', async () => {
  const bibtex = skills('cite').trim();
  let lab = await env.open('/?v=1&preset=fig5', { permissions: ['clipboard-read', 'clipboard-write'] });
  await lab.testid('cite-copy').click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=cite-state]').textContent === 'Copied.');
  assert.equal(await lab.page.evaluate(() => navigator.clipboard.readText()), bibtex);
  assert.equal(await lab.testid('cite-fallback').count(), 0);
  lab.assertNoErrors();
  await lab.close();

  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.base + '/?v=1&preset=fig5');
  await page.getByTestId('cite-copy').click();
  const area = page.getByTestId('cite-fallback');
  await area.waitFor();
  assert.equal(await area.inputValue(), bibtex);
  assert.match(await page.getByTestId('cite-state').textContent(), /Ctrl\+C/);
  const selected = await area.evaluate((a) => a.selectionEnd - a.selectionStart);
  assert.equal(selected, bibtex.length, 'the BibTeX is selected');
  assert.deepEqual(errors, []);
  await context.close();
});

test('exports: CSV exactly as the CLI prints it, JSON of every key, SVG of the skill chart, PNG of the view', async () => {
  const q = 'v=1&preset=fig4&opt=adam&p1=0.9';
  const lab = await env.open(`/?${q}`);
  await runToEnd(lab);
  assert.equal(await lab.step(), 1000);

  const csv = await download(lab, 'export-csv');
  assert.equal(csv.name, 'skill-dominoes-fig4-seed2.csv');
  const cli = skills('run', q, '--align');
  assert.equal(csv.text.split('\n')[0], 'step,loss,s1,s2,align1,align2');
  assert.equal(csv.text, cli, 'the whole trajectory, byte for byte');
  assert.match(await lab.testid('export-msg').textContent(), /1001 rows/);

  const json = JSON.parse((await download(lab, 'export-json')).text);
  const keys = skills('keys').split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(Object.keys(json.config), keys, 'every key of the schema, in order');
  assert.equal(json.preset, 'fig4');
  assert.equal(json.figure, 'Fig. 4');
  assert.equal(json.config.opt, 'adam');
  assert.equal(json.config.p1, 0.9);
  assert.equal(json.config.dim, 1000);
  assert.equal(json.config.beta1, null);
  assert.equal(json.step, 1000);
  // the link as the page writes it: only what differs from the preset, in the schema's order
  assert.equal(json.link, '?v=1&preset=fig4&p1=0.9&opt=adam');
  assert.equal(json.url, `${env.base}/${json.link}`);
  assert.equal(json.cli, `skills run 'v=1&preset=fig4&p1=0.9&opt=adam' --align`);

  const svg = await download(lab, 'export-svg');
  assert.match(svg.name, /\.svg$/);
  assert.ok(svg.text.startsWith('<svg'), svg.text.slice(0, 80));
  assert.ok(svg.text.includes('skill level s_i') && svg.text.includes('step'));
  assert.ok((svg.text.match(/<polyline/g) || []).length >= 2, 'one curve per skill');
  assert.ok(svg.text.includes('s1  p=0.90'), 'the legend');

  const png = await download(lab, 'export-png');
  assert.match(png.name, /\.png$/);
  assert.deepEqual([...png.bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG');
  const w = png.bytes.readUInt32BE(16);
  const h = png.bytes.readUInt32BE(20);
  assert.ok(w > 500 && h > 500, `PNG ${w}×${h}: the dominoes and both charts`);
  // No blank margin (there were 320 px right of the charts, under dominoes as wide as the
  // page): the image is as wide as the charts, with little around the pixels that differ from
  // the background; and a title above the figure (read in the browser).
  const ink = await lab.page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    [c.width, c.height] = [img.width, img.height];
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const bg = [d[0], d[1], d[2]];
    let [l, t, r, b] = [c.width, c.height, -1, -1];
    const rows = new Array(c.height).fill(0);
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const i = 4 * (y * c.width + x);
        if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 60) {
          [l, t, r, b] = [Math.min(l, x), Math.min(t, y), Math.max(r, x), Math.max(b, y)];
          rows[y]++;
        }
      }
    }
    return { l, t, r: c.width - 1 - r, b: c.height - 1 - b, dpr: devicePixelRatio, titleRows: rows.slice(0, 60).filter((n) => n > 0).length };
  }, png.bytes.toString('base64'));
  const margin = 40 * ink.dpr;
  assert.ok(ink.l <= margin && ink.r <= margin && ink.t <= margin && ink.b <= margin, `margins ${JSON.stringify(ink)}`);
  const chartW = (await lab.canvasInk('chart')).cssWidth;
  assert.ok(w / ink.dpr <= chartW + 2 * 40, `the image (${w / ink.dpr} px) is as wide as the charts (${chartW} px), not the page`);
  assert.ok(ink.titleRows >= 10, `a title in the first 60 rows: ${JSON.stringify(ink)}`);
  lab.assertNoErrors();
  await lab.close();

  // Another model mid-run: the CSV's rows are the CLI's first rows (the quadratic toy: l1..l4).
  const q2 = 'v=1&m=quadratic&steps=3000';
  const lab2 = await env.open(`/?${q2}`);
  await lab2.waitStepAbove(20);
  await lab2.pause();
  const part = (await download(lab2, 'export-csv')).text.trimEnd().split('\n');
  const full = skills('run', q2).split('\n');
  assert.equal(part[0], 'step,loss,l1,l2,l3,l4');
  assert.ok(part.length > 20 && part.length < full.length, `${part.length} of ${full.length} rows`);
  assert.deepEqual(part, full.slice(0, part.length), 'the first rows of the CLI');
  lab2.assertNoErrors();
  await lab2.close();
});

test('share dialog: a history entry, the link, the embed code with its options, copy', async () => {
  // A link with default values written out: Share writes the canonical link as a new entry.
  const lab = await env.open('/?v=1&preset=fig4&opt=signgd&p1=0.95', {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const len0 = await lab.page.evaluate(() => history.length);
  await lab.testid('share-open').click();
  const dialog = lab.testid('share');
  await dialog.waitFor();
  assert.equal(await dialog.evaluate((d) => d.open), true);
  assert.equal(lab.link(), '?v=1&preset=fig4');
  assert.equal(await lab.page.evaluate(() => history.length), len0 + 1, 'Share pushed an entry');
  const link = `${env.base}/?v=1&preset=fig4`;
  assert.equal(await lab.testid('share-link').inputValue(), link);
  const code = () => lab.testid('share-embed').inputValue();
  const src = env.base.replace(/[.]/g, '\\.') + '/\\?v=1&amp;preset=fig4';
  // the snippet itself is e2e/embed.test.mjs's (measured heights, the embed script)
  assert.match(
    await code(),
    new RegExp(`^<iframe title="Skill Dominoes: Fig\\. 4: Two skills: SignGD, Adam and SGD" src="${src}&amp;embed=1" data-skill-dominoes loading="lazy" width="100%" height="\\d+" style="[^"]*"></iframe>\n<script async src="[^"]+/embed\\.js"></script>\n<noscript>`),
  );
  await lab.testid('share-figure-only').check();
  await lab.testid('share-autoplay').check();
  await lab.testid('share-theme').selectOption('dark');
  assert.match(await code(), new RegExp(`src="${src}&amp;embed=1&amp;ui=0&amp;autoplay=1&amp;theme=dark" data-skill-dominoes`));
  await lab.page.screenshot({ path: path.join(SHOTS, 'shot-share.png') });

  await lab.testid('share-link-copy').click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=share-link-state]').textContent === 'Copied.');
  assert.equal(await lab.page.evaluate(() => navigator.clipboard.readText()), link);
  await lab.testid('share-embed-copy').click();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=share-embed-state]').textContent === 'Copied.');
  assert.equal(await lab.page.evaluate(() => navigator.clipboard.readText()), await code());
  await lab.testid('share-close').click();
  assert.equal(await dialog.evaluate((d) => d.open), false);

  // Sharing again without a change adds no entry.
  await lab.testid('share-open').click();
  assert.equal(await lab.page.evaluate(() => history.length), len0 + 1);
  await lab.page.keyboard.press('Escape');
  assert.equal(await dialog.evaluate((d) => d.open), false);
  lab.assertNoErrors();
  await lab.close();
});

// [link, key the notice must name]
const HOSTILE = [
  ['?m=<script>alert(1)</script>', 'm'],
  ['?v=1&m=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E', 'm'],
  ['?v=1&n=<img src=x onerror=alert(1)>', 'n'],
  ['?v=1&preset="><svg onload=alert(1)>', 'preset'],
  ['?v=1&n=1e308', 'n'],
  ['?v=1&steps=99999999999999999999999', 'steps'],
  ['?v=1&lr=1e999', 'lr'],
  ['?v=1&lr=NaN', 'lr'],
  ['?v=1&alpha=Infinity', 'alpha'],
  ['?v=1&n=-5', 'n'],
  ['?v=1&dim=-100', 'dim'],
  ['?v=1&batch=-1', 'batch'],
  ['?v=1&n=10000&dim=100000', 'dim'],
  ['?v=1&p=' + '1,'.repeat(20000) + '1', 'p'],
];

test('hostile links: each shows its notice naming the key, nothing from the link runs as script', async () => {
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  for (const [q, key] of HOSTILE) {
    const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
    // The test server (like most static hosts) refuses request lines over 16 kB: serve the page.
    await context.route((u) => u.search.length > 8000, (r) => r.fulfill({ body: html, contentType: 'text/html' }));
    const page = await context.newPage();
    const errors = [];
    const dialogs = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
    await page.goto(env.base + '/' + q);
    await page.getByTestId('chart').waitFor();
    const notice = page.getByTestId('notice');
    await notice.waitFor();
    const items = await notice.locator('li').allTextContents();
    assert.ok(items.some((t) => t.startsWith(`${key}:`)), `${q.slice(0, 60)}: ${JSON.stringify(items).slice(0, 300)}`);
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, [], `${q.slice(0, 60)}: no alert ran`);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(await page.locator('.notice script, .notice img, .notice svg, .lab script').count(), 0, 'no markup from the link');
    assert.ok(
      (await page.getByTestId('chart').evaluate((c) => c.width)) > 0,
      'the page still draws its chart',
    );
    // The notice is dismissible.
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    assert.equal(await notice.count(), 0);
    assert.deepEqual(errors, [], q.slice(0, 60));
    await context.close();
  }
});

test('hostile links: a 1.9 MB query (the longest Chromium navigates to) has its notice; 10 MB through the history is survived', async () => {
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  // The test server (like most static hosts) refuses request lines this long: serve the page.
  await context.route((u) => u.search.length > 8000, (r) => r.fulfill({ body: html, contentType: 'text/html' }));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text().slice(0, 300)));
  page.on('pageerror', (e) => errors.push(e.message.slice(0, 300)));
  const t0 = Date.now();
  await page.goto(env.base + '/?v=1&p=' + '0.1,'.repeat(475000) + '0.1');
  await page.getByTestId('chart').waitFor();
  const items = await page.getByTestId('notice').locator('li').allTextContents();
  assert.ok(items.some((t) => /^p: value is \d+ characters long/.test(t)), JSON.stringify(items).slice(0, 300));
  assert.ok(Date.now() - t0 < 15000, `${Date.now() - t0} ms`);

  // 10 MB: an address that long never reaches a server; it can only be pushed by a script.
  const t1 = Date.now();
  await page.evaluate(() => {
    history.pushState(null, '', '?v=1&n=5&m=resource&p=' + '0.1,'.repeat(2621440));
    dispatchEvent(new PopStateEvent('popstate'));
  });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=tile]').length === 5);
  assert.ok(Date.now() - t1 < 15000, `${Date.now() - t1} ms`);
  assert.equal(await page.locator('#model').inputValue(), 'resource', 'the good keys are read, the huge one dropped');
  // …and the notice names the dropped key, as for a link opened directly
  const items10 = await page.getByTestId('notice').locator('li').allTextContents();
  assert.ok(items10.some((t) => /^p: value is \d+ characters long/.test(t)), JSON.stringify(items10).slice(0, 300));
  assert.deepEqual(errors, []);
  await context.close();
});

/** A host page that embeds `src` (a path and query of the app) and records the messages. */
function hostPage(base, src, { sandbox = false, spacer = 0 } = {}) {
  const attrs = sandbox ? ' sandbox="allow-scripts"' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title><link rel="icon" href="data:,"></head>
<body style="margin:16px;font-family:sans-serif">
<p>A blog post that embeds the lab:</p>
<iframe id="f" title="Skill Dominoes" src="${base}${src}" width="720" height="300" style="border:1px solid #888"${attrs}></iframe>
<div style="height:${spacer}px"></div>
<script>
window.msgs = [];
addEventListener('message', (e) => {
  // Embedly's iframe.resize comes as JSON text
  const d = typeof e.data === 'string' && e.data.includes('iframe.resize') ? JSON.parse(e.data) : e.data;
  window.msgs.push(d);
  if (d && d.context === 'iframe.resize') document.getElementById('f').height = d.height;
});
</script></body></html>`;
}

test('embed mode in a real iframe: height message, no chrome, autoplay rules, pause off screen, theme, sandbox', async (t) => {
  let page_ = '';
  const host = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page_);
  });
  await new Promise((ok) => host.listen(0, '127.0.0.1', ok));
  const hostBase = `http://127.0.0.1:${host.address().port}`;
  const errors = [];
  async function embed(src, options = {}, hostOpts = {}) {
    page_ = hostPage(env.base, src, hostOpts);
    const context = await env.browser.newContext({ viewport: { width: 800, height: 700 }, ...options });
    const page = await context.newPage();
    page.on('console', (m) => m.type() === 'error' && errors.push(`${src}: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`${src}: ${e.message}`));
    await page.goto(hostBase + '/');
    const frame = page.frameLocator('#f');
    await frame.getByTestId('chart').waitFor();
    return { context, page, frame };
  }
  const stepOf = async (frame) => Number(await frame.getByTestId('step').textContent());
  const heights = (page) => page.evaluate(() => window.msgs.filter((m) => m && m.context === 'iframe.resize').map((m) => m.height));

  try {
    // embed=1: chart, dominoes, transport and the link out; no header, panels, gallery.
    let { context, page, frame } = await embed('/?v=1&preset=fig5&embed=1');
    await page.waitForFunction(() => window.msgs.some((m) => m && m.context === 'iframe.resize'));
    const h = (await heights(page)).at(-1);
    assert.ok(h > 400 && h < 3000, `height ${h}`);
    assert.equal(await page.locator('#f').evaluate((f) => f.height), String(h), 'the host resized the frame');
    for (const id of ['chart', 'dominoes', 'play', 'open-full', 'embed-bar']) {
      assert.ok(await frame.getByTestId(id).isVisible(), `${id} visible`);
    }
    for (const id of ['gallery', 'panels', 'share-bar', 'figure', 'readout']) {
      const el = frame.getByTestId(id);
      assert.ok((await el.count()) === 0 || !(await el.first().isVisible()), `${id} hidden`);
    }
    assert.equal(await frame.locator('header.top').isVisible(), false, 'no header');
    const full = await frame.getByTestId('open-full').getAttribute('href');
    assert.equal(full, `${env.base}/?v=1&preset=fig5`, 'the full app, without embed=1');
    assert.equal(await frame.getByTestId('open-full').getAttribute('target'), '_blank');
    // no autoplay unless asked (the run is drawn ahead: e2e/embed.test.mjs)
    await page.waitForTimeout(800);
    assert.equal((await frame.getByTestId('play').textContent()).trim(), 'Play', 'an embed waits for Play');
    await frame.getByTestId('play').click();
    await frame.locator('[data-testid=play]:text("Pause")').waitFor();
    assert.ok((await stepOf(frame)) > 0, 'Play runs it');
    // New seed inside the frame replaces its address: the host's Back button stays the host's.
    const hostHistory = await page.evaluate(() => history.length);
    const src0 = await frame.locator('body').evaluate(() => location.search);
    await frame.getByTestId('newseed').click();
    const src1 = await frame.locator('body').evaluate(() => location.search);
    assert.notEqual(src1, src0, "the frame's link follows the new seed");
    assert.match(src1, /&embed=1$/, 'and stays an embed');
    assert.equal(await page.evaluate(() => history.length), hostHistory, 'no history entry in the host');
    await page.screenshot({ path: path.join(SHOTS, 'shot-embed.png'), fullPage: true });
    t.diagnostic(`embed screenshot: ${path.join(SHOTS, 'shot-embed.png')}`);
    await context.close();

    // ui=0: the figure only, with its own pause control; autoplay=1 plays; theme=dark.
    ({ context, page, frame } = await embed('/?v=1&preset=fig5&embed=1&ui=0&autoplay=1&theme=dark'));
    assert.equal(await frame.getByTestId('play').isVisible(), false, 'no transport');
    const pause = frame.getByTestId('embed-play');
    await pause.waitFor();
    await frame.locator('[data-testid=embed-play]:text("Pause")').waitFor();
    const bg = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, 'rgb(18, 20, 25)', 'dark page');
    const corner = await frame.getByTestId('chart').evaluate((c) => [...c.getContext('2d').getImageData(2, 2, 1, 1).data].slice(0, 3));
    assert.ok(corner.every((v) => v < 60), `dark chart ${corner}`);
    await pause.click();
    assert.equal((await pause.textContent()).trim(), 'Play', 'the pause control pauses');
    await context.close();

    // Reduced motion: autoplay=1 is ignored; the pause/play control is still there.
    ({ context, page, frame } = await embed('/?v=1&preset=fig5&embed=1&ui=0&autoplay=1', { reducedMotion: 'reduce' }));
    await page.waitForTimeout(1000);
    assert.equal((await frame.getByTestId('embed-play').textContent()).trim(), 'Play');
    assert.ok(await frame.getByTestId('embed-play').isVisible());
    await context.close();

    // Scrolled off screen: paused; back on screen: playing again.
    ({ context, page, frame } = await embed('/?v=1&m=domino&steps=100000&embed=1&autoplay=1', {}, { spacer: 3000 }));
    const playBtn = frame.getByTestId('play');
    await frame.locator('[data-testid=play]:text("Pause")').waitFor();
    await page.evaluate(() => window.scrollTo(0, 2500));
    await frame.locator('[data-testid=play]:text("Play")').waitFor();
    const off = await stepOf(frame);
    await page.waitForTimeout(400);
    assert.equal(await stepOf(frame), off, 'no steps while off screen');
    await page.evaluate(() => window.scrollTo(0, 0));
    await frame.locator('[data-testid=play]:text("Pause")').waitFor();
    assert.ok((await playBtn.textContent()).trim() === 'Pause');
    await context.close();

    // A frame sandboxed with allow-scripts only still posts its height.
    ({ context, page, frame } = await embed('/?v=1&preset=fig9&embed=1', {}, { sandbox: true }));
    await page.waitForFunction(() => window.msgs.some((m) => m && m.context === 'iframe.resize'));
    assert.ok((await frame.getByTestId('chart').evaluate((c) => c.width)) > 0);
    await context.close();
  } finally {
    host.close();
  }
  assert.deepEqual(errors, []);
});
