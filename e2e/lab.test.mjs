// The live lab driven as a reader would (issue 3): scrub, hover, change a control, switch
// model, compare, theory overlays, prerequisite links, the help dialog, the stop condition,
// the history, the phone layout. Each test asserts on what is drawn or shown and that the
// console stayed clean. Run after `trunk build --release`: node --test e2e/
// SHOTS=dir writes the screenshots (default view, a 10-skill cascade mid-run, phone) there
// (default: e2e/, where *.png is ignored by git).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, ROOT } from './harness.mjs';

const SHOTS = path.resolve(process.env.SHOTS || path.join(ROOT, 'e2e'));

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

/** Run to the end at full speed. */
async function runToEnd(lab, timeout = 30000) {
  await lab.pause();
  await lab.testid('speed').fill('12');
  await lab.testid('play').click();
  await lab.waitStopped(timeout);
}

/** Rotation of each domino tile, in degrees. */
async function tileAngles(lab, testid = 'dominoes') {
  return await lab.page.$$eval(`[data-testid=${testid}] .tile`, (ts) =>
    ts.map((t) => Number((/rotate\(([-\d.]+)deg\)/.exec(t.style.transform) || [0, 0])[1])),
  );
}

test('scrubbing back shows kept frames without recomputing, and Play replays them', async () => {
  const lab = await env.open('/?v=1&m=resource');
  await runToEnd(lab);
  assert.equal(await lab.step(), 1000);
  const endAngles = await tileAngles(lab);
  const endLoss = await lab.loss();
  const endChart = await lab.canvasHash('chart');

  await lab.testid('scrub').fill('100');
  assert.equal(await lab.step(), 100, 'the step readout follows the scrubber');
  assert.equal(await lab.testid('readout-step').textContent(), '100');
  assert.match(await lab.testid('timeline-note').textContent(), /scrubbed back: 1000 steps computed/);
  const at100 = await tileAngles(lab);
  assert.ok(at100.reduce((a, b) => a + b) < endAngles.reduce((a, b) => a + b) - 90, `tiles stand up again: ${at100} vs ${endAngles}`);
  const loss100 = await lab.loss();
  assert.notEqual(loss100, endLoss);
  await lab.page.waitForTimeout(100);
  assert.notEqual(await lab.canvasHash('chart'), endChart, 'the cursor moved on the chart');

  // Back and forth: the same numbers, and the computed run is still 1000 steps long.
  await lab.testid('scrub').fill('700');
  await lab.testid('scrub').fill('100');
  assert.equal(await lab.loss(), loss100);
  assert.equal(await lab.testid('scrub').evaluate((s) => s.max), '1000');

  // → steps through the kept frames.
  await lab.testid('stepbtn').click();
  assert.equal(await lab.step(), 101);

  // Play replays the kept frames up to the end, then follows the run again.
  await lab.testid('play').click();
  await lab.waitStopped();
  assert.equal(await lab.step(), 1000);
  assert.equal(await lab.loss(), endLoss, 'the same end state');
  assert.match(await lab.testid('timeline-note').textContent(), /following the run/);
  lab.assertNoErrors();
  await lab.close();
});

test('hovering a chart reads every value at that step; leaving returns to the newest', async () => {
  const lab = await env.open('/?v=1&m=resource&n=5');
  await runToEnd(lab);
  const rows = await lab.testid('readout-row').count();
  assert.equal(rows, 5, 'one row per skill');
  const box = await lab.testid('chart').boundingBox();
  // Somewhere left of the middle of the plot area.
  await lab.page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await lab.page.waitForFunction(() => Number(document.querySelector('[data-testid=readout-step]').textContent) < 1000);
  const hovered = Number(await lab.testid('readout-step').textContent());
  assert.ok(hovered > 50 && hovered < 600, `hovered step ${hovered}`);
  assert.equal(await lab.step(), hovered, 'the transport readout shows it too');
  const cells = await lab.page.$$eval('[data-testid=readout-row] td.num', (tds) => tds.map((t) => t.textContent));
  assert.ok(cells.length >= 10 && cells.every((c) => c !== '' && !c.includes('NaN')), cells.join(' '));
  await lab.page.mouse.move(5, 5);
  await lab.page.waitForFunction(() => document.querySelector('[data-testid=readout-step]').textContent === '1000');
  lab.assertNoErrors();
  await lab.close();
});

