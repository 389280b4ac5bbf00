// Frame times of the live page in headless Chromium, for BENCHMARKS.md ("Page frame times").
// Run after `trunk build --release`:   node e2e/frametimes.mjs ['/?n=100&dim=1000'] [seconds] [speed]
// (speed: the speed slider's position, 0 … 12 = 1 … 5000 steps per frame; default: the page's).
//
// Two measurements of the same animation:
//  * the page's own Performance readout: performance.now() around the simulation slice, the
//    fit slice and the redraw inside each animation-frame callback (what the loop controls);
//  * a Chromium trace (devtools.timeline): per animation frame, all script on the main thread
//    in that frame's task — the requestAnimationFrame callback (wasm: simulation + drawing)
//    plus the microtasks after it (Leptos applying the new values to the DOM) — and, for
//    context, the whole task (script + style + layout + paint).
import { start } from './harness.mjs';

const query = process.argv[2] || '/?n=100&dim=1000';
const seconds = Number(process.argv[3] || 4);
const speed = process.argv[4];
const env = await start();
const lab = await env.open(query);
if (speed !== undefined) await lab.testid('speed').fill(speed);
await lab.waitStepAbove(5);
const speedText = await lab.page.locator('.speed-value').textContent();
await env.browser.startTracing(lab.page, {
  categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8'],
});
await lab.page.waitForTimeout(seconds * 1000);
const raw = await env.browser.stopTracing();
if (process.env.TRACE_OUT) (await import('node:fs')).writeFileSync(process.env.TRACE_OUT, raw);
const trace = JSON.parse(raw.toString()).traceEvents;
const perf = await lab.testid('perf').textContent();
const step = await lab.step();
const errors = lab.errors;
await lab.close();
await env.stop();

const mainThreads = new Set(
  trace.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
);
const main = trace
  .filter((e) => e.ph === 'X' && mainThreads.has(`${e.pid}:${e.tid}`))
  .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
const SCRIPT = new Set(['FireAnimationFrame', 'RunMicrotasks', 'FunctionCall', 'v8.callFunction', 'EventDispatch', 'TimerFire', 'EvaluateScript']);
const frames = [];
let i = 0;
for (const t of tasks) {
  const end = t.ts + t.dur;
  while (i < main.length && main[i].ts < t.ts) i++;
  let script = 0;
  let gc = 0;
  let raf = false;
  let coveredUntil = -1;
  for (let j = i; j < main.length && main[j].ts < end; j++) {
    const e = main[j];
    if (e.name === 'FireAnimationFrame') raf = true;
    if (SCRIPT.has(e.name) && e.ts >= coveredUntil) {
      script += e.dur;
      coveredUntil = e.ts + e.dur;
    }
    if (e.name === 'MajorGC' || e.name === 'MinorGC') gc += e.dur;
  }
  if (raf) frames.push({ script: script / 1000, task: t.dur / 1000, gc: gc / 1000 });
}
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
};
const stats = (xs) =>
  `median ${q(xs, 0.5).toFixed(1)} ms, 95th ${q(xs, 0.95).toFixed(1)} ms, 99th ${q(xs, 0.99).toFixed(1)} ms, worst ${q(xs, 1).toFixed(1)} ms`;
const script = frames.map((f) => f.script);
console.log(`page ${query} at ${speedText}, ${seconds} s traced, reached step ${step}, console errors: ${errors.length}`);
console.log(`animation frames traced: ${frames.length} (${(frames.length / seconds).toFixed(0)} per second)`);
console.log(`script per frame (rAF callback + microtasks): ${stats(script)}; frames over 16 ms: ${script.filter((s) => s > 16).length}`);
console.log(`whole frame task (script + style + layout + paint): ${stats(frames.map((f) => f.task))}`);
const slow = frames.map((f, k) => [k, f.script]).filter(([, s]) => s > 16);
if (slow.length) console.log(`frames over 16 ms (index of ${frames.length}: ms): ${slow.map(([k, s]) => `${k}: ${s.toFixed(1)}`).join(', ')}`);
console.log(`GC inside frames: total ${frames.reduce((a, f) => a + f.gc, 0).toFixed(1)} ms`);
console.log(`page's Performance readout: ${perf}`);
