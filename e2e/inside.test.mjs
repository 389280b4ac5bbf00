// Issue 12, "Inside the real networks": on the Fig. 2 preset a reader opens the inside view;
// it records which hidden units serve which task and updates while the run plays: the units
// × time strip grows, the serving chart is drawn, and the sentence compares the network with
// the Resource model using the run's numbers. A toy model has no inside view.
// Run after `trunk build` (or --release): node --test e2e/inside.test.mjs
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

const snapshots = async (lab) => {
  const m = /\((\d+) so far\)/.exec(await lab.testid('inside-status').textContent());
  return m ? Number(m[1]) : 0;
};

test('the inside view of Fig. 2 appears when opened and updates while the run plays', async () => {
  const lab = await env.open('/?v=1&preset=fig2&autoplay=0');
  await lab.pause();
  assert.equal(await lab.step(), 0);
  await lab.testid('inside').waitFor();
  // closed by default: no canvases, nothing recorded
  assert.equal(await lab.testid('inside-units').count(), 0);
  await lab.testid('inside-open').check();
  await lab.testid('inside-units').waitFor();
  await lab.page.waitForFunction(() => /\(1 so far\)/.test(document.querySelector('[data-testid=inside-status]')?.textContent));
  assert.match(await lab.testid('inside-status').textContent(), /50 hidden units, a snapshot every 10 steps from step 0/);
  const before0 = await lab.canvasHash('inside-units');

  await lab.testid('play').click();
  await lab.waitStepAbove(60, 120000);
  await lab.page.waitForFunction(() => {
    const m = /\((\d+) so far\)/.exec(document.querySelector('[data-testid=inside-status]')?.textContent);
    return m && Number(m[1]) >= 5;
  }, null, { timeout: 30000 });
  const early = await snapshots(lab);
  const hashEarly = await lab.canvasHash('inside-units');
  assert.notEqual(hashEarly, before0, 'the strip grows');
  // task 1 (blue) dominates the strip before x1⊕x2 is learned
  const blue = await lab.colorPixels('inside-units', [0x4c, 0x8f, 0xd6], 60);
  assert.ok(blue > 500, `blue cells ${blue}`);
  const serving = await lab.canvasInk('inside-serving');
  assert.ok(serving.ink > 500, `serving chart drawn (${serving.ink})`);
  assert.match(await lab.testid('inside-verdict').textContent(), /^Before x1⊕x2 is learned \(so far\), the network gives it \d+ %/);

  // past t1 (≈ 175): the comparison of the second phase appears, the orange task shows up
  await lab.waitStepAbove(260, 240000);
  await lab.page.waitForFunction(
    () => /Once x1⊕x2 is learned/.test(document.querySelector('[data-testid=inside-verdict]')?.textContent),
    null,
    { timeout: 30000 },
  );
  await lab.pause();
  assert.ok((await snapshots(lab)) > early, 'more snapshots while playing');
  const verdict = await lab.testid('inside-verdict').textContent();
  assert.match(verdict, /they agree, both give it most\. Once x1⊕x2 is learned.*x3⊕x4 gets \d+ % of the network's units/);
  const orange = await lab.colorPixels('inside-units', [0xf2, 0x8e, 0x2b], 60);
  assert.ok(orange > 100, `orange cells ${orange}`);
  // closing stops the recording; reopening starts again
  await lab.testid('inside-open').uncheck();
  assert.equal(await lab.testid('inside-units').count(), 0);
  lab.assertNoErrors();
  await lab.close();
});

// The charts take the lab column's width (their time axes line up) and more height on a taller
// screen; on a phone they fit the screen. (A stylesheet block left open once kept them at the
// canvas's default 300 × 150 on every screen wider than 640 px.)
test('the inside charts use the space on a desktop and fit a phone', async () => {
  for (const [w, h, phone] of [[1280, 800, false], [1920, 1080, false], [390, 844, true]]) {
    const opts = phone ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {};
    const lab = await env.open('/?v=1&preset=fig2&autoplay=0', { viewport: { width: w, height: h }, ...opts });
    await lab.testid('inside-open').check();
    await lab.page.waitForFunction(() => /\(1 so far\)/.test(document.querySelector('[data-testid=inside-status]')?.textContent));
    const column = await lab.page.locator('[data-testid=inside]').evaluate((e) => e.clientWidth);
    for (const id of ['inside-units', 'inside-serving']) {
      const c = await lab.canvasInk(id);
      const at = `${id} at ${w}×${h}: ${c.cssWidth}×${c.cssHeight} in a panel ${column} wide`;
      assert.ok(c.cssWidth >= column - 60 && c.cssWidth <= w, at);
      assert.ok(phone ? c.cssHeight >= 190 && c.cssHeight <= 240 : c.cssHeight >= 250, at);
      assert.ok(c.width >= c.cssWidth, `${at}: drawn at the screen's resolution (${c.width} px)`);
      assert.ok(c.ink > 200, `${at}: drawn (${c.ink})`);
    }
    lab.assertNoErrors();
    await lab.close();
  }
});

test('a toy model has no inside view', async () => {
  const lab = await env.open('/?v=1&m=geometry&autoplay=0');
  await lab.testid('chart').waitFor();
  assert.equal(await lab.testid('inside').count(), 0);
  lab.assertNoErrors();
  await lab.close();
});
