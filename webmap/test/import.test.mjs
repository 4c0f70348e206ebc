// Import through the web map (导入): a zipped shapefile of kiosks, written
// byte by byte here (.shp, .shx, .dbf, .cpg and a UTM .prj, in a stored
// ZIP), is picked in the import dialog, converted in the browser (shpjs,
// reprojected to WGS84) and posted to the real server, which then serves
// the new kiosks; a shapefile without .prj in metres is refused by the page,
// and broken files show the server's error with file and line or feature.
//
//   TIDEWATCH_IMPORT_URL=http://127.0.0.1:8090 node --test test/import.test.mjs
//
// The test replaces the kiosks of the server's workspace, so it wants a
// server of its own (a throw-away copy of the demo database, signed in as
// the admin TIDEWATCH_USER / TIDEWATCH_PASSWORD): it runs only when
// TIDEWATCH_IMPORT_URL names one, and is skipped otherwise (the fake server
// has no import). It restores the kiosks it found at the end, as GeoJSON
// (their sources then read "file:kiosks.geojson"). CHROMIUM overrides
// /usr/bin/chromium; a missing Chromium skips the test unless CI=true.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import zlib from 'node:zlib';
import proj4 from 'proj4';
import { login } from './login.mjs';
import { executablePath, launchChromium } from './chromium.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const haveChromium = existsSync(executablePath);
const ci = process.env.CI === 'true';
const serverURL = process.env.TIDEWATCH_IMPORT_URL;
const skip = !serverURL
  ? 'TIDEWATCH_IMPORT_URL is not set: this test replaces the kiosks of a real server and wants one of its own'
  : !haveChromium && !ci
    ? `Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)`
    : false;
if (skip) {
  console.log(`# skipping the import browser test: ${skip}`);
  test('import in Chromium', { skip }, () => {});
} else if (!haveChromium) {
  test('Chromium is installed (required with CI=true)', () => {
    assert.fail(`CI=true and Chromium is missing at ${executablePath}: apt-get install chromium`);
  });
}

// ---------- shapefiles, byte by byte ----------

const UTM18N =
  'PROJCS["WGS_1984_UTM_Zone_18N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],' +
  'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],' +
  'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-75.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]';

/**
 * The .shp and .shx of shapes: points [x, y] (shape type 1) or polylines
 * [[x, y], ...] (shape type 3), one part each.
 */
function shpShx(shapes, type) {
  const contents = shapes.map((s) => {
    if (type === 1) {
      const b = Buffer.alloc(20);
      b.writeInt32LE(1, 0);
      b.writeDoubleLE(s[0], 4);
      b.writeDoubleLE(s[1], 12);
      return b;
    }
    const b = Buffer.alloc(44 + 4 + 16 * s.length);
    b.writeInt32LE(3, 0);
    const xs = s.map((p) => p[0]);
    const ys = s.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) => b.writeDoubleLE(v, 4 + 8 * i));
    b.writeInt32LE(1, 36); // parts
    b.writeInt32LE(s.length, 40); // points
    b.writeInt32LE(0, 44); // the part starts at point 0
    s.forEach((p, i) => {
      b.writeDoubleLE(p[0], 48 + 16 * i);
      b.writeDoubleLE(p[1], 56 + 16 * i);
    });
    return b;
  });
  const all = type === 1 ? shapes : shapes.flat();
  const box = [Math.min(...all.map((p) => p[0])), Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[0])), Math.max(...all.map((p) => p[1]))];
  const header = (lengthBytes) => {
    const h = Buffer.alloc(100);
    h.writeInt32BE(9994, 0);
    h.writeInt32BE(lengthBytes / 2, 24); // 16-bit words
    h.writeInt32LE(1000, 28);
    h.writeInt32LE(type, 32);
    box.forEach((v, i) => h.writeDoubleLE(v, 36 + 8 * i));
    return h;
  };
  const records = [];
  const index = [];
  let offset = 100;
  contents.forEach((c, i) => {
    const rh = Buffer.alloc(8);
    rh.writeInt32BE(i + 1, 0);
    rh.writeInt32BE(c.length / 2, 4);
    records.push(rh, c);
    const ix = Buffer.alloc(8);
    ix.writeInt32BE(offset / 2, 0);
    ix.writeInt32BE(c.length / 2, 4);
    index.push(ix);
    offset += 8 + c.length;
  });
  return { shp: Buffer.concat([header(offset), ...records]), shx: Buffer.concat([header(100 + 8 * shapes.length), ...index]) };
}

