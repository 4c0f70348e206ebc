// End-to-end test of the web map in Debian's Chromium (through playwright-core;
// no browser is ever downloaded).
//
//   TIDEWATCH_URL=http://127.0.0.1:8080 node --test test/browser.test.mjs   # against the Go server
//   node --test test/browser.test.mjs                                       # against scripts/fake-server.mjs
//
// Without TIDEWATCH_URL it serves dist/ (run `npm run build` first) and the
// fixtures in test/fixtures/. CHROMIUM overrides /usr/bin/chromium. When
// Chromium is missing the test is skipped, except with CI=true where it fails.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
const ci = process.env.CI === 'true';
const skip = !haveChromium && !ci ? `Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)` : false;
if (skip) {
  console.log(`# skipping browser tests: ${skip}`);
  test('web map in Chromium', { skip }, () => {}); // so the runner counts one skipped test
} else if (!haveChromium) {
  test('Chromium is installed (required with CI=true)', () => {
    assert.fail(`CI=true and Chromium is missing at ${executablePath}: apt-get install chromium`);
  });
}

const LAYERS = ['roads', 'grids', 'cameras', 'kiosks', 'incidents', 'sites'];
const ZH_LAYER = { roads: '道路', grids: '网格', cameras: '摄像头', kiosks: '警务站', incidents: '警情', sites: '重点部位' };
const EN_LAYER = { roads: 'Roads', grids: 'Grids', cameras: 'Cameras', kiosks: 'Police kiosks', incidents: 'Incidents', sites: 'Key sites' };

