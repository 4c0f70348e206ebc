// The 1/3/5-minute response rings view (快反圈) for commanders and planners:
// a collapsible panel (mode, tiers, per-kiosk rings, compute; tier road km and
// shares, grids without backup, failing key sites, kiosks off the network;
// kiosk siting with proposals to accept) and four map layers: rings (their own
// canvas pane under the roads and points), a grid choropleth by reached share,
// failing key sites (red rings) and numbered kiosk proposals.
import * as L from 'leaflet';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { coordsToLatLng, ll } from './crsmap';
import { getLang, num, t, type Key } from './i18n';
import { esc, siteCategory } from './layers';
import type { GridProps, SiteProps } from './types';
import { apiFetch } from './api';

export type Mode = 'car' | 'ebike' | 'foot';
export const MODES: readonly Mode[] = ['car', 'ebike', 'foot'];
const MODE_KEYS: Record<Mode, Key> = { car: 'resp.modeCar', ebike: 'resp.modeEbike', foot: 'resp.modeFoot' };

export interface KioskSnap { kiosk_id: number; name: string; snap_m: number; snapped: boolean }
export interface TierSummary { minutes: number; road_km: number; share: number }
export interface GridResponse {
  grid_id: number;
  name: string;
  road_m: number;
  reached_m: number[];
  share: number[];
  kiosks_within: number;
  backup_share: number;
}
export interface SiteResponse {
  site_id: number;
  name: string;
  category: string;
  tier: number;
  seconds: number | null;
  kiosk_id: number;
  snap_m: number;
  ok: boolean;
  reason?: string;
}
export interface ResponseReport {
  mode: Mode;
  minutes: number[];
  network_km: number;
  kiosks: KioskSnap[];
  tiers: TierSummary[];
  grids: GridResponse[];
  sites: SiteResponse[];
  failing_sites: number;
  settled_nodes: number;
}
export interface RingProps { kind: 'ring'; mode: Mode; minutes: number; road_km: number; kiosk_id?: number }
export interface KioskProposal { rank: number; lon: number; lat: number; osm_node?: number; gain: number; share_after: number }
export interface KioskSiting {
  mode: Mode;
  minutes: number;
  weight: string;
  total_weight: number;
  covered_before: number;
  covered_after: number;
  upper_bound: number;
  gap: number;
  min_count?: number;
  candidates: number;
  proposals: KioskProposal[] | null;
}

/** What the browser tests read (window.__tidewatch.response). */
export interface ResponseState {
  busy: boolean;
  computed: number; // completed computations
  report: ResponseReport | null;
  rings: number; // ring features drawn
  choropleth: number; // grids coloured
  failing: number; // failing key sites highlighted
  unsnapped: number;
  siting: KioskSiting | null;
  proposals: number; // proposal markers on the map
  accepted: { id: number; name: string; lon: number; lat: number }[];
  tier: number; // index of the choropleth tier
}

export interface ResponseDeps {
  map: L.Map;
  renderer: L.Renderer; // the shared overlay canvas
  grids: () => L.GeoJSON<GridProps>;
  sites: () => L.GeoJSON<SiteProps>;
  showError: (message: string, err?: unknown) => void;
  /** After a kiosk was added: reload meta and the kiosks layer. */
  kioskAdded: () => Promise<void>;
  /** Overlays or legend content changed. */
  changed: () => void;
  /** Sizes the panels of the left column (the dock); without it the panel sizes itself. */
  fit?: () => void;
  /** This panel was opened (the dock closes the others). */
  opened?: () => void;
}

// ---------- colours ----------

/** Ring fills and outlines by tier index: darkest for the shortest time. */
export const RING_COLORS = ['#0f3b7a', '#2f6fc1', '#7fb0ea'];
const RING_FILL = [0.42, 0.32, 0.3];
const RING_WEIGHT = [1.8, 1.1, 0.9];

/** Share classes of the grid choropleth, low (red) to high (green). */
export const SHARE_CLASSES: { min: number; color: string }[] = [
  { min: 0, color: '#d7191c' },
  { min: 0.2, color: '#f07c4a' },
  { min: 0.4, color: '#fdd46a' },
  { min: 0.6, color: '#9bd068' },
  { min: 0.8, color: '#1a9641' },
];
export const NO_ROAD_COLOR = '#b8bcc4';
export const FAIL_COLOR = '#d92d20';
export const PROPOSAL_COLOR = '#e07b00';

export function shareColor(share: number): string {
  let c = SHARE_CLASSES[0].color;
  for (const k of SHARE_CLASSES) if (share >= k.min - 1e-9) c = k.color;
  return c;
}

function ringColor(i: number): string {
  return RING_COLORS[Math.min(i, RING_COLORS.length - 1)];
}

// ---------- formatting ----------

export function pct(share: number, digits = 1): string {
  return t('unit.percent', { n: num(share * 100, digits) });
}

/** Seconds as "N分M秒" / "N min M s". */
export function minSec(seconds: number): string {
  const s = Math.round(seconds);
  return t('unit.minSec', { m: Math.floor(s / 60), s: s % 60 });
}

const REASONS: Record<string, Key> = {
  'no routable road within the snap limit': 'resp.reasonNoRoad',
  'no kiosk reaches it within 15 minutes': 'resp.reasonUnreached',
  'slower than its tier': 'resp.reasonSlow',
};

export function reasonText(reason: string | undefined): string {
  if (!reason) return t('value.none');
  const k = REASONS[reason];
  return k ? t(k) : reason;
}

