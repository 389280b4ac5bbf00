// The skill graph drawn on the dominoes (issue 12), driven as a reader would: pointer drags
// (mouse, and touch through the DevTools protocol) from tile to tile add a prerequisite, a
// drag that would close a cycle or join a tile to itself is refused with a message, the ⇐
// label switches AND/OR, an arc click removes it, the keyboard does each of these, and a
// tile's frequency bar drag writes p=. Each edit is checked in the address, in the arcs and
// in the history. SHOTS=dir writes the screenshots of a graph drawn by dragging at 1280×800
// and 390×844 (default: e2e/, where *.png is ignored by git).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { start, ROOT } from './harness.mjs';

const SHOTS = path.resolve(process.env.SHOTS || path.join(ROOT, 'e2e'));
// Fig. 17 case 1, the chain 1 → 2 → 3 (preset fig17), not playing so the tiles stand still.
const CHAIN = '/?v=1&preset=fig17&autoplay=0';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

/** A link key's value in the address ('' when absent). */
function key(lab, k) {
  return new URL(lab.page.url()).searchParams.get(k) ?? '';
}

/** The arcs drawn, as "from-to kind" (kind: and/or). */
async function arcs(lab) {
  return await lab.page.$$eval('[data-testid=dominoes] [data-testid=link]', (ps) =>
    ps.map((p) => `${p.dataset.edge} ${p.classList.contains('or') ? 'or' : 'and'}`).sort(),
  );
}

/** The centre of skill i's (1-based) tile stage. */
async function centre(lab, i) {
  const box = await lab.page.locator(`[data-testid=dominoes] [data-skill="${i - 1}"] .stage`).boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drag with the mouse from skill a's tile to skill b's, in several moves; `during` runs
 * before the button is released. */
async function drag(lab, a, b, during = async () => {}) {
  const from = await centre(lab, a);
  const to = b === a ? { x: from.x + 3, y: from.y - 12 } : await centre(lab, b);
  await lab.page.mouse.move(from.x, from.y);
  await lab.page.mouse.down();
  await lab.page.mouse.move((from.x + to.x) / 2, from.y - 30, { steps: 5 });
  await lab.page.mouse.move(to.x, to.y, { steps: 5 });
  await during();
  await lab.page.mouse.up();
}

/** The middle of an arc (on its stroke), in the window's coordinates. */
async function arcMiddle(lab, edge) {
  return await lab.page.$eval(`[data-testid=link-hit][data-edge="${edge}"]`, (p) => {
    const pt = p.getPointAtLength(p.getTotalLength() / 2);
    const m = p.getScreenCTM();
    return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
  });
}

async function note(lab) {
  return (await lab.testid('graph-note').textContent()).trim();
}

async function historyLength(lab) {
  return await lab.page.evaluate(() => history.length);
}

test('dragging from tile to tile adds a prerequisite; cycles and self-edges are refused', async () => {
  const lab = await env.open(CHAIN, { viewport: { width: 1280, height: 800 } });
  assert.deepEqual(await arcs(lab), ['1-2 and', '2-3 and']);
  assert.match(await lab.testid('graph-legend').textContent(), /AND: needs all.*OR: any one/);
  const h0 = await historyLength(lab);

  // 1 → 3: skill 3 now needs 1 as well as 2; a band follows the pointer while dragging
  await drag(lab, 1, 3, async () => {
    assert.equal(await lab.testid('graph-band').count(), 1, 'the band is drawn while dragging');
    assert.equal(await lab.page.locator('[data-skill="0"].source').count(), 1);
  });
  assert.equal(await lab.testid('graph-band').count(), 0);
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '2:1,3:2-1');
  assert.deepEqual(await arcs(lab), ['1-2 and', '1-3 and', '2-3 and']);
  assert.match(await note(lab), /^Added 1 → 3: skill 3 needs skill 1/);
  assert.equal(await historyLength(lab), h0 + 1, 'a discrete edit: one history entry');
  assert.match(await lab.testid('status').textContent(), /restarted from step 0/);

  // 3 → 1 would close 1 → 2 → 3 → 1 (and 1 → 3 → 1): refused, nothing changes
  const before = lab.link();
  await drag(lab, 3, 1);
  assert.match(await note(lab), /^Not changed: 3 → 1 would close the cycle 1 → 3 → 1\.$/);
  await drag(lab, 3, 2);
  assert.equal(await note(lab), 'Not changed: 3 → 2 would close the cycle 2 → 3 → 2.');
  await drag(lab, 2, 2);
  assert.equal(await note(lab), 'Not changed: 2 → 2: a skill cannot be its own prerequisite.');
  assert.equal(lab.link(), before);
  assert.equal(await historyLength(lab), h0 + 1);

  // Back undoes the edge, Forward restores it
  await lab.page.goBack();
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === null);
  assert.deepEqual(await arcs(lab), ['1-2 and', '2-3 and']);
  await lab.page.goForward();
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '2:1,3:2-1');
  assert.equal((await arcs(lab)).length, 3);

  // the graph drawn by dragging, on a desktop
  await lab.page.locator('[data-testid=dominoes]').scrollIntoViewIfNeeded();
  await lab.page.screenshot({ path: path.join(SHOTS, 'graph-1280x800.png') });
  lab.assertNoErrors();
  await lab.close();
});

