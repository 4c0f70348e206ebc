// Grid-based point clustering in screen space, free of Leaflet and the DOM so
// the tests run it in Node. The map projects every point to world pixels at the
// current zoom; points whose pixels fall into the same cellPx × cellPx square
// of a grid anchored at the world origin form one cluster. Because the grid is
// fixed in world pixels, a cluster's members depend only on the zoom, never on
// where the view is: panning shows the same clusters, and the map keeps
// clusters it already drew (by key) instead of re-creating them.

/** A point in world pixels at the zoom being clustered. */
export interface XY {
  x: number;
  y: number;
}

/** Two or more points in one grid cell. */
export interface Cluster {
  /** "cx:cy", the cell's column and row: stable for a zoom level. */
  key: string;
  /** Centroid of the members, in world pixels. */
  x: number;
  y: number;
  /** Number of members. */
  count: number;
  /** Sum of the members' weights (count when no weights were given). */
  weight: number;
  /** Indexes of the members in the input, ascending. */
  members: number[];
  /** Pixel bounding box of the members (the map zooms to it on a click). */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

const PACK = 2 ** 22;

export interface ClusterOptions {
  /** Cell size in pixels (default 60). */
  cellPx?: number;
  /** A cell with fewer points than this keeps its points single (default 2). */
  minCount?: number;
  /** Weight of point i (e.g. an incident's weight); default 1 each. */
  weight?: (i: number) => number;
}

export interface ClusterResult {
  /** Clusters in order of their first member. */
  clusters: Cluster[];
  /** Indexes of the points left single (cells with fewer than minCount points), ascending. */
  singles: number[];
}

/**
 * Groups points by grid cell. Points with a non-finite coordinate are skipped
 * (neither clustered nor single). O(n) time and memory.
 */
export function gridCluster(points: readonly XY[], opts: ClusterOptions = {}): ClusterResult {
  const cell = opts.cellPx ?? 60;
  if (!(cell > 0) || !Number.isFinite(cell)) throw new RangeError(`cellPx must be a positive number, got ${cell}`);
  const minCount = Math.max(1, Math.floor(opts.minCount ?? 2));
  const weight = opts.weight;
  // Cells by a number (column and row packed, exact up to ±2^22 cells each way:
  // world pixels at zoom 22 in 1-pixel cells), else by a string.
  const cells = new Map<number | string, number[]>();
  const cols: number[] = [];
  const rows: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
    const cx = Math.floor(p.x / cell);
    const cy = Math.floor(p.y / cell);
    const key = Math.abs(cx) < PACK && Math.abs(cy) < PACK ? (cx + PACK) * 2 * PACK + (cy + PACK) : `${cx}:${cy}`;
    const list = cells.get(key);
    if (list) list.push(i);
    else {
      cells.set(key, [i]);
      cols[i] = cx;
      rows[i] = cy;
    }
  }
  const clusters: Cluster[] = [];
  const singles: number[] = [];
  for (const members of cells.values()) {
    const key = `${cols[members[0]!]}:${rows[members[0]!]}`;
    if (members.length < minCount) {
      for (const i of members) singles.push(i);
      continue;
    }
    let sx = 0;
    let sy = 0;
    let w = 0;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const i of members) {
      const p = points[i]!;
      sx += p.x;
      sy += p.y;
      w += weight ? weight(i) : 1;
      if (p.x < minX) minX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.x > maxX) maxX = p.x;
      if (p.y > maxY) maxY = p.y;
    }
    const n = members.length;
    clusters.push({ key, x: sx / n, y: sy / n, count: n, weight: w, members, minX, minY, maxX, maxY });
  }
  singles.sort((a, b) => a - b);
  return { clusters, singles };
}

/** The bubble radius in pixels for a cluster of n points: grows with the digits, at most 22. */
export function clusterRadius(n: number): number {
  if (n >= 1000) return 22;
  if (n >= 100) return 19;
  if (n >= 10) return 16;
  return 13;
}
