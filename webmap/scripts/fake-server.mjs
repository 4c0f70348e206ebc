// A stand-in for the Go server: serves dist/ and the API from test/fixtures/.
// Used by test/browser.test.mjs when TIDEWATCH_URL is not set, and by hand:
//   node scripts/fake-server.mjs [port]     (then open http://127.0.0.1:PORT/)
// It follows the layer contract: bbox=W,S,E,N filters features (a feature is
// kept when any of its coordinates lies inside), zoom is accepted. The response
// endpoints (快反圈, kiosk siting) come from scripts/fake-response.mjs, camera
// coverage, camera edits and patrol plans from scripts/fake-tidal.mjs; an
// accepted kiosk (POST /api/v1/kiosks) is kept in memory for the server's life,
// so meta counts, the kiosks layer and the response all include it.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { HTTPError, ResponseModel, parseMinutes, parseMode } from './fake-response.mjs';
import { TidalModel } from './fake-tidal.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const LAYERS = new Set(['roads', 'grids', 'cameras', 'kiosks', 'incidents', 'sites']);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png', '.map': 'application/json' };

function coordsOf(geometry) {
  const out = [];
  const walk = (c) => (typeof c[0] === 'number' ? out.push(c) : c.forEach(walk));
  walk(geometry.coordinates);
  return out;
}

export function parseBBox(s) {
  if (s == null) return null;
  const v = s.split(',').map(Number);
  if (v.length !== 4 || v.some((x) => !Number.isFinite(x)) || v[0] > v[2] || v[1] > v[3]) throw new Error(`bad bbox ${s}`);
  return v;
}

export function filterBBox(fc, bbox) {
  if (!bbox) return fc;
  const [w, s, e, n] = bbox;
  return { ...fc, features: fc.features.filter((f) => coordsOf(f.geometry).some(([x, y]) => x >= w && x <= e && y >= s && y <= n)) };
}

// The user the fake server says is signed in.
const FAKE_ADMIN = { id: 1, name: 'admin', role: 'admin', disabled: false, created: '2026-01-01T00:00:00Z', version: 1 };

// A 1×1 grey PNG: every tile of the stand-in basemap (/tiles/{z}/{x}/{y}.png).
const TILE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGO4CwAA3wDeKXlwtgAAAABJRU5ErkJggg==', 'base64');

/**
 * Starts the server on 127.0.0.1; resolves to { url, server, requests }.
 * basemap (optional) replaces meta.basemap, e.g. { url: '/tiles/{z}/{x}/{y}.png', crs: 'gcj02' }
 * for a bureau basemap in GCJ-02; the tiles are served here.
 */
