// The printable pages in Debian's Chromium (through playwright-core; no
// browser is ever downloaded): the jurisdiction report (GET /report) and a
// plan's route cards (GET /api/v1/plans/{id}/cards), printed to PDF.
//
//   TIDEWATCH_URL=http://127.0.0.1:8080 node --test test/report.test.mjs
//
// The pages are rendered by the Go server, so this test needs the real
// server (TIDEWATCH_URL; .ci/web-test.sh starts one on a demo workspace and
// sets TIDEWATCH_USER / TIDEWATCH_PASSWORD); without it the test is skipped.
// CHROMIUM overrides /usr/bin/chromium. When Chromium or the server is
// missing the test is skipped, except with CI=true where it fails. It makes
// a plan and revokes one of its links through the API, so use a throw-away
// workspace DB. It also saves a what-if scenario (two cameras, a kiosk)
// through the API, opens its printable case (/report?scenario=ID) from the
// comparison view's link and deletes the scenario again. Artifacts:
// test-artifacts/report.pdf, report.png, route-cards.pdf, route-cards.png,
// report-scenario.pdf, report-scenario.png.
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
const server = process.env.TIDEWATCH_URL;
const missing = !haveChromium
  ? `Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)`
  : !server
    ? 'the report and route cards are rendered by the Go server: set TIDEWATCH_URL (as .ci/web-test.sh does)'
    : false;
const skip = missing && !ci ? missing : false;
if (skip) {
  console.log(`# skipping report tests: ${skip}`);
  test('printable report and route cards in Chromium', { skip }, () => {}); // so the runner counts one skipped test
} else if (missing) {
  test('Chromium and a server are there (required with CI=true)', () => {
    assert.fail(`CI=true: ${missing}`);
  });
}