/** An API answer that is not 2xx: its HTTP status and the message of its body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> | null = null,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The record was changed by someone else since the page loaded it (412 on If-Match, 409 on a body version). */
export function isConflict(err: unknown): boolean {
  return err instanceof HttpError && (err.status === 412 || err.status === 409);
}

/** The If-Match header naming a record's version (its strong ETag), or none when the version is unknown. */
export function ifMatch(version: number | undefined): Record<string, string> {
  return typeof version === 'number' && version > 0 ? { 'If-Match': `"${version}"` } : {};
}

/**
 * fetch() through apiFetch (CSRF header on unsafe methods) expecting JSON; the
 * caller's headers (If-Match) are kept. Reads an error body of the API
 * ({code,error} or {error:{message}}) into an HttpError's message.
 */
export async function requestJSON<T>(url: string, init?: RequestInit): Promise<T> {
  const headers = new Headers(init?.headers);
  headers.set('Accept', 'application/json');
  if (init?.body) headers.set('Content-Type', 'application/json');
  const res = await apiFetch(url, { ...init, headers });
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).trim();
    let msg = text.slice(0, 200);
    let body: Record<string, unknown> | null = null;
    try {
      const j = JSON.parse(text) as { error?: string | { message?: string } };
      body = j as Record<string, unknown>;
      if (typeof j.error === 'string') msg = j.error;
      else if (j.error?.message) msg = j.error.message;
    } catch {
      /* not JSON: keep the text */
    }
    throw new HttpError(res.status, `HTTP ${res.status}${msg ? `: ${msg}` : ''}`, body);
  }
  return (await res.json()) as T;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A panel's status line: its text (re-read on a language switch) and whether it is bad news. */
export interface Status {
  text: () => string;
  bad: boolean;
}

/** What a siting run needs of its panel (kiosk siting here, camera 补盲 in coverage.ts). */
export interface SitingHost<R> {
  state: { busy: boolean; siting: R | null; accepted: unknown[] };
  setStatus(s: Status): void;
  render(): void;
  draw(res: R): void;
  showError(message: string, err: unknown): void;
  changed(): void;
}

/**
 * Runs one siting request for a panel: busy meanwhile, the status from the
 * keys (working, then hint or none, or failed with the message), the result
 * kept with nothing accepted yet, and its proposals drawn.
 */
export async function runSiting<R extends { proposals?: unknown[] | null }>(
  host: SitingHost<R>,
  url: string,
  body: unknown,
  keys: { working: Key; hint: Key; none: Key; failed: Key },
): Promise<void> {
  host.state.busy = true;
  host.setStatus({ text: () => t(keys.working), bad: false });
  host.render();
  try {
    const res = await requestJSON<R>(url, { method: 'POST', body: JSON.stringify(body) });
    host.state.siting = res;
    host.state.accepted = [];
    host.draw(res);
    host.setStatus({ text: () => (res.proposals?.length ? t(keys.hint) : t(keys.none)), bad: false });
  } catch (err) {
    host.setStatus({ text: () => t(keys.failed, { msg: errorText(err) }), bad: true });
    host.showError(t(keys.failed, { msg: errorText(err) }), err);
  } finally {
    host.state.busy = false;
    host.render();
    host.changed();
  }
}

// ---------- popups ----------

export function table(heading: string, rows: [string, string][]): string {
  const body = rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('');
  return `<div class="tw-popup"><h3>${esc(heading)}</h3><table>${body}</table></div>`;
}

interface ChoroProps { grid: GridResponse; minutes: number[] }

function gridPopup(p: ChoroProps): string {
  const g = p.grid;
  const maxT = p.minutes[p.minutes.length - 1];
  const rows: [string, string][] = [[t('resp.roadLength'), esc(t('unit.km', { n: num(g.road_m / 1000, 2) }))]];
  p.minutes.forEach((m, i) => {
    rows.push([t('resp.shareWithin', { n: num(m, m % 1 ? 1 : 0) }), g.road_m > 0 ? `<span class="tw-swatch" style="background:${shareColor(g.share[i] ?? 0)}"></span>${esc(pct(g.share[i] ?? 0))}` : esc(t('resp.noRoad'))]);
  });
  const backupCls = g.kiosks_within < 2 ? ' class="tw-bad"' : '';
  rows.push([t('resp.kiosksWithin', { n: num(maxT, maxT % 1 ? 1 : 0) }), `<span${backupCls}>${esc(num(g.kiosks_within))}</span>`]);
  rows.push([t('resp.backupShare'), esc(pct(g.backup_share))]);
  return table(g.name || String(g.grid_id), rows);
}

function sitePopup(s: SiteResponse, kioskName: string): string {
  const cat = siteCategory(s.category);
  const catLabel = cat === 'other' && s.category ? s.category : t(`category.${cat}`);
  return table(s.name || String(s.site_id), [
    [t('prop.category'), esc(catLabel)],
    [t('resp.requiredTier'), esc(t('unit.tier', { n: s.tier }))],
    [t('resp.actualTime'), s.seconds == null ? `<span class="tw-bad">${esc(t('resp.unreached'))}</span>` : `<span class="tw-bad">${esc(minSec(s.seconds))}</span>`],
    [t('resp.reason'), esc(reasonText(s.reason))],
    [t('resp.nearestKiosk'), esc(kioskName || t('value.none'))],
  ]);
}

// ---------- the view ----------

interface Form {
  mode: Mode;
  tiers: [string, string, string];
  perKiosk: boolean;
  sitingMinutes: string;
  sitingBy: 'count' | 'target';
  sitingCount: string;
  sitingTarget: string;
  sitingWeight: 'road' | 'incidents';
}

