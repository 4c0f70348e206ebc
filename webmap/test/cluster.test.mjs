// Grid-based clustering (src/cluster.ts): the pure function the camera and
// incident layers cluster with below their zoom threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTS } from '../scripts/load-ts.mjs';

const { gridCluster, clusterRadius } = await loadTS('src/cluster.ts');

test('points in one cell form one cluster with count, centroid and bounds', () => {
  const pts = [
    { x: 10, y: 10 },
    { x: 50, y: 20 },
    { x: 30, y: 59 },
    { x: 61, y: 10 }, // next cell to the right
  ];
  const { clusters, singles } = gridCluster(pts, { cellPx: 60 });
  assert.equal(clusters.length, 1);
  const c = clusters[0];
  assert.equal(c.key, '0:0');
  assert.equal(c.count, 3);
  assert.equal(c.weight, 3);
  assert.deepEqual(c.members, [0, 1, 2]);
  assert.equal(c.x, 30);
  assert.equal(c.y, 89 / 3);
  assert.deepEqual([c.minX, c.minY, c.maxX, c.maxY], [10, 10, 50, 59]);
  assert.deepEqual(singles, [3], 'a point alone in its cell stays single');
});

test('every point is counted exactly once', () => {
  // 5,000 pseudo-random points over 2,000 × 1,200 pixels, some far out and negative.
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const pts = Array.from({ length: 5000 }, (_, i) => ({ x: (rnd() - 0.1) * 2000 + (i % 97 === 0 ? 1e6 : 0), y: (rnd() - 0.2) * 1200 }));
  const { clusters, singles } = gridCluster(pts, { cellPx: 60 });
  const seen = new Array(pts.length).fill(0);
  for (const c of clusters) {
    assert.ok(c.count >= 2);
    assert.equal(c.count, c.members.length);
    for (const i of c.members) {
      seen[i]++;
      // Every member lies in the cluster's cell.
      const [cx, cy] = c.key.split(':').map(Number);
      assert.equal(Math.floor(pts[i].x / 60), cx);
      assert.equal(Math.floor(pts[i].y / 60), cy);
    }
  }
  for (const i of singles) seen[i]++;
  assert.ok(seen.every((n) => n === 1), 'each point in one cluster or single');
  assert.equal(clusters.reduce((a, c) => a + c.count, 0) + singles.length, pts.length);
  assert.equal(new Set(clusters.map((c) => c.key)).size, clusters.length, 'one cluster per cell');
});

test('cells are anchored at the world origin: membership does not depend on the other points', () => {
  // What the map relies on to keep the bubbles it drew while the view pans.
  const a = [{ x: 130, y: 70 }, { x: 170, y: 100 }];
  const b = [...a, { x: 5000, y: 5000 }, { x: 5001, y: 5001 }, { x: -300, y: -300 }];
  const ka = gridCluster(a).clusters.map((c) => [c.key, c.count, c.x, c.y]);
  const kb = gridCluster(b).clusters.map((c) => [c.key, c.count, c.x, c.y]).filter(([k]) => k === '2:1');
  assert.deepEqual(ka, [['2:1', 2, 150, 85]]);
  assert.deepEqual(kb, ka);
  // Negative pixels floor down: -1 is in cell -1, not 0.
  assert.deepEqual(gridCluster([{ x: -1, y: -1 }, { x: -59, y: -30 }]).clusters.map((c) => c.key), ['-1:-1']);
});

test('minCount, weights, a bigger cell, and non-finite points', () => {
  const pts = [{ x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }, { x: 200, y: 1 }, { x: NaN, y: 1 }, { x: 1, y: Infinity }];
  assert.equal(gridCluster(pts, { minCount: 4 }).clusters.length, 0, 'three in a cell stay single below minCount 4');
  assert.deepEqual(gridCluster(pts, { minCount: 4 }).singles, [0, 1, 2, 3], 'non-finite points are skipped');
  const w = [1, 2.5, 4, 1];
  const { clusters } = gridCluster(pts, { weight: (i) => w[i] });
  assert.equal(clusters[0].weight, 7.5);
  assert.equal(gridCluster(pts, { cellPx: 256 }).clusters[0].count, 4, 'one 256-pixel cell holds all four');
  assert.deepEqual(gridCluster([], {}), { clusters: [], singles: [] });
  assert.throws(() => gridCluster(pts, { cellPx: 0 }), RangeError);
});

test('10,000 points in one pass', () => {
  const pts = Array.from({ length: 10000 }, (_, i) => ({ x: (i * 7919) % 4000, y: (i * 104729) % 3000 }));
  const t0 = performance.now();
  const { clusters, singles } = gridCluster(pts, { cellPx: 60 });
  const ms = performance.now() - t0;
  assert.equal(clusters.reduce((a, c) => a + c.count, 0) + singles.length, 10000);
  console.log(`# 10,000 points: ${clusters.length} clusters, ${singles.length} single, ${ms.toFixed(1)} ms`);
});

test('bubble radius grows with the digits of the count', () => {
  assert.deepEqual([2, 9, 10, 99, 100, 999, 1000, 25000].map(clusterRadius), [13, 13, 16, 16, 19, 19, 22, 22]);
});