/** Pages in a PDF: its page objects (Chromium writes them uncompressed). */
function pdfPages(buf) {
  const s = buf.toString('latin1');
  return (s.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

describe('printable report and route cards in Chromium', { skip: missing || false, timeout: 240_000 }, () => {
  let browser;
  let context;
  let base;
  let api = fetch;
  const requests = [];
  const problems = [];
  const artifacts = path.join(root, 'test-artifacts');

  function watch(p) {
    p.on('request', (r) => requests.push(r.url()));
    p.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()} ${m.location()?.url ?? ''}`);
    });
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  }

  async function json(url, init) {
    const res = await api(`${base}${url}`, init);
    const body = await res.text();
    assert.ok(res.ok, `${init?.method ?? 'GET'} ${url}: HTTP ${res.status} ${body.slice(0, 300)}`);
    return JSON.parse(body);
  }

  /** The data-v values of every row of a table (rows without any are left out). */
  function tableValues(p, selector) {
    return p.$$eval(`${selector} tr`, (trs) =>
      trs
        .map((tr) => ({ attrs: Object.fromEntries([...tr.attributes].map((a) => [a.name, a.value])), vals: [...tr.querySelectorAll('[data-v]')].map((td) => td.getAttribute('data-v')) }))
        .filter((r) => r.vals.length > 0),
    );
  }

  before(async () => {
    base = server.replace(/\/+$/, '');
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1000, height: 1400 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    api = await login(context, base);
    await mkdir(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  test('the map has a print-report link and a layer export menu', async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 30_000 });
    const link = page.locator('#print-report');
    assert.equal((await link.textContent()).trim(), '打印报告');
    assert.equal(await link.getAttribute('href'), '/report');
    assert.equal(await link.getAttribute('target'), '_blank');
    await page.click('#export-label');
    const hrefs = await page.$$eval('#export-list a', (as) => as.map((a) => a.getAttribute('href')));
    for (const want of ['/api/v1/export/cameras.csv', '/api/v1/export/grids.kml', '/api/v1/export/roads.geojson', '/api/v1/export/rings.kml', '/api/v1/export/units.csv']) {
      assert.ok(hrefs.includes(want), `export menu lacks ${want}: ${hrefs.join(' ')}`);
    }
    // Every link of the menu downloads a file.
    for (const href of hrefs.filter((h) => !h.includes('roads') && !h.includes('rings'))) {
      const res = await api(`${base}${href}`);
      assert.equal(res.status, 200, href);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename=/, href);
      await res.arrayBuffer();
    }
    // The link opens the report in a new tab.
    const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await tab.waitForLoadState('load');
    assert.equal(new URL(tab.url()).pathname, '/report');
    assert.match(await tab.title(), /辖区警务报告/);
    await tab.close();
    await page.close();
  });

  test('the report prints to a multi-page A4 PDF whose numbers are the API’s', async () => {
    const [meta, resp, cov] = await Promise.all([json('/api/v1/meta'), json('/api/v1/response'), json('/api/v1/coverage')]);
    const page = await context.newPage();
    watch(page);
    requests.length = 0;
    const res = await page.goto(`${base}/report`, { waitUntil: 'load' });
    assert.equal(res.status(), 200);
    await page.screenshot({ path: path.join(artifacts, 'report.png') });
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('.hint.screen-only'), false, 'the screen hint prints');

    // Counts as /api/v1/meta.
    const counts = await tableValues(page, '#counts');
    const c = meta.counts;
    assert.deepEqual(counts[0].vals.map(Number), [c.road_km, c.grids, c.cameras, c.kiosks, c.incidents, c.sites]);
    assert.equal((await page.textContent('#ws-name')).trim(), meta.name);

    // Tiers as /api/v1/response.
    const tiers = await tableValues(page, '#tiers');
    assert.equal(tiers.length, resp.tiers.length + 1);
    resp.tiers.forEach((tr, i) => {
      assert.equal(Number(tiers[i].vals[0]), tr.road_km, `tier ${tr.minutes} road km`);
      assert.equal(Number(tiers[i].vals[1]), tr.share, `tier ${tr.minutes} share`);
    });
    const shown = await page.$$eval('#tiers td.share', (tds) => tds.map((td) => td.textContent.trim()));
    assert.deepEqual(shown, resp.tiers.map((tr) => (100 * tr.share).toFixed(1)));
    assert.equal(Number(tiers.at(-1).vals[1]), resp.failing_sites);

    // Failing key sites, per tier.
    const failing = await page.$$eval('table.failing tr[data-site]', (trs) => trs.map((tr) => `${tr.closest('table').dataset.tier}/${tr.dataset.site}`));
    const want = resp.sites.filter((s) => !s.ok).map((s) => `${s.tier}/${s.site_id}`);
    assert.deepEqual([...failing].sort(), [...want].sort());

    // Per grid: camera street coverage as /api/v1/coverage, reach as /api/v1/response.
    const grids = await tableValues(page, '#grids');
    assert.equal(grids.length, cov.grids.length);
    grids.forEach((row, i) => {
      const g = cov.grids[i];
      const r = resp.grids[i];
      assert.equal(Number(row.attrs['data-grid']), g.id);
      if (g.road_m > 0) assert.equal(Number(row.vals[2]), g.covered_road_m / g.road_m, `grid ${g.id} streets watched`);
      if (r.road_m > 0) r.share.forEach((s, k) => assert.equal(Number(row.vals[3 + k]), s, `grid ${g.id} tier ${k}`));
    });

    // Maps: inline SVG, three of them, with drawn roads.
    assert.equal(await page.locator('svg.map').count(), 3);
    const paths = await page.locator('svg.map path').count();
    assert.ok(paths > 20, `only ${paths} paths in the maps`);

    const pdf = await page.pdf({ path: path.join(artifacts, 'report.pdf'), format: 'A4', printBackground: true, preferCSSPageSize: true });
    const pages = pdfPages(pdf);
    assert.ok(pages > 1, `report.pdf has ${pages} page(s)`);
    assert.ok((await readFile(path.join(artifacts, 'report.pdf'))).length === pdf.length);

    // Nothing but the page itself was loaded.
    const others = requests.filter((u) => !u.startsWith(`${base}/report`) && !u.startsWith('data:'));
    assert.deepEqual(others, [], 'the report loaded other resources');
    await page.close();
  });

  test('route cards: one card per unit with its QR code and stops, printed to PDF', async () => {
    const kiosks = (await json('/api/v1/layers/kiosks')).features;
    assert.ok(kiosks.length > 0, 'no kiosks');
    const k = kiosks[0].properties.id;
    const made = await json('/api/v1/plans', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ window: '22:00-02:00', seed: 11, vary: 0.2, units: [{ name: '巡逻车', kind: 'car', kiosk: k, count: 2 }, { name: '义警一组', kind: 'volunteer', kiosk: k }] }),
    });
    const fc = await json(`/api/v1/plans/${made.id}`);
    const stops = new Map(fc.features.filter((f) => f.properties.layer === 'route').map((f) => [f.properties.unit, f.properties.stops]));

    const page = await context.newPage();
    watch(page);
    requests.length = 0;
    const res = await page.goto(`${base}/api/v1/plans/${made.id}/cards`, { waitUntil: 'load' });
    assert.equal(res.status(), 200);
    await page.screenshot({ path: path.join(artifacts, 'route-cards.png') });
    const cards = await page.$$eval('article.card', (as) =>
      as.map((a) => {
        const img = a.querySelector('img.qr-code');
        return {
          unit: a.dataset.unit,
          state: a.dataset.state,
          qr: img ? { ok: img.complete && img.naturalWidth > 0, w: img.naturalWidth, link: img.dataset.link } : null,
          arrive: [...a.querySelectorAll('td.arrive')].map((td) => td.textContent),
          depart: [...a.querySelectorAll('td.depart')].map((td) => td.textContent),
          sketch: !!a.querySelector('svg.route-map'),
        };
      }),
    );
    assert.equal(cards.length, made.links.length, 'a card per unit');
    cards.forEach((card, i) => {
      const link = made.links[i];
      assert.equal(card.unit, link.unit);
      assert.equal(card.state, 'live');
      assert.ok(card.qr?.ok && card.qr.w > 100, `${card.unit}: QR image not shown`);
      assert.equal(card.qr.link, new URL(link.url, base).href, `${card.unit}: QR link`);
      const want = stops.get(card.unit) ?? [];
      assert.deepEqual(card.arrive, want.map((s) => s.eta), `${card.unit}: arrivals`);
      assert.deepEqual(card.depart, want.map((s) => s.etd), `${card.unit}: departures`);
      if (want.length > 0) assert.ok(card.sketch, `${card.unit}: no route sketch`);
    });
    assert.ok(cards.some((c) => c.arrive.length > 0), 'no card has stops');

    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ path: path.join(artifacts, 'route-cards.pdf'), printBackground: true, preferCSSPageSize: true });
    const pages = pdfPages(pdf);
    assert.ok(pages >= cards.length, `route-cards.pdf has ${pages} page(s) for ${cards.length} cards`);
    const others = requests.filter((u) => !u.startsWith(`${base}/api/v1/plans/${made.id}/cards`) && !u.startsWith('data:'));
    assert.deepEqual(others, [], 'the cards loaded other resources');

    // A revoked link prints as revoked, without a QR code.
    const tok = made.links[1].url.replace('/r/', '');
    const del = await api(`${base}/api/v1/share/${tok}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    await page.reload({ waitUntil: 'load' });
    const second = page.locator('article.card').nth(1);
    assert.equal(await second.getAttribute('data-state'), 'revoked');
    assert.equal(await second.locator('img.qr-code').count(), 0);
    assert.match(await second.textContent(), /已撤销 revoked/);
    await page.close();
  });

  test('scenario case: the comparison links to /report?scenario=ID, which prints the compare API’s numbers', async () => {
    // Two cameras along streets and a kiosk near the first kiosk, through the API.
    const kiosks = (await json('/api/v1/layers/kiosks')).features;
    assert.ok(kiosks.length > 0, 'no kiosks');
    const [kx, ky] = kiosks[0].geometry.coordinates;
    const bbox = [kx - 0.01, ky - 0.01, kx + 0.01, ky + 0.01].map((v) => v.toFixed(6)).join(',');
    const roads = (await json(`/api/v1/layers/roads?bbox=${bbox}&zoom=16`)).features.filter(
      (f) => f.geometry.type === 'LineString' && /^(primary|secondary|tertiary|residential|unclassified)$/.test(f.properties.highway ?? ''),
    );
    assert.ok(roads.length >= 3, `only ${roads.length} streets near kiosk ${kiosks[0].properties.id}`);
    const along = (f) => {
      const [a, b] = f.geometry.coordinates;
      const r = Math.PI / 180;
      const y = Math.sin((b[0] - a[0]) * r) * Math.cos(b[1] * r);
      const x = Math.cos(a[1] * r) * Math.sin(b[1] * r) - Math.sin(a[1] * r) * Math.cos(b[1] * r) * Math.cos((b[0] - a[0]) * r);
      const dir = Math.round(((Math.atan2(y, x) / r) % 360 + 360) % 360) % 360;
      return { lon: Number(((a[0] + b[0]) / 2).toFixed(7)), lat: Number(((a[1] + b[1]) / 2).toFixed(7)), dir };
    };
    const picks = [roads[0], roads[Math.floor(roads.length / 2)], roads[roads.length - 1]].map(along);
    const edits = [
      { op: 'create', kind: 'camera', name: '方案天网1', lon: picks[0].lon, lat: picks[0].lat, direction_deg: picks[0].dir },
      { op: 'create', kind: 'camera', lon: picks[1].lon, lat: picks[1].lat, direction_deg: picks[1].dir },
      { op: 'create', kind: 'kiosk', name: '方案警务站', lon: picks[2].lon, lat: picks[2].lat, staff: 3 },
    ];
    const sc = await json('/api/v1/scenarios', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `打印测试方案 ${new Date().toISOString().slice(11, 19)}`, edits }),
    });
    try {
      // The comparison view links to the case.
      const page = await context.newPage();
      watch(page);
      await page.goto(`${base}/`, { waitUntil: 'load' });
      await page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 30_000 });
      await page.locator('#scenario-panel > summary').click();
      await page.waitForFunction(() => window.__tidewatch.scenario.loaded, null, { timeout: 30_000 });
      if ((await page.evaluate(() => window.__tidewatch.scenario.current?.id)) !== sc.id) {
        await page.selectOption('#scen-select', String(sc.id));
        await page.waitForFunction((id) => window.__tidewatch.scenario.current?.id === id && !window.__tidewatch.scenario.busy, sc.id, { timeout: 30_000 });
      }
      await page.click('#scen-compare');
      await page.waitForFunction(() => window.__tidewatch.scenario.compares >= 1 && !window.__tidewatch.scenario.busy, null, { timeout: 180_000 });
      const link = page.locator('#scen-print-case');
      assert.equal((await link.textContent()).trim(), '打印方案');
      assert.equal(await link.getAttribute('href'), `/report?scenario=${sc.id}`);
      assert.equal(await link.getAttribute('target'), '_blank');
      await page.locator('#lang-switch').dispatchEvent('click');
      assert.equal((await link.textContent()).trim(), 'Print case');
      await page.locator('#lang-switch').dispatchEvent('click');
      const [tab] = await Promise.all([context.waitForEvent('page'), link.click()]);
      const loaded = [];
      tab.on('request', (q) => loaded.push(q.url()));
      watch(tab);
      await tab.waitForLoadState('load', { timeout: 180_000 });
      assert.equal(new URL(tab.url()).pathname + new URL(tab.url()).search, `/report?scenario=${sc.id}`);
      await tab.waitForSelector('#scenario', { timeout: 180_000 });
      await page.close();

      // The figures are the compare API's, exactly (the API answers from the comparison the report made).
      const c = await json(`/api/v1/scenarios/${sc.id}/compare`);
      assert.equal(c.delta.cameras, 2);
      assert.equal(c.delta.kiosks, 1);
      const want = {
        cameras: [c.before.cameras, c.after.cameras, c.delta.cameras],
        coverage: [c.before.coverage.share, c.after.coverage.share, c.delta.coverage.share],
        coverage_km: [c.before.coverage.covered_road_km, c.after.coverage.covered_road_km, c.delta.coverage.covered_road_km],
        kiosks: [c.before.kiosks, c.after.kiosks, c.delta.kiosks],
        failing: [c.before.sites.failing, c.after.sites.failing, c.delta.failing_sites],
        patrol: [c.before.patrol.covered_share, c.after.patrol.covered_share, c.delta.patrol.covered_share],
        patrol_risk: [c.before.patrol.covered_risk, c.after.patrol.covered_risk, c.delta.patrol.covered_risk],
        units: [c.before.units, c.after.units, c.delta.units],
      };
      c.after.response.tiers.forEach((ta, i) => {
        const tb = c.before.response.tiers[i];
        const td = c.delta.tiers[i];
        want[`tier${ta.minutes}`] = [tb.share, ta.share, td.share];
        want[`tier${ta.minutes}_km`] = [tb.road_km, ta.road_km, td.road_km];
      });
      const failing = (f, tier) => f.sites.tiers.find((x) => x.tier_min === tier)?.failing ?? 0;
      for (const sd of c.delta.sites) want[`failing${sd.tier_min}`] = [failing(c.before, sd.tier_min), failing(c.after, sd.tier_min), sd.failing];
      const shown = Object.fromEntries(
        (await tableValues(tab, '#scenario-figures tbody')).map((r) => [r.attrs['data-row'], r.vals.map((v) => (v === '' ? null : Number(v)))]),
      );
      assert.deepEqual(Object.keys(shown).sort(), Object.keys(want).sort());
      for (const [row, vals] of Object.entries(want)) assert.deepEqual(shown[row], vals, `row ${row}`);
      const changes = await tab.$$eval('#scenario-sites tr[data-site]', (trs) => trs.map((tr) => `${tr.dataset.tier}/${tr.dataset.site}/${tr.dataset.change}`));
      const wantChanges = c.delta.sites.flatMap((sd) => [...sd.now_ok.map((id) => `${sd.tier_min}/${id}/now_ok`), ...sd.now_failing.map((id) => `${sd.tier_min}/${id}/now_failing`)]);
      assert.deepEqual([...changes].sort(), [...wantChanges].sort());

      // The edits in words, at the positions saved.
      assert.equal((await tab.textContent('#scenario-name')).trim(), sc.name);
      const listed = await tab.$$eval('#scenario-edits tr[data-edit]', (trs) =>
        trs.map((tr) => ({ op: tr.dataset.op, kind: tr.dataset.kind, lon: Number(tr.dataset.lon), lat: Number(tr.dataset.lat), dir: tr.dataset.dir, text: tr.textContent })),
      );
      assert.equal(listed.length, 3);
      listed.forEach((e, i) => {
        assert.equal(`${e.op} ${e.kind}`, `${edits[i].op} ${edits[i].kind}`);
        assert.equal(e.lon, sc.edits[i].lon);
        assert.equal(e.lat, sc.edits[i].lat);
      });
      assert.match(listed[0].text, /新增摄像头 New camera/);
      assert.match(listed[0].text, new RegExp(`朝向 facing ${picks[0].dir}°`));
      assert.match(listed[2].text, /新增警务站 New kiosk.*方案警务站/s);

      // Two maps side by side, the new cameras and kiosk highlighted on the scenario's.
      assert.equal(await tab.locator('#scenario svg.scenario-map').count(), 2);
      assert.equal(await tab.locator('figure[data-side=scenario] g.added').count(), 3);
      assert.equal(await tab.locator('figure[data-side=today] g.added').count(), 0);
      const [l, r] = await tab.$$eval('#scenario svg.scenario-map', (ss) => ss.map((s) => s.getBoundingClientRect().toJSON()));
      assert.ok(Math.abs(l.top - r.top) < 1 && r.left > l.right - 1, `maps not side by side: ${JSON.stringify([l, r])}`);
      await tab.locator('#scenario').screenshot({ path: path.join(artifacts, 'report-scenario.png') });

      // Printed: the section on its own pages.
      await tab.emulateMedia({ media: 'print' });
      const brk = await tab.$eval('#scenario', (el) => [getComputedStyle(el).breakBefore, getComputedStyle(el).breakAfter]);
      assert.deepEqual(brk, ['page', 'page']);
      const pdf = await tab.pdf({ path: path.join(artifacts, 'report-scenario.pdf'), format: 'A4', printBackground: true, preferCSSPageSize: true });
      const pages = pdfPages(pdf);
      assert.ok(pages > 2, `report-scenario.pdf has ${pages} page(s)`);
      const others = loaded.filter((u) => !u.startsWith(`${base}/report`) && !u.startsWith('data:'));
      assert.deepEqual(others, [], 'the case loaded other resources');
      await tab.close();
    } finally {
      await api(`${base}/api/v1/scenarios/${sc.id}`, { method: 'DELETE', headers: { 'If-Match': `"${sc.version}"` } });
    }
  });

  test('no page errors', () => {
    assert.deepEqual(problems, []);
  });
});
