// The tidal patrol view (守点巡线) for commanders and volunteer leaders: a
// collapsible panel (unit mix, window, seed and unpredictability, plan), an
// hour slider with the covered risk per hour against the nearest-first
// baseline, a per-unit list with GPX downloads and a printable route card; on
// the map the guard points and patrol lines active in the chosen hour and
// every unit's route in its own colour with numbered stops and ETAs.
import * as L from 'leaflet';
import type { Feature, LineString, Point } from 'geojson';
import { ll, lls } from './crsmap';
import { num, t, type Key } from './i18n';
import { esc } from './layers';
import { errorText, requestJSON, table } from './response';
import type { KioskProps } from './types';

export type UnitKind = 'car' | 'motorbike' | 'foot' | 'volunteer';
export const UNIT_KINDS: readonly UnitKind[] = ['car', 'motorbike', 'foot', 'volunteer'];
const KIND_KEYS: Record<UnitKind, Key> = { car: 'plan.kindCar', motorbike: 'plan.kindMotorbike', foot: 'plan.kindFoot', volunteer: 'plan.kindVolunteer' };

export interface Stop { kind: 'point' | 'line'; id: string; visit: number; arrive_s: number; start_s: number; depart_s: number; eta: string; etd: string }
export interface GuardPointProps { layer: 'guard_point'; id: string; street: string; road_id: number; risk: number; hour_risk: number[]; pinned: boolean; dwell_min: number; revisit_min: number }
export interface PatrolLineProps { layer: 'patrol_line'; id: string; street: string; length_m: number; risk: number; hour_risk: number[]; pinned: boolean }
export interface RouteProps { layer: 'route'; unit: string; kind: UnitKind; mode: string; group: string; kiosk_id: number; leave: string; return: string; distance_m: number; duration_s: number; stops: Stop[] }
export interface HourCover { hour: string; risk: number; covered_pct: number; baseline_pct: number; points: number; lines: number }
export interface PlanReport {
  window: string;
  day: string;
  hours: HourCover[];
  covered_pct: number;
  baseline_pct: number;
  vary: number;
  vary_ratio: number;
  points: number;
  lines: number;
  points_covered: number;
  lines_covered: number;
  unreached?: string[];
}
type PlanFeature = Feature<Point, GuardPointProps> | Feature<LineString, PatrolLineProps> | Feature<LineString, RouteProps>;
export interface PlanFC { type: 'FeatureCollection'; features: PlanFeature[]; report: PlanReport }

/** What the browser tests read (window.__tidewatch.plan). */
export interface PlanState {
  busy: boolean;
  planned: number;
  id: string | null;
  report: PlanReport | null;
  hour: number; // index into report.hours
  routes: number;
  stops: number; // numbered stop markers
  points: number; // guard points shown for the hour
  lines: number; // patrol lines shown for the hour
  shownPoints: string[];
  units: { unit: string; kind: string; stops: number; gpx: string }[];
  card: string | null; // the unit whose route card is open
}

export interface PatrolDeps {
  map: L.Map;
  renderer: L.Renderer;
  kiosks: () => L.GeoJSON<KioskProps>;
  showError: (message: string, err?: unknown) => void;
  changed: () => void;
  fit: () => void;
  opened: () => void;
}

export const UNIT_COLORS = ['#1f5fbf', '#d62f7b', '#1b9e5a', '#7a3fc4', '#e0650f', '#0b8fa3', '#8c5a2b', '#c21f1f', '#5b7a12', '#46566b'];
export const POINT_COLOR = '#e8590c';
export const LINE_COLOR = '#f2b705';

interface UnitRow { kind: UnitKind; kiosk: string; count: string }

export function hm(seconds: number): string {
  const m = Math.round(seconds / 60);
  return t('unit.hm', { h: Math.floor(m / 60), m: String(m % 60).padStart(2, '0') });
}

/** Visits of a target overlapping hour i of the window (seconds after the window start). */
function inHour(s: Stop, i: number): boolean {
  return s.start_s < (i + 1) * 3600 && s.depart_s >= i * 3600;
}

export class PatrolView {
  readonly state: PlanState = { busy: false, planned: 0, id: null, report: null, hour: 0, routes: 0, stops: 0, points: 0, lines: 0, shownPoints: [], units: [], card: null };
  readonly targets: L.FeatureGroup; // guard points and patrol lines of the hour
  readonly routes: L.FeatureGroup; // unit routes and their numbered stops
  readonly box: HTMLDetailsElement;
  readonly card: HTMLElement;

  private form = {
    units: [
      { kind: 'car', kiosk: '', count: '2' },
      { kind: 'motorbike', kiosk: '', count: '1' },
      { kind: 'foot', kiosk: '', count: '1' },
      { kind: 'volunteer', kiosk: '', count: '1' },
    ] as UnitRow[],
    start: '22:00',
    end: '02:00',
    seed: '7',
    vary: '0.3',
  };
  private status: { text: () => string; bad: boolean } = { text: () => '', bad: false };
  private plan: PlanFC | null = null;
  private points = new Map<string, Feature<Point, GuardPointProps>>();
  private lines = new Map<string, Feature<LineString, PatrolLineProps>>();
  private routeFeats: Feature<LineString, RouteProps>[] = [];