export async function startFakeServer({ port = 0, dist = path.join(root, 'dist'), fixtures = path.join(root, 'test', 'fixtures'), basemap = null } = {}) {
  const requests = [];
  // The workspace in memory: the fixtures once, then whatever POSTs add.
  const data = {};
  for (const name of LAYERS) data[name] = JSON.parse(await readFile(path.join(fixtures, `${name}.geojson`), 'utf8'));
  const meta = JSON.parse(await readFile(path.join(fixtures, 'meta.json'), 'utf8'));
  meta.basemap = { url: '', attribution: '', crs: 'wgs84', minzoom: 0, maxzoom: 0, format: '', ...meta.basemap, ...basemap };
  const model = new ResponseModel(data);
  const tidal = new TidalModel(data); // camera coverage and patrol plans; camera edits change data.cameras
  const readBody = (req) =>
    new Promise((resolve, reject) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        try {
          resolve(JSON.parse(b || 'null'));
        } catch (err) {
          reject(new HTTPError(400, 'invalid', `request body: ${err.message}`));
        }
      });
      req.on('error', reject);
    });
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://localhost');
    requests.push(u.pathname + u.search);
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
      res.end(body);
    };
    const json = (status, v) => send(status, 'application/json; charset=utf-8', JSON.stringify(v));
    const kioskIDs = () =>
      (u.searchParams.get('kiosk') ?? '').split(',').filter(Boolean).map((s) => {
        if (!/^\d+$/.test(s)) throw new HTTPError(400, 'invalid', `kiosk "${s}" is not an id`);
        return Number(s);
      });
    try {
      if (u.pathname === '/healthz') return send(200, 'text/plain; charset=utf-8', 'ok');
      // Always signed in as an admin (the real server's sign-in is tested against it: test/auth.test.mjs).
      if (u.pathname === '/api/v1/me' || (u.pathname === '/api/v1/login' && req.method === 'POST')) return json(200, { user: FAKE_ADMIN, csrf: 'fake-csrf' });
      if (u.pathname === '/api/v1/logout' && req.method === 'POST') return send(204, 'text/plain', '');
      if (/^\/tiles\/\d+\/-?\d+\/-?\d+\.png$/.test(u.pathname)) return send(200, 'image/png', TILE_PNG);
      if (u.pathname === '/api/v1/meta') {
        return json(200, { ...meta, counts: { ...meta.counts, kiosks: data.kiosks.features.length, cameras: data.cameras.features.length } });
      }
      const geo = (v) => send(200, 'application/geo+json; charset=utf-8', JSON.stringify(v));
      if (u.pathname === '/api/v1/coverage') return json(200, tidal.report(tidal.hoursOf(u.searchParams.get('hours'))));
      if (u.pathname === '/api/v1/coverage/footprints') return geo(tidal.footprints(parseBBox(u.searchParams.get('bbox'))));
      if (u.pathname === '/api/v1/coverage/gaps') return geo(tidal.gaps(u.searchParams.get('grid')));
      if (u.pathname === '/api/v1/coverage/uncovered') return geo(tidal.uncovered(Number(u.searchParams.get('limit') ?? 50), tidal.hoursOf(u.searchParams.get('hours'))));
      if (u.pathname === '/api/v1/siting/cameras') {
        if (req.method !== 'POST') throw new HTTPError(405, 'method', 'use POST');
        return json(200, tidal.siting(await readBody(req)));
      }
      if (u.pathname === '/api/v1/cameras' && req.method === 'POST') return json(201, tidal.putCamera(null, await readBody(req)));
      const cm = u.pathname.match(/^\/api\/v1\/cameras\/(\d+)$/);
      if (cm && req.method === 'PUT') return json(200, tidal.putCamera(Number(cm[1]), await readBody(req)));
      if (cm && req.method === 'DELETE') return json(200, tidal.deleteCamera(Number(cm[1])));
      if (u.pathname === '/api/v1/plans' && req.method === 'POST') {
        const r = tidal.plan(await readBody(req));
        res.setHeader('Location', `/api/v1/plans/${r.id}`);
        return json(201, r);
      }
      const pm = u.pathname.match(/^\/api\/v1\/plans\/([^/]+)(?:\/units\/([^/]+))?$/);
      if (pm && req.method === 'GET') {
        if (!pm[2]) {
          const { routes: _r, ...fc } = tidal.getPlan(pm[1]);
          return geo(fc);
        }
        const g = tidal.gpx(pm[1], decodeURIComponent(pm[2]).replace(/\.gpx$/, ''));
        res.writeHead(200, { 'Content-Type': 'application/gpx+xml', 'Content-Disposition': `attachment; filename="${g.name}"` });
        return res.end(g.body);
      }
      if (u.pathname === '/api/v1/response' || u.pathname === '/api/v1/response/rings') {
        if (req.method !== 'GET') throw new HTTPError(405, 'method', 'use GET');
        const opt = { mode: parseMode(u.searchParams.get('mode')), minutes: parseMinutes(u.searchParams.get('minutes')), kiosks: kioskIDs() };
        if (u.pathname === '/api/v1/response') return json(200, model.response(opt));
        const fc = model.rings({ ...opt, perKiosk: u.searchParams.get('per_kiosk') === '1' });
        return send(200, 'application/geo+json; charset=utf-8', JSON.stringify(fc));
      }
      if (u.pathname === '/api/v1/siting/kiosks' || u.pathname === '/api/v1/kiosks') {
        if (req.method !== 'POST') throw new HTTPError(405, 'method', 'use POST');
        const body = await readBody(req);
        if (u.pathname === '/api/v1/kiosks') return json(201, model.addKiosk(body));
        return json(200, model.siting(body));
      }
      const m = u.pathname.match(/^\/api\/v1\/layers\/([a-z]+)$/);
      if (m) {
        if (!LAYERS.has(m[1])) return send(404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: `no layer ${m[1]}` } }));
        let bbox;
        try {
          bbox = parseBBox(u.searchParams.get('bbox'));
        } catch (err) {
          return send(400, 'application/json', JSON.stringify({ error: { code: 'bad_request', message: err.message } }));
        }
        return send(200, 'application/geo+json', JSON.stringify(filterBBox(data[m[1]], bbox)));
      }
      const rel = u.pathname === '/' ? 'index.html' : path.normalize(decodeURIComponent(u.pathname)).replace(/^[/\\]+/, '');
      if (rel.startsWith('..')) return send(400, 'text/plain', 'bad path');
      const body = await readFile(path.join(dist, rel));
      return send(200, TYPES[path.extname(rel)] ?? 'application/octet-stream', body);
    } catch (err) {
      if (err instanceof HTTPError) return json(err.status, { code: err.code, error: err.message });
      if (err.code === 'ENOENT' || err.code === 'EISDIR') return send(404, 'text/plain; charset=utf-8', '404 page not found');
      return send(500, 'text/plain; charset=utf-8', String(err));
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: p } = server.address();
  return { url: `http://127.0.0.1:${p}`, server, requests };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // node scripts/fake-server.mjs [port] [wgs84|gcj02|bd09]: the basemap's CRS (grey tiles from /tiles/).
  const crs = process.argv[3];
  const { url } = await startFakeServer({ port: Number(process.argv[2] ?? 8088), basemap: crs ? { url: '/tiles/{z}/{x}/{y}.png', crs } : null });
  console.log(`fake Tidewatch server on ${url}/`);
}