test('a control restarts the run and the link follows (a drag adds one entry, each discrete edit one)', async () => {
  const lab = await env.open('/?v=1&m=resource&n=5');
  await lab.waitStepAbove(100);
  await lab.pause();
  const before = await lab.canvasHash('chart');
  const h0 = await lab.page.evaluate(() => history.length);

  // A slider: the run restarts, the drag adds one history entry (its later values replace it).
  await lab.testid('slider-alpha').fill('1');
  await lab.page.waitForFunction(() => /alpha=1(&|$)/.test(location.search));
  assert.equal(await lab.page.evaluate(() => history.length), h0 + 1, 'one entry for the drag');
  assert.match(await lab.testid('status').textContent(), /alpha = 1: the run restarted from step 0/);
  await lab.page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) < 100);
  assert.equal(await lab.testid('key-alpha').inputValue(), '1', 'the number box follows');
  await lab.page.waitForTimeout(100);
  assert.notEqual(await lab.canvasHash('chart'), before, 'the chart was redrawn');

  // A typed number.
  await lab.testid('key-n0').fill('0.05');
  await lab.testid('key-n0').press('Enter');
  await lab.page.waitForFunction(() => /n0=0\.05/.test(location.search));
  assert.equal(await lab.page.evaluate(() => history.length), h0 + 2, 'pushState for a typed value');

  // A choice: a new history entry.
  await lab.testid('key-loss').selectOption('ce');
  await lab.page.waitForFunction(() => /loss=ce/.test(location.search));
  assert.equal(await lab.page.evaluate(() => history.length), h0 + 3, 'pushState for a discrete act');

  // A bad value is named and changes nothing.
  await lab.testid('key-n').fill('0');
  await lab.testid('key-n').press('Enter');
  await lab.testid('problem-n').waitFor();
  assert.doesNotMatch(lab.link(), /n=0/);
  assert.equal(await lab.testid('tile').count(), 5);

  // The end step applies to the run as it is.
  await runToEnd(lab);
  await lab.testid('key-steps').fill('1500');
  await lab.testid('key-steps').press('Enter');
  assert.match(await lab.testid('status').textContent(), /no restart/);
  assert.equal(await lab.step(), 1000, 'kept');
  await lab.testid('play').click();
  await lab.waitStepAbove(1000);
  lab.assertNoErrors();
  await lab.close();
});

