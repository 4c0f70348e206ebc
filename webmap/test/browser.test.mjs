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
import { login } from './login.mjs';
import { executablePath, launchChromium } from './chromium.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
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
const RESPONSE_OVERLAYS = [['rings', '快反圈'], ['gridShare', '网格可达率'], ['failingSites', '未达标重点部位'], ['proposals', '警务站选址建议']];
// The grid choropleth's classes (src/response.ts SHARE_CLASSES): lower bound and colour.
const SHARE_CLASSES = [[0, '#d7191c'], [0.2, '#f07c4a'], [0.4, '#fdd46a'], [0.6, '#9bd068'], [0.8, '#1a9641']];
const shareColor = (v) => SHARE_CLASSES.filter(([min]) => v >= min - 1e-9).at(-1)[1];
const zhNum = (n, d) => n.toLocaleString('zh-CN', { minimumFractionDigits: d, maximumFractionDigits: d });
const EN_LAYER = { roads: 'Roads', grids: 'Grids', cameras: 'Cameras', kiosks: 'Police kiosks', incidents: 'Incidents', sites: 'Key sites' };

describe('web map in Chromium', { skip: !haveChromium && (skip || 'Chromium missing'), timeout: 180_000 }, () => {
  let browser;
  let context;
  let page;
  let base;
  let fake = null;
  let api = fetch; // fetch() as the signed-in user (test/login.mjs)
  const requests = [];
  const consoleErrors = [];
  const artifacts = path.join(root, 'test-artifacts');

  // The basemap's tile URL up to its first placeholder: a tile the (intranet)
  // tile server lacks is a 404 in the console, not an error of the page.
  let tilePrefix = null;

  function watch(p) {
    p.on('request', (r) => requests.push(r.url()));
    p.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (tilePrefix && m.text().startsWith('Failed to load resource') && (m.location()?.url ?? '').startsWith(tilePrefix)) return;
      consoleErrors.push(`console: ${m.text()}`);
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
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    api = await login(context, base); // the real server: sign in (TIDEWATCH_USER), for the pages and the API calls below
    const tileURL = (await (await api(`${base}/api/v1/meta`)).json()).basemap?.url;
    if (tileURL) tilePrefix = new URL(tileURL.split('{')[0], base).href;
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
    // Cameras are clustered below zoom 15 (src/cluster.ts): every camera of the
    // view is in a bubble or drawn alone, and view wedges wait for zoom 15.
    const cams = await page.evaluate(() => window.__tidewatch.layers.cameras.stats);
    assert.ok(cams.represented > 0 && cams.represented <= counts.cameras, `cameras represented: ${cams.represented} of ${counts.cameras}`);
    if (cams.zoom < 15) assert.equal(cams.extras, 0, 'no view wedges below zoom 15');
    // At zoom 16 on a fixed camera: single points only, one wedge per fixed camera drawn.
    const target = await page.evaluate(async () => {
      const r = await fetch('/api/v1/layers/cameras', { credentials: 'same-origin' });
      const fc = await r.json();
      const f = fc.features.find((x) => x.properties.kind === 'fixed');
      return f ? f.geometry.coordinates : null;
    });
    if (target) {
      const view = await page.evaluate(() => {
        const m = window.__tidewatch.map;
        const c = m.getCenter();
        return [c.lat, c.lng, m.getZoom()];
      });
      await page.evaluate(([lon, lat]) => window.__tidewatch.map.setView(window.__tidewatch.toMap([lon, lat]), 16, { animate: false }), target);
      await page.waitForFunction(() => {
        const st = window.__tidewatch.layers.cameras.stats;
        return st.zoom === 16 && st.pending === 0;
      }, null, { timeout: 10_000 });
      const z = await page.evaluate(() => {
        const g = window.__tidewatch.layers.cameras;
        return { st: { ...g.stats }, layers: g.getLayers().length };
      });
      assert.equal(z.st.mode, 'points');
      assert.equal(z.st.clusters, 0, 'no bubbles at zoom 16');
      assert.ok(z.st.extras > 0, 'the fixed camera in view has its wedge');
      assert.equal(z.layers, z.st.points + z.st.extras, 'layers are the points and their wedges');
      await page.evaluate(([lat, lng, zoom]) => window.__tidewatch.map.setView([lat, lng], zoom, { animate: false }), view);
      await page.waitForFunction((zoom) => window.__tidewatch.layers.cameras.stats.zoom === Math.round(zoom), view[2], { timeout: 10_000 });
    }
  });

  test('layer control lists the six layers in zh-CN and toggles them', async () => {
    const labels = await page.locator('.leaflet-control-layers-overlays label').allTextContents();
    for (const name of LAYERS) assert.ok(labels.some((l) => l.includes(ZH_LAYER[name])), `${ZH_LAYER[name]} in ${labels}`);
    const inputs = page.locator('.leaflet-control-layers-overlays input[type=checkbox]');
    assert.equal(await inputs.count(), 6 + RESPONSE_OVERLAYS.length + 5 + 2, 'six data layers, the four response, five coverage and two plan layers');
    for (const [id, zh] of RESPONSE_OVERLAYS) {
      assert.equal((await page.locator(`.leaflet-control-layers-overlays [data-layer=${id}]`).textContent()).trim(), zh);
    }
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

  // ---------- 快反圈 / response rings, grid shares, failing sites, kiosk siting ----------

  const getReport = async (q) => {
    const res = await api(`${base}/api/v1/response?${q}`);
    assert.equal(res.status, 200, `GET /api/v1/response?${q}`);
    return res.json();
  };
  const respState = (p = page) => p.evaluate(() => {
    const r = window.__tidewatch.response;
    return { computed: r.computed, rings: r.rings, choropleth: r.choropleth, failing: r.failing, unsnapped: r.unsnapped, proposals: r.proposals, busy: r.busy };
  });
  async function compute(p = page) {
    const n = await p.evaluate(() => window.__tidewatch.response.computed);
    await p.click('#resp-compute');
    await p.waitForFunction((n) => window.__tidewatch.response.computed > n && !window.__tidewatch.response.busy, n, { timeout: 30_000 });
  }
  const intersects = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  test('the response panel computes 1/3/5-minute rings, grid shares and failing key sites', async () => {
    const panel = page.locator('#response-panel');
    assert.ok(await panel.isVisible(), 'panel shown');
    assert.equal(await panel.evaluate((d) => d.open), true, 'open on a desktop');
    const text = await panel.textContent();
    for (const w of ['快反圈', '出行方式', '驾车', '电动车', '步行', '按警务站分别绘制', '计算', '警务站选址']) assert.ok(text.includes(w), `panel lacks ${w}`);
    assert.deepEqual(await page.$$eval('.tw-tiers:not(.tw-window) input', (els) => els.map((e) => e.value)), ['1', '3', '5']);
    assert.equal(await page.isChecked('input[name=resp-mode][value=car]'), true);
    // The panel must not cover the layer control or the legend.
    const pb = await panel.boundingBox();
    assert.ok(!intersects(pb, await page.locator('.leaflet-control-layers').boundingBox()), 'panel covers the layer control');
    assert.ok(!intersects(pb, await page.locator('#legend').boundingBox()), 'panel covers the legend');

    const want = await getReport('mode=car&minutes=1,3,5');
    assert.deepEqual(want.minutes, [1, 3, 5]);
    const mark = requests.length;
    await compute();
    const reqs = requests.slice(mark);
    assert.ok(reqs.some((u) => /\/api\/v1\/response\?mode=car&minutes=1,3,5$/.test(u)), `report request in ${reqs}`);
    assert.ok(reqs.some((u) => /\/api\/v1\/response\/rings\?mode=car&minutes=1,3,5$/.test(u)), `rings request in ${reqs}`);
    const st = await respState();

    // Three nested rings, largest first (so the 1-minute ring is painted last, darkest), on their own canvas under the overlay pane.
    assert.equal(st.rings, 3);
    const rings = await page.evaluate(() => window.__tidewatch.responseView.rings.getLayers().map((l) => ({ ...l.feature.properties, fill: l.options.fillColor, type: l.feature.geometry.type })));
    assert.deepEqual(rings.map((r) => r.minutes), [5, 3, 1]);
    for (const r of rings) {
      assert.equal(r.kind, 'ring');
      assert.equal(r.mode, 'car');
      assert.equal(r.type, 'MultiPolygon');
      assert.ok(!('kiosk_id' in r), 'no kiosk_id on merged rings');
    }
    assert.ok(rings[2].road_km < rings[1].road_km && rings[1].road_km < rings[0].road_km, 'rings nest: road km grows with the tier');
    assert.equal(new Set(rings.map((r) => r.fill)).size, 3, 'one colour per tier');
    const z = await page.evaluate(() => [getComputedStyle(document.querySelector('.leaflet-tw-rings-pane')).zIndex, getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex].map(Number));
    assert.ok(z[0] < z[1], `ring pane z ${z[0]} under the overlay pane ${z[1]} (roads, grids and points)`);
    const painted = await page.evaluate(() => {
      const c = document.querySelector('.leaflet-tw-rings-pane canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 2000, `only ${painted} ring pixels painted`);
    assert.equal(await page.locator('.leaflet-overlay-pane canvas').count(), 1, 'still one shared canvas for the data layers');

    // Grid choropleth: one polygon per grid of the report that the grids layer holds, coloured by the selected tier (3 minutes).
    const gridIds = await page.evaluate(() => window.__tidewatch.layers.grids.getLayers().map((l) => String(l.feature.properties.id)));
    const inLayer = want.grids.filter((g) => gridIds.includes(String(g.grid_id)));
    assert.ok(inLayer.length > 0);
    assert.equal(st.choropleth, inLayer.length);
    // Off until asked for (over the rings it would hide them); the panel's selector shows it.
    const gridBox = page.locator('.leaflet-control-layers-overlays label', { has: page.locator('[data-layer=gridShare]') }).locator('input');
    assert.equal(await gridBox.isChecked(), false);
    assert.equal(await page.$eval('#resp-grid-tier', (s) => s.value), '');
    await page.selectOption('#resp-grid-tier', '1');
    assert.equal(await gridBox.isChecked(), true, 'choosing a tier shows the choropleth');
    assert.equal(await page.$eval('#resp-grid-tier', (s) => s.value), '1', 'grids coloured by the 3-minute tier');
    const fills = async () => page.evaluate(() => window.__tidewatch.responseView.choropleth.getLayers().map((l) => [l.feature.properties.grid, l.options.fillColor]));
    for (const [g, fill] of await fills()) if (g.road_m > 0) assert.equal(fill, shareColor(g.share[1]), `grid ${g.name} 3-min share ${g.share[1]}`);
    await page.selectOption('#resp-grid-tier', '0');
    for (const [g, fill] of await fills()) if (g.road_m > 0) assert.equal(fill, shareColor(g.share[0]), `grid ${g.name} 1-min share ${g.share[0]}`);
    assert.match(await page.textContent('#legend'), /网格可达率（1分钟内道路占比）/);
    // The choropleth is drawn over the grid outlines and under the points on the shared canvas.
    const order = await page.evaluate(() => {
      const tw = window.__tidewatch;
      const first = (group) => group.getLayers()[0];
      const r = first(tw.responseView.choropleth)._renderer;
      const seq = [];
      for (let o = r._drawFirst; o; o = o.next) seq.push(o.layer);
      return ['roads', 'grids', 'choropleth', 'sites'].map((n) => seq.indexOf(first(n === 'choropleth' ? tw.responseView.choropleth : tw.layers[n])));
    });
    assert.ok(order.every((i) => i >= 0) && order[0] < order[1] && order[1] < order[2] && order[2] < order[3], `draw order roads < grids < choropleth < sites: ${order}`);
    await page.selectOption('#resp-grid-tier', '1');

    // Failing key sites: a red ring per failing site, as many as the report says.
    assert.ok(want.failing_sites === want.sites.filter((s) => !s.ok).length);
    assert.equal(st.failing, want.failing_sites);
    if (fake) assert.ok(st.failing > 0, 'the fixtures have failing sites');

    // The table: road km and share per tier, grids without backup, failing sites count.
    const rows = await page.$$eval('#resp-table tr[data-minutes]', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    assert.equal(rows.length, 3);
    want.tiers.forEach((tier, i) => {
      assert.equal(rows[i][0], `${tier.minutes}分钟`);
      assert.equal(rows[i][1], zhNum(tier.road_km, 1));
      assert.equal(rows[i][2], `${zhNum(tier.share * 100, 1)}%`);
    });
    const noBackup = want.grids.filter((g) => g.road_m > 0 && g.kiosks_within < 2).length;
    assert.equal((await page.textContent('#resp-no-backup b')).trim(), zhNum(noBackup, 0));
    assert.match(await page.textContent('#resp-no-backup'), /缺少合围/);
    assert.equal((await page.textContent('#resp-failing b')).trim(), zhNum(want.failing_sites, 0));
    // Kiosks that could not be snapped to the network are listed by name.
    const off = want.kiosks.filter((k) => !k.snapped);
    assert.equal(st.unsnapped, off.length);
    if (off.length > 0) {
      const list = await page.textContent('#resp-unsnapped');
      assert.match(list, /无法接入路网/);
      for (const k of off) assert.ok(list.includes(k.name), `${k.name} not listed`);
    } else {
      assert.equal(await page.locator('#resp-unsnapped').count(), 0);
    }
    if (fake) assert.deepEqual(off.map((k) => k.name), ['中山大道警务站'], 'the fixture kiosk 161 m from a road');

    // The new layers are listed and switched on; the legend explains them.
    for (const id of ['rings', 'gridShare', 'failingSites']) {
      const box = page.locator('.leaflet-control-layers-overlays label', { has: page.locator(`[data-layer=${id}]`) }).locator('input');
      assert.equal(await box.isChecked(), true, `${id} on the map`);
    }
    const legend = await page.textContent('#legend');
    assert.ok(!intersects(await page.locator('#legend').boundingBox(), await page.locator('.leaflet-control-layers').boundingBox()), 'the longer legend covers the layer control');
    assert.ok(!intersects(await page.locator('#response-panel').boundingBox(), await page.locator('#legend').boundingBox()), 'panel covers the legend');
    for (const w of ['快反圈（驾车）', '1分钟可达', '3分钟可达', '5分钟可达', '网格可达率（3分钟内道路占比）', '80–100%', '无道路', '未达标重点部位']) assert.ok(legend.includes(w), `legend lacks ${w}`);
  });

  test('response popups: grid shares per tier and backup, failing site with time and reason', async () => {
    const want = await getReport('mode=car&minutes=1,3,5');
    // A grid with roads.
    const g = await page.evaluate(() => {
      const l = window.__tidewatch.responseView.choropleth.getLayers().find((x) => x.feature.properties.grid.road_m > 0);
      window.__tidewatch.map.closePopup();
      l.openPopup();
      return l.feature.properties.grid;
    });
    let popup = await popupText(page);
    assert.ok(popup.includes(g.name), popup);
    assert.ok(popup.includes(`网格内道路${zhNum(g.road_m / 1000, 2)} 公里`), popup);
    for (const [i, m] of [1, 3, 5].entries()) assert.ok(popup.includes(`${m}分钟可达${zhNum(g.share[i] * 100, 1)}%`), `${m} min share in ${popup}`);
    assert.ok(popup.includes(`5分钟内可达警务站${g.kiosks_within}`), popup);
    assert.ok(popup.includes(`合围覆盖（≥2 个警务站）${zhNum(g.backup_share * 100, 1)}%`), popup);
    // A failing site: category, required tier, actual time as N分M秒 (or unreached), reason in Chinese.
    const s = await page.evaluate(() => {
      const l = window.__tidewatch.responseView.failing.getLayers().find((x) => x.site);
      window.__tidewatch.map.closePopup();
      l.openPopup();
      return l.site;
    });
    assert.ok(want.sites.some((x) => x.site_id === s.site_id && !x.ok));
    popup = await popupText(page);
    assert.ok(popup.includes(s.name), popup);
    assert.ok(popup.includes(`要求响应圈${s.tier}分钟`), popup);
    if (s.seconds == null) assert.match(popup, /实际到达15分钟内无法到达/);
    else {
      const sec = Math.round(s.seconds);
      assert.ok(popup.includes(`实际到达${Math.floor(sec / 60)}分${sec % 60}秒`), popup);
    }
    assert.match(popup, /原因(附近没有可通行道路|15分钟内没有警务站能到达|到达时间超出要求)/);
    assert.doesNotMatch(popup, /slower|snap limit|within 15 minutes/);
    await page.evaluate(() => { window.__tidewatch.map.closePopup(); });
  });

  test('per-kiosk rings, another mode, and bad tiers', async () => {
    await page.check('#resp-per-kiosk');
    await compute();
    const rep = await page.evaluate(() => window.__tidewatch.response.report);
    const snapped = rep.kiosks.filter((k) => k.snapped).map((k) => k.kiosk_id);
    const rings = await page.evaluate(() => window.__tidewatch.responseView.rings.getLayers().map((l) => l.feature.properties));
    assert.equal((await respState()).rings, rings.length);
    assert.equal(rings.length, snapped.length * 3, 'three rings per snapped kiosk');
    for (const id of snapped) assert.deepEqual(rings.filter((r) => r.kiosk_id === id).map((r) => r.minutes).sort((a, b) => a - b), [1, 3, 5], `kiosk ${id}`);
    await page.uncheck('#resp-per-kiosk');

    // On foot, 2/4/6 minutes.
    await page.check('input[name=resp-mode][value=foot]', { force: true });
    for (const [i, v] of ['2', '4', '6'].entries()) await page.fill(`#resp-tier-${i}`, v);
    const mark = requests.length;
    await compute();
    assert.ok(requests.slice(mark).some((u) => u.endsWith('/api/v1/response?mode=foot&minutes=2,4,6')));
    const foot = await page.evaluate(() => window.__tidewatch.response.report);
    assert.equal(foot.mode, 'foot');
    assert.deepEqual(foot.minutes, [2, 4, 6]);
    assert.equal((await respState()).rings, 3);
    assert.match(await page.textContent('#legend'), /快反圈（步行）/);

    // Tiers out of order: a message in the panel, no request.
    await page.fill('#resp-tier-0', '5');
    await page.fill('#resp-tier-2', '1');
    const before = requests.length;
    await page.click('#resp-compute');
    assert.match(await page.textContent('#resp-status'), /响应圈须为三个递增的正数/);
    assert.equal(requests.slice(before).filter((u) => u.includes('/api/v1/response')).length, 0);
    // Back to car 1/3/5 for the rest.
    await page.check('input[name=resp-mode][value=car]', { force: true });
    for (const [i, v] of ['1', '3', '5'].entries()) await page.fill(`#resp-tier-${i}`, v);
    await compute();
    assert.equal((await respState()).rings, 3);
  });

  test('kiosk siting: propose 2, accept one, the kiosk joins the workspace', async () => {
    const body = { mode: 'car', minutes: 3, weight: 'road', count: 2 };
    const res = await api(`${base}/api/v1/siting/kiosks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    const want = await res.json();
    assert.equal(want.proposals.length, 2);

    await page.selectOption('#resp-grid-tier', ''); // rings only in this picture
    assert.equal(await page.evaluate(() => window.__tidewatch.map.hasLayer(window.__tidewatch.responseView.choropleth)), false);
    await page.click('#resp-siting > summary');
    assert.equal(await page.inputValue('#siting-minutes'), '3');
    await page.fill('#siting-count', '2');
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/v1/siting/kiosks') && r.method() === 'POST');
    await page.click('#siting-propose');
    assert.deepEqual(JSON.parse((await posted).postData()), body);
    await page.waitForFunction(() => window.__tidewatch.response.proposals === 2 && !window.__tidewatch.response.busy, null, { timeout: 30_000 });
    assert.equal(await page.locator('.leaflet-marker-pane .tw-proposal').count(), 2);
    assert.deepEqual(await page.$$eval('.leaflet-marker-pane .tw-proposal', (els) => els.map((e) => e.textContent)), ['1', '2']);
    const pct = (x) => `${zhNum(x * 100, 1)}%`;
    const summary = await page.textContent('#siting-summary');
    assert.ok(summary.includes(`${pct(want.covered_before / want.total_weight)}→${pct(want.covered_after / want.total_weight)}`), summary);
    assert.ok(summary.includes(`与最优解差距不超过 ${zhNum(want.gap * 100, 1)}%`), summary);
    assert.ok((await page.textContent('#legend')).includes('选址建议'));

    // Popup of proposal 2 for the screenshot, then proposal 1 to accept.
    await page.locator('.leaflet-marker-pane .tw-proposal', { hasText: '2' }).dispatchEvent('click');
    let popup = await popupText(page);
    const p2 = want.proposals[1];
    assert.ok(popup.includes(`覆盖率 +${zhNum((p2.gain / want.total_weight) * 100, 1)}% → ${zhNum(p2.share_after * 100, 1)}%`), popup);
    // A commander's picture: rings, failing sites and proposals without the incident and camera clutter.
    const toggle = (id) => page.locator('.leaflet-control-layers-overlays label', { has: page.locator(`[data-layer=${id}]`) }).locator('input');
    await toggle('incidents').uncheck();
    await toggle('cameras').uncheck();
    // Zoom to the proposals as a planner would (the panel keeps its side clear), then open proposal 2 again.
    await page.evaluate(() => {
      const tw = window.__tidewatch;
      tw.map.closePopup();
      tw.map.fitBounds(tw.responseView.proposals.getBounds().pad(0.6), { paddingTopLeft: [tw.responseView.leftInset() + 12, 12], paddingBottomRight: [240, 12], maxZoom: 15, animate: false });
    });
    await page.locator('.leaflet-marker-pane .tw-proposal', { hasText: '2' }).dispatchEvent('click');
    await popupText(page);
    await page.mouse.move(5, 790);
    await page.waitForTimeout(300);
    assert.equal(await page.locator('.leaflet-popup').count(), 1, 'the proposal popup stays open');
    await page.screenshot({ path: path.join(artifacts, 'response.png') });
    await toggle('incidents').check();
    await toggle('cameras').check();

    const meta0 = await page.evaluate(() => window.__tidewatch.meta.counts.kiosks);
    const layer0 = await page.evaluate(() => window.__tidewatch.layerCounts.kiosks);
    const computed0 = await page.evaluate(() => window.__tidewatch.response.computed);
    await page.evaluate(() => { window.__tidewatch.map.closePopup(); });
    await page.locator('.leaflet-marker-pane .tw-proposal', { hasText: '1' }).dispatchEvent('click');
    popup = await popupText(page);
    const p1 = want.proposals[0];
    assert.ok(popup.includes(`覆盖率 +${zhNum((p1.gain / want.total_weight) * 100, 1)}% → ${zhNum(p1.share_after * 100, 1)}%`), popup);
    assert.equal(await page.inputValue('.leaflet-popup .tw-accept-name'), '新建警务站（建议 1）');
    const add = page.waitForRequest((r) => r.url().endsWith('/api/v1/kiosks') && r.method() === 'POST');
    const added = page.waitForResponse((r) => r.url().endsWith('/api/v1/kiosks') && r.request().method() === 'POST');
    await page.click('.leaflet-popup .tw-accept');
    const sent = JSON.parse((await add).postData());
    assert.equal(sent.name, '新建警务站（建议 1）');
    assert.equal(sent.lon, p1.lon);
    assert.equal(sent.lat, p1.lat);
    const created = await added;
    assert.equal(created.status(), 201);
    const k = await created.json();
    assert.equal(k.name, '新建警务站（建议 1）');
    if (!fake) {
      // The stored kiosk comes back with its version, also as a strong ETag (the next edit's If-Match).
      assert.ok(k.version > 0, `version ${k.version}`);
      assert.equal((await created.allHeaders()).etag, `"${k.version}"`);
    }
    // Meta, the kiosks layer and the response are reloaded with the new kiosk.
    await page.waitForFunction(([m, l, c]) => {
      const tw = window.__tidewatch;
      return tw.meta.counts.kiosks === m + 1 && tw.layerCounts.kiosks === l + 1 && tw.response.computed > c && !tw.response.busy;
    }, [meta0, layer0, computed0], { timeout: 30_000 });
    assert.equal(await page.locator('.leaflet-marker-pane .tw-kiosk').count(), layer0 + 1);
    assert.match(await page.textContent('#counts'), new RegExp(`警务站 ${meta0 + 1}`));
    const rep = await page.evaluate(() => window.__tidewatch.response.report);
    assert.ok(rep.kiosks.some((x) => x.kiosk_id === k.id), 'the response counts the new kiosk');
    const kiosk = await page.evaluate((id) => window.__tidewatch.layers.kiosks.getLayers().find((l) => l.feature.properties.id === id)?.feature.properties, k.id);
    assert.equal(kiosk?.name, '新建警务站（建议 1）');
    assert.equal(kiosk?.source, 'proposal');
    if (!fake) assert.equal(kiosk?.version, k.version, 'the kiosks layer carries the version');
    assert.equal((await respState()).proposals, 1, 'the accepted proposal leaves the map');
    assert.match(await page.textContent('#response-panel'), /已采纳：新建警务站（建议 1）/);
    // The server agrees.
    const meta = await (await api(`${base}/api/v1/meta`)).json();
    assert.equal(meta.counts.kiosks, meta0 + 1);
  });

  test('the response view in English', async () => {
    await page.click('#lang-switch');
    const text = await page.textContent('#response-panel');
    for (const w of ['Response rings', 'Travel mode', 'Car', 'E-bike', 'On foot', 'Compute', 'Roads reached (km)', 'grids without backup', 'key sites failing their tier', 'Kiosk siting', 'optimal within']) {
      assert.ok(text.includes(w), `panel lacks ${w}`);
    }
    assert.doesNotMatch(text, /驾车|计算|响应圈|快反圈|出行方式/, "no zh-CN UI words left in English");
    const legend = await page.textContent('#legend');
    for (const w of ['Response rings (Car)', 'within 1 min', 'Key site failing its tier', 'Kiosk proposal']) assert.ok(legend.includes(w), `legend lacks ${w}`);
    const labels = await page.locator('.leaflet-control-layers-overlays label').allTextContents();
    for (const w of ['Response rings', 'Grid reach share', 'Key sites failing their tier', 'Kiosk proposals']) assert.ok(labels.some((l) => l.includes(w)), `${w} in ${labels}`);
    await page.locator('.leaflet-marker-pane .tw-proposal').first().dispatchEvent('click');
    assert.match(await popupText(page), /gain \+[\d.]+% → [\d.]+%/);
    await page.evaluate(() => {
      const l = window.__tidewatch.responseView.failing.getLayers().find((x) => x.site);
      window.__tidewatch.map.closePopup();
      l.openPopup();
    });
    assert.match(await popupText(page), /Required ring\d+-minute/);
    await page.selectOption('#resp-grid-tier', '1'); // the choropleth in this picture
    assert.match(await page.textContent('#legend'), /Grid reach share \(road within 3 min\)/);
    await page.mouse.move(5, 790);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(artifacts, 'response-en.png') });
    await page.evaluate(() => { window.__tidewatch.map.closePopup(); });
    await page.click('#lang-switch');
    assert.match(await page.textContent('#response-panel'), /快反圈/);
  });

  test('the response panel on a phone', async () => {
    const phone = await context.newPage();
    watch(phone);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/`, { waitUntil: 'load' });
    await waitReady(phone);
    const panel = phone.locator('#response-panel');
    assert.equal(await panel.evaluate((d) => d.open), false, 'folded on a phone');
    await phone.click('#response-panel > summary');
    assert.equal(await panel.evaluate((d) => d.open), true);
    await compute(phone);
    assert.equal((await respState(phone)).rings, 3);
    const pb = await panel.boundingBox();
    assert.ok(pb.x >= 0 && pb.x + pb.width <= 390, `panel inside the screen ${JSON.stringify(pb)}`);
    assert.ok(!intersects(pb, await phone.locator('.leaflet-control-layers').boundingBox()), 'panel covers the layer control');
    assert.ok(!intersects(pb, await phone.locator('#legend').boundingBox()), 'panel covers the legend');
    // The panel scrolls inside itself instead of running off the map.
    const mapBox = await phone.locator('#map').boundingBox();
    assert.ok(pb.y + pb.height <= mapBox.y + mapBox.height, 'panel ends above the map bottom');
    await phone.screenshot({ path: path.join(artifacts, 'response-mobile.png') });
    await phone.close();
  });

  // ---------- 天网覆盖 / camera coverage, blind-spot filling, what-if edits ----------

  const COVER_CLASSES = [[0, '#c62828'], [0.05, '#ef6c3c'], [0.15, '#f6c451'], [0.3, '#8cc665'], [0.5, '#2e8b47']];
  const coverColor = (v) => COVER_CLASSES.filter(([min]) => v >= min - 1e-9).at(-1)[1];
  const pctOf = (a, b) => `${zhNum(b > 0 ? (a / b) * 100 : 0, 1)}%`;
  const covState = (p = page) => p.evaluate(() => {
    const c = window.__tidewatch.coverage;
    return { ...c, report: undefined, stretches: c.stretches.length, siting: undefined };
  });
  async function kpis(p = page) {
    return p.evaluate(() => ['street', 'area', 'incidents'].map((k) => document.querySelector(`#cov-${k} b`).textContent.trim()));
  }

  test('the coverage panel shows the API totals, one choropleth polygon per grid and the uncovered stretches', async () => {
    await page.evaluate(() => { window.__tidewatch.map.closePopup(); });
    const panel = page.locator('#coverage-panel');
    assert.equal(await panel.evaluate((d) => d.open), false, 'folded until asked for');
    await page.click('#coverage-panel > summary');
    assert.equal(await panel.evaluate((d) => d.open), true);
    await page.waitForFunction(() => !document.querySelector('#response-panel').open, null, { timeout: 5_000 }); // the dock keeps one panel open
    await page.waitForFunction(() => window.__tidewatch.coverage.loaded > 0 && !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });
    // The panel stays clear of the other panels, the layer control and the legend.
    const pb = await panel.boundingBox();
    for (const other of ['#response-panel', '#plan-panel', '.leaflet-control-layers', '#legend']) assert.ok(!intersects(pb, await page.locator(other).boundingBox()), `coverage panel overlaps ${other}`);
    const hours = await page.$eval('#cov-hours', (s) => s.value);
    assert.equal(hours, '22,23,0,1', 'the night window by default');
    const want = await (await api(`${base}/api/v1/coverage?hours=${hours}`)).json();
    const tot = want.total;
    assert.deepEqual(await kpis(), [pctOf(tot.covered_road_m, tot.road_m), pctOf(tot.covered_area_m2, tot.area_m2), pctOf(tot.covered_incident_weight, tot.incident_weight)]);
    // One polygon per grid the grids layer holds, coloured by street coverage.
    const gridIds = await page.evaluate(() => window.__tidewatch.layers.grids.getLayers().map((l) => String(l.feature.properties.id)));
    const st = await covState();
    assert.equal(st.choropleth, want.grids.filter((g) => gridIds.includes(String(g.id))).length);
    assert.equal(st.choropleth, gridIds.length);
    const fills = await page.evaluate(() => window.__tidewatch.coverageView.choropleth.getLayers().map((l) => [l.feature.properties.cov, l.options.fillColor]));
    for (const [g, fill] of fills) if (g.road_m > 0) assert.equal(fill, coverColor(g.covered_road_m / g.road_m), `grid ${g.name}`);
    // A grid popup with every figure, and its blind spots drawn.
    const g = await page.evaluate(() => {
      const l = window.__tidewatch.coverageView.choropleth.getLayers().sort((a, b) => b.feature.properties.cov.road_m - a.feature.properties.cov.road_m)[0];
      l.fire('click', { latlng: l.getBounds().getCenter() });
      l.openPopup();
      return l.feature.properties.cov;
    });
    const popup = await popupText(page);
    for (const w of [g.name, '街面覆盖率', pctOf(g.covered_road_m, g.road_m), '面积覆盖率', pctOf(g.covered_area_m2, g.area_m2), '警情覆盖率', '网格内摄像头']) assert.ok(popup.includes(w), `${w} in ${popup}`);
    await page.waitForFunction((id) => window.__tidewatch.coverage.gapsGrid === id && window.__tidewatch.coverage.gaps > 0, g.id, { timeout: 10_000 });
    await page.evaluate(() => { window.__tidewatch.map.closePopup(); });
    // The uncovered stretches: as many thick red lines as the API returns, ranked by incident weight.
    const unc = await (await api(`${base}/api/v1/coverage/uncovered?limit=50&hours=${hours}`)).json();
    assert.ok(unc.features.length > 0);
    assert.equal(st.uncovered, unc.features.length);
    const lines = await page.evaluate(() => window.__tidewatch.coverageView.uncovered.getLayers().filter((l) => l.stretch).map((l) => [l.stretch.incident_weight, l.options.weight, l.options.color]));
    assert.equal(lines.length, unc.features.length);
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i - 1][0] >= lines[i][0], 'ranked by incident weight');
    assert.ok(lines.every(([, w, c]) => w >= 5 && c === '#d7191c'), 'thick red lines');
    assert.equal(await page.locator('#cov-uncovered tr[data-rank]').count(), Math.min(5, unc.features.length));
    // At this zoom the cameras are clustered (grid-based), and no footprints are fetched.
    const z = await page.evaluate(() => window.__tidewatch.map.getZoom());
    if (z < 15) {
      assert.equal(st.footprintFetches, 0, 'no footprints below zoom 15');
      const c = await covState();
      assert.ok(c.clusters + c.markers > 0, 'cameras drawn');
      if (c.cameras > 20) assert.ok(c.clusters > 0, 'cameras clustered');
    }
    // The hour filter changes the request.
    const mark = requests.length;
    await page.selectOption('#cov-hours', '');
    await page.waitForFunction(() => window.__tidewatch.coverage.hours === '' && !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });
    assert.ok(requests.slice(mark).some((u) => u.endsWith('/api/v1/coverage')), 'all-day report requested');
    const all = await (await api(`${base}/api/v1/coverage`)).json();
    assert.equal((await kpis())[2], pctOf(all.total.covered_incident_weight, all.total.incident_weight));
    await page.selectOption('#cov-hours', '22,23,0,1');
    await page.waitForFunction(() => window.__tidewatch.coverage.hours !== '' && !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });
  });

  test('补盲: propose cameras, accept one; the camera count grows and street coverage does not drop', async () => {
    await page.click('#cov-siting > summary');
    await page.fill('#camsite-count', '3');
    await page.fill('#camsite-spacing', '50');
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/v1/siting/cameras') && r.method() === 'POST');
    await page.click('#camsite-propose');
    assert.deepEqual(JSON.parse((await posted).postData()), { count: 3, min_spacing_m: 50, hours: [22, 23, 0, 1] });
    await page.waitForFunction(() => window.__tidewatch.coverage.proposals > 0 && !window.__tidewatch.coverage.busy, null, { timeout: 120_000 });
    const siting = await page.evaluate(() => window.__tidewatch.coverage.siting);
    assert.equal(siting.proposals.length, 3);
    assert.deepEqual(await page.$$eval('.leaflet-marker-pane .tw-camprop', (els) => els.map((e) => e.textContent)), ['1', '2', '3']);
    const wedges = await page.evaluate(() => window.__tidewatch.coverageView.proposals.getLayers().filter((l) => l instanceof L.Polygon).length);
    assert.equal(wedges, 3, 'each proposal drawn with its sector');
    const before = await page.evaluate(() => ({ ...window.__tidewatch.coverage.total }));
    const cams0 = await page.evaluate(() => window.__tidewatch.coverage.cameras);
    const meta0 = await page.evaluate(() => window.__tidewatch.meta.counts.cameras);
    // Zoom to proposal 1 for the screenshot and open its popup.
    const p1 = siting.proposals[0];
    await page.evaluate(([lat, lon]) => { window.__tidewatch.map.setView([lat, lon], 16, { animate: false }); }, [p1.lat, p1.lon]);
    await page.waitForFunction(() => window.__tidewatch.coverage.footprintFetches > 0 && window.__tidewatch.coverage.markers > 0, null, { timeout: 15_000 });
    await page.locator('.leaflet-marker-pane .tw-camprop', { hasText: /^1$/ }).dispatchEvent('click');
    const popup = await popupText(page);
    const roadM = siting.total_road_m || before.road_m;
    assert.ok(popup.includes(`街面 +${zhNum(p1.gain_road_m, 0)} 米（+${zhNum((p1.gain_road_m / roadM) * 100, 2)}%）`), popup);
    // A planner's picture: coverage layers without the response rings and reach colours.
    const toggle = (id) => page.locator('.leaflet-control-layers-overlays label', { has: page.locator(`[data-layer=${id}]`) }).locator('input');
    for (const id of ['rings', 'gridShare', 'failingSites', 'proposals']) await toggle(id).uncheck();
    await page.mouse.move(700, 790);
    await page.waitForTimeout(250);
    await page.screenshot({ path: path.join(artifacts, 'coverage.png') });
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/cameras') && r.request().method() === 'POST');
    await page.click('.leaflet-popup .tw-accept');
    const res = await created;
    assert.equal(res.status(), 201);
    const body = await res.json();
    assert.equal(JSON.parse(res.request().postData()).lon, p1.lon);
    await page.waitForFunction(([n, e]) => window.__tidewatch.coverage.cameras === n + 1 && window.__tidewatch.coverage.edits > e, [cams0, 0], { timeout: 15_000 });
    const after = await page.evaluate(() => window.__tidewatch.coverage.total);
    assert.equal(after.cameras, before.cameras + 1, 'camera count +1');
    assert.equal(body.total.cameras, before.cameras + 1);
    assert.ok(after.covered_road_m >= before.covered_road_m - 1e-6, `street coverage dropped ${before.covered_road_m} → ${after.covered_road_m}`);
    assert.equal((await kpis())[0], pctOf(body.total.covered_road_m, body.total.road_m), 'the KPI shows the response totals');
    assert.equal(await page.locator('.leaflet-marker-pane .tw-camprop').count(), 2, 'the accepted proposal leaves the map');
    await page.waitForFunction((m) => window.__tidewatch.meta.counts.cameras === m + 1, meta0, { timeout: 15_000 });
    assert.match(await page.textContent('#coverage-panel'), /已采纳：补盲摄像头（建议 1）/);
  });

  test('what-if: drag a camera (PUT) and delete one (DELETE); totals update from the response', async () => {
    await page.waitForFunction(() => !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });
    const edits0 = await page.evaluate(() => window.__tidewatch.coverage.edits);
    // The first camera marker that nothing else covers (on real data a
    // proposal, a popup or a neighbour can sit on top of the first one).
    const cams = page.locator('.leaflet-marker-pane .tw-cam');
    let m, box, id;
    for (let i = 0, n = Math.min(await cams.count(), 60); i < n && id == null; i++) {
      m = cams.nth(i);
      box = await m.boundingBox();
      if (!box) continue;
      id = await page.evaluate(([x, y]) => {
        const el = document.elementFromPoint(x, y);
        const tw = window.__tidewatch;
        const mk = tw.coverageView.camLayer.getLayers().find((l) => l.getElement && l.getElement()?.contains(el));
        return mk?.cam.id;
      }, [box.x + box.width / 2, box.y + box.height / 2]);
    }
    assert.ok(id != null, 'a draggable camera marker');
    // The store's version of the camera (the layer's "version" property; the fake server has none).
    const camVersion = (id) => page.evaluate((id) => window.__tidewatch.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id)?.cam.version ?? null, id);
    const v0 = await camVersion(id);
    const put = page.waitForResponse((r) => new RegExp(`/api/v1/cameras/${id}$`).test(r.url()) && r.request().method() === 'PUT');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 40, box.y + 25, { steps: 6 });
    await page.mouse.move(box.x + 60, box.y + 35, { steps: 6 });
    await page.mouse.up();
    const r = await put;
    assert.equal(r.status(), 200);
    const sent = JSON.parse(r.request().postData());
    const moved = await r.json();
    assert.equal(moved.id, id);
    assert.ok(Math.abs(sent.lon - moved.lon) < 1e-6 && Math.abs(sent.lat - moved.lat) < 1e-6);
    // The edit names the version it was made against; the answer's version is kept for the next edit.
    assert.equal((await r.request().allHeaders())['if-match'], v0 == null ? undefined : `"${v0}"`, 'If-Match carries the camera version');
    if (v0 != null) {
      assert.ok(moved.version > v0, `version ${moved.version} after ${v0}`);
      await page.waitForFunction(([id, v]) => window.__tidewatch.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id)?.cam.version === v, [id, moved.version], { timeout: 10_000 });
    }
    await page.waitForFunction((e) => window.__tidewatch.coverage.edits > e, edits0, { timeout: 10_000 });
    assert.equal((await kpis())[0], pctOf(moved.total.covered_road_m, moved.total.road_m), 'street coverage from the PUT response');
    assert.match(await page.textContent('#cov-delta'), /移动摄像头/);
    // The marker is in the basemap's system (GCJ-02 with --basemap-crs gcj02): back to WGS84 first.
    const pos = await page.evaluate((id) => window.__tidewatch.fromMap(window.__tidewatch.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id)?.getLatLng()), id);
    assert.ok(Math.abs(pos[0] - moved.lon) < 1e-6, 'the marker stays where it was dropped');

    // Delete the accepted camera from its popup.
    const acc = await page.evaluate(() => window.__tidewatch.coverage.accepted[0].id);
    const cams0 = await page.evaluate(() => window.__tidewatch.coverage.cameras);
    await page.evaluate((id) => { window.__tidewatch.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id).openPopup(); }, acc);
    await popupText(page);
    const vAcc = await camVersion(acc);
    const del = page.waitForResponse((r) => r.url().endsWith(`/api/v1/cameras/${acc}`) && r.request().method() === 'DELETE');
    await page.click('.leaflet-popup .tw-cam-delete');
    const delRes = await del;
    const d = await delRes.json();
    assert.equal(d.deleted, true);
    assert.equal((await delRes.request().allHeaders())['if-match'], vAcc == null ? undefined : `"${vAcc}"`, 'the DELETE names the version');
    await page.waitForFunction((n) => window.__tidewatch.coverage.cameras === n - 1, cams0, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__tidewatch.coverage.total.cameras), d.total.cameras);
    assert.equal((await kpis())[0], pctOf(d.total.covered_road_m, d.total.road_m));
    await page.waitForFunction(() => !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });

    // Someone else changed the camera meanwhile: the server answers 412; the
    // page says so in the user's language and reloads the cameras.
    const conflict = { code: 'conflict', error: `camera ${id} was changed by someone else`, kind: 'camera', id, version: 999999 };
    const stale = async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      await route.fulfill({ status: 412, contentType: 'application/json', headers: { ETag: '"999999"' }, body: JSON.stringify(conflict) });
    };
    await page.route(`**/api/v1/cameras/${id}`, stale);
    const [c0, l0, e0] = await page.evaluate(() => [window.__tidewatch.coverage.conflicts, window.__tidewatch.coverage.camLoads, window.__tidewatch.coverage.edits]);
    const refused = page.waitForResponse((r) => new RegExp(`/api/v1/cameras/${id}$`).test(r.url()) && r.request().method() === 'PUT');
    await page.evaluate((id) => {
      const tw = window.__tidewatch;
      const mk = tw.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id);
      const at = mk.getLatLng();
      return tw.coverageView.moveCamera(mk.cam, { lat: at.lat + 0.0002, lng: at.lng });
    }, id);
    const rr = await refused;
    assert.equal(rr.status(), 412);
    assert.equal((await rr.request().allHeaders())['if-match'], v0 == null ? undefined : `"${moved.version}"`, 'the refused edit named the version it saw');
    await page.waitForFunction(([c, l]) => window.__tidewatch.coverage.conflicts > c && window.__tidewatch.coverage.camLoads > l, [c0, l0], { timeout: 10_000 });
    assert.match(await page.textContent('#banner'), /该记录已被他人修改，请刷新后重试/);
    assert.equal(await page.evaluate(() => window.__tidewatch.coverage.edits), e0, 'a refused edit is not counted');
    const back = await page.evaluate((id) => window.__tidewatch.fromMap(window.__tidewatch.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id)?.getLatLng()), id);
    assert.ok(Math.abs(back[0] - moved.lon) < 1e-6 && Math.abs(back[1] - moved.lat) < 1e-6, 'the refused move is undone');
    await page.unroute(`**/api/v1/cameras/${id}`, stale);
    await page.click('#banner-close');
    // The conflict was shown on purpose: not an error of a healthy page.
    for (let i = consoleErrors.length - 1; i >= 0; i--) {
      if (consoleErrors[i].includes('该记录已被他人修改') || /status of 412/.test(consoleErrors[i])) consoleErrors.splice(i, 1);
    }
    await page.waitForFunction(() => !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });
  });

  // ---------- 守点巡线 / tonight's tidal patrol plan ----------

  test('plan: routes for every unit with numbered stops, the hour slider, GPX and the route card', async () => {
    await page.evaluate(() => { window.__tidewatch.map.closePopup(); });
    await page.click('#plan-panel > summary');
    assert.equal(await page.locator('#plan-panel').evaluate((d) => d.open), true);
    await page.waitForFunction(() => !document.querySelector('#coverage-panel').open, null, { timeout: 5_000 }); // the toggle event is async
    const text = await page.textContent('#plan-panel');
    for (const w of ['守点巡线', '巡逻车', '摩托车', '徒步', '义警', '定时与不定时', '生成方案']) assert.ok(text.includes(w), `panel lacks ${w}`);
    const kiosks = await page.evaluate(() => window.__tidewatch.layers.kiosks.getLayers().map((l) => String(l.feature.properties.id)));
    assert.deepEqual(await page.$$eval('#plan-units tr[data-row]:first-child .plan-kiosk option, #plan-units tr[data-row="0"] .plan-kiosk option', (os) => [...new Set(os.map((o) => o.value))]), kiosks);
    await page.fill('#plan-units tr[data-row="0"] .plan-count', '2');
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/v1/plans') && r.method() === 'POST');
    await page.click('#plan-go');
    const req = JSON.parse((await posted).postData());
    assert.equal(req.window, '22:00-02:00');
    assert.equal(req.seed, 7);
    assert.equal(req.vary, 0.3);
    assert.deepEqual(req.units.map((u) => [u.kind, u.count]), [['car', 2], ['motorbike', 1], ['foot', 1], ['volunteer', 1]]);
    await page.waitForFunction(() => window.__tidewatch.plan.planned > 0 && !window.__tidewatch.plan.busy, null, { timeout: 120_000 });
    const st = await page.evaluate(() => window.__tidewatch.plan);
    const fc = await (await api(`${base}/api/v1/plans/${st.id}`)).json();
    const routes = fc.features.filter((f) => f.properties.layer === 'route');
    assert.ok(routes.length >= 4, `${routes.length} routes`);
    assert.equal(st.routes, routes.length, 'a route drawn for every unit');
    const withStops = routes.filter((f) => f.properties.stops.length > 0);
    assert.ok(withStops.length >= 1);
    assert.equal(st.stops, routes.reduce((a, f) => a + f.properties.stops.length, 0), 'a numbered marker per stop');
    assert.equal(await page.locator('.leaflet-marker-pane .tw-stop').count(), st.stops);
    const colours = await page.evaluate(() => [...new Set(window.__tidewatch.planView.routes.getLayers().filter((l) => l.route).map((l) => l.options.color))]);
    assert.equal(colours.length, Math.min(routes.length, 10), 'one colour per unit');
    // A stop popup with its ETA.
    const s0 = withStops[0].properties;
    await page.evaluate(() => { window.__tidewatch.planView.routes.getLayers().find((l) => l.stop).openPopup(); });
    const sp = await popupText(page);
    assert.ok(sp.includes('到达') && sp.includes(s0.stops[0].eta) || /到达\d\d:\d\d/.test(sp), sp);
    await page.evaluate(() => { window.__tidewatch.map.closePopup(); });
    // Per-hour bars: ours and the baseline, from the report.
    const rep = fc.report;
    assert.equal(await page.locator('#plan-hours tr[data-hour]').count(), rep.hours.length);
    const first = await page.$eval('#plan-hours tr[data-hour="0"] .tw-pcts', (e) => e.textContent);
    assert.ok(first.includes(`${zhNum(rep.hours[0].covered_pct, 1)}%`) && first.includes(`${zhNum(rep.hours[0].baseline_pct, 1)}%`), first);
    // The hour slider changes the guard points shown.
    const shown = [];
    for (let i = 0; i < rep.hours.length; i++) {
      await page.$eval('#plan-hour', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, i);
      shown.push(await page.evaluate(() => ({ pts: window.__tidewatch.plan.shownPoints.join(','), n: window.__tidewatch.plan.points, lines: window.__tidewatch.plan.lines })));
      assert.match(await page.textContent('#plan-hour-label'), new RegExp(rep.hours[i].hour));
    }
    assert.ok(new Set(shown.map((x) => `${x.pts}|${x.lines}`)).size > 1, `the slider changes the targets shown: ${JSON.stringify(shown)}`);
    if (fake) rep.hours.forEach((h, i) => assert.equal(shown[i].n, h.points, `points in ${h.hour}`));
    await page.$eval('#plan-hour', (el) => { el.value = '0'; el.dispatchEvent(new Event('input', { bubbles: true })); });
    // The unit list: distance, duration and a GPX link that returns a GPX document.
    const rows = await page.$$eval('#plan-unit-list tr[data-unit]', (trs) => trs.map((tr) => [tr.dataset.unit, tr.querySelector('a.tw-gpx').getAttribute('href')]));
    assert.equal(rows.length, routes.length);
    const gpx = await api(`${base}${rows[0][1]}`);
    assert.equal(gpx.status, 200);
    assert.match(gpx.headers.get('content-type'), /gpx/);
    const doc = await gpx.text();
    assert.match(doc, /^<\?xml[^>]*>\s*<gpx[^>]*version="1.1"/);
    assert.ok(doc.includes(rows[0][0]), 'the GPX names the unit');
    for (const id of ['covGrid', 'uncovered', 'footprints', 'camProposals', 'covCameras', 'incidents']) await page.locator('.leaflet-control-layers-overlays label', { has: page.locator(`[data-layer=${id}]`) }).locator('input').uncheck();
    await page.mouse.move(700, 790);
    await page.waitForTimeout(250);
    await page.screenshot({ path: path.join(artifacts, 'plan.png') });

    // The route card: print button calls window.print(); print CSS shows only the card.
    const unit = withStops[0].properties.unit;
    await page.locator(`#plan-unit-list tr[data-unit="${unit}"] .tw-card-open`).click();
    assert.ok(await page.isVisible('#route-card'));
    const card = await page.textContent('#route-card');
    assert.ok(card.includes(unit) && card.includes('路线卡'), card);
    assert.equal(await page.locator('#route-card .tw-card-table tbody tr').count(), withStops[0].properties.stops.length);
    await page.evaluate(() => { window.__printed = 0; window.print = () => { window.__printed++; }; });
    await page.click('#card-print');
    assert.equal(await page.evaluate(() => window.__printed), 1, 'window.print() called');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('#map'), false, 'the map is hidden in print');
    assert.equal(await page.isVisible('.tw-header'), false, 'the title bar is hidden in print');
    assert.equal(await page.isVisible('#card-print'), false, 'the buttons are hidden in print');
    assert.ok(await page.isVisible('#route-card .tw-card-table'));
    await page.screenshot({ path: path.join(artifacts, 'route-card.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await page.click('#card-close');
    assert.equal(await page.isVisible('#route-card'), false);
    assert.ok(await page.isVisible('#map'));
  });

  test('coverage and plan views in English and on a phone', async () => {
    await page.click('#lang-switch');
    const text = await page.textContent('#plan-panel');
    for (const w of ['Tidal patrol plan', 'Patrol car', 'Scheduled vs random', 'Route card', 'Nearest-first']) assert.ok(text.includes(w), `plan panel lacks ${w}`);
    assert.doesNotMatch(text, /守点巡线|生成方案|定时与不定时|路线卡|就近基线/, 'no zh-CN UI words (unit names are data)');
    const cov = await page.textContent('#coverage-panel');
    for (const w of ['Camera coverage', 'Street coverage', 'Area coverage', 'Incident coverage', 'Blind-spot filling']) assert.ok(cov.includes(w), `coverage panel lacks ${w}`);
    assert.doesNotMatch(cov, /天网|街面|覆盖率/);
    await page.click('#lang-switch');

    const phone = await context.newPage();
    watch(phone);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/`, { waitUntil: 'load' });
    await waitReady(phone);
    for (const id of ['#response-panel', '#coverage-panel', '#plan-panel']) assert.equal(await phone.locator(id).evaluate((d) => d.open), false, `${id} folded on a phone`);
    await phone.click('#coverage-panel > summary');
    await phone.waitForFunction(() => window.__tidewatch.coverage.loaded > 0 && !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });
    await phone.click('#plan-panel > summary');
    await phone.waitForFunction(() => !document.querySelector('#coverage-panel').open, null, { timeout: 5_000 });
    await phone.click('#plan-go');
    await phone.waitForFunction(() => window.__tidewatch.plan.planned > 0 && !window.__tidewatch.plan.busy, null, { timeout: 120_000 });
    const pb = await phone.locator('#plan-panel').boundingBox();
    const mapBox = await phone.locator('#map').boundingBox();
    assert.ok(pb.x >= 0 && pb.x + pb.width <= 390, `panel inside the screen ${JSON.stringify(pb)}`);
    assert.ok(pb.y + pb.height <= mapBox.y + mapBox.height, 'panel ends above the map bottom');
    assert.ok(!intersects(pb, await phone.locator('.leaflet-control-layers').boundingBox()), 'panel covers the layer control');
    await phone.screenshot({ path: path.join(artifacts, 'plan-mobile.png') });
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
