// The published site under a project path (README "Published site"), served as GitHub Pages
// serves it: everything under /skill-dominoes/, nothing at the root. The home page and a figure
// page (fig/<id>/) draw their chart with no console error, a figure page opens its figure and
// carries its own preview tags, card and oEmbed document, and a sweep started from a figure
// page runs in Web Workers loaded from the project path.
// Needs the site: `scripts/build-site --only fig4,fig5` (scripts/browser-tests builds it);
// SITE=… tests another build of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { start, ROOT } from './harness.mjs';

const PREFIX = '/skill-dominoes/';
const SITE = path.resolve(process.env.SITE || path.join(ROOT, 'target', 'site', 'skill-dominoes'));

let env;
before(async () => {
  assert.ok(
    existsSync(path.join(SITE, 'fig', 'fig4', 'index.html')),
    `no site in ${SITE}: build it with scripts/build-site --only fig4,fig5`,
  );
  env = await start({ dist: SITE, prefix: PREFIX });
});
after(async () => {
  await env?.stop();
});

/** What the page fetched that failed or came from outside the project path. */
const strayFetches = (lab) =>
  lab.page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => /^https?:/.test(e.name))
      .filter((e) => e.responseStatus >= 400 || !new URL(e.name).pathname.startsWith('/skill-dominoes/'))
      .map((e) => `${e.responseStatus} ${e.name}`),
  );

const metaContent = (lab, sel) => lab.page.$eval(`meta[${sel}]`, (m) => m.getAttribute('content'));

/** Fetch a URL of the site (its path, on the test server). */
async function get(url) {
  const r = await fetch(new URL(new URL(url).pathname, env.base));
  assert.equal(r.status, 200, url);
  return r;
}

/** Width and height of a PNG, from its IHDR chunk. */
async function pngSize(r) {
  assert.equal(r.headers.get('content-type'), 'image/png');
  const b = Buffer.from(await r.arrayBuffer());
  assert.equal(b.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

test('the home page runs under the project path and has a preview card', async () => {
  const lab = await env.open('/');
  await lab.waitStepAbove(5);
  const { ink } = await lab.canvasInk('chart');
  assert.ok(ink > 500, `the chart is drawn (${ink} inked pixels)`);
  const image = await metaContent(lab, 'property="og:image"');
  assert.match(image, /\/skill-dominoes\/card\.png$/);
  assert.deepEqual(await pngSize(await get(image)), [1200, 630]);
  assert.equal(await metaContent(lab, 'name="twitter:card"'), 'summary_large_image');
  assert.deepEqual(await strayFetches(lab), []);
  lab.assertNoErrors();
  await lab.close();
});

test('a figure page opens its figure, with its own title, card and oEmbed document', async () => {
  const lab = await env.open('/fig/fig4/');
  assert.equal((await lab.testid('figure-num').textContent()).trim(), 'Fig. 4');
  await lab.waitStepAbove(5);
  const { ink } = await lab.canvasInk('chart');
  assert.ok(ink > 500, `the chart is drawn (${ink} inked pixels)`);
  assert.match(await lab.page.title(), /^Fig\. 4: .* · Skill Dominoes$/);
  assert.match(await metaContent(lab, 'property="og:title"'), /^Fig\. 4: /);
  assert.match(await metaContent(lab, 'property="og:url"'), /\/skill-dominoes\/fig\/fig4\/$/);
  const image = await metaContent(lab, 'property="og:image"');
  assert.match(image, /\/skill-dominoes\/fig\/fig4\/card\.png$/);
  assert.equal(await metaContent(lab, 'name="twitter:image"'), image);
  assert.deepEqual(await pngSize(await get(image)), [1200, 630]);
  // oEmbed discovery: the link in the head, and a rich document embedding the figure
  const href = await lab.page.$eval('link[rel=alternate][type="application/json+oembed"]', (l) => l.href);
  assert.match(href, /\/skill-dominoes\/fig\/fig4\/oembed\.json$/);
  const oembed = await (await get(href)).json();
  assert.equal(oembed.version, '1.0');
  assert.equal(oembed.type, 'rich');
  assert.match(oembed.html, /^<iframe [^>]*src="[^"]*\/skill-dominoes\/\?v=1&amp;preset=fig4&amp;embed=1"/);
  assert.match(oembed.thumbnail_url, /\/skill-dominoes\/fig\/fig4\/card\.png$/);
  // a link shared from a figure page is the app's own link, at the project path's root
  await lab.testid('share-open').click();
  assert.equal(await lab.testid('share-link').inputValue(), `${env.base}/?v=1&preset=fig4`);
  assert.deepEqual(await strayFetches(lab), []);
  lab.assertNoErrors();
  await lab.close();
});

test('a sweep opened from a figure page runs in workers loaded from the project path', async () => {
  // fig7n0: not precomputed (a stored grid would show at once, with nothing to run);
  // autoplay=0: it is small enough to start by itself on open and finishes in ≈ 1.5 s, which
  // could beat the click (then "All 10 runs were already computed", and no workers seen)
  const lab = await env.open('/fig/fig4/?v=1&preset=fig7n0&autoplay=0', {}, 'sweep-chart');
  const workers = [];
  lab.page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
  await lab.testid('sweep-run').click();
  await lab.page.waitForFunction(
    () => /^Done: /.test(document.querySelector('[data-testid=sweep-status]')?.textContent ?? ''),
    null,
    { timeout: 120000 },
  );
  const mode = await lab.page.$eval('[data-testid=sweep-progress-wrap] .hint', (e) => e.textContent);
  assert.match(mode, /Web Workers?$/, mode);
  assert.ok(workers.length > 0 && workers.every((p) => p === '/skill-dominoes/sweep-worker.js'), workers.join(', '));
  assert.deepEqual(await strayFetches(lab), []);
  lab.assertNoErrors();
  await lab.close();
});
