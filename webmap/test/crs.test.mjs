// src/crs.ts against the Go reference (geo/chinacrs.go, geo/chinacrs_test.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { loadTS } from '../scripts/load-ts.mjs';
import { goSource, outFile, parseOutline, renderOutline } from '../scripts/gen-outline.mjs';

const c = await loadTS('src/crs.ts');
const { haversine } = await loadTS('src/geometry.ts');

// The published WGS84→GCJ-02 pairs (eviltransform vectors), as in chinacrs_test.go.
const REFS = [
  ['Shanghai', [121.5272106, 31.1774276], [121.531541859215, 31.17530398364597]],
  ['Shenzhen', [113.912316, 22.543847], [113.9171764808363, 22.540796131694766]],
  ['Beijing', [116.377817, 39.911954], [116.38404722455657, 39.91334545536069]],
];

test('the compiled-in outline is the one in geo/chinacrs.go', async () => {
  const mp = parseOutline(await readFile(goSource, 'utf8'));
  assert.equal(mp.length, 2, 'mainland (with holes) and the Paracels');
  assert.equal(mp[0].length, 6, 'outer ring + Hong Kong, Macau, Kinmen, 2×Matsu');
  for (const pg of mp) for (const r of pg) assert.deepEqual(r[0], r.at(-1), 'closed ring');
  assert.equal(await readFile(outFile, 'utf8'), renderOutline(mp), 'src/chinaoutline.gen.ts is stale: run npm run build');
});

test('WGS84→GCJ-02 matches the published pairs to 1e-9°, and back to 1 mm', () => {
  for (const [name, w, g] of REFS) {
    const got = c.wgs84ToGcj02(w);
    assert.ok(Math.abs(got[0] - g[0]) <= 1e-9 && Math.abs(got[1] - g[1]) <= 1e-9, `${name}: ${got} want ${g}`);
    const back = c.gcj02ToWgs84(g);
    assert.ok(haversine(back, w) < 0.001, `${name}: back ${back} is ${haversine(back, w)} m off`);
  }
});

function chinaGrid() {
  const pts = [];
  for (let lat = 18.2513; lat <= 53.5; lat += 0.5) for (let lon = 73.7517; lon <= 135; lon += 0.5) if (c.inChina([lon, lat])) pts.push([lon, lat]);
  return pts;
}

test('round trips on a 0.5° grid over China: GCJ-02 and BD-09 within 0.01 m, shift 30–800 m', () => {
  const pts = chinaGrid();
  assert.ok(pts.length >= 3000, `${pts.length} grid points inside`);
  let maxG = 0, maxB = 0, minS = Infinity, maxS = 0, maxMap = 0;
  for (const w of pts) {
    const g = c.wgs84ToGcj02(w);
    const s = haversine(w, g);
    minS = Math.min(minS, s);
    maxS = Math.max(maxS, s);
    maxG = Math.max(maxG, haversine(c.gcj02ToWgs84(g), w));
    maxB = Math.max(maxB, haversine(c.bd09ToWgs84(c.wgs84ToBd09(w)), w));
    for (const crs of ['gcj02', 'bd09']) {
      const [lat, lng] = c.toMap(w, crs);
      maxMap = Math.max(maxMap, haversine(c.fromMap({ lat, lng }, crs), w));
    }
  }
  assert.ok(minS >= 30 && maxS <= 800, `shift ${minS}–${maxS} m`);
  assert.ok(maxG < 0.01, `WGS→GCJ→WGS ${maxG} m`);
  assert.ok(maxB < 0.01, `WGS→BD→WGS ${maxB} m`);
  assert.ok(maxMap < 0.01, `toMap/fromMap ${maxMap} m`);
});

test('the inverse converges to 1e-10°', () => {
  for (const w of chinaGrid().filter((_, i) => i % 37 === 0)) {
    const g = c.wgs84ToGcj02(w);
    const back = c.wgs84ToGcj02(c.gcj02ToWgs84(g));
    assert.ok(Math.abs(back[0] - g[0]) < 1e-10 && Math.abs(back[1] - g[1]) < 1e-10, `${w}`);
  }
});

