// Embeds without traps (issue 14): the Share dialog's snippet in a host page on a second
// origin (the host on `localhost`, the lab on `127.0.0.1`), plain and sandboxed with
// `allow-scripts`, from a server with and without CORS headers, at a blog column's width and a
// phone's, light and dark. Checks: the frame is sized to the height the lab measures and
// reports (web/embed.js), the heights match the snippet's table (export.rs EMBED_HEIGHTS), the
// four height messages hosts listen for, the run drawn before Play, the hide flags, and the
// static way out within 2 s where the lab cannot start.
// Run after `trunk build --release`: node --test e2e/embed.test.mjs.
// SHOTS=dir writes shot-embed-{plain,sandboxed,fallback,phone,dark}.png there (default e2e/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { start, ROOT } from './harness.mjs';

const SHOTS = path.resolve(process.env.SHOTS || path.join(ROOT, 'e2e'));

let env; // the lab with CORS headers (as GitHub Pages sends)
let bare; // the same files from a server that sends none
let host; // the host pages, on another origin
let hostBase;
let hostPage = '';

before(async () => {
  env = await start();
  bare = await start({ cors: false, browser: env.browser });
  host = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(hostPage);
  });
  await new Promise((ok) => host.listen(0, '127.0.0.1', ok));
  // `localhost` is another origin than the lab's `127.0.0.1`
  hostBase = `http://localhost:${host.address().port}`;
});

after(async () => {
  await bare?.stop();
  await env?.stop();
  host?.close();
});

/** The embed code the Share dialog writes for `query`, with the options it is given. */
async function snippet(query, { figureOnly = false, theme = 'auto', show = {} } = {}) {
  const lab = await env.open(query);
  await lab.testid('share-open').click();
  if (figureOnly) await lab.testid('share-figure-only').check();
  if (theme !== 'auto') await lab.testid('share-theme').selectOption(theme);
  for (const [part, on] of Object.entries(show)) {
    await lab.testid(`share-show-${part}`).setChecked(on);
  }
  const code = await lab.testid('share-embed').inputValue();
  // (the full app's own console is share.test.mjs's and app.test.mjs's concern)
  await lab.close();
  return code;
}

