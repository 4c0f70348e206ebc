// End-to-end test of the 方案对比 / Scenarios panel in Debian's Chromium
// (playwright-core; no browser is ever downloaded), against the real server:
//
//   TIDEWATCH_URL=http://127.0.0.1:8080 TIDEWATCH_USER=… TIDEWATCH_PASSWORD=… node --test test/scenario.test.mjs
//
// It creates a scenario through the UI with two new cameras (each placed and
// aimed by two clicks) and one new kiosk, opens the comparison and checks that
// the figures shown are those of GET /api/v1/scenarios/{id}/compare, that both
// maps are drawn and move together, and that the stored workspace still has
// its cameras. Screenshots: test-artifacts/scenario-panel.png and
// scenario.png (1366×900). Without TIDEWATCH_URL it is skipped (the fake
// server has no scenarios). CHROMIUM overrides /usr/bin/chromium; a missing
// Chromium skips the test unless CI=true.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { login } from './login.mjs';
import { executablePath, launchChromium } from './chromium.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const haveChromium = existsSync(executablePath);
const ci = process.env.CI === 'true';
const realServer = !!process.env.TIDEWATCH_URL;
let skip = false;
if (!haveChromium && !ci) skip = `Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)`;
else if (!realServer) skip = 'TIDEWATCH_URL is not set: the scenario test needs the real server (the fake server keeps no scenarios)';
if (skip) {
  console.log(`# skipping scenario browser test: ${skip}`);
  test('scenarios in Chromium', { skip }, () => {});
} else if (!haveChromium) {
  test('Chromium is installed (required with CI=true)', () => {
    assert.fail(`CI=true and Chromium is missing at ${executablePath}: apt-get install chromium`);
  });
}

