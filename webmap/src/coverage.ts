// The camera coverage view (天网覆盖 / 补盲) for planners: a collapsible panel
// (hour window, street / area / incident coverage, the top uncovered street
// stretches, camera siting with proposals to accept) and its map layers: a grid
// choropleth by street coverage, camera footprints (fetched for the view at
// zoom ≥ 15) with draggable camera markers for what-if edits, grid-based camera
// clusters below zoom 15, the blind spots of a clicked grid, the uncovered
// stretches (thick red lines) and the numbered siting proposals (sector + marker).
import * as L from 'leaflet';
import type { Feature, LineString, MultiPolygon, Point, Polygon } from 'geojson';
import { boundsWGS, coordsToLatLng, ll, lls, wgs } from './crsmap';
import { bboxParam, sectorRing } from './geometry';
import { getLang, num, t, type Key } from './i18n';
import { CAMERA_COLOR, ROAD_STYLE, esc, roadClass } from './layers';
import { NO_ROAD_COLOR, PROPOSAL_COLOR, errorText, ifMatch, isConflict, pct, requestJSON, runSiting, table, type SitingHost } from './response';
import type { CameraProps, GridProps } from './types';
import { can } from './login';

export interface GridCoverage {
  id: number;
  name: string;
  area_m2: number;
  covered_area_m2: number;
  road_m: number;
  covered_road_m: number;
  incident_weight: number;
  covered_incident_weight: number;
  cameras: number;
}
export interface CoverageReport { grids: GridCoverage[]; total: GridCoverage }
export interface CameraBody { lon: number; lat: number; kind: string; direction_deg: number; fov_deg: number; range_m: number }
export interface CameraProposal extends CameraBody {
  rank: number;
  gain: number;
  gain_road_m: number;
  share_after: number;
  camera?: CameraBody;
}
export interface CameraSiting {
  total_weight: number;
  covered_before: number;
  covered_after: number;
  upper_bound: number;
  gap: number;
  candidates: number;
  total_road_m?: number;
  covered_road_before_m?: number;
  covered_road_after_m?: number;
  proposals: CameraProposal[] | null;
}
export interface Stretch {
  road_id: number;
  name: string;
  highway: string;
  grid_id: number;
  from_m: number;
  to_m: number;
  length_m: number;
  incident_weight: number;
}
/** A camera as the view keeps it (from the cameras layer, then from edits); version is the store's, sent back as If-Match. */
export interface Cam { id: number; name: string; ref: string; kind: CameraProps['kind']; direction_deg: number; fov_deg: number; range_m: number; lon: number; lat: number; source: string; version?: number }
interface CameraSaved { id: number; name: string; kind: string; direction_deg: number; fov_deg: number; range_m: number; lon: number; lat: number; area_m2: number; total: GridCoverage; version?: number }

/** What the browser tests read (window.__tidewatch.coverage). */
export interface CoverageState {
  busy: boolean;
  loaded: number; // completed report loads
  hours: string;
  report: CoverageReport | null;
  total: GridCoverage | null; // the totals on show (from the report or the last edit)
  choropleth: number;
  cameras: number; // cameras the view knows
  clusters: number; // cluster bubbles on the map (zoom < 15)
  markers: number; // single camera markers on the map
  footprints: number;
  footprintFetches: number;
  uncovered: number;
  stretches: Stretch[];
  gapsGrid: number | null;
  gaps: number;
  siting: CameraSiting | null;
  proposals: number;
  accepted: { id: number; name: string }[];
  edits: number; // completed camera edits (move, delete, accept)
  conflicts: number; // edits refused because someone else changed the camera (412), each followed by a reload
  camLoads: number; // completed loads of the camera list
  lastEdit: { kind: 'move' | 'delete' | 'add'; id: number; before: number; after: number } | null;
}

export interface CoverageDeps {
  map: L.Map;
  renderer: L.Renderer;
  grids: () => L.GeoJSON<GridProps>;
  /** The workspace bbox W,S,E,N for the camera list. */
  bbox: () => string;
  showError: (message: string, err?: unknown) => void;
  /** The view shows the cameras itself: hide the plain cameras layer. */
  hideBaseCameras: () => void;
  /** After a camera was added, moved or removed: reload meta and the cameras layer. */
  camerasChanged: () => void;
  changed: () => void;
  fit: () => void;
  /** This panel was opened (the dock closes the others). */
  opened: () => void;
}

/** Street coverage classes of the grid choropleth, low (red) to high (green). */
export const COVER_CLASSES: { min: number; color: string }[] = [
  { min: 0, color: '#c62828' },
  { min: 0.05, color: '#ef6c3c' },
  { min: 0.15, color: '#f6c451' },
  { min: 0.3, color: '#8cc665' },
  { min: 0.5, color: '#2e8b47' },
];
export const FOOTPRINT_COLOR = '#6a3fb0';
export const UNCOVERED_COLOR = '#d7191c';
export const GAP_COLOR = '#8b0000';
export const CLUSTER_ZOOM = 15;
const CLUSTER_PX = 64;

export function coverColor(share: number): string {
  let c = COVER_CLASSES[0].color;
  for (const k of COVER_CLASSES) if (share >= k.min - 1e-9) c = k.color;
  return c;
}

const share = (a: number, b: number) => (b > 0 ? a / b : 0);
export const streetShare = (g: GridCoverage) => share(g.covered_road_m, g.road_m);

export const HOUR_PRESETS: [string, Key][] = [
  ['', 'cov.hoursAll'],
  ['22,23,0,1', 'cov.hoursNight'],
  ['18,19,20,21', 'cov.hoursEvening'],
  ['7,8,9,10,11,12,13,14,15,16,17', 'cov.hoursDay'],
];

function kindLabel(kind: string): string {
  return kind === 'fixed' || kind === 'dome' || kind === 'ptz' ? t(`kind.${kind}`) : kind;
}

function signedPct(d: number): string {
  const s = num(Math.abs(d) * 100, 2);
  return d < 0 ? `−${s}%` : `+${s}%`;
}

interface ChoroProps { cov: GridCoverage }