describe('web map in Chromium', { skip: !haveChromium && (skip || 'Chromium missing'), timeout: 180_000 }, () => {
  let browser;
  let context;
  let page;
  let base;
  let fake = null;
  const requests = [];
  const consoleErrors = [];
  const artifacts = path.join(root, 'test-artifacts');

  function watch(p) {
    p.on('request', (r) => requests.push(r.url()));
    p.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
    });
    p.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  }

  // The text of the open popup (a closing one fades out for 200 ms first).
  async function popupText(p) {
    await p.waitForFunction(() => document.querySelectorAll('.leaflet-popup').length === 1, null, { timeout: 5_000 });
    return p.locator('.leaflet-popup-content').textContent();
  }

  async function waitReady(p) {
    await p.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 30_000 });
  }

  before(async () => {
    assert.ok(haveChromium, `CI=true and Chromium is missing at ${executablePath}`);
    if (process.env.TIDEWATCH_URL) {
      base = process.env.TIDEWATCH_URL.replace(/\/+$/, '');
    } else {
      assert.ok(existsSync(path.join(root, 'dist', 'app.js')), 'dist/app.js is missing: run `npm run build` first');
      const { startFakeServer } = await import('../scripts/fake-server.mjs');
      fake = await startFakeServer();
      base = fake.url;
    }
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    page = await context.newPage();
    watch(page);
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await waitReady(page);
    await mkdir(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (fake ? fake.server.close(resolve) : resolve()));
  });

  test('server is healthy and serves the page at /', async () => {
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await health.text()).trim(), 'ok');
    const html = await (await fetch(`${base}/`)).text();
    assert.match(html, /<div id="banner"|id="map"/);
    assert.match(html, /app\.js/);
  });

  test('the map container renders with the title bar in zh-CN', async () => {
    const box = await page.locator('#map.leaflet-container').boundingBox();
    assert.ok(box && box.width > 600 && box.height > 400, `map box ${JSON.stringify(box)}`);
    assert.equal((await page.textContent('#title')).trim(), 'Tidewatch 潮汐警务规划');
    const meta = await page.evaluate(() => window.__tidewatch.meta);
    assert.ok(meta && typeof meta.name === 'string');
    assert.equal((await page.textContent('#workspace')).trim(), meta.name);
    const counts = await page.textContent('#counts');
    assert.match(counts, /道路 [\d,.]+ 公里/);
    assert.match(counts, new RegExp(`摄像头 ${meta.counts.cameras.toLocaleString('zh-CN')}`));
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.isVisible('#banner'), false, 'no error banner on a healthy page');
  });

  test('each of the six layers draws features', async () => {
    const counts = await page.evaluate(() => window.__tidewatch.layerCounts);
    for (const name of LAYERS) assert.ok(counts[name] > 0, `layer ${name} drew ${counts[name]} features`);
    if (fake) {
      // The fixture view holds every fixture feature.
      for (const name of LAYERS) {
        const fc = JSON.parse(await readFile(path.join(root, 'test', 'fixtures', `${name}.geojson`), 'utf8'));
        assert.equal(counts[name], fc.features.length, `layer ${name}`);
      }
    }
    // The kiosks are DOM markers with the 警 glyph; everything else is on one canvas.
    assert.equal(await page.locator('.leaflet-marker-pane .tw-kiosk').count(), counts.kiosks);
    assert.equal(await page.locator('.leaflet-overlay-pane canvas').count(), 1, 'one shared canvas renderer');
    assert.equal(await page.locator('.leaflet-overlay-pane svg').count(), 0, 'no SVG renderer in use');
    // The canvas has real drawing on it: count pixels that differ from transparent.
    const painted = await page.evaluate(() => {
      const c = document.querySelector('.leaflet-overlay-pane canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 5000, `only ${painted} painted pixels on the canvas`);
    // Fixed cameras carry a view wedge: the camera group holds more layers than cameras.
    const camLayers = await page.evaluate(() => window.__tidewatch.layers.cameras.getLayers().length);
    const fixed = await page.evaluate(() =>
      window.__tidewatch.layers.cameras.getLayers().filter((l) => l.feature && l.feature.properties.kind === 'fixed').length,
    );
    assert.equal(camLayers, counts.cameras + fixed, 'one wedge per fixed camera');
  });

  test('layer control lists the six layers in zh-CN and toggles them', async () => {
    const labels = await page.locator('.leaflet-control-layers-overlays label').allTextContents();
    for (const name of LAYERS) assert.ok(labels.some((l) => l.includes(ZH_LAYER[name])), `${ZH_LAYER[name]} in ${labels}`);
    const inputs = page.locator('.leaflet-control-layers-overlays input[type=checkbox]');
    assert.equal(await inputs.count(), 6);
    const kioskBox = page.locator('.leaflet-control-layers-overlays label', { has: page.locator('[data-layer=kiosks]') }).locator('input');
    await kioskBox.uncheck();
    assert.equal(await page.locator('.leaflet-marker-pane .tw-kiosk').count(), 0, 'kiosks hidden');
    await kioskBox.check();
    assert.ok((await page.locator('.leaflet-marker-pane .tw-kiosk').count()) > 0, 'kiosks shown again');
  });

  test('legend and synthetic badge are shown', async () => {
    assert.ok(await page.isVisible('#legend'));
    const legend = await page.textContent('#legend');
    for (const word of ['图例', '道路', '网格', '摄像头', '警务站', '警情', '重点部位', '固定枪机', '学校']) assert.ok(legend.includes(word), `legend lacks ${word}`);
    const meta = await page.evaluate(() => window.__tidewatch.meta);
    if ((meta.synthetic ?? []).length > 0) {
      assert.ok(await page.isVisible('#synthetic'));
      const badge = await page.textContent('#synthetic');
      assert.match(badge, /合成演示数据/);
      for (const n of meta.synthetic) if (ZH_LAYER[n]) assert.ok(badge.includes(ZH_LAYER[n]), `badge lacks ${n}: ${badge}`);
      assert.match(legend, /合成/);
    }
  });

  test('popups show properties with units in the current language', async () => {
    // A kiosk: click its marker.
    await page.locator('.leaflet-marker-pane .tw-kiosk').first().dispatchEvent('click');
    let popup = await popupText(page);
    assert.match(popup, /警力/);
    assert.match(popup, /\d+ 人/);
    // A fixed camera (or any camera), a key site and an incident: open their popups.
    const open = (layer, pick) =>
      page.evaluate(([layer, pick]) => {
        const ls = window.__tidewatch.layers[layer].getLayers().filter((l) => l.feature && l.getPopup && l.getPopup());
        const l = ls.find((x) => !pick || x.feature.properties.kind === pick) ?? ls[0];
        window.__tidewatch.map.closePopup();
        l.openPopup();
        return l.feature.properties;
      }, [layer, pick]);
    const cam = await open('cameras', 'fixed');
    popup = await popupText(page);
    assert.match(popup, /朝向/);
    assert.match(popup, /\d+ 度/);
    assert.match(popup, /\d+ 米/);
    if (cam.source === 'synthetic') assert.match(popup, /合成演示数据/);
    const site = await open('sites');
    popup = await popupText(page);
    assert.ok(popup.includes(`${site.tier}分钟`), popup);
    await open('incidents');
    popup = await popupText(page);
    assert.match(popup, /时间/);
    assert.match(popup, /类别/);
    await page.evaluate(() => window.__tidewatch.map.closePopup());
  });

  test('roads are re-fetched with bbox and zoom after the map moves', async () => {
    const before = await page.evaluate(() => window.__tidewatch.roadFetches);
    const mark = requests.length;
    await page.evaluate(() => window.__tidewatch.map.zoomIn(1, { animate: false }));
    await page.waitForFunction((n) => window.__tidewatch.roadFetches > n, before, { timeout: 10_000 });
    const roadReqs = requests.slice(mark).filter((u) => u.includes('/api/v1/layers/roads'));
    assert.ok(roadReqs.length >= 1, 'a roads request after the move');
    const u = new URL(roadReqs.at(-1));
    const bbox = u.searchParams.get('bbox').split(',').map(Number);
    assert.equal(bbox.length, 4);
    assert.ok(bbox[0] < bbox[2] && bbox[1] < bbox[3], `bbox ${bbox}`);
    const zoom = Number(u.searchParams.get('zoom'));
    assert.equal(zoom, await page.evaluate(() => Math.round(window.__tidewatch.map.getZoom())));
    await page.evaluate(() => window.__tidewatch.map.zoomOut(1, { animate: false }));
    await page.waitForFunction((n) => window.__tidewatch.roadFetches > n + 1, before, { timeout: 10_000 });
    // A small pan stays inside the padded area already loaded: no new request.
    const settled = await page.evaluate(() => window.__tidewatch.roadFetches);
    await page.evaluate(() => window.__tidewatch.map.panBy([30, 20], { animate: false }));
    await page.waitForTimeout(700); // > the 250 ms debounce
    assert.equal(await page.evaluate(() => window.__tidewatch.roadFetches), settled);
  });

  test('screenshot of the map in zh-CN', async () => {
    await page.mouse.move(5, 790); // no hover tooltip in the picture
    await page.evaluate(() => window.__tidewatch.map.eachLayer((l) => l.closeTooltip && l.closeTooltip()));
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artifacts, 'map.png') });
  });

  test('the English switch changes the UI and is remembered', async () => {
    await page.click('#lang-switch');
    assert.equal((await page.textContent('#title')).trim(), 'Tidewatch Tidal Policing Planner');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    const labels = await page.locator('.leaflet-control-layers-overlays label').allTextContents();
    for (const name of LAYERS) assert.ok(labels.some((l) => l.includes(EN_LAYER[name])), `${EN_LAYER[name]} in ${labels}`);
    const legend = await page.textContent('#legend');
    assert.match(legend, /Legend/);
    assert.doesNotMatch(legend, /图例/);
    assert.match(await page.textContent('#counts'), /roads [\d,.]+ km/);
    if (await page.isVisible('#synthetic')) assert.match(await page.textContent('#synthetic'), /synthetic demo data/);
    assert.equal(await page.evaluate(() => localStorage.getItem('tidewatch.lang')), 'en');
    await page.reload({ waitUntil: 'load' });
    await waitReady(page);
    assert.equal((await page.textContent('#title')).trim(), 'Tidewatch Tidal Policing Planner');
    await page.evaluate(() => {
      const l = window.__tidewatch.layers.sites.getLayers()[0];
      l.openPopup();
    });
    assert.match(await popupText(page), /\d-minute/);
    await page.evaluate(() => window.__tidewatch.map.closePopup());
    await page.screenshot({ path: path.join(artifacts, 'map-en.png') });
    await page.click('#lang-switch');
    assert.equal((await page.textContent('#title')).trim(), 'Tidewatch 潮汐警务规划');
  });

  test('a phone-sized screen keeps the map usable', async () => {
    const phone = await context.newPage();
    watch(phone);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/`, { waitUntil: 'load' });
    await waitReady(phone);
    const box = await phone.locator('#map').boundingBox();
    assert.ok(box.height > 500, `map height on a phone ${box.height}`);
    assert.equal(await phone.locator('.leaflet-control-layers-expanded').count(), 0, 'layer control folded on phones');
    await phone.screenshot({ path: path.join(artifacts, 'map-mobile.png') });
    await phone.close();
  });

  test('a failing layer shows a visible error banner', async () => {
    const p = await context.newPage();
    const errs = [];
    p.on('console', (m) => m.type() === 'error' && errs.push(m.text()));
    p.on('request', (r) => requests.push(r.url()));
    await p.route('**/api/v1/layers/sites*', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"internal","message":"boom"}}' }),
    );
    await p.goto(`${base}/`, { waitUntil: 'load' });
    await waitReady(p);
    assert.ok(await p.isVisible('#banner'), 'banner visible');
    const text = await p.textContent('#banner');
    assert.match(text, /重点部位/);
    assert.match(text, /HTTP 500/);
    assert.ok(errs.some((e) => e.includes('重点部位')), 'the error also goes to console.error');
    // The other layers still load.
    const counts = await p.evaluate(() => window.__tidewatch.layerCounts);
    assert.equal(counts.sites, 0);
    assert.ok(counts.cameras > 0 && counts.roads > 0);
    await p.click('#banner-close');
    assert.equal(await p.isVisible('#banner'), false);
    await p.close();
  });

  test('no request went to any other host', () => {
    const origin = new URL(base).origin;
    assert.ok(requests.length > 10, `recorded ${requests.length} requests`);
    const foreign = requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
    assert.deepEqual(foreign, []);
  });

  test('no console errors on the healthy pages', () => {
    assert.deepEqual(consoleErrors, []);
  });
});
