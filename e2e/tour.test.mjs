// The guided tour (issue 12): the offer a first-time visitor gets, walking steps with Next,
// the browser's Back button, a cold deep link to a step, leaving the tour with the run kept,
// an embed of one step (and the Share dialog's snippet that makes it), a bad position, and a
// page where localStorage throws (a sandboxed frame).
// Run after `trunk build --release`: node --test e2e/tour.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';

let env;

before(async () => {
  env = await start();
});

after(async () => {
  await env?.stop();
});

/** The address's query as key → value (the last value of a key). */
function query(lab) {
  return Object.fromEntries(new URL(lab.page.url()).searchParams);
}

/** The card's "Step k of N · …" line. */
async function position(lab) {
  return (await lab.testid('tour-pos').textContent()).trim();
}

/** The keys of the controls the tour highlights. */
async function highlighted(lab) {
  return await lab.page.$$eval('.control.tour-try', (els) => els.map((e) => e.dataset.key));
}

test('offer → start → Next twice → browser Back; the offer is remembered', async () => {
  const lab = await env.open('/');
  await lab.testid('tour-offer').waitFor();
  assert.equal(await lab.testid('tour').count(), 0, 'nobody is forced into the tour');
  const len0 = await lab.page.evaluate(() => history.length);
  await lab.testid('tour-offer-start').click();
  await lab.testid('tour').waitFor();
  assert.match(await position(lab), /^Step 1 of \d+ · Fig\. 2$/);
  assert.equal(await lab.testid('tour-offer').count(), 0);
  let q = query(lab);
  assert.equal(q.tour, '1');
  assert.equal(q.preset, 'fig2');
  assert.deepEqual(await highlighted(lab), ['p2']);
  assert.match(await lab.testid('tour-announce').textContent(), /^Step 1 of \d+: The Domino effect/);
  // the number in the text is the claim's (lab::tour), filled in
  assert.match(await lab.testid('tour-text').textContent(), /step ≈ \d+/);

  await lab.testid('tour-next').click();
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('tour') === '2');
  q = query(lab);
  assert.equal(q.preset, 'fig4');
  assert.equal(q.p1, '0.95');
  assert.match(await position(lab), /^Step 2 of \d+ · Fig\. 4$/);
  assert.deepEqual(await highlighted(lab), ['opt']);
  assert.equal(await lab.testid('key-opt').inputValue(), 'signgd');

  await lab.testid('tour-next').click();
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('tour') === '3');
  assert.equal(query(lab).preset, 'fig12');
  assert.deepEqual(await highlighted(lab), ['rot']);
  assert.match(await lab.testid('tour-announce').textContent(), /^Step 3 of \d+: Why sign-based updates/);
  assert.equal(await lab.page.evaluate(() => history.length), len0 + 3, 'one history entry per step');

  // "Go to Rotated" focuses the highlighted control
  await lab.testid('tour-show').click();
  assert.equal(await lab.page.evaluate(() => document.activeElement?.id), 'k-rot');

  // the browser's Back button walks the tour back, run and card
  await lab.page.goBack();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=tour-pos]')?.textContent.startsWith('Step 2 '));
  assert.equal(query(lab).preset, 'fig4');
  assert.equal(await lab.testid('key-opt').inputValue(), 'signgd');
  assert.deepEqual(await highlighted(lab), ['opt']);
  await lab.page.goForward();
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=tour-pos]')?.textContent.startsWith('Step 3 '));
  // back to before the tour: no card, no highlight
  await lab.page.goBack();
  await lab.page.goBack();
  await lab.page.goBack();
  await lab.page.waitForFunction(() => !document.querySelector('[data-testid=tour]'));
  assert.equal(query(lab).tour, undefined);
  assert.deepEqual(await highlighted(lab), []);

  // a later visit in the same browser is not offered the tour again
  await lab.page.goto(env.base + '/');
  await lab.testid('chart').waitFor();
  await lab.testid('tour-start').waitFor();
  assert.equal(await lab.testid('tour-offer').count(), 0);
  lab.assertNoErrors();
  await lab.close();
});

test('a cold deep link to a step, by position alone or with its link', async () => {
  const lab = await env.open('/?tour=5');
  await lab.testid('tour').waitFor();
  assert.match(await position(lab), /^Step 5 of \d+ · Figs 6, 7$/);
  // the address now names the run on screen (written in place: no new entry)
  const q = query(lab);
  assert.equal(q.tour, '5');
  assert.equal(q.preset, 'fig6');
  assert.equal(q.m, 'resource');
  assert.equal(await lab.testid('key-n0').inputValue(), '0.003');
  assert.equal(await lab.testid('model').inputValue(), 'resource');
  assert.deepEqual(await highlighted(lab), ['n0']);
  assert.equal(await lab.testid('tour-offer').count(), 0, 'no offer inside the tour');
  await lab.testid('tour-back').click();
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('tour') === '4');
  assert.equal(query(lab).preset, 'fig5');
  lab.assertNoErrors();
  await lab.close();

  const lab2 = await env.open('/?v=1&preset=fig9&n=5&tour=6');
  await lab2.testid('tour').waitFor();
  assert.match(await position(lab2), /^Step 6 of /);
  // the link's own values are kept (the reader had changed n)
  assert.equal(await lab2.testid('key-n').inputValue(), '5');
  lab2.assertNoErrors();
  await lab2.close();
});