function gridPopup(g: GridCoverage): string {
  const row = (k: Key, a: number, b: number, unit: (n: string) => string): [string, string] => [
    t(k),
    b > 0 ? `<span class="tw-swatch" style="background:${coverColor(share(a, b))}"></span>${esc(pct(share(a, b)))} <span class="tw-muted">(${esc(unit(num(a, 0)))} / ${esc(unit(num(b, 0)))})</span>` : esc(t('value.none')),
  ];
  return (
    table(g.name || String(g.id), [
      row('cov.street', g.covered_road_m, g.road_m, (n) => t('unit.metre', { n })),
      row('cov.area', g.covered_area_m2, g.area_m2, (n) => t('unit.sqm', { n })),
      row('cov.incidents', g.covered_incident_weight, g.incident_weight, (n) => n),
      [t('cov.camerasIn'), esc(num(g.cameras))],
      [t('prop.id'), esc(g.id)],
    ]) + `<div class="tw-popup-hint tw-muted">${esc(t('cov.gapsShown'))}</div>`
  );
}

export class CoverageView {
  readonly state: CoverageState = {
    busy: false,
    loaded: 0,
    hours: '22,23,0,1',
    report: null,
    total: null,
    choropleth: 0,
    cameras: 0,
    clusters: 0,
    markers: 0,
    footprints: 0,
    footprintFetches: 0,
    uncovered: 0,
    stretches: [],
    gapsGrid: null,
    gaps: 0,
    siting: null,
    proposals: 0,
    accepted: [],
    edits: 0,
    conflicts: 0,
    camLoads: 0,
    lastEdit: null,
  };
  readonly choropleth: L.GeoJSON<ChoroProps>;
  readonly footprints: L.GeoJSON;
  readonly camLayer: L.FeatureGroup; // clusters or draggable markers
  readonly uncovered: L.FeatureGroup;
  readonly gaps: L.GeoJSON;
  readonly proposals: L.FeatureGroup;
  readonly box: HTMLDetailsElement;

  private cams = new Map<number, Cam>();
  private camsLoaded = false;
  private active = false;
  private form = { count: '10', spacing: '50' };
  private status: { text: () => string; bad: boolean } = { text: () => '', bad: false };
  private sitingStatus: { text: () => string; bad: boolean } = { text: () => '', bad: false };
  private sitingOpen = false;
  private fpAbort: AbortController | null = null;
  private fpTimer: number | undefined;
  private reportSeq = 0;

  constructor(private deps: CoverageDeps) {
    const { map, renderer } = deps;
    this.choropleth = L.geoJSON<ChoroProps>(undefined, {
      coordsToLatLng,
      renderer,
      style: (f) => this.choroStyle(f?.properties),
      onEachFeature: (f, l) => {
        l.bindTooltip(() => esc(`${f.properties.cov.name || f.properties.cov.id} · ${t('cov.street')} ${pct(streetShare(f.properties.cov))}`), {
          sticky: true,
          direction: 'top',
          className: 'tw-tooltip',
        });
        l.bindPopup(() => gridPopup(f.properties.cov), { maxWidth: 340 });
        l.on('click', () => void this.loadGaps(f.properties.cov.id));
      },
    } as L.GeoJSONOptions<ChoroProps>);
    this.footprints = L.geoJSON(undefined, {
      coordsToLatLng,
      renderer,
      interactive: false,
      style: () => ({ color: FOOTPRINT_COLOR, weight: 0.8, opacity: 0.8, fillColor: FOOTPRINT_COLOR, fillOpacity: 0.22 }),
    } as L.GeoJSONOptions);
    this.gaps = L.geoJSON(undefined, {
      coordsToLatLng,
      renderer,
      interactive: false,
      style: () => ({ color: GAP_COLOR, weight: 1.6, dashArray: '4 3', fillColor: GAP_COLOR, fillOpacity: 0.28, fillRule: 'evenodd' }),
    } as L.GeoJSONOptions);
    this.uncovered = L.featureGroup();
    this.proposals = L.featureGroup();
    this.camLayer = L.featureGroup();
    this.proposals.on('popupopen', (e) => this.wireProposal(e as L.PopupEvent));
    this.camLayer.on('popupopen', (e) => this.wireCamera(e as L.PopupEvent));

    const box = L.DomUtil.create('details', 'tw-resp tw-cov leaflet-bar') as HTMLDetailsElement;
    box.id = 'coverage-panel';
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    box.addEventListener('toggle', () => {
      if (box.open) {
        this.deps.opened();
        void this.activate();
      }
      this.deps.fit();
    });
    this.box = box;
    this.render();

    map.on('moveend', () => {
      if (!this.active) return;
      this.drawCameras();
      window.clearTimeout(this.fpTimer);
      this.fpTimer = window.setTimeout(() => void this.loadFootprints(), 200);
    });
  }

  overlays(): [Key, L.Layer, string][] {
    return [
      ['layer.covGrid', this.choropleth, 'covGrid'],
      ['layer.covCameras', this.camLayer, 'covCameras'],
      ['layer.footprints', this.footprints, 'footprints'],
      ['layer.uncovered', this.uncovered, 'uncovered'],
      ['layer.camProposals', this.proposals, 'camProposals'],
    ];
  }

  restack(): void {
    this.choropleth.bringToBack();
    this.gaps.bringToFront();
    this.footprints.bringToFront();
    this.uncovered.bringToFront();
  }

  private choroStyle(p: ChoroProps | undefined): L.PathOptions {
    const g = p?.cov;
    if (!g || g.road_m <= 0) return { color: '#ffffff', weight: 0.7, opacity: 0.8, fillColor: NO_ROAD_COLOR, fillOpacity: 0.3 };
    return { color: '#ffffff', weight: 0.7, opacity: 0.8, fillColor: coverColor(streetShare(g)), fillOpacity: 0.45 };
  }

  /** First opening: camera list, report, uncovered stretches; the view takes over the cameras. */
  async activate(): Promise<void> {
    if (this.active) return;
    this.active = true;
    this.deps.hideBaseCameras();
    this.camLayer.addTo(this.deps.map);
    this.footprints.addTo(this.deps.map);
    this.deps.changed();
    await Promise.all([this.loadCameras(), this.load()]);
  }

