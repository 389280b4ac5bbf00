// Issue 13 in the page: a paper sweep with a precomputed grid (data/grids, served as grids/)
// shows it at once, marked as precomputed with its provenance, the paper's exponents beside
// ours; a stored cell re-run live in the tab matches the stored one bit for bit.
// Run after `trunk build --release`: node --test e2e/grids.test.mjs
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

/** Wait for the status line to match `re`; returns its text. */
const status = async (lab, re, timeout = 15000) => {
  await lab.page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector('[data-testid=sweep-status]')?.textContent || ''),
    re.source,
    { timeout },
  );
  return lab.testid('sweep-status').textContent();
};

/** Open the runs table, press re-run on its `row`-th row and wait for the verdict. */
const rerun = async (lab, row, timeout) => {
  await lab.page.locator('details.sweep-table > summary').click();
  const button = lab.testid('sweep-rerun').nth(row);
  await button.click();
  const verdict = lab.testid('sweep-rerun-verdict').nth(row);
  await lab.page.waitForFunction(
    ([i]) => /^re-run: |^re-run failed/.test(document.querySelectorAll('[data-testid=sweep-rerun-verdict]')[i]?.textContent || ''),
    [row],
    { timeout },
  );
  return verdict.textContent();
};

test('fig10n: the precomputed grid is drawn at once with its provenance and the paper’s α_N; a cell re-run is identical', async () => {
  const t0 = Date.now();
  const lab = await env.open('/?v=1&preset=fig10n', {}, 'sweep-chart');
  const text = await status(lab, /^Precomputed: \d+ of 1400 runs shown at once/);
  const shownMs = Date.now() - t0;
  const [, n] = text.match(/^Precomputed: (\d+) of/);
  assert.equal(Number(n), 77 + 42 + 189 + 273, text);
  // nothing runs until asked: the rest waits for Run sweep
  assert.equal(await lab.testid('sweep-run').textContent(), 'Run sweep');
  const [value, max] = await lab.page.$eval('[data-testid=sweep-progress]', (p) => [Number(p.value), Number(p.max)]);
  assert.deepEqual([value, max], [581, 1400]);
  // the chart is drawn
  const ink = await lab.canvasInk('sweep-chart');
  assert.ok(ink.ink > 2000, `the final-loss chart has ink: ${JSON.stringify(ink)}`);
  // provenance: each grid's file, sweep link, commit, command and date
  const prov = await lab.testid('sweep-precomputed').textContent();
  assert.match(prov, /fig10n\.csv \(77 runs\)/);
  assert.match(prov, /fig10n-seeds\.csv \(42 runs\)/);
  assert.match(prov, /Sweep link v=1&preset=fig10n&sweep=dim:20,40,60,100,160,220,300,400,600,800,1000&sweep3=seed:0/);
  assert.match(prov, /commit ff4355b897d9/);
  assert.match(prov, /command RAYON_NUM_THREADS=1 nice -n 19 skills sweep/);
  assert.match(prov, /date 2026-12-06T/);
  // α_N per α, the paper's beside ours
  const exps = await lab.testid('sweep-exponents').textContent();
  assert.match(exps, /α_N \(N = 40→220\): .*α = 1: 0\.\d\d \(paper 0\.35\).*α = 2: \d\.\d\d \(paper 0\.96\)/);
  assert.match(exps, /Paper's α_N: arXiv 2501\.12391 Fig\. 10b/);
  // re-run the first stored cell (N = 20, α = 0.5, seed 0, 100 000 steps) live
  const verdict = await rerun(lab, 0, 240000);
  assert.match(verdict, /^re-run: identical \(every field, bit for bit; /, verdict);
  assert.deepEqual(lab.errors, []);
  console.log(`fig10n precomputed shown ${shownMs} ms after navigation; ${verdict}`);
  await lab.close();
});

test('fig10s: a whole stored sweep, α_S beside the paper’s, a re-run identical', async () => {
  const lab = await env.open('/?v=1&preset=fig10s', {}, 'sweep-chart');
  await status(lab, /^All 18 runs precomputed/);
  const exps = await lab.testid('sweep-exponents').textContent();
  assert.match(exps, /α_S \(steps 80→200\): .*α = 1: 0\.\d\d \(paper 0\.18\)/);
  const verdict = await rerun(lab, 4, 60000);
  assert.match(verdict, /^re-run: identical/, verdict);
  // an edited link (another step count) shares no stored run: nothing is marked precomputed
  assert.deepEqual(lab.errors, []);
  await lab.close();
});

test('choosing a paper sweep with stored grids in the picker shows them at once', async () => {
  const lab = await env.open('/?v=1&preset=fig4r&autoplay=0', {}, 'sweep-chart');
  await lab.page.waitForTimeout(300);
  assert.equal(await lab.testid('sweep-precomputed').count(), 0, 'fig4r has no stored grid');
  await lab.testid('sweep-preset').selectOption('fig10s');
  await status(lab, /^All 18 runs precomputed/);
  const prov = await lab.testid('sweep-precomputed').textContent();
  assert.match(prov, /fig10s\.csv \(18 runs\)/);
  // back to a sweep without stored grids: the box goes
  await lab.testid('sweep-preset').selectOption('fig4r');
  await lab.page.waitForFunction(() => !document.querySelector('[data-testid=sweep-precomputed]'));
  assert.deepEqual(lab.errors, []);
  await lab.close();
});

test('on a phone the stored grids’ provenance wraps (nothing is wider than the screen) and every control is 44 px tall', async () => {
  for (const preset of ['fig10n', 'fig18']) {
    const lab = await env.open(`/?v=1&preset=${preset}`, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, 'sweep-chart');
    await lab.testid('sweep-precomputed-grid').first().waitFor();
    const wide = await lab.page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      past: [...document.querySelectorAll('.sweep-precomputed *')]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth)
        .map((e) => `${e.tagName} ${e.textContent.slice(0, 40)}`),
    }));
    assert.deepEqual(wide, { overflow: 0, past: [] }, preset);
    await lab.page.locator('details.sweep-table > summary').click();
    const small = await lab.page.$$eval('button, select, input, summary, textarea', (els) =>
      els
        .filter((e) => e.offsetParent !== null && e.type !== 'checkbox' && e.type !== 'radio')
        .map((e) => [e.dataset.testid || e.id || e.tagName, Math.round(e.getBoundingClientRect().height)])
        .filter(([, h]) => h < 44),
    );
    assert.deepEqual(small, [], `${preset}: touch targets under 44 px`);
    lab.assertNoErrors();
    await lab.close();
  }
});
