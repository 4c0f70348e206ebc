// The import dialog (导入, admins only): the admin picks a layer and a file —
// a zipped shapefile, GeoJSON or CSV — and the server replaces that layer of
// the workspace (POST /api/v1/import; roads and the other layers stay).
// Shapefiles are converted to GeoJSON here, in the browser, by shpjs
// (bundled; reprojected to WGS84 when the zip holds a .prj); without a .prj
// the coordinates must already look like longitude, latitude. GeoJSON and
// CSV go to the server as they are. The server's answer to a bad file names
// the file and the line or feature: the dialog shows them.
import { apiFetch } from './api';
import { num, t, type Key } from './i18n';
import { currentUser } from './login';
// @ts-ignore shpjs ships no type declarations
import { parseZip as shpParseZip } from 'shpjs';

/** The layers a file may replace (the form fields of POST /api/v1/import). */
export type ImportLayer = 'cameras' | 'kiosks' | 'incidents' | 'sites' | 'grids';
export const IMPORT_LAYERS: readonly ImportLayer[] = ['cameras', 'kiosks', 'incidents', 'sites', 'grids'];
const LAYER_KEYS: Record<ImportLayer, Key> = {
  cameras: 'layer.cameras',
  kiosks: 'layer.kiosks',
  incidents: 'layer.incidents',
  sites: 'layer.sites',
  grids: 'layer.grids',
};

/** The server's answer to an import (see api/import.go). */
export interface ImportResult {
  revision: number;
  counts: Record<string, number>;
  layers: Record<string, number>;
  files: { layer: string; file: string; format: string; records: number }[];
}

/** The server's answer to a bad file. */
export interface ImportErrorBody {
  code: string;
  error: string;
  file?: string;
  layer?: string;
  line?: number;
  feature?: number;
  reason?: string;
}

/** What the browser tests read (window.__tidewatch.importer). */
export interface ImportState {
  open: boolean;
  busy: boolean;
  /** Successful imports on this page. */
  imported: number;
  result: ImportResult | null;
  /** The last failure: the server's body, or a message of the page's own. */
  error: ImportErrorBody | null;
  /** Features a shapefile became, null for other files. */
  converted: number | null;
}

export interface ImportDeps {
  showError: (message: string, err?: unknown) => void;
  /** Called after a successful import with the replaced layers. */
  imported: (layers: ImportLayer[]) => Promise<void>;
}

type ShpParse = (buf: ArrayBuffer) => Promise<GeoJSON.FeatureCollection | GeoJSON.FeatureCollection[]>;
const parseZip = shpParseZip as ShpParse;

