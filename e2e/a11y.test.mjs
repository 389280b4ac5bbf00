// Accessibility and display (issue 14): what a screen reader hears while a run plays, the
// Help dialog (pause, focus, name), controls' names and their help on touch, the skip link,
// touch targets on a phone, and the number format of the readouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from './harness.mjs';

let env;
before(async () => (env = await start()));
after(async () => env && (await env.stop()));

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** The accessible name of the element a locator finds, from Playwright's ARIA snapshot. */
async function accessibleName(locator) {
  const snap = await locator.ariaSnapshot();
  const m = snap.match(/^- \w+ "((?:[^"\\]|\\.)*)"/);
  return m ? m[1] : '';
}

test('the readouts are not live regions; one polite region announces the milestones', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1100, height: 900 } });
  // Before the page's script: record every change of text inside a live region.
  await context.addInitScript(() => {
    window.__live = [];
    const LIVE = '[aria-live]:not([aria-live="off"]), [role="status"], [role="log"], [role="alert"], output';
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        const region = el && el.closest(LIVE);
        if (region) window.__live.push([region.dataset.testid || region.tagName, region.textContent.trim()]);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const page = await context.newPage();
  // Three skills, all learned near step 150 of 400.
  await page.goto(env.base + '/?v=1&m=domino&n=3&steps=400');
  await page.getByTestId('chart').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=step]')?.textContent) >= 400, null, { timeout: 30000 });

  for (const id of ['step', 'loss', 'readout-step', 'readout-loss']) {
    const live = await page.getByTestId(id).evaluate((e) =>
      Boolean(e.closest('[aria-live]:not([aria-live="off"]), [role="status"], [role="log"], [role="alert"], output')),
    );
    assert.equal(live, false, `${id} is inside a live region`);
  }
  const changes = await page.evaluate(() => window.__live);
  // What a screen reader would read: distinct texts per region, in order.
  const heard = [];
  for (const [who, text] of changes) {
    const last = heard.findLast((h) => h[0] === who);
    if (!last || last[1] !== text) heard.push([who, text]);
  }
  const announced = heard.filter(([who]) => who === 'announce').map(([, t]) => t).filter(Boolean);
  assert.ok(heard.length <= 8, `${heard.length} live-region updates in a 400-step run: ${JSON.stringify(heard.slice(0, 12))}`);
  assert.match(announced[0] ?? '', /^skill 1 learned at step \d+$/, JSON.stringify(announced));
  assert.match(announced.at(-1) ?? '', /^all 3 skills learned by step \d+$/, JSON.stringify(announced));
  assert.equal(await page.getByTestId('announce').evaluate((e) => e.getAttribute('aria-live')), 'polite');
  await context.close();
});

test('Help pauses the run and resumes it on close', async () => {
  const lab = await env.open('/?v=1&m=domino&n=3&steps=20000');
  await lab.waitStepAbove(20);
  assert.ok(await lab.playing(), 'autoplay');
  await lab.page.locator('h1').click();
  await lab.page.keyboard.press('?');
  const dialog = lab.testid('help');
  assert.equal(await dialog.evaluate((d) => d.open), true);
  const at = await lab.step();
  await lab.page.waitForTimeout(500);
  assert.equal(await lab.step(), at, 'the run is paused behind Help');
  await lab.page.keyboard.press('Escape');
  assert.equal(await dialog.evaluate((d) => d.open), false);
  await lab.waitStepAbove(at + 20);
  assert.ok(await lab.playing(), 'playing again after Help');

  // Paused before: Help leaves it paused.
  await lab.pause();
  await lab.testid('helpbtn').click();
  await lab.testid('helpclose').click();
  assert.equal(await dialog.evaluate((d) => d.open), false);
  const paused = await lab.step();
  await lab.page.waitForTimeout(300);
  assert.equal(await lab.step(), paused, 'still paused');
  lab.assertNoErrors();
  await lab.close();
});

test('closing Help gives focus back (not to the body)', async () => {
  const lab = await env.open('/?v=1&m=domino&n=3');
  // Opened with the ? key while nothing has focus: focus goes to the help button.
  await lab.page.locator('h1').click();
  await lab.page.keyboard.press('?');
  await lab.page.keyboard.press('Escape');
  await lab.page.waitForTimeout(200);
  assert.equal(await lab.page.evaluate(() => document.activeElement?.dataset.testid), 'helpbtn');
  // Opened from a focused control: focus goes back to it.
  await lab.testid('reset').focus();
  await lab.page.evaluate(() => document.querySelector('[data-testid=helpbtn]').click());
  await lab.testid('helpclose').click();
  await lab.page.waitForTimeout(200);
  assert.equal(await lab.page.evaluate(() => document.activeElement?.dataset.testid), 'reset');
  lab.assertNoErrors();
  await lab.close();
});

