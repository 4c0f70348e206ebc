// A stand-in for the Go server: serves dist/ and the API from test/fixtures/.
// Used by test/browser.test.mjs when TIDEWATCH_URL is not set, and by hand:
//   node scripts/fake-server.mjs [port]     (then open http://127.0.0.1:PORT/)
// It follows the layer contract: bbox=W,S,E,N filters features (a feature is
// kept when any of its coordinates lies inside), zoom is accepted.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

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

/** Starts the server on 127.0.0.1; resolves to { url, server, requests }. */
export async function startFakeServer({ port = 0, dist = path.join(root, 'dist'), fixtures = path.join(root, 'test', 'fixtures') } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://localhost');
    requests.push(u.pathname + u.search);
    const send = (status, type, body) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-cache' });
      res.end(body);
    };
    try {
      if (u.pathname === '/healthz') return send(200, 'text/plain; charset=utf-8', 'ok');
      if (u.pathname === '/api/v1/meta') return send(200, 'application/json', await readFile(path.join(fixtures, 'meta.json')));
      const m = u.pathname.match(/^\/api\/v1\/layers\/([a-z]+)$/);
      if (m) {
        if (!LAYERS.has(m[1])) return send(404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: `no layer ${m[1]}` } }));
        let bbox;
        try {
          bbox = parseBBox(u.searchParams.get('bbox'));
        } catch (err) {
          return send(400, 'application/json', JSON.stringify({ error: { code: 'bad_request', message: err.message } }));
        }
        const fc = JSON.parse(await readFile(path.join(fixtures, `${m[1]}.geojson`), 'utf8'));
        return send(200, 'application/geo+json', JSON.stringify(filterBBox(fc, bbox)));
      }
      const rel = u.pathname === '/' ? 'index.html' : path.normalize(decodeURIComponent(u.pathname)).replace(/^[/\\]+/, '');
      if (rel.startsWith('..')) return send(400, 'text/plain', 'bad path');
      const body = await readFile(path.join(dist, rel));
      return send(200, TYPES[path.extname(rel)] ?? 'application/octet-stream', body);
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'EISDIR') return send(404, 'text/plain; charset=utf-8', '404 page not found');
      return send(500, 'text/plain; charset=utf-8', String(err));
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: p } = server.address();
  return { url: `http://127.0.0.1:${p}`, server, requests };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startFakeServer({ port: Number(process.argv[2] ?? 8088) });
  console.log(`fake Tidewatch server on ${url}/`);
}