test('panels are built per model from the schema, each control labelled with a tooltip', async () => {
  const lab = await env.open('/?v=1');
  const keys = async () => lab.page.$$eval('[data-testid=panels] .control', (cs) => cs.map((c) => c.dataset.key));
  const geo = await keys();
  for (const k of ['seed', 'steps', 'thr', 'n', 'alpha', 'dim', 'batch', 'loss', 'grad', 'vec', 'noise', 'opt', 'lr', 'wd']) {
    assert.ok(geo.includes(k), `${k} in ${geo}`);
  }
  assert.ok(!geo.includes('beta1'), 'SignGD reads no moment decay');
  assert.ok(!geo.includes('n0') && !geo.includes('tau'), 'no Resource or parallel keys');
  const title = await lab.page.locator('.control[data-key=lr]').getAttribute('title');
  assert.match(title, /^η \(lr\): /, title);
  assert.match(await lab.page.locator('.control[data-key=lr] .range').textContent(), /10/);
  // Every control has a label pointing at it.
  const unlabelled = await lab.page.$$eval('[data-testid=panels] .control', (cs) =>
    cs.filter((c) => !c.querySelector('label')?.htmlFor || !document.getElementById(c.querySelector('label').htmlFor)).map((c) => c.dataset.key),
  );
  assert.deepEqual(unlabelled, []);

  // Switch model: the panels follow, the link gets a new entry, and Back returns.
  const h0 = await lab.page.evaluate(() => history.length);
  await lab.page.locator('#model').selectOption('resource');
  const res = await keys();
  for (const k of ['n0', 'eta_eff', 'and', 'or', 'gate_a', 'overlap', 'sw']) assert.ok(res.includes(k), `${k} in ${res}`);
  assert.ok(!res.includes('batch') && !res.includes('opt'));
  assert.equal(await lab.page.evaluate(() => history.length), h0 + 1);
  await lab.page.locator('#model').selectOption('parallel');
  assert.ok((await keys()).includes('tau'));
  await lab.page.locator('#model').selectOption('quadratic');
  assert.ok((await keys()).includes('rot'));
  assert.equal(await lab.testid('tile').count(), 4);
  await lab.page.goBack();
  await lab.page.waitForFunction(() => document.querySelector('#model').value === 'parallel');
  assert.equal(lab.link(), '?v=1&m=parallel');
  assert.ok((await keys()).includes('tau'));
  lab.assertNoErrors();
  await lab.close();
});

test('tabs switch the second chart: loss, aligned dimensions, collapse', async () => {
  const lab = await env.open('/?v=1&n=4&dim=200&steps=300');
  await runToEnd(lab);
  const loss = await lab.canvasHash('losschart');
  await lab.testid('tab-align').check();
  await lab.page.waitForTimeout(100);
  const align = await lab.canvasHash('losschart');
  assert.notEqual(align, loss);
  assert.ok((await lab.colorPixels('losschart', [0x4c, 0x8f, 0xd6])) > 50, 'skill 1 blue curve of n_align');
  assert.equal((await lab.page.$$eval('[data-testid=readout] th', (t) => t.map((x) => x.textContent))).includes('n_align'), true);
  await lab.testid('tab-collapse').check();
  await lab.page.waitForTimeout(100);
  assert.notEqual(await lab.canvasHash('losschart'), align);
  // The Resource model has no aligned dimensions: its tab is disabled.
  await lab.page.locator('#model').selectOption('resource');
  assert.equal(await lab.testid('tab-align').isDisabled(), true);
  lab.assertNoErrors();
  await lab.close();
});

test('theory overlays: Domino ramps, the best-fit N0 over a Geometry run, two skills', async () => {
  const lab = await env.open('/?v=1&n=3&dim=300&batch=256&steps=300');
  await runToEnd(lab);
  const plain = await lab.canvasHash('chart');
  await lab.testid('ov-domino').check();
  await lab.page.waitForTimeout(100);
  const withRamps = await lab.canvasHash('chart');
  assert.notEqual(withRamps, plain, 'dashed ramps drawn');
  await lab.testid('ov-fit').check();
  await lab.page.waitForFunction(() => /Best N0 = /.test(document.querySelector('[data-testid=fit-status]').textContent), null, {
    timeout: 20000,
  });
  const status = await lab.testid('fit-status').textContent();
  const n0 = Number(/Best N0 = ([\d.e-]+)/.exec(status)[1]);
  assert.ok(n0 > 1e-4 && n0 < 100, status);
  await lab.page.waitForTimeout(100);
  assert.notEqual(await lab.canvasHash('chart'), withRamps, 'dashed Resource curves drawn');
  await lab.testid('ov-domino').uncheck();
  await lab.testid('ov-fit').uncheck();
  await lab.page.waitForTimeout(100);
  assert.equal(await lab.canvasHash('chart'), plain, 'switching both off restores the chart');
  lab.assertNoErrors();
  await lab.close();

  // Two skills in the Resource model with N0 = 0: measured t2/t1 next to the formula.
  const two = await env.open('/?v=1&m=resource&freq=two&p1=0.8&n0=0&eta_eff=0.02&steps=200');
  await runToEnd(two);
  assert.equal(await two.testid('ratio-theory').textContent(), '1.42');
  assert.equal(await two.testid('ratio-naive').textContent(), '4.00');
  const measured = Number((await two.testid('ratio-measured').textContent()).split(' ')[0]);
  assert.ok(Math.abs(measured - 1.42) < 0.05, `measured ${measured}`);
  two.assertNoErrors();
  await two.close();
});

