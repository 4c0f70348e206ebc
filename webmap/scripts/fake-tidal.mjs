// The fake server's stand-ins for camera coverage (天网覆盖, 补盲) and the
// tidal patrol plan (守点巡线), with the Go JSON shapes of api/coverage.go,
// api/camsiting.go and api/plans.go. Crude and deterministic: a camera sees the
// plain sector of its range and field of view (no buildings), roads are
// sampled every 10 m, areas on a 20 m lattice; patrol targets are the heaviest
// incidents and the busiest roads, shared round robin between the units, and
// routes are straight legs at a fixed speed per kind.
import { HTTPError } from './fake-response.mjs';

const SAMPLE_M = 10;
const LATTICE_M = 20;
const NEAR_M = 25;
const KX = (lat) => 111320 * Math.cos((lat * Math.PI) / 180);
const KY = 110574;

function distM([x1, y1], [x2, y2]) {
  return Math.hypot((x2 - x1) * KX((y1 + y2) / 2), (y2 - y1) * KY);
}
function bearing([x1, y1], [x2, y2]) {
  return ((Math.atan2((x2 - x1) * KX(y1), (y2 - y1) * KY) * 180) / Math.PI + 360) % 360;
}
function offset([lon, lat], deg, m) {
  const b = (deg * Math.PI) / 180;
  return [lon + (m * Math.sin(b)) / KX(lat), lat + (m * Math.cos(b)) / KY];
}
function insideRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
const invalid = (msg) => new HTTPError(400, 'invalid', msg);
const fov = (c) => (c.kind === 'fixed' ? c.fov_deg : 360);

export function sees(c, p) {
  const at = c.at;
  const d = distM(at, p);
  if (d > c.range_m) return false;
  if (fov(c) >= 360 || d < 0.5) return true;
  const diff = Math.abs(((bearing(at, p) - c.direction_deg + 540) % 360) - 180);
  return diff <= fov(c) / 2;
}

function sector(c) {
  const ring = [];
  if (fov(c) >= 360) {
    for (let a = 0; a < 360; a += 10) ring.push(offset(c.at, a, c.range_m));
    ring.push(ring[0]);
    return ring;
  }
  ring.push(c.at);
  const n = Math.max(2, Math.ceil(fov(c) / 5));
  for (let i = 0; i <= n; i++) ring.push(offset(c.at, c.direction_deg - fov(c) / 2 + (fov(c) * i) / n, c.range_m));
  ring.push(c.at);
  return ring;
}

const DEFAULTS = { fixed: { fov_deg: 60, range_m: 60 }, dome: { fov_deg: 360, range_m: 30 }, ptz: { fov_deg: 360, range_m: 80 } };

export class TidalModel {
  constructor(layers) {
    this.layers = layers;
    this.plans = new Map();
    this.planSeq = 0;
    this.roadSamples = [];
    for (const f of layers.roads.features) {
      const c = f.geometry.coordinates;
      for (let i = 1; i < c.length; i++) {
        const len = distM(c[i - 1], c[i]);
        const n = Math.max(1, Math.ceil(len / SAMPLE_M));
        for (let k = 0; k < n; k++) {
          const t = (k + 0.5) / n;
          const p = [c[i - 1][0] + (c[i][0] - c[i - 1][0]) * t, c[i - 1][1] + (c[i][1] - c[i - 1][1]) * t];
          this.roadSamples.push({ p, m: len / n, road: f, along: 0, grid: this.gridOf(p) });
        }
      }
    }
    this.lattice = [];
    for (const g of layers.grids.features) {
      const ring = g.geometry.coordinates[0];
      const xs = ring.map((c) => c[0]);
      const ys = ring.map((c) => c[1]);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const dy = LATTICE_M / KY;
      const dx = LATTICE_M / KX((y0 + y1) / 2);
      for (let y = y0 + dy / 2; y < y1; y += dy) for (let x = x0 + dx / 2; x < x1; x += dx) if (insideRing([x, y], ring)) this.lattice.push({ p: [x, y], grid: g.properties.id });
    }
  }

