// The what-if scenarios view (方案对比) for planners: a panel in the dock to
// list, create and delete scenarios and to edit one by clicking the map (add a
// camera and its direction, add a kiosk, move or delete an existing camera or
// kiosk); every edit is saved at once (PUT with If-Match). "Compare" opens a
// sheet over the page with today's and the scenario's figures and their
// changes (green better, red worse) beside two synced maps, "现状 Today" on the
// left and "方案 Scenario" on the right, printable as the case.
//
// Positions: the maps draw in the basemap's system (crsmap ll/lls/
// coordsToLatLng) and every clicked position goes back through wgs(), so edits
// made on a GCJ-02 or BD-09 basemap are stored in WGS84 like everything else.
import * as L from 'leaflet';
import type { Feature, FeatureCollection, LineString, Point } from 'geojson';
import { apiFetch } from './api';
import { BaiduTileLayer, basemapOptions, baiduCRS, boundsWGS, coordsToLatLng, ll, lls, wgs } from './crsmap';
import { bboxParam, bearing, sectorRing } from './geometry';
import { getLang, num, t, type Key } from './i18n';
import { CAMERA_COLOR, SITE_COLOR, cameraPopup, esc, kioskIcon, kioskPopup, roadStyle, siteCategory, sitePopup } from './layers';
import { can } from './login';
import type { CameraProps, KioskProps, Meta, RoadProps, SiteProps } from './types';

// ---------- the API's shapes (api/scenarios.go, planner/scenario.go) ----------

export type EditOp = 'create' | 'update' | 'delete';
export type RecordKind = 'camera' | 'kiosk' | 'unit';

/** One edit in the API's flat form (api.ScenarioEdit). */
export interface ScenarioEdit {
  op: EditOp;
  kind: RecordKind;
  id?: number;
  version?: number;
  name?: string;
  ref?: string;
  lon?: number;
  lat?: number;
  camera_kind?: 'fixed' | 'dome' | 'ptz';
  direction_deg?: number;
  fov_deg?: number;
  range_m?: number;
  staff?: number;
  vehicles?: number;
  unit_kind?: string;
  home_kiosk?: number;
  shifts?: string[];
}

export interface StaleEdit { edit: number; op: EditOp; kind: RecordKind; id: number; version: number; current_version: number; code: string; reason: string }

export interface Scenario {
  id: number;
  name: string;
  owner: string;
  version: number;
  created: string;
  updated: string;
  edits: ScenarioEdit[];
  stale_edits: StaleEdit[];
  base_revision: number;
}

interface TierSummary { minutes: number; road_km: number; share: number }
interface SiteTier { tier_min: number; sites: number; failing: number; failing_ids: number[] }
interface PatrolFigures {
  window: string;
  day: string;
  units: number;
  planned: boolean;
  stranded_units: string[];
  covered_share: number | null;
  covered_risk: number | null;
  total_risk: number | null;
  note?: string;
  reason?: string;
}
export interface Figures {
  cameras: number;
  kiosks: number;
  units: number;
  coverage: { road_km: number; covered_road_km: number; share: number };
  response: { mode: string; network_km: number; tiers: TierSummary[]; unsnapped_kiosks: number[] };
  sites: { sites: number; failing: number; tiers: SiteTier[] };
  patrol: PatrolFigures;
}
interface SiteTierDelta { tier_min: number; failing: number; now_failing: number[]; now_ok: number[] }
export interface Comparison {
  scenario_id: number;
  name: string;
  scenario_version: number;
  base_revision: number;
  options: { mode: string; minutes: number[]; window: string; day: string; seed: number };
  before: Figures;
  after: Figures;
  delta: {
    cameras: number;
    kiosks: number;
    units: number;
    coverage: { road_km: number; covered_road_km: number; share: number };
    tiers: TierSummary[];
    failing_sites: number;
    sites: SiteTierDelta[];
    patrol: { covered_share: number | null; covered_risk: number | null };
  };
  changes: { edit: number; op: EditOp; kind: RecordKind; id: number }[];
  stale_edits: StaleEdit[];
}

/** The "scenario" member of GET /api/v1/scenarios/{id}/layers/{layer}. */
interface LayerInfo { id: number; version: number; layer: string; added: number[]; changed: number[]; deleted: number[]; stale_edits: StaleEdit[] }
type LayerFC<P> = FeatureCollection<Point, P> & { scenario?: LayerInfo };

// ---------- state for the browser tests (window.__tidewatch.scenario) ----------

export type Tool = 'none' | 'camera' | 'kiosk' | 'move' | 'delete';

/** One figure row of the comparison table as shown: raw values (null: not computed). */
export interface ShownRow { key: string; before: number | null; after: number | null; delta: number | null }

export interface ScenarioState {
  busy: boolean;
  loaded: boolean;
  list: { id: number; name: string; version: number; edits: number; stale: number }[];
  current: Scenario | null;
  tool: Tool;
  /** A camera placed and waiting for its direction, or the record picked for a move. */
  pending: { kind: RecordKind; id?: number; edit?: number; lon: number; lat: number } | null;
  saves: number;
  conflicts: number;
  /** The comparison sheet. */
  open: boolean;
  comparison: Comparison | null;
  compares: number;
  rows: ShownRow[];
  left: { cameras: number; kiosks: number; failing: number; roads: number };
  right: { cameras: number; kiosks: number; failing: number; roads: number; added: number; changed: number; deleted: number };
  error: string | null;
}

export interface ScenarioDeps {
  map: L.Map;
  meta: () => Meta | null;
  showError: (message: string, err?: unknown) => void;
  fit: () => void;
  opened: () => void;
  changed: () => void;
}

export const ADDED_COLOR = '#e8590c';
export const DELETED_COLOR = '#d92d20';
const svg = (body: string) => `<svg width="28" height="16" aria-hidden="true">${body}</svg>`;
const GHOST = '<circle cx="12" cy="8" r="6" fill="#fff" stroke="#667085" stroke-width="1.5" stroke-dasharray="3 3"/>';
/** Legend symbols, drawn as the maps draw them. */
const SYM = {
  added: svg(`<circle cx="14" cy="8" r="5.5" fill="${ADDED_COLOR}" stroke="#1b1b1b" stroke-width="1.5"/>`),
  moved: svg(`${GHOST}<line x1="12" y1="8" x2="26" y2="8" stroke="${ADDED_COLOR}" stroke-width="2" stroke-dasharray="3 2"/>`),
  deleted: svg(`${GHOST}<path d="M8 4 L16 12 M16 4 L8 12" stroke="${DELETED_COLOR}" stroke-width="2.5"/>`),
  failing: svg(`<circle cx="14" cy="8" r="6.5" fill="none" stroke="${DELETED_COLOR}" stroke-width="2"/><circle cx="14" cy="8" r="3" fill="#2e7d32"/>`),
};
const GOOD = 'tw-good';
const BAD = 'tw-bad';