test('leave the tour: the same run in the full lab, focus on the Tour button', async () => {
  const lab = await env.open('/?tour=3');
  await lab.testid('tour').waitFor();
  await lab.testid('key-opt').selectOption('sgd');
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('opt') === 'sgd');
  assert.equal(query(lab).tour, '3', 'a change inside the tour keeps the position');
  const before = query(lab);
  await lab.testid('tour-leave').click();
  await lab.page.waitForFunction(() => !document.querySelector('[data-testid=tour]'));
  const after = query(lab);
  assert.equal(after.tour, undefined);
  delete before.tour;
  assert.deepEqual(after, before, 'the same state');
  assert.equal(await lab.testid('key-opt').inputValue(), 'sgd');
  assert.deepEqual(await highlighted(lab), []);
  assert.equal(await lab.page.evaluate(() => document.activeElement?.dataset.testid), 'tour-start');
  lab.assertNoErrors();
  await lab.close();
});

test('a step embeds on its own, and the Share dialog makes that embed', async () => {
  const lab = await env.open('/?tour=2');
  await lab.testid('tour').waitFor();
  await lab.testid('share-open').click();
  await lab.testid('share').waitFor();
  const code = await lab.testid('share-embed').inputValue();
  const src = code.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const u = new URL(src);
  assert.equal(u.searchParams.get('tour'), '2', code);
  assert.equal(u.searchParams.get('embed'), '1', code);
  assert.match(await lab.testid('share-link').inputValue(), /[?&]tour=2(&|$)/);
  await lab.close();

  const emb = await env.open(u.pathname + u.search);
  await emb.testid('tour').waitFor();
  assert.match(await position(emb), /^Step 2 of /);
  assert.equal(await emb.testid('tour-next').count(), 0, 'an embed shows its step only');
  assert.equal(await emb.testid('tour-offer').count(), 0, 'never an offer in an embed');
  assert.equal(await emb.testid('tour-start').count(), 0);
  const open = new URL(await emb.testid('tour-open').getAttribute('href'));
  assert.equal(open.searchParams.get('tour'), '2');
  assert.equal(open.searchParams.get('embed'), null);
  emb.assertNoErrors();
  await emb.close();
});

test('a bad position is named and the lab opens without the tour', async () => {
  const lab = await env.open('/?v=1&preset=fig4&tour=99');
  await lab.testid('tour-problem').waitFor();
  assert.match(await lab.testid('tour-problem').textContent(), /tour = 99: not a step of the tour \(1 … \d+\)/);
  assert.equal(await lab.testid('tour').count(), 0);
  assert.equal(query(lab).preset, 'fig4');
  lab.assertNoErrors();
  await lab.close();
});

test('without localStorage (it throws, as in a sandboxed frame) the offer still works', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('The document is sandboxed', 'SecurityError');
      },
    });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.base + '/');
  await page.getByTestId('tour-offer').waitFor();
  await page.getByTestId('tour-offer-dismiss').click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=tour-offer]'));
  await page.getByTestId('tour-start').click();
  await page.getByTestId('tour').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the scaling-law step shows Fig. 10’s precomputed grid at once, the paper’s α_N beside ours, and leads to it in the Sweeps page', async () => {
  const lab = await env.open('/?tour=8', {}, 'tour');
  assert.match(await position(lab), /^Step 8 of \d+ · Fig\. 10$/);
  await lab.testid('tour-stored').waitFor();
  await lab.page.waitForFunction(() => /: \d+ of the \d+ runs of the grid/.test(document.querySelector('[data-testid=tour-stored] figcaption')?.textContent || ''), null, { timeout: 15000 });
  const caption = await lab.page.locator('[data-testid=tour-stored] figcaption').textContent();
  assert.match(caption, /^Precomputed at the paper's scale: \d+ of the 1400 runs of the grid$/);
  const text = await lab.testid('tour-stored-text').textContent();
  assert.match(text, /α_N \(N = 40→220\): .*α = 1: 0\.\d\d \(paper 0\.35\).*α = 2: \d\.\d\d \(paper 0\.96\)/);
  assert.match(text, /fig10n\.csv \(\d+ runs, commit [0-9a-f]{12}, 2026-/);
  const ink = await lab.canvasInk('tour-stored-chart');
  assert.ok(ink.ink > 1500, `the exponents chart has ink: ${JSON.stringify(ink)}`);
  assert.match(await lab.testid('tour-stored-open').getAttribute('href'), /\?v=1&preset=fig10n$/);
  await lab.testid('tour-stored-open').click();
  await lab.testid('sweep-precomputed').waitFor({ timeout: 15000 });
  assert.deepEqual(lab.errors, []);
  await lab.close();
});

test('while the offer floats, the page scrolls its end above it (the footer stays reachable)', async () => {
  for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
    const lab = await env.open('/?v=1&autoplay=0', { viewport });
    await lab.testid('tour-offer').waitFor();
    await lab.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const [offer, summary] = await Promise.all([
      lab.testid('tour-offer').boundingBox(),
      lab.page.locator('details.perf summary').boundingBox(),
    ]);
    assert.ok(summary.y + summary.height <= offer.y, `${viewport.width} px: the Performance summary (bottom ${summary.y + summary.height}) is above the offer (top ${offer.y})`);
    // a click reaches it, with the offer still there
    await lab.page.locator('details.perf summary').click();
    assert.equal(await lab.page.locator('details.perf').evaluate((d) => d.open), true);
    assert.equal(await lab.testid('tour-offer').count(), 1);
    assert.deepEqual(lab.errors, []);
    await lab.close();
  }
});