export class ResponseView {
  readonly state: ResponseState = {
    busy: false,
    computed: 0,
    report: null,
    rings: 0,
    choropleth: 0,
    failing: 0,
    unsnapped: 0,
    siting: null,
    proposals: 0,
    accepted: [],
    tier: 1,
  };
  readonly rings: L.GeoJSON<RingProps>;
  readonly choropleth: L.GeoJSON<ChoroProps>;
  readonly failing: L.FeatureGroup;
  readonly proposals: L.FeatureGroup;
  readonly control: L.Control;

  private form: Form = {
    mode: 'car',
    tiers: ['1', '3', '5'],
    perKiosk: false,
    sitingMinutes: '3',
    sitingBy: 'count',
    sitingCount: '2',
    sitingTarget: '95',
    sitingWeight: 'road',
  };
  private box: HTMLDetailsElement | null = null;
  // Status lines are kept as functions, so a language switch re-renders them.
  private status: { text: () => string; bad: boolean } = { text: () => '', bad: false };
  private sitingStatus: { text: () => string; bad: boolean } = { text: () => '', bad: false };
  private sitingOpen = false;
  private ringsPerKiosk = false;

  constructor(readonly deps: ResponseDeps) {
    const { map } = deps;
    // Rings get their own canvas in a pane under the overlay pane: under the
    // roads, grids and points, and never in the way of a click.
    const pane = map.createPane('tw-rings');
    pane.style.zIndex = '350';
    pane.style.pointerEvents = 'none';
    const ringRenderer = L.canvas({ pane: 'tw-rings', padding: 0.5 });
    this.rings = L.geoJSON<RingProps>(undefined, {
      coordsToLatLng,
      renderer: ringRenderer,
      interactive: false,
      style: (f) => this.ringStyle(f?.properties),
    } as L.GeoJSONOptions<RingProps>);

    this.choropleth = L.geoJSON<ChoroProps>(undefined, {
      coordsToLatLng,
      renderer: deps.renderer,
      style: (f) => this.choroStyle(f?.properties),
      onEachFeature: (f, l) => {
        l.bindTooltip(() => {
          const p = f.properties;
          const i = this.state.tier;
          const share = p.grid.road_m > 0 ? pct(p.grid.share[i] ?? 0) : t('resp.noRoad');
          return esc(`${p.grid.name || p.grid.grid_id} · ${t('unit.tier', { n: p.minutes[i] })} ${share}`);
        }, { sticky: true, direction: 'top', className: 'tw-tooltip' });
        l.bindPopup(() => gridPopup(f.properties), { maxWidth: 320 });
      },
    } as L.GeoJSONOptions<ChoroProps>);
    this.failing = L.featureGroup();
    this.proposals = L.featureGroup();
    this.proposals.on('popupopen', (e) => this.wireAccept(e as L.PopupEvent));

    const view = this;
    const Panel = L.Control.extend({
      onAdd(): HTMLElement {
        const box = L.DomUtil.create('details', 'tw-resp leaflet-bar') as HTMLDetailsElement;
        box.id = 'response-panel';
        box.open = window.matchMedia('(min-width: 700px)').matches;
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        box.addEventListener('toggle', () => {
          if (box.open) view.deps.opened?.();
          view.fit();
        });
        view.box = box;
        view.render();
        return box;
      },
    });
    this.control = new Panel({ position: 'topleft' });
    map.on('resize', () => this.fit());
    map.on('popupopen', (e) => this.clearPanel((e as L.PopupEvent).popup));
  }

  /** The overlays for the layer control: key, layer, data-layer name. */
  overlays(): [Key, L.Layer, string][] {
    return [
      ['layer.rings', this.rings, 'rings'],
      ['layer.gridShare', this.choropleth, 'gridShare'],
      ['layer.failingSites', this.failing, 'failingSites'],
      ['layer.proposals', this.proposals, 'proposals'],
    ];
  }

  /** Pixels the open panel takes from the left of the map (for fitting views). */
  leftInset(): number {
    const box = this.box;
    if (!box || !box.open) return 0;
    return Math.round(box.getBoundingClientRect().right - this.deps.map.getContainer().getBoundingClientRect().left);
  }

  /** Draw order on the shared canvas: the choropleth just over the grids. */
  restack(): void {
    this.choropleth.bringToBack();
    this.failing.bringToFront(); // red rings over the site dots, also after a layer was switched back on
  }

  private tiers(): number[] {
    return this.state.report?.minutes ?? this.form.tiers.map(Number);
  }

  private ringStyle(p: RingProps | undefined): L.PathOptions {
    const mins = this.tiers();
    let i = mins.indexOf(p?.minutes ?? 0);
    if (i < 0) i = mins.length - 1;
    const c = ringColor(i);
    return {
      color: c,
      weight: RING_WEIGHT[Math.min(i, 2)],
      opacity: i === 0 ? 0.9 : 0.65,
      fillColor: c,
      fillOpacity: this.ringsPerKiosk ? RING_FILL[Math.min(i, 2)] * 0.45 : RING_FILL[Math.min(i, 2)],
      fillRule: 'nonzero',
      lineJoin: 'round',
    };
  }

  private choroStyle(p: ChoroProps | undefined): L.PathOptions {
    const g = p?.grid;
    if (!g || g.road_m <= 0) return { color: '#ffffff', weight: 0.8, opacity: 0.9, fillColor: NO_ROAD_COLOR, fillOpacity: 0.35 };
    return { color: '#ffffff', weight: 0.8, opacity: 0.9, fillColor: shareColor(g.share[this.state.tier] ?? 0), fillOpacity: 0.5 };
  }