test('the help button is named by what it opens, not "?"', async () => {
  const lab = await env.open('/?v=1&m=domino&n=3');
  assert.equal(await accessibleName(lab.testid('helpbtn')), 'Keyboard shortcuts');
  lab.assertNoErrors();
  await lab.close();
});

test('controls are named by their labels alone, and explain themselves on tap', async () => {
  const lab = await env.open('/', PHONE);
  const controls = await lab.page.locator('[data-testid=panels] .control[data-key]').evaluateAll((els) =>
    els.map((e) => [e.dataset.key, e.querySelector('.label').textContent.trim()]),
  );
  assert.ok(controls.length >= 8, `${controls.length} controls`);
  for (const [key, label] of controls) {
    const name = await accessibleName(lab.page.locator(`#k-${key}`));
    assert.equal(name, label, `the control of ${key} is named "${name}"`);
  }
  // Help on touch: a tap on the control's i button shows its meaning, which also describes it.
  const tip = lab.testid('tip-seed');
  assert.equal(await accessibleName(tip), 'About Seed');
  const help = lab.testid('help-seed');
  assert.equal(await help.isVisible(), false);
  await tip.tap();
  assert.equal(await help.isVisible(), true);
  assert.equal(await tip.getAttribute('aria-expanded'), 'true');
  assert.match(await help.textContent(), /seed/i);
  const describedBy = await lab.page.locator('#k-seed').getAttribute('aria-describedby');
  assert.equal(describedBy, await help.getAttribute('id'));
  await tip.tap();
  assert.equal(await help.isVisible(), false);
  lab.assertNoErrors();
  await lab.close();
});

test('a skip link reaches the parameters in three key presses', async (t) => {
  // A fresh page: nothing focused yet, so Tab starts at the top.
  const lab = await env.open('/');
  // Tab stops before the first parameter without the skip link (for the record).
  const plain = await lab.page.evaluate(() => {
    const all = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
      .filter((e) => !e.disabled && e.getClientRects().length > 0);
    return all.findIndex((e) => e.closest('#parameters, [data-testid=panels]') && /INPUT|SELECT/.test(e.tagName));
  });
  t.diagnostic(`tab stops before the first parameter in DOM order: ${plain}`);
  await lab.page.keyboard.press('Tab');
  const first = lab.page.locator(':focus');
  assert.equal(await accessibleName(first), 'Skip to parameters');
  assert.ok(await first.isVisible(), 'the skip link shows when focused');
  const url = lab.link();
  await lab.page.keyboard.press('Enter');
  await lab.page.keyboard.press('Tab');
  const inPanel = await lab.page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid=panels]')));
  assert.ok(inPanel, 'Tab after the skip link lands in the Parameters panel');
  assert.equal(lab.link(), url, 'the link is unchanged (no fragment)');
  lab.assertNoErrors();
  await lab.close();
});

test('touch targets on a phone are at least 24 × 24 px (WCAG 2.5.8)', async () => {
  const lab = await env.open('/', PHONE);
  await lab.pause();
  const small = await lab.page.evaluate(() => {
    const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
    // The exception for inline targets: a link inside a sentence (its parent has text of its own).
    const inline = (e) =>
      e.tagName === 'A' && [...e.parentElement.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    return [...document.querySelectorAll(sel)]
      .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden' && !inline(e))
      .map((e) => {
        const r = e.getBoundingClientRect();
        return [e.dataset.testid || e.id || e.tagName, Math.round(r.width), Math.round(r.height)];
      })
      .filter(([, w, h]) => w < 24 || h < 24);
  });
  assert.deepEqual(small, [], `${small.length} targets under 24 px`);
  lab.assertNoErrors();
  await lab.close();
});

test('readouts: three significant digits; an auto value shown as it is (β2 = 0.999)', async () => {
  const lab = await env.open('/?v=1&opt=adam');
  await lab.waitStepAbove(30);
  await lab.pause();
  const loss = await lab.loss();
  // 0.0123, 1.23e-5, 12.3: three significant digits at most, no exponent of zero.
  assert.match(loss, /^(0|-?(?=[\d.]*[1-9])\d*\.?\d+|-?\d\.\d\de-?\d+)$/, loss);
  const digits = loss.replace(/e.*$/, '').replace(/[^\d]/g, '').replace(/^0+/, '');
  assert.ok(digits.length <= 3, `loss ${loss}: ${digits.length} significant digits`);
  assert.doesNotMatch(loss, /e0$/);
  assert.equal(await lab.testid('key-beta2').getAttribute('placeholder'), 'auto 0.999');
  assert.equal(await lab.testid('loss').evaluate((e) => getComputedStyle(e).fontVariantNumeric), 'tabular-nums');
  lab.assertNoErrors();
  await lab.close();
});
