// Leaflet layers for the six data layers: styles, symbols and popups.
// Everything is drawn on one shared canvas renderer except the kiosk markers
// (few, and they need the "警" glyph), so thousands of features stay smooth.
// Cameras and incidents are clustered on a screen grid below a zoom threshold
// (cluster.ts; bubbles with counts, a click zooms in) and drawn one by one only
// for the view above it; camera view sectors only from SECTOR_ZOOM. Layers are
// kept by key between redraws and reloads: what did not change is not re-created.
import * as L from 'leaflet';
import type { Feature, Geometry, Point } from 'geojson';
import { clusterRadius, gridCluster, type Cluster, type ClusterResult } from './cluster';
import { coordsToLatLng, ll, lls } from './crsmap';
import { incidentRadius, sectorRing } from './geometry';
import { getLang, num, t, type Key } from './i18n';
import type {
  CameraProps,
  GridFC,
  GridProps,
  IncidentProps,
  KioskProps,
  PointFC,
  RoadFC,
  RoadProps,
  SiteProps,
} from './types';

/** Cameras are clustered below this zoom and drawn one by one from it. */
export const CAMERA_CLUSTER_ZOOM = 15;
/** Fixed cameras' view sectors are drawn from this zoom (they are a few pixels wide below). */
export const SECTOR_ZOOM = 15;
/** Incidents are clustered below this zoom (they are denser than cameras: 20,000 is a district's quarter). */
export const INCIDENT_CLUSTER_ZOOM = 16;
/** The clustering grid's cell, in screen pixels. */
export const CLUSTER_CELL_PX = 60;
/**
 * Points and bubbles are drawn for the view padded by this share on each side:
 * a pan within it needs no new layers (the canvas itself is padded by 0.5).
 */
const VIEW_PAD = 0.25;

// ---------- road classes ----------

export type RoadClass = 'major' | 'primary' | 'secondary' | 'minor' | 'service' | 'foot';

export const ROAD_STYLE: Record<RoadClass, { color: string; weight: number; dash?: string; label: Key }> = {
  major: { color: '#c8553d', weight: 4.5, label: 'legend.roadMajor' },
  primary: { color: '#e08a3c', weight: 3.5, label: 'legend.roadPrimary' },
  secondary: { color: '#d4ad3f', weight: 3, label: 'legend.roadSecondary' },
  minor: { color: '#8d939c', weight: 1.8, label: 'legend.roadMinor' },
  service: { color: '#b5b9bf', weight: 1.1, label: 'legend.roadService' },
  foot: { color: '#5f9e58', weight: 1.2, dash: '3 3', label: 'legend.roadFoot' },
};

export function roadClass(highway: string): RoadClass {
  const h = (highway || '').replace(/_link$/, '');
  switch (h) {
    case 'motorway':
    case 'trunk':
      return 'major';
    case 'primary':
      return 'primary';
    case 'secondary':
      return 'secondary';
    case 'tertiary':
    case 'residential':
    case 'unclassified':
    case 'living_street':
    case 'road':
      return 'minor';
    case 'footway':
    case 'path':
    case 'pedestrian':
    case 'steps':
    case 'cycleway':
    case 'track':
    case 'bridleway':
      return 'foot';
    default:
      return 'service';
  }
}

/** Line width factor by zoom: thin when zoomed out, wider in close-up. */
function zoomFactor(zoom: number): number {
  if (zoom >= 17) return 1.6;
  if (zoom >= 15) return 1.2;
  if (zoom >= 13) return 0.9;
  return 0.6;
}

export function roadStyle(props: RoadProps | undefined, zoom: number): L.PathOptions {
  const s = ROAD_STYLE[roadClass(props?.highway ?? '')];
  return {
    color: s.color,
    weight: s.weight * zoomFactor(zoom),
    opacity: 0.95,
    dashArray: s.dash,
    lineCap: 'round',
    lineJoin: 'round',
  };
}

const roadFactors = new WeakMap<L.GeoJSON, number>();

/** Restyles the roads for a zoom, only when their line width changes (13, 15, 17): thousands of roads. */
export function restyleRoads(roads: L.GeoJSON<RoadProps>, zoom: number): void {
  const f = zoomFactor(zoom);
  if (roadFactors.get(roads) === f) return;
  roadFactors.set(roads, f);
  roads.setStyle((feat) => roadStyle(feat?.properties, zoom));
}

// ---------- colours for points ----------

export const CAMERA_COLOR: Record<CameraProps['kind'], string> = {
  fixed: '#7b3fa0',
  dome: '#0f8b8d',
  ptz: '#c76f00',
};

