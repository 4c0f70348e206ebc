// Writes the hand-made fixture layers in test/fixtures/ (a small patch of
// Wuhan's Jianghan district around lon 114.30, lat 30.59, with zh-CN names).
// Deterministic: re-running gives the same files. The browser test's fake
// server serves them when no TIDEWATCH_URL is given.
import { writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const dir = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'test', 'fixtures');
await mkdir(dir, { recursive: true });

const r6 = (v) => Math.round(v * 1e6) / 1e6;
const pt = (lon, lat) => [r6(lon), r6(lat)];
const fc = (features) => ({ type: 'FeatureCollection', features });
const feature = (id, geometry, properties) => ({ type: 'Feature', id, geometry, properties: { id, ...properties } });

function lengthM(coords) {
  let m = 0;
  for (let i = 1; i < coords.length; i++) {
    const [x1, y1] = coords[i - 1];
    const [x2, y2] = coords[i];
    const dx = (x2 - x1) * 111320 * Math.cos((((y1 + y2) / 2) * Math.PI) / 180);
    const dy = (y2 - y1) * 110574;
    m += Math.hypot(dx, dy);
  }
  return Math.round(m * 10) / 10;
}

const W = 114.285, S = 30.578, E = 114.315, N = 30.602;

const roadDefs = [
  ['解放大道', 'trunk', [[114.285, 30.586], [114.295, 30.589], [114.305, 30.592], [114.315, 30.595]], 'both', false],
  ['中山大道', 'primary', [[114.286, 30.580], [114.296, 30.584], [114.306, 30.588], [114.315, 30.591]], 'both', true],
  ['京汉大道', 'secondary', [[114.285, 30.592], [114.295, 30.595], [114.305, 30.598], [114.314, 30.601]], 'both', true],
  ['沿江大道', 'primary', [[114.300, 30.578], [114.306, 30.584], [114.311, 30.590], [114.315, 30.597]], 'both', true],
  ['江汉路', 'tertiary', [[114.289, 30.578], [114.291, 30.586], [114.293, 30.594], [114.295, 30.602]], 'both', true],
  ['前进一路', 'residential', [[114.297, 30.579], [114.299, 30.587], [114.301, 30.595], [114.303, 30.602]], 'forward', true],
  ['胜利街', 'residential', [[114.305, 30.579], [114.307, 30.586], [114.309, 30.593]], 'backward', true],
  ['江汉路步行街', 'pedestrian', [[114.290, 30.583], [114.292, 30.587], [114.294, 30.591]], 'none', true],
  ['黎黄陂路', 'unclassified', [[114.302, 30.590], [114.306, 30.591], [114.310, 30.593]], 'both', true],
  ['', 'service', [[114.296, 30.590], [114.298, 30.591], [114.299, 30.593]], 'both', true],
  ['二环线', 'motorway', [[114.285, 30.599], [114.295, 30.601], [114.300, 30.602]], 'forward', false],
];
const roads = fc(roadDefs.map(([name, highway, coords, car, foot], i) => {
  const c = coords.map(([x, y]) => pt(x, y));
  return feature(i + 1, { type: 'LineString', coordinates: c }, { highway, name, length_m: lengthM(c), car, foot });
}));

const grids = [];
const gw = (E - W) / 3, gh = (N - S) / 3;
const pops = [3200, 4100, null, 2800, 5600, 3900, 2100, 4700, 3300];
const risks = [0.42, 0.77, 0.35, null, 0.91, 0.58, 0.22, 0.64, 0.49];
for (let j = 0; j < 3; j++) {
  for (let i = 0; i < 3; i++) {
    const k = j * 3 + i;
    const x0 = W + i * gw, y0 = S + j * gh;
    const ring = [pt(x0, y0), pt(x0 + gw, y0), pt(x0 + gw, y0 + gh), pt(x0, y0 + gh), pt(x0, y0)];
    grids.push(feature(k + 1, { type: 'Polygon', coordinates: [ring] }, {
      name: `江汉区民意街第${k + 1}网格`, population: pops[k], risk: risks[k], generated: k === 8,
    }));
  }
}
grids.push(feature(10, { type: 'Polygon', coordinates: [[pt(114.300, 30.594), pt(114.306, 30.594), pt(114.306, 30.598), pt(114.300, 30.598), pt(114.300, 30.594)]] }, {
  name: '江汉路步行街商圈网格', population: 1500, risk: 0.85, generated: false,
}));

const camDefs = [
  ['江汉路口东向枪机', 'fixed', 114.2915, 30.5860, 90, 60, 80],
  ['步行街北口', 'fixed', 114.2935, 30.5905, 20, 70, 60],
  ['中山大道球机', 'dome', 114.2990, 30.5850, 0, 360, 50],
  ['解放大道云台', 'ptz', 114.3050, 30.5920, 0, 360, 120],
  ['前进一路枪机', 'fixed', 114.2995, 30.5880, 180, 50, 70],
  ['胜利街枪机', 'fixed', 114.3075, 30.5870, 300, 60, 90],
  ['沿江大道球机', 'dome', 114.3100, 30.5880, 0, 360, 50],
  ['京汉大道枪机', 'fixed', 114.3000, 30.5965, 250, 45, 100],
  ['黎黄陂路口', 'fixed', 114.3060, 30.5910, 135, 80, 60],
  ['二环线云台', 'ptz', 114.2920, 30.6005, 0, 360, 150],
];
const cameras = fc(camDefs.map(([name, kind, lon, lat, dir, fov, range], i) => feature(i + 1, { type: 'Point', coordinates: pt(lon, lat) }, {
  ref: `TW-CAM-${String(i + 1).padStart(3, '0')}`, name, kind, direction_deg: dir, fov_deg: fov, range_m: range,
  source: 'synthetic', defaulted: kind === 'fixed' ? [] : ['direction_deg'],
})));