test('compare: two runs side by side on one seed, one time axis and one scrubber', async () => {
  const lab = await env.open('/?v=1');
  await lab.page.getByRole('button', { name: 'SignGD vs SGD' }).click();
  await lab.testid('chart-b').waitFor();
  assert.match(lab.link(), /#vs=opt%3Dsgd%26lr%3D0\.03$/);
  assert.equal(await lab.testid('tile').count(), 20, 'two domino rows');
  await runToEnd(lab);
  assert.ok((await lab.canvasInk('chart-b')).ink > 3000, 'B drawn');
  // SGD leaves the rare skills far behind: B's loss is higher at the end.
  const la = Number(await lab.testid('readout-loss').textContent());
  const lb = Number(await lab.testid('readout-loss-b').textContent());
  assert.ok(lb > la, `SGD ${lb} vs SignGD ${la}`);
  const anglesB = await tileAngles(lab, 'dominoes-b');
  await lab.testid('scrub').fill('200');
  assert.equal(await lab.testid('readout-step').textContent(), '200');
  assert.notEqual(String(await tileAngles(lab, 'dominoes-b')), String(anglesB), 'B scrubbed too');
  assert.notEqual(await lab.testid('readout-loss-b').textContent(), String(lb));

  // The link reopens the comparison; a custom one from the text box; stop comparing.
  const reopened = await env.open(lab.link());
  await reopened.testid('chart-b').waitFor();
  assert.match(await reopened.testid('cmp-status').textContent(), /opt = sgd, lr = 0.03/);
  await reopened.close();
  await lab.testid('cmp-text').fill('n0=1&m=resource');
  await lab.testid('cmp-apply').click();
  await lab.page.waitForFunction(() => /vs=n0%3D1/.test(location.hash));
  await lab.testid('cmp-off').click();
  assert.equal(await lab.testid('chart-b').count(), 0);
  assert.equal(new URL(lab.page.url()).hash, '');
  lab.assertNoErrors();
  await lab.close();
});

test('prerequisites: links from parents, a composite waits until its gate opens', async () => {
  // Fig. 17 case 1: the chain T1 → T2 → T3.
  const lab = await env.open('/?v=1&m=resource&n=3&p=0.3,1,3&and=2:1,3:2&gate_a=0.0001&n0=0.001&eta_eff=0.001&steps=5000');
  assert.equal(await lab.testid('link').count(), 2);
  assert.deepEqual(await lab.testid('needs').allTextContents(), ['⇐1', '⇐2']);
  await lab.pause();
  await lab.testid('reset').click();
  assert.equal(await lab.page.locator('.tile.waiting').count(), 2, 'both composites wait at step 0');
  assert.equal(await lab.page.locator('.link.open').count(), 0);
  await runToEnd(lab);
  assert.equal(await lab.page.locator('.tile.waiting').count(), 0);
  assert.equal(await lab.page.locator('.link.open').count(), 2);
  // Mid-way, T2 is learned but not T3: only the first link is open.
  await lab.testid('scrub').fill('1600');
  assert.equal(await lab.page.locator('.link.open').count(), 1);
  assert.equal(await lab.page.locator('.tile.waiting').count(), 1);
  lab.assertNoErrors();
  await lab.close();
});

test('help dialog, stop when all are learned, new seed', async () => {
  const lab = await env.open('/?v=1&m=domino&n=3');
  await lab.page.locator('h1').click();
  await lab.page.keyboard.press('?');
  const dialog = lab.testid('help');
  assert.equal(await dialog.evaluate((d) => d.open), true);
  assert.match(await dialog.textContent(), /Space.*Play or pause.*→.*R.*Reset.*\?/s);
  await lab.page.keyboard.press('Escape');
  assert.equal(await dialog.evaluate((d) => d.open), false);
  await lab.testid('helpbtn').click();
  assert.equal(await dialog.evaluate((d) => d.open), true);
  await lab.testid('helpclose').click();
  assert.equal(await dialog.evaluate((d) => d.open), false);

  // Three skills of t0 ≈ 52.7 steps: all learned near step 150 of 1000.
  await lab.pause();
  await lab.testid('stoplearned').check();
  await lab.testid('reset').click();
  await lab.testid('play').click();
  await lab.waitStopped();
  const stopped = await lab.step();
  assert.ok(stopped > 130 && stopped < 200, `stopped at ${stopped}`);
  assert.match(await lab.testid('status').textContent(), /every skill is learned/);
  // Play again runs on to the end step.
  await lab.testid('play').click();
  await lab.waitStepAbove(stopped + 10);

  const seed = new URL(lab.page.url()).searchParams.get('seed');
  await lab.testid('newseed').click();
  const seed2 = new URL(lab.page.url()).searchParams.get('seed');
  assert.ok(seed2 && seed2 !== seed, `seed ${seed} -> ${seed2}`);
  lab.assertNoErrors();
  await lab.close();
});

test('a preset link keeps its preset when a control changes', async () => {
  const lab = await env.open('/?v=1&preset=fig4');
  await lab.waitStepAbove(10);
  await lab.testid('slider-p1').fill('0.5');
  await lab.page.waitForFunction(() => /p1=0\.5/.test(location.search));
  assert.match(lab.link(), /^\?v=1&preset=fig4&p1=0\.5$/);
  lab.assertNoErrors();
  await lab.close();
});

test('loading skeleton until the wasm arrives; touch scrubs on a phone', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(env.base + '/?v=1&m=resource');
  await page.locator('#loading .sk-chart').first().waitFor();
  assert.ok((await page.locator('#loading .sk').count()) >= 3, 'skeleton blocks');
  release();
  await page.getByTestId('chart').waitFor();
  assert.equal(await page.locator('#loading').count(), 0);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]').textContent) > 300);
  const box = await page.getByTestId('chart').boundingBox();
  // the axis follows the cascade (about 0..400 here), so the middle of the chart is ≈ step 150
  await page.touchscreen.tap(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.waitForFunction(() => /scrubbed back/.test(document.querySelector('[data-testid=timeline-note]').textContent));
  const step = Number(await page.getByTestId('step').textContent());
  assert.ok(step > 50 && step < 400, `tapped step ${step}`);
  assert.equal((await page.getByTestId('play').textContent()).trim(), 'Play', 'a tap pauses');
  assert.deepEqual(errors, []);
  await context.close();
});