  // ---------- panel ----------

  /** Pans the map so an open popup is not hidden under the open panel. */
  private clearPanel(popup: L.Popup): void {
    const box = this.box;
    const el = popup.getElement();
    if (!box || !box.open || !el) return;
    const b = box.getBoundingClientRect();
    const p = el.getBoundingClientRect();
    const overlap = p.left < b.right && b.left < p.right && p.top < b.bottom && b.top < p.bottom;
    if (overlap) this.deps.map.panBy([-(b.right + 12 - p.left), 0], { animate: false });
  }

  /** Keeps the panel above the bottom controls (scale, legend) on short screens. */
  fit(): void {
    if (this.deps.fit) return this.deps.fit();
    const box = this.box;
    if (!box) return;
    const mapBox = this.deps.map.getContainer().getBoundingClientRect();
    const top = box.getBoundingClientRect().top - mapBox.top;
    const reserve = window.matchMedia('(max-width: 699px)').matches ? 96 : 44;
    box.style.maxHeight = `${Math.max(160, mapBox.height - top - reserve)}px`;
  }

  render(): void {
    const box = this.box;
    if (!box) return;
    const f = this.form;
    const rep = this.state.report;
    const busy = this.state.busy;
    const modeButtons = MODES.map(
      (m) =>
        `<label class="tw-seg-item"><input type="radio" name="resp-mode" value="${m}"${f.mode === m ? ' checked' : ''}><span>${esc(t(MODE_KEYS[m]))}</span></label>`,
    ).join('');
    const tierInputs = f.tiers
      .map((v, i) => `<input id="resp-tier-${i}" class="tw-num" type="number" min="0.5" max="60" step="0.5" value="${esc(v)}" aria-label="${esc(t('resp.tierN', { n: i + 1 }))}">`)
      .join('<span class="tw-sep">/</span>');
    const parts: string[] = [];
    parts.push(`<summary><span class="tw-resp-title">${esc(t('resp.title'))}</span><span class="tw-resp-sub">${esc(t('resp.subtitle'))}</span></summary>`);
    parts.push('<div class="tw-resp-body">');
    parts.push(`<div class="tw-field"><span class="tw-label">${esc(t('resp.mode'))}</span><div class="tw-seg" role="radiogroup">${modeButtons}</div></div>`);
    parts.push(`<div class="tw-field"><span class="tw-label">${esc(t('resp.tiers'))}</span><div class="tw-tiers">${tierInputs}<span class="tw-unit">${esc(t('resp.minutes'))}</span></div></div>`);
    parts.push(
      `<div class="tw-field tw-row"><label class="tw-check"><input id="resp-per-kiosk" type="checkbox"${f.perKiosk ? ' checked' : ''}> ${esc(t('resp.perKiosk'))}</label>` +
        `<button id="resp-compute" class="tw-btn tw-btn-primary" type="button"${busy ? ' disabled' : ''}>${esc(busy ? t('resp.computing') : t('resp.compute'))}</button></div>`,
    );
    parts.push(`<div id="resp-status" class="tw-status${this.status.bad ? ' tw-bad' : ''}" role="status">${esc(this.status.text())}</div>`);
    if (rep) parts.push(this.resultsHtml(rep));
    parts.push(this.sitingHtml());
    parts.push('</div>');
    box.innerHTML = parts.join('');
    this.wire();
    this.fit();
  }

  private resultsHtml(rep: ResponseReport): string {
    const out: string[] = [];
    const head = `<tr><th>${esc(t('resp.colTier'))}</th><th>${esc(t('resp.colRoad'))}</th><th>${esc(t('resp.colShare'))}</th></tr>`;
    const rows = rep.tiers
      .map((tr, i) => {
        const sw = `<span class="tw-swatch" style="background:${ringColor(i)}"></span>`;
        return `<tr data-minutes="${tr.minutes}"><td>${sw}${esc(t('unit.tier', { n: num(tr.minutes, tr.minutes % 1 ? 1 : 0) }))}</td><td>${esc(num(tr.road_km, 1))}</td><td><div class="tw-bar"><span style="width:${Math.min(100, tr.share * 100).toFixed(1)}%;background:${ringColor(i)}"></span></div>${esc(pct(tr.share))}</td></tr>`;
      })
      .join('');
    out.push(`<div class="tw-resp-caption">${esc(t('resp.networkKm', { mode: t(MODE_KEYS[rep.mode] ?? 'resp.modeCar'), n: num(rep.network_km, 1) }))}</div>`);
    out.push(`<table id="resp-table" class="tw-table">${head}${rows}</table>`);
    const noBackup = rep.grids.filter((g) => g.road_m > 0 && g.kiosks_within < 2).length;
    const withRoad = rep.grids.filter((g) => g.road_m > 0).length;
    const maxT = rep.minutes[rep.minutes.length - 1];
    out.push('<div class="tw-kpis">');
    out.push(
      `<div class="tw-kpi${noBackup > 0 ? ' tw-kpi-warn' : ''}" id="resp-no-backup" title="${esc(t('resp.noBackupTitle', { n: maxT }))}"><b>${esc(num(noBackup))}</b><span>${esc(t('resp.noBackup', { total: num(withRoad) }))}</span></div>`,
    );
    out.push(
      `<div class="tw-kpi${rep.failing_sites > 0 ? ' tw-kpi-bad' : ''}" id="resp-failing"><b>${esc(num(rep.failing_sites))}</b><span>${esc(t('resp.failingSites', { total: num(rep.sites.length) }))}</span></div>`,
    );
    out.push('</div>');
    const on = this.deps.map.hasLayer(this.choropleth);
    const opts =
      `<option value=""${on ? '' : ' selected'}>${esc(t('resp.gridOff'))}</option>` +
      rep.minutes
        .map((m, i) => `<option value="${i}"${on && i === this.state.tier ? ' selected' : ''}>${esc(t('resp.gridBy', { n: num(m, m % 1 ? 1 : 0) }))}</option>`)
        .join('');
    out.push(`<div class="tw-field tw-row"><label class="tw-label" for="resp-grid-tier">${esc(t('resp.gridTier'))}</label><select id="resp-grid-tier">${opts}</select></div>`);
    const off = rep.kiosks.filter((k) => !k.snapped);
    if (off.length > 0) {
      const items = off.map((k) => `<li>${esc(k.name || String(k.kiosk_id))} <span class="tw-muted">${esc(t('resp.snapDist', { n: num(k.snap_m) }))}</span></li>`).join('');
      out.push(`<div id="resp-unsnapped" class="tw-note tw-note-warn"><b>${esc(t('resp.unsnapped', { n: off.length }))}</b><ul>${items}</ul></div>`);
    }
    return out.join('');
  }