const kioskDefs = [
  ['江汉路警务站', 114.2925, 30.5880, 4, 1],
  ['中山大道警务站', 114.3000, 30.5840, 3, 1],
  ['解放大道警务站', 114.2960, 30.5895, 5, 2],
  ['沿江大道警务站', 114.3085, 30.5865, 3, 1],
  ['京汉大道警务站', 114.3040, 30.5975, 2, 1],
  ['胜利街社区警务室', 114.3080, 30.5905, 2, 0],
  ['民意街社区警务室', 114.2880, 30.5810, 2, 0],
  ['二环线交通警务站', 114.2970, 30.6010, 4, 2],
];
const kiosks = fc(kioskDefs.map(([name, lon, lat, staff, vehicles], i) => feature(i + 1, { type: 'Point', coordinates: pt(lon, lat) }, {
  ref: `TW-KS-${String(i + 1).padStart(2, '0')}`, name, staff, vehicles, source: 'file:kiosks.csv',
})));

const incDefs = [
  ['盗窃', 114.2930, 30.5875, '2024-05-03T21:40:00+08:00', 1],
  ['纠纷', 114.2950, 30.5890, '2024-05-03T23:15:00+08:00', 1],
  ['诈骗', 114.3010, 30.5860, '2024-05-04T10:05:00+08:00', 2],
  ['抢劫', 114.3065, 30.5915, '2024-05-04T01:30:00+08:00', 4],
  ['交通事故', 114.2975, 30.5900, '2024-05-04T08:20:00+08:00', 2],
  ['盗窃', 114.2920, 30.5905, '2024-05-04T19:45:00+08:00', 1],
  ['纠纷', 114.3090, 30.5880, '2024-05-05T00:10:00+08:00', 1],
  ['寻衅滋事', 114.2940, 30.5915, '2024-05-05T22:50:00+08:00', 3],
  ['盗窃', 114.3030, 30.5955, '2024-05-05T14:35:00+08:00', 1],
  ['诈骗', 114.2890, 30.5825, '2024-05-06T16:00:00+08:00', 2],
  ['纠纷', 114.3110, 30.5935, '2024-05-06T20:25:00+08:00', 1],
  ['盗窃', 114.2995, 30.5985, '2024-05-06T03:05:00+08:00', 1],
];
const incidents = fc(incDefs.map(([category, lon, lat, time, weight], i) => feature(i + 1, { type: 'Point', coordinates: pt(lon, lat) }, {
  ref: `JQ2024050${3 + Math.floor(i / 4)}${String(i + 1).padStart(3, '0')}`, time,
  hour: Number(time.slice(11, 13)), category, weight, source: 'synthetic',
})));

const siteDefs = [
  ['江汉区实验小学', 'school', 114.2900, 30.5840, 3],
  ['武汉市第一医院', 'hospital', 114.2870, 30.5930, 3],
  ['中国银行江汉路支行', 'bank', 114.2935, 30.5865, 1],
  ['地铁江汉路站', 'transport', 114.2925, 30.5895, 1],
  ['武汉商场', 'market', 114.2960, 30.5920, 3],
  ['江汉区政府', 'government', 114.3020, 30.5990, 5],
  ['汉口火车站', 'transport', 114.2880, 30.6000, 1],
  ['工商银行中山大道支行', 'bank', 114.3040, 30.5880, 1],
  ['民意幼儿园', 'kindergarten', 114.3100, 30.5850, 3],
  ['江汉关博物馆', 'museum', 114.3110, 30.5905, 5],
];
const sites = fc(siteDefs.map(([name, category, lon, lat, tier], i) => feature(i + 1, { type: 'Point', coordinates: pt(lon, lat) }, {
  ref: `TW-SITE-${String(i + 1).padStart(2, '0')}`, name, category, tier, source: i < 6 ? 'osm' : 'file:sites.geojson',
})));

const roadKm = roads.features.reduce((a, f) => a + f.properties.length_m, 0) / 1000;
const meta = {
  name: '武汉市江汉区（演示）',
  bound: [W, S, E, N],
  counts: {
    road_nodes: roads.features.reduce((a, f) => a + f.geometry.coordinates.length, 0),
    road_edges: roads.features.reduce((a, f) => a + f.geometry.coordinates.length - 1, 0),
    road_km: Math.round(roadKm * 100) / 100,
    grids: grids.length,
    cameras: cameras.features.length,
    kiosks: kiosks.features.length,
    incidents: incidents.features.length,
    sites: sites.features.length,
  },
  notes: ['fixture data for the web map tests'],
  synthetic: ['cameras', 'incidents'],
  basemap: { url: '', attribution: '' },
};

const out = { 'meta.json': meta, 'roads.geojson': roads, 'grids.geojson': fc(grids), 'cameras.geojson': cameras,
  'kiosks.geojson': kiosks, 'incidents.geojson': incidents, 'sites.geojson': sites };
for (const [name, data] of Object.entries(out)) {
  await writeFile(path.join(dir, name), JSON.stringify(data, null, 1) + '\n');
}
console.log('wrote', Object.keys(out).join(', '), 'to', dir);