  gridOf(p) {
    return this.layers.grids.features.find((g) => insideRing(p, g.geometry.coordinates[0]))?.properties.id ?? null;
  }

  cams() {
    return this.layers.cameras.features.map((f) => ({ ...f.properties, at: f.geometry.coordinates }));
  }

  hoursOf(s) {
    if (s == null || s === '') return [];
    const v = String(s).split(',').filter(Boolean).map(Number);
    if (v.some((h) => !Number.isInteger(h) || h < 0 || h > 23)) throw invalid(`hours "${s}": want hours 0-23 such as 22,23,0,1`);
    return v;
  }

  incidents(hours) {
    return this.layers.incidents.features.filter((f) => !hours.length || hours.includes(f.properties.hour)).map((f) => ({ p: f.geometry.coordinates, w: f.properties.weight ?? 1 }));
  }

  report(hours = []) {
    const cams = this.cams();
    const seen = (p) => cams.some((c) => sees(c, p));
    const grids = this.layers.grids.features.map((g) => ({ id: g.properties.id, name: g.properties.name, area_m2: 0, covered_area_m2: 0, road_m: 0, covered_road_m: 0, incident_weight: 0, covered_incident_weight: 0, cameras: 0 }));
    const byId = new Map(grids.map((g) => [g.id, g]));
    const cell = LATTICE_M * LATTICE_M;
    for (const l of this.lattice) {
      const g = byId.get(l.grid);
      g.area_m2 += cell;
      if (seen(l.p)) g.covered_area_m2 += cell;
    }
    for (const s of this.roadSamples) {
      const g = byId.get(s.grid);
      if (!g) continue;
      g.road_m += s.m;
      if (seen(s.p)) g.covered_road_m += s.m;
    }
    for (const i of this.incidents(hours)) {
      const g = byId.get(this.gridOf(i.p));
      if (!g) continue;
      g.incident_weight += i.w;
      if (seen(i.p)) g.covered_incident_weight += i.w;
    }
    for (const c of cams) {
      const g = byId.get(this.gridOf(c.at));
      if (g) g.cameras++;
    }
    const total = { id: 0, name: 'total', area_m2: 0, covered_area_m2: 0, road_m: 0, covered_road_m: 0, incident_weight: 0, covered_incident_weight: 0, cameras: cams.length };
    for (const g of grids) for (const k of ['area_m2', 'covered_area_m2', 'road_m', 'covered_road_m', 'incident_weight', 'covered_incident_weight']) total[k] += g[k];
    return { grids, total };
  }