export const GRID_COLOR = '#3566a8';
export const KIOSK_COLOR = '#1f4fb5';
export const INCIDENT_COLOR = '#d32f2f';

export type SiteCategory = 'school' | 'hospital' | 'bank' | 'transport' | 'market' | 'government' | 'other';

export const SITE_COLOR: Record<SiteCategory, string> = {
  school: '#2e7d32',
  hospital: '#c2185b',
  bank: '#e6a100',
  transport: '#0277bd',
  market: '#8d5a3b',
  government: '#455a64',
  other: '#8e8e8e',
};

const SITE_ALIASES: Record<string, SiteCategory> = {
  school: 'school', kindergarten: 'school', university: 'school', college: 'school',
  学校: 'school', 幼儿园: 'school', 大学: 'school',
  hospital: 'hospital', clinic: 'hospital', 医院: 'hospital', 诊所: 'hospital',
  bank: 'bank', atm: 'bank', 银行: 'bank',
  transport: 'transport', station: 'transport', bus_station: 'transport', railway_station: 'transport',
  subway: 'transport', subway_station: 'transport', metro: 'transport', 车站: 'transport', 地铁站: 'transport',
  交通枢纽: 'transport',
  market: 'market', marketplace: 'market', mall: 'market', supermarket: 'market', shopping: 'market',
  商场: 'market', 市场: 'market', 超市: 'market',
  government: 'government', townhall: 'government', 政府: 'government', 党政机关: 'government',
};

export function siteCategory(category: string): SiteCategory {
  return SITE_ALIASES[(category || '').trim().toLowerCase()] ?? 'other';
}

// ---------- popups ----------

export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The source label; synthetic data is always flagged "synthetic demo data / 合成演示数据". */
export function sourceLabel(source: string): string {
  if (!source) return t('value.unknown');
  if (source === 'osm') return t('source.osm');
  if (source === 'synthetic') return t('source.synthetic');
  if (source === 'proposal') return t('source.proposal');
  if (source.startsWith('file:')) return t('source.file', { name: source.slice(5) });
  return source;
}

function sourceCell(source: string): string {
  const label = esc(sourceLabel(source));
  return source === 'synthetic' ? `<span class="tw-synthetic-tag">${label}</span>` : label;
}

