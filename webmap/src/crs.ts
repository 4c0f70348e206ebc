// Chinese map coordinate systems, a port of geo/chinacrs.go (same constants,
// same iterations). Tidewatch data is WGS84; a bureau basemap may be drawn in
// GCJ-02 (AMap, Tencent) or BD-09 (Baidu). The map draws every vertex at its
// basemap position (toMap) and turns map input back into WGS84 (fromMap).
// Positions are [lon, lat] in degrees unless named LatLng. No DOM, no Leaflet:
// the Leaflet side (the Baidu tile CRS) is in crsmap.ts.
import { CHINA_OUTLINE } from './chinaoutline.gen';

export type BasemapCRS = 'wgs84' | 'gcj02' | 'bd09';
export type LonLat = [number, number];

// Krasovsky 1940 ellipsoid constants of the GCJ-02 algorithm.
const GCJ_A = 6378245.0;
const GCJ_EE = 0.00669342162296594323;
/** Baidu's angular frequency (radians per degree) in BD-09. */
const BD_X_PI = (Math.PI * 3000.0) / 180.0;
/** Convergence tolerance of the iterated inverses, degrees (about 0.01 mm). */
const ITER_TOL = 1e-10;

// ---------- inside mainland China ----------

const BOUND = (() => {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  for (const pg of CHINA_OUTLINE) for (const r of pg) for (const [x, y] of r) {
    w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
  }
  return { w, s, e, n };
})();