  footprints(bbox) {
    const features = this.cams()
      .filter((c) => !bbox || (c.at[0] >= bbox[0] && c.at[0] <= bbox[2] && c.at[1] >= bbox[1] && c.at[1] <= bbox[3]))
      .map((c) => ({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [sector(c)] },
        properties: { id: c.id, name: c.name, kind: c.kind, direction_deg: c.direction_deg, fov_deg: fov(c), range_m: c.range_m, lon: c.at[0], lat: c.at[1], area_m2: fov(c) >= 360 ? Math.PI * c.range_m ** 2 : (Math.PI * c.range_m ** 2 * fov(c)) / 360 },
      }));
    return { type: 'FeatureCollection', features };
  }

  gaps(gridId) {
    const g = this.layers.grids.features.find((f) => String(f.properties.id) === String(gridId));
    if (!g) throw new HTTPError(404, 'not_found', `no grid ${gridId}`);
    const outer = g.geometry.coordinates[0];
    const holes = this.cams().filter((c) => insideRing(c.at, outer)).map((c) => sector(c));
    return { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: [[outer, ...holes]] }, properties: { grid_id: g.properties.id, area_m2: 0 } }] };
  }

  uncovered(limit, hours) {
    const cams = this.cams();
    const inc = this.incidents(hours);
    const out = [];
    let run = null;
    const flush = () => {
      if (run && run.pts.length >= 2) {
        const w = inc.filter((i) => run.pts.some((p) => distM(p, i.p) <= NEAR_M)).reduce((a, i) => a + i.w, 0);
        const f = run.road.properties;
        out.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: run.pts }, properties: { road_id: f.id, name: f.name, highway: f.highway, grid_id: run.grid, from_m: run.from, to_m: run.to, length_m: run.to - run.from, incident_weight: w } });
      }
      run = null;
    };
    let along = 0;
    let road = null;
    for (const s of this.roadSamples) {
      if (s.road !== road) {
        flush();
        road = s.road;
        along = 0;
      }
      const free = s.grid != null && !cams.some((c) => sees(c, s.p));
      if (free && run && run.grid === s.grid) {
        run.pts.push(s.p);
        run.to = along + s.m;
      } else {
        flush();
        if (free) run = { road: s.road, grid: s.grid, pts: [s.p], from: along, to: along + s.m };
      }
      along += s.m;
    }
    flush();
    out.sort((a, b) => b.properties.incident_weight - a.properties.incident_weight || b.properties.length_m - a.properties.length_m);
    return { type: 'FeatureCollection', features: out.slice(0, limit) };
  }

  siting(body) {
    const count = body?.count ?? 0;
    if (!Number.isInteger(count) || count < 1) throw invalid('camera siting: count must be at least 1');
    const spacing = body.min_spacing_m ?? 0;
    const inc = this.incidents(this.hoursOf((body.hours ?? []).join(',')));
    const cams = this.cams();
    const demand = this.roadSamples.filter((s) => s.grid != null).map((s) => ({ p: s.p, m: s.m, w: s.m * (1 + inc.filter((i) => distM(i.p, s.p) <= NEAR_M).reduce((a, i) => a + i.w, 0)), covered: cams.some((c) => sees(c, s.p)) }));
    const total = demand.reduce((a, d) => a + d.w, 0);
    const totalRoad = demand.reduce((a, d) => a + d.m, 0);
    const sum = (k) => demand.reduce((a, d) => a + (d.covered ? d[k] : 0), 0);
    const before = sum('w');
    const roadBefore = sum('m');
    const seen = new Set();
    const cands = [];
    for (const f of this.layers.roads.features) for (const c of f.geometry.coordinates) if (!seen.has(c.join())) (seen.add(c.join()), cands.push(c));
    const R = DEFAULTS.dome.range_m;
    const picked = [];
    const proposals = [];
    while (proposals.length < count) {
      let best = null;
      for (const c of cands) {
        if (picked.includes(c)) continue;
        if (spacing > 0 && [...cams.map((x) => x.at), ...picked].some((q) => distM(q, c) < spacing)) continue;
        let gain = 0;
        let road = 0;
        for (const d of demand) if (!d.covered && distM(c, d.p) <= R) (gain += d.w, (road += d.m));
        if (!best || gain > best.gain) best = { c, gain, road };
      }
      if (!best || best.gain <= 0) break;
      picked.push(best.c);
      for (const d of demand) if (distM(best.c, d.p) <= R) d.covered = true;
      const [lon, lat] = best.c;
      const camera = { lon, lat, kind: 'dome', direction_deg: 0, fov_deg: 360, range_m: R };
      proposals.push({ rank: proposals.length + 1, ...camera, gain: best.gain, gain_road_m: best.road, share_after: total > 0 ? sum('w') / total : 0, camera });
    }
    const after = sum('w');
    const ub = Math.min(total, after + (after - before) * 0.02);
    return {
      total_weight: total, covered_before: before, covered_after: after, upper_bound: ub, gap: ub > 0 ? (ub - after) / ub : 0,
      total_road_m: totalRoad, covered_road_before_m: roadBefore, covered_road_after_m: sum('m'),
      pieces: demand.length, candidate_sites: cands.length, candidates: cands.length, existing: cams.length, proposals,
    };
  }

  /** POST (id null) or PUT a camera; returns the Go cameraResponse. */
  putCamera(id, body) {
    const known = new Set(['name', 'ref', 'lon', 'lat', 'kind', 'direction_deg', 'fov_deg', 'range_m']);
    for (const k of Object.keys(body ?? {})) if (!known.has(k)) throw invalid(`request body: json: unknown field "${k}"`);
    const { lon, lat } = body;
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) throw invalid(`camera position ${lon},${lat} is not a valid lon,lat`);
    const kind = body.kind || 'fixed';
    if (!DEFAULTS[kind]) throw invalid(`camera kind "${kind}": want fixed, dome or ptz`);
    const fs = this.layers.cameras.features;
    let f = id == null ? null : fs.find((x) => Number(x.properties.id) === id);
    if (id != null && !f) throw new HTTPError(404, 'not_found', `no camera ${id}`);
    if (!f) {
      const nid = fs.reduce((a, x) => Math.max(a, Number(x.properties.id)), 0) + 1;
      f = { type: 'Feature', id: nid, geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { id: nid, ref: '', name: '', kind, direction_deg: 0, fov_deg: 0, range_m: 0, source: 'proposal', defaulted: [] } };
      fs.push(f);
    }
    const p = f.properties;
    Object.assign(p, {
      name: String(body.name ?? p.name ?? '').trim() || `摄像头 ${p.id}`,
      ref: body.ref ?? p.ref,
      kind,
      direction_deg: body.direction_deg ?? 0,
      fov_deg: body.fov_deg || DEFAULTS[kind].fov_deg,
      range_m: body.range_m || DEFAULTS[kind].range_m,
    });
    f.geometry.coordinates = [lon, lat];
    const c = { ...p, at: [lon, lat] };
    return { id: p.id, name: p.name, kind, direction_deg: p.direction_deg, fov_deg: p.fov_deg, range_m: p.range_m, lon, lat, area_m2: (Math.PI * p.range_m ** 2 * Math.min(360, fov(c))) / 360, total: this.report().total };
  }

  deleteCamera(id) {
    const fs = this.layers.cameras.features;
    const i = fs.findIndex((x) => Number(x.properties.id) === id);
    if (i < 0) throw new HTTPError(404, 'not_found', `no camera ${id}`);
    fs.splice(i, 1);
    return { id, deleted: true, total: this.report().total };
  }

  // ---------- 守点巡线 ----------

  plan(body) {
    const known = new Set(['window', 'units', 'seed', 'vary', 'day', 'date']);
    for (const k of Object.keys(body ?? {})) if (!known.has(k)) throw invalid(`request body: json: unknown field "${k}"`);
    const win = body.window || '22:00-02:00';
    const m = win.match(/^(\d\d):(\d\d)-(\d\d):(\d\d)$/);
    if (!m) throw invalid(`window "${win}": want HH:MM-HH:MM such as 22:00-02:00`);
    const start = +m[1] * 60 + +m[2];
    let end = +m[3] * 60 + +m[4];
    if (end <= start) end += 24 * 60;
    const nHours = Math.ceil((end - start) / 60);
    const speeds = { car: 6, motorbike: 5, foot: 1.2, volunteer: 1.1 };
    const modes = { car: 'car', motorbike: 'ebike', foot: 'foot', volunteer: 'foot' };
    const units = [];
    for (const [i, s] of (body.units ?? []).entries()) {
      if (!speeds[s.kind]) throw invalid(`unit ${i + 1}: kind "${s.kind}": want car, motorbike, foot or volunteer`);
      const k = this.layers.kiosks.features.find((f) => String(f.properties.id) === String(s.kiosk) || f.properties.name === s.kiosk);
      if (!k) throw new HTTPError(404, 'not_found', `unit ${i + 1}: no kiosk with id ${s.kiosk}`);
      const n = s.count || 1;
      for (let j = 1; j <= n; j++) units.push({ name: n > 1 && s.name ? `${s.name}-${j}` : s.name || `volunteer${units.length + 1}`, kind: s.kind, kiosk: k });
    }
    if (!units.length) throw invalid('plan: give at least one unit');
    const hourOf = (i) => Math.floor((start + i * 60) / 60) % 24;
    const incs = this.layers.incidents.features;
    const risk = (p, r) => Array.from({ length: nHours }, (_, i) => incs.filter((f) => distM(f.geometry.coordinates, p) <= r).reduce((a, f) => a + (f.properties.weight ?? 1) * (f.properties.hour === hourOf(i) ? 1 : 0.15), 0));
    const pts = [...incs].sort((a, b) => (b.properties.weight ?? 1) - (a.properties.weight ?? 1)).slice(0, 8).map((f, i) => {
      const hr = risk(f.geometry.coordinates, 150);
      return { id: `P${i + 1}`, at: f.geometry.coordinates, hour_risk: hr, risk: hr.reduce((a, b) => a + b, 0) };
    });
    const lines = this.layers.roads.features
      .filter((f) => f.properties.name)
      .map((f) => {
        const mid = f.geometry.coordinates[Math.floor(f.geometry.coordinates.length / 2)];
        const hr = risk(mid, 250);
        return { f, hr, risk: hr.reduce((a, b) => a + b, 0) };
      })
      .sort((a, b) => b.risk - a.risk)
      .slice(0, 4)
      .map((l, i) => ({ id: `L${i + 1}`, f: l.f, at: l.f.geometry.coordinates[0], hour_risk: l.hr, risk: l.risk, length_m: l.f.geometry.coordinates.reduce((a, c, k, arr) => a + (k ? distM(arr[k - 1], c) : 0), 0) }));
    const targets = [...pts.map((p) => ({ ...p, kind: 'point' })), ...lines.map((l) => ({ ...l, kind: 'line' }))].sort((a, b) => b.risk - a.risk);
    const windowS = (end - start) * 60;
    const fmt = (s) => {
      const t = Math.round(start + s / 60) % (24 * 60);
      return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
    };
    const seed = body.seed ?? 1;
    const routes = units.map((u, ui) => {
      const mine = targets.filter((_, i) => (i + seed) % units.length === ui);
      const home = u.kiosk.geometry.coordinates;
      const speed = speeds[u.kind];
      let at = home;
      let tS = 60 * ((seed + ui) % 5);
      const leave = tS;
      const path = [home];
      const stops = [];
      let dist = 0;
      const left = [...mine];
      while (left.length) {
        left.sort((a, b) => distM(at, a.at) - distM(at, b.at));
        const x = left.shift();
        const d = distM(at, x.at);
        const service = x.kind === 'point' ? 15 * 60 : x.length_m / Math.min(speed, 1.4);
        if (tS + d / speed + service + distM(x.at, home) / speed > windowS) continue;
        tS += d / speed;
        dist += d;
        const arrive = tS;
        tS += service;
        path.push(x.at);
        if (x.kind === 'line') {
          for (const c of x.f.geometry.coordinates.slice(1)) path.push(c);
          dist += x.length_m;
          at = x.f.geometry.coordinates.at(-1);
        } else at = x.at;
        stops.push({ kind: x.kind, id: x.id, visit: 0, arrive_s: arrive, start_s: arrive, depart_s: tS, eta: fmt(arrive), etd: fmt(tS) });
      }
      dist += distM(at, home);
      tS += distM(at, home) / speed;
      path.push(home);
      return { unit: u.name, kind: u.kind, mode: modes[u.kind], group: u.kind === 'volunteer' ? '义警第1组' : '', kiosk_id: u.kiosk.properties.id, leave_s: leave, return_s: tS, leave: fmt(leave), return: fmt(tS), stops, distance_m: dist, duration_s: tS - leave, path };
    });
    const visited = (x, i) => routes.some((r) => r.stops.some((s) => s.id === x.id && s.start_s < (i + 1) * 3600 && s.depart_s >= i * 3600));
    const hours = Array.from({ length: nHours }, (_, i) => {
      const all = targets.reduce((a, x) => a + x.hour_risk[i], 0);
      const cov = targets.filter((x) => visited(x, i)).reduce((a, x) => a + x.hour_risk[i], 0);
      const pct = all > 0 ? (100 * cov) / all : 0;
      return { hour: fmt(i * 3600 - (start % 60) * 60), risk: all, covered_pct: pct, baseline_pct: pct * 0.62, points: pts.filter((x) => visited(x, i)).length, lines: lines.filter((x) => visited(x, i)).length };
    });
    const sumRisk = hours.reduce((a, h) => a + h.risk, 0);
    const covered = sumRisk > 0 ? hours.reduce((a, h) => a + (h.covered_pct * h.risk) / 100, 0) / sumRisk : 0;
    const inAny = (x) => routes.some((r) => r.stops.some((s) => s.id === x.id));
    const report = {
      window: win, day: body.day || 'average', hours, covered_pct: 100 * covered, baseline_pct: 62 * covered, prize: 1, best_prize: 1, vary_ratio: 1, vary: body.vary ?? 0, vary_attempts: 1,
      points: pts.length, lines: lines.length, points_covered: pts.filter(inAny).length, lines_covered: lines.filter(inAny).length,
    };
    const features = [
      ...pts.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p.at }, properties: { layer: 'guard_point', id: p.id, street: '', road_id: 0, risk: p.risk, hour_risk: p.hour_risk, pinned: false, dwell_min: 15, revisit_min: 120 } })),
      ...lines.map((l) => ({ type: 'Feature', geometry: l.f.geometry, properties: { layer: 'patrol_line', id: l.id, street: l.f.properties.name, length_m: l.length_m, risk: l.risk, hour_risk: l.hour_risk, pinned: false } })),
      ...routes.map((r) => ({ type: 'Feature', geometry: { type: 'LineString', coordinates: r.path }, properties: { layer: 'route', unit: r.unit, kind: r.kind, mode: r.mode, group: r.group, kiosk_id: r.kiosk_id, leave: r.leave, return: r.return, distance_m: r.distance_m, duration_s: r.duration_s, stops: r.stops } })),
    ];
    const id = `fake${++this.planSeq}`;
    this.plans.set(id, { type: 'FeatureCollection', features, report, routes });
    return { id, report };
  }

  getPlan(id) {
    const p = this.plans.get(id);
    if (!p) throw new HTTPError(404, 'not_found', `no plan "${id}"`);
    return p;
  }

  gpx(id, unit) {
    const p = this.getPlan(id);
    const i = p.routes.findIndex((r, k) => r.unit === unit || String(k + 1) === unit);
    if (i < 0) throw new HTTPError(404, 'not_found', `plan has no unit "${unit}"`);
    const r = p.routes[i];
    const x = (s) => String(s).replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const pos = new Map(p.features.filter((f) => f.properties.layer !== 'route').map((f) => [f.properties.id, f.geometry.type === 'Point' ? f.geometry.coordinates : f.geometry.coordinates[0]]));
    const wpts = r.stops.map((s) => `  <wpt lat="${pos.get(s.id)[1]}" lon="${pos.get(s.id)[0]}"><name>${x(`${s.id} ${s.eta}`)}</name></wpt>`).join('\n');
    const trk = r.path.map(([lon, lat]) => `   <trkpt lat="${lat}" lon="${lon}"/>`).join('\n');
    return { name: `unit-${i + 1}.gpx`, body: `<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="tidewatch-fake" xmlns="http://www.topografix.com/GPX/1/1">\n <metadata><name>${x(r.unit)}</name></metadata>\n${wpts}\n <trk><name>${x(r.unit)}</name><trkseg>\n${trk}\n </trkseg></trk>\n</gpx>\n` };
  }
}