test('the ⇐ label switches AND/OR and a click on an arc removes it', async () => {
  const lab = await env.open('/?v=1&preset=fig17and&autoplay=0');
  assert.deepEqual(await arcs(lab), ['1-5 and', '2-5 and', '3-6 and', '4-6 and', '5-7 and', '6-7 and']);
  const h0 = await historyLength(lab);
  // skill 6 (needs 3 and 4) becomes OR: it leaves and= and enters or=, one history entry
  await lab.page.locator('[data-skill="5"] [data-testid=needs]').click();
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('or') === '6:3-4');
  assert.equal(key(lab, 'and'), '5:1-2,7:5-6');
  assert.deepEqual(await arcs(lab), ['1-5 and', '2-5 and', '3-6 or', '4-6 or', '5-7 and', '6-7 and']);
  assert.equal(await note(lab), 'Skill 6 is now OR (needs any one). Back undoes it.');
  assert.equal(await historyLength(lab), h0 + 1);
  // the arc 5 → 7 removed by a click on it
  const mid = await arcMiddle(lab, '5-7');
  await lab.page.mouse.click(mid.x, mid.y);
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '5:1-2,7:6');
  assert.ok(!(await arcs(lab)).includes('5-7 and'));
  assert.equal(await historyLength(lab), h0 + 2);
  // the run's model has the edit: skill 7 no longer waits for 5 (its tile waits for 6 only)
  assert.match(await lab.page.locator('[data-skill="6"]').getAttribute('title'), /needs skill 6 \(all\)/);
  lab.assertNoErrors();
  await lab.close();
});

test('the keyboard adds an edge, switches AND/OR and removes a focused arc', async () => {
  const lab = await env.open(CHAIN);
  await lab.page.locator('[data-skill="0"]').focus();
  await lab.page.keyboard.press('e');
  assert.match(await note(lab), /^New prerequisite 1 → 2/);
  await lab.page.keyboard.press('ArrowRight');
  assert.match(await note(lab), /^New prerequisite 1 → 3/);
  assert.equal(await lab.page.locator('[data-skill="2"].target').count(), 1, 'the target is marked');
  await lab.page.keyboard.press('Enter');
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '2:1,3:2-1');
  // focus is back on the edited tile after the redraw: T switches its gate
  await lab.page.waitForFunction(() => document.activeElement?.dataset.skill === '2');
  await lab.page.keyboard.press('t');
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('or') === '3:2-1');
  assert.equal(key(lab, 'and'), '2:1');
  // a cycle from the keyboard is refused too
  await lab.page.keyboard.press('e'); // 3 → 1 (the next skill, round the row)
  assert.match(await note(lab), /^New prerequisite 3 → 1/);
  await lab.page.keyboard.press('Enter');
  assert.match(await note(lab), /^Not changed: 3 → 1 would close the cycle/);
  // Delete on a focused arc removes it
  await lab.page.locator('[data-testid=link-hit][data-edge="1-2"]').focus();
  await lab.page.keyboard.press('Delete');
  // (an empty and= now: the preset's own list is gone)
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '');
  assert.deepEqual(await arcs(lab), ['1-3 or', '2-3 or']);
  lab.assertNoErrors();
  await lab.close();
});