describe('scenarios in Chromium', { skip: skip || (!haveChromium && 'Chromium missing'), timeout: 240_000 }, () => {
  let browser;
  let context;
  let page;
  let base;
  let api = fetch;
  let scenarioId = null;
  const consoleErrors = [];
  const artifacts = path.join(root, 'test-artifacts');
  const name = `测试方案 ${new Date().toISOString().slice(11, 19)}`;

  const state = () => page.evaluate(() => JSON.parse(JSON.stringify(window.__tidewatch.scenario)));
  const getJSON = async (url) => {
    const res = await api(`${base}${url}`);
    assert.equal(res.status, 200, `${url}: HTTP ${res.status}`);
    return res.json();
  };

  /**
   * The stored workspace holds none of the scenario's new cameras and kiosks,
   * and, unless someone (another test file on the same server) wrote cameras
   * meanwhile, exactly the cameras it had before.
   */
  let start = null; // { cameras, maxVersion } when the test began
  async function assertStoredUnchanged() {
    const [cams, kiosks, sc] = await Promise.all([getJSON('/api/v1/layers/cameras'), getJSON('/api/v1/layers/kiosks'), getJSON(`/api/v1/scenarios/${scenarioId}`)]);
    for (const e of sc.edits.filter((e) => e.op === 'create')) {
      const fs = e.kind === 'camera' ? cams.features : kiosks.features;
      assert.ok(!fs.some((f) => Math.abs(f.geometry.coordinates[0] - e.lon) < 1e-7 && Math.abs(f.geometry.coordinates[1] - e.lat) < 1e-7), `a scenario ${e.kind} was stored`);
    }
    const maxVersion = Math.max(0, ...cams.features.map((f) => f.properties.version ?? 0));
    if (maxVersion <= start.maxVersion) assert.equal(cams.features.length, start.cameras, 'stored cameras');
    else console.log('# another client wrote cameras meanwhile: camera count not compared');
    assert.equal((await getJSON('/api/v1/meta')).counts.cameras, cams.features.length);
  }

  before(async () => {
    base = process.env.TIDEWATCH_URL.replace(/\/+$/, '');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    api = await login(context, base);
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 60_000 });
    await mkdir(artifacts, { recursive: true });
  });

  after(async () => {
    if (scenarioId != null) {
      // Leave the workspace's scenario list as it was.
      const sc = await (await api(`${base}/api/v1/scenarios/${scenarioId}`)).json().catch(() => null);
      if (sc?.version) await api(`${base}/api/v1/scenarios/${scenarioId}`, { method: 'DELETE', headers: { 'If-Match': `"${sc.version}"` } });
    }
    await browser?.close();
  });

  /**
   * Free container points of the main map: inside the view, clear of the dock
   * and the legend, 40 px from any marker or camera and from each other. With
   * roads, each is a street point with a second point 60 px along the street
   * (where a new camera there looks).
   */
  async function freePoints(n, roads) {
    return page.evaluate(([n, roads]) => {
      const tw = window.__tidewatch;
      const map = tw.map;
      const size = map.getSize();
      const dock = document.getElementById('dock').getBoundingClientRect();
      const legend = document.getElementById('legend').getBoundingClientRect();
      const box = map.getContainer().getBoundingClientRect();
      const taken = [];
      for (const el of document.querySelectorAll('.leaflet-marker-icon')) {
        const r = el.getBoundingClientRect();
        taken.push([r.left + r.width / 2 - box.left, r.top + r.height / 2 - box.top]);
      }
      tw.layers.cameras.eachLayer?.((l) => {
        if (l.getLatLng) {
          const p = map.latLngToContainerPoint(l.getLatLng());
          taken.push([p.x, p.y]);
        }
      });
      const x0 = dock.right - box.left + 60;
      const x1 = Math.min(legend.left - box.left, size.x) - 60;
      const inside = ([x, y]) => x > x0 && x < x1 && y > 120 && y < size.y - 100;
      const free = ([x, y]) => taken.every(([a, b]) => Math.hypot(a - x, b - y) > 40);
      const out = [];
      if (roads) {
        for (const l of tw.layers.roads.getLayers()) {
          const h = l.feature?.properties?.highway ?? '';
          if (!/^(primary|secondary|tertiary|residential|unclassified)$/.test(h)) continue;
          const ll = l.getLatLngs().flat(2);
          for (let i = 0; i + 1 < ll.length && out.length < n; i++) {
            const a = map.latLngToContainerPoint(ll[i]);
            const b = map.latLngToContainerPoint(ll[i + 1]);
            const d = a.distanceTo(b);
            if (d < 70) continue;
            // Whole pixels: a mouse click lands on one.
            const p = [Math.round(a.x + ((b.x - a.x) * 5) / d), Math.round(a.y + ((b.y - a.y) * 5) / d)];
            const q = [Math.round(p[0] + ((b.x - a.x) * 60) / d), Math.round(p[1] + ((b.y - a.y) * 60) / d)];
            if (inside(p) && inside(q) && free(p)) {
              out.push([p, q]);
              taken.push(p, q);
              break;
            }
          }
          if (out.length >= n) break;
        }
        return out;
      }
      for (let y = 160; y < size.y - 120 && out.length < n; y += 70) {
        for (let x = x0 + 20; x < x1 && out.length < n; x += 90) {
          if (free([x, y])) {
            out.push([x, y]);
            taken.push([x, y]);
          }
        }
      }
      return out;
    }, [n, roads]);
  }

  async function clickMap([x, y]) {
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + x, box.y + y);
  }

  /** WGS84 [lon,lat] of a container point of the main map (through the basemap's system). */
  const wgsAt = ([x, y]) =>
    page.evaluate(([x, y]) => {
      const tw = window.__tidewatch;
      return tw.fromMap(tw.map.containerPointToLatLng([x, y]));
    }, [x, y]);

  async function waitSaves(n) {
    await page.waitForFunction((n) => window.__tidewatch.scenario.saves >= n && !window.__tidewatch.scenario.busy, n, { timeout: 30_000 });
  }

  test('create a scenario with two cameras and a kiosk by clicking the map', async () => {
    const storedCams = (await getJSON('/api/v1/layers/cameras')).features;
    start = { cameras: storedCams.length, maxVersion: Math.max(0, ...storedCams.map((f) => f.properties.version ?? 0)) };
    // A street-level view, where cameras are single dots.
    await page.evaluate(() => {
      const m = window.__tidewatch.map;
      m.setView(m.getCenter(), 16, { animate: false });
    });
    await page.locator('#scenario-panel > summary').click();
    await page.waitForFunction(() => window.__tidewatch.scenario.loaded, null, { timeout: 30_000 });
    assert.equal(await page.locator('#scenario-panel .tw-resp-title').textContent(), '方案对比');
    await page.fill('#scen-name', name);
    await page.click('#scen-create');
    await waitSaves(1);
    let s = await state();
    assert.equal(s.current?.name, name, `created: ${JSON.stringify(s.current)} ${s.error}`);
    assert.equal(s.current.edits.length, 0);
    scenarioId = s.current.id;

    // Two cameras on streets, each aimed along its street (a second click 60 px further along).
    const cams = await freePoints(2, true);
    assert.equal(cams.length, 2, `street points ${JSON.stringify(cams)}`);
    const [kioskAt] = await freePoints(1, false);
    assert.ok(kioskAt, 'a free point for the kiosk');
    await page.click('#scenario-panel button[data-tool=camera]');
    assert.match(await page.textContent('#scen-hint'), /摄像头位置/);
    await clickMap(cams[0][0]);
    await page.waitForFunction(() => window.__tidewatch.scenario.pending !== null);
    assert.match(await page.textContent('#scen-hint'), /朝向/);
    await clickMap(cams[0][1]);
    await waitSaves(2);
    await page.click('#scenario-panel button[data-tool=camera]'); // the tool stays on; toggling it off and on again is allowed too
    await page.click('#scenario-panel button[data-tool=camera]');
    await clickMap(cams[1][0]);
    await page.waitForFunction(() => window.__tidewatch.scenario.pending !== null);
    await clickMap(cams[1][1]);
    await waitSaves(3);
    await page.click('#scenario-panel button[data-tool=kiosk]');
    await clickMap(kioskAt);
    await waitSaves(4);
    await page.keyboard.press('Escape');
    s = await state();
    assert.equal(s.tool, 'none');
    assert.deepEqual(s.current.edits.map((e) => `${e.op} ${e.kind}`), ['create camera', 'create camera', 'create kiosk'], s.error ?? '');
    assert.equal(await page.locator('#scenario-panel .tw-scen-edits tr').count(), 3);

    // Stored as WGS84 where clicked, aimed where the second click was.
    const sc = await getJSON(`/api/v1/scenarios/${scenarioId}`);
    assert.equal(sc.edits.length, 3);
    for (const [i, p] of [[0, cams[0][0]], [1, cams[1][0]], [2, kioskAt]]) {
      const [lon, lat] = await wgsAt(p);
      assert.ok(Math.abs(sc.edits[i].lon - lon) < 1e-6 && Math.abs(sc.edits[i].lat - lat) < 1e-6, `edit ${i} at ${sc.edits[i].lon},${sc.edits[i].lat}, clicked ${lon},${lat}`);
    }
    const ang = (a, b) => Math.abs(((a - b + 540) % 360) - 180);
    for (const i of [0, 1]) {
      const want = await page.evaluate(([p, q]) => {
        const tw = window.__tidewatch;
        const a = tw.fromMap(tw.map.containerPointToLatLng(p));
        const b = tw.fromMap(tw.map.containerPointToLatLng(q));
        const r = Math.PI / 180;
        const y = Math.sin((b[0] - a[0]) * r) * Math.cos(b[1] * r);
        const x = Math.cos(a[1] * r) * Math.sin(b[1] * r) - Math.sin(a[1] * r) * Math.cos(b[1] * r) * Math.cos((b[0] - a[0]) * r);
        return ((Math.atan2(y, x) / r) % 360 + 360) % 360;
      }, cams[i]);
      assert.equal(sc.edits[i].camera_kind, 'fixed');
      assert.ok(ang(sc.edits[i].direction_deg, want) <= 1, `camera ${i + 1} faces ${sc.edits[i].direction_deg}°, aimed at ${want}°`);
    }
    assert.equal(sc.edits[2].kind, 'kiosk');
    // The edits are drawn on the main map; the stored workspace is unchanged.
    assert.ok((await page.evaluate(() => window.__tidewatch.scenarioView.editsLayer.getLayers().length)) >= 5);
    await assertStoredUnchanged();
    await page.screenshot({ path: path.join(artifacts, 'scenario-panel.png') });
  });

  test('the comparison shows the API figures beside two synced maps', async () => {
    // The page's comparison is the API's. (Another client editing the workspace in between
    // would change the answer: then compare again.)
    let s;
    let api;
    for (let attempt = 1; ; attempt++) {
      await page.click('#scen-compare');
      await page.waitForFunction((n) => window.__tidewatch.scenario.compares >= n && !window.__tidewatch.scenario.busy, attempt, { timeout: 120_000 });
      assert.ok(await page.isVisible('#scenario-compare'), 'comparison sheet shown');
      s = await state();
      assert.equal(s.error, null);
      api = await getJSON(`/api/v1/scenarios/${scenarioId}/compare?window=22%3A00-02%3A00`);
      if (attempt === 3 || JSON.stringify(s.comparison) === JSON.stringify(api)) break;
      await page.click('#scen-close');
    }
    assert.deepEqual(s.comparison, api, 'the page compared what the API answers');
    assert.equal(api.delta.cameras, 2);
    assert.equal(api.delta.kiosks, 1);
    assert.equal(api.stale_edits.length, 0);

    // Every figure row as shown (data-v holds the raw value) equals the API's.
    const want = {
      cameras: [api.before.cameras, api.after.cameras, api.delta.cameras],
      coverage: [api.before.coverage.share, api.after.coverage.share, api.delta.coverage.share],
      kiosks: [api.before.kiosks, api.after.kiosks, api.delta.kiosks],
      failing: [api.before.sites.failing, api.after.sites.failing, api.delta.failing_sites],
      patrol: [api.before.patrol.covered_share, api.after.patrol.covered_share, api.delta.patrol.covered_share],
    };
    api.after.response.tiers.forEach((tr, i) => (want[`tier${tr.minutes}`] = [api.before.response.tiers[i].share, tr.share, api.delta.tiers[i].share]));
    for (const sd of api.delta.sites) {
      const f = (fig) => fig.sites.tiers.find((x) => x.tier_min === sd.tier_min)?.failing ?? 0;
      want[`failing${sd.tier_min}`] = [f(api.before), f(api.after), sd.failing];
    }
    const shown = await page.$$eval('#scen-figures tbody tr', (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.dataset.row, [...tr.querySelectorAll('td')].map((td) => ({ v: td.dataset.v, text: td.textContent, cls: td.className }))])),
    );
    assert.deepEqual(Object.keys(shown).sort(), Object.keys(want).sort());
    for (const [row, vals] of Object.entries(want)) {
      const got = shown[row].map((c) => (c.v === '' ? null : Number(c.v)));
      assert.deepEqual(got, vals, `row ${row}`);
    }
    // What a reader sees: the percentages to one decimal, the deltas coloured.
    const pct = (v) => `${(v * 100).toLocaleString('zh-CN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
    assert.ok(shown.coverage[0].text.startsWith(pct(api.before.coverage.share)), shown.coverage[0].text);
    assert.ok(shown.coverage[1].text.startsWith(pct(api.after.coverage.share)), shown.coverage[1].text);
    assert.equal(shown.cameras[2].text, '+2');
    assert.match(shown.cameras[2].cls, /tw-good/);
    assert.match(shown.kiosks[2].cls, /tw-good/);
    // Cameras on streets, looking along them, see street nobody saw.
    assert.ok(api.delta.coverage.covered_road_km > 0, `coverage delta ${JSON.stringify(api.delta.coverage)}`);
    assert.match(shown.coverage[2].cls, /tw-good/);
    if (api.before.patrol.note === 'no_units') assert.match(shown.patrol[0].text, /无巡逻单位/);

    // Both maps are on screen, drawn, and labelled.
    for (const id of ['#scen-map-left', '#scen-map-right']) {
      const b = await page.locator(id).boundingBox();
      assert.ok(b && b.width > 300 && b.height > 250, `${id} box ${JSON.stringify(b)}`);
      assert.ok((await page.locator(`${id} .leaflet-overlay-pane canvas`).count()) > 0, `${id} draws on a canvas`);
    }
    assert.deepEqual(await page.$$eval('.tw-cmp-label', (ls) => ls.map((l) => l.textContent.split(' ·')[0])), ['现状', '方案']);
    assert.equal(s.right.cameras, s.left.cameras + 2);
    assert.equal(s.right.kiosks, s.left.kiosks + 1);
    assert.equal(s.right.added, 3);
    assert.equal(s.left.cameras, api.before.cameras);
    assert.equal(s.right.cameras, api.after.cameras);
    assert.equal(await page.locator('#scen-map-right .tw-kiosk-new').count(), 1, 'the new kiosk is highlighted');
    await page.waitForFunction(() => window.__tidewatch.scenario.left.roads > 0, null, { timeout: 30_000 });

    // Synced: drag the left map, zoom the right one. The maps agree to the pixel (Leaflet
    // rounds a map's pixel origin, so the centres may differ by half a pixel).
    const view = () =>
      page.evaluate(() => {
        const { left, right } = window.__tidewatch.scenarioView;
        const px = left.project(left.getCenter()).distanceTo(left.project(right.getCenter()));
        return { left: [left.getCenter().lat, left.getCenter().lng, left.getZoom()], right: [right.getCenter().lat, right.getCenter().lng, right.getZoom()], px };
      });
    const v0 = await view();
    const lb = await page.locator('#scen-map-left').boundingBox();
    await page.mouse.move(lb.x + lb.width / 2, lb.y + lb.height / 2);
    await page.mouse.down();
    await page.mouse.move(lb.x + lb.width / 2 - 120, lb.y + lb.height / 2 + 40, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(700); // the drag's inertia
    let v1 = await view();
    assert.ok(Math.abs(v1.left[1] - v0.left[1]) > 1e-5, 'the left map moved');
    assert.ok(v1.px <= 1 && v1.left[2] === v1.right[2], `after the drag: ${JSON.stringify(v1)}`);
    await page.evaluate(() => {
      const r = window.__tidewatch.scenarioView.right;
      r.setZoom(r.getZoom() - 1, { animate: false });
    });
    v1 = await view();
    assert.ok(v1.left[2] === v0.left[2] - 1 && v1.right[2] === v1.left[2] && v1.px <= 1, `after zooming the right map: ${JSON.stringify(v1)}`);
    await page.evaluate(() => {
      const r = window.__tidewatch.scenarioView.right;
      r.setZoom(r.getZoom() + 1, { animate: false });
    });
    await page.waitForTimeout(800); // roads and tiles of the final view
    await page.screenshot({ path: path.join(artifacts, 'scenario.png') });
    // The English switch (under the sheet) relabels the open sheet; the figures stay.
    await page.locator('#lang-switch').dispatchEvent('click');
    assert.equal((await page.textContent('#scen-figures tr[data-row=cameras] th')).trim(), 'Cameras');
    assert.equal((await page.textContent('#scen-label-left')).trim(), 'Today');
    assert.equal(await page.getAttribute('#scen-figures tr[data-row=coverage] td:nth-of-type(2)', 'data-v'), String(api.after.coverage.share));
    await page.screenshot({ path: path.join(artifacts, 'scenario-en.png') });
    await page.locator('#lang-switch').dispatchEvent('click');
    assert.equal((await page.textContent('#scen-label-left')).trim(), '现状');

    // The stored workspace still has its cameras.
    await assertStoredUnchanged();

    await page.click('#scen-close');
    assert.equal(await page.isVisible('#scenario-compare'), false);
    assert.equal(await page.isVisible('#banner'), false, 'no error banner');
    assert.deepEqual(consoleErrors, []);
  });

  test('delete a stored camera, move the new kiosk, undo an edit', async () => {
    // A stored camera in view, clear of everything else.
    const target = await page.evaluate(() => {
      const v = window.__tidewatch.scenarioView;
      const map = window.__tidewatch.map;
      const size = map.getSize();
      const dock = document.getElementById('dock').getBoundingClientRect().right - map.getContainer().getBoundingClientRect().left;
      const pts = v.records.map((r) => ({ r, p: map.latLngToContainerPoint(window.__tidewatch.toMap([r.lon, r.lat])) }));
      const ok = pts.filter(({ r, p }) => r.kind === 'camera' && p.x > dock + 40 && p.x < size.x - 320 && p.y > 120 && p.y < size.y - 100 &&
        pts.every((o) => o.r === r || Math.hypot(o.p.x - p.x, o.p.y - p.y) > 40));
      return ok.length ? { id: ok[0].r.id, version: ok[0].r.version, x: Math.round(ok[0].p.x), y: Math.round(ok[0].p.y) } : null;
    });
    assert.ok(target, 'a stored camera in view');
    await page.click('#scenario-panel button[data-tool=delete]');
    await clickMap([target.x + 3, target.y - 2]); // near it is enough
    await waitSaves(5);
    let s = await state();
    const del = s.current.edits[3];
    assert.deepEqual([del.op, del.kind, del.id, del.version], ['delete', 'camera', target.id, target.version], JSON.stringify(del));

    // Move the kiosk the scenario added: its create edit moves, no new edit.
    const kiosk = s.current.edits[2];
    const at = await page.evaluate(([lon, lat]) => {
      const p = window.__tidewatch.map.latLngToContainerPoint(window.__tidewatch.toMap([lon, lat]));
      return [Math.round(p.x), Math.round(p.y)];
    }, [kiosk.lon, kiosk.lat]);
    await page.click('#scenario-panel button[data-tool=move]');
    await clickMap(at);
    await page.waitForFunction(() => window.__tidewatch.scenario.pending?.edit === 2);
    await clickMap([at[0] + 50, at[1] + 30]);
    await waitSaves(6);
    s = await state();
    assert.equal(s.current.edits.length, 4);
    const [lon, lat] = await wgsAt([at[0] + 50, at[1] + 30]);
    assert.ok(Math.abs(s.current.edits[2].lon - lon) < 1e-6 && Math.abs(s.current.edits[2].lat - lat) < 1e-6, 'the kiosk moved');

    // Undo the deletion with its × button; the scenario keeps the other three.
    await page.keyboard.press('Escape');
    await page.click('#scenario-panel button[data-edit="3"]');
    await waitSaves(7);
    s = await state();
    assert.deepEqual(s.current.edits.map((e) => `${e.op} ${e.kind}`), ['create camera', 'create camera', 'create kiosk']);
    const stored = await getJSON(`/api/v1/scenarios/${scenarioId}`);
    assert.equal(stored.version, s.current.version);
    assert.equal(stored.stale_edits.length, 0);
    assert.deepEqual(consoleErrors, []);
  });
});
