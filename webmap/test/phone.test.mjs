// Phone views at 390×844 (isMobile, device scale 3) in Debian's Chromium
// (playwright-core; no browser is ever downloaded):
//
// - a unit's shared route page /r/{token} (api/share.go) for a volunteer
//   leader without an account: it fits the screen in large text, holds the
//   stop list and a GPX link, requests nothing but itself (and its GPX when
//   tapped), shows no map, camera or kiosk data, and the same browser gets 401
//   from the layers API. Needs the real server (TIDEWATCH_URL; the fake server
//   has no share links), which plans through POST /api/v1/plans as the test user.
// - the main map for a signed-in user: panels folded (an accordion), nothing
//   wider than the screen, each panel usable when opened.
//
//   node --test test/phone.test.mjs                                      # fake server: the map only
//   TIDEWATCH_URL=http://127.0.0.1:8080 node --test test/phone.test.mjs  # a real server: both
//
// Screenshots: test-artifacts/phone-route.png, phone-map.png, phone-map-panel.png.
// CHROMIUM overrides /usr/bin/chromium; a missing Chromium skips the test unless CI=true.
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
  console.log(`# skipping the phone tests: ${skip}`);
  test('phone views in Chromium', { skip }, () => {}); // so the runner counts one skipped test
} else if (!haveChromium) {
  test('Chromium is installed (required with CI=true)', () => {
    assert.fail(`CI=true and Chromium is missing at ${executablePath}: apt-get install chromium`);
  });
}

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3, locale: 'zh-CN' };
const W = 390;
const H = 844;
const artifacts = path.join(root, 'test-artifacts');