  private async loadCameras(): Promise<void> {
    try {
      const fc = await requestJSON<GeoJSON.FeatureCollection<Point, CameraProps>>(`/api/v1/layers/cameras?bbox=${this.deps.bbox()}`);
      this.cams.clear();
      for (const f of fc.features ?? []) {
        if (f.geometry?.type !== 'Point') continue;
        const p = f.properties;
        const [lon, lat] = f.geometry.coordinates;
        const version = (p as CameraProps & { version?: number }).version;
        this.cams.set(Number(p.id), { id: Number(p.id), name: p.name, ref: p.ref, kind: p.kind, direction_deg: p.direction_deg, fov_deg: p.fov_deg, range_m: p.range_m, lon, lat, source: p.source, version });
      }
      this.camsLoaded = true;
      this.state.cameras = this.cams.size;
      this.state.camLoads++;
      this.drawCameras();
      await this.loadFootprints();
    } catch (err) {
      this.deps.showError(t('cov.failed', { msg: errorText(err) }), err);
    }
  }

  /** Report and uncovered stretches for the hour window. */
  async load(): Promise<void> {
    const hours = this.state.hours;
    const q = hours ? `?hours=${hours}` : '';
    const seq = ++this.reportSeq;
    this.state.busy = true;
    this.status = { text: () => t('cov.loading'), bad: false };
    this.render();
    try {
      const [rep, unc] = await Promise.all([
        requestJSON<CoverageReport>(`/api/v1/coverage${q}`),
        requestJSON<GeoJSON.FeatureCollection<LineString, Stretch>>(`/api/v1/coverage/uncovered?limit=50${hours ? `&hours=${hours}` : ''}`),
      ]);
      if (seq !== this.reportSeq) return;
      this.state.report = rep;
      this.state.total = rep.total;
      this.drawChoropleth(rep);
      this.drawUncovered(unc);
      this.status = { text: () => '', bad: false };
      this.state.loaded++;
    } catch (err) {
      this.status = { text: () => t('cov.failed', { msg: errorText(err) }), bad: true };
      this.deps.showError(t('cov.failed', { msg: errorText(err) }), err);
    } finally {
      if (seq === this.reportSeq) this.state.busy = false;
      this.render();
      this.deps.changed();
    }
  }

  private drawChoropleth(rep: CoverageReport): void {
    const byId = new Map(rep.grids.map((g) => [String(g.id), g]));
    const feats: Feature<Polygon | MultiPolygon, ChoroProps>[] = [];
    for (const l of this.deps.grids().getLayers()) {
      const f = (l as L.Layer & { feature?: Feature<Polygon | MultiPolygon, GridProps> }).feature;
      const g = f && byId.get(String(f.properties.id));
      if (f && g) feats.push({ type: 'Feature', geometry: f.geometry, properties: { cov: g } });
    }
    const wasOn = this.deps.map.hasLayer(this.choropleth) || this.state.loaded === 0;
    this.choropleth.clearLayers();
    this.choropleth.addData({ type: 'FeatureCollection', features: feats } as GeoJSON.FeatureCollection);
    this.state.choropleth = this.choropleth.getLayers().length;
    if (wasOn && !this.deps.map.hasLayer(this.choropleth)) this.choropleth.addTo(this.deps.map);
    this.restack();
  }

  private drawUncovered(fc: GeoJSON.FeatureCollection<LineString, Stretch>): void {
    this.uncovered.clearLayers();
    const list: Stretch[] = [];
    (fc.features ?? []).forEach((f, i) => {
      if (f.geometry?.type !== 'LineString') return;
      const s = f.properties;
      const rank = i + 1;
      const path = lls(f.geometry.coordinates);
      const halo = L.polyline(path, { renderer: this.deps.renderer, color: '#ffffff', weight: 9, opacity: 0.85, interactive: false, lineCap: 'round' });
      const line = L.polyline(path, { renderer: this.deps.renderer, color: UNCOVERED_COLOR, weight: 5.5, opacity: 0.95, lineCap: 'round' });
      (line as L.Polyline & { stretch?: Stretch }).stretch = s;
      line.bindTooltip(() => esc(`${t('cov.stretchN', { n: rank })} · ${s.name || t(ROAD_STYLE[roadClass(s.highway)].label)}`), { sticky: true, className: 'tw-tooltip' });
      line.bindPopup(() => this.stretchPopup(s, rank), { maxWidth: 320 });
      this.uncovered.addLayer(halo);
      this.uncovered.addLayer(line);
      list.push(s);
    });
    this.state.stretches = list;
    this.state.uncovered = list.length;
    if (!this.deps.map.hasLayer(this.uncovered)) this.uncovered.addTo(this.deps.map);
  }

  private stretchPopup(s: Stretch, rank: number): string {
    const grid = this.state.report?.grids.find((g) => g.id === s.grid_id);
    return table(`${t('cov.stretchN', { n: rank })} · ${s.name || t(ROAD_STYLE[roadClass(s.highway)].label)}`, [
      [t('prop.highway'), `${esc(t(ROAD_STYLE[roadClass(s.highway)].label))} <span class="tw-muted">(${esc(s.highway)})</span>`],
      [t('prop.length'), esc(t('unit.metre', { n: num(s.length_m) }))],
      [t('cov.nearIncidents'), `<b class="tw-bad">${esc(num(s.incident_weight, s.incident_weight % 1 ? 1 : 0))}</b>`],
      [t('cov.grid'), esc(grid?.name || String(s.grid_id))],
      [t('cov.along'), esc(t('cov.fromTo', { a: num(s.from_m), b: num(s.to_m) }))],
    ]);
  }

  async loadGaps(gridId: number): Promise<void> {
    try {
      const fc = await requestJSON<GeoJSON.FeatureCollection>(`/api/v1/coverage/gaps?grid=${gridId}`);
      this.gaps.clearLayers();
      this.gaps.addData(fc);
      this.state.gapsGrid = gridId;
      this.state.gaps = this.gaps.getLayers().length;
      if (!this.deps.map.hasLayer(this.gaps)) this.gaps.addTo(this.deps.map);
      this.restack();
      this.deps.changed();
    } catch (err) {
      this.deps.showError(t('cov.failed', { msg: errorText(err) }), err);
    }
  }

