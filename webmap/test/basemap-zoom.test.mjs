// The basemap honours the zoom range of its tile source (meta.basemap.minzoom /
// maxzoom, read from the MBTiles by api/tiles.go): past maxzoom the tiles of
// maxzoom are scaled up instead of requested, below minzoom nothing is
// requested, and the map itself keeps its own zoom range. Fake server with a
// basemap of grey tiles at /tiles/ and minzoom 12, maxzoom 14; headless Debian
// Chromium via playwright-core (never downloads a browser).
//
//   node --test test/basemap-zoom.test.mjs
//
// CHROMIUM overrides /usr/bin/chromium; a missing Chromium skips the test unless CI=true.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { executablePath, launchChromium } from './chromium.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const haveChromium = existsSync(executablePath);
const skip = !haveChromium && process.env.CI !== 'true' ? `Chromium not found at ${executablePath}` : false;
if (skip) console.log(`# skipping the basemap zoom test: ${skip}`);

const MIN = 12;
const MAX = 14;

describe('basemap zoom range from the tile source', { skip, timeout: 120_000 }, () => {
  let browser, fake, page;
  const tiles = []; // [z, x, y] of every tile request

  before(async () => {
    assert.ok(haveChromium, `CI=true and Chromium is missing at ${executablePath}`);
    assert.ok(existsSync(path.join(root, 'dist', 'app.js')), 'dist/app.js is missing: run `npm run build` first');
    const { startFakeServer } = await import('../scripts/fake-server.mjs');
    fake = await startFakeServer({ basemap: { url: '/tiles/{z}/{x}/{y}.png', attribution: '测试底图', crs: 'wgs84', minzoom: MIN, maxzoom: MAX, format: 'png' } });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    page = await context.newPage();
    page.on('request', (r) => {
      const m = /\/tiles\/(\d+)\/(-?\d+)\/(-?\d+)\.png$/.exec(new URL(r.url()).pathname);
      if (m) tiles.push(m.slice(1).map(Number));
    });
    await page.goto(`${fake.url}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (fake ? fake.server.close(resolve) : resolve()));
  });

  /** Zooms without animation and waits for the basemap's tiles of the new view. */
  async function zoomTo(z) {
    const mark = tiles.length;
    await page.evaluate((z) => {
      window.__tidewatch.map.setZoom(z, { animate: false });
    }, z);
    await page.waitForTimeout(600);
    return tiles.slice(mark);
  }

  const basemap = () =>
    page.evaluate(() => {
      let opts = null;
      window.__tidewatch.map.eachLayer((l) => {
        if (l.getTileUrl && l._url === '/tiles/{z}/{x}/{y}.png') opts = { minZoom: l.options.minZoom, maxZoom: l.options.maxZoom, maxNativeZoom: l.options.maxNativeZoom, tileZoom: l._tileZoom ?? null };
      });
      return opts;
    });

  test('the tile layer takes minZoom and maxNativeZoom from meta.basemap; the map keeps its range', async () => {
    const o = await basemap();
    assert.ok(o, 'a basemap tile layer');
    assert.equal(o.minZoom, MIN);
    assert.equal(o.maxNativeZoom, MAX);
    assert.equal(o.maxZoom, 19, 'shown up to the map maxZoom');
    const map = await page.evaluate(() => [window.__tidewatch.map.getMinZoom(), window.__tidewatch.map.getMaxZoom()]);
    assert.deepEqual(map, [3, 19], 'the basemap does not narrow the map zoom range');
    assert.match(await page.textContent('.leaflet-control-attribution'), /测试底图/);
  });

  test('past maxzoom the tiles of maxzoom are scaled, not requested', async () => {
    for (const z of [MAX + 1, MAX + 3, 18]) {
      const got = await zoomTo(z);
      assert.ok(got.every(([tz]) => tz <= MAX), `zoom ${z} requested ${JSON.stringify(got.filter(([tz]) => tz > MAX))}`);
      const o = await basemap();
      assert.equal(o.tileZoom, MAX, `tiles of zoom ${MAX} drawn at zoom ${z}`);
      // The tiles drawn are scaled up: a 256-pixel tile covers 256·2^(z−MAX) screen pixels.
      const size = await page.evaluate(() => {
        const img = document.querySelector('.leaflet-tile-pane img.leaflet-tile-loaded');
        return img ? img.getBoundingClientRect().width : 0;
      });
      assert.ok(Math.abs(size - 256 * 2 ** (z - MAX)) < 2, `tile width ${size} at zoom ${z}`);
    }
    assert.ok(tiles.some(([tz]) => tz === MAX), 'tiles of maxzoom were fetched');
  });

  test('inside the range every zoom is requested as is', async () => {
    for (const z of [MAX, MIN + 1, MIN]) {
      const got = await zoomTo(z);
      assert.ok(got.every(([tz]) => tz === z), `zoom ${z} requested zooms ${[...new Set(got.map(([tz]) => tz))]}`);
      assert.equal((await basemap()).tileZoom, z, `tiles of zoom ${z}`);
      if (z < MAX) assert.ok(got.length > 0, `zoom ${z}: tiles requested`); // (the tiles of MAX may all be loaded already)
    }
  });

  test('below minzoom no tile is requested and none is shown', async () => {
    for (const z of [MIN - 1, MIN - 3]) {
      const got = await zoomTo(z);
      assert.deepEqual(got, [], `zoom ${z} requested tiles`);
      assert.equal((await basemap()).tileZoom, null, `no tile level at zoom ${z}`);
      assert.equal(await page.locator('.leaflet-tile-pane img.leaflet-tile').count(), 0, 'no tile shown');
    }
    assert.ok(tiles.every(([tz]) => tz >= MIN && tz <= MAX), `every request in ${MIN}–${MAX}`);
  });
});
