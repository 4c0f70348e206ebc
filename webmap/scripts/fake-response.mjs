// The fake server's stand-in for the Go response planner (快反圈) and kiosk
// siting: a crude but deterministic model on the fixture layers, with the same
// JSON shapes as api/response.go. Travel time is straight-line distance times a
// detour factor at a fixed speed per mode; the road network is sampled every
// 25 m and each sample counts as reached when a snapped kiosk gets there within
// the tier. Rings are circles (one MultiPolygon per tier, counter-clockwise
// parts, so a non-zero fill gives their union).

const SPEED = { car: 4.2, ebike: 3.3, foot: 1.2 }; // m/s, congested downtown
const DETOUR = 1.3;
const SNAP_LIMIT_M = 150; // kiosks
const SITE_SNAP_LIMIT_M = 300;
const SAMPLE_M = 25;
const MAX_SECONDS = 15 * 60;

export class HTTPError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const invalid = (msg) => new HTTPError(400, 'invalid', msg);

export function parseMode(s) {
  const m = (s ?? '').trim().toLowerCase();
  if (m === '' || m === 'car') return 'car';
  if (['ebike', 'e-bike', 'motorbike', 'bike'].includes(m)) return 'ebike';
  if (['foot', 'walk', 'walking'].includes(m)) return 'foot';
  throw invalid(`unknown travel mode "${s}" (want car, ebike or foot)`);
}

export function parseMinutes(s) {
  if (s == null || s.trim() === '') return [1, 3, 5];
  const v = s.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  if (v.some((x) => !Number.isFinite(x) || x <= 0 || x > 60)) throw invalid(`minutes "${s}": want numbers such as 1,3,5`);
  return [...new Set(v)].sort((a, b) => a - b);
}

