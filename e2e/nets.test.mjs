// Issue 5 in the page: a small real network (sparse parity, Fig. 2 with p2 = 1 on 1000
// samples) trains to its end in the tab; its per-task accuracy curves are drawn, the tiles
// of the learned tasks lie flat, and the page's numbers equal the CLI's for the same link.
// Run after `trunk build --release`: node --test e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { start, ROOT } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const LINK = 'v=1&m=parity&p2=1&samples=1000&steps=400';

test('a small MLP trains to the end in the page and its task accuracies are shown', async () => {
  const lab = await env.open('/?' + LINK);
  await lab.pause();
  await lab.testid('speed').fill('12');
  await lab.testid('play').click();
  await lab.waitStopped(180000);
  assert.equal(await lab.step(), 400);
  const ink = await lab.canvasInk('chart');
  assert.ok(ink.ink > 500, `accuracy curves drawn (${ink.ink} inked pixels)`);
  // the value table shows each task's accuracy at the last step
  const accs = await lab.page.$$eval('[data-testid=readout-row]', (rs) =>
    rs.map((r) => Number(r.querySelector('td.num')?.textContent)),
  );
  assert.equal(accs.length, 2, `${accs}`);
  // the tasks go by their names in the table and under the tiles, not as s1, s2
  const rowNames = await lab.page.$$eval('[data-testid=readout-row] th', (ths) => ths.map((t) => t.textContent.trim()));
  assert.deepEqual(rowNames, ['x1⊕x2', 'x3⊕x4']);
  const tileNames = await lab.page.$$eval('[data-testid=dominoes] .idx', (s) => s.map((t) => t.textContent.trim()));
  assert.deepEqual(tileNames, ['x1⊕x2', 'x3⊕x4']);
  // the same link natively: the CLI's accuracies at step 400 (acc1, acc2)
  // (scripts/test builds target/debug/skills before the browser tests)
  const bin = ['debug', 'release'].map((p) => path.join(ROOT, 'target', p, 'skills')).find(existsSync);
  assert.ok(bin, 'the CLI is built (cargo build --bin skills)');
  {
    const csv = execFileSync(bin, ['run', LINK], { encoding: 'utf8' }).trim().split('\n');
    const last = csv[csv.length - 1].split(',').map(Number);
    assert.equal(last[0], 400);
    for (let i = 0; i < 2; i++) {
      assert.ok(Math.abs(accs[i] - last[2 + i]) < 0.01, `task ${i + 1}: page ${accs[i]} vs CLI ${last[2 + i]}`);
    }
  }
  // both 2-bit parities are learned by then, and their tiles lie flat
  assert.ok(accs.every((a) => a >= 0.99), `accuracies ${accs}`);
  const angles = await lab.page.$$eval('[data-testid=dominoes] .tile', (ts) =>
    ts.map((t) => Number((/rotate\(([-\d.]+)deg\)/.exec(t.style.transform) || [0, 0])[1])),
  );
  assert.ok(angles.length === 2 && angles.every((a) => Math.abs(a) > 85), `tile angles ${angles}`);
  lab.assertNoErrors();
  await lab.close();
});