  constructor(private deps: PatrolDeps) {
    this.targets = L.featureGroup();
    this.routes = L.featureGroup();
    const box = L.DomUtil.create('details', 'tw-resp tw-plan leaflet-bar') as HTMLDetailsElement;
    box.id = 'plan-panel';
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    box.addEventListener('toggle', () => {
      if (box.open) this.deps.opened();
      this.deps.fit();
    });
    this.box = box;
    const card = document.createElement('section');
    card.id = 'route-card';
    card.className = 'tw-card';
    card.hidden = true;
    document.body.appendChild(card);
    this.card = card;
    this.render();
  }

  overlays(): [Key, L.Layer, string][] {
    return [
      ['layer.planTargets', this.targets, 'planTargets'],
      ['layer.planRoutes', this.routes, 'planRoutes'],
    ];
  }

  restack(): void {
    this.routes.bringToFront();
    this.targets.bringToFront();
  }

  private kioskOptions(): { id: string; name: string }[] {
    return this.deps
      .kiosks()
      .getLayers()
      .map((l) => (l as L.Layer & { feature?: Feature<Point, KioskProps> }).feature?.properties)
      .filter((p): p is KioskProps => !!p)
      .map((p) => ({ id: String(p.id), name: p.name || p.ref || String(p.id) }));
  }

  private kioskName(id: number): string {
    return this.kioskOptions().find((k) => k.id === String(id))?.name ?? String(id);
  }

  /** Unit names: the kind's label, with a letter when a kind has several rows. */
  private unitNames(): string[] {
    const seen = new Map<UnitKind, number>();
    const total = new Map<UnitKind, number>();
    for (const u of this.form.units) total.set(u.kind, (total.get(u.kind) ?? 0) + 1);
    return this.form.units.map((u) => {
      const k = (seen.get(u.kind) ?? 0) + 1;
      seen.set(u.kind, k);
      return (total.get(u.kind) ?? 0) > 1 ? `${t(KIND_KEYS[u.kind])}${String.fromCharCode(64 + k)}` : t(KIND_KEYS[u.kind]);
    });
  }

  // ---------- plan ----------

  async makePlan(): Promise<void> {
    const f = this.form;
    const kiosks = this.kioskOptions();
    const units = f.units.map((u, i) => ({ name: this.unitNames()[i], kind: u.kind, kiosk: Number(u.kiosk || kiosks[0]?.id), count: Number(u.count) }));
    const seed = Number(f.seed);
    const vary = Number(f.vary);
    const okTime = (s: string) => /^\d{2}:\d{2}$/.test(s);
    if (
      units.length === 0 ||
      units.some((u) => !Number.isInteger(u.count) || u.count < 1 || u.count > 20 || !Number.isFinite(u.kiosk)) ||
      !okTime(f.start) || !okTime(f.end) || f.start === f.end ||
      !Number.isInteger(seed) || !(vary >= 0 && vary <= 1)
    ) {
      this.status = { text: () => t('plan.badInput'), bad: true };
      this.render();
      return;
    }
    this.state.busy = true;
    this.status = { text: () => t('plan.working'), bad: false };
    this.render();
    try {
      const created = await requestJSON<{ id: string; report: PlanReport }>('/api/v1/plans', {
        method: 'POST',
        body: JSON.stringify({ window: `${f.start}-${f.end}`, units, seed, vary }),
      });
      const fc = await requestJSON<PlanFC>(`/api/v1/plans/${encodeURIComponent(created.id)}`);
      this.state.id = created.id;
      this.state.report = fc.report ?? created.report;
      this.state.hour = 0;
      this.state.card = null;
      this.card.hidden = true;
      this.draw(fc);
      this.state.planned++;
      const rep = this.state.report;
      this.status = { text: () => t('plan.done', { n: num(this.state.routes), pts: num(rep.points_covered), lines: num(rep.lines_covered) }), bad: false };
    } catch (err) {
      this.status = { text: () => t('plan.failed', { msg: errorText(err) }), bad: true };
      this.deps.showError(t('plan.failed', { msg: errorText(err) }), err);
    } finally {
      this.state.busy = false;
      this.render();
      this.deps.changed();
    }
  }