describe('phone views in Chromium', { skip: !haveChromium && (skip || 'Chromium missing'), timeout: 240_000 }, () => {
  let browser;
  let base;
  let fake = null;

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
    await mkdir(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (fake ? fake.server.close(resolve) : resolve()));
  });

  test('a shared route on a phone: large text, stops and GPX, nothing else', { skip: !process.env.TIDEWATCH_URL && 'needs the real server (TIDEWATCH_URL): the fake server has no share links' }, async () => {
    // Plan as the signed-in test user, through the API.
    const planner = await browser.newContext();
    const api = await login(planner, base);
    const kiosks = await (await api(`${base}/api/v1/layers/kiosks`)).json();
    assert.ok(kiosks.features.length > 0, 'the workspace has kiosks');
    const kioskNames = kiosks.features.map((f) => f.properties.name).filter((n) => n && n.length > 3);
    const kiosk = kiosks.features[0].properties.id;
    const res = await api(`${base}/api/v1/plans`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ window: '22:00-02:00', units: [{ kind: 'volunteer', count: 1, kiosk }, { kind: 'car', count: 1, kiosk }], seed: 3 }),
    });
    const plan = await res.json();
    assert.equal(res.status, 201, JSON.stringify(plan));
    assert.ok(Array.isArray(plan.links) && plan.links.length >= 1, `share links ${JSON.stringify(plan.links)}`);
    const link = plan.links.find((l) => /volunteer/i.test(l.unit)) ?? plan.links[0];
    assert.match(link.url, /^\/r\/[0-9a-f]{32}$/);
    const cameras = await (await api(`${base}/api/v1/layers/cameras`)).json();
    const cameraRefs = cameras.features.slice(0, 50).map((f) => f.properties.ref).filter(Boolean);
    await planner.close();

    // The leader's phone: a fresh browser, never signed in.
    const phone = await browser.newContext({ ...PHONE, acceptDownloads: true });
    const page = await phone.newPage();
    const requests = [];
    const errors = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    const pageURL = `${base}${link.url}`;
    const resp = await page.goto(pageURL, { waitUntil: 'networkidle' });
    assert.equal(resp.status(), 200);
    const m = await page.evaluate(() => ({
      scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      innerWidth: window.innerWidth,
      bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
      stops: document.querySelectorAll('ol li').length,
      stopFonts: [...document.querySelectorAll('ol li .t')].map((e) => parseFloat(getComputedStyle(e).fontSize)),
      gpx: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => h.endsWith('.gpx')),
      maps: document.querySelectorAll('.leaflet-container, canvas, svg, img, iframe, script[src], link[rel=stylesheet]').length,
      text: document.body.innerText,
      html: document.documentElement.outerHTML,
      wide: [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => e.tagName + '.' + e.className),
    }));
    assert.equal(m.innerWidth, W, 'the page uses the device width (viewport meta)');
    assert.ok(m.scrollWidth <= W, `no horizontal scroll: scrollWidth ${m.scrollWidth}`);
    assert.deepEqual(m.wide, [], 'no element wider than the screen');
    assert.ok(m.bodyFont >= 16, `body font ${m.bodyFont}px`);
    assert.ok(m.stops >= 1, 'the stop list');
    for (const f of m.stopFonts) assert.ok(f >= 16, `stop time font ${f}px`);
    assert.deepEqual(m.gpx, [`${link.url}.gpx`], 'one GPX link, to this route');
    assert.equal(m.maps, 0, 'no map, image, script or stylesheet');
    for (const ref of cameraRefs) assert.ok(!m.html.includes(ref), `camera ${ref} on the route page`);
    for (const name of kioskNames) assert.ok(!m.text.includes(name), `kiosk ${name} on the route page`);
    assert.doesNotMatch(m.html, /\/api\/|\/tiles\/|leaflet/i, 'nothing of the map or the API');
    await page.screenshot({ path: path.join(artifacts, 'phone-route.png'), fullPage: true });

    // Tapping the GPX link downloads this route and nothing else.
    const [download] = await Promise.all([page.waitForEvent('download'), page.tap(`a[href$=".gpx"]`)]);
    const gpx = await readFile(await download.path(), 'utf8');
    assert.match(gpx, /^<\?xml[^>]*>\s*<gpx[^>]*version="1.1"/);
    assert.ok(gpx.includes(link.unit), 'the GPX names the unit');
    assert.deepEqual([...new Set(requests)].sort(), [pageURL, `${pageURL}.gpx`].sort(), 'no request but the page and its GPX');

    // The same browser holds no session: the map's data stay closed to it.
    const layer = await phone.request.get(`${base}/api/v1/layers/cameras`);
    assert.equal(layer.status(), 401, 'cameras without signing in');
    assert.deepEqual(errors, []);
    await phone.close();
  });

  test('the main map on a phone: panels folded, nothing overflows, each panel usable', async () => {
    const ctx = await browser.newContext(PHONE);
    await login(ctx, base);
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 60_000 });
    await page.waitForTimeout(300);
    // Visible boxes that leave the screen (the map pane itself is moved by Leaflet: skip its content).
    const overflow = () =>
      page.evaluate(([W, H]) => {
        const out = [];
        const sel = 'header *, #banner, .leaflet-control-container .leaflet-control, #dock > details, #dock > details > summary';
        for (const e of document.querySelectorAll(sel)) {
          const r = e.getBoundingClientRect();
          const cs = getComputedStyle(e);
          if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none') continue;
          if (r.left < -0.5 || r.right > W + 0.5 || r.top < -0.5 || r.bottom > H + 0.5) out.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')} ${Math.round(r.left)},${Math.round(r.top)}–${Math.round(r.right)},${Math.round(r.bottom)}`);
        }
        return { out, scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), scrollHeight: document.documentElement.scrollHeight };
      }, [W, H]);
    const o = await overflow();
    assert.ok(o.scrollWidth <= W, `no horizontal scroll: ${o.scrollWidth}`);
    assert.ok(o.scrollHeight <= H, `no vertical page scroll: ${o.scrollHeight}`);
    assert.deepEqual(o.out, [], 'everything inside the screen');
    const mapBox = await page.locator('#map').boundingBox();
    assert.ok(mapBox.height > 500 && mapBox.width === W, `map ${JSON.stringify(mapBox)}`);
    assert.equal(await page.locator('.leaflet-control-layers-expanded').count(), 0, 'layer control folded');
    const panels = await page.$$eval('#dock > details', (ds) => ds.map((d) => ({ id: d.id, open: d.open })));
    assert.ok(panels.length >= 3, `the dock's panels ${JSON.stringify(panels)}`);
    assert.deepEqual(panels.filter((p) => p.open), [], 'every panel folded at start');
    assert.equal(await page.locator('#legend').evaluate((d) => d.open), false, 'legend folded');
    await page.screenshot({ path: path.join(artifacts, 'phone-map.png') });

    // Each panel opens alone and fits; its content scrolls inside it.
    for (const [i, p] of panels.entries()) {
      await page.locator(`#dock > details >> nth=${i} >> summary`).first().click();
      await page.waitForFunction((i) => document.querySelectorAll('#dock > details')[i].open, i, { timeout: 5_000 });
      await page.waitForTimeout(200); // the toggle event closes the others, then the dock refits
      const st = await page.$$eval('#dock > details', (ds) => ds.map((d) => d.open));
      assert.deepEqual(st.map((x, j) => (x ? j : -1)).filter((j) => j >= 0), [i], `only panel ${p.id || i} open`);
      const box = await page.locator('#dock > details').nth(i).boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= W + 0.5, `panel ${p.id || i} inside the width ${JSON.stringify(box)}`);
      assert.ok(box.y >= 0 && box.y + box.height <= H + 0.5, `panel ${p.id || i} inside the height ${JSON.stringify(box)}`);
      const inner = await overflow();
      assert.ok(inner.scrollWidth <= W, `no horizontal scroll with panel ${p.id || i} open: ${inner.scrollWidth}`);
      if (i === 0) await page.screenshot({ path: path.join(artifacts, 'phone-map-panel.png') });
      await page.locator(`#dock > details >> nth=${i} >> summary`).first().click();
      await page.waitForFunction((i) => !document.querySelectorAll('#dock > details')[i].open, i, { timeout: 5_000 });
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  });
});
