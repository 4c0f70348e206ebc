// Tidewatch web map: fetches the workspace meta, draws the road network as the
// base and the grids, cameras, kiosks, incidents and key sites over it.
// Served from the Go binary; nothing is loaded from any other host.
import * as L from 'leaflet';
import { basemapCRS, fromMap, setMapCRS, toMap, type BasemapCRS } from './crs';
import { BaiduTileLayer, baiduCRS, basemapOptions, boundsToMap, boundsWGS, ll } from './crsmap';
import { bboxParam } from './geometry';
import { getLang, initLang, num, setLang, t, type Key } from './i18n';
import {
  CAMERA_CLUSTER_COLOR,
  CAMERA_COLOR,
  GRID_COLOR,
  INCIDENT_COLOR,
  KIOSK_COLOR,
  ROAD_STYLE,
  SITE_COLOR,
  clusterSwatch,
  createLayers,
  esc,
  fillCameras,
  fillGeoJSON,
  restyleRoads,
  type DataLayers,
  type RoadClass,
  type SiteCategory,
} from './layers';
import { CoverageView, type CoverageState } from './coverage';
import { PatrolView, type PlanState } from './patrol';
import { ResponseView, type ResponseState } from './response';
import { ScenarioView, type ScenarioState } from './scenario';
import { LAYER_NAMES, type LayerName, type Meta } from './types';
import { apiFetch } from './api';
import { boot } from './login';
import { ImportDialog, type ImportState } from './import';

/** What the browser tests read: how many features each layer drew, and state. */
interface TidewatchState {
  ready: boolean;
  lang: string;
  meta: Meta | null;
  layerCounts: Record<LayerName, number>;
  roadFetches: number;
  errors: string[];
  map: L.Map | null;
  layers: DataLayers | null;
  /** The response rings view (快反圈): counts drawn, last report, proposals. */
  response: ResponseState | null;
  responseView: ResponseView | null;
  /** The camera coverage view (天网覆盖 / 补盲). */
  coverage: CoverageState | null;
  coverageView: CoverageView | null;
  /** The tidal patrol plan view (守点巡线). */
  plan: PlanState | null;
  planView: PatrolView | null;
  /** The what-if scenarios view (方案对比). */
  scenario: ScenarioState | null;
  scenarioView: ScenarioView | null;
  /** The import dialog (导入, admins). */
  importer: ImportState | null;
  /** The system the map draws in (meta.basemap.crs), and its conversions: WGS84 [lon,lat] → [lat,lng] and back. */
  crs: BasemapCRS;
  toMap: typeof toMap;
  fromMap: typeof fromMap;
}

const state: TidewatchState = {
  ready: false,
  lang: initLang(),
  meta: null,
  layerCounts: { roads: 0, grids: 0, cameras: 0, kiosks: 0, incidents: 0, sites: 0 },
  roadFetches: 0,
  errors: [],
  map: null,
  layers: null,
  response: null,
  responseView: null,
  coverage: null,
  coverageView: null,
  plan: null,
  planView: null,
  scenario: null,
  scenarioView: null,
  importer: null,
  crs: 'wgs84',
  toMap,
  fromMap,
};
(window as unknown as { __tidewatch: TidewatchState }).__tidewatch = state;

