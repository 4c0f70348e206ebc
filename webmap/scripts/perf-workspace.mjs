// Builds the workspace the browser performance test (test/perf.test.mjs) loads:
// the Wilmington demo's real roads, kiosks and key sites with N synthetic
// cameras and M synthetic incidents placed along its roads. `tidewatch demo`
// cannot: it puts at most one camera per road junction (about 1,950 there).
//
//   node webmap/scripts/perf-workspace.mjs --db /tmp/perf.db [--cameras 10000] [--incidents 20000] [--tidewatch bin/tidewatch]
//
// Run from the repository root (it finds the Delaware extract with `go list`).
// Steps: `tidewatch demo` into a scratch DB, `tidewatch export roads` as
// GeoJSON, cameras and incidents as CSV (seeded, so every run is the same),
// then `tidewatch import --osm <extract> --bbox <Wilmington>` with them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    db: { type: 'string' },
    cameras: { type: 'string', default: '10000' },
    incidents: { type: 'string', default: '20000' },
    tidewatch: { type: 'string', default: 'bin/tidewatch' },
    seed: { type: 'string', default: '7' },
  },
});
if (!args.db) {
  console.error('usage: node webmap/scripts/perf-workspace.mjs --db OUT.db [--cameras 10000] [--incidents 20000] [--tidewatch bin/tidewatch]');
  process.exit(2);
}
const nCameras = Number(args.cameras);
const nIncidents = Number(args.incidents);
const tw = path.resolve(args.tidewatch);
// The demo's bound (cmd/tidewatch/demo.go).
const WILMINGTON = '-75.5885,39.6880,-75.4708,39.7730';

// mulberry32: a small seeded generator, so the workspace is the same every run.
let seed = Number(args.seed) >>> 0;
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'tw-perf-'));
try {
  const scratch = path.join(tmp, 'demo.db');
  execFileSync(tw, ['demo', '--db', scratch, '--cameras', '1', '--incidents', '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const roads = JSON.parse(execFileSync(tw, ['export', 'roads', '--db', scratch, '--mode', 'foot', '--format', 'geojson'], { maxBuffer: 1 << 28 }).toString());

  // Road segments with cumulative length, to draw positions uniformly along the streets.
  const R = 6371008.8;
  const rad = Math.PI / 180;
  const segs = [];
  let total = 0;
  for (const f of roads.features) {
    const c = f.geometry?.coordinates ?? [];
    for (let i = 1; i < c.length; i++) {
      const [x0, y0] = c[i - 1];
      const [x1, y1] = c[i];
      const dx = (x1 - x0) * rad * Math.cos(((y0 + y1) / 2) * rad) * R;
      const dy = (y1 - y0) * rad * R;
      const len = Math.hypot(dx, dy);
      if (len < 1) continue;
      total += len;
      segs.push({ x0, y0, x1, y1, bearing: (Math.atan2(dx, dy) / rad + 360) % 360, cum: total });
    }
  }
  if (segs.length === 0) throw new Error('no roads exported');
  const [bw, bs, be, bn] = WILMINGTON.split(',').map(Number);
  const along = () => {
    for (;;) {
      const p = alongAny();
      if (p.lon > bw && p.lon < be && p.lat > bs && p.lat < bn) return p; // the import drops what lies outside
    }
  };
  const alongAny = () => {
    const d = rand() * total;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid].cum < d) lo = mid + 1;
      else hi = mid;
    }
    const s = segs[lo];
    const u = rand();
    return { lon: s.x0 + (s.x1 - s.x0) * u, lat: s.y0 + (s.y1 - s.y0) * u, bearing: s.bearing };
  };
  const f6 = (v) => v.toFixed(6);

  // Cameras: 60 % fixed (aimed along the street, 60–90°, 35–80 m), 30 % dome, 10 % PTZ, as the demo's.
  const cams = ['id,name,kind,direction,fov,range_m,lat,lon'];
  for (let i = 1; i <= nCameras; i++) {
    const p = along();
    const u = rand();
    const id = `PERF-CAM-${String(i).padStart(5, '0')}`;
    if (u < 0.6) {
      const dir = (p.bearing + (rand() < 0.5 ? 0 : 180) + 360) % 360;
      cams.push(`${id},${id},fixed,${dir.toFixed(0)},${60 + Math.round(rand() * 30)},${35 + Math.round(rand() * 45)},${f6(p.lat)},${f6(p.lon)}`);
    } else {
      cams.push(`${id},${id},${u < 0.9 ? 'dome' : 'ptz'},,360,${u < 0.9 ? 40 : 80},${f6(p.lat)},${f6(p.lon)}`);
    }
  }
  // Incidents over 91 days from 2026-08-01, mostly in the evening and at night.
  const hourW = [6, 5, 4, 3, 2, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9, 9, 8];
  const hourSum = hourW.reduce((a, b) => a + b, 0);
  const pickHour = () => {
    let r = rand() * hourSum;
    for (let h = 0; h < 24; h++) if ((r -= hourW[h]) < 0) return h;
    return 23;
  };
  const cats = ['theft', 'fight', 'fraud', 'disturbance', 'traffic', 'burglary'];
  const incs = ['id,timestamp,category,weight,latitude,longitude'];
  const t0 = Date.UTC(2026, 7, 1);
  for (let i = 1; i <= nIncidents; i++) {
    const p = along();
    const day = Math.floor(rand() * 91);
    const ts = new Date(t0 + day * 86400000 + pickHour() * 3600000 + Math.floor(rand() * 3600) * 1000).toISOString().replace('.000Z', 'Z');
    const w = rand() < 0.85 ? 1 : 2 + Math.round(rand() * 3);
    incs.push(`PERF-INC-${i},${ts},${cats[Math.floor(rand() * cats.length)]},${w},${f6(p.lat)},${f6(p.lon)}`);
  }
  const camCSV = path.join(tmp, 'cameras.csv');
  const incCSV = path.join(tmp, 'incidents.csv');
  writeFileSync(camCSV, cams.join('\n') + '\n');
  writeFileSync(incCSV, incs.join('\n') + '\n');

  const osmDir = execFileSync('go', ['list', '-m', '-f', '{{.Dir}}', 'github.com/paulmach/osm']).toString().trim();
  const pbf = path.join(osmDir, 'testdata', 'delaware-latest.osm.pbf');
  if (!existsSync(pbf)) throw new Error(`${pbf} is missing: go mod download github.com/paulmach/osm`);
  const out = execFileSync(tw, ['import', '--osm', pbf, '--bbox', WILMINGTON, '--cameras', camCSV, '--incidents', incCSV,
    '--name', `Wilmington, Delaware (perf: ${nCameras} cameras)`, '--db', path.resolve(args.db), '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(out);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