const OP_KEYS: Record<EditOp, Record<RecordKind, Key>> = {
  create: { camera: 'scen.opCreateCamera', kiosk: 'scen.opCreateKiosk', unit: 'scen.opCreateUnit' },
  update: { camera: 'scen.opUpdateCamera', kiosk: 'scen.opUpdateKiosk', unit: 'scen.opUpdateUnit' },
  delete: { camera: 'scen.opDeleteCamera', kiosk: 'scen.opDeleteKiosk', unit: 'scen.opDeleteUnit' },
};

const TOOLS: { tool: Exclude<Tool, 'none'>; key: Key }[] = [
  { tool: 'camera', key: 'scen.addCamera' },
  { tool: 'kiosk', key: 'scen.addKiosk' },
  { tool: 'move', key: 'scen.move' },
  { tool: 'delete', key: 'scen.remove' },
];

/** An API error with its status, so a stale version (409/412) can be told apart. */
class HTTPError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function request<T>(url: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json');
  if (init.body) headers.set('Content-Type', 'application/json');
  const res = await apiFetch(url, { ...init, headers });
  const text = await res.text();
  if (!res.ok) {
    let msg = text.trim().slice(0, 200);
    try {
      const j = JSON.parse(text) as { error?: string };
      if (typeof j.error === 'string') msg = j.error;
    } catch {
      /* not JSON */
    }
    throw new HTTPError(res.status, `HTTP ${res.status}${msg ? `: ${msg}` : ''}`);
  }
  return JSON.parse(text) as T;
}