/** A blog post around `body`, recording every message it receives. */
function post(body, { width = 720, dark = false } = {}) {
  const bg = dark ? 'background:#111;color:#ddd;' : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A post</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"></head>
<body style="margin:0;font-family:sans-serif;${bg}">
<script>window.msgs = []; addEventListener('message', (e) => window.msgs.push({ data: e.data, origin: e.origin }));</script>
<article style="max-width:${width}px;margin:0 auto;padding:12px 0">
<h1 style="font-size:20px;margin:0 12px 8px">A post with a figure</h1>
${body}
<p style="margin:8px 12px">Text after the figure.</p>
</article></body></html>`;
}

/** Open the host page `html` at a viewport; the frame's locator and the page. */
async function openHost(html, { viewport = { width: 800, height: 900 }, ...options } = {}) {
  hostPage = html;
  const context = await env.browser.newContext({ viewport, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(hostBase + '/');
  return { context, page, frame: page.frameLocator('iframe'), errors };
}

/** The heights the lab posted as iframe.resize (JSON text). */
async function resizeHeights(page) {
  return page.evaluate(() =>
    window.msgs
      .map((m) => m.data)
      .filter((d) => typeof d === 'string' && d.includes('iframe.resize'))
      .map((d) => JSON.parse(d).height),
  );
}

/** Wait until the frame's own document reports a height and the frame has taken it. */
async function settled(page) {
  await page.waitForFunction(() => window.msgs.some((m) => typeof m.data === 'string' && m.data.includes('iframe.resize')));
  // the layout settles (fonts, charts): the last posted height and the frame's height agree
  await page.waitForFunction(
    () => {
      const hs = window.msgs.map((m) => m.data).filter((d) => typeof d === 'string' && d.includes('iframe.resize'));
      const last = JSON.parse(hs.at(-1)).height;
      return Math.abs(document.querySelector('iframe').getBoundingClientRect().height - last) < 1;
    },
    null,
    { timeout: 10000 },
  );
  await page.waitForTimeout(300);
  return (await resizeHeights(page)).at(-1);
}

/** Screenshot the whole host page: the viewport grown to the page's height (a full-page
 *  capture leaves a cross-origin frame below the fold blank). */
async function shot(page, name) {
  const vp = page.viewportSize();
  const h = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: vp.width, height: Math.min(h, 3000) });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `shot-embed-${name}.png`) });
  await page.setViewportSize(vp);
}

/** EMBED_HEIGHTS of src/export.rs: [[width, full, figure only], …]. */
async function heightTable() {
  const src = await readFile(path.join(ROOT, 'src', 'export.rs'), 'utf8');
  const m = src.match(/EMBED_HEIGHTS: \[\(u32, u32, u32\); \d+\] =\s*\[([^\]]*)\]/);
  assert.ok(m, 'EMBED_HEIGHTS in src/export.rs');
  return [...m[1].matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((r) => r.slice(1).map(Number));
}

test("the Share dialog's snippet on a second origin: the frame takes the height the lab measures at each width, and the snippet's table is that measurement", async () => {
  const table = await heightTable();
  assert.ok(table.length >= 2);
  const measured = [];
  for (const figureOnly of [false, true]) {
    const code = await snippet('/?v=1&preset=fig5', { figureOnly });
    assert.match(code, /^<iframe title="Skill Dominoes: Fig\. 5: [^"]+" src="http:\/\/127\.0\.0\.1:\d+\/\?v=1&amp;preset=fig5&amp;embed=1(&amp;ui=0)?" data-skill-dominoes loading="lazy" width="100%" height="(\d+)" style="border:0;width:100%"><\/iframe>\n<script async src="http:\/\/127\.0\.0\.1:\d+\/embed\.js"><\/script>\n<noscript><a href="[^"]+\/\?v=1&amp;preset=fig5">[^<]+<\/a><\/noscript>$/);
    const start = Number(code.match(/height="(\d+)"/)[1]);
    const row720 = table.find((r) => r[0] === 720);
    assert.equal(start, figureOnly ? row720[2] : row720[1], "the snippet starts at the table's height for 720 px");
    for (const [width, full, fig] of table) {
      // a column of `width` px inside a wider window (a phone: the window is the column)
      const viewport = { width: Math.max(width, 360), height: 900 };
      const { context, page, frame, errors } = await openHost(post(code, { width }), { viewport });
      await frame.getByTestId('chart').waitFor();
      const h = await settled(page);
      const box = await page.locator('iframe').boundingBox();
      assert.equal(Math.round(box.width), width, `the frame fills the ${width} px column`);
      assert.ok(Math.abs(box.height - h) < 1, `the frame's height ${box.height} is the reported ${h}`);
      // nothing cut, nothing scrolled inside the frame
      const inner = await frame.locator('html').evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
      assert.ok(inner.scroll <= inner.client + 1, `no scrolling inside the frame: ${JSON.stringify(inner)}`);
      measured.push({ width, figureOnly, h, expect: figureOnly ? fig : full });
      assert.deepEqual(errors, []);
      await context.close();
    }
  }
  const text = measured.map((m) => `${m.figureOnly ? 'figure only' : 'full'} @ ${m.width} px: ${m.h} (table ${m.expect})`).join('; ');
  console.log('measured embed heights:', text);
  for (const m of measured) {
    assert.ok(Math.abs(m.h - m.expect) <= 0.1 * m.expect, `${text}: update EMBED_HEIGHTS in src/export.rs`);
  }
});

