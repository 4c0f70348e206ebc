import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTS } from '../scripts/load-ts.mjs';

const g = await loadTS('src/geometry.ts');

test('metres per degree at Wuhan latitude', () => {
  const m = g.metresPerDegree(30.59);
  assert.ok(Math.abs(m.lat - 110860) < 50, `lat ${m.lat}`);
  assert.ok(Math.abs(m.lon - 95900) < 100, `lon ${m.lon}`);
  const eq = g.metresPerDegree(0);
  assert.ok(Math.abs(eq.lon - 111320) < 5, `equator lon ${eq.lon}`);
});

test('a fixed camera sector has its arc at range and spans the field of view', () => {
  const [lon, lat] = [114.3, 30.59];
  for (const [dir, fov, range] of [[90, 60, 80], [0, 90, 150], [300, 45, 50], [350, 40, 120]]) {
    const ring = g.sectorRing(lon, lat, dir, fov, range);
    assert.deepEqual(ring[0], [lon, lat], 'starts at the camera');
    assert.deepEqual(ring.at(-1), [lon, lat], 'closed at the camera');
    const arc = ring.slice(1, -1);
    assert.ok(arc.length >= 3);
    for (const p of arc) {
      const d = g.haversine([lon, lat], p);
      assert.ok(Math.abs(d - range) / range < 0.005, `distance ${d} vs ${range}`);
    }
    const b0 = g.bearing([lon, lat], arc[0]);
    const b1 = g.bearing([lon, lat], arc.at(-1));
    const mid = g.bearing([lon, lat], arc[Math.floor(arc.length / 2)]);
    const diff = (a, b) => ((a - b + 540) % 360) - 180;
    assert.ok(Math.abs(diff(b0, dir - fov / 2)) < 0.5, `start bearing ${b0}`);
    assert.ok(Math.abs(diff(b1, dir + fov / 2)) < 0.5, `end bearing ${b1}`);
    assert.ok(Math.abs(diff(mid, dir)) < 0.5 + 5, `middle bearing ${mid} for ${dir}`);
  }
});

test('a 360 degree view is a circle without the centre', () => {
  const ring = g.sectorRing(114.3, 30.59, 0, 360, 100);
  assert.deepEqual(ring[0], ring.at(-1));
  for (const p of ring) assert.ok(Math.abs(g.haversine([114.3, 30.59], p) - 100) < 0.5);
});

test('incident radius grows with weight and is bounded', () => {
  assert.ok(g.incidentRadius(1) < g.incidentRadius(4));
  assert.equal(g.incidentRadius(0), g.incidentRadius(1));
  assert.equal(g.incidentRadius(Number.NaN), g.incidentRadius(1));
  assert.equal(g.incidentRadius(1e6), 12);
});

test('bbox parameter has six decimals in W,S,E,N order', () => {
  assert.equal(g.bboxParam(114.285, 30.578, 114.315, 30.602), '114.285000,30.578000,114.315000,30.602000');
});
