// The skill graph drawn on the dominoes (issue 12), driven as a reader would: pointer drags
// (mouse, and touch through the DevTools protocol) from tile to tile add a prerequisite, a
// drag that would close a cycle or join a tile to itself is refused with a message, the ⇐
// label switches AND/OR, an arc click removes it, the keyboard does each of these, and a
// tile's frequency bar drag writes p=. Each edit is checked in the address, in the arcs and
// in the history. With many skills on several rows, each arc's end points are read against
// its tiles' boxes; a vertical touch drag (on a tile or a bar) draws without scrolling the
// page; a comparison's B tiles edit B's #vs=. SHOTS=dir writes the screenshots of a graph
// drawn by dragging at 1280×800 and 390×844, of arcs across rows and of a graph drawn by
// touch (default: e2e/, where *.png is ignored by git).
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

// Many skills wrap onto several rows: an arc whose tiles are on different rows must still
// start at its prerequisite's tile and end at the tile that needs it (it used to be drawn in
// the lane of the composite's row at the prerequisite's column, i.e. above another tile).
const WRAPPED = '/?v=1&m=resource&n=40&and=12:2,35:9-30&or=20:38&autoplay=0';

/** Each arc's end points against its two tiles' boxes: the problems found, and how many
 * arcs join tiles on different rows. */
async function arcEnds(lab) {
  return await lab.page.$$eval('[data-testid=dominoes] [data-testid=link]', (paths) => {
    const bad = [];
    let cross = 0;
    const at = (p, len) => {
      const pt = p.getPointAtLength(len);
      const m = p.getScreenCTM();
      return { x: m.a * pt.x + m.c * pt.y + m.e, y: m.b * pt.x + m.d * pt.y + m.f };
    };
    const box = (i) => document.querySelector(`[data-testid=dominoes] [data-skill="${i - 1}"]`).getBoundingClientRect();
    // on the tile's column, at its row's top or bottom edge (1 px of rounding)
    const on = (pt, b) =>
      pt.x >= b.left && pt.x <= b.right && (Math.abs(pt.y - b.top) <= 1 || Math.abs(pt.y - b.bottom) <= 1);
    for (const p of paths) {
      const [from, to] = p.dataset.edge.split('-').map(Number);
      const [a, b] = [box(from), box(to)];
      if (Math.abs(a.top - b.top) > 1) cross++;
      const [s, e] = [at(p, 0), at(p, p.getTotalLength())];
      if (!on(s, a)) bad.push(`${p.dataset.edge} starts at (${s.x | 0}, ${s.y | 0}), tile ${from} is x ${a.left | 0}…${a.right | 0}, y ${a.top | 0}…${a.bottom | 0}`);
      if (!on(e, b)) bad.push(`${p.dataset.edge} ends at (${e.x | 0}, ${e.y | 0}), tile ${to} is x ${b.left | 0}…${b.right | 0}, y ${b.top | 0}…${b.bottom | 0}`);
    }
    return { bad, cross, arcs: paths.length };
  });
}

for (const [w, h] of [[390, 844], [1280, 800]]) {
  test(`arcs between rows end at their tiles (${w}×${h})`, async () => {
    const phone = w < 500 ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {};
    const lab = await env.open(WRAPPED, { viewport: { width: w, height: h }, ...phone });
    await lab.page.locator('[data-testid=dominoes]').scrollIntoViewIfNeeded();
    await lab.page.waitForFunction(() => document.querySelectorAll('[data-testid=dominoes] [data-testid=link]').length === 4);
    const r = await arcEnds(lab);
    assert.equal(r.arcs, 4);
    assert.ok(r.cross >= (w < 500 ? 4 : 2), `arcs across rows: ${r.cross}`);
    assert.deepEqual(r.bad, []);
    await lab.page.screenshot({ path: path.join(SHOTS, `graph-rows-${w}x${h}.png`) });
    // a cross-row arc is removed by a click, as any other
    const mid = await arcMiddle(lab, '9-35');
    await lab.page.mouse.click(mid.x, mid.y);
    await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '12:2,35:30');
    // the window narrows without a re-layout of the rows: the arcs follow
    if (w > 500) {
      await lab.page.setViewportSize({ width: w - 15, height: h });
      await lab.page.waitForTimeout(300);
      assert.deepEqual((await arcEnds(lab)).bad, []);
    }
    // the rows grow without any window resize (larger labels, as when a font arrives late or
    // the reader enlarges text): the arcs are measured again (a ResizeObserver on the rows)
    const before = await lab.page.$eval('[data-testid=dominoes] [data-skill="34"]', (t) => t.getBoundingClientRect().top);
    await lab.page.$$eval('[data-testid=dominoes] [data-skill]', (tiles) => tiles.forEach((t) => { t.style.paddingBottom = '28px'; }));
    await lab.page.waitForFunction(
      (y) => document.querySelector('[data-testid=dominoes] [data-skill="34"]').getBoundingClientRect().top > y + 20,
      before,
    );
    await lab.page.waitForTimeout(300);
    assert.deepEqual((await arcEnds(lab)).bad, []);
    lab.assertNoErrors();
    await lab.close();
  });
}

/** A touch drag through the DevTools protocol (the real input pipeline: touch-action and
 * scrolling apply) from `a` to `b` in `n` moves. */
