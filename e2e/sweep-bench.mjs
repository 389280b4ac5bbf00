// In-browser sweep timing (issue 6): open each sweep preset in headless Chromium, press Run,
// and print the wall time until the page says Done, with the page's own summary (workers,
// median run). Not a test (no assertions on time): `node e2e/sweep-bench.mjs [preset|link …]`
// after `trunk build --release`; scripts/bench-wasm runs it. Results go in BENCHMARKS.md.
import { start } from './harness.mjs';

const presets = process.argv.slice(2);
if (presets.length === 0) presets.push('fig10s', 'fig4r', 'fig7n0');
const env = await start();
try {
  for (const id of presets) {
    // a preset id, or a whole sweep link (anything with `=`)
    const link = id.includes('=') ? id : `v=1&preset=${id}`;
    const lab = await env.open(`/?${link}`, {}, 'sweep-chart');
    const t0 = Date.now();
    await lab.testid('sweep-run').click();
    await lab.page.waitForFunction(
      () => document.querySelector('[data-testid=sweep-status]').textContent.startsWith('Done'),
      null,
      { timeout: 3600000, polling: 200 },
    );
    const secs = (Date.now() - t0) / 1000;
    const status = await lab.testid('sweep-status').textContent();
    const mode = await lab.page.$eval('[data-testid=sweep-progress-wrap] .hint', (e) => e.textContent);
    console.log(`wasm sweep ${id}: ${secs.toFixed(1)} s wall (${mode}); page: ${status}`);
    if (lab.errors.length) console.log(`  errors: ${lab.errors.join('; ')}`);
    await lab.close();
  }
} finally {
  await env.stop();
}