/** A failure of the page's own, shown like the server's. */
class LocalError extends Error {
  constructor(readonly key: Key, readonly vars: Record<string, string | number> = {}) {
    super(key);
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/**
 * The names of the files in a ZIP archive, read from its central directory
 * (null when the archive cannot be read so; ZIP64 is not looked into).
 */
export function zipNames(buf: ArrayBuffer): string[] | null {
  const dv = new DataView(buf);
  const n = buf.byteLength;
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
  let eocd = -1;
  for (let i = n - 22; i >= Math.max(0, n - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  if (p === 0xffffffff || count === 0xffff) return null;
  const names: string[] = [];
  const dec = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (p + 46 > n || dv.getUint32(p, true) !== 0x02014b50) return null;
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    names.push(dec.decode(new Uint8Array(buf, p + 46, Math.min(nameLen, n - p - 46))));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** Whether every position of fc lies within longitude −180..180, latitude −90..90. */
export function looksLonLat(fc: GeoJSON.FeatureCollection): boolean {
  let ok = true;
  const walk = (c: unknown): void => {
    if (!ok || !Array.isArray(c)) return;
    if (typeof c[0] === 'number') {
      const [x, y] = c as number[];
      if (!(Math.abs(x) <= 180 && Math.abs(y) <= 90)) ok = false;
      return;
    }
    for (const d of c) walk(d);
  };
  const geom = (g: GeoJSON.Geometry | null): void => {
    if (!g) return;
    if (g.type === 'GeometryCollection') g.geometries.forEach(geom);
    else walk((g as { coordinates: unknown }).coordinates);
  };
  for (const f of fc.features) geom(f.geometry);
  return ok;
}

/** Shapefile points are often written as one-point MultiPoints: the server wants Points. */
function singlePoints(fc: GeoJSON.FeatureCollection): void {
  for (const f of fc.features) {
    const g = f.geometry;
    if (g && g.type === 'MultiPoint' && g.coordinates.length === 1) f.geometry = { type: 'Point', coordinates: g.coordinates[0] };
  }
}

/**
 * Converts a zipped shapefile to a GeoJSON file for the server: one
 * shapefile per zip; reprojected by shpjs when a .prj is there; refused
 * without one when the coordinates are not longitude, latitude.
 */
export async function shapefileToGeoJSON(file: File): Promise<{ file: File; features: number }> {
  const buf = await file.arrayBuffer();
  const names = zipNames(buf);
  if (names === null) throw new LocalError('import.notZip', { file: file.name });
  const base = (n: string) => n.replace(/\.[^./\\]*$/, '').toLowerCase();
  const shps = names.filter((n) => /\.shp$/i.test(n) && !n.includes('__MACOSX'));
  if (shps.length === 0) throw new LocalError('import.noShp', { file: file.name });
  if (shps.length > 1) throw new LocalError('import.manyShp', { file: file.name, n: shps.length });
  const hasPrj = names.some((n) => /\.prj$/i.test(n) && base(n) === base(shps[0]));
  let parsed: GeoJSON.FeatureCollection | GeoJSON.FeatureCollection[];
  try {
    parsed = await parseZip(buf);
  } catch (err) {
    throw new LocalError('import.shpFailed', { file: file.name, msg: err instanceof Error ? err.message : String(err) });
  }
  const fc = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!fc || !Array.isArray(fc.features)) throw new LocalError('import.shpFailed', { file: file.name, msg: 'no features' });
  if (!looksLonLat(fc)) throw new LocalError(hasPrj ? 'import.badCoords' : 'import.noPrj', { file: file.name });
  singlePoints(fc);
  const out: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: fc.features };
  const name = file.name.replace(/\.zip$/i, '') + '.geojson';
  return { file: new File([JSON.stringify(out)], name, { type: 'application/geo+json' }), features: fc.features.length };
}

/** The import dialog and its header button. */
export class ImportDialog {
  readonly state: ImportState = { open: false, busy: false, imported: 0, result: null, error: null, converted: null };
  readonly button: HTMLButtonElement;
  readonly dialog: HTMLDialogElement;
  private layer: HTMLSelectElement;
  private fileInput: HTMLInputElement;
  private status: HTMLElement;
  private submit: HTMLButtonElement;
  private close: HTMLButtonElement;
  private labels: Record<string, HTMLElement> = {};
  private message: { text: () => string; bad: boolean } | null = null;

  constructor(private deps: ImportDeps) {
    this.button = el('button', { id: 'import-open', class: 'tw-lang tw-import-open', type: 'button' });
    this.button.addEventListener('click', () => this.show());
    const anchor = document.getElementById('user') ?? document.getElementById('lang-switch');
    anchor?.parentNode?.insertBefore(this.button, anchor);

    const d = el('dialog', { id: 'import-dialog', class: 'tw-import', 'aria-labelledby': 'import-title' });
    const form = el('form', { method: 'dialog', class: 'tw-import-form' });
    const title = el('h2', { id: 'import-title' });
    this.labels.title = title;
    const layerLabel = el('label', { class: 'tw-import-field' });
    this.labels.layer = el('span');
    this.layer = el('select', { id: 'import-layer', name: 'layer' });
    for (const l of IMPORT_LAYERS) this.layer.appendChild(el('option', { value: l }));
    layerLabel.append(this.labels.layer, this.layer);
    const fileLabel = el('label', { class: 'tw-import-field' });
    this.labels.file = el('span');
    this.fileInput = el('input', { id: 'import-file', name: 'file', type: 'file', accept: '.zip,.geojson,.json,.csv,.txt' });
    fileLabel.append(this.labels.file, this.fileInput);
    this.labels.formats = el('p', { class: 'tw-import-note' });
    this.labels.replaces = el('p', { id: 'import-replaces', class: 'tw-import-warn' });
    this.status = el('div', { id: 'import-status', class: 'tw-import-status', role: 'status', 'aria-live': 'polite' });
    const buttons = el('div', { class: 'tw-import-buttons' });
    this.submit = el('button', { id: 'import-submit', class: 'tw-btn tw-btn-primary', type: 'button' });
    this.close = el('button', { id: 'import-close', class: 'tw-btn', type: 'button' });
    buttons.append(this.close, this.submit);
    form.append(title, layerLabel, fileLabel, this.labels.formats, this.labels.replaces, this.status, buttons);
    d.appendChild(form);
    document.body.appendChild(d);
    this.dialog = d;

    this.submit.addEventListener('click', () => void this.run());
    this.close.addEventListener('click', () => this.hide());
    this.layer.addEventListener('change', () => this.render());
    this.fileInput.addEventListener('change', () => {
      this.message = null;
      this.state.error = null;
      this.render();
    });
    d.addEventListener('close', () => {
      this.state.open = false;
    });
    this.render();
  }

  /** Admins see the button; before anyone is known (no sign-in), the server decides. */
  private allowed(): boolean {
    const u = currentUser();
    return !u || u.role === 'admin';
  }

  show(): void {
    if (!this.dialog.open) this.dialog.showModal();
    this.state.open = true;
    this.render();
  }

  hide(): void {
    if (this.dialog.open) this.dialog.close();
    this.state.open = false;
  }

  render(): void {
    this.button.hidden = !this.allowed();
    this.button.textContent = t('import.button');
    this.button.title = t('import.buttonTitle');
    this.labels.title.textContent = t('import.title');
    this.labels.layer.textContent = t('import.layer');
    this.labels.file.textContent = t('import.file');
    this.labels.formats.textContent = t('import.formats');
    const layer = this.layer.value as ImportLayer;
    this.labels.replaces.textContent = t('import.replaces', { layer: t(LAYER_KEYS[layer] ?? 'layer.kiosks') });
    for (const o of Array.from(this.layer.options)) o.textContent = t(LAYER_KEYS[o.value as ImportLayer]);
    this.submit.textContent = this.state.busy ? t('import.busy') : t('import.submit');
    this.submit.disabled = this.state.busy;
    this.close.textContent = t('import.close');
    this.status.textContent = this.message?.text() ?? '';
    this.status.classList.toggle('tw-import-bad', !!this.message?.bad);
    this.status.hidden = !this.message;
  }

  /** The server's error as a line: file, line or feature, reason. */
  static describe(e: ImportErrorBody, converted: string | null): string {
    if (!e.file) return e.error;
    const vars = { file: converted ? `${e.file} (${converted})` : e.file, reason: e.reason || e.error };
    if (e.feature) return t('import.errFeature', { ...vars, n: e.feature });
    if (e.line) return t('import.errLine', { ...vars, n: e.line });
    return t('import.errFile', vars);
  }

  private fail(text: () => string, body: ImportErrorBody | null): void {
    this.state.error = body;
    this.message = { text: () => t('import.failed', { msg: text() }), bad: true };
  }

  /** Reads, converts if needed, and posts the chosen file. */
  async run(): Promise<void> {
    const file = this.fileInput.files?.[0];
    const layer = this.layer.value as ImportLayer;
    this.state.error = null;
    this.state.converted = null;
    if (!file) {
      this.fail(() => t('import.noFile'), { code: 'invalid', error: 'no file' });
      this.render();
      return;
    }
    this.state.busy = true;
    this.message = { text: () => t('import.busy'), bad: false };
    this.render();
    let upload: File = file;
    let convertedFrom: string | null = null;
    try {
      if (/\.zip$/i.test(file.name)) {
        this.message = { text: () => t('import.converting', { file: file.name }), bad: false };
        this.render();
        const c = await shapefileToGeoJSON(file);
        upload = c.file;
        convertedFrom = file.name;
        this.state.converted = c.features;
      }
      const form = new FormData();
      form.append(layer, upload, upload.name);
      const res = await apiFetch('/api/v1/import', { method: 'POST', body: form, headers: { Accept: 'application/json' } });
      const text = await res.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      if (!res.ok) {
        const e = (body && typeof body === 'object' ? body : { code: String(res.status), error: `HTTP ${res.status}: ${text.slice(0, 200)}` }) as ImportErrorBody;
        this.fail(() => ImportDialog.describe(e, convertedFrom), e);
        return;
      }
      const r = body as ImportResult;
      this.state.result = r;
      this.state.imported++;
      const n = r.layers?.[layer] ?? 0;
      const conv = this.state.converted;
      this.message = {
        text: () =>
          (conv !== null ? t('import.converted', { n: num(conv) }) + ' ' : '') +
          t('import.done', { layer: t(LAYER_KEYS[layer]), n: num(n), rev: r.revision }),
        bad: false,
      };
      this.fileInput.value = '';
      await this.deps.imported([layer]);
    } catch (err) {
      if (err instanceof LocalError) {
        const e = err;
        this.fail(() => t(e.key, e.vars), { code: 'invalid', error: t(e.key, e.vars), file: file.name });
      } else {
        const msg = err instanceof Error ? err.message : String(err);
        this.fail(() => msg, { code: 'internal', error: msg });
        this.deps.showError(t('import.failed', { msg }), err);
      }
    } finally {
      this.state.busy = false;
      this.render();
    }
  }
}
