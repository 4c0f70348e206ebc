// Small geodesy helpers, free of Leaflet and the DOM so tests can run them in Node.

/** Metres per degree of latitude and of longitude at latitude lat (WGS84 series). */
export function metresPerDegree(lat: number): { lat: number; lon: number } {
  const p = (lat * Math.PI) / 180;
  return {
    lat: 111132.92 - 559.82 * Math.cos(2 * p) + 1.175 * Math.cos(4 * p) - 0.0023 * Math.cos(6 * p),
    lon: 111412.84 * Math.cos(p) - 93.5 * Math.cos(3 * p) + 0.118 * Math.cos(5 * p),
  };
}

/** The point at distance metres and bearing degrees (clockwise from north) from [lon, lat]. */
export function offset(lon: number, lat: number, bearingDeg: number, metres: number): [number, number] {
  const m = metresPerDegree(lat);
  const b = (bearingDeg * Math.PI) / 180;
  return [lon + (metres * Math.sin(b)) / m.lon, lat + (metres * Math.cos(b)) / m.lat];
}

/**
 * The view sector of a fixed camera as a closed ring of [lon, lat]: the camera
 * position, then an arc of radius rangeM from direction-fov/2 to direction+fov/2.
 * A field of view of 360 degrees or more gives a circle without the centre.
 */
export function sectorRing(
  lon: number,
  lat: number,
  directionDeg: number,
  fovDeg: number,
  rangeM: number,
  stepDeg = 5,
): [number, number][] {
  const range = Math.max(0, rangeM);
  if (fovDeg >= 360) {
    const ring: [number, number][] = [];
    for (let a = 0; a < 360; a += stepDeg) ring.push(offset(lon, lat, a, range));
    ring.push(ring[0]);
    return ring;
  }
  const fov = Math.max(1, fovDeg);
  const steps = Math.max(2, Math.ceil(fov / stepDeg));
  const start = directionDeg - fov / 2;
  const ring: [number, number][] = [[lon, lat]];
  for (let i = 0; i <= steps; i++) ring.push(offset(lon, lat, start + (fov * i) / steps, range));
  ring.push([lon, lat]);
  return ring;
}

/** Great-circle distance in metres between two [lon, lat] points (for tests and checks). */
export function haversine(a: [number, number], b: [number, number]): number {
  const R = 6371008.8;
  const r = Math.PI / 180;
  const dLat = (b[1] - a[1]) * r;
  const dLon = (b[0] - a[0]) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * r) * Math.cos(b[1] * r) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

/** Initial bearing in degrees [0, 360) from a to b. */
export function bearing(a: [number, number], b: [number, number]): number {
  const r = Math.PI / 180;
  const y = Math.sin((b[0] - a[0]) * r) * Math.cos(b[1] * r);
  const x = Math.cos(a[1] * r) * Math.sin(b[1] * r) - Math.sin(a[1] * r) * Math.cos(b[1] * r) * Math.cos((b[0] - a[0]) * r);
  return ((Math.atan2(y, x) / r) % 360 + 360) % 360;
}

/** Incident marker radius in pixels for a weight (1 is a plain call; larger is graver). */
export function incidentRadius(weight: number): number {
  const w = Number.isFinite(weight) && weight > 0 ? weight : 1;
  return Math.min(12, 3 + 2 * Math.sqrt(w));
}

/** Formats a bbox W,S,E,N with 6 decimals (about 0.1 m), as the API expects. */
export function bboxParam(w: number, s: number, e: number, n: number): string {
  return [w, s, e, n].map((v) => v.toFixed(6)).join(',');
}
