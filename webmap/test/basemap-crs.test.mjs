// The map over a bureau basemap in GCJ-02 (AMap/Tencent) or BD-09 (Baidu):
// every WGS84 feature is drawn at its shifted position, and a dragged camera
// goes back to the API in WGS84. Headless Debian Chromium via playwright-core.
//
//   node --test test/basemap-crs.test.mjs      # fake server, basemap crs gcj02 (and bd09)
//   TIDEWATCH_URL=http://127.0.0.1:18200 node --test test/basemap-crs.test.mjs
//     # a real server started with --basemap-crs gcj02 (skipped otherwise);
//     # it moves a camera (PUT), so use a throw-away workspace DB.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadTS } from '../scripts/load-ts.mjs';
import { apiLogin, login } from './login.mjs';
import { executablePath, launchChromium } from './chromium.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const haveChromium = existsSync(executablePath);
const skip = !haveChromium && process.env.CI !== 'true' ? `Chromium not found at ${executablePath}` : false;
const crs = await loadTS('src/crs.ts'); // checked against the Go reference in crs.test.mjs
const { haversine } = await loadTS('src/geometry.ts');
let api = fetch; // fetch() as the signed-in user of the real server (test/login.mjs)

async function launch() {
  return launchChromium();
}

/** Opens the page, recording every request URL and console error. */
async function open(browser, base) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', deviceScaleFactor: 1 });
  await login(context, base);
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/`, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 30_000 });
  return { context, page, requests, errors };
}

async function firstKiosk(page, base) {
  const meta = await (await api(`${base}/api/v1/meta`)).json();
  const fc = await (await api(`${base}/api/v1/layers/kiosks?bbox=${meta.bound.map((v) => v.toFixed(6)).join(',')}`)).json();
  const f = fc.features[0];
  const drawn = await page.evaluate((id) => {
    const l = window.__tidewatch.layers.kiosks.getLayers().find((l) => String(l.feature.properties.id) === String(id));
    return l && l.getLatLng();
  }, f.properties.id);
  return { f, drawn };
}

describe('map over a GCJ-02 basemap', { skip, timeout: 120_000 }, () => {
  let browser, fake, base, page, context, requests, errors;
  let unused = false;

  before(async () => {
    if (process.env.TIDEWATCH_URL) base = process.env.TIDEWATCH_URL.replace(/\/+$/, '');
    else {
      const { startFakeServer } = await import('../scripts/fake-server.mjs');
      fake = await startFakeServer({ basemap: { url: '/tiles/{z}/{x}/{y}.png', crs: 'gcj02', attribution: 'test tiles' } });
      base = fake.url;
    }
    api = await apiLogin(base);
    const meta = await (await api(`${base}/api/v1/meta`)).json();
    if (meta.basemap?.crs !== 'gcj02') {
      unused = `the server's basemap is ${meta.basemap?.crs ?? 'wgs84'}: start it with --basemap-crs gcj02`;
      return;
    }
    browser = await launch();
    ({ context, page, requests, errors } = await open(browser, base));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await new Promise((resolve) => (fake ? fake.server.close(resolve) : resolve()));
  });

  test('the map draws in GCJ-02 and the basemap is on the same server', async (t) => {
    if (unused) return t.skip(unused);
    assert.equal(await page.evaluate(() => window.__tidewatch.crs), 'gcj02');
    const meta = await page.evaluate(() => window.__tidewatch.meta);
    assert.ok(meta.basemap.url, 'a basemap URL');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-pane img').length > 0, null, { timeout: 10_000 });
  });

  test('the first kiosk is drawn at WGS84ToGCJ02 of its API position (within 1 m)', async (t) => {
    if (unused) return t.skip(unused);
    const { f, drawn } = await firstKiosk(page, base);
    assert.ok(drawn, `kiosk ${f.properties.id} drawn`);
    const w = f.geometry.coordinates;
    const g = crs.wgs84ToGcj02(w);
    const err = haversine([drawn.lng, drawn.lat], g);
    assert.ok(err < 1, `kiosk drawn ${err.toFixed(3)} m from its GCJ-02 position`);
    // Inside mainland China (the Wuhan fixtures) the shift is hundreds of metres;
    // outside (the Delaware demo) GCJ-02 is WGS84 and nothing moves.
    if (crs.inChina(w)) assert.ok(haversine([drawn.lng, drawn.lat], w) > 100, 'visibly shifted from WGS84');
    else assert.deepEqual([drawn.lng, drawn.lat], w, 'outside China: unshifted');
  });

  test('grids, roads, incidents and camera view wedges are shifted too', async (t) => {
    if (unused) return t.skip(unused);
    // Cameras and incidents are clustered below zoom 15 and 16 (src/cluster.ts):
    // look at single features, each at street zoom over a feature of its own.
    const api0 = async (layer) => (await (await api(`${base}/api/v1/layers/${layer}?bbox=-180,-90,180,90`)).json()).features;
    const viewAt = async (coords, zoom) => {
      await page.evaluate(([c, z]) => {
        window.__tidewatch.map.setView(window.__tidewatch.toMap(c), z, { animate: false });
      }, [coords, zoom]);
      await page.waitForFunction((z) => ['cameras', 'incidents'].every((n) => {
        const st = window.__tidewatch.layers[n].stats;
        return st.zoom === z && st.pending === 0;
      }), zoom, { timeout: 10_000 });
    };
    const fixedCam = (await api0('cameras')).find((f) => f.properties.kind === 'fixed' && f.properties.range_m > 0 && f.properties.fov_deg > 0);
    let wedgeAt = null;
    if (fixedCam) {
      await viewAt(fixedCam.geometry.coordinates, 17);
      wedgeAt = await page.evaluate(() => {
        const w = window.__tidewatch.layers.cameras.getLayers().find((l) => l.getLatLngs && !l.getRadius);
        return w ? w.getLatLngs()[0][0] : null;
      });
    }
    await viewAt((await api0('incidents'))[0].geometry.coordinates, 17);
    const got = await page.evaluate(() => {
      const tw = window.__tidewatch;
      const grid = tw.layers.grids.getLayers()[0];
      const road = tw.layers.roads.getLayers()[0];
      const inc = tw.layers.incidents.getLayers().find((l) => l.feature && l.getLatLng);
      const first = (ll) => (Array.isArray(ll[0]) ? first(ll[0]) : ll[0]);
      return {
        grid: [grid.feature.geometry.coordinates, first(grid.getLatLngs())],
        road: [road.feature.geometry.coordinates, first(road.getLatLngs())],
        inc: [inc.feature.geometry.coordinates, inc.getLatLng()],
      };
    });
    got.wedge = wedgeAt;
    const firstCoord = (c) => (typeof c[0] === 'number' ? c : firstCoord(c[0]));
    for (const k of ['grid', 'road', 'inc']) {
      const [coords, ll] = got[k];
      const err = haversine([ll.lng, ll.lat], crs.wgs84ToGcj02(firstCoord(coords)));
      assert.ok(err < 1, `${k}: first vertex ${err.toFixed(3)} m from its GCJ-02 position`);
    }
    const cams = await (await api(`${base}/api/v1/layers/cameras?bbox=-180,-90,180,90`)).json();
    assert.equal(!!got.wedge, cams.features.some((f) => f.properties.kind === 'fixed' && f.properties.range_m > 0 && f.properties.fov_deg > 0), 'a view wedge for each fixed camera');
    if (got.wedge) {
      // A wedge starts at its camera: the GCJ-02 position of some camera.
      const near = Math.min(...cams.features.map((f) => haversine([got.wedge.lng, got.wedge.lat], crs.wgs84ToGcj02(f.geometry.coordinates))));
      assert.ok(near < 1, `wedge apex ${near.toFixed(3)} m from a camera's GCJ-02 position`);
    }
  });

  test('dragging a camera PUTs its WGS84 position (within 0.5 m of where it was dropped)', async (t) => {
    if (unused) return t.skip(unused);
    await page.click('#coverage-panel > summary');
    await page.waitForFunction(() => window.__tidewatch.coverage.loaded > 0 && !window.__tidewatch.coverage.busy, null, { timeout: 30_000 });
    await page.click('#coverage-panel > summary'); // fold it again: the map is free to drag on
    // Centre on the first camera at street zoom, where cameras are draggable markers.
    const cam = await page.evaluate(() => {
      const tw = window.__tidewatch;
      const f = tw.layers.cameras.getLayers().find((l) => l.feature).feature;
      tw.map.setView(tw.toMap(f.geometry.coordinates), 18, { animate: false });
      return f.properties.id;
    });
    await page.waitForFunction((id) => window.__tidewatch.coverageView.camLayer.getLayers().some((l) => l.cam?.id === id && l.getElement()), cam, { timeout: 10_000 });
    // The marker's own element must be on top at its centre.
    const start = await page.evaluate((id) => {
      const tw = window.__tidewatch;
      const m = tw.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id);
      const r = m.getElement().getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      return { x, y, top: m.getElement().contains(document.elementFromPoint(x, y)), ll: m.getLatLng() };
    }, cam);
    assert.ok(start.top, 'the camera marker is not covered');
    const dx = 70, dy = 45;
    const put = page.waitForResponse((r) => new RegExp(`/api/v1/cameras/${cam}$`).test(r.url()) && r.request().method() === 'PUT');
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + dx / 2, start.y + dy / 2, { steps: 5 });
    await page.mouse.move(start.x + dx, start.y + dy, { steps: 5 });
    await page.mouse.up();
    const r = await put;
    assert.equal(r.status(), 200);
    const sent = JSON.parse(r.request().postData());
    // Where it was dropped, on the map (GCJ-02): the start position moved by the drag in pixels.
    const dropped = await page.evaluate(([ll, dx, dy]) => {
      const map = window.__tidewatch.map;
      const p = map.latLngToContainerPoint(ll);
      return map.containerPointToLatLng([p.x + dx, p.y + dy]);
    }, [start.ll, dx, dy]);
    const want = crs.gcj02ToWgs84([dropped.lng, dropped.lat]);
    const err = haversine([sent.lon, sent.lat], want);
    assert.ok(err < 0.5, `PUT ${sent.lon},${sent.lat} is ${err.toFixed(3)} m from the intended WGS84 ${want}`);
    if (crs.inChina(want)) assert.ok(haversine([sent.lon, sent.lat], [dropped.lng, dropped.lat]) > 100, 'the PUT body is not the raw GCJ-02 map position');
    // The saved camera is redrawn where it was dropped.
    const moved = await r.json();
    await page.waitForFunction((id) => !window.__tidewatch.coverage.busy && window.__tidewatch.coverageView.camLayer.getLayers().some((l) => l.cam?.id === id), cam, { timeout: 10_000 });
    const now = await page.evaluate((id) => window.__tidewatch.coverageView.camLayer.getLayers().find((l) => l.cam?.id === id).getLatLng(), cam);
    assert.ok(haversine([now.lng, now.lat], crs.wgs84ToGcj02([moved.lon, moved.lat])) < 1, 'marker redrawn at the GCJ-02 position of the saved camera');
  });

  test('no request went to another host and no page errors', async (t) => {
    if (unused) return t.skip(unused);
    const origin = new URL(base).origin;
    assert.ok(requests.length > 10);
    assert.deepEqual(requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin), []);
    assert.deepEqual(errors, []);
  });
});