test('screenshots: default view, a 10-skill cascade mid-run, phone layout', async (t) => {
  const lab = await env.open('/');
  await lab.waitStepAbove(150);
  await lab.page.screenshot({ path: path.join(SHOTS, 'shot-default.png') });
  await lab.close();

  const cascade = await env.open('/?v=1&m=resource&n=10');
  await runToEnd(cascade);
  await cascade.testid('ov-domino').check();
  await cascade.testid('scrub').fill('330');
  const angles = await tileAngles(cascade);
  const falling = angles.every((a, i) => i === 0 || a <= angles[i - 1] + 0.01);
  assert.ok(angles[0] > 85 && angles[9] < 45 && falling, `a cascade mid-way: ${angles}`);
  await cascade.page.screenshot({ path: path.join(SHOTS, 'shot-cascade.png'), fullPage: true });
  cascade.assertNoErrors();
  await cascade.close();

  const phone = await env.open('/', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.waitStepAbove(100);
  await phone.page.screenshot({ path: path.join(SHOTS, 'shot-phone.png'), fullPage: true });
  // Stacked, nothing wider than the screen, every control at least 44 px tall.
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `horizontal overflow ${overflow}px`);
  const small = await phone.page.$$eval('button, select, input, summary', (els) =>
    els
      .filter((e) => e.offsetParent !== null && e.type !== 'checkbox' && e.type !== 'radio')
      .map((e) => [e.dataset.testid || e.id || e.tagName, e.getBoundingClientRect().height])
      .filter(([, h]) => h < 44),
  );
  assert.deepEqual(small, [], 'touch targets under 44 px');
  const smallChecks = await phone.page.$$eval('label.check, label.tab', (els) =>
    els.filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44).map((e) => e.textContent),
  );
  assert.deepEqual(smallChecks, [], 'checkbox and radio rows under 44 px');
  phone.assertNoErrors();
  await phone.close();
  t.diagnostic(`screenshots in ${SHOTS}: shot-default.png, shot-cascade.png, shot-phone.png`);
});