  // ---------- cameras: clusters below zoom 15, draggable markers and footprints above ----------

  private camIcon(c: Cam): L.DivIcon {
    return L.divIcon({
      className: 'tw-cam-icon',
      html: `<div class="tw-cam" style="background:${CAMERA_COLOR[c.kind] ?? CAMERA_COLOR.dome}"></div>`,
      iconSize: [14, 14],
      iconAnchor: [7, 7],
      popupAnchor: [0, -7],
    });
  }

  drawCameras(): void {
    const map = this.deps.map;
    this.camLayer.clearLayers();
    let clusters = 0;
    let markers = 0;
    if (!this.camsLoaded) return;
    const view = map.getBounds().pad(0.2);
    const zoom = map.getZoom();
    const inView = [...this.cams.values()].filter((c) => view.contains(ll(c.lon, c.lat)));
    if (zoom >= CLUSTER_ZOOM) {
      for (const c of inView) {
        const m = L.marker(ll(c.lon, c.lat), { icon: this.camIcon(c), draggable: can('plan'), keyboard: false, riseOnHover: true, autoPan: true });
        (m as L.Marker & { cam?: Cam }).cam = c;
        m.bindTooltip(() => esc(`${c.name || c.ref || c.id}${can('plan') ? ` · ${t('cov.dragHint')}` : ''}`), { direction: 'top', offset: [0, -7], className: 'tw-tooltip' });
        m.bindPopup(() => this.cameraPopup(c), { maxWidth: 300, minWidth: 220 });
        m.on('dragstart', () => m.closeTooltip());
        m.on('drag', () => this.previewMove(c, m.getLatLng()));
        m.on('dragend', () => void this.moveCamera(c, m.getLatLng()));
        this.camLayer.addLayer(m);
        markers++;
      }
    } else {
      // Grid-based clustering in screen space: one bubble per CLUSTER_PX cell.
      const cells = new Map<string, Cam[]>();
      for (const c of inView) {
        const p = map.project(ll(c.lon, c.lat), zoom);
        const key = `${Math.floor(p.x / CLUSTER_PX)}:${Math.floor(p.y / CLUSTER_PX)}`;
        const list = cells.get(key);
        if (list) list.push(c);
        else cells.set(key, [c]);
      }
      for (const list of cells.values()) {
        const lat = list.reduce((a, c) => a + c.lat, 0) / list.length;
        const lon = list.reduce((a, c) => a + c.lon, 0) / list.length;
        if (list.length === 1) {
          const c = list[0];
          const dot = L.circleMarker(ll(lon, lat), { renderer: this.deps.renderer, radius: 4.5, color: '#ffffff', weight: 1.2, fillColor: CAMERA_COLOR[c.kind] ?? CAMERA_COLOR.dome, fillOpacity: 1 });
          dot.bindTooltip(esc(c.name || c.ref || String(c.id)), { direction: 'top', className: 'tw-tooltip' });
          dot.on('click', () => map.setView(ll(lon, lat), CLUSTER_ZOOM + 1));
          this.camLayer.addLayer(dot);
          markers++;
          continue;
        }
        const n = list.length;
        const size = n >= 100 ? 40 : n >= 20 ? 34 : 28;
        const m = L.marker(ll(lon, lat), {
          icon: L.divIcon({ className: 'tw-cluster-icon', html: `<div class="tw-cluster" style="width:${size}px;height:${size}px">${n}</div>`, iconSize: [size, size], iconAnchor: [size / 2, size / 2] }),
          keyboard: false,
        });
        (m as L.Marker & { count?: number }).count = n;
        m.bindTooltip(esc(t('cov.clusterTip', { n: num(n) })), { direction: 'top', offset: [0, -size / 2], className: 'tw-tooltip' });
        m.on('click', () => {
          const b = L.latLngBounds(list.map((c) => ll(c.lon, c.lat)));
          map.fitBounds(b.pad(0.3), { maxZoom: Math.max(zoom + 2, CLUSTER_ZOOM), animate: false });
        });
        this.camLayer.addLayer(m);
        clusters++;
      }
    }
    this.state.clusters = clusters;
    this.state.markers = markers;
  }

  private async loadFootprints(): Promise<void> {
    const map = this.deps.map;
    if (!this.active || map.getZoom() < CLUSTER_ZOOM) {
      this.footprints.clearLayers();
      this.state.footprints = 0;
      return;
    }
    this.fpAbort?.abort();
    const ctrl = new AbortController();
    this.fpAbort = ctrl;
    const [bw, bs, be, bn] = boundsWGS(map.getBounds().pad(0.2));
    try {
      const fc = await requestJSON<GeoJSON.FeatureCollection>(`/api/v1/coverage/footprints?bbox=${bboxParam(bw, bs, be, bn)}`, { signal: ctrl.signal });
      if (ctrl.signal.aborted) return;
      this.footprints.clearLayers();
      this.footprints.addData(fc);
      this.state.footprints = this.footprints.getLayers().length;
      this.state.footprintFetches++;
      this.restack();
    } catch (err) {
      if (ctrl.signal.aborted) return;
      this.deps.showError(t('cov.failed', { msg: errorText(err) }), err);
    }
  }

  /** While dragging: the camera's plain view sector stands in for its footprint. */
  private previewMove(c: Cam, at: L.LatLng): void {
    for (const l of this.footprints.getLayers()) {
      const f = (l as L.Layer & { feature?: Feature }).feature;
      if (f && Number(f.properties?.id) === c.id) this.footprints.removeLayer(l);
    }
    const [lon, lat] = wgs(at); // the footprints layer shifts it back to the map
    const ring = sectorRing(lon, lat, c.direction_deg, c.fov_deg >= 360 || c.kind !== 'fixed' ? 360 : c.fov_deg, c.range_m);
    const feat: Feature<Polygon> = { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { id: c.id, preview: true } };
    this.footprints.addData(feat as GeoJSON.GeoJsonObject);
  }