test('the height in each format hosts listen for: iframe.resize, datawrapper-height, AMP embed-size, and WordPress with its secret in a sandboxed frame', async () => {
  const src = `${env.base}/?v=1&preset=fig4&embed=1`;
  // WordPress's way: sandbox="allow-scripts", data-secret and #?secret= on the address, and
  // a listener that resizes only the frame with that secret (as wp-embed.js does).
  const wp = `<iframe class="wp-embedded-content" sandbox="allow-scripts" security="restricted" data-secret="Xy12ab" src="${src}#?secret=Xy12ab" width="600" height="300" title="embed"></iframe>
<script>
addEventListener('message', (e) => {
  const d = e.data;
  if (!d || d.message !== 'height' || !/^[a-zA-Z0-9]+$/.test(d.secret)) return;
  for (const f of document.querySelectorAll('.wp-embedded-content[data-secret="' + d.secret + '"]')) f.height = Math.min(Math.max(d.value, 200), 1000);
});
</script>`;
  const { context, page, frame, errors } = await openHost(post(wp));
  await frame.getByTestId('chart').waitFor();
  await page.waitForFunction(() => window.msgs.some((m) => m.data && m.data.message === 'height'));
  await page.waitForTimeout(500);
  const msgs = await page.evaluate(() => window.msgs);
  const last = (f) => msgs.filter(f).at(-1);
  const resize = last((m) => typeof m.data === 'string' && m.data.includes('iframe.resize'));
  const r = JSON.parse(resize.data);
  assert.equal(r.context, 'iframe.resize');
  assert.match(r.src, /embed=1/);
  const h = r.height;
  assert.ok(h > 300 && h < 3000, `height ${h}`);
  assert.equal(resize.origin, 'null', 'a sandboxed frame posts from an opaque origin');
  assert.deepEqual(last((m) => m.data && m.data['datawrapper-height']).data, { 'datawrapper-height': { 'skill-dominoes': h } });
  assert.deepEqual(last((m) => m.data && m.data.sentinel === 'amp').data, { sentinel: 'amp', type: 'embed-size', height: h });
  assert.deepEqual(last((m) => m.data && m.data.message === 'height').data, { message: 'height', value: h, secret: 'Xy12ab' });
  assert.equal(await page.locator('iframe').getAttribute('height'), String(Math.min(h, 1000)), 'WordPress resized its frame');
  // The secret is not a comparison: no notice about #vs= in the frame.
  assert.equal(await frame.getByTestId('notice').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an embed that waits for Play shows its run drawn, and Play replays it from step 0', async () => {
  const { context, page, frame, errors } = await openHost(post(`<iframe src="${env.base}/?v=1&preset=fig5&embed=1" data-skill-dominoes width="100%" height="900" style="border:0"></iframe>`));
  await frame.getByTestId('chart').waitFor();
  const step = async () => Number(await frame.getByTestId('step').textContent());
  // a cross-origin frame: poll through the locator
  for (let i = 0; i < 40 && (await step()) < 3000; i++) await page.waitForTimeout(100);
  assert.equal(await step(), 3000, 'the whole run is there before Play');
  assert.equal((await frame.getByTestId('play').textContent()).trim(), 'Play', 'and it does not play');
  await frame.getByTestId('play').click();
  await frame.locator('[data-testid=play]:text("Pause")').waitFor();
  assert.ok((await step()) < 3000, 'Play starts again from step 0');
  // paused, a new seed's run is drawn ahead too, not left as empty axes
  await frame.getByTestId('play').click();
  await frame.locator('[data-testid=play]:text("Play")').waitFor();
  await frame.getByTestId('newseed').click();
  for (let i = 0; i < 40 && (await step()) < 3000; i++) await page.waitForTimeout(100);
  assert.equal(await step(), 3000, 'the new seed\'s whole run is there');
  assert.equal((await frame.getByTestId('play').textContent()).trim(), 'Play', 'and it does not play');
  assert.deepEqual(errors, []);
  await context.close();
});

test('hide flags: the Share dialog writes them, the embed hides those parts and keeps a Play button', async () => {
  const code = await snippet('/?v=1&preset=fig5', { show: { dominoes: false, chart2: false, transport: false, title: false } });
  const src = code.match(/src="([^"]+)"/)[1].replace(/&amp;/g, '&');
  assert.match(src, /&embed=1&title_hide=1&dominoes_hide=1&chart2_hide=1&transport_hide=1$/);
  const { context, page, frame, errors } = await openHost(post(code));
  await frame.getByTestId('chart').waitFor();
  await settled(page);
  for (const [sel, what] of [['.dominoes-wrap', 'dominoes'], ['.transport', 'transport'], ['.tabs', 'tabs']]) {
    assert.equal(await frame.locator(sel).first().isVisible(), false, `${what} hidden`);
  }
  assert.equal(await frame.getByTestId('embed-title').isVisible(), false, 'title hidden');
  assert.ok(await frame.getByTestId('chart').isVisible(), 'the chart stays');
  assert.ok(await frame.getByTestId('open-full').isVisible(), 'the link out stays');
  await frame.getByTestId('embed-play').click();
  await frame.locator('[data-testid=embed-play]:text("Pause")').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('sandbox="allow-scripts": with CORS headers the lab runs; without them a static way out shows within 2 s, never an endless "Loading"', async () => {
  // With CORS (as GitHub Pages sends): the lab runs in the sandboxed frame.
  let { context, page, frame, errors } = await openHost(post(`<iframe sandbox="allow-scripts" src="${env.base}/?v=1&preset=fig5&embed=1" data-skill-dominoes width="100%" height="860" style="border:0"></iframe><script async src="${env.base}/embed.js"></script>`));
  await frame.getByTestId('chart').waitFor();
  await settled(page);
  await shot(page, 'sandboxed');
  assert.deepEqual(errors, []);
  await context.close();

  // Without CORS, plain frame: the frame's scripts are its own origin's: the lab runs.
  ({ context, page, frame, errors } = await openHost(post(`<iframe src="${bare.base}/?v=1&preset=fig5&embed=1" width="100%" height="860" style="border:0"></iframe>`)));
  await frame.getByTestId('chart').waitFor();
  await context.close();

  // Without CORS, sandboxed: the module script is refused; the reason and the link show.
  // (a panel link: the build drew its figure, which web/first.js shows)
  ({ context, page, frame, errors } = await openHost(post(`<iframe sandbox="allow-scripts" src="${bare.base}/?v=1&preset=fig5&alpha=2&n=10&embed=1#vs=n%3D4" width="100%" height="700" style="border:0"></iframe>`)));
  const t0 = Date.now();
  await frame.getByTestId('load-fallback').waitFor({ state: 'visible', timeout: 2000 });
  const ms = Date.now() - t0;
  const reason = await frame.locator('#load-reason').textContent();
  assert.match(reason, /sandbox/i, reason);
  assert.match(reason, /CORS/);
  assert.equal(await frame.locator('.loading-note').isVisible(), false, 'no "Loading the live lab…" left');
  const href = await frame.getByTestId('load-open').getAttribute('href');
  assert.equal(href, '/?v=1&preset=fig5&alpha=2&n=10#vs=n%3D4', 'the same run in the full app');
  await frame.locator('#first-figure img').waitFor({ state: 'visible', timeout: 2000 });
  console.log(`sandboxed without CORS: the way out showed ${ms} ms after the host page loaded`);
  await shot(page, 'fallback');
  await context.close();

  // Without any script in the frame (sandbox=""), CSS alone shows the link after 2 s.
  ({ context, page, frame, errors } = await openHost(post(`<iframe sandbox="" src="${bare.base}/?v=1&preset=fig5&embed=1" width="100%" height="700" style="border:0"></iframe>`)));
  assert.equal(await frame.getByTestId('load-fallback').isVisible(), false, 'not at once');
  await frame.getByTestId('load-fallback').waitFor({ state: 'visible', timeout: 3500 });
  await context.close();
});

test('screenshots: the snippet in a post, plain at 720 px, on a phone, dark', async (t) => {
  const code = await snippet('/?v=1&preset=fig5');
  let { context, page, frame } = await openHost(post(code));
  await frame.getByTestId('chart').waitFor();
  await settled(page);
  await shot(page, 'plain');
  await context.close();

  ({ context, page, frame } = await openHost(post(code, { width: 390 }), { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }));
  await frame.getByTestId('chart').waitFor();
  await settled(page);
  await shot(page, 'phone');
  await context.close();

  const dark = await snippet('/?v=1&preset=fig4', { theme: 'dark' });
  ({ context, page, frame } = await openHost(post(dark, { dark: true })));
  await frame.getByTestId('chart').waitFor();
  await settled(page);
  const bg = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(bg, 'rgb(18, 20, 25)', 'dark page');
  await shot(page, 'dark');
  await context.close();
  t.diagnostic(`screenshots in ${SHOTS}: shot-embed-{plain,phone,dark,sandboxed,fallback}.png`);
});