// Issue 14, "Defects found by using it".

test('a Compare quick button keeps the run on screen as A (Fig. 4’s two skills, its link)', async () => {
  const lab = await env.open('/?v=1&preset=fig4&opt=signgd&p1=0.9');
  assert.equal(await lab.testid('tile').count(), 2);
  await lab.page.getByRole('button', { name: 'SignGD vs SGD' }).click();
  await lab.testid('chart-b').waitFor();
  assert.equal(await lab.testid('tile').count(), 4, 'two rows of two dominoes, not the default 10-skill model');
  assert.match(lab.link(), /^\?v=1&preset=fig4&p1=0\.9#vs=opt%3Dsgd%26lr%3D0\.03$/);
  assert.match(await lab.testid('status').textContent(), /A is the run on screen/);
  lab.assertNoErrors();
  await lab.close();
});

test('#vs= differences B ignores are counted in B’s label and named in the notice', async () => {
  const lab = await env.open('/?v=1&n=4#vs=bogus%3D1%26opt%3Dsgd');
  await lab.testid('chart-b').waitFor();
  const head = await lab.page.locator('.side-head').allTextContents();
  assert.ok(head.some((h) => /^B · opt = sgd \(1 ignored\)$/.test(h)), head.join(' | '));
  assert.match(await lab.testid('cmp-status').textContent(), /opt = sgd \(1 ignored\)/);
  assert.match(await lab.testid('notice').textContent(), /B \(#vs=\): bogus: not a key/);
  lab.assertNoErrors();
  await lab.close();
});

test('the Parameters panel shows only what the run reads (model, frequency mode, optimizer)', async () => {
  const keys = async (lab) => lab.page.$$eval('[data-testid=panels] .control', (cs) => cs.map((c) => c.dataset.key));
  const fig17 = await env.open('/?v=1&preset=fig17');
  let k = await keys(fig17);
  for (const gone of ['n', 'alpha', 'p1', 'lr', 'dim']) assert.ok(!k.includes(gone), `Fig. 17 hides ${gone}: ${k}`);
  assert.ok(k.includes('p') && k.includes('eta_eff'), String(k));
  assert.equal(await fig17.testid('key-freq').inputValue(), 'list', 'the mode the run uses');
  // leaving the list for zipf brings n and α back
  await fig17.testid('key-freq').selectOption('zipf');
  await fig17.page.waitForFunction(() => document.querySelector('[data-key=alpha]'));
  assert.match(fig17.link(), /^\?v=1&preset=fig17&p=$/, 'the list is left');
  k = await keys(fig17);
  assert.ok(k.includes('n') && k.includes('alpha') && !k.includes('p'), String(k));
  fig17.assertNoErrors();
  await fig17.close();

  const fig4 = await env.open('/?v=1&preset=fig4');
  k = await keys(fig4);
  assert.ok(!k.includes('alpha') && !k.includes('n') && k.includes('p1'), `Fig. 4: ${k}`);
  await fig4.testid('key-opt').selectOption('adam');
  await fig4.page.waitForFunction(() => document.querySelector('[data-key=beta1]'));
  fig4.assertNoErrors();
  await fig4.close();
});

test('discrete edits push history entries: Back undoes them one at a time', async () => {
  const lab = await env.open('/?v=1&n=4&steps=300');
  await lab.pause();
  const h0 = await lab.page.evaluate(() => history.length);
  await lab.testid('key-opt').selectOption('adam');
  await lab.page.waitForFunction(() => /opt=adam/.test(location.search));
  await lab.testid('key-lr').fill('0.001');
  await lab.testid('key-lr').press('Enter');
  await lab.page.waitForFunction(() => /lr=0\.001/.test(location.search));
  // a step button of the number box (ArrowUp steps it and fires change on Enter)
  await lab.testid('key-seed').focus();
  await lab.page.keyboard.press('ArrowUp');
  await lab.page.keyboard.press('Enter');
  await lab.page.waitForFunction(() => /seed=1/.test(location.search));
  assert.equal(await lab.page.evaluate(() => history.length), h0 + 3);
  await lab.page.goBack();
  await lab.page.waitForFunction(() => !/seed=1/.test(location.search));
  assert.match(lab.link(), /lr=0\.001/);
  await lab.page.goBack();
  await lab.page.waitForFunction(() => !/lr=/.test(location.search));
  assert.match(lab.link(), /opt=adam/);
  assert.equal(await lab.testid('key-opt').inputValue(), 'adam');
  lab.assertNoErrors();
  await lab.close();
});

test('a log slider sets nice numbers (steps=1000, not 977)', async () => {
  const lab = await env.open('/?v=1&n=4');
  await lab.testid('slider-steps').fill('2.99');
  await lab.page.waitForFunction(() => /steps=|^\?v=1&n=4$/.test(location.search));
  assert.doesNotMatch(lab.link(), /steps=977/);
  await lab.testid('slider-steps').fill('3.18');
  await lab.page.waitForFunction(() => /steps=1500/.test(location.search));
  lab.assertNoErrors();
  await lab.close();
});

test('a link that would make the page crawl is reduced by name, with the CLI command', async () => {
  const t0 = Date.now();
  const lab = await env.open('/?v=1&n=10000');
  const load = Date.now() - t0;
  const notice = await lab.testid('notice').textContent();
  assert.match(notice, /Reduced: skills 10000 → 1000/);
  assert.match(notice, /skills run '[^']*n=10000[^']*'/);
  assert.equal(await lab.testid('readout-row').count(), 100, 'the table caps its rows');
  assert.match(await lab.testid('readout-more').textContent(), /900 more/);
  assert.ok(load < 10000, `loaded in ${load} ms`);
  console.log(`n=10000: loaded in ${load} ms`);
  lab.assertNoErrors();
  await lab.close();
  // a typed size is reduced the same way, and said so
  const typed = await env.open('/?v=1&n=200&vec=unit');
  await typed.pause();
  await typed.testid('key-dim').fill('100000');
  await typed.testid('key-dim').press('Enter');
  await typed.page.waitForFunction(() => /Reduced: dim 100000 → \d+/.test(document.querySelector('[data-testid=status]').textContent));
  const dim = Number(/dim=(\d+)/.exec(typed.link())[1]);
  assert.ok(dim >= 200 && dim < 100000, `dim ${dim}`);
  typed.assertNoErrors();
  await typed.close();
});