test('dragging a frequency bar writes p= with nice values, one history entry per drag', async () => {
  const lab = await env.open('/?v=1&m=resource&n=4&alpha=2&autoplay=0');
  const h0 = await historyLength(lab);
  const bar = await lab.page.locator('[data-skill="2"] [data-testid=fbar]').boundingBox();
  const x = bar.x + bar.width / 2;
  const y = bar.y + bar.height - 4;
  await lab.page.mouse.move(x, y);
  await lab.page.mouse.down();
  for (let dy = 5; dy <= 40; dy += 5) await lab.page.mouse.move(x, y - dy);
  await lab.page.mouse.up();
  // p3 = 0.0780 × 10^(40/80) = 0.247 → 0.25; the others are Zipf's, three digits
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('p') === '0.702,0.176,0.25,0.0439');
  assert.equal(await historyLength(lab), h0 + 1, 'a drag adds one entry');
  assert.equal(await lab.page.locator('[data-skill="2"] .freq').textContent(), '0.25');
  // ↑ on a focused tile: one nice step more
  await lab.page.locator('[data-skill="2"]').focus();
  await lab.page.keyboard.press('ArrowUp');
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('p') === '0.702,0.176,0.3,0.0439');
  // models without prerequisites: no graph editing, but the frequency bar; nets: neither
  const geo = await env.open('/?v=1&m=geometry&n=5&autoplay=0');
  assert.equal(await geo.testid('fbar').count(), 5);
  assert.equal(await geo.page.locator('.domino-rows.editing').count(), 0);
  assert.equal(await geo.testid('graph-legend').count(), 0);
  assert.equal(await geo.testid('graph-help').count(), 0);
  assert.match(await geo.page.locator('.dominoes-wrap .hint').textContent(), /Drag a tile's bar/);
  const net = await env.open('/?v=1&m=parity&autoplay=0');
  assert.equal(await net.testid('fbar').count(), 0);
  assert.doesNotMatch(await net.page.locator('.dominoes-wrap .hint').textContent(), /Drag/);
  for (const l of [lab, geo, net]) {
    l.assertNoErrors();
    await l.close();
  }
});

test('a touch drag draws an edge on a phone', async () => {
  const lab = await env.open(CHAIN, { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await lab.page.locator('[data-testid=dominoes]').scrollIntoViewIfNeeded();
  const cdp = await lab.context.newCDPSession(lab.page);
  const touch = (type, p) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: p ? [{ x: p.x, y: p.y }] : [] });
  const a = await centre(lab, 1);
  const b = await centre(lab, 3);
  await touch('touchStart', a);
  for (let k = 1; k <= 8; k++) await touch('touchMove', { x: a.x + ((b.x - a.x) * k) / 8, y: a.y + (b.y - a.y) * (k / 8) });
  await touch('touchEnd');
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '2:1,3:2-1');
  assert.deepEqual(await arcs(lab), ['1-2 and', '1-3 and', '2-3 and']);
  await lab.page.screenshot({ path: path.join(SHOTS, 'graph-390x844.png') });
  lab.assertNoErrors();
  await lab.close();
});