  private cameraPopup(c: Cam): string {
    return (
      `<div class="tw-popup tw-cam-popup" data-id="${c.id}">` +
      table(c.name || c.ref || String(c.id), [
        [t('prop.kind'), esc(kindLabel(c.kind))],
        [t('prop.direction'), esc(t('unit.degree', { n: num(c.direction_deg ?? 0) }))],
        [t('prop.fov'), esc(t('unit.degree', { n: num(c.fov_deg ?? 0) }))],
        [t('prop.range'), esc(t('unit.metre', { n: num(c.range_m ?? 0) }))],
        [t('siting.position'), esc(`${c.lat.toFixed(5)}, ${c.lon.toFixed(5)}`)],
      ]) +
      `<div class="tw-muted tw-popup-hint">${esc(t('cov.dragHint'))}</div>` +
      `<div class="tw-popup-actions"><button class="tw-btn tw-btn-danger tw-cam-delete" type="button">${esc(t('cov.delete'))}</button><span class="tw-cam-status tw-muted" role="status"></span></div></div>`
    );
  }

  private wireCamera(e: L.PopupEvent): void {
    const el = e.popup.getElement();
    const marker = (e as L.PopupEvent & { layer?: L.Marker }).layer;
    const c = (marker as (L.Marker & { cam?: Cam }) | undefined)?.cam;
    if (!el || !c) return;
    const btn = el.querySelector<HTMLButtonElement>('.tw-cam-delete');
    const st = el.querySelector<HTMLElement>('.tw-cam-status');
    btn?.addEventListener('click', () => void this.deleteCamera(c, btn, st));
  }

  private body(c: Cam): Record<string, unknown> {
    return { name: c.name, ref: c.ref, lon: c.lon, lat: c.lat, kind: c.kind, direction_deg: c.direction_deg, fov_deg: c.fov_deg, range_m: c.range_m };
  }

  /** Shows the edit's new totals at once; the per-grid report and footprints follow. */
  private applyTotal(kind: 'move' | 'delete' | 'add', id: number, total: GridCoverage): void {
    const before = this.state.total ? streetShare(this.state.total) : streetShare(total);
    const hours = this.state.hours;
    // The edit's totals weigh every incident; with an hour window the refresh below brings the window's.
    this.state.total = hours && this.state.total ? { ...total, incident_weight: this.state.total.incident_weight, covered_incident_weight: this.state.total.covered_incident_weight } : total;
    this.state.lastEdit = { kind, id, before, after: streetShare(total) };
    this.state.edits++;
    this.render();
    this.deps.changed();
    void this.load();
    void this.loadFootprints();
    this.deps.camerasChanged();
  }

  async moveCamera(c: Cam, at: L.LatLng): Promise<void> {
    const [lon, lat] = wgs(at); // the marker sits in the basemap's system; the API takes WGS84
    const moved: Cam = { ...c, lon: Number(lon.toFixed(7)), lat: Number(lat.toFixed(7)) };
    this.cams.set(c.id, moved);
    try {
      const res = await requestJSON<CameraSaved>(`/api/v1/cameras/${c.id}`, { method: 'PUT', headers: ifMatch(c.version), body: JSON.stringify(this.body(moved)) });
      this.cams.set(c.id, { ...moved, lon: res.lon, lat: res.lat, direction_deg: res.direction_deg, fov_deg: res.fov_deg, range_m: res.range_m, version: res.version ?? moved.version });
      this.drawCameras();
      this.applyTotal('move', c.id, res.total);
    } catch (err) {
      this.cams.set(c.id, c);
      this.drawCameras();
      void this.loadFootprints();
      if (isConflict(err)) this.conflict(err);
      else this.deps.showError(t('cov.editFailed', { msg: errorText(err) }), err);
    }
  }

  private async deleteCamera(c: Cam, btn: HTMLButtonElement, st: HTMLElement | null): Promise<void> {
    btn.disabled = true;
    if (st) st.textContent = t('siting.saving');
    try {
      const res = await requestJSON<{ id: number; deleted: boolean; total: GridCoverage }>(`/api/v1/cameras/${c.id}`, { method: 'DELETE', headers: ifMatch(c.version) });
      this.deps.map.closePopup();
      this.cams.delete(c.id);
      this.state.cameras = this.cams.size;
      this.drawCameras();
      this.applyTotal('delete', c.id, res.total);
    } catch (err) {
      btn.disabled = false;
      if (isConflict(err)) {
        if (st) st.textContent = t('edit.conflict');
        this.conflict(err);
        return;
      }
      if (st) st.textContent = t('cov.editFailed', { msg: errorText(err) });
      this.deps.showError(t('cov.editFailed', { msg: errorText(err) }), err);
    }
  }

  /** Someone else changed the camera (412/409): say so and reload the cameras, the report and the map's layers. */
  private conflict(err: unknown): void {
    this.state.conflicts++;
    this.deps.showError(t('edit.conflict'), err);
    void this.loadCameras();
    void this.load();
    this.deps.camerasChanged();
  }

  // ---------- siting (补盲) ----------

  async propose(): Promise<void> {
    const count = Number(this.form.count);
    const spacing = Number(this.form.spacing);
    if (!(Number.isInteger(count) && count >= 1 && count <= 50) || !(Number.isFinite(spacing) && spacing >= 0 && spacing <= 2000)) {
      this.sitingStatus = { text: () => t('camsite.badInput'), bad: true };
      this.render();
      return;
    }
    const hours = this.state.hours ? this.state.hours.split(',').map(Number) : [];
    await runSiting(this.sitingHost(), '/api/v1/siting/cameras', { count, min_spacing_m: spacing, hours }, {
      working: 'camsite.working',
      hint: 'camsite.hint',
      none: 'camsite.none',
      failed: 'camsite.failed',
    });
  }