  private sitingHtml(): string {
    const f = this.form;
    const s = this.state.siting;
    const busy = this.state.busy;
    const out: string[] = [];
    out.push(`<details id="resp-siting" class="tw-subpanel"${this.sitingOpen ? ' open' : ''}><summary>${esc(t('siting.title'))}</summary>`);
    out.push(
      `<div class="tw-field tw-row"><label class="tw-label" for="siting-minutes">${esc(t('siting.minutes'))}</label><span><input id="siting-minutes" class="tw-num" type="number" min="0.5" max="60" step="0.5" value="${esc(f.sitingMinutes)}"> <span class="tw-unit">${esc(t('resp.minutes'))}</span></span></div>`,
    );
    const by = `<select id="siting-by"><option value="count"${f.sitingBy === 'count' ? ' selected' : ''}>${esc(t('siting.byCount'))}</option><option value="target"${f.sitingBy === 'target' ? ' selected' : ''}>${esc(t('siting.byTarget'))}</option></select>`;
    const val =
      f.sitingBy === 'count'
        ? `<input id="siting-count" class="tw-num" type="number" min="1" max="20" step="1" value="${esc(f.sitingCount)}"> <span class="tw-unit">${esc(t('siting.countUnit'))}</span>`
        : `<input id="siting-target" class="tw-num" type="number" min="1" max="100" step="1" value="${esc(f.sitingTarget)}"> <span class="tw-unit">%</span>`;
    out.push(`<div class="tw-field tw-row">${by}<span>${val}</span></div>`);
    out.push(
      `<div class="tw-field tw-row"><label class="tw-label" for="siting-weight">${esc(t('siting.weight'))}</label><select id="siting-weight"><option value="road"${f.sitingWeight === 'road' ? ' selected' : ''}>${esc(t('siting.weightRoad'))}</option><option value="incidents"${f.sitingWeight === 'incidents' ? ' selected' : ''}>${esc(t('siting.weightIncidents'))}</option></select></div>`,
    );
    out.push(
      `<div class="tw-field tw-row"><span class="tw-muted">${esc(t('siting.modeNote', { mode: t(MODE_KEYS[f.mode]) }))}</span><button id="siting-propose" class="tw-btn tw-btn-primary" type="button"${busy ? ' disabled' : ''}>${esc(t('siting.propose'))}</button></div>`,
    );
    out.push(`<div id="siting-status" class="tw-status${this.sitingStatus.bad ? ' tw-bad' : ''}" role="status">${esc(this.sitingStatus.text())}</div>`);
    if (s) {
      const before = s.total_weight > 0 ? s.covered_before / s.total_weight : 0;
      const after = s.total_weight > 0 ? s.covered_after / s.total_weight : 0;
      out.push(
        `<div id="siting-summary" class="tw-siting-summary"><div class="tw-cover"><span>${esc(pct(before))}</span><span class="tw-arrow">→</span><b>${esc(pct(after))}</b></div>` +
          `<div class="tw-muted">${esc(t('siting.coverNote', { n: num(s.proposals?.length ?? 0), mode: t(MODE_KEYS[s.mode] ?? 'resp.modeCar'), min: num(s.minutes, s.minutes % 1 ? 1 : 0), weight: t(s.weight === 'incidents' ? 'siting.weightIncidents' : 'siting.weightRoad') }))}</div>` +
          `<div class="tw-muted">${esc(t('siting.gap', { n: num(s.gap * 100, 1) }))}${s.min_count ? ` · ${esc(t('siting.minCount', { n: s.min_count }))}` : ''}</div></div>`,
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
    if (!box) return;
    const q = <T extends HTMLElement>(sel: string) => box.querySelector(sel) as T | null;
    box.querySelectorAll<HTMLInputElement>('input[name=resp-mode]').forEach((el) =>
      el.addEventListener('change', () => {
        this.form.mode = el.value as Mode;
        this.render();
      }),
    );
    for (let i = 0; i < 3; i++) {
      q<HTMLInputElement>(`#resp-tier-${i}`)?.addEventListener('input', (e) => {
        this.form.tiers[i] = (e.target as HTMLInputElement).value;
      });
    }
    q<HTMLInputElement>('#resp-per-kiosk')?.addEventListener('change', (e) => {
      this.form.perKiosk = (e.target as HTMLInputElement).checked;
    });
    q('#resp-compute')?.addEventListener('click', () => void this.compute());
    q<HTMLSelectElement>('#resp-grid-tier')?.addEventListener('change', (e) => {
      const v = (e.target as HTMLSelectElement).value;
      if (v === '') {
        this.choropleth.remove();
      } else {
        this.state.tier = Number(v);
        this.choropleth.setStyle((f) => this.choroStyle(f?.properties as ChoroProps));
        if (!this.deps.map.hasLayer(this.choropleth)) this.choropleth.addTo(this.deps.map);
      }
      this.deps.changed();
    });
    const siting = q<HTMLDetailsElement>('#resp-siting');
    siting?.addEventListener('toggle', () => {
      this.sitingOpen = siting.open;
      this.fit();
    });
    q<HTMLInputElement>('#siting-minutes')?.addEventListener('input', (e) => (this.form.sitingMinutes = (e.target as HTMLInputElement).value));
    q<HTMLInputElement>('#siting-count')?.addEventListener('input', (e) => (this.form.sitingCount = (e.target as HTMLInputElement).value));
    q<HTMLInputElement>('#siting-target')?.addEventListener('input', (e) => (this.form.sitingTarget = (e.target as HTMLInputElement).value));
    q<HTMLSelectElement>('#siting-by')?.addEventListener('change', (e) => {
      this.form.sitingBy = (e.target as HTMLSelectElement).value === 'target' ? 'target' : 'count';
      this.render();
    });
    q<HTMLSelectElement>('#siting-weight')?.addEventListener('change', (e) => {
      this.form.sitingWeight = (e.target as HTMLSelectElement).value === 'incidents' ? 'incidents' : 'road';
    });
    q('#siting-propose')?.addEventListener('click', () => void this.propose());
  }

  // ---------- compute ----------

  /** The tiers typed in the panel, or null (and a message) when they are not usable. */
  private parseTiers(): number[] | null {
    const v = this.form.tiers.map((s) => Number(String(s).trim()));
    const ok = v.every((x) => Number.isFinite(x) && x > 0 && x <= 60) && v.every((x, i) => i === 0 || x > v[i - 1]);
    return ok ? v : null;
  }

  async compute(): Promise<void> {
    const tiers = this.parseTiers();
    if (!tiers) {
      this.status = { text: () => t('resp.badTiers'), bad: true };
      this.render();
      return;
    }
    const mode = this.form.mode;
    const perKiosk = this.form.perKiosk;
    const q = `mode=${mode}&minutes=${tiers.join(',')}`;
    this.state.busy = true;
    this.status = { text: () => t('resp.computing'), bad: false };
    this.render();
    try {
      const [rep, rings] = await Promise.all([
        requestJSON<ResponseReport>(`/api/v1/response?${q}`),
        requestJSON<GeoJSON.FeatureCollection<MultiPolygon | Polygon, RingProps>>(`/api/v1/response/rings?${q}${perKiosk ? '&per_kiosk=1' : ''}`),
      ]);
      const prevTiers = this.state.report?.minutes.length;
      this.state.report = rep;
      if (prevTiers !== rep.minutes.length) this.state.tier = Math.min(1, rep.minutes.length - 1);
      this.state.tier = Math.min(this.state.tier, rep.minutes.length - 1);
      this.ringsPerKiosk = perKiosk;
      this.drawRings(rings);
      this.drawChoropleth(rep);
      this.drawFailing(rep);
      this.state.unsnapped = rep.kiosks.filter((k) => !k.snapped).length;
      const used = rep.kiosks.length - this.state.unsnapped;
      this.status = { text: () => t('resp.done', { mode: t(MODE_KEYS[rep.mode] ?? 'resp.modeCar'), kiosks: num(used) }), bad: false };
      this.state.computed++;
    } catch (err) {
      this.status = { text: () => t('resp.failed', { msg: errorText(err) }), bad: true };
      this.deps.showError(t('resp.failed', { msg: errorText(err) }), err);
    } finally {
      this.state.busy = false;
      this.render();
      this.deps.changed();
    }
  }

  private drawRings(fc: GeoJSON.FeatureCollection<MultiPolygon | Polygon, RingProps>): void {
    // Largest tier first, so the shorter (darker) rings are painted over it.
    const feats = [...(fc.features ?? [])].sort((a, b) => (b.properties?.minutes ?? 0) - (a.properties?.minutes ?? 0));
    this.rings.clearLayers();
    this.rings.addData({ type: 'FeatureCollection', features: feats } as GeoJSON.FeatureCollection);
    this.state.rings = this.rings.getLayers().length;
    if (!this.deps.map.hasLayer(this.rings)) this.rings.addTo(this.deps.map);
  }

  private drawChoropleth(rep: ResponseReport): void {
    const byId = new Map(rep.grids.map((g) => [String(g.grid_id), g]));
    const feats: Feature<Polygon | MultiPolygon, ChoroProps>[] = [];
    for (const l of this.deps.grids().getLayers()) {
      const f = (l as L.Layer & { feature?: Feature<Polygon | MultiPolygon, GridProps> }).feature;
      const g = f && byId.get(String(f.properties.id));
      if (f && g) feats.push({ type: 'Feature', geometry: f.geometry, properties: { grid: g, minutes: rep.minutes } });
    }
    this.choropleth.clearLayers();
    this.choropleth.addData({ type: 'FeatureCollection', features: feats } as GeoJSON.FeatureCollection);
    this.state.choropleth = this.choropleth.getLayers().length;
    // Shown on request (the panel's selector or the layer control): over the rings it would hide them.
    this.restack();
  }

  private drawFailing(rep: ResponseReport): void {
    const kioskName = new Map(rep.kiosks.map((k) => [k.kiosk_id, k.name]));
    const where = new Map<string, L.LatLng>();
    for (const l of this.deps.sites().getLayers()) {
      const f = (l as L.CircleMarker & { feature?: Feature<GeoJSON.Point, SiteProps> }).feature;
      if (f) where.set(String(f.properties.id), (l as L.CircleMarker).getLatLng());
    }
    this.failing.clearLayers();
    let n = 0;
    for (const s of rep.sites) {
      if (s.ok) continue;
      const at = where.get(String(s.site_id));
      if (!at) continue;
      const halo = L.circleMarker(at, { renderer: this.deps.renderer, radius: 12, color: '#ffffff', weight: 6, opacity: 0.9, fill: false, interactive: false });
      const ring = L.circleMarker(at, { renderer: this.deps.renderer, radius: 12, color: FAIL_COLOR, weight: 3, fillColor: FAIL_COLOR, fillOpacity: 0.08 });
      (ring as L.CircleMarker & { site?: SiteResponse }).site = s;
      ring.bindPopup(() => sitePopup(s, kioskName.get(s.kiosk_id) ?? ''), { maxWidth: 320 });
      ring.bindTooltip(() => esc(`${s.name} · ${s.seconds == null ? t('resp.unreached') : minSec(s.seconds)} / ${t('unit.tier', { n: s.tier })}`), {
        direction: 'top',
        offset: [0, -10],
        className: 'tw-tooltip',
      });
      this.failing.addLayer(halo);
      this.failing.addLayer(ring);
      n++;
    }
    this.state.failing = n;
    if (!this.deps.map.hasLayer(this.failing)) this.failing.addTo(this.deps.map);
  }

  // ---------- siting ----------

  async propose(): Promise<void> {
    const f = this.form;
    const minutes = Number(f.sitingMinutes);
    const count = Number(f.sitingCount);
    const target = Number(f.sitingTarget);
    const bad =
      !(Number.isFinite(minutes) && minutes > 0 && minutes <= 60) ||
      (f.sitingBy === 'count' ? !(Number.isInteger(count) && count >= 1 && count <= 20) : !(Number.isFinite(target) && target > 0 && target <= 100));
    if (bad) {
      this.sitingStatus = { text: () => t('siting.badInput'), bad: true };
      this.render();
      return;
    }
    const body: Record<string, unknown> = { mode: f.mode, minutes, weight: f.sitingWeight };
    if (f.sitingBy === 'count') body.count = count;
    else body.target_percent = target;
    await runSiting(this.sitingHost(), '/api/v1/siting/kiosks', body, {
      working: 'siting.working',
      hint: 'siting.hint',
      none: 'siting.none',
      failed: 'siting.failed',
    });
  }

  private sitingHost(): SitingHost<KioskSiting> {
    return {
      state: this.state,
      setStatus: (st) => (this.sitingStatus = st),
      render: () => this.render(),
      draw: (res) => this.drawProposals(res),
      showError: (m, e) => this.deps.showError(m, e),
      changed: () => this.deps.changed(),
    };
  }

  private drawProposals(res: KioskSiting): void {
    this.proposals.clearLayers();
    for (const p of res.proposals ?? []) {
      const m = L.marker(ll(p.lon, p.lat), {
        icon: L.divIcon({
          className: 'tw-proposal-icon',
          html: `<div class="tw-proposal">${p.rank}</div>`,
          iconSize: [26, 26],
          iconAnchor: [13, 13],
          popupAnchor: [0, -13],
        }),
        keyboard: false,
        riseOnHover: true,
        zIndexOffset: 500,
      });
      (m as L.Marker & { proposal?: KioskProposal }).proposal = p;
      m.bindTooltip(() => esc(t('siting.proposalN', { n: p.rank })), { direction: 'top', offset: [0, -12], className: 'tw-tooltip' });
      m.bindPopup(() => this.proposalPopup(p), { maxWidth: 300, minWidth: 220 });
      this.proposals.addLayer(m);
    }
    this.state.proposals = this.proposals.getLayers().length;
    if (!this.deps.map.hasLayer(this.proposals)) this.proposals.addTo(this.deps.map);
    const b = this.proposals.getLayers().length > 0 ? this.proposals.getBounds() : null;
    if (b && !this.deps.map.getBounds().contains(b)) this.deps.map.panTo(b.getCenter(), { animate: false });
  }

  private proposalPopup(p: KioskProposal): string {
    const s = this.state.siting;
    const total = s?.total_weight ?? 0;
    const gain = total > 0 ? p.gain / total : 0;
    const name = t('siting.defaultName', { n: p.rank });
    return (
      `<div class="tw-popup tw-proposal-popup" data-rank="${p.rank}"><h3>${esc(t('siting.proposalN', { n: p.rank }))}</h3>` +
      `<div class="tw-gain">${esc(t('siting.gainLine', { gain: num(gain * 100, 1), after: num(p.share_after * 100, 1) }))}</div>` +
      `<table><tr><th>${esc(t('siting.position'))}</th><td>${esc(`${p.lat.toFixed(5)}, ${p.lon.toFixed(5)}`)}</td></tr>` +
      (p.osm_node ? `<tr><th>${esc(t('siting.junction'))}</th><td>${esc(`node/${p.osm_node}`)}</td></tr>` : '') +
      `</table>` +
      `<label class="tw-popup-field">${esc(t('siting.name'))}<input class="tw-accept-name" type="text" maxlength="60" value="${esc(name)}"></label>` +
      `<div class="tw-popup-actions"><button class="tw-btn tw-btn-primary tw-accept" type="button">${esc(t('siting.accept'))}</button><span class="tw-accept-status tw-muted" role="status"></span></div></div>`
    );
  }

  private wireAccept(e: L.PopupEvent): void {
    const el = e.popup.getElement();
    const marker = (e as L.PopupEvent & { layer?: L.Marker }).layer ?? (e.popup as unknown as { _source?: L.Marker })._source;
    const p = (marker as (L.Marker & { proposal?: KioskProposal }) | undefined)?.proposal;
    if (!el || !p || !marker) return;
    const btn = el.querySelector<HTMLButtonElement>('.tw-accept');
    const nameInput = el.querySelector<HTMLInputElement>('.tw-accept-name');
    const st = el.querySelector<HTMLElement>('.tw-accept-status');
    btn?.addEventListener('click', () => void this.accept(p, marker, nameInput?.value ?? '', btn, st));
  }

  private async accept(p: KioskProposal, marker: L.Marker, name: string, btn: HTMLButtonElement, st: HTMLElement | null): Promise<void> {
    btn.disabled = true;
    if (st) st.textContent = t('siting.saving');
    try {
      const res = await requestJSON<{ id: number; name: string; lon: number; lat: number }>('/api/v1/kiosks', {
        method: 'POST',
        body: JSON.stringify({ name: name.trim() || t('siting.defaultName', { n: p.rank }), lon: p.lon, lat: p.lat, staff: 0, vehicles: 0 }),
      });
      this.state.accepted.push(res);
      this.deps.map.closePopup();
      this.proposals.removeLayer(marker);
      this.state.proposals = this.proposals.getLayers().length;
      this.sitingStatus = { text: () => t('siting.accepted', { name: res.name }), bad: false };
      await this.deps.kioskAdded();
      if (this.state.report) await this.compute();
      else this.render();
    } catch (err) {
      btn.disabled = false;
      if (isConflict(err)) {
        // Someone else changed the kiosks meanwhile: say so and show theirs.
        if (st) st.textContent = t('edit.conflict');
        this.deps.showError(t('edit.conflict'), err);
        await this.deps.kioskAdded().catch(() => undefined);
        return;
      }
      if (st) st.textContent = t('siting.failed', { msg: errorText(err) });
      this.deps.showError(t('siting.failed', { msg: errorText(err) }), err);
    }
  }

  // ---------- legend ----------

  legendHtml(row: (sym: string, label: string) => string): string {
    const map = this.deps.map;
    const rep = this.state.report;
    const parts: string[] = [];
    const mins = this.tiers();
    if (rep && map.hasLayer(this.rings) && this.state.rings > 0) {
      parts.push(`<h4>${esc(t('legend.rings', { mode: t(MODE_KEYS[rep.mode] ?? 'resp.modeCar') }))}</h4>`);
      mins.forEach((m, i) => {
        const c = ringColor(i);
        parts.push(
          row(
            `<svg width="28" height="16" aria-hidden="true"><rect x="3" y="2" width="22" height="12" rx="3" fill="${c}" fill-opacity="${(RING_FILL[Math.min(i, 2)] * (mins.length - i)).toFixed(2)}" stroke="${c}" stroke-width="1.5"/></svg>`,
            esc(t('legend.ringTier', { n: num(m, m % 1 ? 1 : 0) })),
          ),
        );
      });
    }
    if (rep && map.hasLayer(this.choropleth) && this.state.choropleth > 0) {
      const m = mins[this.state.tier] ?? mins[0];
      parts.push(`<h4>${esc(t('legend.gridShare', { n: num(m, m % 1 ? 1 : 0) }))}</h4>`);
      parts.push('<div class="tw-legend-grid">');
      SHARE_CLASSES.forEach((k, i) => {
        const hi = i + 1 < SHARE_CLASSES.length ? SHARE_CLASSES[i + 1].min : 1;
        parts.push(row(this.box_(k.color, 0.6), esc(t('legend.shareRange', { a: num(k.min * 100), b: num(hi * 100) }))));
      });
      parts.push(row(this.box_(NO_ROAD_COLOR, 0.5), esc(t('resp.noRoad'))));
      parts.push('</div>');
    }
    if (rep && map.hasLayer(this.failing) && this.state.failing > 0) {
      parts.push(
        row(
          `<svg width="28" height="18" aria-hidden="true"><circle cx="14" cy="9" r="7" fill="${FAIL_COLOR}" fill-opacity="0.1" stroke="${FAIL_COLOR}" stroke-width="2.5"/></svg>`,
          esc(t('legend.failingSite')),
        ),
      );
    }
    if (map.hasLayer(this.proposals) && this.state.proposals > 0) {
      parts.push(row(`<span class="tw-proposal tw-proposal-small">1</span>`, esc(t('legend.proposal'))));
    }
    return parts.join('');
  }

  private box_(color: string, opacity: number): string {
    return `<svg width="28" height="16" aria-hidden="true"><rect x="3" y="2" width="22" height="12" fill="${color}" fill-opacity="${opacity}" stroke="#ffffff" stroke-width="1"/></svg>`;
  }
}