describe('map over a Baidu (BD-09) basemap', { skip: skip || (process.env.TIDEWATCH_URL ? 'fake server only' : false), timeout: 120_000 }, () => {
  let browser, fake, context, page, requests, errors;

  before(async () => {
    const { startFakeServer } = await import('../scripts/fake-server.mjs');
    fake = await startFakeServer({ basemap: { url: '/tiles/{z}/{x}/{y}.png', crs: 'bd09' } });
    browser = await launch();
    ({ context, page, requests, errors } = await open(browser, fake.url));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await new Promise((resolve) => fake.server.close(resolve));
  });

  test('features are drawn at their BD-09 position on Baidu\'s tile grid', async () => {
    const { f, drawn } = await firstKiosk(page, fake.url);
    const b = crs.wgs84ToBd09(f.geometry.coordinates);
    const err = haversine([drawn.lng, drawn.lat], b);
    assert.ok(err < 1, `kiosk drawn ${err.toFixed(3)} m from its BD-09 position`);
    // Its pixel position follows Baidu Mercator: 2^(18−z) m per pixel, y up.
    const px = await page.evaluate((ll) => {
      const map = window.__tidewatch.map;
      return { z: map.getZoom(), p: map.project(ll, map.getZoom()), code: map.options.crs.code };
    }, drawn);
    assert.equal(px.code, 'BD09MC');
    const [mx, my] = crs.bd09ToBaiduMercator(b);
    const s = 2 ** (px.z - 18);
    assert.ok(Math.abs(px.p.x - mx * s) < 0.01 && Math.abs(px.p.y + my * s) < 0.01, `pixel ${JSON.stringify(px.p)} vs BD09MC ${mx},${my} at z${px.z}`);
    // The tile under the kiosk is requested by Baidu's numbers (x east, y north from (0,0)).
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-tile-pane img').length > 0, null, { timeout: 10_000 });
    const z = Math.round(px.z);
    const tx = Math.floor((mx * 2 ** (z - 18)) / 256), ty = Math.floor((my * 2 ** (z - 18)) / 256);
    assert.ok(requests.some((u) => u.endsWith(`/tiles/${z}/${tx}/${ty}.png`)), `tile ${z}/${tx}/${ty} requested; got ${requests.filter((u) => u.includes('/tiles/')).slice(0, 5)}`);
    assert.deepEqual(errors, []);
  });
});
