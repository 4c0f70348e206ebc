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
    assert.equal(await inputs.count(), 6 + RESPONSE_OVERLAYS.length, 'six data layers and the four response layers');
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
    const res = await fetch(`${base}/api/v1/response?${q}`);
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
    assert.deepEqual(await page.$$eval('.tw-tiers input', (els) => els.map((e) => e.value)), ['1', '3', '5']);
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
    const res = await fetch(`${base}/api/v1/siting/kiosks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
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
    assert.equal((await respState()).proposals, 1, 'the accepted proposal leaves the map');
    assert.match(await page.textContent('#response-panel'), /已采纳：新建警务站（建议 1）/);
    // The server agrees.
    const meta = await (await fetch(`${base}/api/v1/meta`)).json();
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
