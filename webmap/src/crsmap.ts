// The Leaflet side of crs.ts: every WGS84 position goes to Leaflet through
// ll()/lls()/coordsToLatLng (shifted to the basemap's GCJ-02 or BD-09), and
// every map position comes back through wgs() before it is shown or sent.
// For a Baidu basemap the map also uses Baidu's tile grid (baiduCRS).
import * as L from 'leaflet';
import { baiduMercatorToBd09, bd09ToBaiduMercator, fromMap, mapCRS, toMap, type LonLat } from './crs';

/** WGS84 lon,lat → the map's LatLng tuple. */
export function ll(lon: number, lat: number): L.LatLngTuple {
  return toMap([lon, lat]);
}

/** A WGS84 [lon,lat] line or ring → map LatLng tuples. */
export function lls(coords: readonly (readonly number[])[]): L.LatLngTuple[] {
  return coords.map((c) => toMap([c[0]!, c[1]!]));
}

/** The GeoJSON layers' coordsToLatLng hook: WGS84 [lon,lat] → map LatLng. */
export function coordsToLatLng(coords: [number, number] | [number, number, number]): L.LatLng {
  const [lat, lng] = toMap([coords[0], coords[1]]);
  return L.latLng(lat, lng);
}

/** A map position (click, drag) → WGS84 [lon,lat]. */
export function wgs(at: L.LatLng): LonLat {
  return fromMap(at);
}

/** The map's visible bounds as WGS84 W,S,E,N (all four corners converted, so the box covers the view). */
export function boundsWGS(b: L.LatLngBounds): [number, number, number, number] {
  if (mapCRS() === 'wgs84') return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  const pts = [b.getSouthWest(), b.getNorthWest(), b.getNorthEast(), b.getSouthEast()].map((p) => fromMap(p));
  return [Math.min(...pts.map((p) => p[0])), Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[1]))];
}

/** WGS84 W,S,E,N → map LatLngBounds (corners shifted). */
export function boundsToMap(w: number, s: number, e: number, n: number): L.LatLngBounds {
  return L.latLngBounds([ll(w, s), ll(w, n), ll(e, n), ll(e, s)]);
}

/**
 * Baidu's tile grid: LatLngs are BD-09, projected to Baidu Mercator (metres,
 * y north), resolution 2^(18−z) m per pixel, origin (0,0). Leaflet's pixel y
 * runs down, so Leaflet tile row y is Baidu row −y−1 (BaiduTileLayer).
 */
export const baiduCRS: L.CRS = L.Util.extend({}, L.CRS.Earth, {
  code: 'BD09MC',
  projection: {
    project(latlng: L.LatLng): L.Point {
      const [x, y] = bd09ToBaiduMercator([latlng.lng, latlng.lat]);
      return L.point(x, y);
    },
    unproject(p: L.Point): L.LatLng {
      const [lon, lat] = baiduMercatorToBd09(p.x, p.y);
      return L.latLng(lat, lon);
    },
    bounds: L.bounds([-20037726.37, -12474104.17], [20037726.37, 12474104.17]),
  },
  transformation: new L.Transformation(1, 0, -1, 0),
  scale(zoom: number): number {
    return Math.pow(2, zoom - 18);
  },
  zoom(scale: number): number {
    return Math.log(scale) / Math.LN2 + 18;
  },
  infinite: true,
  wrapLng: undefined,
}) as L.CRS;

/** A tile layer over baiduCRS: fills {x},{y},{z} with Baidu's tile numbers (y north, may be negative). */
export const BaiduTileLayer = L.TileLayer.extend({
  getTileUrl(this: L.TileLayer & { _url: string; _getZoomForUrl(): number }, coords: L.Coords): string {
    return L.Util.template(this._url, {
      ...this.options,
      s: (this as unknown as { _getSubdomain(c: L.Coords): string })._getSubdomain(coords),
      x: coords.x,
      y: -coords.y - 1,
      z: this._getZoomForUrl(),
    });
  },
}) as unknown as new (url: string, options?: L.TileLayerOptions) => L.TileLayer;

/** What meta.basemap says about a served tile source's zoom range (0 or missing: unknown). */
export interface BasemapZooms {
  attribution?: string;
  minzoom?: number;
  maxzoom?: number;
}

/**
 * Tile layer options for the basemap: shown from the source's minzoom (no
 * request below it: the file has no tiles there), up to the map's maxZoom, with
 * tiles past the source's maxzoom scaled up from maxzoom instead of requested.
 * An unknown range (maxzoom 0, as for a plain --basemap-url) leaves Leaflet's
 * defaults: every zoom requested.
 */
export function basemapOptions(b: BasemapZooms | undefined, mapMaxZoom: number): L.TileLayerOptions {
  const opts: L.TileLayerOptions = { attribution: b?.attribution ?? '', maxZoom: mapMaxZoom };
  const min = Number(b?.minzoom);
  const max = Number(b?.maxzoom);
  const known = Number.isInteger(max) && max > 0;
  if (known && Number.isInteger(min) && min > 0 && min <= max) opts.minZoom = min;
  if (known) opts.maxNativeZoom = Math.min(max, mapMaxZoom);
  return opts;
}