/** A dBASE III table: fields [name, 'C'|'N', length], rows of values; text in UTF-8 (with a .cpg). */
function dbf(fields, rows) {
  const recLen = 1 + fields.reduce((a, f) => a + f[2], 0);
  const headLen = 32 + 32 * fields.length + 1;
  const h = Buffer.alloc(headLen);
  h.writeUInt8(0x03, 0);
  h.writeUInt8(126, 1); // 2026
  h.writeUInt8(8, 2);
  h.writeUInt8(1, 3);
  h.writeUInt32LE(rows.length, 4);
  h.writeUInt16LE(headLen, 8);
  h.writeUInt16LE(recLen, 10);
  fields.forEach(([name, type, len], i) => {
    const o = 32 + 32 * i;
    h.write(name, o, 10, 'latin1');
    h.write(type, o + 11, 1, 'latin1');
    h.writeUInt8(len, o + 16);
  });
  h.writeUInt8(0x0d, headLen - 1);
  const body = rows.map((row) => {
    const r = Buffer.alloc(recLen, 0x20); // a space: not deleted, padding
    let o = 1;
    fields.forEach(([, type, len], i) => {
      const v = Buffer.from(String(row[i]), 'utf8');
      assert.ok(v.length <= len, `dbf value ${row[i]} longer than ${len} bytes`);
      v.copy(r, type === 'N' ? o + len - v.length : o);
      o += len;
    });
    return r;
  });
  return Buffer.concat([h, ...body, Buffer.from([0x1a])]);
}

