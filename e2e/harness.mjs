// Shared by the e2e tests and the measuring scripts: serve dist/ on 127.0.0.1:<random port>,
// launch Debian's headless Chromium through playwright-core, and a page object over the lab
// that collects console errors and page errors.
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// DIST=… serves another build (default: the repo's dist/).
const DIST = path.resolve(process.env.DIST || path.join(ROOT, 'dist'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const COMPRESS = new Set(['.html', '.js', '.wasm', '.css', '.svg', '.json']);
const GZIPPED = new Map();

/**
 * Start the static server and the browser; `stop()` ends both. Options: `dist` (a directory to
 * serve instead of DIST) and `prefix` (serve it under that path, e.g. '/skill-dominoes/' as
 * GitHub Pages serves a project site; anything outside it is 404; `base` then ends with it,
 * without its final '/'). A path ending in '/' serves that directory's index.html. `cors:
 * false` serves without `access-control-allow-origin` (as a host that sends no CORS header);
 * `browser` reuses a running browser (which `stop()` then leaves open). `isolated: true` sends
 * COOP and COEP (README "Real networks on every core"), so the page is cross-origin isolated and a network run's
 * workers take their rounds through shared memory.
 */
export async function start({ dist = DIST, prefix = '/', cors = true, browser: shared = null, isolated = false } = {}) {
  const root = path.resolve(dist);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(url.pathname);
    if (rel === prefix.slice(0, -1)) rel = prefix;
    if (!rel.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    rel = '/' + rel.slice(prefix.length);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, '.' + rel);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      let body = await readFile(file);
      // gzip as static hosts do (GitHub Pages among them), so fetched bytes are what a reader
      // downloads (e2e/firstload.mjs counts them)
      const gz = /\bgzip\b/.test(req.headers['accept-encoding'] || '') && COMPRESS.has(path.extname(file));
      if (gz) {
        const key = file + ':' + body.length;
        if (!GZIPPED.has(key)) GZIPPED.set(key, gzipSync(body, { level: 9 }));
        body = GZIPPED.get(key);
      }
      res.writeHead(200, {
        ...(gz ? { 'content-encoding': 'gzip' } : {}),
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
        // as GitHub Pages sends: a frame sandboxed with allow-scripts only (an opaque origin)
        // may load the page's script and wasm
        ...(cors ? { 'access-control-allow-origin': '*' } : {}),
        ...(isolated
          ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
          : {}),
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${server.address().port}${prefix.slice(0, -1)}`;
  const browser = shared || await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const env = {
    base,
    browser,
    async stop() {
      if (!shared) await browser.close();
      await new Promise((ok) => server.close(ok));
    },
    /** Open the lab at `query` in a fresh context (viewport 1100 × 900 unless told). */
    /** `ready`: the test id to wait for (the lab's chart; `sweep-chart` on the sweep page). */
    async open(query, options = {}, ready = 'chart') {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
      const lab = new Lab(await context.newPage());
      lab.context = context;
      await lab.page.goto(base + query);
      await lab.page.getByTestId(ready).waitFor();
      await lab.frames();
      return lab;
    },
  };
  return env;
}

/** A page object over the lab, collecting console errors and page errors. */
export class Lab {
  constructor(page) {
    this.page = page;
    this.errors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
  }

  async close() {
    await this.context.close();
  }

  testid(id) {
    return this.page.getByTestId(id);
  }

  async step() {
    return Number(await this.testid('step').textContent());
  }

  async loss() {
    return await this.testid('loss').textContent();
  }

  async playing() {
    return (await this.testid('play').textContent()).trim() === 'Pause';
  }

  /** Wait for `n` animation frames of the page: the lab's autoplay starts two frames after its
   *  first drawing (ui::app), so a test that reads the Play button right after the chart shows
   *  could otherwise see "Play" just before the run starts by itself. */
  async frames(n = 3) {
    await this.page.evaluate(
      (n) => new Promise((ok) => {
        const next = (k) => (k ? requestAnimationFrame(() => next(k - 1)) : ok());
        next(n);
      }),
      n,
    );
  }

  async pause() {
    // The button's label follows the state on the next render; a click that lands while the
    // page is busy starting a run may need a moment (or, rarely, a second click) to show.
    // Paused means: "Play" shown, and still shown a few frames later.
    for (let i = 0; i < 4; i++) {
      if (await this.playing()) {
        await this.testid('play').click();
        await this.page
          .waitForFunction(() => document.querySelector('[data-testid=play]')?.textContent.trim() !== 'Pause', null, { timeout: 2000 })
          .catch(() => {});
      }
      await this.frames(2);
      if (!(await this.playing())) break;
    }
    assert.equal(await this.playing(), false);
  }

  async waitStepAbove(n, timeout = 10000) {
    await this.page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid=step]')?.textContent) > n,
      n,
      { timeout },
    );
  }

  /** Wait until the run stops by itself (the Play button says Play again). */
  async waitStopped(timeout = 30000) {
    await this.page.waitForFunction(
      () => document.querySelector('[data-testid=play]').textContent.trim() === 'Play',
      null,
      { timeout },
    );
  }

  /** The URL's query and fragment. */
  link() {
    const u = new URL(this.page.url());
    return u.search + u.hash;
  }

  /** Pixels that differ clearly from the corner pixel (the chart background), and sizes. */
  async canvasInk(testid) {
    return await this.testid(testid).evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const [r, g, b] = [d[0], d[1], d[2]];
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) > 60) ink++;
      }
      return { ink, width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight };
    });
  }

  /** A cheap fingerprint of a canvas's pixels (changes when anything drawn changes). */
  async canvasHash(testid) {
    return await this.testid(testid).evaluate((c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let h = 2166136261;
      for (let i = 0; i < d.length; i += 4) {
        h ^= d[i] ^ (d[i + 1] << 8) ^ (d[i + 2] << 16);
        h = Math.imul(h, 16777619);
      }
      return h >>> 0;
    });
  }

  /** Count pixels close to an RGB colour on a canvas. */
  async colorPixels(testid, [r, g, b], tol = 40) {
    return await this.testid(testid).evaluate(
      (c, [r, g, b, tol]) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let k = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < tol) k++;
        }
        return k;
      },
      [r, g, b, tol],
    );
  }

  assertNoErrors() {
    assert.deepEqual(this.errors, [], 'no console errors or page errors');
  }
}