  private draw(fc: PlanFC): void {
    this.plan = fc;
    this.points.clear();
    this.lines.clear();
    this.routeFeats = [];
    for (const f of fc.features ?? []) {
      const p = f.properties;
      if (p.layer === 'guard_point') this.points.set(p.id, f as Feature<Point, GuardPointProps>);
      else if (p.layer === 'patrol_line') this.lines.set(p.id, f as Feature<LineString, PatrolLineProps>);
      else if (p.layer === 'route') this.routeFeats.push(f as Feature<LineString, RouteProps>);
    }
    this.state.units = this.routeFeats.map((f) => ({
      unit: f.properties.unit,
      kind: f.properties.kind,
      stops: f.properties.stops?.length ?? 0,
      gpx: this.gpxURL(f.properties.unit),
    }));
    this.drawRoutes();
    this.drawHour();
    const map = this.deps.map;
    if (!map.hasLayer(this.routes)) this.routes.addTo(map);
    if (!map.hasLayer(this.targets)) this.targets.addTo(map);
    this.restack();
    const b = this.routes.getLayers().length > 0 ? this.routes.getBounds() : null;
    if (b?.isValid() && !map.getBounds().contains(b)) map.fitBounds(b.pad(0.05), { animate: false });
  }

  gpxURL(unit: string): string {
    return `/api/v1/plans/${encodeURIComponent(this.state.id ?? '')}/units/${encodeURIComponent(unit)}.gpx`;
  }