  private sitingHost(): SitingHost<CameraSiting> {
    return {
      state: this.state,
      setStatus: (st) => (this.sitingStatus = st),
      render: () => this.render(),
      draw: (res) => this.drawProposals(res),
      showError: (m, e) => this.deps.showError(m, e),
      changed: () => this.deps.changed(),
    };
  }

  private drawProposals(res: CameraSiting): void {
    this.proposals.clearLayers();
    for (const p of res.proposals ?? []) {
      const fov = p.kind === 'fixed' ? p.fov_deg : 360;
      const ring = sectorRing(p.lon, p.lat, p.direction_deg, fov, p.range_m);
      const wedge = L.polygon(lls(ring), {
        renderer: this.deps.renderer,
        color: PROPOSAL_COLOR,
        weight: 1.5,
        dashArray: '4 3',
        fillColor: PROPOSAL_COLOR,
        fillOpacity: 0.25,
        interactive: false,
      });
      const m = L.marker(ll(p.lon, p.lat), {
        icon: L.divIcon({ className: 'tw-proposal-icon', html: `<div class="tw-proposal tw-camprop">${p.rank}</div>`, iconSize: [24, 24], iconAnchor: [12, 12], popupAnchor: [0, -12] }),
        keyboard: false,
        riseOnHover: true,
        zIndexOffset: 600,
      });
      (m as L.Marker & { proposal?: CameraProposal; wedge?: L.Polygon }).proposal = p;
      (m as L.Marker & { wedge?: L.Polygon }).wedge = wedge;
      m.bindTooltip(() => esc(`${t('camsite.proposalN', { n: p.rank })} · ${this.gainText(p)}`), { direction: 'top', offset: [0, -12], className: 'tw-tooltip' });
      m.bindPopup(() => this.proposalPopup(p), { maxWidth: 300, minWidth: 230 });
      this.proposals.addLayer(wedge);
      this.proposals.addLayer(m);
    }
    this.state.proposals = (res.proposals ?? []).length;
    if (!this.deps.map.hasLayer(this.proposals)) this.proposals.addTo(this.deps.map);
  }

  /** "+x m (+y %)": plain street metres the camera newly sees, and the share of all street. */
  gainText(p: CameraProposal): string {
    const roadM = this.state.siting?.total_road_m || this.state.total?.road_m || 0;
    return t('camsite.gain', { m: num(p.gain_road_m), p: num(share(p.gain_road_m, roadM) * 100, 2) });
  }