function distM([x1, y1], [x2, y2]) {
  const dx = (x2 - x1) * 111320 * Math.cos((((y1 + y2) / 2) * Math.PI) / 180);
  const dy = (y2 - y1) * 110574;
  return Math.hypot(dx, dy);
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

function passable(props, mode) {
  if (mode === 'foot') return props.foot !== false;
  return props.car !== 'none';
}

/** Nearest point on a polyline to p, and its distance in metres. */
function nearestOn(p, coords) {
  let best = { d: Infinity, q: coords[0] };
  const kx = 111320 * Math.cos((p[1] * Math.PI) / 180);
  const ky = 110574;
  for (let i = 1; i < coords.length; i++) {
    const [ax, ay] = coords[i - 1];
    const [bx, by] = coords[i];
    const vx = (bx - ax) * kx, vy = (by - ay) * ky;
    const wx = (p[0] - ax) * kx, wy = (p[1] - ay) * ky;
    const len2 = vx * vx + vy * vy;
    const tt = len2 > 0 ? Math.max(0, Math.min(1, (wx * vx + wy * vy) / len2)) : 0;
    const q = [ax + (bx - ax) * tt, ay + (by - ay) * tt];
    const d = distM(p, q);
    if (d < best.d) best = { d, q };
  }
  return best;
}

export class ResponseModel {
  /** layers: { roads, grids, kiosks, sites, incidents } FeatureCollections (kiosks is mutated by addKiosk). */
  constructor(layers) {
    this.layers = layers;
  }

  roadsFor(mode) {
    return this.layers.roads.features.filter((f) => f.geometry?.type === 'LineString' && passable(f.properties, mode));
  }

  /** Road samples for a mode: { p, m, grids: [grid ids] }. */
  samples(mode) {
    const out = [];
    for (const f of this.roadsFor(mode)) {
      const c = f.geometry.coordinates;
      for (let i = 1; i < c.length; i++) {
        const len = distM(c[i - 1], c[i]);
        const n = Math.max(1, Math.ceil(len / SAMPLE_M));
        for (let k = 0; k < n; k++) {
          const t = (k + 0.5) / n;
          const p = [c[i - 1][0] + (c[i][0] - c[i - 1][0]) * t, c[i - 1][1] + (c[i][1] - c[i - 1][1]) * t];
          out.push({ p, m: len / n, grids: this.gridsAt(p) });
        }
      }
    }
    return out;
  }

  gridsAt(p) {
    return this.layers.grids.features.filter((g) => insideRing(p, g.geometry.coordinates[0])).map((g) => g.properties.id);
  }

  snap(p, mode) {
    let best = { d: Infinity, q: p };
    for (const f of this.roadsFor(mode)) {
      const r = nearestOn(p, f.geometry.coordinates);
      if (r.d < best.d) best = r;
    }
    return best;
  }

  kioskSnaps(mode, ids) {
    const ks = this.layers.kiosks.features.filter((f) => !ids?.length || ids.includes(Number(f.properties.id)));
    return ks.map((f) => {
      const s = this.snap(f.geometry.coordinates, mode);
      return { id: Number(f.properties.id), name: f.properties.name, at: s.q, snap_m: s.d, snapped: s.d <= SNAP_LIMIT_M };
    });
  }

  seconds(from, p, mode) {
    return (distM(from, p) * DETOUR) / SPEED[mode];
  }

  response({ mode, minutes, kiosks }) {
    const snaps = this.kioskSnaps(mode, kiosks);
    const origins = snaps.filter((k) => k.snapped);
    const samples = this.samples(mode);
    const maxT = minutes.at(-1) * 60;
    const networkM = samples.reduce((a, s) => a + s.m, 0);
    const tierM = minutes.map(() => 0);
    const grid = new Map(this.layers.grids.features.map((g) => [g.properties.id, { road: 0, reached: minutes.map(() => 0), backup: 0 }]));
    for (const s of samples) {
      const times = origins.map((k) => this.seconds(k.at, s.p, mode));
      const best = Math.min(Infinity, ...times);
      const within = times.filter((x) => x <= maxT).length;
      minutes.forEach((m, i) => {
        if (best <= m * 60) tierM[i] += s.m;
      });
      for (const id of s.grids) {
        const g = grid.get(id);
        g.road += s.m;
        minutes.forEach((m, i) => {
          if (best <= m * 60) g.reached[i] += s.m;
        });
        if (within >= 2) g.backup += s.m;
      }
    }
    const grids = this.layers.grids.features.map((f) => {
      const g = grid.get(f.properties.id);
      const ring = f.geometry.coordinates[0];
      const centre = [ring.reduce((a, c) => a + c[0], 0) / ring.length, ring.reduce((a, c) => a + c[1], 0) / ring.length];
      const c = this.snap(centre, mode).q;
      return {
        grid_id: f.properties.id,
        name: f.properties.name,
        road_m: g.road,
        reached_m: g.reached,
        share: g.reached.map((r) => (g.road > 0 ? r / g.road : 0)),
        kiosks_within: origins.filter((k) => this.seconds(k.at, c, mode) <= maxT).length,
        backup_share: g.road > 0 ? g.backup / g.road : 0,
      };
    });
    const sites = this.layers.sites.features.map((f) => {
      const p = f.geometry.coordinates;
      const s = this.snap(p, mode);
      const tier = f.properties.tier;
      const base = { site_id: f.properties.id, name: f.properties.name, category: f.properties.category, tier, seconds: null, kiosk_id: 0, snap_m: s.d, ok: false };
      if (s.d > SITE_SNAP_LIMIT_M) return { ...base, reason: 'no routable road within the snap limit' };
      let best = null;
      for (const k of origins) {
        const sec = this.seconds(k.at, s.q, mode);
        if (sec <= MAX_SECONDS && (!best || sec < best.sec)) best = { sec, id: k.id };
      }
      if (!best) return { ...base, reason: 'no kiosk reaches it within 15 minutes' };
      const ok = best.sec <= tier * 60;
      return { ...base, seconds: best.sec, kiosk_id: best.id, ok, ...(ok ? {} : { reason: 'slower than its tier' }) };
    });
    return {
      mode,
      minutes,
      network_km: networkM / 1000,
      kiosks: snaps.map((k) => ({ kiosk_id: k.id, name: k.name, snap_m: k.snap_m, snapped: k.snapped })),
      tiers: minutes.map((m, i) => ({ minutes: m, road_km: tierM[i] / 1000, share: networkM > 0 ? tierM[i] / networkM : 0 })),
      grids,
      sites,
      failing_sites: sites.filter((s) => !s.ok).length,
      settled_nodes: samples.length,
    };
  }

  rings({ mode, minutes, kiosks, perKiosk }) {
    const origins = this.kioskSnaps(mode, kiosks).filter((k) => k.snapped);
    const samples = this.samples(mode);
    const circle = ([lon, lat], r) => {
      const pts = [];
      for (let i = 0; i <= 48; i++) {
        const a = (i / 48) * 2 * Math.PI; // counter-clockwise from east
        pts.push([lon + (r * Math.cos(a)) / (111320 * Math.cos((lat * Math.PI) / 180)), lat + (r * Math.sin(a)) / 110574]);
      }
      pts[48] = pts[0];
      return [pts];
    };
    const roadKm = (from, sec) => samples.filter((s) => from.some((k) => this.seconds(k.at, s.p, mode) <= sec)).reduce((a, s) => a + s.m, 0) / 1000;
    const features = [];
    const groups = perKiosk ? origins.map((k) => [k]) : [origins];
    for (const group of groups) {
      for (const m of minutes) {
        const r = (m * 60 * SPEED[mode]) / DETOUR;
        const props = { kind: 'ring', mode, minutes: m, road_km: roadKm(group, m * 60) };
        if (perKiosk) props.kiosk_id = group[0].id;
        features.push({ type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: group.map((k) => circle(k.at, r)) }, properties: props });
      }
    }
    return { type: 'FeatureCollection', features };
  }

  /** Greedy maximal covering over road vertices (the fixture's junction stand-ins). */
  siting(body) {
    const known = new Set(['mode', 'minutes', 'count', 'target_percent', 'weight', 'min_spacing_m', 'seed']);
    for (const k of Object.keys(body ?? {})) if (!known.has(k)) throw invalid(`request body: json: unknown field "${k}"`);
    const mode = parseMode(body.mode);
    const minutes = body.minutes || 3;
    const count = body.count ?? 0;
    const target = (body.target_percent ?? 0) / 100;
    const weight = body.weight || 'road';
    if (!['road', 'incidents'].includes(weight)) throw invalid(`kiosk siting: weight "${weight}": want road or incidents`);
    if (target === 0 && count <= 0) throw invalid('kiosk siting: give a count of new kiosks (≥ 1) or a target share');
    if (target < 0 || target > 1) throw invalid(`kiosk siting: target ${target} is not a share between 0 and 1`);
    const sec = minutes * 60;
    const demand =
      weight === 'road'
        ? this.samples(mode).map((s) => ({ p: s.p, w: s.m }))
        : this.layers.incidents.features.map((f) => ({ p: this.snap(f.geometry.coordinates, mode).q, w: f.properties.weight ?? 1 }));
    const total = demand.reduce((a, d) => a + d.w, 0);
    const existing = this.kioskSnaps(mode).filter((k) => k.snapped);
    const covered = demand.map((d) => existing.some((k) => this.seconds(k.at, d.p, mode) <= sec));
    const sum = () => demand.reduce((a, d, i) => a + (covered[i] ? d.w : 0), 0);
    const before = sum();
    const seen = new Set();
    const cands = [];
    for (const f of this.roadsFor(mode)) {
      for (const c of f.geometry.coordinates) {
        const key = c.join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cands.push(c);
        }
      }
    }
    const spacing = body.min_spacing_m ?? 0;
    const picked = [];
    const proposals = [];
    let after = before;
    const limit = target > 0 ? cands.length : count;
    while (picked.length < limit && (target === 0 || after < target * total - 1e-9)) {
      let best = null;
      cands.forEach((c, j) => {
        if (picked.includes(j)) return;
        if (spacing > 0 && [...existing.map((k) => k.at), ...picked.map((x) => cands[x])].some((q) => distM(q, c) < spacing)) return;
        const gain = demand.reduce((a, d, i) => a + (!covered[i] && this.seconds(c, d.p, mode) <= sec ? d.w : 0), 0);
        if (!best || gain > best.gain) best = { j, gain };
      });
      if (!best || best.gain <= 0) break;
      picked.push(best.j);
      demand.forEach((d, i) => {
        if (this.seconds(cands[best.j], d.p, mode) <= sec) covered[i] = true;
      });
      after = sum();
      const [lon, lat] = cands[best.j];
      proposals.push({ rank: proposals.length + 1, lon, lat, gain: best.gain, share_after: total > 0 ? after / total : 0 });
    }
    const ub = Math.min(total, after + (after - before) * 0.012);
    return {
      mode,
      minutes,
      weight,
      total_weight: total,
      covered_before: before,
      covered_after: after,
      upper_bound: ub, // pretend: a greedy pick on this toy is within ~1 % of optimal
      gap: ub > 0 ? (ub - after) / ub : 0,
      ...(target > 0 ? { min_count: proposals.length } : {}),
      candidates: cands.length,
      proposals,
    };
  }

  /** POST /api/v1/kiosks: adds a kiosk to the in-memory layer, returns the 201 body. */
  addKiosk(body) {
    const known = new Set(['name', 'lon', 'lat', 'staff', 'vehicles']);
    for (const k of Object.keys(body ?? {})) if (!known.has(k)) throw invalid(`request body: json: unknown field "${k}"`);
    const { lon, lat } = body;
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90) {
      throw invalid(`kiosk position ${lon},${lat} is not a valid lon,lat`);
    }
    if ((body.staff ?? 0) < 0 || (body.vehicles ?? 0) < 0) throw invalid('kiosk staff and vehicles must not be negative');
    const fs = this.layers.kiosks.features;
    const id = fs.reduce((a, f) => Math.max(a, Number(f.properties.id)), 0) + 1;
    const name = String(body.name ?? '').trim() || `新警务站 ${id}`;
    fs.push({
      type: 'Feature',
      id,
      geometry: { type: 'Point', coordinates: [lon, lat] },
      properties: { id, ref: '', name, staff: body.staff ?? 0, vehicles: body.vehicles ?? 0, source: 'proposal' },
    });
    return { id, name, lon, lat };
  }
}