  /** Where a stop is, in WGS84 (lng = lon); ll() puts it on the map. */
  private stopAt(s: Stop): L.LatLng | null {
    if (s.kind === 'point') {
      const f = this.points.get(s.id);
      return f ? L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]) : null;
    }
    const f = this.lines.get(s.id);
    const c = f?.geometry.coordinates[0];
    return c ? L.latLng(c[1], c[0]) : null;
  }

  private targetName(kind: 'point' | 'line', id: string): string {
    const street = kind === 'point' ? this.points.get(id)?.properties.street : this.lines.get(id)?.properties.street;
    return `${t(kind === 'point' ? 'plan.guardPoint' : 'plan.patrolLine')} ${id}${street ? ` · ${street}` : ''}`;
  }

  private drawRoutes(): void {
    const r = this.deps.renderer;
    this.routes.clearLayers();
    let stops = 0;
    this.routeFeats.forEach((f, ui) => {
      const p = f.properties;
      const color = UNIT_COLORS[ui % UNIT_COLORS.length];
      const path = lls(f.geometry.coordinates);
      this.routes.addLayer(L.polyline(path, { renderer: r, color: '#ffffff', weight: 7, opacity: 0.85, interactive: false, lineJoin: 'round' }));
      const line = L.polyline(path, { renderer: r, color, weight: 3.5, opacity: 0.92, lineJoin: 'round', dashArray: p.kind === 'volunteer' || p.kind === 'foot' ? '7 5' : undefined });
      (line as L.Polyline & { route?: RouteProps }).route = p;
      line.bindTooltip(() => esc(`${p.unit} · ${t(KIND_KEYS[p.kind] ?? 'plan.kindCar')} · ${p.leave}–${p.return}`), { sticky: true, className: 'tw-tooltip' });
      line.bindPopup(() => this.routePopup(p), { maxWidth: 320 });
      this.routes.addLayer(line);
      (p.stops ?? []).forEach((s, i) => {
        const at = this.stopAt(s);
        if (!at) return;
        const m = L.marker(ll(at.lng, at.lat), {
          icon: L.divIcon({ className: 'tw-stop-icon', html: `<div class="tw-stop" style="background:${color}">${i + 1}</div>`, iconSize: [20, 20], iconAnchor: [10, 10], popupAnchor: [0, -10] }),
          keyboard: false,
          riseOnHover: true,
          zIndexOffset: 400,
        });
        (m as L.Marker & { stop?: Stop; unit?: string; n?: number }).stop = s;
        (m as L.Marker & { unit?: string }).unit = p.unit;
        (m as L.Marker & { n?: number }).n = i + 1;
        m.bindTooltip(() => esc(`${p.unit} #${i + 1} · ${s.eta}`), { direction: 'top', offset: [0, -10], className: 'tw-tooltip' });
        m.bindPopup(() => this.stopPopup(p, s, i + 1, color), { maxWidth: 300 });
        this.routes.addLayer(m);
        stops++;
      });
    });
    this.state.routes = this.routeFeats.length;
    this.state.stops = stops;
  }

  private routePopup(p: RouteProps): string {
    return table(p.unit, [
      [t('plan.kind'), esc(t(KIND_KEYS[p.kind] ?? 'plan.kindCar'))],
      [t('plan.kiosk'), esc(this.kioskName(p.kiosk_id))],
      [t('plan.leaveReturn'), esc(`${p.leave} – ${p.return}`)],
      [t('plan.distance'), esc(t('unit.km', { n: num(p.distance_m / 1000, 1) }))],
      [t('plan.duration'), esc(hm(p.duration_s))],
      [t('plan.stops'), esc(num(p.stops?.length ?? 0))],
    ]);
  }

  private stopPopup(p: RouteProps, s: Stop, n: number, color: string): string {
    const dwell = Math.max(0, s.depart_s - s.start_s);
    const wait = Math.max(0, s.start_s - s.arrive_s);
    const rows: [string, string][] = [
      [t('plan.target'), esc(this.targetName(s.kind, s.id))],
      [t('plan.eta'), `<b>${esc(s.eta)}</b>`],
      [t('plan.etd'), esc(s.etd)],
      [t(s.kind === 'point' ? 'plan.dwell' : 'plan.walk'), esc(t('unit.min', { n: num(dwell / 60) }))],
    ];
    if (wait >= 60) rows.push([t('plan.wait'), esc(t('unit.min', { n: num(wait / 60) }))]);
    if (s.visit > 0) rows.push([t('plan.visit'), esc(t('plan.revisitN', { n: s.visit + 1 }))]);
    return `<div class="tw-stop-popup" style="border-left:4px solid ${color}">${table(`${p.unit} · ${t('plan.stopN', { n })}`, rows)}</div>`;
  }

  /** Guard points and patrol lines visited in the chosen hour; the stops of other hours fade. */
  drawHour(): void {
    const r = this.deps.renderer;
    const i = this.state.hour;
    this.targets.clearLayers();
    const active = { point: new Set<string>(), line: new Set<string>() };
    for (const f of this.routeFeats) for (const s of f.properties.stops ?? []) if (inHour(s, i)) active[s.kind].add(s.id);
    for (const id of active.line) {
      const f = this.lines.get(id);
      if (!f) continue;
      const l = L.polyline(lls(f.geometry.coordinates), { renderer: r, color: LINE_COLOR, weight: 8, opacity: 0.75, lineCap: 'round' });
      const p = f.properties;
      l.bindPopup(() => this.targetPopup(p.id, 'line', p.hour_risk, p.risk, [[t('prop.length'), esc(t('unit.metre', { n: num(p.length_m) }))]]), { maxWidth: 320 });
      this.targets.addLayer(l);
    }
    const maxRisk = Math.max(1e-9, ...[...this.points.values()].map((f) => f.properties.hour_risk?.[i] ?? 0));
    const shown: string[] = [];
    for (const id of active.point) {
      const f = this.points.get(id);
      if (!f) continue;
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const radius = 7 + 7 * Math.sqrt((p.hour_risk?.[i] ?? 0) / maxRisk);
      this.targets.addLayer(L.circleMarker(ll(lon, lat), { renderer: r, radius: radius + 4, color: POINT_COLOR, weight: 1.5, opacity: 0.5, fill: false, interactive: false }));
      const c = L.circleMarker(ll(lon, lat), { renderer: r, radius, color: '#ffffff', weight: 2, fillColor: POINT_COLOR, fillOpacity: 0.85 });
      (c as L.CircleMarker & { point?: string }).point = id;
      c.bindTooltip(() => esc(this.targetName('point', id)), { direction: 'top', className: 'tw-tooltip' });
      c.bindPopup(() => this.targetPopup(id, 'point', p.hour_risk, p.risk, [[t('plan.dwell'), esc(t('unit.min', { n: p.dwell_min }))], [t('plan.revisit'), esc(t('unit.min', { n: p.revisit_min }))]]), { maxWidth: 320 });
      this.targets.addLayer(c);
      shown.push(id);
    }
    this.state.points = shown.length;
    this.state.shownPoints = shown.sort();
    this.state.lines = active.line.size;
    // Stops of the hour stand out; the others fade.
    for (const l of this.routes.getLayers()) {
      const s = (l as L.Marker & { stop?: Stop }).stop;
      if (!s) continue;
      const el = (l as L.Marker).getElement();
      el?.classList.toggle('tw-stop-dim', !inHour(s, i));
    }
    this.restack();
  }

  private targetPopup(id: string, kind: 'point' | 'line', hourRisk: number[], risk: number, extra: [string, string][]): string {
    const rep = this.state.report;
    const visits: string[] = [];
    this.routeFeats.forEach((f) => (f.properties.stops ?? []).forEach((s) => s.kind === kind && s.id === id && visits.push(`${f.properties.unit} ${s.eta}–${s.etd}`)));
    const hours = (rep?.hours ?? []).map((h, i) => `${h.hour} ${num(hourRisk?.[i] ?? 0, 1)}`).join(' · ');
    return table(this.targetName(kind, id), [
      [t('plan.risk'), esc(num(risk, 1))],
      [t('plan.hourRisk'), esc(hours)],
      ...extra,
      [t('plan.visits'), visits.length ? visits.map(esc).join('<br>') : esc(t('value.none'))],
    ]);
  }

  // ---------- route card ----------

  openCard(unit: string): void {
    const ui = this.routeFeats.findIndex((f) => f.properties.unit === unit);
    const f = this.routeFeats[ui];
    if (!f) return;
    const p = f.properties;
    const color = UNIT_COLORS[ui % UNIT_COLORS.length];
    const rep = this.state.report;
    const rows = (p.stops ?? [])
      .map((s, i) => {
        const dwell = Math.max(0, s.depart_s - s.start_s);
        const street = s.kind === 'point' ? this.points.get(s.id)?.properties.street : this.lines.get(s.id)?.properties.street;
        const task = s.kind === 'point' ? t('plan.taskGuard', { n: num(dwell / 60) }) : t('plan.taskLine', { n: num(this.lines.get(s.id)?.properties.length_m ?? 0) });
        return `<tr><td class="tw-card-n"><span style="background:${color}">${i + 1}</span></td><td><b>${esc(s.eta)}</b></td><td>${esc(s.etd)}</td><td>${esc(`${s.kind === 'point' ? t('plan.guardPoint') : t('plan.patrolLine')} ${s.id}`)}${s.visit > 0 ? ` <span class="tw-card-tag">${esc(t('plan.revisitN', { n: s.visit + 1 }))}</span>` : ''}</td><td>${esc(street || '—')}</td><td>${esc(task)}</td><td class="tw-card-check"></td></tr>`;
      })
      .join('');
    const facts: [string, string][] = [
      [t('plan.kind'), t(KIND_KEYS[p.kind] ?? 'plan.kindCar')],
      [t('plan.kiosk'), this.kioskName(p.kiosk_id)],
      [t('plan.window'), rep?.window ?? ''],
      [t('plan.leaveReturn'), `${p.leave} – ${p.return}`],
      [t('plan.distance'), t('unit.km', { n: num(p.distance_m / 1000, 1) })],
      [t('plan.duration'), hm(p.duration_s)],
    ];
    this.card.innerHTML =
      `<div class="tw-card-inner">` +
      `<div class="tw-card-bar tw-no-print"><button id="card-print" class="tw-btn tw-btn-primary" type="button">${esc(t('plan.print'))}</button><button id="card-close" class="tw-btn" type="button">${esc(t('plan.close'))}</button></div>` +
      `<header class="tw-card-head" style="border-color:${color}"><div><div class="tw-card-kicker">${esc(t('plan.cardKicker'))}</div><h2>${esc(p.unit)}</h2></div><div class="tw-card-plan">${esc(t('plan.cardPlan', { id: this.state.id ?? '' }))}</div></header>` +
      `<dl class="tw-card-facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>` +
      `<div class="tw-card-map">${this.cardSVG(f, color)}</div>` +
      `<table class="tw-card-table"><thead><tr><th>#</th><th>${esc(t('plan.eta'))}</th><th>${esc(t('plan.etd'))}</th><th>${esc(t('plan.target'))}</th><th>${esc(t('plan.street'))}</th><th>${esc(t('plan.task'))}</th><th>${esc(t('plan.colDone'))}</th></tr></thead><tbody>${rows}</tbody></table>` +
      `<footer class="tw-card-foot">${esc(t('plan.cardNote'))}</footer></div>`;
    this.card.hidden = false;
    this.state.card = unit;
    this.card.querySelector('#card-print')?.addEventListener('click', () => window.print());
    this.card.querySelector('#card-close')?.addEventListener('click', () => this.closeCard());
  }

  closeCard(): void {
    this.card.hidden = true;
    this.state.card = null;
  }

  /** A small sketch of the route for the card: the path, the numbered stops and the kiosk. */
  private cardSVG(f: Feature<LineString, RouteProps>, color: string): string {
    const W = 640;
    const H = 260;
    const pts = f.geometry.coordinates;
    const stops = (f.properties.stops ?? []).map((s) => this.stopAt(s));
    const all = [...pts, ...stops.filter((x): x is L.LatLng => !!x).map((x) => [x.lng, x.lat])];
    const lat0 = all.reduce((a, c) => a + c[1], 0) / Math.max(1, all.length);
    const k = Math.cos((lat0 * Math.PI) / 180);
    const xs = all.map((c) => c[0] * k);
    const ys = all.map((c) => c[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const s = Math.min((W - 40) / Math.max(1e-9, x1 - x0), (H - 40) / Math.max(1e-9, y1 - y0));
    const ox = (W - (x1 - x0) * s) / 2;
    const oy = (H - (y1 - y0) * s) / 2;
    const P = (lon: number, lat: number) => `${(ox + (lon * k - x0) * s).toFixed(1)},${(H - oy - (lat - y0) * s).toFixed(1)}`;
    const path = pts.map(([x, y]) => P(x, y)).join(' ');
    const marks = stops
      .map((at, i) => {
        if (!at) return '';
        const [x, y] = P(at.lng, at.lat).split(',');
        return `<g><circle cx="${x}" cy="${y}" r="9" fill="${color}" stroke="#fff" stroke-width="2"/><text x="${x}" y="${y}" dy="3.5" text-anchor="middle" font-size="10" font-weight="700" fill="#fff">${i + 1}</text></g>`;
      })
      .join('');
    const [hx, hy] = P(pts[0][0], pts[0][1]).split(',');
    return (
      `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(t('plan.sketch'))}">` +
      `<rect width="${W}" height="${H}" fill="#f7f8fa" stroke="#d0d5dd"/>` +
      `<polyline points="${path}" fill="none" stroke="#ffffff" stroke-width="6" stroke-linejoin="round"/>` +
      `<polyline points="${path}" fill="none" stroke="${color}" stroke-width="3" stroke-linejoin="round"/>` +
      marks +
      `<rect x="${Number(hx) - 10}" y="${Number(hy) - 10}" width="20" height="20" rx="3" fill="#1f4fb5" stroke="#fff" stroke-width="2"/><text x="${hx}" y="${hy}" dy="4" text-anchor="middle" font-size="12" font-weight="700" fill="#fff">警</text>` +
      `</svg>`
    );
  }

  // ---------- panel ----------

  render(): void {
    const f = this.form;
    const kiosks = this.kioskOptions();
    const busy = this.state.busy;
    const names = this.unitNames();
    const parts: string[] = [];
    parts.push(`<summary><span class="tw-resp-title">${esc(t('plan.title'))}</span><span class="tw-resp-sub">${esc(t('plan.subtitle'))}</span></summary>`);
    parts.push('<div class="tw-resp-body">');
    const rows = f.units
      .map((u, i) => {
        const kinds = UNIT_KINDS.map((k) => `<option value="${k}"${u.kind === k ? ' selected' : ''}>${esc(t(KIND_KEYS[k]))}</option>`).join('');
        const ks = kiosks.map((k) => `<option value="${esc(k.id)}"${(u.kiosk || kiosks[0]?.id) === k.id ? ' selected' : ''}>${esc(k.name)}</option>`).join('');
        return (
          `<tr data-row="${i}" title="${esc(names[i])}"><td><select class="plan-kind" aria-label="${esc(t('plan.kind'))}">${kinds}</select></td>` +
          `<td><select class="plan-kiosk" aria-label="${esc(t('plan.kiosk'))}">${ks}</select></td>` +
          `<td><input class="tw-num plan-count" type="number" min="1" max="20" step="1" value="${esc(u.count)}" aria-label="${esc(t('plan.count'))}"></td>` +
          `<td><button class="tw-icon-btn plan-remove" type="button" title="${esc(t('plan.remove'))}" aria-label="${esc(t('plan.remove'))}"${f.units.length <= 1 ? ' disabled' : ''}>×</button></td></tr>`
        );
      })
      .join('');
    parts.push(
      `<div class="tw-field"><span class="tw-label">${esc(t('plan.units'))}</span><table id="plan-units" class="tw-units"><tr><th>${esc(t('plan.kind'))}</th><th>${esc(t('plan.kiosk'))}</th><th>${esc(t('plan.count'))}</th><th></th></tr>${rows}</table>` +
        `<button id="plan-add" class="tw-btn tw-btn-small" type="button">${esc(t('plan.add'))}</button></div>`,
    );
    parts.push(
      `<div class="tw-field tw-row"><label class="tw-label" for="plan-start">${esc(t('plan.window'))}</label><span class="tw-tiers tw-window"><input id="plan-start" class="tw-time" type="time" value="${esc(f.start)}"><span class="tw-sep">–</span><input id="plan-end" class="tw-time" type="time" value="${esc(f.end)}" aria-label="${esc(t('plan.windowEnd'))}"></span></div>`,
    );
    parts.push(
      `<div class="tw-field tw-row"><label class="tw-label" for="plan-vary">${esc(t('plan.vary'))}</label><span class="tw-vary"><span class="tw-muted">${esc(t('plan.scheduled'))}</span><input id="plan-vary" type="range" min="0" max="1" step="0.05" value="${esc(f.vary)}"><span class="tw-muted">${esc(t('plan.random'))}</span><output id="plan-vary-out">${esc(num(Number(f.vary), 2))}</output></span></div>`,
    );
    parts.push(
      `<div class="tw-field tw-row"><label class="tw-label" for="plan-seed">${esc(t('plan.seed'))}</label><span><input id="plan-seed" class="tw-num" type="number" step="1" value="${esc(f.seed)}"> <button id="plan-go" class="tw-btn tw-btn-primary" type="button"${busy ? ' disabled' : ''}>${esc(busy ? t('plan.working') : t('plan.plan'))}</button></span></div>`,
    );
    parts.push(`<div id="plan-status" class="tw-status${this.status.bad ? ' tw-bad' : ''}" role="status">${esc(this.status.text())}</div>`);
    if (this.state.report && this.plan) parts.push(this.resultsHtml(this.state.report));
    parts.push('</div>');
    this.box.innerHTML = parts.join('');
    this.wire();
  }

  private resultsHtml(rep: PlanReport): string {
    const out: string[] = [];
    const i = this.state.hour;
    const h = rep.hours[i];
    out.push('<div class="tw-kpis">');
    out.push(`<div class="tw-kpi" id="plan-covered"><b>${esc(t('unit.percent', { n: num(rep.covered_pct, 1) }))}</b><span>${esc(t('plan.coveredRisk'))}</span></div>`);
    out.push(`<div class="tw-kpi" id="plan-baseline"><b class="tw-muted">${esc(t('unit.percent', { n: num(rep.baseline_pct, 1) }))}</b><span>${esc(t('plan.baseline'))}</span></div>`);
    out.push('</div>');
    out.push(`<div class="tw-resp-caption">${esc(t('plan.targets', { p: num(rep.points_covered), pt: num(rep.points), l: num(rep.lines_covered), lt: num(rep.lines) }))} · ${esc(t('plan.varyNote', { v: num(rep.vary, 2), r: num(rep.vary_ratio * 100, 1) }))}</div>`);
    if (rep.hours.length > 0) {
      out.push(
        `<div class="tw-field"><label class="tw-label" for="plan-hour">${esc(t('plan.hour'))} <b id="plan-hour-label" class="tw-hour-label">${esc(h ? t('plan.hourRange', { a: h.hour, b: rep.hours[i + 1]?.hour ?? rep.window.split('-')[1] ?? '' }) : '')}</b></label>` +
          `<input id="plan-hour" type="range" min="0" max="${rep.hours.length - 1}" step="1" value="${i}"></div>`,
      );
      const bars = rep.hours
        .map((x, k) => {
          const w = (v: number) => Math.max(0, Math.min(100, v)).toFixed(1);
          return (
            `<tr data-hour="${k}" class="tw-click${k === i ? ' tw-sel' : ''}"><td>${esc(x.hour)}</td>` +
            `<td class="tw-bars"><div class="tw-hbar tw-hbar-ours" title="${esc(t('plan.ours'))}"><span style="width:${w(x.covered_pct)}%"></span></div><div class="tw-hbar tw-hbar-base" title="${esc(t('plan.baseline'))}"><span style="width:${w(x.baseline_pct)}%"></span></div></td>` +
            `<td class="tw-pcts"><b>${esc(t('unit.percent', { n: num(x.covered_pct, 1) }))}</b><span class="tw-muted">${esc(t('unit.percent', { n: num(x.baseline_pct, 1) }))}</span></td>` +
            `<td class="tw-muted">${esc(t('plan.hourTargets', { p: x.points, l: x.lines }))}</td></tr>`
          );
        })
        .join('');
      out.push(
        `<table id="plan-hours" class="tw-table tw-hours"><tr><th>${esc(t('plan.colHour'))}</th><th><span class="tw-key tw-key-ours"></span>${esc(t('plan.ours'))} <span class="tw-key tw-key-base"></span>${esc(t('plan.baseline'))}</th><th></th><th></th></tr>${bars}</table>`,
      );
    }
    if (rep.unreached?.length) out.push(`<div class="tw-note tw-note-warn">${esc(t('plan.unreached', { list: rep.unreached.join(', ') }))}</div>`);
    const units = this.routeFeats
      .map((f, k) => {
        const p = f.properties;
        const color = UNIT_COLORS[k % UNIT_COLORS.length];
        return (
          `<tr data-unit="${esc(p.unit)}"><td><span class="tw-swatch tw-swatch-line" style="background:${color}"></span><b>${esc(p.unit)}</b><div class="tw-muted">${esc(t(KIND_KEYS[p.kind] ?? 'plan.kindCar'))} · ${esc(p.leave)}–${esc(p.return)} · ${esc(t('plan.stopsN', { n: p.stops?.length ?? 0 }))}</div></td>` +
          `<td>${esc(t('unit.km', { n: num(p.distance_m / 1000, 1) }))}<div class="tw-muted">${esc(hm(p.duration_s))}</div></td>` +
          `<td class="tw-unit-actions"><a class="tw-gpx" href="${esc(this.gpxURL(p.unit))}" download="${esc(`${p.unit}.gpx`)}">GPX</a><button class="tw-btn tw-btn-small tw-card-open" type="button">${esc(t('plan.card'))}</button></td></tr>`
        );
      })
      .join('');
    out.push(`<table id="plan-unit-list" class="tw-table tw-unit-list"><tr><th>${esc(t('plan.unit'))}</th><th>${esc(t('plan.distance'))}</th><th></th></tr>${units}</table>`);
    // Every unit's printable card with its QR code (GET …/cards), and the plan as files (GET …/export.{ext}).
    const pid = encodeURIComponent(this.state.id ?? '');
    out.push(
      `<div id="plan-exports" class="tw-plan-exports"><a id="plan-cards" class="tw-btn tw-btn-small" href="/api/v1/plans/${pid}/cards" target="_blank" rel="noopener" title="${esc(t('plan.cardsTitle'))}">${esc(t('plan.cardsLink'))}</a>` +
        `<span class="tw-muted">${esc(t('plan.export'))}</span>${['geojson', 'csv', 'kml', 'gpx'].map((e) => `<a class="tw-gpx" href="/api/v1/plans/${pid}/export.${e}" download>${e === 'geojson' ? 'GeoJSON' : e.toUpperCase()}</a>`).join('')}</div>`,
    );
    return out.join('');
  }

  setHour(i: number): void {
    const n = this.state.report?.hours.length ?? 0;
    this.state.hour = Math.max(0, Math.min(n - 1, i));
    this.drawHour();
    this.render();
    this.deps.changed();
  }

  private wire(): void {
    const box = this.box;
    const q = <T extends HTMLElement>(sel: string) => box.querySelector(sel) as T | null;
    box.querySelectorAll<HTMLTableRowElement>('#plan-units tr[data-row]').forEach((tr) => {
      const i = Number(tr.dataset.row);
      const row = this.form.units[i];
      tr.querySelector<HTMLSelectElement>('.plan-kind')?.addEventListener('change', (e) => {
        row.kind = (e.target as HTMLSelectElement).value as UnitKind;
        this.render();
      });
      tr.querySelector<HTMLSelectElement>('.plan-kiosk')?.addEventListener('change', (e) => (row.kiosk = (e.target as HTMLSelectElement).value));
      tr.querySelector<HTMLInputElement>('.plan-count')?.addEventListener('input', (e) => (row.count = (e.target as HTMLInputElement).value));
      tr.querySelector('.plan-remove')?.addEventListener('click', () => {
        this.form.units.splice(i, 1);
        this.render();
        this.deps.fit();
      });
    });
    q('#plan-add')?.addEventListener('click', () => {
      this.form.units.push({ kind: 'foot', kiosk: '', count: '1' });
      this.render();
      this.deps.fit();
    });
    q<HTMLInputElement>('#plan-start')?.addEventListener('input', (e) => (this.form.start = (e.target as HTMLInputElement).value));
    q<HTMLInputElement>('#plan-end')?.addEventListener('input', (e) => (this.form.end = (e.target as HTMLInputElement).value));
    q<HTMLInputElement>('#plan-seed')?.addEventListener('input', (e) => (this.form.seed = (e.target as HTMLInputElement).value));
    q<HTMLInputElement>('#plan-vary')?.addEventListener('input', (e) => {
      this.form.vary = (e.target as HTMLInputElement).value;
      const o = q('#plan-vary-out');
      if (o) o.textContent = num(Number(this.form.vary), 2);
    });
    q('#plan-go')?.addEventListener('click', () => void this.makePlan());
    q<HTMLInputElement>('#plan-hour')?.addEventListener('input', (e) => {
      const i = Number((e.target as HTMLInputElement).value);
      // Keep the slider under the pointer: update the map and labels without re-rendering the panel.
      this.state.hour = i;
      this.drawHour();
      const rep = this.state.report;
      const lab = q('#plan-hour-label');
      if (rep && lab) lab.textContent = t('plan.hourRange', { a: rep.hours[i].hour, b: rep.hours[i + 1]?.hour ?? rep.window.split('-')[1] ?? '' });
      box.querySelectorAll<HTMLTableRowElement>('#plan-hours tr[data-hour]').forEach((tr) => tr.classList.toggle('tw-sel', Number(tr.dataset.hour) === i));
      this.deps.changed();
    });
    box.querySelectorAll<HTMLTableRowElement>('#plan-hours tr[data-hour]').forEach((tr) => tr.addEventListener('click', () => this.setHour(Number(tr.dataset.hour))));
    box.querySelectorAll<HTMLTableRowElement>('#plan-unit-list tr[data-unit]').forEach((tr) =>
      tr.querySelector('.tw-card-open')?.addEventListener('click', () => this.openCard(tr.dataset.unit ?? '')),
    );
  }

  // ---------- legend ----------

  legendHtml(row: (sym: string, label: string) => string): string {
    const map = this.deps.map;
    if (!this.state.report) return '';
    const parts: string[] = [];
    const h = this.state.report.hours[this.state.hour];
    if (map.hasLayer(this.targets)) {
      parts.push(`<h4>${esc(t('legend.plan', { h: h?.hour ?? '' }))}</h4>`);
      parts.push(row(`<svg width="28" height="16" aria-hidden="true"><circle cx="14" cy="8" r="6" fill="${POINT_COLOR}" fill-opacity="0.85" stroke="#fff" stroke-width="1.5"/></svg>`, esc(t('legend.guardPoint'))));
      parts.push(row(`<svg width="28" height="12" aria-hidden="true"><line x1="3" y1="6" x2="25" y2="6" stroke="${LINE_COLOR}" stroke-width="6" stroke-opacity="0.75" stroke-linecap="round"/></svg>`, esc(t('legend.patrolLine'))));
    }
    if (map.hasLayer(this.routes) && this.state.routes > 0) {
      parts.push(row(`<span class="tw-stop tw-stop-small" style="background:${UNIT_COLORS[0]}">1</span>`, esc(t('legend.stop'))));
      parts.push(row(`<svg width="28" height="12" aria-hidden="true"><line x1="3" y1="6" x2="25" y2="6" stroke="${UNIT_COLORS[1]}" stroke-width="3" stroke-dasharray="6 4"/></svg>`, esc(t('legend.footRoute'))));
    }
    return parts.join('');
  }
}