/** A ZIP archive of files {name: Buffer}, stored (not deflated); CRC-32 from zlib. */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of Object.entries(files)) {
    const n = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4); // version needed
    lh.writeUInt16LE(0x0800, 6); // UTF-8 names
    lh.writeUInt16LE(0, 8); // stored
    lh.writeUInt16LE(0, 10); // time
    lh.writeUInt16LE(0x5c21, 12); // date 2026-01-01
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(data.length, 18);
    lh.writeUInt32LE(data.length, 22);
    lh.writeUInt16LE(n.length, 26);
    lh.writeUInt16LE(0, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4); // made by
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(0x0800, 8);
    ch.writeUInt16LE(0, 10);
    ch.writeUInt16LE(0, 12);
    ch.writeUInt16LE(0x5c21, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(data.length, 20);
    ch.writeUInt32LE(data.length, 24);
    ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, n, data);
    centrals.push(ch, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// The new kiosks: near Wilmington's centre (the demo workspace), in UTM zone 18N metres.
const KIOSKS = [
  { name: '测试警务站一', staff: 4, lon: -75.5485, lat: 39.7402 },
  { name: '测试警务站二', staff: 6, lon: -75.5391, lat: 39.7468 },
  { name: 'Market St 警务站', staff: 3, lon: -75.5537, lat: 39.7335 },
];
const toUTM = proj4('EPSG:4326', UTM18N);
const utm = KIOSKS.map((k) => toUTM.forward([k.lon, k.lat]));
const FIELDS = [
  ['NAME', 'C', 40],
  ['STAFF', 'N', 4],
];
const ROWS = KIOSKS.map((k) => [k.name, k.staff]);

function kioskShapefile({ prj = true } = {}) {
  const { shp, shx } = shpShx(utm, 1);
  const files = { 'kiosks/新警务站.shp': shp, 'kiosks/新警务站.shx': shx, 'kiosks/新警务站.dbf': dbf(FIELDS, ROWS), 'kiosks/新警务站.cpg': Buffer.from('UTF-8') };
  if (prj) files['kiosks/新警务站.prj'] = Buffer.from(UTM18N);
  return zip(files);
}

// ---------- the test ----------

describe('import in Chromium', { skip: skip || (!haveChromium && 'Chromium missing'), timeout: 180_000 }, () => {
  let browser;
  let context;
  let page;
  let base;
  let original; // the kiosks found, as GeoJSON text
  let originalCount;
  const requests = [];
  const consoleErrors = [];
  const artifacts = path.join(root, 'test-artifacts');

  const api = async (url) => {
    const res = await context.request.get(`${base}${url}`);
    assert.equal(res.status(), 200, `GET ${url}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  const kioskCount = async () => (await api('/api/v1/meta')).counts.kiosks;

  /** Picks layer and file in the dialog and imports; returns the dialog's state after it. */
  async function importFile(layer, file) {
    if (!(await page.locator('#import-dialog').evaluate((d) => d.open))) await page.click('#import-open');
    await page.selectOption('#import-layer', layer);
    await page.setInputFiles('#import-file', file);
    const before = await page.evaluate(() => ({ ...window.__tidewatch.importer }));
    await page.click('#import-submit');
    await page.waitForFunction(
      (n) => {
        const s = window.__tidewatch.importer;
        return !s.busy && (s.imported > n.imported || s.error !== null);
      },
      before,
      { timeout: 60_000 },
    );
    return page.evaluate(() => window.__tidewatch.importer);
  }

  before(async () => {
    base = serverURL.replace(/\/+$/, '');
    process.env.TIDEWATCH_URL ||= base; // login.mjs signs in against a real server only
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    await login(context, base);
    page = await context.newPage();
    page.on('request', (r) => requests.push(`${r.method()} ${r.url()}`));
    page.on('console', (m) => m.type() === 'error' && !m.text().includes('status of 400') && consoleErrors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    const res = await context.request.get(`${base}/api/v1/layers/kiosks`);
    assert.equal(res.status(), 200, 'GET /api/v1/layers/kiosks');
    original = await res.text();
    originalCount = await kioskCount();
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 30_000 });
    await mkdir(artifacts, { recursive: true });
  });

  after(async () => {
    // Put the kiosks back as they were found.
    if (context && original) {
      const me = await (await context.request.get(`${base}/api/v1/me`)).json().catch(() => ({}));
      const res = await context.request.post(`${base}/api/v1/import`, {
        headers: me.csrf ? { 'X-CSRF-Token': me.csrf } : {},
        multipart: { kiosks: { name: 'kiosks.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(original) } },
      });
      assert.equal(res.status(), 200, `restoring the kiosks: ${res.status()} ${await res.text()}`);
      assert.equal(await kioskCount(), originalCount, 'kiosks restored');
    }
    await browser?.close();
  });

  test('the admin sees the import button and the dialog in zh-CN', async () => {
    assert.equal((await page.textContent('#import-open')).trim(), '导入');
    await page.click('#import-open');
    assert.ok(await page.locator('#import-dialog').evaluate((d) => d.open));
    const text = await page.textContent('#import-dialog');
    for (const w of ['导入图层', '图层', 'Shapefile', '摄像头', '警务站', '警情', '重点部位', '网格']) assert.ok(text.includes(w), `dialog lacks ${w}`);
    await page.selectOption('#import-layer', 'kiosks');
    assert.match(await page.textContent('#import-replaces'), /替换当前全部警务站/);
  });

  test('a zipped shapefile in UTM becomes the kiosks, in WGS84', async () => {
    assert.ok(originalCount > 0, 'the demo workspace has kiosks');
    const st = await importFile('kiosks', { name: '新警务站.zip', mimeType: 'application/zip', buffer: kioskShapefile() });
    assert.equal(st.error, null, `import failed: ${JSON.stringify(st.error)}`);
    assert.equal(st.converted, KIOSKS.length);
    assert.equal(st.result.layers.kiosks, KIOSKS.length);
    assert.match(await page.textContent('#import-status'), /已导入警务站 3 条/);
    // The server serves the new kiosks: names, staff and positions (reprojected from UTM by shpjs).
    assert.equal(await kioskCount(), KIOSKS.length);
    const fc = await api('/api/v1/layers/kiosks');
    assert.equal(fc.features.length, KIOSKS.length);
    KIOSKS.forEach((k, i) => {
      const f = fc.features[i];
      assert.equal(f.properties.name, k.name);
      assert.equal(f.properties.staff, k.staff);
      assert.equal(f.properties.source, 'file:新警务站.geojson');
      const [lon, lat] = f.geometry.coordinates;
      assert.ok(Math.abs(lon - k.lon) < 1e-6 && Math.abs(lat - k.lat) < 1e-6, `kiosk ${i + 1} at ${lon},${lat}, want ${k.lon},${k.lat}`);
    });
    // ...and the map redraws them.
    await page.waitForFunction((n) => window.__tidewatch.layerCounts.kiosks === n, KIOSKS.length, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.__tidewatch.meta.counts.kiosks), KIOSKS.length);
    assert.match(await page.textContent('#counts'), /警务站 3/);
    await page.screenshot({ path: path.join(artifacts, 'import.png') });
  });

  test('a shapefile in metres without .prj is refused by the page', async () => {
    const posts = requests.filter((r) => r.startsWith('POST ')).length;
    const st = await importFile('kiosks', { name: 'noprj.zip', mimeType: 'application/zip', buffer: kioskShapefile({ prj: false }) });
    assert.ok(st.error, 'an error');
    const status = await page.textContent('#import-status');
    assert.match(status, /没有 \.prj/);
    assert.equal(requests.filter((r) => r.startsWith('POST ')).length, posts, 'nothing was posted');
    assert.equal(await kioskCount(), KIOSKS.length);
  });

  test("a broken CSV shows the server's error with file and line", async () => {
    const csv = 'name,lat,lon,staff\n东门,39.7402,-75.5485,4\n西门,north,-75.5391,2\n';
    const st = await importFile('kiosks', { name: 'kiosks.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    assert.equal(st.error?.file, 'kiosks.csv');
    assert.equal(st.error?.line, 3);
    const status = await page.textContent('#import-status');
    assert.match(status, /导入失败：文件 kiosks\.csv 第 3 行：lat "north" is not a number/);
    assert.equal(await kioskCount(), KIOSKS.length, 'nothing stored');
  });

  test("a shapefile of lines as kiosks shows the server's error with the feature", async () => {
    const lines = [utm.slice(0, 2), utm.slice(1, 3)];
    const { shp, shx } = shpShx(lines, 3);
    const buf = zip({ 'roads.shp': shp, 'roads.shx': shx, 'roads.dbf': dbf([['NAME', 'C', 20]], [['a'], ['b']]), 'roads.prj': Buffer.from(UTM18N) });
    const st = await importFile('kiosks', { name: 'roads.zip', mimeType: 'application/zip', buffer: buf });
    assert.equal(st.error?.feature, 1);
    assert.equal(st.error?.file, 'roads.geojson');
    const status = await page.textContent('#import-status');
    assert.match(status, /文件 roads\.geojson \(roads\.zip\) 第 1 个要素：geometry is a LineString, want Point/);
    await page.screenshot({ path: path.join(artifacts, 'import-error.png') });
    assert.equal(await kioskCount(), KIOSKS.length, 'nothing stored');
  });

  test('the dialog speaks English after the switch', async () => {
    await page.click('#import-close');
    await page.click('#lang-switch');
    assert.equal((await page.textContent('#import-open')).trim(), 'Import');
    await page.click('#import-open');
    assert.match(await page.textContent('#import-dialog'), /Import a layer/);
    await page.click('#import-close');
    await page.click('#lang-switch');
  });

  test('no request left the server, and the console stayed clean', () => {
    const foreign = requests.filter((r) => !r.split(' ')[1].startsWith(base) && !r.split(' ')[1].startsWith('data:') && !r.split(' ')[1].startsWith('blob:'));
    assert.deepEqual(foreign, []);
    assert.deepEqual(consoleErrors, []);
  });
});
