// End-to-end tests of the Trunk-built page in headless Chromium (Debian's /usr/bin/chromium).
// Run from the repo root after `trunk build --release`:  node --test e2e/
// (scripts/browser-tests does both). harness.mjs serves dist/ on 127.0.0.1:<random port>.
// SHOT=path.png sets where the screenshot of the default page goes (default e2e/screenshot.png);
// the Resource model's screenshot goes beside it with a "-resource" suffix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, ROOT } from './harness.mjs';

const SHOT = path.resolve(process.env.SHOT || path.join(ROOT, 'e2e', 'screenshot.png'));
const SHOT_RESOURCE = SHOT.replace(/(\.png)?$/, '-resource.png');

let env;
const Lab = { open: (q, o) => env.open(q, o) };

before(async () => {
  env = await start();
});

after(async () => {
  await env?.stop();
});

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
  await lab.waitStopped(20000);
  assert.equal(await lab.step(), 1000, 'ran to the last step');
  const summary = await lab.testid('summary').textContent();
  assert.match(summary, /finished at \d+|started at step \d+/, summary);
  const fallen = await lab.page.$$eval('.tile', (ts) => ts.filter((t) => /rotate\((8\d(\.\d+)?|90)deg/.test(t.style.transform)).length);
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
  const lab = await Lab.open('/?v=1&m=domino&n=101');
  await lab.waitStepAbove(5);
  assert.equal(await lab.testid('tile').count(), 0);
  const strip = lab.page.locator('[data-testid=dominoes] canvas');
  assert.equal(await strip.count(), 1);
  lab.assertNoErrors();
  await lab.close();
});
