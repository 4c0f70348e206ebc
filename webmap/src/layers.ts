// Leaflet layers for the six data layers: styles, symbols and popups.
// Everything is drawn on one shared canvas renderer except the kiosk markers
// (few, and they need the "警" glyph), so thousands of features stay smooth.
import * as L from 'leaflet';
import type { Feature, Geometry, Point } from 'geojson';
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
  cameras: L.FeatureGroup;
  kiosks: L.GeoJSON<KioskProps>;
  incidents: L.GeoJSON<IncidentProps>;
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

  const cameras = L.featureGroup();

  const kiosks = L.geoJSON<KioskProps>(undefined, {
    coordsToLatLng,
    pointToLayer: (_f, latlng) => L.marker(latlng, { icon: kioskIcon(), keyboard: false, riseOnHover: true }),
    onEachFeature: (f, l) => {
      l.bindTooltip(esc(f.properties.name || f.properties.ref || ''), { direction: 'top', offset: [0, -10], className: 'tw-tooltip' });
      bindLive(l, kioskPopup);
    },
  } as L.GeoJSONOptions<KioskProps>);

  const incidents = L.geoJSON<IncidentProps>(undefined, {
    coordsToLatLng,
    pointToLayer: (f, latlng) =>
      L.circleMarker(latlng, {
        renderer,
        radius: incidentRadius(f.properties.weight),
        color: '#8e1b1b',
        weight: 0.6,
        fillColor: INCIDENT_COLOR,
        fillOpacity: 0.6,
      }),
    onEachFeature: (_f, l) => bindLive(l, incidentPopup),
  } as L.GeoJSONOptions<IncidentProps>);

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

/**
 * Fills the camera group: a view wedge under each fixed camera, then a dot per
 * camera coloured by kind. Returns the number of cameras drawn.
 */
export function fillCameras(group: L.FeatureGroup, fc: PointFC<CameraProps>, renderer: L.Renderer): number {
  group.clearLayers();
  const wedges: L.Layer[] = [];
  const dots: L.Layer[] = [];
  for (const f of fc.features ?? []) {
    if (!f.geometry || f.geometry.type !== 'Point') continue;
    const [lon, lat] = (f.geometry as Point).coordinates;
    const p = f.properties;
    const color = CAMERA_COLOR[p.kind] ?? CAMERA_COLOR.dome;
    if (p.kind === 'fixed' && p.range_m > 0 && p.fov_deg > 0) {
      const ring = sectorRing(lon, lat, p.direction_deg ?? 0, p.fov_deg, p.range_m);
      wedges.push(
        L.polygon(lls(ring), {
          renderer,
          color,
          weight: 0.8,
          opacity: 0.7,
          fillColor: color,
          fillOpacity: 0.16,
          interactive: false,
        }),
      );
    }
    const dot = L.circleMarker(ll(lon, lat), {
      renderer,
      radius: 4.5,
      color: '#ffffff',
      weight: 1.2,
      fillColor: color,
      fillOpacity: 1,
    });
    (dot as L.CircleMarker & { feature?: unknown }).feature = f;
    bindLive(dot, cameraPopup);
    dots.push(dot);
  }
  for (const l of wedges) group.addLayer(l);
  for (const l of dots) group.addLayer(l);
  return dots.length;
}

export function fillGeoJSON<P>(layer: L.GeoJSON<P>, fc: RoadFC | GridFC | PointFC<P>): number {
  layer.clearLayers();
  layer.addData(fc as GeoJSON.GeoJsonObject);
  return layer.getLayers().length;
}