function known(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function yesNo(b: boolean): string {
  return t(b ? 'value.yes' : 'value.no');
}

/** A popup: a heading and a two-column table. Values are already HTML-escaped. */
function popupHtml(heading: string, rows: [Key, string][]): string {
  const body = rows
    .map(([k, v]) => `<tr><th>${esc(t(k))}</th><td>${v}</td></tr>`)
    .join('');
  return `<div class="tw-popup"><h3>${esc(heading)}</h3><table>${body}</table></div>`;
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(getLang() === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}

export function roadPopup(p: RoadProps): string {
  const cls = ROAD_STYLE[roadClass(p.highway)].label;
  const car = (['both', 'forward', 'backward', 'none'] as const).includes(p.car) ? t(`car.${p.car}`) : p.car;
  return popupHtml(p.name || t(cls), [
    ['prop.highway', `${esc(t(cls))} <span class="tw-muted">(${esc(p.highway)})</span>`],
    ['prop.length', esc(t('unit.metre', { n: num(p.length_m ?? 0) }))],
    ['prop.car', esc(car)],
    ['prop.foot', esc(yesNo(!!p.foot))],
    ['prop.id', esc(p.id)],
  ]);
}

export function gridPopup(p: GridProps): string {
  return popupHtml(p.name || String(p.id), [
    ['prop.population', esc(known(p.population) ? t('unit.people', { n: num(p.population) }) : t('value.unknown'))],
    ['prop.risk', esc(known(p.risk) ? num(p.risk, 2) : t('value.unknown'))],
    ['prop.generated', esc(yesNo(!!p.generated))],
    ['prop.id', esc(p.id)],
  ]);
}

export function cameraPopup(p: CameraProps): string {
  const kind = p.kind in CAMERA_COLOR ? t(`kind.${p.kind}`) : p.kind;
  const defaulted = Array.isArray(p.defaulted) && p.defaulted.length > 0 ? p.defaulted.join(', ') : t('value.none');
  return popupHtml(p.name || p.ref || String(p.id), [
    ['prop.ref', esc(p.ref)],
    ['prop.kind', esc(kind)],
    ['prop.direction', esc(t('unit.degree', { n: num(p.direction_deg ?? 0) }))],
    ['prop.fov', esc(t('unit.degree', { n: num(p.fov_deg ?? 0) }))],
    ['prop.range', esc(t('unit.metre', { n: num(p.range_m ?? 0) }))],
    ['prop.defaulted', esc(defaulted)],
    ['prop.source', sourceCell(p.source)],
  ]);
}

export function kioskPopup(p: KioskProps): string {
  return popupHtml(p.name || p.ref || String(p.id), [
    ['prop.ref', esc(p.ref)],
    ['prop.staff', esc(t('unit.people', { n: num(p.staff ?? 0) }))],
    ['prop.vehicles', esc(t('unit.vehicles', { n: num(p.vehicles ?? 0) }))],
    ['prop.source', sourceCell(p.source)],
  ]);
}

export function incidentPopup(p: IncidentProps): string {
  return popupHtml(p.category || p.ref || String(p.id), [
    ['prop.time', esc(formatTime(p.time))],
    ['prop.hour', esc(t('unit.hour', { n: p.hour }))],
    ['prop.category', esc(p.category)],
    ['prop.weight', esc(num(p.weight ?? 1, 1))],
    ['prop.ref', esc(p.ref)],
    ['prop.source', sourceCell(p.source)],
  ]);
}

export function sitePopup(p: SiteProps): string {
  const cat = siteCategory(p.category);
  const catLabel = cat === 'other' && p.category ? p.category : t(`category.${cat}`);
  return popupHtml(p.name || p.ref || String(p.id), [
    ['prop.category', esc(catLabel)],
    ['prop.tier', esc(t('unit.tier', { n: p.tier }))],
    ['prop.ref', esc(p.ref)],
    ['prop.source', sourceCell(p.source)],
  ]);
}

// ---------- layers ----------

function props<P>(layer: L.Layer): P {
  return ((layer as L.Layer & { feature?: Feature<Geometry, P> }).feature?.properties ?? {}) as P;
}

/** Binds a popup built at open time, so it is always in the current language. */
function bindLive<P>(layer: L.Layer, build: (p: P) => string): void {
  layer.bindPopup((l) => build(props<P>(l)), { maxWidth: 320 });
}

export interface DataLayers {
  roads: L.GeoJSON<RoadProps>;
  grids: L.GeoJSON<GridProps>;
  cameras: PointLayer<CameraProps>;
  kiosks: L.GeoJSON<KioskProps>;
  incidents: PointLayer<IncidentProps>;
  sites: L.GeoJSON<SiteProps>;
}

export function createLayers(renderer: L.Renderer, zoom: () => number): DataLayers {
  const roads = L.geoJSON<RoadProps>(undefined, {
    coordsToLatLng,
    renderer,
    style: (f) => roadStyle(f?.properties, zoom()),
    onEachFeature: (_f, l) => bindLive(l, roadPopup),
  } as L.GeoJSONOptions<RoadProps>);

  const grids = L.geoJSON<GridProps>(undefined, {
    coordsToLatLng,
    renderer,
    style: (f) => ({
      color: GRID_COLOR,
      weight: 1.6,
      opacity: 0.9,
      fillColor: GRID_COLOR,
      fillOpacity: 0.07,
      dashArray: f?.properties?.generated ? '5 4' : undefined,
    }),
    onEachFeature: (f, l) => {
      l.bindTooltip(esc(f.properties.name || f.id || ''), { sticky: true, direction: 'top', className: 'tw-tooltip' });
      bindLive(l, gridPopup);
    },
  } as L.GeoJSONOptions<GridProps>);

  const cameras = new PointLayer<CameraProps>({
    renderer,
    clusterZoom: CAMERA_CLUSTER_ZOOM,
    clusterColor: CAMERA_CLUSTER_COLOR,
    clusterTip: (n) => t('cluster.cameras', { n: num(n) }),
    bubbleOffset: [-8, -7],
    dot: (f, at) => {
      const dot = L.circleMarker(at, {
        renderer,
        radius: 4.5,
        color: '#ffffff',
        weight: 1.2,
        fillColor: CAMERA_COLOR[f.properties.kind] ?? CAMERA_COLOR.dome,
        fillOpacity: 1,
      });
      (dot as L.CircleMarker & { feature?: unknown }).feature = f;
      bindLive(dot, cameraPopup);
      return dot;
    },
    extraZoom: SECTOR_ZOOM,
    extra: (f) => {
      const p = f.properties;
      if (p.kind !== 'fixed' || !(p.range_m > 0) || !(p.fov_deg > 0)) return null;
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const color = CAMERA_COLOR[p.kind] ?? CAMERA_COLOR.dome;
      return L.polygon(lls(sectorRing(lon, lat, p.direction_deg ?? 0, p.fov_deg, p.range_m)), {
        renderer,
        color,
        weight: 0.8,
        opacity: 0.7,
        fillColor: color,
        fillOpacity: 0.16,
        interactive: false,
      });
    },
  });

  const kiosks = L.geoJSON<KioskProps>(undefined, {
    coordsToLatLng,
    pointToLayer: (_f, latlng) => L.marker(latlng, { icon: kioskIcon(), keyboard: false, riseOnHover: true }),
    onEachFeature: (f, l) => {
      l.bindTooltip(esc(f.properties.name || f.properties.ref || ''), { direction: 'top', offset: [0, -10], className: 'tw-tooltip' });
      bindLive(l, kioskPopup);
    },
  } as L.GeoJSONOptions<KioskProps>);

  const incidents = new PointLayer<IncidentProps>({
    renderer,
    clusterZoom: INCIDENT_CLUSTER_ZOOM,
    clusterColor: INCIDENT_COLOR,
    clusterTip: (n) => t('cluster.incidents', { n: num(n) }),
    bubbleOffset: [13, 11],
    bubbleScale: 0.85,
    dot: (f, at) => {
      const dot = L.circleMarker(at, {
        renderer,
        radius: incidentRadius(f.properties.weight),
        color: '#8e1b1b',
        weight: 0.6,
        fillColor: INCIDENT_COLOR,
        fillOpacity: 0.6,
      });
      (dot as L.CircleMarker & { feature?: unknown }).feature = f;
      bindLive(dot, incidentPopup);
      return dot;
    },
  });

  const sites = L.geoJSON<SiteProps>(undefined, {
    coordsToLatLng,
    pointToLayer: (f, latlng) =>
      L.circleMarker(latlng, {
        renderer,
        radius: 7,
        color: '#ffffff',
        weight: 2,
        fillColor: SITE_COLOR[siteCategory(f.properties.category)],
        fillOpacity: 0.95,
      }),
    onEachFeature: (f, l) => {
      l.bindTooltip(esc(f.properties.name || ''), { direction: 'top', offset: [0, -6], className: 'tw-tooltip' });
      bindLive(l, sitePopup);
    },
  } as L.GeoJSONOptions<SiteProps>);

  // Key sites over cameras over incidents, whichever redraws last.
  incidents.keepUnder = [cameras, sites];
  cameras.keepUnder = [sites];
  return { roads, grids, cameras, kiosks, incidents, sites };
}

export function kioskIcon(): L.DivIcon {
  return L.divIcon({
    className: 'tw-kiosk-icon',
    html: '<div class="tw-kiosk">警</div>',
    iconSize: [22, 22],
    iconAnchor: [11, 11],
    popupAnchor: [0, -11],
  });
}

// ---------- clustered point layers (cameras, incidents) ----------

/** The camera cluster bubble's colour (as the coverage view's clusters). */
export const CAMERA_CLUSTER_COLOR = '#6a3fb0';

/** The legend's symbol for a cluster bubble of the given colour. */
export function clusterSwatch(color: string): string {
  return `<svg width="28" height="20" aria-hidden="true"><circle cx="14" cy="10" r="9.5" fill="${color}" fill-opacity="0.28"/><circle cx="14" cy="10" r="7" fill="${color}" stroke="#fff" stroke-width="1.5"/><text x="14" y="13" text-anchor="middle" font-size="8.5" font-weight="700" fill="#fff">12</text></svg>`;
}

/** Leaflet's canvas renderer internals that the count bubble draws with. */
interface CanvasInternals {
  _ctx?: CanvasRenderingContext2D;
  _drawing?: boolean;
  _updateCircle(layer: L.CircleMarker): void;
}

type CountMarkerOptions = L.CircleMarkerOptions & { label: string; halo: string };

/**
 * A cluster bubble on the shared canvas: a halo, the circle, and the count in
 * white in the middle. With an SVG renderer only the circle is drawn (the
 * tooltip still tells the count).
 */
const HALO_PX = 4;
const CountMarker = L.CircleMarker.extend({
  // The halo reaches HALO_PX past the circle: the canvas must clear and redraw that far.
  _updateBounds(this: L.CircleMarker & { _point: L.Point; _radius: number; _pxBounds: L.Bounds; _clickTolerance(): number }) {
    const pad = this._radius + Math.max(HALO_PX, this._clickTolerance());
    this._pxBounds = L.bounds(this._point.subtract([pad, pad]), this._point.add([pad, pad]));
  },
  _updatePath(this: L.CircleMarker & { _renderer: CanvasInternals; _point: L.Point; _radius: number; _empty(): boolean; options: CountMarkerOptions }) {
    const r = this._renderer;
    const ctx = r._ctx;
    const drawing = !!ctx && !!r._drawing && !this._empty();
    if (drawing) {
      ctx.globalAlpha = 0.28;
      ctx.fillStyle = this.options.halo;
      ctx.beginPath();
      ctx.arc(this._point.x, this._point.y, this._radius + HALO_PX, 0, Math.PI * 2);
      ctx.fill();
    }
    r._updateCircle(this);
    if (!drawing) return;
    ctx.globalAlpha = 1;
    ctx.fillStyle = '#ffffff';
    ctx.font = `700 ${this._radius >= 19 ? 12 : this._radius >= 13 ? 11 : 10}px system-ui, "PingFang SC", "Microsoft YaHei", sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(this.options.label, this._point.x, this._point.y + 0.5);
  },
}) as unknown as new (at: L.LatLngExpression, options: CountMarkerOptions) => L.CircleMarker;

/** What the browser tests read about a clustered layer's last redraw. */
export interface PointLayerStats {
  /** Zoom of the last redraw (NaN before the first). */
  zoom: number;
  /** "clusters" below the layer's cluster zoom, "points" from it. */
  mode: 'clusters' | 'points';
  /** Features loaded (all of them, not only the view's). */
  features: number;
  /** Drawn now: cluster bubbles, single points, extras (camera sectors). */
  clusters: number;
  points: number;
  extras: number;
  /** Points represented by the drawn bubbles and single points (≤ features: the view only). */
  represented: number;
  /** Redraws so far, layers created and kept by the last one, data loads skipped as unchanged. */
  redraws: number;
  created: number;
  kept: number;
  unchangedLoads: number;
  /** Layers of the last redraw still to be added (they go in over the next frames). */
  pending: number;
}

export interface PointLayerOptions<P> {
  renderer: L.Renderer;
  /** Clusters below this zoom, single points from it. */
  clusterZoom: number;
  clusterColor: string;
  /** The cluster bubble's tooltip for n points. */
  clusterTip: (n: number) => string;
  /** One point (its feature set, popup bound). */
  dot: (f: Feature<Point, P>, at: L.LatLng) => L.Layer;
  /** An extra shape per point drawn under the points from extraZoom (camera view sectors), or null. */
  extra?: (f: Feature<Point, P>) => L.Layer | null;
  extraZoom?: number;
  /**
   * Screen offset of the bubbles from their members' centroid, in pixels, and
   * their size factor: camera bubbles sit up left, the (smaller) incident
   * bubbles down right, so both counts of a cell stay readable.
   */
  bubbleOffset?: [number, number];
  bubbleScale?: number;
}

interface PointItem<P> {
  f: Feature<Point, P>;
  at: L.LatLng;
}

/** Layers kept for reuse (points, sectors, bubbles), drawn or not; the oldest undrawn go first past this. */
const LAYER_CACHE_MAX = 15000;
/** A redraw adds up to this many layers at once; more go in over several frames. */
const SYNC_ADD = 400;
/** Work per animation frame while a redraw adds its layers, in ms. */
const SLICE_MS = 12;

/** A layer a redraw wants: its key, where it is (for the order), and how to make it. */
interface Pending {
  key: string;
  at: L.LatLng;
  make: () => L.Layer | null;
}

/**
 * A point layer for thousands of features: below clusterZoom it shows one
 * bubble per CLUSTER_CELL_PX screen cell (count inside, click zooms in) and
 * single points where a cell holds one; from clusterZoom it shows the points
 * (and extras) inside the padded view only. It redraws on zoom and when the
 * view leaves the area drawn; every layer it creates is kept by key (up to
 * LAYER_CACHE_MAX) and re-added instead of re-created when it is wanted again,
 * and a reload with the same data changes nothing. Fires "tw:redraw" when it
 * added layers (the page restacks the canvas then).
 */
export class PointLayer<P> extends L.FeatureGroup {
  readonly stats: PointLayerStats = {
    zoom: NaN,
    mode: 'clusters',
    features: 0,
    clusters: 0,
    points: 0,
    extras: 0,
    represented: 0,
    redraws: 0,
    created: 0,
    kept: 0,
    unchangedLoads: 0,
    pending: 0,
  };
  private readonly opts: PointLayerOptions<P>;
  /** Point layers this one stays under on the shared canvas (brought to the front after it adds layers). */
  keepUnder: L.FeatureGroup[] = [];
  /** Layers a redraw still has to add, top of the screen first, a slice per animation frame. */
  private queue: { list: Pending[]; next: number; frame: number } | null = null;
  private items: PointItem<P>[] = [];
  private signature = '';
  /** Every layer made so far by key, least recently wanted first (null: no extra for that point). */
  private cache = new Map<string, L.Layer | null>();
  /** Keys of the layers in the group now. */
  private drawn = new Set<string>();
  private drawnZoom = NaN;
  private drawnArea: L.LatLngBounds | null = null;
  private clustersByZoom = new Map<number, ClusterResult>();
  /** The items in world pixels at zoom 0 of the map's CRS, for clustering at any zoom. */
  private px0: L.Point[] | null = null;
  private px0CRS: L.CRS | null = null;
  private mapRef: L.Map | null = null;

  constructor(opts: PointLayerOptions<P>) {
    super();
    this.opts = opts;
  }

  /** The features loaded (every one, drawn or not). */
  features(): Feature<Point, P>[] {
    return this.items.map((it) => it.f);
  }

  /** Replaces the data; returns the number of features. Unchanged data keep every layer. */
  setData(fc: PointFC<P>): number {
    const feats = (fc.features ?? []).filter(
      (f) => f.geometry?.type === 'Point' && Number.isFinite(f.geometry.coordinates[0]) && Number.isFinite(f.geometry.coordinates[1]),
    );
    const sig = JSON.stringify(feats);
    if (sig === this.signature) {
      this.stats.unchangedLoads++;
      return this.items.length;
    }
    this.signature = sig;
    this.items = feats.map((f) => {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      return { f, at: L.latLng(ll(lon, lat)) };
    });
    this.stats.features = this.items.length;
    this.clustersByZoom.clear();
    this.px0 = null;
    this.cancelQueue();
    this.clearLayers();
    this.cache.clear();
    this.drawn.clear();
    this.drawnZoom = NaN;
    this.drawnArea = null;
    this.redraw();
    return this.items.length;
  }

  override onAdd(map: L.Map): this {
    this.mapRef = map;
    // Start from what the view needs now, not from what was drawn when the layer was switched off.
    this.clearLayers();
    this.drawn.clear();
    this.drawnZoom = NaN;
    map.on('zoomend moveend', this.update, this);
    this.redraw();
    return this;
  }

  override onRemove(map: L.Map): this {
    map.off('zoomend moveend', this.update, this);
    this.cancelQueue();
    super.onRemove(map);
    return this;
  }

  /** On zoom and move: redraw when the zoom changed or the view left the area drawn. */
  private update(): void {
    const map = this.mapRef;
    if (!map || !(map as L.Map & { _loaded?: boolean })._loaded) return;
    if (Math.round(map.getZoom()) === this.drawnZoom && this.drawnArea?.contains(map.getBounds())) return;
    this.redraw();
  }

  private clusters(map: L.Map, zoom: number): ClusterResult {
    const crs = map.options.crs ?? L.CRS.EPSG3857;
    if (!this.px0 || this.px0CRS !== crs) {
      // Projected once per data and CRS; a zoom only scales them (Leaflet's CRSs are affine in the scale).
      this.px0 = this.items.map((it) => crs.latLngToPoint(it.at, 0));
      this.px0CRS = crs;
      this.clustersByZoom.clear();
    }
    let res = this.clustersByZoom.get(zoom);
    if (!res) {
      const k = crs.scale(zoom) / crs.scale(0);
      res = gridCluster(
        this.px0.map((p) => ({ x: p.x * k, y: p.y * k })),
        { cellPx: CLUSTER_CELL_PX },
      );
      this.clustersByZoom.set(zoom, res);
    }
    return res;
  }

  private bubble(map: L.Map, c: Cluster, zoom: number, at: L.LatLng): L.Layer {
    const radius = Math.round(clusterRadius(c.count) * (this.opts.bubbleScale ?? 1));
    const m = new CountMarker(at, {
      renderer: this.opts.renderer,
      radius,
      color: '#ffffff',
      weight: 2,
      opacity: 1,
      fillColor: this.opts.clusterColor,
      fillOpacity: 0.9,
      label: String(c.count),
      halo: this.opts.clusterColor,
    });
    (m as L.CircleMarker & { cluster?: { count: number; key: string } }).cluster = { count: c.count, key: c.key };
    m.bindTooltip(() => esc(this.opts.clusterTip(c.count)), { direction: 'top', offset: [0, -radius], className: 'tw-tooltip' });
    m.on('click', () => {
      // Zoom to the members (at least one level, at most to where they are single).
      const b = L.latLngBounds(map.unproject([c.minX, c.minY], zoom), map.unproject([c.maxX, c.maxY], zoom));
      const fit = map.getBoundsZoom(b.pad(0.3));
      const target = Math.min(map.getMaxZoom(), Math.max(zoom + 1, Math.min(fit, Math.max(zoom + 2, this.opts.clusterZoom))));
      map.setView(b.getCenter(), target);
    });
    return m;
  }

  /**
   * Draws what the current zoom and view need, re-using every layer made before.
   * Up to SYNC_ADD new layers go in at once; more (thousands of cameras and
   * their sectors on zooming in to SECTOR_ZOOM) go in over the next animation
   * frames, SLICE_MS of work each, top of the screen first, so that no frame
   * stalls and each frame's canvas redraw covers only a band of the view.
   */
  redraw(): void {
    const map = this.mapRef;
    // Nothing to draw before the map has a view, or while the layer is switched off.
    if (!map || !this._map || !(map as L.Map & { _loaded?: boolean })._loaded) return;
    this.cancelQueue();
    const zoom = Math.round(map.getZoom());
    const area = map.getBounds().pad(VIEW_PAD);
    // Wanted layers in draw order: extras (sectors) first, so the points lie over them.
    const extras: Pending[] = [];
    const wanted: Pending[] = [];
    let represented = 0;
    let nClusters = 0;
    let nPoints = 0;
    const items = this.items;
    const clustered = zoom < this.opts.clusterZoom;
    if (clustered) {
      const res = this.clusters(map, zoom);
      for (const c of res.clusters) {
        const [dx, dy] = this.opts.bubbleOffset ?? [0, 0];
        const at = map.unproject([c.x + dx, c.y + dy], zoom);
        if (!area.contains(at)) continue;
        wanted.push({ key: `c${zoom}:${c.key}`, at, make: () => this.bubble(map, c, zoom, at) });
        represented += c.count;
        nClusters++;
      }
      for (const i of res.singles) {
        const it = items[i]!;
        if (!area.contains(it.at)) continue;
        wanted.push({ key: `p${i}`, at: it.at, make: () => this.opts.dot(it.f, it.at) });
        represented++;
        nPoints++;
      }
    } else {
      const extra = this.opts.extra;
      const withExtra = !!extra && zoom >= (this.opts.extraZoom ?? this.opts.clusterZoom);
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        if (!area.contains(it.at)) continue;
        if (withExtra) extras.push({ key: `x${i}`, at: it.at, make: () => extra!(it.f) });
        wanted.push({ key: `p${i}`, at: it.at, make: () => this.opts.dot(it.f, it.at) });
        represented++;
        nPoints++;
      }
    }
    const all = extras.concat(wanted);
    const keys = new Set(all.map((w) => w.key));
    // Take off what is no longer wanted (it stays in the cache).
    for (const k of this.drawn) {
      if (keys.has(k)) continue;
      const l = this.cache.get(k);
      if (l) this.removeLayer(l);
      this.drawn.delete(k);
    }
    let kept = 0;
    const add: Pending[] = [];
    for (const w of all) {
      if (!this.drawn.has(w.key)) add.push(w);
      else {
        kept++;
        const l = this.cache.get(w.key);
        this.cache.delete(w.key); // most recently wanted last
        this.cache.set(w.key, l ?? null);
      }
    }
    this.drawnZoom = zoom;
    this.drawnArea = area;
    Object.assign(this.stats, {
      zoom,
      mode: clustered ? 'clusters' : 'points',
      clusters: nClusters,
      points: nPoints,
      represented,
      redraws: this.stats.redraws + 1,
      created: 0,
      kept,
      pending: add.length,
    });
    if (add.length <= SYNC_ADD) {
      let added = 0;
      for (const w of add) if (this.addOne(w)) added++;
      this.finish(added);
      return;
    }
    // Top of the screen first; at the same height a sector before its point.
    const y = (w: Pending) => map.latLngToLayerPoint(w.at).y;
    const order = add.map((w, i) => ({ w, y: y(w), i }));
    order.sort((a, b) => a.y - b.y || a.i - b.i);
    this.queue = { list: order.map((o) => o.w), next: 0, frame: 0 };
    this.step();
  }

  private readonly step = (): void => {
    const q = this.queue;
    if (!q) return;
    const t0 = performance.now();
    let added = 0;
    while (q.next < q.list.length && performance.now() - t0 < SLICE_MS) if (this.addOne(q.list[q.next++]!)) added++;
    this.stats.pending = q.list.length - q.next;
    if (q.next < q.list.length) {
      q.frame = L.Util.requestAnimFrame(this.step);
      return;
    }
    this.queue = null;
    this.finish(added);
  };

  private cancelQueue(): void {
    if (!this.queue) return;
    L.Util.cancelAnimFrame(this.queue.frame);
    this.queue = null;
    this.stats.pending = 0;
  }

  /** Adds one wanted layer, from the cache or made now; true when a layer went onto the map. */
  private addOne(w: Pending): boolean {
    let l = this.cache.get(w.key);
    if (l === undefined) {
      l = w.make();
      this.stats.created++;
    } else this.cache.delete(w.key);
    this.cache.set(w.key, l);
    this.drawn.add(w.key);
    if (!l) return false;
    this.addLayer(l);
    return true;
  }

  /** After a redraw's last layer: counts, the cache cap, and "tw:redraw" for the page's restack. */
  private finish(added: number): void {
    let extras = 0;
    for (const k of this.drawn) if (k.charCodeAt(0) === 120 /* x */ && this.cache.get(k)) extras++;
    this.stats.extras = extras;
    this.stats.pending = 0;
    // Forget the least recently wanted layers past the cap (never one that is drawn).
    if (this.cache.size > LAYER_CACHE_MAX) {
      for (const k of this.cache.keys()) {
        if (this.cache.size <= LAYER_CACHE_MAX) break;
        if (!this.drawn.has(k)) this.cache.delete(k);
      }
    }
    if (added > 0) for (const g of this.keepUnder) g.bringToFront();
    if (added > 0 || this.stats.created > 0) this.fire('tw:redraw');
  }
}

/** Loads the camera layer; returns the number of cameras. */
export function fillCameras(group: PointLayer<CameraProps>, fc: PointFC<CameraProps>, _renderer?: L.Renderer): number {
  return group.setData(fc);
}

// ---------- GeoJSON layers: reloads keep unchanged features ----------

const featureKeys = new WeakMap<L.GeoJSON, Map<string, L.Layer>>();

/**
 * A feature's identity for reloads: id, geometry (vertex count and two
 * position-weighted coordinate sums: a different simplification of a road is a
 * different key) and properties.
 */
export function featureKey(f: Feature): string {
  let n = 0;
  let sx = 0;
  let sy = 0;
  const walk = (c: unknown): void => {
    const a = c as unknown[];
    if (typeof a[0] === 'number') {
      n++;
      sx += (a[0] as number) * ((n % 7) + 1);
      sy += (a[1] as number) * ((n % 5) + 1);
    } else for (const x of a) walk(x);
  };
  const g = f.geometry as Geometry | null;
  if (g && 'coordinates' in g) walk(g.coordinates);
  return `${g?.type}|${String(f.id ?? '')}|${n}|${sx}|${sy}|${JSON.stringify(f.properties ?? null)}`;
}

/**
 * Fills a layer with a FeatureCollection; returns the number of features drawn.
 * A GeoJSON layer keeps the layers of features that are in the new data too
 * (same key), adds only the new ones and removes the gone ones, so a reload with
 * the same data re-creates nothing; a PointLayer gets setData.
 */
export function fillGeoJSON<P>(layer: L.GeoJSON<P> | PointLayer<P>, fc: RoadFC | GridFC | PointFC<P>): number {
  if (layer instanceof PointLayer) return layer.setData(fc as PointFC<P>);
  let old = featureKeys.get(layer);
  if (!old || old.size !== layer.getLayers().length) {
    layer.clearLayers(); // filled some other way before: start over
    old = new Map();
  }
  const next = new Map<string, L.Layer>();
  let added: L.Layer | null = null;
  const grab = (e: L.LeafletEvent) => {
    added = (e as L.LayerEvent).layer;
  };
  layer.on('layeradd', grab);
  try {
    for (const f of (fc.features ?? []) as Feature[]) {
      if (!f || !f.geometry) continue;
      let k = featureKey(f);
      while (next.has(k)) k += '+'; // the same feature twice: both drawn, as addData would
      const have = old.get(k);
      if (have) {
        next.set(k, have);
        old.delete(k);
        continue;
      }
      added = null;
      layer.addData(f as GeoJSON.GeoJsonObject);
      if (added) next.set(k, added);
    }
  } finally {
    layer.off('layeradd', grab);
  }
  for (const l of old.values()) layer.removeLayer(l);
  featureKeys.set(layer, next);
  return layer.getLayers().length;
}