const LAYER_KEYS: Record<LayerName, Key> = {
  roads: 'layer.roads',
  grids: 'layer.grids',
  cameras: 'layer.cameras',
  kiosks: 'layer.kiosks',
  incidents: 'layer.incidents',
  sites: 'layer.sites',
};

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id} in index.html`);
  return el;
}

// ---------- error banner ----------

function showError(message: string, err?: unknown): void {
  console.error(message, err ?? '');
  state.errors.push(message);
  const banner = $('banner');
  const item = document.createElement('div');
  item.className = 'tw-banner-item';
  item.textContent = message;
  banner.appendChild(item);
  banner.hidden = false;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function getJSON<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await apiFetch(url, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.text().catch(() => '')).trim().slice(0, 200);
    throw new Error(`HTTP ${res.status}${body ? `: ${body}` : ''}`);
  }
  return (await res.json()) as T;
}

// ---------- header, legend, layer control ----------

function syntheticLayers(meta: Meta | null): LayerName[] {
  return (meta?.synthetic ?? []).filter((n): n is LayerName => (LAYER_NAMES as readonly string[]).includes(n));
}

function renderHeader(): void {
  const meta = state.meta;
  document.documentElement.lang = getLang();
  document.title = meta?.name ? `${t('app.title')} · ${meta.name}` : t('app.title');
  $('title').textContent = t('app.title');
  $('workspace').textContent = meta?.name ?? t('app.loading');
  const sw = $('lang-switch');
  sw.textContent = t('app.switchTo');
  sw.title = t('app.switchTitle');
  $('banner-close').setAttribute('aria-label', t('error.dismiss'));
  $('banner-close').title = t('error.dismiss');

  const counts = $('counts');
  counts.textContent = '';
  if (meta) {
    const c = meta.counts;
    const parts = [
      t('count.roadKm', { n: num(c.road_km ?? 0, 1) }),
      t('count.grids', { n: num(c.grids ?? 0) }),
      t('count.cameras', { n: num(c.cameras ?? 0) }),
      t('count.kiosks', { n: num(c.kiosks ?? 0) }),
      t('count.incidents', { n: num(c.incidents ?? 0) }),
      t('count.sites', { n: num(c.sites ?? 0) }),
    ];
    counts.textContent = parts.join(' · ');
    counts.title = `${t('app.counts')}: ${parts.join(' · ')}`; // the full text when the bar truncates it
  }

  const badge = $('synthetic');
  const syn = syntheticLayers(meta);
  badge.hidden = syn.length === 0;
  badge.textContent = t('synthetic.layers', { layers: syn.map((n) => t(LAYER_KEYS[n])).join(getLang() === 'en' ? ', ' : '、') });
  badge.title = t('synthetic.title');
  renderExports();
}

/** The header's print-report link (GET /report, new tab) and layer export menu (GET /api/v1/export/{layer}.{ext}). */
function renderExports(): void {
  const report = $('print-report');
  report.textContent = t('export.report');
  report.title = t('export.reportTitle');
  $('export-label').textContent = t('export.menu');
  $('export-menu').title = t('export.menuTitle');
  const all = ['geojson', 'csv', 'kml'];
  const rows: [string, string, string[]][] = [
    ...LAYER_NAMES.map((n): [string, string, string[]] => [n, t(LAYER_KEYS[n]), all]),
    ['rings', t('export.rings'), all],
    ['footprints', t('export.footprints'), all],
    ['units', t('export.units'), ['csv']],
  ];
  $('export-list').innerHTML =
    rows
      .map(([id, label, exts]) => `<div class="tw-export-row" data-layer="${id}"><span>${esc(label)}</span>${exts.map((e) => `<a href="/api/v1/export/${id}.${e}" download>${e === 'geojson' ? 'GeoJSON' : e.toUpperCase()}</a>`).join('')}</div>`)
      .join('') + `<div class="tw-export-note">${esc(t('export.csvNote'))}</div>`;
}

function swatchLine(color: string, weight: number, dash?: string): string {
  const d = dash ? ` stroke-dasharray="${dash}"` : '';
  return `<svg width="28" height="12" aria-hidden="true"><line x1="2" y1="6" x2="26" y2="6" stroke="${color}" stroke-width="${Math.min(weight, 5)}" stroke-linecap="round"${d}/></svg>`;
}

function swatchDot(color: string, r: number, stroke = '#fff'): string {
  return `<svg width="28" height="16" aria-hidden="true"><circle cx="14" cy="8" r="${r}" fill="${color}" stroke="${stroke}" stroke-width="1.2"/></svg>`;
}

function legendHtml(): string {
  const row = (sym: string, label: string) => `<div class="tw-legend-row"><span class="tw-sym">${sym}</span><span>${label}</span></div>`;
  const resp = [state.responseView?.legendHtml(row), state.coverageView?.legendHtml(row), state.planView?.legendHtml(row), state.scenarioView?.legendHtml(row)].filter(Boolean).join('');
  return (resp ? `<div class="tw-legend-resp">${resp}</div>` : '') + baseLegendHtml();
}

function baseLegendHtml(): string {
  const syn = new Set(syntheticLayers(state.meta));
  const tag = (n: LayerName) => (syn.has(n) ? ` <span class="tw-synthetic-tag">${esc(t('synthetic.tag'))}</span>` : '');
  const row = (sym: string, label: string) => `<div class="tw-legend-row"><span class="tw-sym">${sym}</span><span>${label}</span></div>`;
  const roadClasses: RoadClass[] = ['major', 'primary', 'secondary', 'minor', 'service', 'foot'];
  const siteCats: SiteCategory[] = ['school', 'hospital', 'bank', 'transport', 'market', 'government', 'other'];
  const parts: string[] = [];
  parts.push(`<h4>${esc(t('legend.roads'))}${tag('roads')}</h4>`);
  for (const c of roadClasses) {
    const s = ROAD_STYLE[c];
    parts.push(row(swatchLine(s.color, s.weight, s.dash), esc(t(s.label))));
  }
  parts.push(`<h4>${esc(t('layer.grids'))}${tag('grids')}</h4>`);
  parts.push(
    row(
      `<svg width="28" height="16" aria-hidden="true"><rect x="3" y="2" width="22" height="12" fill="${GRID_COLOR}" fill-opacity="0.1" stroke="${GRID_COLOR}" stroke-width="1.5"/></svg>`,
      esc(t('legend.grid')),
    ),
  );
  parts.push(`<h4>${esc(t('legend.cameras'))}${tag('cameras')}</h4>`);
  for (const k of ['fixed', 'dome', 'ptz'] as const) parts.push(row(swatchDot(CAMERA_COLOR[k], 4.5), esc(t(`kind.${k}`))));
  parts.push(
    row(
      `<svg width="28" height="16" aria-hidden="true"><path d="M4 13 L24 3 A16 16 0 0 1 24 15 Z" fill="${CAMERA_COLOR.fixed}" fill-opacity="0.18" stroke="${CAMERA_COLOR.fixed}" stroke-width="0.8"/></svg>`,
      esc(t('legend.cameraView')),
    ),
  );
  parts.push(row(clusterSwatch(CAMERA_CLUSTER_COLOR), esc(t('legend.cluster'))));
  parts.push(`<h4>${esc(t('layer.kiosks'))}${tag('kiosks')}</h4>`);
  parts.push(row(`<span class="tw-kiosk tw-kiosk-small" style="background:${KIOSK_COLOR}">警</span>`, esc(t('legend.kiosk'))));
  parts.push(`<h4>${esc(t('layer.incidents'))}${tag('incidents')}</h4>`);
  parts.push(
    row(
      `<svg width="28" height="16" aria-hidden="true"><circle cx="7" cy="8" r="3" fill="${INCIDENT_COLOR}" fill-opacity="0.6"/><circle cx="19" cy="8" r="6" fill="${INCIDENT_COLOR}" fill-opacity="0.6"/></svg>`,
      esc(t('legend.incident')),
    ),
  );
  parts.push(row(clusterSwatch(INCIDENT_COLOR), esc(t('legend.incidentCluster'))));
  parts.push(`<h4>${esc(t('legend.sites'))}${tag('sites')}</h4>`);
  parts.push('<div class="tw-legend-grid">');
  for (const c of siteCats) parts.push(row(swatchDot(SITE_COLOR[c], 5.5), esc(t(`category.${c}`))));
  parts.push('</div>');
  if (syn.size > 0) {
    parts.push(`<div class="tw-legend-note"><span class="tw-synthetic-tag">${esc(t('synthetic.badge'))}</span> ${esc([...syn].map((n) => t(LAYER_KEYS[n])).join(getLang() === 'en' ? ', ' : '、'))}</div>`);
  }
  return parts.join('');
}

class LegendControl extends L.Control {
  private box: HTMLDetailsElement | null = null;

  override onAdd(): HTMLElement {
    const box = L.DomUtil.create('details', 'tw-legend leaflet-bar') as HTMLDetailsElement;
    box.id = 'legend';
    // Open on desktops, folded on phones so the map stays usable.
    box.open = window.matchMedia('(min-width: 700px)').matches;
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    this.box = box;
    this.refresh();
    return box;
  }

  refresh(): void {
    if (!this.box) return;
    this.box.innerHTML = `<summary>${esc(t('legend.title'))}</summary><div class="tw-legend-body">${legendHtml()}</div>`;
  }

  /** Keeps the legend (anchored bottom right) below the layer control above it: it scrolls instead. */
  fitBelow(el: HTMLElement | null | undefined): void {
    const box = this.box;
    if (!box || !el) return;
    const top = el.getBoundingClientRect().bottom + 10;
    const bottom = box.getBoundingClientRect().bottom;
    box.style.maxHeight = `${Math.max(90, Math.floor(bottom - top))}px`;
  }
}

// ---------- the map ----------

function main(): void {
  const map = L.map('map', {
    preferCanvas: true,
    zoomControl: true,
    attributionControl: true,
    minZoom: 3,
    maxZoom: 19,
    worldCopyJump: false,
  });
  state.map = map;
  map.attributionControl.setPrefix(false);
  L.control.scale({ metric: true, imperial: false, position: 'bottomleft' }).addTo(map);

  // One canvas for every vector layer, with a margin so panning shows no gaps.
  const renderer = L.canvas({ padding: 0.5, tolerance: 4 });
  const layers: DataLayers = createLayers(renderer, () => map.getZoom());
  state.layers = layers;
  for (const name of LAYER_NAMES) (layers[name] as L.Layer).addTo(map);

  let basemap: L.TileLayer | null = null;
  let layerControl: L.Control.Layers | null = null;
  const legend = new LegendControl({ position: 'bottomright' });
  legend.addTo(map);

  // Draw order on the shared canvas: roads, grids, the grid choropleth, then points.
  function restack(): void {
    coverage.restack();
    response.restack();
    plan.restack();
    scenario.restack();
    layers.grids.bringToBack();
    layers.roads.bringToBack();
  }
  // Cameras and incidents redraw themselves on zoom and move (clusters / the view's points): keep the order.
  // They add to the top of the canvas: restack only when a panel's layers (drawn over them) hold something.
  const panelLayersDrawn = () =>
    [...response.overlays(), ...coverage.overlays(), ...plan.overlays(), ['', scenario.editsLayer] as const].some(([, l]) => map.hasLayer(l) && (l as L.LayerGroup).getLayers().length > 0);
  const restackPoints = () => {
    if (panelLayersDrawn()) restack();
  };
  layers.cameras.on('tw:redraw', restackPoints);
  layers.incidents.on('tw:redraw', restackPoints);

  // The left column (dock) holds the three panels; filled once they exist.
  let dockEl: HTMLElement | null = null;
  let dockPanels: HTMLDetailsElement[] = [];

  const response = new ResponseView({
    map,
    renderer,
    grids: () => layers.grids,
    sites: () => layers.sites,
    showError,
    kioskAdded: async () => {
      await Promise.all([loadMeta(), loadLayer('kiosks', workspaceBBox)]);
    },
    changed: () => {
      restack();
      legend.refresh();
      fitLegend();
    },
    fit: () => fitDock(),
    opened: () => openOnly(response.control.getContainer()),
  });
  state.responseView = response;
  state.response = response.state;

  const changed = () => {
    restack();
    legend.refresh();
    fitLegend();
  };
  const coverage = new CoverageView({
    map,
    renderer,
    grids: () => layers.grids,
    bbox: () => workspaceBBox,
    showError,
    hideBaseCameras: () => layers.cameras.remove(),
    camerasChanged: () => {
      void loadMeta();
      void loadLayer('cameras', workspaceBBox);
    },
    changed,
    fit: () => fitDock(),
    opened: () => openOnly(coverage.box),
  });
  state.coverageView = coverage;
  state.coverage = coverage.state;
  const plan = new PatrolView({
    map,
    renderer,
    kiosks: () => layers.kiosks,
    showError,
    changed,
    fit: () => fitDock(),
    opened: () => openOnly(plan.box),
  });
  state.planView = plan;
  state.plan = plan.state;
  const scenario = new ScenarioView({ map, meta: () => state.meta, showError, changed, fit: () => fitDock(), opened: () => openOnly(scenario.box) });
  state.scenarioView = scenario;
  state.scenario = scenario.state;
  // Import (admins): after a layer is replaced, re-read the counts and redraw that layer.
  const importer = new ImportDialog({
    showError,
    imported: async (names) => {
      await Promise.all([loadMeta(), ...names.map((n) => loadLayer(n, workspaceBBox))]);
      renderAll();
      restack();
    },
  });
  state.importer = importer.state;

  // The left column (dock): the three panels as an accordion, one open at a time,
  // so they never overlap; the open one scrolls inside the room the others leave.
  const Dock = L.Control.extend({
    onAdd(): HTMLElement {
      const el = L.DomUtil.create('div', 'tw-dock');
      el.id = 'dock';
      L.DomEvent.disableClickPropagation(el);
      L.DomEvent.disableScrollPropagation(el);
      return el;
    },
  });
  const dock = new Dock({ position: 'topleft' });
  dock.addTo(map);
  response.control.addTo(map);
  dockEl = dock.getContainer() as HTMLElement;
  dockPanels = [response.control.getContainer() as HTMLDetailsElement, coverage.box, plan.box, scenario.box];
  for (const p of dockPanels) dockEl.appendChild(p);
  const panels = (): HTMLDetailsElement[] => dockPanels;
  function openOnly(el: HTMLElement | undefined): void {
    for (const p of dockPanels) if (p !== el && p.open) p.open = false;
  }
  function fitDock(): void {
    if (!dockEl) return;
    const mapBox = map.getContainer().getBoundingClientRect();
    const top = dockEl.getBoundingClientRect().top - mapBox.top;
    const reserve = window.matchMedia('(max-width: 699px)').matches ? 96 : 44;
    const room = mapBox.height - top - reserve;
    const ps = panels();
    const closed = ps.filter((p) => !p.open).reduce((a, p) => a + p.getBoundingClientRect().height + 6, 0);
    for (const p of ps) p.style.maxHeight = p.open ? `${Math.max(160, room - closed)}px` : '';
  }
  map.on('resize', fitDock);
  map.on('popupopen', (e) => {
    // Pan a popup out from under the open panel of the dock.
    const el = (e as L.PopupEvent).popup.getElement();
    const open = panels().find((p) => p.open);
    if (!el || !open) return;
    const b = open.getBoundingClientRect();
    const p = el.getBoundingClientRect();
    if (p.left < b.right && b.left < p.right && p.top < b.bottom && b.top < p.bottom) map.panBy([-(b.right + 12 - p.left), 0], { animate: false });
  });
  window.addEventListener('afterprint', () => map.invalidateSize());
  map.on('overlayadd overlayremove', () => {
    restack();
    legend.refresh();
    response.render(); // the grid-colouring selector follows the choropleth's checkbox
    coverage.render();
  });

  function overlayLabel(name: LayerName): string {
    const syn = syntheticLayers(state.meta).includes(name);
    const label = `<span data-layer="${name}">${esc(t(LAYER_KEYS[name]))}</span>`;
    return syn ? `${label} <span class="tw-synthetic-tag">${esc(t('synthetic.tag'))}</span>` : label;
  }

  function renderLayerControl(): void {
    layerControl?.remove();
    const overlays: Record<string, L.Layer> = {};
    for (const name of LAYER_NAMES) overlays[overlayLabel(name)] = layers[name] as L.Layer;
    for (const [key, layer, id] of response.overlays()) overlays[`<span data-layer="${id}" class="tw-overlay-resp">${esc(t(key))}</span>`] = layer;
    for (const [key, layer, id] of coverage.overlays()) overlays[`<span data-layer="${id}" class="tw-overlay-cov">${esc(t(key))}</span>`] = layer;
    for (const [key, layer, id] of plan.overlays()) overlays[`<span data-layer="${id}" class="tw-overlay-plan">${esc(t(key))}</span>`] = layer;
    const bases: Record<string, L.Layer> = {};
    if (basemap) bases[esc(t('layer.basemap'))] = basemap;
    layerControl = L.control.layers(bases, overlays, { collapsed: window.matchMedia('(max-width: 699px)').matches, position: 'topright' });
    layerControl.addTo(map);
    const lc = layerControl.getContainer();
    lc?.addEventListener('mouseenter', () => legend.fitBelow(lc)); // expanding on a phone
    legend.fitBelow(lc);
  }
  const fitLegend = () => legend.fitBelow(layerControl?.getContainer());
  map.on('resize', fitLegend);

  function renderAll(): void {
    state.lang = getLang();
    renderHeader();
    legend.refresh();
    renderLayerControl();
    response.render();
    coverage.render();
    plan.render();
    scenario.render();
    importer.render();
    if (plan.state.card) plan.openCard(plan.state.card);
    fitDock();
    map.closePopup();
  }

  $('lang-switch').addEventListener('click', () => {
    setLang(getLang() === 'en' ? 'zh-CN' : 'en');
    renderAll();
  });
  $('banner-close').addEventListener('click', () => {
    const banner = $('banner');
    banner.querySelectorAll('.tw-banner-item').forEach((n) => n.remove());
    banner.hidden = true;
  });

  // Roads are the base map: re-fetched for the view on every move, debounced,
  // and the previous request is cancelled when a newer one starts.
  let roadTimer: number | undefined;
  let roadAbort: AbortController | null = null;
  let roadsLoaded: { bounds: L.LatLngBounds; zoom: number } | null = null;
  async function loadRoads(): Promise<void> {
    const zoom = Math.round(map.getZoom());
    // A small pan inside the area already loaded (a quarter of a screen around
    // the view) at the same zoom needs no new request.
    if (roadsLoaded && roadsLoaded.zoom === zoom && roadsLoaded.bounds.contains(map.getBounds())) return;
    roadAbort?.abort();
    const ctrl = new AbortController();
    roadAbort = ctrl;
    const b = map.getBounds().pad(0.25);
    const [bw, bs, be, bn] = boundsWGS(b); // the view is in the basemap's system, the API in WGS84
    const url = `/api/v1/layers/roads?bbox=${bboxParam(bw, bs, be, bn)}&zoom=${zoom}`;
    try {
      const fc = await getJSON<GeoJSON.FeatureCollection>(url, ctrl.signal);
      if (ctrl.signal.aborted) return;
      state.layerCounts.roads = fillGeoJSON(layers.roads, fc as never);
      state.roadFetches++;
      roadsLoaded = { bounds: b, zoom };
      layers.roads.bringToBack();
    } catch (err) {
      if (ctrl.signal.aborted) return;
      showError(t('error.layer', { layer: t('layer.roads'), msg: errorText(err) }), err);
    }
  }
  map.on('moveend', () => {
    window.clearTimeout(roadTimer);
    roadTimer = window.setTimeout(() => void loadRoads(), 250);
  });
  map.on('zoomend', () => restyleRoads(layers.roads, map.getZoom())); // only when the line widths change

  // A newer load of a layer (edits reload it) cancels the older one, so a stale answer never overwrites it.
  const layerAborts = new Map<string, AbortController>();
  async function loadLayer(name: Exclude<LayerName, 'roads'>, bbox: string): Promise<void> {
    layerAborts.get(name)?.abort();
    const ctrl = new AbortController();
    layerAborts.set(name, ctrl);
    try {
      const fc = await getJSON<GeoJSON.FeatureCollection>(`/api/v1/layers/${name}?bbox=${bbox}&zoom=${Math.round(map.getZoom())}`, ctrl.signal);
      if (ctrl.signal.aborted) return;
      if (name === 'cameras') state.layerCounts.cameras = fillCameras(layers.cameras, fc as never, renderer);
      else state.layerCounts[name] = fillGeoJSON(layers[name] as L.GeoJSON, fc as never);
    } catch (err) {
      if (ctrl.signal.aborted) return;
      showError(t('error.layer', { layer: t(LAYER_KEYS[name]), msg: errorText(err) }), err);
    }
  }

  let workspaceBBox = bboxParam(-180, -90, 180, 90);

  /** Re-reads the workspace meta (counts change when a kiosk is added). */
  async function loadMeta(): Promise<void> {
    try {
      state.meta = await getJSON<Meta>('/api/v1/meta');
      renderHeader();
    } catch (err) {
      showError(t('error.meta', { msg: errorText(err) }), err);
    }
  }

  async function start(): Promise<void> {
    renderHeader();
    let meta: Meta;
    try {
      meta = await getJSON<Meta>('/api/v1/meta');
    } catch (err) {
      showError(t('error.meta', { msg: errorText(err) }), err);
      map.setView(ll(114.3, 30.59), 12); // a view at all, so the page is not blank
      renderLayerControl();
      state.ready = true;
      return;
    }
    state.meta = meta;
    const [w, s, e, n] = meta.bound ?? [0, 0, 0, 0];
    const valid = [w, s, e, n].every(Number.isFinite) && e > w && n > s;
    // Draw in the basemap's system (GCJ-02 / BD-09) so nothing is offset from it;
    // set before the first view, so every layer is drawn shifted from the start.
    const crs = basemapCRS(meta.basemap?.crs);
    setMapCRS(crs);
    state.crs = crs;
    const baidu = crs === 'bd09' && !!meta.basemap?.url;
    if (baidu) map.options.crs = baiduCRS; // Baidu's own tile grid
    if (meta.basemap?.url) {
      const opts = basemapOptions(meta.basemap, map.getMaxZoom()); // the MBTiles' minzoom/maxzoom: scaled past maxzoom, nothing below minzoom
      basemap = (baidu ? new BaiduTileLayer(meta.basemap.url, opts) : L.tileLayer(meta.basemap.url, opts)).addTo(map);
      basemap.bringToBack();
    }
    renderAll();
    if (valid) {
      // Keep the workspace clear of the open response panel (left) and legend (right) on wide screens.
      const wide = map.getSize().x >= 900;
      const legendBox = document.getElementById('legend');
      const right = wide && legendBox ? Math.round(legendBox.getBoundingClientRect().width) + 20 : 12;
      map.fitBounds(boundsToMap(w, s, e, n), { paddingTopLeft: [wide ? response.leftInset() + 12 : 12, 12], paddingBottomRight: [right, 12] });
    }
    else map.setView(ll(114.3, 30.59), 12);
    const bbox = valid ? bboxParam(w, s, e, n) : bboxParam(-180, -90, 180, 90);
    workspaceBBox = bbox;
    window.clearTimeout(roadTimer); // the fit's moveend: load roads right away instead
    await Promise.all([
      loadRoads(),
      ...(['grids', 'cameras', 'kiosks', 'incidents', 'sites'] as const).map((name) => loadLayer(name, bbox)),
    ]);
    // Draw order: roads at the bottom, grids over them, points on top.
    restack();
    plan.render(); // the home-kiosk selectors
    fitDock();
    state.ready = true;
    document.body.dataset.ready = 'true';
  }

  void start();
}

// The map starts once someone is signed in (login.ts).
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => boot(main));
else boot(main);