/** The list separator of the current language. */
function listSep(): string {
  return getLang() === 'en' ? ', ' : '、';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function pct(share: number, digits = 1): string {
  return t('unit.percent', { n: num(share * 100, digits) });
}

/** A signed change: "+2", "−1.5"; zero is "0". */
function signed(v: number, digits: number): string {
  const r = Number(v.toFixed(digits));
  if (r === 0) return '0';
  return `${r > 0 ? '+' : '−'}${num(Math.abs(r), digits)}`;
}

/** One row of the comparison table: its values, label, formats and which way is better. */
interface FigureRow {
  row: ShownRow;
  label: string;
  fmt: (v: number) => string;
  dfmt: (v: number) => string;
  better: 1 | -1;
  extra?: [string, string];
  dextra?: string; // under the change
}

export interface Rec { kind: 'camera' | 'kiosk'; id: number; version: number; lon: number; lat: number; props: CameraProps | KioskProps }

export class ScenarioView {
  readonly state: ScenarioState = {
    busy: false,
    loaded: false,
    list: [],
    current: null,
    tool: 'none',
    pending: null,
    saves: 0,
    conflicts: 0,
    open: false,
    comparison: null,
    compares: 0,
    rows: [],
    left: { cameras: 0, kiosks: 0, failing: 0, roads: 0 },
    right: { cameras: 0, kiosks: 0, failing: 0, roads: 0, added: 0, changed: 0, deleted: 0 },
    error: null,
  };
  readonly box: HTMLDetailsElement;
  /** The current scenario's edits drawn on the main map. */
  readonly editsLayer: L.FeatureGroup;
  /** The comparison sheet and its two maps (created when first opened). */
  readonly sheet: HTMLElement;
  left: L.Map | null = null;
  right: L.Map | null = null;

  private status: { text: () => string; bad: boolean } = { text: () => '', bad: false };
  private form = { name: '', cameraKind: 'fixed' as 'fixed' | 'dome', start: '22:00', end: '02:00' };
  /** The workspace's cameras and kiosks (WGS84, with versions), read when the panel opens and at each comparison. */
  records: Rec[] = [];
  private sites: Feature<Point, SiteProps>[] = [];
  private preview: L.Layer | null = null;
  private sheetLayers: { left: Record<string, L.FeatureGroup>; right: Record<string, L.FeatureGroup> } | null = null;
  private roadTimer: number | undefined;
  private roadAbort: AbortController | null = null;
  private syncing = false;
  private shown: { sc: Scenario; c: Comparison; at: Date } | null = null;
  private shownLang = '';

  constructor(private deps: ScenarioDeps) {
    const { map } = deps;
    this.editsLayer = L.featureGroup();
    const box = L.DomUtil.create('details', 'tw-resp tw-scen leaflet-bar') as HTMLDetailsElement;
    box.id = 'scenario-panel';
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    box.addEventListener('toggle', () => {
      if (box.open) {
        this.deps.opened();
        if (!this.state.loaded) void this.load();
      } else this.setTool('none');
      this.deps.fit();
    });
    this.box = box;

    const sheet = document.createElement('section');
    sheet.id = 'scenario-compare';
    sheet.className = 'tw-cmp';
    sheet.hidden = true;
    document.body.appendChild(sheet);
    this.sheet = sheet;

    // Clicks for the edit tools. 'preclick' reaches the map before any layer's click: a
    // layer with a popup (the grids cover everything, the kiosk markers) stops the click itself.
    map.on('preclick', (e) => this.onMapClick(e as L.LeafletMouseEvent));
    map.on('mousemove', (e) => this.onMouseMove(e as L.LeafletMouseEvent));
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      if (this.state.tool !== 'none') this.setTool('none');
      else if (this.state.open) this.closeCompare();
    });
    window.addEventListener('afterprint', () => document.body.classList.remove('tw-print-compare'));
    this.render();
  }

  legendHtml(row: (sym: string, label: string) => string): string {
    if (!this.state.current || this.state.current.edits.length === 0) return '';
    return row(SYM.added, esc(t('scen.legendAdded'))) + row(SYM.moved, esc(t('scen.legendMoved'))) + row(SYM.deleted, esc(t('scen.legendDeleted')));
  }

  restack(): void {
    this.editsLayer.bringToFront();
  }

  // ---------- data ----------

  /** Reads the scenario list and the workspace's cameras, kiosks and key sites. */
  async load(): Promise<void> {
    this.state.busy = true;
    this.render();
    try {
      const [list, cams, kiosks, sites] = await Promise.all([
        request<{ scenarios: Scenario[] }>('/api/v1/scenarios'),
        request<FeatureCollection<Point, CameraProps>>('/api/v1/layers/cameras'),
        request<FeatureCollection<Point, KioskProps>>('/api/v1/layers/kiosks'),
        request<FeatureCollection<Point, SiteProps>>('/api/v1/layers/sites'),
      ]);
      this.records = [
        ...cams.features.map((f) => this.rec('camera', f)),
        ...kiosks.features.map((f) => this.rec('kiosk', f)),
      ];
      this.sites = sites.features;
      this.setList(list.scenarios);
      const cur = this.state.current;
      const keep = cur ? list.scenarios.find((s) => s.id === cur.id) : undefined;
      this.setCurrent(keep ?? list.scenarios[list.scenarios.length - 1] ?? null);
      this.state.loaded = true;
      this.status = { text: () => '', bad: false };
    } catch (err) {
      this.fail(err);
    } finally {
      this.state.busy = false;
      this.render();
    }
  }

  private rec(kind: 'camera' | 'kiosk', f: Feature<Point, CameraProps | KioskProps>): Rec {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties as (CameraProps | KioskProps) & { version?: number };
    return { kind, id: Number(p.id), version: Number(p.version ?? 0), lon, lat, props: p };
  }

  private setList(all: Scenario[]): void {
    this.state.list = all.map((s) => ({ id: s.id, name: s.name, version: s.version, edits: s.edits.length, stale: s.stale_edits.length }));
  }

  private setCurrent(sc: Scenario | null): void {
    this.state.current = sc;
    this.state.pending = null;
    if (sc) {
      const i = this.state.list.findIndex((s) => s.id === sc.id);
      const row = { id: sc.id, name: sc.name, version: sc.version, edits: sc.edits.length, stale: sc.stale_edits.length };
      if (i >= 0) this.state.list[i] = row;
      else this.state.list.push(row);
    }
    this.drawEdits();
    this.deps.changed();
  }

  private fail(err: unknown): void {
    const msg = errorText(err);
    this.state.error = msg;
    this.status = { text: () => t('scen.failed', { msg }), bad: true };
  }

  async create(): Promise<void> {
    const name = this.form.name.trim();
    if (!name) {
      this.status = { text: () => t('scen.needName'), bad: true };
      this.render();
      return;
    }
    await this.busy(async () => {
      const sc = await request<Scenario>('/api/v1/scenarios', { method: 'POST', body: JSON.stringify({ name, edits: [] }) });
      this.form.name = '';
      this.setCurrent(sc);
      this.state.saves++;
      this.status = { text: () => t('scen.created', { name: sc.name }), bad: false };
    });
  }

  async remove(): Promise<void> {
    const sc = this.state.current;
    if (!sc || !window.confirm(t('scen.confirmDelete', { name: sc.name }))) return;
    await this.busy(async () => {
      await request(`/api/v1/scenarios/${sc.id}`, { method: 'DELETE', headers: { 'If-Match': `"${sc.version}"` } });
      this.state.list = this.state.list.filter((s) => s.id !== sc.id);
      const next = this.state.list[this.state.list.length - 1];
      this.setCurrent(next ? await request<Scenario>(`/api/v1/scenarios/${next.id}`) : null);
    });
  }

  async select(id: number): Promise<void> {
    await this.busy(async () => this.setCurrent(await request<Scenario>(`/api/v1/scenarios/${id}`)));
  }

  /** Saves the current scenario with edits (If-Match its version); a stale version reloads it. */
  private async save(edits: ScenarioEdit[]): Promise<void> {
    const sc = this.state.current;
    if (!sc) return;
    this.status = { text: () => t('scen.saving'), bad: false };
    await this.busy(async () => {
      try {
        const saved = await request<Scenario>(`/api/v1/scenarios/${sc.id}`, {
          method: 'PUT',
          headers: { 'If-Match': `"${sc.version}"` },
          body: JSON.stringify({ name: sc.name, edits }),
        });
        this.setCurrent(saved);
        this.state.saves++;
        this.status = { text: () => t('scen.saved'), bad: false };
      } catch (err) {
        if (err instanceof HTTPError && (err.status === 412 || err.status === 409)) {
          this.state.conflicts++;
          this.setCurrent(await request<Scenario>(`/api/v1/scenarios/${sc.id}`));
          this.status = { text: () => t('scen.conflict'), bad: true };
          return;
        }
        throw err;
      }
    });
  }

  private async busy(fn: () => Promise<void>): Promise<void> {
    this.state.busy = true;
    this.render();
    try {
      await fn();
      this.state.error = null;
    } catch (err) {
      this.fail(err);
    } finally {
      this.state.busy = false;
      this.render();
    }
  }

  // ---------- editing on the map ----------

  setTool(tool: Tool): void {
    this.state.tool = tool;
    this.state.pending = null;
    this.clearPreview();
    this.deps.map.getContainer().classList.toggle('tw-picking', tool !== 'none');
    this.render();
  }

  private hint(): string {
    const p = this.state.pending;
    switch (this.state.tool) {
      case 'camera':
        return p ? t('scen.hintDirection') : t('scen.hintCamera');
      case 'kiosk':
        return t('scen.hintKiosk');
      case 'move':
        return p ? t('scen.hintMoveTo') : t('scen.hintMove');
      case 'delete':
        return t('scen.hintDelete');
    }
    return '';
  }

  private onMapClick(e: L.LeafletMouseEvent): void {
    if (this.state.tool === 'none' || !this.state.current || this.state.busy) return;
    // A click on a control that re-rendered itself (its button is gone from the page): Leaflet
    // can no longer see that the click began on a control, so it reaches the map. Not a map click.
    const target = e.originalEvent?.target as Element | null;
    if (target && (!target.isConnected || target.closest?.('.leaflet-control'))) return;
    window.setTimeout(() => this.deps.map.closePopup(), 0); // no popup while editing
    const [lon, lat] = wgs(e.latlng); // the map is in the basemap's system; edits are WGS84
    void this.apply(lon, lat, e.containerPoint);
  }

  private onMouseMove(e: L.LeafletMouseEvent): void {
    const p = this.state.pending;
    if (this.state.tool !== 'camera' || !p) return;
    const dir = bearing([p.lon, p.lat], wgs(e.latlng));
    this.showPreview(L.polygon(lls(sectorRing(p.lon, p.lat, dir, 60, 40)), { color: ADDED_COLOR, weight: 1, fillOpacity: 0.25, interactive: false }));
  }

  private showPreview(layer: L.Layer): void {
    this.clearPreview();
    this.preview = layer.addTo(this.deps.map);
  }

  private clearPreview(): void {
    this.preview?.remove();
    this.preview = null;
  }

  /** What one click does with the current tool. */
  private async apply(lon: number, lat: number, at: L.Point): Promise<void> {
    const sc = this.state.current;
    if (!sc) return;
    const edits = sc.edits.map((e) => ({ ...e }));
    const p = this.state.pending;
    switch (this.state.tool) {
      case 'camera':
        if (this.form.cameraKind === 'dome') {
          edits.push({ op: 'create', kind: 'camera', name: this.newName('camera', edits), lon, lat, camera_kind: 'dome' });
          break;
        }
        if (!p) {
          this.state.pending = { kind: 'camera', lon, lat };
          this.showPreview(L.circleMarker(ll(lon, lat), { radius: 6, color: '#fff', weight: 2, fillColor: ADDED_COLOR, fillOpacity: 1, interactive: false }));
          this.render();
          return;
        }
        edits.push({ op: 'create', kind: 'camera', name: this.newName('camera', edits), lon: p.lon, lat: p.lat, camera_kind: 'fixed', direction_deg: Math.round(bearing([p.lon, p.lat], [lon, lat])) % 360 });
        break;
      case 'kiosk':
        edits.push({ op: 'create', kind: 'kiosk', name: this.newName('kiosk', edits), lon, lat });
        break;
      case 'move':
      case 'delete': {
        if (this.state.tool === 'move' && p) {
          if (p.edit !== undefined) Object.assign(edits[p.edit], { lon, lat }); // an added record: its create edit moves
          else {
            const i = edits.findIndex((e) => e.op === 'update' && e.kind === p.kind && e.id === p.id);
            const e: ScenarioEdit = i >= 0 ? { ...edits[i], lon, lat } : { op: 'update', kind: p.kind, id: p.id, lon, lat };
            if (i >= 0) edits[i] = e;
            else edits.push(e);
          }
          break;
        }
        const hit = this.pick(at, edits);
        if (!hit) {
          this.status = { text: () => t('scen.nothingHere'), bad: true };
          this.render();
          return;
        }
        if (this.state.tool === 'move') {
          this.state.pending = hit;
          this.showPreview(L.circleMarker(ll(hit.lon, hit.lat), { radius: 11, color: ADDED_COLOR, weight: 3, fill: false, interactive: false }));
          this.status = { text: () => '', bad: false };
          this.render();
          return;
        }
        if (hit.edit !== undefined) edits.splice(hit.edit, 1); // deleting an added record drops its create edit
        else {
          const kept = edits.filter((e) => !(e.kind === hit.kind && e.id === hit.id && e.op === 'update'));
          edits.length = 0;
          edits.push(...kept, { op: 'delete', kind: hit.kind, id: hit.id });
        }
        break;
      }
      default:
        return;
    }
    this.state.pending = null;
    this.clearPreview();
    await this.save(edits);
  }

  private newName(kind: 'camera' | 'kiosk', edits: ScenarioEdit[]): string {
    const n = edits.filter((e) => e.op === 'create' && e.kind === kind).length + 1;
    return `${t(kind === 'camera' ? 'scen.newCamera' : 'scen.newKiosk')} ${n}`;
  }

  /** The camera or kiosk nearest the click within 24 px: a stored one (as the scenario has it) or one the scenario adds. */
  private pick(at: L.Point, edits: ScenarioEdit[]): { kind: RecordKind; id?: number; edit?: number; lon: number; lat: number } | null {
    const map = this.deps.map;
    let best: { kind: RecordKind; id?: number; edit?: number; lon: number; lat: number } | null = null;
    let bestD = 24;
    const consider = (c: { kind: RecordKind; id?: number; edit?: number; lon: number; lat: number }) => {
      const d = map.latLngToContainerPoint(ll(c.lon, c.lat)).distanceTo(at);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    };
    const deleted = new Set(edits.filter((e) => e.op === 'delete').map((e) => `${e.kind}:${e.id}`));
    for (const r of this.records) {
      if (deleted.has(`${r.kind}:${r.id}`)) continue;
      const upd = edits.find((e) => e.op === 'update' && e.kind === r.kind && e.id === r.id);
      consider({ kind: r.kind, id: r.id, lon: upd?.lon ?? r.lon, lat: upd?.lat ?? r.lat });
    }
    edits.forEach((e, i) => {
      if (e.op === 'create' && (e.kind === 'camera' || e.kind === 'kiosk') && e.lon !== undefined && e.lat !== undefined) consider({ kind: e.kind, edit: i, lon: e.lon, lat: e.lat });
    });
    return best;
  }

  async removeEdit(i: number): Promise<void> {
    const sc = this.state.current;
    if (!sc) return;
    await this.save(sc.edits.filter((_, k) => k !== i));
  }

  private recordOf(kind: RecordKind, id: number | undefined): Rec | undefined {
    return this.records.find((r) => r.kind === kind && r.id === id);
  }

  /** The current scenario's edits on the main map: added in orange, moves as a dashed line from the old place, deletions struck through. */
  private drawEdits(): void {
    const g = this.editsLayer;
    g.clearLayers();
    const sc = this.state.current;
    if (!sc) {
      g.remove();
      return;
    }
    drawChanges(g, sc.edits, (k, id) => this.recordOf(k, id));
    if (!this.deps.map.hasLayer(g)) g.addTo(this.deps.map);
  }

  // ---------- the panel ----------

  render(): void {
    const box = this.box;
    const s = this.state;
    const sc = s.current;
    const planner = can('plan');
    const parts: string[] = [];
    parts.push(`<summary><span class="tw-resp-title">${esc(t('scen.title'))}</span><span class="tw-resp-sub">${esc(t('scen.subtitle'))}</span></summary>`);
    parts.push('<div class="tw-resp-body">');
    if (s.list.length > 0) {
      const opts = s.list.map((x) => `<option value="${x.id}"${sc?.id === x.id ? ' selected' : ''}>${esc(x.name)}</option>`).join('');
      parts.push(
        `<div class="tw-field"><span class="tw-label">${esc(t('scen.pick'))}</span><div class="tw-scen-row"><select id="scen-select"${s.busy ? ' disabled' : ''}>${opts}</select>` +
          (planner && sc ? `<button id="scen-delete" class="tw-btn tw-btn-small tw-btn-danger tw-needs-plan" type="button"${s.busy ? ' disabled' : ''}>${esc(t('scen.delete'))}</button>` : '') +
          '</div></div>',
      );
    } else if (s.loaded) parts.push(`<div class="tw-status">${esc(t('scen.none'))}</div>`);
    if (planner) {
      parts.push(
        `<div class="tw-field tw-needs-plan"><div class="tw-scen-row"><input id="scen-name" class="tw-scen-name" type="text" maxlength="80" placeholder="${esc(t('scen.newName'))}" aria-label="${esc(t('scen.newName'))}" value="${esc(this.form.name)}">` +
          `<button id="scen-create" class="tw-btn tw-btn-small" type="button"${s.busy ? ' disabled' : ''}>${esc(t('scen.create'))}</button></div></div>`,
      );
    }
    if (sc) {
      parts.push(this.editsHtml(sc, planner));
      if (planner) parts.push(this.toolsHtml());
      else parts.push(`<div class="tw-status">${esc(t('scen.readOnly'))}</div>`);
      parts.push(
        `<div class="tw-field tw-row"><span class="tw-label">${esc(t('scen.window'))}</span><span><input id="scen-start" class="tw-time" type="time" value="${esc(this.form.start)}">–<input id="scen-end" class="tw-time" type="time" value="${esc(this.form.end)}"></span></div>` +
          `<button id="scen-compare" class="tw-btn tw-btn-primary" type="button"${s.busy ? ' disabled' : ''}>${esc(s.busy && s.open ? t('scen.comparing') : t('scen.compare'))}</button>`,
      );
    }
    parts.push(`<div id="scen-status" class="tw-status${this.status.bad ? ' tw-bad' : ''}" role="status">${esc(this.status.text())}</div>`);
    parts.push('</div>');
    box.innerHTML = parts.join('');
    this.wire();
    if (this.state.open && this.shownLang !== getLang()) this.fillSheet(); // a language switch
    this.deps.fit();
  }

  private editsHtml(sc: Scenario, planner: boolean): string {
    const stale = new Map(sc.stale_edits.map((x) => [x.edit, x]));
    const rows = sc.edits
      .map((e, i) => {
        const label = t(OP_KEYS[e.op][e.kind], { id: e.id ?? '' });
        const detail = e.op === 'create' && e.kind === 'camera' ? ` <span class="tw-muted">${esc(e.camera_kind === 'fixed' ? t('unit.degree', { n: num(e.direction_deg ?? 0) }) : t('kind.dome'))}</span>` : '';
        const st = stale.get(i + 1);
        const warn = st ? ` <span class="tw-bad" title="${esc(st.reason)}">${esc(st.code === 'not_found' ? t('scen.staleGone') : t('scen.staleChanged'))}</span>` : '';
        const del = planner ? `<td><button class="tw-icon-btn" type="button" data-edit="${i}" title="${esc(t('scen.removeEdit'))}" aria-label="${esc(t('scen.removeEdit'))}"${this.state.busy ? ' disabled' : ''}>×</button></td>` : '';
        return `<tr data-op="${e.op}" data-kind="${e.kind}"><td>${i + 1}</td><td>${esc(label)}${detail}${warn}</td>${del}</tr>`;
      })
      .join('');
    const out: string[] = [`<div class="tw-field"><span class="tw-label">${esc(t('scen.edits'))}</span>`];
    out.push(rows ? `<table class="tw-table tw-scen-edits">${rows}</table>` : `<div class="tw-status">${esc(t('scen.noEdits'))}</div>`);
    if (sc.stale_edits.length > 0) out.push(`<div class="tw-note tw-note-warn">${esc(t('scen.stale', { n: sc.stale_edits.length }))}</div>`);
    out.push('</div>');
    return out.join('');
  }

  private toolsHtml(): string {
    const s = this.state;
    const tools = TOOLS.map(
      (x) => `<button type="button" class="tw-btn tw-btn-small tw-tool${s.tool === x.tool ? ' tw-tool-on' : ''}" data-tool="${x.tool}" aria-pressed="${s.tool === x.tool}"${s.busy ? ' disabled' : ''}>${esc(t(x.key))}</button>`,
    ).join('');
    const kind =
      `<div class="tw-seg tw-scen-kind" role="radiogroup" aria-label="${esc(t('scen.cameraKind'))}">` +
      (['fixed', 'dome'] as const)
        .map((k) => `<label class="tw-seg-item"><input type="radio" name="scen-kind" value="${k}"${this.form.cameraKind === k ? ' checked' : ''}><span>${esc(t(k === 'fixed' ? 'kind.fixed' : 'kind.dome'))}</span></label>`)
        .join('') +
      '</div>';
    const hint = s.tool !== 'none' ? `<div class="tw-scen-hint" id="scen-hint">${esc(this.hint())} <button id="scen-cancel" class="tw-btn tw-btn-small" type="button">${esc(t('scen.cancel'))}</button></div>` : '';
    return `<div class="tw-field tw-needs-plan"><div class="tw-scen-tools">${tools}</div>${s.tool === 'camera' ? kind : ''}${hint}</div>`;
  }

  private wire(): void {
    const box = this.box;
    const q = <T extends Element>(sel: string) => box.querySelector<T & HTMLElement>(sel);
    q<HTMLSelectElement>('#scen-select')?.addEventListener('change', (e) => void this.select(Number((e.target as HTMLSelectElement).value)));
    q('#scen-delete')?.addEventListener('click', () => void this.remove());
    const name = q<HTMLInputElement>('#scen-name');
    name?.addEventListener('input', () => (this.form.name = (name as HTMLInputElement).value));
    name?.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') void this.create();
    });
    q('#scen-create')?.addEventListener('click', () => void this.create());
    box.querySelectorAll<HTMLButtonElement>('button[data-tool]').forEach((b) =>
      b.addEventListener('click', () => {
        const tool = b.dataset.tool as Tool;
        this.setTool(this.state.tool === tool ? 'none' : tool);
      }),
    );
    box.querySelectorAll<HTMLInputElement>('input[name="scen-kind"]').forEach((r) =>
      r.addEventListener('change', () => {
        this.form.cameraKind = r.value as 'fixed' | 'dome';
        this.state.pending = null;
        this.clearPreview();
        this.render();
      }),
    );
    q('#scen-cancel')?.addEventListener('click', () => this.setTool('none'));
    box.querySelectorAll<HTMLButtonElement>('button[data-edit]').forEach((b) => b.addEventListener('click', () => void this.removeEdit(Number(b.dataset.edit))));
    const start = q<HTMLInputElement>('#scen-start');
    const end = q<HTMLInputElement>('#scen-end');
    start?.addEventListener('change', () => (this.form.start = (start as HTMLInputElement).value));
    end?.addEventListener('change', () => (this.form.end = (end as HTMLInputElement).value));
    q('#scen-compare')?.addEventListener('click', () => void this.openCompare());
  }

  // ---------- the comparison sheet ----------

  private windowParam(): string {
    const ok = (s: string) => /^\d{2}:\d{2}$/.test(s);
    return ok(this.form.start) && ok(this.form.end) && this.form.start !== this.form.end ? `${this.form.start}-${this.form.end}` : '22:00-02:00';
  }

  /** Fetches the comparison and the scenario's layers, and shows the sheet. */
  async openCompare(): Promise<void> {
    const sc = this.state.current;
    if (!sc) return;
    this.setTool('none');
    this.state.open = true;
    await this.busy(async () => {
      const win = encodeURIComponent(this.windowParam());
      const [cmp, cams, kiosks, baseCams, baseKiosks] = await Promise.all([
        request<Comparison>(`/api/v1/scenarios/${sc.id}/compare?window=${win}`),
        request<LayerFC<CameraProps>>(`/api/v1/scenarios/${sc.id}/layers/cameras`),
        request<LayerFC<KioskProps>>(`/api/v1/scenarios/${sc.id}/layers/kiosks`),
        request<FeatureCollection<Point, CameraProps>>('/api/v1/layers/cameras'),
        request<FeatureCollection<Point, KioskProps>>('/api/v1/layers/kiosks'),
      ]);
      // Today's map shows the workspace as compared, not as it was when the panel opened.
      this.records = [...baseCams.features.map((f) => this.rec('camera', f)), ...baseKiosks.features.map((f) => this.rec('kiosk', f))];
      this.state.comparison = cmp;
      this.state.compares++;
      this.showSheet(sc, cmp, cams, kiosks);
    });
    if (this.state.error) this.state.open = !this.sheet.hidden;
  }

  closeCompare(): void {
    this.state.open = false;
    this.sheet.hidden = true;
  }

  private rowsOf(c: Comparison): FigureRow[] {
    const b = c.before;
    const a = c.after;
    const d = c.delta;
    const count = (v: number) => num(v);
    const dcount = (v: number) => signed(v, 0);
    const share = (v: number) => pct(v);
    // Percentage points, with a second decimal for small changes (a few cameras in a city).
    const dshare = (v: number) => t('scen.pointsN', { n: signed(v * 100, Math.abs(v * 100) < 0.095 ? 2 : 1) });
    const dkm = (v: number, digits: number) => t('unit.km', { n: signed(v, digits) });
    const rows: FigureRow[] = [];
    rows.push({ row: { key: 'cameras', before: b.cameras, after: a.cameras, delta: d.cameras }, label: t('scen.rowCameras'), fmt: count, dfmt: dcount, better: 1 });
    rows.push({
      row: { key: 'coverage', before: b.coverage.share, after: a.coverage.share, delta: d.coverage.share },
      label: t('scen.rowCoverage'),
      fmt: share,
      dfmt: dshare,
      better: 1,
      extra: [t('unit.km', { n: num(b.coverage.covered_road_km, 2) }), t('unit.km', { n: num(a.coverage.covered_road_km, 2) })],
      dextra: dkm(d.coverage.covered_road_km, 2),
    });
    rows.push({ row: { key: 'kiosks', before: b.kiosks, after: a.kiosks, delta: d.kiosks }, label: t('scen.rowKiosks'), fmt: count, dfmt: dcount, better: 1 });
    a.response.tiers.forEach((ta, i) => {
      const tb = b.response.tiers[i];
      const m = num(ta.minutes, ta.minutes % 1 ? 1 : 0);
      rows.push({
        row: { key: `tier${ta.minutes}`, before: tb?.share ?? null, after: ta.share, delta: d.tiers[i]?.share ?? null },
        label: t('scen.rowTier', { n: m }),
        fmt: share,
        dfmt: dshare,
        better: 1,
        extra: [t('unit.km', { n: num(tb?.road_km ?? 0, 1) }), t('unit.km', { n: num(ta.road_km, 1) })],
        dextra: dkm(d.tiers[i]?.road_km ?? 0, 1),
      });
    });
    rows.push({ row: { key: 'failing', before: b.sites.failing, after: a.sites.failing, delta: d.failing_sites }, label: t('scen.rowFailing'), fmt: count, dfmt: dcount, better: -1 });
    for (const sd of d.sites) {
      const tb = b.sites.tiers.find((x) => x.tier_min === sd.tier_min);
      const ta = a.sites.tiers.find((x) => x.tier_min === sd.tier_min);
      rows.push({
        row: { key: `failing${sd.tier_min}`, before: tb?.failing ?? 0, after: ta?.failing ?? 0, delta: sd.failing },
        label: t('scen.rowFailingTier', { n: sd.tier_min }),
        fmt: count,
        dfmt: dcount,
        better: -1,
        extra: [this.siteNames(tb?.failing_ids ?? []), this.siteNames(ta?.failing_ids ?? [])],
        dextra: [
          sd.now_ok.length ? t('scen.nowOK', { list: this.siteNames(sd.now_ok) }) : '',
          sd.now_failing.length ? t('scen.nowFailing', { list: this.siteNames(sd.now_failing) }) : '',
        ].filter(Boolean).join(getLang() === 'en' ? '; ' : '、'),
      });
    }
    const pb = b.patrol;
    const pa = a.patrol;
    rows.push({
      row: { key: 'patrol', before: pb.covered_share, after: pa.covered_share, delta: d.patrol.covered_share },
      label: t('scen.rowPatrol', { w: c.options.window }),
      fmt: share,
      dfmt: dshare,
      better: 1,
      extra: [this.patrolNote(pb), this.patrolNote(pa)],
    });
    return rows;
  }

  private siteNames(ids: number[]): string {
    if (ids.length === 0) return '';
    const names = ids.slice(0, 3).map((id) => this.sites.find((f) => Number(f.properties.id) === id)?.properties.name || `#${id}`);
    return names.join(listSep()) + (ids.length > 3 ? ` …(${ids.length})` : '');
  }

  private patrolNote(p: PatrolFigures): string {
    switch (p.note) {
      case 'no_units':
        return t('scen.noUnits');
      case 'units_without_kiosk':
        return t('scen.unitsNoKiosk');
      case 'no_plan':
        return t('scen.noPlan', { msg: p.reason ?? '' });
      case 'some_units_without_kiosk':
        return t('scen.stranded', { list: p.stranded_units.join(listSep()) });
    }
    return p.total_risk != null ? t('scen.riskOf', { n: num(p.covered_risk ?? 0, 1), total: num(p.total_risk, 1) }) : '';
  }

  private tableHtml(c: Comparison): string {
    const rows = this.rowsOf(c);
    this.state.rows = rows.map((r) => r.row);
    const cell = (v: number | null, fmt: (v: number) => string, extra?: string) =>
      `<td data-v="${v ?? ''}">${v == null ? `<span class="tw-muted">—</span>` : esc(fmt(v))}${extra ? `<div class="tw-cmp-extra">${esc(extra)}</div>` : ''}</td>`;
    const body = rows
      .map((r) => {
        const dv = r.row.delta;
        const cls = dv == null || Math.abs(dv) < 1e-12 ? 'tw-muted' : dv * r.better > 0 ? GOOD : BAD;
        return (
          `<tr data-row="${r.row.key}"><th>${esc(r.label)}</th>` +
          cell(r.row.before, r.fmt, r.extra?.[0]) +
          cell(r.row.after, r.fmt, r.extra?.[1]) +
          `<td data-v="${dv ?? ''}" class="tw-cmp-delta ${cls}">${dv == null ? '—' : esc(r.dfmt(dv))}${r.dextra ? `<div class="tw-cmp-extra">${esc(r.dextra)}</div>` : ''}</td></tr>`
        );
      })
      .join('');
    return (
      `<table class="tw-cmp-table" id="scen-figures"><thead><tr><th>${esc(t('scen.figure'))}</th><th>${esc(t('scen.today'))}</th><th>${esc(t('scen.scenario'))}</th><th>${esc(t('scen.change'))}</th></tr></thead>` +
      `<tbody>${body}</tbody></table>`
    );
  }

  private showSheet(sc: Scenario, c: Comparison, cams: LayerFC<CameraProps>, kiosks: LayerFC<KioskProps>): void {
    const sheet = this.sheet;
    sheet.innerHTML =
      `<div class="tw-cmp-inner">` +
      `<div class="tw-cmp-head"><div id="scen-cmp-title"></div>` +
      `<div class="tw-card-bar tw-no-print"><button id="scen-print" class="tw-btn tw-btn-primary" type="button"></button>` +
      `<a id="scen-print-case" class="tw-btn" href="${esc(reportHref(sc, c))}" target="_blank" rel="noopener" style="text-decoration:none;color:inherit"></a>` +
      `<button id="scen-close" class="tw-btn" type="button"></button></div></div>` +
      `<div id="scen-cmp-stale"></div>` +
      `<div class="tw-cmp-body"><div class="tw-cmp-figures" id="scen-cmp-figures"></div>` +
      `<div class="tw-cmp-maps"><div class="tw-cmp-pane"><div class="tw-cmp-label" id="scen-label-left"></div><div id="scen-map-left" class="tw-cmp-map"></div></div>` +
      `<div class="tw-cmp-pane"><div class="tw-cmp-label tw-cmp-label-sc" id="scen-label-right"></div><div id="scen-map-right" class="tw-cmp-map"></div></div></div></div>` +
      `</div>`;
    this.shown = { sc, c, at: new Date() };
    this.fillSheet();
    sheet.hidden = false;
    sheet.querySelector('#scen-print')?.addEventListener('click', () => {
      document.body.classList.add('tw-print-compare');
      this.left?.invalidateSize();
      this.right?.invalidateSize();
      window.print();
    });
    sheet.querySelector('#scen-close')?.addEventListener('click', () => this.closeCompare());
    this.buildMaps(sc, c, cams, kiosks);
  }

  /** The sheet's words and figures, in the current language (again after a language switch). */
  private fillSheet(): void {
    const x = this.shown;
    if (!x) return;
    const { sc, c } = x;
    const set = (id: string, html: string) => {
      const el = this.sheet.querySelector(`#${id}`);
      if (el) el.innerHTML = html;
    };
    set(
      'scen-cmp-title',
      `<div class="tw-card-kicker">${esc(t('scen.kicker'))}</div><h2>${esc(t('scen.cmpTitle', { name: sc.name }))}</h2>` +
        `<div class="tw-muted tw-cmp-meta">${esc(t('scen.meta', { rev: c.base_revision, v: c.scenario_version, w: c.options.window, owner: sc.owner, at: x.at.toLocaleString(getLang()) }))}</div>`,
    );
    set('scen-print', esc(t('scen.print')));
    set('scen-print-case', esc(t('scen.printCase')));
    this.sheet.querySelector('#scen-print-case')?.setAttribute('title', t('scen.printCaseTitle'));
    set('scen-close', esc(t('scen.close')));
    set(
      'scen-cmp-stale',
      c.stale_edits.length
        ? `<div class="tw-note tw-note-warn" id="scen-stale">${esc(t('scen.stale', { n: c.stale_edits.length }))}<ul>${c.stale_edits
            .map((s) => `<li>${esc(t(s.code === 'not_found' ? 'scen.staleGoneN' : 'scen.staleChangedN', { n: s.edit, what: t(OP_KEYS[s.op][s.kind], { id: s.id }) }))}</li>`)
            .join('')}</ul></div>`
        : '',
    );
    set('scen-cmp-figures', `${this.tableHtml(c)}<div class="tw-cmp-legend">${this.sheetLegend()}</div>`);
    set('scen-label-left', esc(t('scen.today')));
    set('scen-label-right', `${esc(t('scen.scenario'))} · ${esc(sc.name)}`);
    this.shownLang = getLang();
  }

  private sheetLegend(): string {
    return [
      `<span>${SYM.added} ${esc(t('scen.legendAdded'))}</span>`,
      `<span>${SYM.moved} ${esc(t('scen.legendMoved'))}</span>`,
      `<span>${SYM.deleted} ${esc(t('scen.legendDeleted'))}</span>`,
      `<span>${SYM.failing} ${esc(t('scen.legendFailing'))}</span>`,
    ].join('');
  }

  /** (Re)creates the two synced maps and draws each side. */
  private buildMaps(sc: Scenario, c: Comparison, cams: LayerFC<CameraProps>, kiosks: LayerFC<KioskProps>): void {
    this.left?.remove();
    this.right?.remove();
    const main = this.deps.map;
    const meta = this.deps.meta();
    const make = (id: string): L.Map => {
      const m = L.map(id, { preferCanvas: true, crs: main.options.crs, minZoom: 3, maxZoom: 19, zoomControl: true, attributionControl: false });
      const b = meta?.basemap;
      if (b?.url) {
        const opts = basemapOptions(b, 19);
        (main.options.crs === baiduCRS ? new BaiduTileLayer(b.url, opts) : L.tileLayer(b.url, opts)).addTo(m);
      }
      return m;
    };
    const left = make('scen-map-left');
    const right = make('scen-map-right');
    this.left = left;
    this.right = right;
    const group = () => ({ roads: L.featureGroup(), sites: L.featureGroup(), cameras: L.featureGroup(), kiosks: L.featureGroup(), changes: L.featureGroup() });
    const lg = group();
    const rg = group();
    this.sheetLayers = { left: lg, right: rg };
    for (const [m, g] of [[left, lg], [right, rg]] as const) for (const layer of Object.values(g)) layer.addTo(m);

    // Today: the workspace's cameras and kiosks; the scenario: its layers.
    const base = this.records;
    const leftCams = base.filter((r) => r.kind === 'camera');
    const leftKiosks = base.filter((r) => r.kind === 'kiosk');
    drawCameras(lg.cameras, leftCams.map((r) => ({ lon: r.lon, lat: r.lat, p: r.props as CameraProps })), new Set());
    drawKiosks(lg.kiosks, leftKiosks.map((r) => ({ lon: r.lon, lat: r.lat, p: r.props as KioskProps })), new Set());
    const ci = cams.scenario;
    const ki = kiosks.scenario;
    const hl = new Set([...(ci?.added ?? []), ...(ci?.changed ?? [])]);
    const hk = new Set([...(ki?.added ?? []), ...(ki?.changed ?? [])]);
    drawCameras(rg.cameras, cams.features.map((f) => ({ lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], p: f.properties })), hl);
    drawKiosks(rg.kiosks, kiosks.features.map((f) => ({ lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], p: f.properties })), hk);
    // Ghosts on the right: deleted records struck through, moved ones' old places.
    drawChanges(rg.changes, sc.edits.filter((_, i) => !c.stale_edits.some((s) => s.edit === i + 1)), (k, id) => this.recordOf(k, id), true);
    // Key sites, the failing ones ringed red on their side.
    const failing = (f: Figures) => new Set(f.sites.tiers.flatMap((x) => x.failing_ids));
    const fb = failing(c.before);
    const fa = failing(c.after);
    drawSites(lg.sites, this.sites, fb);
    drawSites(rg.sites, this.sites, fa);
    this.state.left = { cameras: leftCams.length, kiosks: leftKiosks.length, failing: fb.size, roads: 0 };
    this.state.right = {
      cameras: cams.features.length,
      kiosks: kiosks.features.length,
      failing: fa.size,
      roads: 0,
      added: (ci?.added.length ?? 0) + (ki?.added.length ?? 0),
      changed: (ci?.changed.length ?? 0) + (ki?.changed.length ?? 0),
      deleted: (ci?.deleted.length ?? 0) + (ki?.deleted.length ?? 0),
    };

    // One view for both: the scenario's edits (or the main map's view), then kept in step.
    const pts: L.LatLngTuple[] = [];
    for (const e of sc.edits) {
      if (e.lon !== undefined && e.lat !== undefined) pts.push(ll(e.lon, e.lat));
      const r = e.op !== 'create' ? this.recordOf(e.kind, e.id) : undefined;
      if (r) pts.push(ll(r.lon, r.lat));
    }
    if (pts.length > 0) left.fitBounds(L.latLngBounds(pts).pad(0.15), { maxZoom: 16, animate: false });
    else left.setView(main.getCenter(), main.getZoom(), { animate: false });
    right.setView(left.getCenter(), left.getZoom(), { animate: false });
    const follow = (from: L.Map, to: L.Map) =>
      from.on('move zoom', () => {
        if (this.syncing) return;
        this.syncing = true;
        to.setView(from.getCenter(), from.getZoom(), { animate: false });
        this.syncing = false;
      });
    follow(left, right);
    follow(right, left);
    left.on('moveend', () => {
      window.clearTimeout(this.roadTimer);
      this.roadTimer = window.setTimeout(() => void this.loadRoads(), 200);
    });
    void this.loadRoads();
  }

  /** Roads of the comparison view, fetched once for both maps (they show the same area). */
  private async loadRoads(): Promise<void> {
    const m = this.left;
    const g = this.sheetLayers;
    if (!m || !g) return;
    this.roadAbort?.abort();
    const ctrl = new AbortController();
    this.roadAbort = ctrl;
    const zoom = Math.round(m.getZoom());
    const [w, s, e, n] = boundsWGS(m.getBounds().pad(0.2));
    try {
      const res = await apiFetch(`/api/v1/layers/roads?bbox=${bboxParam(w, s, e, n)}&zoom=${zoom}`, { signal: ctrl.signal, headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const fc = (await res.json()) as FeatureCollection<LineString, RoadProps>;
      if (ctrl.signal.aborted) return;
      for (const side of [g.left, g.right]) {
        side.roads.clearLayers();
        side.roads.addLayer(L.geoJSON(fc, { coordsToLatLng, interactive: false, style: (f) => roadStyle(f?.properties as RoadProps, zoom) } as L.GeoJSONOptions));
        side.roads.bringToBack();
      }
      this.state.left.roads = this.state.right.roads = fc.features.length;
    } catch (err) {
      if (!ctrl.signal.aborted) this.deps.showError(t('scen.failed', { msg: errorText(err) }), err);
    }
  }
}

/**
 * The printable case (GET /report?scenario=ID): the jurisdiction report with
 * the scenario's edits, the same comparison and maps of both sides. A patrol
 * window other than the default goes along, so the print shows the figures
 * on screen.
 */
export function reportHref(sc: Scenario, c: Comparison): string {
  const w = c.options.window;
  return `/report?scenario=${sc.id}${w && w !== '22:00-02:00' ? `&window=${encodeURIComponent(w)}` : ''}`;
}

// ---------- drawing ----------

function drawCameras(g: L.FeatureGroup, cams: { lon: number; lat: number; p: CameraProps }[], highlight: Set<number>): void {
  for (const { lon, lat, p } of cams) {
    const hot = highlight.has(Number(p.id));
    const color = hot ? ADDED_COLOR : (CAMERA_COLOR[p.kind] ?? CAMERA_COLOR.dome);
    if (p.kind === 'fixed' && p.range_m > 0 && p.fov_deg > 0 && p.fov_deg < 360) {
      g.addLayer(L.polygon(lls(sectorRing(lon, lat, p.direction_deg ?? 0, p.fov_deg, p.range_m)), { color, weight: hot ? 1.5 : 0.8, fillColor: color, fillOpacity: hot ? 0.35 : 0.16, interactive: false }));
    } else if (hot) {
      g.addLayer(L.polygon(lls(sectorRing(lon, lat, 0, 360, p.range_m || 30)), { color, weight: 1.2, fillColor: color, fillOpacity: 0.25, interactive: false }));
    }
    const dot = L.circleMarker(ll(lon, lat), { radius: hot ? 6.5 : 4, color: hot ? '#1b1b1b' : '#fff', weight: hot ? 2 : 1, fillColor: color, fillOpacity: 1 });
    dot.bindPopup(() => cameraPopup(p), { maxWidth: 320 });
    g.addLayer(dot);
  }
}

function drawKiosks(g: L.FeatureGroup, kiosks: { lon: number; lat: number; p: KioskProps }[], highlight: Set<number>): void {
  for (const { lon, lat, p } of kiosks) {
    const hot = highlight.has(Number(p.id));
    const icon = hot
      ? L.divIcon({ className: 'tw-kiosk-icon', html: `<div class="tw-kiosk tw-kiosk-new" style="background:${ADDED_COLOR}">警</div>`, iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -13] })
      : kioskIcon();
    const m = L.marker(ll(lon, lat), { icon, keyboard: false });
    m.bindPopup(() => kioskPopup(p), { maxWidth: 320 });
    g.addLayer(m);
  }
}