test('inChina: cities inside, neighbours, Hong Kong, Macau, Taiwan, Kinmen, Matsu outside and unchanged', () => {
  const inside = { Beijing: [116.3912, 39.9063], Shenzhen: [114.055, 22.53], Zhuhai: [113.58, 22.27], Xiamen: [118.09, 24.48], Dongxing: [107.97, 21.545], Heihe: [127.49, 50.245], Kashgar: [75.99, 39.47], Woody: [112.33, 16.83], Wuhan: [114.3, 30.59] };
  const outside = { Seoul: [126.98, 37.57], Tokyo: [139.69, 35.69], MongCai: [107.965, 21.525], Taipei: [121.56, 25.04], Kinmen: [118.32, 24.44], Matsu: [119.94, 26.16], HongKong: [114.16, 22.28], SheungShui: [114.128, 22.5], Macau: [113.539, 22.193], Blagoveshchensk: [127.54, 50.28], Singapore: [103.82, 1.35] };
  for (const [n, p] of Object.entries(inside)) assert.ok(c.inChina(p), n);
  for (const [n, p] of Object.entries(outside)) {
    assert.ok(!c.inChina(p), n);
    assert.deepEqual(c.wgs84ToGcj02(p), p, `${n} moved`);
    assert.deepEqual(c.gcj02ToWgs84(p), p, `${n} moved back`);
    assert.deepEqual(c.toMap(p, 'gcj02'), [p[1], p[0]], `${n} toMap`);
  }
  // Across the Shenzhen River at Lo Wu: one change of state, near 22.534.
  let prev = false, changes = 0;
  for (let lat = 22.45; lat <= 22.6; lat += 0.001) {
    const inn = c.inChina([114.12, lat]);
    if (lat > 22.45 && inn !== prev) {
      changes++;
      assert.ok(lat >= 22.53 && lat <= 22.538, `crossed at ${lat}`);
    }
    prev = inn;
  }
  assert.equal(changes, 1);
  // Outside China BD-09 is Baidu's shift only.
  assert.deepEqual(c.wgs84ToBd09([139.767, 35.681]), c.gcj02ToBd09([139.767, 35.681]));
});

test('Baidu Mercator: Beijing reference and round trip', () => {
  const [x, y] = c.bd09ToBaiduMercator([116.403874, 39.914889]);
  assert.ok(Math.abs(x - 12958160.97) < 0.5 && Math.abs(y - 4825907.72) < 0.5, `${x},${y}`);
  const p = c.baiduMercatorToBd09(12958160.97, 4825907.72);
  assert.ok(Math.abs(p[0] - 116.403874) < 1e-6 && Math.abs(p[1] - 39.914889) < 1e-6, `${p}`);
  let max = 0;
  for (let lat = -73.9; lat <= 73.9; lat += 0.5) for (const lon of [-179.5, -60, 0.3, 104.2, 121.5, 180]) {
    const [mx, my] = c.bd09ToBaiduMercator([lon, lat]);
    max = Math.max(max, haversine(c.baiduMercatorToBd09(mx, my), [lon, lat]));
  }
  assert.ok(max < 0.01, `BD09MC round trip ${max} m`);
});

test('toMap/fromMap are the identity for wgs84, and basemapCRS defaults to it', () => {
  assert.deepEqual(c.toMap([114.3, 30.59], 'wgs84'), [30.59, 114.3]);
  assert.deepEqual(c.fromMap({ lat: 30.59, lng: 114.3 }, 'wgs84'), [114.3, 30.59]);
  assert.equal(c.basemapCRS(undefined), 'wgs84');
  assert.equal(c.basemapCRS('GCJ02'), 'gcj02');
  assert.equal(c.basemapCRS('bd09'), 'bd09');
  assert.equal(c.basemapCRS('epsg3857'), 'wgs84');
});
