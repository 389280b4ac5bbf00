// The inside view's cost in the page (release build in dist/): Fig. 2 played to step STEPS
// with the view closed and open, alternately (ROUNDS each), reading the Performance panel's
// simulation time (the steps and, when open, the attribution every 10 steps; drawing is
// counted apart). Prints ms of simulation per training step closed and open, and the
// attribution's cost per snapshot: (open − closed) × 10. For BENCHMARKS.md.
// Run: trunk build --release && node e2e/inside-bench.mjs
import { start } from './harness.mjs';

const STEPS = Number(process.env.STEPS || 300);
const ROUNDS = Number(process.env.ROUNDS || 3);
const env = await start();

async function perStep(open) {
  const lab = await env.open('/?v=1&preset=fig2&autoplay=0', { viewport: { width: 1280, height: 800 } });
  await lab.pause();
  if (open) {
    await lab.testid('inside-open').check();
    await lab.testid('inside-units').waitFor();
  }
  await lab.testid('play').click();
  await lab.waitStepAbove(STEPS, 600000);
  await lab.pause();
  const steps = await lab.step();
  await lab.page.locator('details.perf summary').click();
  const text = await lab.testid('perf').textContent();
  const m = /(\d+) animation frames: ([\d.]+) ms simulation/.exec(text);
  await lab.close();
  if (!m) throw new Error(`no frame statistics: ${text}`);
  return (Number(m[1]) * Number(m[2])) / steps;
}

const rows = { closed: [], open: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const open of [false, true]) {
    const ms = await perStep(open);
    rows[open ? 'open' : 'closed'].push(ms);
    console.log(`round ${r + 1} ${open ? 'open  ' : 'closed'}: ${ms.toFixed(2)} ms simulation per step`);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const [c, o] = [median(rows.closed), median(rows.open)];
console.log(
  `fig2 in the page, medians of ${ROUNDS}: closed ${c.toFixed(2)} ms/step, open ${o.toFixed(2)} ms/step ` +
    `(+${((100 * (o - c)) / c).toFixed(0)} %), so one attribution ≈ ${(10 * (o - c)).toFixed(1)} ms ` +
    `= ${((10 * (o - c)) / c).toFixed(2)} steps`,
);
await env.stop();
