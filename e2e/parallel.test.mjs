// Issue 13 in the page: a real network trained across Web Workers (data parallel, 16 fixed
// shards and a fixed reduction tree: docs/models.md §13) gives the same numbers as the page's
// own thread, which takes over where workers cannot start.
// Run after `trunk build --release`: node --test e2e/parallel.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { start, Lab } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const LINK = '/?v=1&preset=fig19&steps=300';

/** The Performance readout's account of the rounds (lab::FrameStats): every step is a round. */
const ROUNDS = /\b(\d{3,}) rounds across the Web Workers: [\d.]+ ms per round on average, of which [\d.]+ ms the page's own share and [\d.]+ ms waiting for the workers after it\.$/;

/** Wait for the status line to match `re`; returns its text. */
async function status(lab, re, timeout = 20000) {
  await lab.page.waitForFunction(
    (src) => new RegExp(src).test(document.querySelector('[data-testid=status]')?.textContent || ''),
    re.source,
    { timeout },
  );
  return lab.testid('status').textContent();
}

/** Open `query` where the worker script cannot load: the page trains on its own thread. */
async function openAlone(query) {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  await context.route('**/net-worker.js', (r) => r.abort());
  const lab = new Lab(await context.newPage());
  lab.context = context;
  await lab.page.goto(env.base + query);
  await lab.testid('chart').waitFor();
  return lab;
}

/** Play the run to its end and return its CSV export. */
async function csvAtTheEnd(lab) {
  await lab.waitStopped(120000);
  assert.equal(await lab.step(), 300);
  const [dl] = await Promise.all([lab.page.waitForEvent('download'), lab.testid('export-csv').click()]);
  return (await readFile(await dl.path())).toString('utf8');
}

test('a network trains on the Web Workers and gives the numbers of the page’s own thread', async () => {
  const workers = await env.open(LINK);
  const said = await status(workers, /^This network trains on \d+ threads, the page's and \d+ Web Workers?/);
  const cores = await workers.page.evaluate(() => navigator.hardwareConcurrency);
  const n = Math.min(cores, 8);
  assert.match(said, new RegExp(`on ${n} threads, the page's and ${n - 1} Web Workers?,`), said);
  const withWorkers = await csvAtTheEnd(workers);
  assert.match(await workers.testid('perf').textContent(), ROUNDS);
  assert.deepEqual(workers.errors, []);
  await workers.close();

  // the same link where the worker script cannot load: the page's thread, the same bits
  const lab = await openAlone(LINK);
  await status(lab, /^This network trains on the page's own thread: .*Its numbers are the same either way\./);
  const oneThread = await csvAtTheEnd(lab);
  assert.doesNotMatch(await lab.testid('perf').textContent(), /rounds/);
  assert.equal(oneThread.split('\n').length, withWorkers.split('\n').length);
  assert.equal(oneThread, withWorkers, 'the whole trajectory, byte for byte');
  await lab.close();
});

test('on a cross-origin isolated page the workers take their rounds through shared memory, with the same numbers', async () => {
  const iso = await start({ browser: env.browser, isolated: true });
  try {
    const shared = await iso.open(LINK);
    assert.equal(await shared.page.evaluate(() => self.crossOriginIsolated), true);
    await status(shared, /^This network trains on \d+ threads, the page's and \d+ Web Workers? through shared memory,/);
    const viaMemory = await csvAtTheEnd(shared);
    assert.match(await shared.testid('perf').textContent(), ROUNDS);
    assert.deepEqual(shared.errors, []);
    await shared.close();
    const lab = await openAlone(LINK);
    assert.equal(await csvAtTheEnd(lab), viaMemory, 'the whole trajectory, byte for byte');
    await lab.close();
  } finally {
    await iso.stop();
  }
});

test('the service worker makes the site cross-origin isolated on a host that sends no such header', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const lab = new Lab(await context.newPage());
  lab.context = context;
  await lab.page.goto(env.base + LINK + '&autoplay=0');
  await lab.testid('chart').waitFor();
  assert.equal(await lab.page.evaluate(() => self.crossOriginIsolated), false, 'the first visit: the host sends no COOP/COEP');
  await lab.page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await lab.page.reload();
  await lab.testid('chart').waitFor();
  assert.equal(await lab.page.evaluate(() => self.crossOriginIsolated), true, 'served by the service worker');
  await lab.testid('play').click();
  await status(lab, /^This network trains on \d+ threads, the page's and \d+ Web Workers? through shared memory,/);
  await lab.waitStepAbove(20, 30000);
  assert.deepEqual(lab.errors, []);
  await lab.close();
});

test('Reset and Step while the workers train keep the run the one-thread run', async () => {
  const lab = await env.open(LINK);
  await status(lab, /^This network trains on \d+ threads/);
  await lab.waitStepAbove(50, 30000);
  await lab.testid('reset').click(); // a fresh run from step 0, paused
  assert.equal(await lab.step(), 0);
  await lab.testid('play').click();
  await lab.waitStepAbove(20, 30000);
  await lab.pause();
  const before = await lab.step();
  await lab.testid('stepbtn').click();
  await lab.page.waitForFunction((s) => Number(document.querySelector('[data-testid=step]')?.textContent) > s, before);
  await lab.testid('play').click();
  const csv = await csvAtTheEnd(lab);
  // the same run as the first test's one-thread run: compare with a fresh one-thread copy
  const one = await openAlone(LINK);
  assert.equal(await csvAtTheEnd(one), csv);
  assert.deepEqual(lab.errors, []);
  await one.close();
  await lab.close();
});

test('workers start at the first Play, not when the page loads', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  const requested = [];
  context.on('request', (r) => {
    // the page's requests (the service worker's own fetch of the same file is not one)
    if (r.url().includes('net-worker.js') && !r.serviceWorker()) requested.push(r.url());
  });
  const lab = new Lab(await context.newPage());
  lab.context = context;
  await lab.page.goto(env.base + LINK + '&autoplay=0');
  await lab.testid('chart').waitFor();
  await lab.page.waitForTimeout(1500);
  assert.deepEqual(requested, [], 'no worker before Play');
  assert.doesNotMatch(await lab.testid('status').textContent(), /threads/);
  await lab.testid('play').click();
  const said = await status(lab, /^This network trains on \d+ threads/);
  const workers = Number(said.match(/on (\d+) threads/)[1]) - 1;
  assert.equal(requested.length, workers, 'the worker script, once per worker');
  // a reset keeps the workers: no new script load
  await lab.pause();
  await lab.testid('reset').click();
  await lab.testid('play').click();
  await lab.waitStepAbove(5, 30000);
  assert.equal(requested.length, workers);
  assert.deepEqual(lab.errors, []);
  await lab.close();
});