function ringContains(r: [number, number][], lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const a = r[i]!, b = r[j]!;
    if (a[1] > lat !== b[1] > lat && lon < ((b[0] - a[0]) * (lat - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

/**
 * Whether p lies inside the simplified outline of mainland China where GCJ-02
 * applies (not Taiwan, Penghu, Kinmen, Matsu, Hong Kong or Macau), as geo.InChina.
 */
export function inChina(p: LonLat): boolean {
  const [lon, lat] = p;
  if (lon < BOUND.w || lon > BOUND.e || lat < BOUND.s || lat > BOUND.n) return false;
  for (const pg of CHINA_OUTLINE) {
    let inside = false;
    for (const r of pg) if (ringContains(r, lon, lat)) inside = !inside; // even-odd over outer ring and holes
    if (inside) return true;
  }
  return false;
}

// ---------- GCJ-02 ----------

function gcjLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function gcjLon(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return ret;
}

/** The GCJ-02 forward formula, applied unconditionally. */
function gcjShift(p: LonLat): LonLat {
  const [lon, lat] = p;
  let dLat = gcjLat(lon - 105.0, lat - 35.0);
  let dLon = gcjLon(lon - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - GCJ_EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtMagic)) * Math.PI);
  dLon = (dLon * 180.0) / ((GCJ_A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lon + dLon, lat + dLat];
}

/** The GCJ-02 position of WGS84 p; outside mainland China p unchanged. */
export function wgs84ToGcj02(p: LonLat): LonLat {
  return inChina(p) ? gcjShift(p) : [p[0], p[1]];
}

/**
 * The WGS84 position whose GCJ-02 image is p: w ← w − (gcj(w) − p) until the
 * step is below 1e-10° (at most 30 steps). A solution outside mainland China
 * returns p unchanged (there GCJ-02 is WGS84).
 */
export function gcj02ToWgs84(p: LonLat): LonLat {
  let w: LonLat = [p[0], p[1]];
  for (let i = 0; i < 30; i++) {
    const g = gcjShift(w);
    const dLon = g[0] - p[0], dLat = g[1] - p[1];
    w = [w[0] - dLon, w[1] - dLat];
    if (Math.abs(dLon) < ITER_TOL && Math.abs(dLat) < ITER_TOL) break;
  }
  return inChina(w) ? w : [p[0], p[1]];
}

// ---------- BD-09 ----------

/** The BD-09 position of GCJ-02 p by Baidu's closed form (everywhere). */
export function gcj02ToBd09(p: LonLat): LonLat {
  const [x, y] = p;
  const z = Math.sqrt(x * x + y * y) + 0.00002 * Math.sin(y * BD_X_PI);
  const theta = Math.atan2(y, x) + 0.000003 * Math.cos(x * BD_X_PI);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/** The GCJ-02 position of BD-09 p: the closed-form inverse refined to 1e-10°. */
export function bd09ToGcj02(p: LonLat): LonLat {
  const x = p[0] - 0.0065, y = p[1] - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * BD_X_PI);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * BD_X_PI);
  let g: LonLat = [z * Math.cos(theta), z * Math.sin(theta)];
  for (let i = 0; i < 10; i++) {
    const b = gcj02ToBd09(g);
    const dLon = b[0] - p[0], dLat = b[1] - p[1];
    g = [g[0] - dLon, g[1] - dLat];
    if (Math.abs(dLon) < ITER_TOL && Math.abs(dLat) < ITER_TOL) break;
  }
  return g;
}

export function wgs84ToBd09(p: LonLat): LonLat {
  return gcj02ToBd09(wgs84ToGcj02(p));
}

export function bd09ToWgs84(p: LonLat): LonLat {
  return gcj02ToWgs84(bd09ToGcj02(p));
}

// ---------- Baidu Mercator (BD09MC), Baidu's tile plane ----------

const BD_LL_BAND = [75, 60, 45, 30, 15, 0];
const BD_MC_BAND = [12890594.86, 8362377.87, 5591021, 3481989.83, 1678043.12, 0];
const BD_LL2MC: number[][] = [
  [-0.0015702102444, 111320.7020616939, 1704480524535203, -10338987376042340, 26112667856603880, -35149669176653700, 26595700718403920, -10725012454188240, 1800819912950474, 82.5],
  [0.0008277824516172526, 111320.7020463578, 647795574.6671607, -4082003173.641316, 10774905663.51142, -15171875531.51559, 12053065338.62167, -5124939663.577472, 913311935.9512032, 67.5],
  [0.00337398766765, 111320.7020202162, 4481351.045890365, -23393751.19931662, 79682215.47186455, -115964993.2797253, 97236711.15602145, -43661946.33752821, 8477230.501135234, 52.5],
  [0.00220636496208, 111320.7020209128, 51751.86112841131, 3796837.749470245, 992013.7397791013, -1221952.21711287, 1340652.697009075, -620943.6990984312, 144416.9293806241, 37.5],
  [-0.0003441963504368392, 111320.7020576856, 278.2353980772752, 2485758.690035394, 6070.750963243378, 54821.18345352118, 9540.606633304236, -2710.55326746645, 1405.483844121726, 22.5],
  [-0.0003218135878613132, 111320.7020701615, 0.00369383431289, 823725.6402795718, 0.46104986909093, 2351.343141331292, 1.58060784298199, 8.77738589078284, 0.37238884252424, 7.45],
];
const BD_MC2LL: number[][] = [
  [1.410526172116255e-8, 0.00000898305509648872, -1.9939833816331, 200.9824383106796, -187.2403703815547, 91.6087516669843, -23.38765649603339, 2.57121317296198, -0.03801003308653, 17337981.2],
  [-7.435856389565537e-9, 0.000008983055097726239, -0.78625201886289, 96.32687599759846, -1.85204757529826, -59.36935905485877, 47.40033549296737, -16.50741931063887, 2.28786674699375, 10260144.86],
  [-3.030883460898826e-8, 0.00000898305509983578, 0.30071316287616, 59.74293618442277, 7.357984074871, -25.38371002664745, 13.45380521110908, -3.29883767235584, 0.32710905363475, 6856817.37],
  [-1.981981304930552e-8, 0.000008983055099779535, 0.03278182852591, 40.31678527705744, 0.65659298677277, -4.44255534477492, 0.85341911805263, 0.12923347998204, -0.04625736007561, 4482777.06],
  [3.09191371068437e-9, 0.000008983055096812155, 0.00006995724062, 23.10934304144901, -0.00023663490511, -0.6321817810242, -0.00663494467273, 0.03430082397953, -0.00466043876332, 2555164.4],
  [2.890871144776878e-9, 0.000008983055095805407, -3.068298e-8, 7.47137025468032, -0.00000353937994, -0.02145144861037, -0.00001234426596, 0.00010322952773, -0.00000323890364, 826088.5],
];

function bdConvert(x: number, y: number, c: number[]): [number, number] {
  const ox = c[0]! + c[1]! * Math.abs(x);
  const t = Math.abs(y) / c[9]!;
  const oy = c[2]! + t * (c[3]! + t * (c[4]! + t * (c[5]! + t * (c[6]! + t * (c[7]! + t * c[8]!)))));
  return [copysign(ox, x), copysign(oy, y)];
}

/** Go's math.Copysign: |a| with the sign of b (−0 counts as negative). */
function copysign(a: number, b: number): number {
  return b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a);
}

function bdBand(lat: number): number[] {
  for (let i = 0; i < BD_LL_BAND.length; i++) if (Math.abs(lat) >= BD_LL_BAND[i]!) return BD_LL2MC[i]!;
  return BD_LL2MC[BD_LL2MC.length - 1]!;
}

/** Baidu tile-plane metres [x east, y north] of BD-09 p (lon wrapped, lat clamped to ±74°). */
export function bd09ToBaiduMercator(p: LonLat): [number, number] {
  let lon = (p[0] + 180) % 360;
  if (lon < 0) lon += 360;
  lon -= 180;
  const lat = Math.max(-74, Math.min(74, p[1]));
  return bdConvert(lon, lat, bdBand(lat));
}

/** The BD-09 position of Baidu tile-plane metres (x, y): MC2LL bands, then Newton on LL2MC to 1 mm. */
export function baiduMercatorToBd09(x: number, y: number): LonLat {
  let c = BD_MC2LL[BD_MC2LL.length - 1]!;
  for (let i = 0; i < BD_MC_BAND.length; i++) {
    if (Math.abs(y) >= BD_MC_BAND[i]!) {
      c = BD_MC2LL[i]!;
      break;
    }
  }
  let lat = Math.max(-74, Math.min(74, bdConvert(x, y, c)[1]));
  const h = 1e-6;
  for (let i = 0; i < 20; i++) {
    const fy = bdConvert(0, lat, bdBand(lat))[1];
    const dy = fy - y;
    if (Math.abs(dy) < 1e-3) break;
    const fy2 = bdConvert(0, lat + h, bdBand(lat))[1];
    lat = Math.max(-74, Math.min(74, lat - (dy * h) / (fy2 - fy)));
  }
  const b = bdBand(lat);
  const lon = (Math.abs(x) - b[0]!) / b[1]!;
  return [copysign(lon, x), lat];
}

// ---------- the map's system ----------

/** Normalises meta.basemap.crs: unknown or missing is WGS84. */
export function basemapCRS(s: unknown): BasemapCRS {
  const v = typeof s === 'string' ? s.toLowerCase() : '';
  return v === 'gcj02' || v === 'bd09' ? v : 'wgs84';
}

let active: BasemapCRS = 'wgs84';

/** Sets the system the map draws in (from meta.basemap.crs); before anything is drawn. */
export function setMapCRS(crs: BasemapCRS): void {
  active = crs;
}

export function mapCRS(): BasemapCRS {
  return active;
}

/** WGS84 [lon,lat] → the map's [lat,lng] (Leaflet order) in the basemap's system. */
export function toMap(p: LonLat, crs: BasemapCRS = active): [number, number] {
  if (crs === 'wgs84') return [p[1], p[0]];
  const q = crs === 'gcj02' ? wgs84ToGcj02(p) : wgs84ToBd09(p);
  return [q[1], q[0]];
}

/** A map position {lat,lng} in the basemap's system → WGS84 [lon,lat]. */
export function fromMap(ll: { lat: number; lng: number }, crs: BasemapCRS = active): LonLat {
  const p: LonLat = [ll.lng, ll.lat];
  if (crs === 'wgs84') return p;
  return crs === 'gcj02' ? gcj02ToWgs84(p) : bd09ToWgs84(p);
}