  private proposalPopup(p: CameraProposal): string {
    return (
      `<div class="tw-popup tw-proposal-popup" data-rank="${p.rank}"><h3>${esc(t('camsite.proposalN', { n: p.rank }))}</h3>` +
      `<div class="tw-gain">${esc(this.gainText(p))}</div>` +
      `<table><tr><th>${esc(t('prop.kind'))}</th><td>${esc(kindLabel(p.kind))}</td></tr>` +
      (p.kind === 'fixed' ? `<tr><th>${esc(t('prop.direction'))}</th><td>${esc(t('unit.degree', { n: num(p.direction_deg) }))}</td></tr><tr><th>${esc(t('prop.fov'))}</th><td>${esc(t('unit.degree', { n: num(p.fov_deg) }))}</td></tr>` : '') +
      `<tr><th>${esc(t('prop.range'))}</th><td>${esc(t('unit.metre', { n: num(p.range_m) }))}</td></tr>` +
      `<tr><th>${esc(t('camsite.weightedAfter'))}</th><td>${esc(pct(p.share_after))}</td></tr>` +
      `<tr><th>${esc(t('siting.position'))}</th><td>${esc(`${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`)}</td></tr></table>` +
      `<label class="tw-popup-field">${esc(t('siting.name'))}<input class="tw-accept-name" type="text" maxlength="60" value="${esc(t('camsite.defaultName', { n: p.rank }))}"></label>` +
      `<div class="tw-popup-actions"><button class="tw-btn tw-btn-primary tw-accept" type="button">${esc(t('siting.accept'))}</button><span class="tw-accept-status tw-muted" role="status"></span></div></div>`
    );
  }

  private wireProposal(e: L.PopupEvent): void {
    const el = e.popup.getElement();
    const marker = (e as L.PopupEvent & { layer?: L.Marker }).layer;
    const p = (marker as (L.Marker & { proposal?: CameraProposal }) | undefined)?.proposal;
    if (!el || !p || !marker) return;
    const btn = el.querySelector<HTMLButtonElement>('.tw-accept');
    const name = el.querySelector<HTMLInputElement>('.tw-accept-name');
    const st = el.querySelector<HTMLElement>('.tw-accept-status');
    btn?.addEventListener('click', () => void this.accept(p, marker, name?.value ?? '', btn, st));
  }

  private async accept(p: CameraProposal, marker: L.Marker, name: string, btn: HTMLButtonElement, st: HTMLElement | null): Promise<void> {
    btn.disabled = true;
    if (st) st.textContent = t('siting.saving');
    const cam = p.camera ?? { lon: p.lon, lat: p.lat, kind: p.kind, direction_deg: p.direction_deg, fov_deg: p.fov_deg, range_m: p.range_m };
    try {
      const res = await requestJSON<CameraSaved>('/api/v1/cameras', {
        method: 'POST',
        body: JSON.stringify({ ...cam, name: name.trim() || t('camsite.defaultName', { n: p.rank }) }),
      });
      this.deps.map.closePopup();
      const wedge = (marker as L.Marker & { wedge?: L.Polygon }).wedge;
      if (wedge) this.proposals.removeLayer(wedge);
      this.proposals.removeLayer(marker);
      this.state.proposals = Math.max(0, this.state.proposals - 1);
      this.cams.set(res.id, { id: res.id, name: res.name, ref: '', kind: res.kind as Cam['kind'], direction_deg: res.direction_deg, fov_deg: res.fov_deg, range_m: res.range_m, lon: res.lon, lat: res.lat, source: 'proposal', version: res.version });
      this.state.cameras = this.cams.size;
      this.state.accepted.push({ id: res.id, name: res.name });
      this.sitingStatus = { text: () => t('siting.accepted', { name: res.name }), bad: false };
      this.drawCameras();
      this.applyTotal('add', res.id, res.total);
    } catch (err) {
      btn.disabled = false;
      if (st) st.textContent = t('camsite.failed', { msg: errorText(err) });
      this.deps.showError(t('camsite.failed', { msg: errorText(err) }), err);
    }
  }

  // ---------- panel ----------

  render(): void {
    const box = this.box;
    const s = this.state;
    const tot = s.total;
    const parts: string[] = [];
    parts.push(`<summary><span class="tw-resp-title">${esc(t('cov.title'))}</span><span class="tw-resp-sub">${esc(t('cov.subtitle'))}</span></summary>`);
    parts.push('<div class="tw-resp-body">');
    const opts = HOUR_PRESETS.map(([v, k]) => `<option value="${v}"${v === s.hours ? ' selected' : ''}>${esc(t(k))}</option>`).join('');
    parts.push(`<div class="tw-field tw-row"><label class="tw-label" for="cov-hours">${esc(t('cov.hours'))}</label><select id="cov-hours">${opts}</select></div>`);
    parts.push(`<div id="cov-status" class="tw-status${this.status.bad ? ' tw-bad' : ''}" role="status">${esc(this.status.text())}</div>`);
    if (tot) {
      const kpi = (id: string, k: Key, a: number, b: number, sub: string) =>
        `<div class="tw-kpi tw-kpi-cov" id="${id}"><b style="color:${coverColor(share(a, b))}">${esc(pct(share(a, b)))}</b><span>${esc(t(k))}</span><span class="tw-kpi-sub">${esc(sub)}</span></div>`;
      parts.push('<div class="tw-kpis tw-kpis-3">');
      parts.push(kpi('cov-street', 'cov.street', tot.covered_road_m, tot.road_m, t('cov.ofKm', { a: num(tot.covered_road_m / 1000, 1), b: num(tot.road_m / 1000, 1) })));
      parts.push(kpi('cov-area', 'cov.area', tot.covered_area_m2, tot.area_m2, t('cov.ofSqKm', { a: num(tot.covered_area_m2 / 1e6, 2), b: num(tot.area_m2 / 1e6, 1) })));
      parts.push(kpi('cov-incidents', 'cov.incidents', tot.covered_incident_weight, tot.incident_weight, t('cov.ofN', { a: num(tot.covered_incident_weight), b: num(tot.incident_weight) })));
      parts.push('</div>');
      parts.push(`<div class="tw-resp-caption" id="cov-cameras">${esc(t('cov.camerasTotal', { n: num(tot.cameras) }))}${s.hours ? ` · ${esc(t('cov.incidentsIn', { h: t(HOUR_PRESETS.find(([v]) => v === s.hours)?.[1] ?? 'cov.hoursAll') }))}` : ''}</div>`);
      const e = s.lastEdit;
      if (e) {
        const d = e.after - e.before;
        const what = t(e.kind === 'move' ? 'cov.editMove' : e.kind === 'delete' ? 'cov.editDelete' : 'cov.editAdd', { id: e.id });
        parts.push(`<div id="cov-delta" class="tw-note${d < -1e-12 ? ' tw-note-warn' : ''}">${esc(what)}: ${esc(t('cov.street'))} <b class="${d < -1e-12 ? 'tw-bad' : 'tw-good'}">${esc(signedPct(d))}</b> → ${esc(pct(e.after, 2))}</div>`);
      }
      const on = this.deps.map.hasLayer(this.choropleth);
      parts.push(`<div class="tw-field tw-row"><label class="tw-check"><input id="cov-grid-on" type="checkbox"${on ? ' checked' : ''}> ${esc(t('cov.gridToggle'))}</label><span class="tw-muted">${esc(t('cov.clickGrid'))}</span></div>`);
      if (s.stretches.length > 0) {
        const rows = s.stretches
          .slice(0, 5)
          .map((st, i) => `<tr data-rank="${i + 1}" class="tw-click"><td><span class="tw-rank">${i + 1}</span>${esc(st.name || t(ROAD_STYLE[roadClass(st.highway)].label))}</td><td>${esc(num(st.length_m))}</td><td>${esc(num(st.incident_weight, st.incident_weight % 1 ? 1 : 0))}</td></tr>`)
          .join('');
        parts.push(
          `<div class="tw-resp-caption">${esc(t('cov.uncoveredTitle', { n: num(s.uncovered) }))}</div>` +
            `<table id="cov-uncovered" class="tw-table tw-table-3"><tr><th>${esc(t('cov.colStreet'))}</th><th>${esc(t('cov.colLength'))}</th><th>${esc(t('cov.colWeight'))}</th></tr>${rows}</table>`,
        );
      }
      parts.push(`<div class="tw-muted tw-hint">${esc(t('cov.editHint'))}</div>`);
    }
    parts.push(this.sitingHtml());
    parts.push('</div>');
    box.innerHTML = parts.join('');
    this.wire();
  }

  private sitingHtml(): string {
    const s = this.state.siting;
    const out: string[] = [];
    out.push(`<details id="cov-siting" class="tw-subpanel"${this.sitingOpen ? ' open' : ''}><summary>${esc(t('camsite.title'))}</summary>`);
    out.push(
      `<div class="tw-field tw-row"><label class="tw-label" for="camsite-count">${esc(t('camsite.count'))}</label><span><input id="camsite-count" class="tw-num" type="number" min="1" max="50" step="1" value="${esc(this.form.count)}"> <span class="tw-unit">${esc(t('camsite.countUnit'))}</span></span></div>`,
    );
    out.push(
      `<div class="tw-field tw-row"><label class="tw-label" for="camsite-spacing">${esc(t('camsite.spacing'))}</label><span><input id="camsite-spacing" class="tw-num" type="number" min="0" max="2000" step="10" value="${esc(this.form.spacing)}"> <span class="tw-unit">${esc(t('camsite.metres'))}</span></span></div>`,
    );
    const h = t(HOUR_PRESETS.find(([v]) => v === this.state.hours)?.[1] ?? 'cov.hoursAll');
    out.push(
      `<div class="tw-field tw-row"><span class="tw-muted">${esc(t('camsite.hoursNote', { h }))}</span><button id="camsite-propose" class="tw-btn tw-btn-primary" type="button"${this.state.busy ? ' disabled' : ''}>${esc(t('siting.propose'))}</button></div>`,
    );
    out.push(`<div id="camsite-status" class="tw-status${this.sitingStatus.bad ? ' tw-bad' : ''}" role="status">${esc(this.sitingStatus.text())}</div>`);
    if (s) {
      const before = share(s.covered_before, s.total_weight);
      const after = share(s.covered_after, s.total_weight);
      const road = s.total_road_m && s.covered_road_after_m != null ? `<div class="tw-muted">${esc(t('camsite.roadNote', { a: pct(share(s.covered_road_before_m ?? 0, s.total_road_m)), b: pct(share(s.covered_road_after_m, s.total_road_m)) }))}</div>` : '';
      out.push(
        `<div id="camsite-summary" class="tw-siting-summary"><div class="tw-cover"><span>${esc(pct(before))}</span><span class="tw-arrow">→</span><b>${esc(pct(after))}</b></div>` +
          `<div class="tw-muted">${esc(t('camsite.coverNote', { n: num(s.proposals?.length ?? 0) }))}</div>${road}` +
          `<div class="tw-muted">${esc(t('siting.gap', { n: num(s.gap * 100, 1) }))} · ${esc(t('camsite.candidates', { n: num(s.candidates) }))}</div></div>`,
      );
      if (this.state.accepted.length > 0) {
        out.push(`<div class="tw-note">${esc(t('siting.acceptedList', { names: this.state.accepted.map((a) => a.name).join(getLang() === 'en' ? ', ' : '、') }))}</div>`);
      }
    }
    out.push('</details>');
    return out.join('');
  }

  private wire(): void {
    const box = this.box;
    const q = <T extends HTMLElement>(sel: string) => box.querySelector(sel) as T | null;
    q<HTMLSelectElement>('#cov-hours')?.addEventListener('change', (e) => {
      this.state.hours = (e.target as HTMLSelectElement).value;
      void this.load();
    });
    q<HTMLInputElement>('#cov-grid-on')?.addEventListener('change', (e) => {
      if ((e.target as HTMLInputElement).checked) this.choropleth.addTo(this.deps.map);
      else this.choropleth.remove();
      this.restack();
      this.deps.changed();
    });
    box.querySelectorAll<HTMLTableRowElement>('#cov-uncovered tr[data-rank]').forEach((tr) =>
      tr.addEventListener('click', () => {
        const rank = Number(tr.dataset.rank);
        const line = this.uncovered.getLayers().filter((l) => (l as L.Polyline & { stretch?: Stretch }).stretch)[rank - 1] as L.Polyline | undefined;
        if (!line) return;
        this.deps.map.fitBounds(line.getBounds().pad(0.8), { maxZoom: 17, animate: false });
        line.openPopup(line.getCenter());
      }),
    );
    const siting = q<HTMLDetailsElement>('#cov-siting');
    siting?.addEventListener('toggle', () => {
      this.sitingOpen = siting.open;
      this.deps.fit();
    });
    q<HTMLInputElement>('#camsite-count')?.addEventListener('input', (e) => (this.form.count = (e.target as HTMLInputElement).value));
    q<HTMLInputElement>('#camsite-spacing')?.addEventListener('input', (e) => (this.form.spacing = (e.target as HTMLInputElement).value));
    q('#camsite-propose')?.addEventListener('click', () => void this.propose());
  }

  // ---------- legend ----------

  legendHtml(row: (sym: string, label: string) => string): string {
    const map = this.deps.map;
    const parts: string[] = [];
    const rect = (c: string, o: number, stroke = '#ffffff', dash = '') =>
      `<svg width="28" height="16" aria-hidden="true"><rect x="3" y="2" width="22" height="12" fill="${c}" fill-opacity="${o}" stroke="${stroke}" stroke-width="1.2"${dash ? ` stroke-dasharray="${dash}"` : ''}/></svg>`;
    if (map.hasLayer(this.choropleth) && this.state.choropleth > 0) {
      parts.push(`<h4>${esc(t('legend.covGrid'))}</h4><div class="tw-legend-grid">`);
      COVER_CLASSES.forEach((k, i) => {
        const hi = i + 1 < COVER_CLASSES.length ? COVER_CLASSES[i + 1].min : 1;
        parts.push(row(rect(k.color, 0.6), esc(t('legend.shareRange', { a: num(k.min * 100), b: num(hi * 100) }))));
      });
      parts.push(row(rect(NO_ROAD_COLOR, 0.5), esc(t('resp.noRoad'))), '</div>');
    }
    if (this.active) {
      if (this.state.footprints > 0) parts.push(row(rect(FOOTPRINT_COLOR, 0.3, FOOTPRINT_COLOR), esc(t('legend.footprint'))));
      if (this.state.clusters > 0) parts.push(row('<span class="tw-cluster tw-cluster-small">9</span>', esc(t('legend.cluster'))));
      if (this.state.markers > 0 && map.getZoom() >= CLUSTER_ZOOM) parts.push(row(`<span class="tw-cam" style="background:${CAMERA_COLOR.fixed}"></span>`, esc(t('legend.camDrag'))));
    }
    if (map.hasLayer(this.gaps) && this.state.gaps > 0) parts.push(row(rect(GAP_COLOR, 0.3, GAP_COLOR, '3 2'), esc(t('legend.gaps'))));
    if (map.hasLayer(this.uncovered) && this.state.uncovered > 0) {
      parts.push(row(`<svg width="28" height="12" aria-hidden="true"><line x1="3" y1="6" x2="25" y2="6" stroke="${UNCOVERED_COLOR}" stroke-width="5" stroke-linecap="round"/></svg>`, esc(t('legend.uncovered'))));
    }
    if (map.hasLayer(this.proposals) && this.state.proposals > 0) parts.push(row('<span class="tw-proposal tw-proposal-small tw-camprop">1</span>', esc(t('legend.camProposal'))));
    return parts.join('');
  }
}