async function touchDrag(lab, a, b, n = 10) {
  const cdp = await lab.context.newCDPSession(lab.page);
  const touch = (type, p) => cdp.send('Input.dispatchTouchEvent', { type, touchPoints: p ? [{ x: p.x, y: p.y }] : [] });
  await touch('touchStart', a);
  for (let k = 1; k <= n; k++) await touch('touchMove', { x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  await touch('touchEnd');
}

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

test('a vertical touch drag between rows draws the edge and does not scroll the page', async () => {
  const lab = await env.open('/?v=1&m=resource&n=16&autoplay=0', PHONE);
  await lab.page.locator('[data-testid=dominoes]').scrollIntoViewIfNeeded();
  const y0 = await lab.page.evaluate(() => scrollY);
  // 16 tiles, 8 to a row: skill 3 (first row) straight down to skill 11 (the same column)
  const a = await centre(lab, 3);
  const b = await centre(lab, 11);
  assert.ok(b.y - a.y > 50 && Math.abs(b.x - a.x) < 2, `rows ${JSON.stringify([a, b])}`);
  await touchDrag(lab, a, b);
  await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('and') === '11:3', null, { timeout: 5000 });
  assert.equal(await lab.page.evaluate(() => scrollY), y0, 'the page did not scroll');
  assert.deepEqual(await arcs(lab), ['3-11 and']);
  assert.deepEqual((await arcEnds(lab)).bad, []);
  await lab.page.screenshot({ path: path.join(SHOTS, 'graph-touch-390x844.png') });
  // elsewhere (from the heading up), a vertical swipe still scrolls the page
  const head = await lab.page.locator('.dominoes-wrap h2').boundingBox();
  await touchDrag(lab, { x: head.x + 10, y: head.y + 10 }, { x: head.x + 10, y: head.y - 190 });
  await lab.page.waitForFunction((y0) => scrollY !== y0, y0, { timeout: 5000 });
  lab.assertNoErrors();
  await lab.close();
});

test('a vertical touch drag on a frequency bar sets p= and does not scroll the page', async () => {
  for (const q of ['/?v=1&m=resource&n=4&alpha=2&autoplay=0', '/?v=1&m=geometry&n=5&autoplay=0']) {
    const lab = await env.open(q, PHONE);
    await lab.page.locator('[data-testid=dominoes]').scrollIntoViewIfNeeded();
    const y0 = await lab.page.evaluate(() => scrollY);
    const bar = await lab.page.locator('[data-skill="2"] [data-testid=fbar]').boundingBox();
    const x = bar.x + bar.width / 2;
    const y = bar.y + bar.height - 3;
    await touchDrag(lab, { x, y }, { x, y: y - 60 }, 12);
    await lab.page.waitForFunction(() => new URL(location.href).searchParams.get('p') !== null, null, { timeout: 5000 });
    assert.equal(await lab.page.evaluate(() => scrollY), y0, `${q}: the page did not scroll`);
    assert.match(await note(lab), /^Skill 3: frequency set by the drag/, q);
    lab.assertNoErrors();
    await lab.close();
  }
});

test("a comparison's B tiles edit B's link (#vs=), not A's", async () => {
  const lab = await env.open(`${CHAIN}#vs=seed%3D3`, { viewport: { width: 1280, height: 800 } });
  await lab.testid('dominoes-b').waitFor();
  assert.match(await lab.testid('b-edits').textContent(), /edit B only/);
  const vs = () => decodeURIComponent(new URL(lab.page.url()).hash.replace(/^#vs=/, ''));
  const bCentre = async (i) => {
    const box = await lab.page.locator(`[data-testid=dominoes-b] [data-skill="${i - 1}"] .stage`).boundingBox();
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  };
  const bArcs = async () =>
    await lab.page.$$eval('[data-testid=dominoes-b] [data-testid=link]', (ps) =>
      ps.map((p) => `${p.dataset.edge} ${p.classList.contains('or') ? 'or' : 'and'}`).sort(),
    );
  await lab.page.locator('[data-testid=dominoes-b]').scrollIntoViewIfNeeded();
  const h0 = await historyLength(lab);
  const [a, b] = [await bCentre(1), await bCentre(3)];
  await lab.page.mouse.move(a.x, a.y);
  await lab.page.mouse.down();
  await lab.page.mouse.move((a.x + b.x) / 2, a.y - 30, { steps: 5 });
  await lab.page.mouse.move(b.x, b.y, { steps: 5 });
  await lab.page.mouse.up();
  await lab.page.waitForFunction(() => /and%3D/.test(location.hash));
  assert.equal(vs(), 'seed=3&and=2:1,3:2-1');
  assert.equal(key(lab, 'and'), '', "A's link is unchanged");
  assert.deepEqual(await arcs(lab), ['1-2 and', '2-3 and']);
  assert.deepEqual(await bArcs(), ['1-2 and', '1-3 and', '2-3 and']);
  assert.match(await note(lab), /^B: Added 1 → 3/);
  assert.equal(await historyLength(lab), h0 + 1);
  // B's ⇐ switch
  await lab.page.locator('[data-testid=dominoes-b] [data-skill="2"] [data-testid=needs]').click();
  await lab.page.waitForFunction(() => /or%3D3%3A2-1/.test(location.hash));
  assert.equal(vs(), 'seed=3&and=2:1&or=3:2-1');
  assert.deepEqual(await bArcs(), ['1-2 and', '1-3 or', '2-3 or']);
  // Back undoes B's edits one by one
  await lab.page.goBack();
  await lab.page.waitForFunction(() => !/or%3D/.test(location.hash));
  assert.equal(vs(), 'seed=3&and=2:1,3:2-1');
  lab.assertNoErrors();
  await lab.close();
});