function drawSites(g: L.FeatureGroup, sites: Feature<Point, SiteProps>[], failing: Set<number>): void {
  for (const f of sites) {
    const [lon, lat] = f.geometry.coordinates;
    const bad = failing.has(Number(f.properties.id));
    if (bad) g.addLayer(L.circleMarker(ll(lon, lat), { radius: 11, color: DELETED_COLOR, weight: 2.5, fill: false, interactive: false }));
    const m = L.circleMarker(ll(lon, lat), { radius: 5.5, color: '#fff', weight: 1.5, fillColor: SITE_COLOR[siteCategory(f.properties.category)], fillOpacity: 0.95 });
    m.bindPopup(() => sitePopup(f.properties), { maxWidth: 320 });
    g.addLayer(m);
  }
}

/**
 * A scenario's edits as marks: added records in orange, a move as a dashed
 * line from the old place (a grey ghost) to the new, a deletion as the record
 * ghosted and struck through. ghostsOnly draws only the old places and the
 * deletions (the comparison's right map draws the records themselves).
 */
function drawChanges(
  g: L.FeatureGroup,
  edits: ScenarioEdit[],
  record: (kind: RecordKind, id: number | undefined) => { lon: number; lat: number } | undefined,
  ghostsOnly = false,
): void {
  const ghost = (lon: number, lat: number) => L.circleMarker(ll(lon, lat), { radius: 9, color: '#667085', weight: 1.5, dashArray: '3 3', fill: true, fillColor: '#ffffff', fillOpacity: 0.5, interactive: false });
  for (const e of edits) {
    if (e.kind === 'unit') continue;
    const r = e.op === 'create' ? undefined : record(e.kind, e.id);
    if (e.op === 'delete' && r) {
      g.addLayer(ghost(r.lon, r.lat));
      g.addLayer(L.marker(ll(r.lon, r.lat), { icon: L.divIcon({ className: 'tw-scen-x', html: '×', iconSize: [20, 20], iconAnchor: [10, 10] }), interactive: false, keyboard: false }));
      continue;
    }
    if (e.lon === undefined || e.lat === undefined) continue;
    if (e.op === 'update' && r) {
      g.addLayer(ghost(r.lon, r.lat));
      g.addLayer(L.polyline([ll(r.lon, r.lat), ll(e.lon, e.lat)], { color: ADDED_COLOR, weight: 2, dashArray: '5 4', interactive: false }));
    }
    if (ghostsOnly) continue;
    if (e.kind === 'kiosk') {
      g.addLayer(L.marker(ll(e.lon, e.lat), { icon: L.divIcon({ className: 'tw-kiosk-icon', html: `<div class="tw-kiosk tw-kiosk-new" style="background:${ADDED_COLOR}">警</div>`, iconSize: [26, 26], iconAnchor: [13, 13] }), interactive: false, keyboard: false }));
    } else {
      if (e.camera_kind === 'fixed' || e.direction_deg !== undefined) {
        g.addLayer(L.polygon(lls(sectorRing(e.lon, e.lat, e.direction_deg ?? 0, e.fov_deg ?? 60, e.range_m ?? 40)), { color: ADDED_COLOR, weight: 1.2, fillColor: ADDED_COLOR, fillOpacity: 0.3, interactive: false }));
      }
      g.addLayer(L.circleMarker(ll(e.lon, e.lat), { radius: 6.5, color: '#1b1b1b', weight: 2, fillColor: ADDED_COLOR, fillOpacity: 1, interactive: false }));
    }
  }
}
