// Performance of the web map in Debian's Chromium (playwright-core; no browser is
// ever downloaded): time to the first full render, frame times during a scripted
// pan and zoom sequence (requestAnimationFrame timestamps collected in the page),
// long tasks and the JS heap. It asserts only that everything drew and nothing
// failed, never a time: the numbers go to test-artifacts/perf.json (merged by
// label, so runs against several workspaces sit side by side) and are recorded
// by hand in docs/benchmarks.md.
//
//   node --test test/perf.test.mjs                                      # fake server (fixtures)
//   TIDEWATCH_URL=http://127.0.0.1:8080 node --test test/perf.test.mjs  # a real server
//
// .ci/web-test.sh runs it against the 300-camera demo (with the other tests) and
// against a 10,000-camera workspace (scripts/perf-workspace.mjs). PERF_LABEL names
// the run in perf.json (default: the workspace's name); PERF_LEGACY=1 measures a build
// without the clustered layers (no layer stats to check), for before/after numbers.
// CHROMIUM overrides /usr/bin/chromium; a missing Chromium skips the test unless CI=true.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { login } from './login.mjs';
import { executablePath, launchChromium } from './chromium.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const haveChromium = existsSync(executablePath);
const ci = process.env.CI === 'true';
const skip = !haveChromium && !ci ? `Chromium not found at ${executablePath} (apt-get install chromium, or set CHROMIUM)` : false;
if (skip) {
  console.log(`# skipping the performance test: ${skip}`);
  test('web map performance in Chromium', { skip }, () => {}); // so the runner counts one skipped test
} else if (!haveChromium) {
  test('Chromium is installed (required with CI=true)', () => {
    assert.fail(`CI=true and Chromium is missing at ${executablePath}: apt-get install chromium`);
  });
}

const LAYERS = ['roads', 'grids', 'cameras', 'kiosks', 'incidents', 'sites'];
const legacy = process.env.PERF_LEGACY === '1';
const artifacts = path.join(root, 'test-artifacts');
const outFile = process.env.PERF_OUT || path.join(artifacts, 'perf.json');

// Installed before the page's own script: a requestAnimationFrame loop that
// records frame timestamps while recording is on, the moment the page says it is
// ready and the frame after it (its canvas painted), and long tasks.
function recorder() {
  const perf = { frames: [], recording: false, readyAt: null, paintedAt: null, longTasks: [] };
  window.__perf = perf;
  const loop = (ts) => {
    if (perf.recording) perf.frames.push(ts);
    const tw = window.__tidewatch;
    if (perf.readyAt === null && tw && tw.ready) {
      perf.readyAt = performance.now();
      // Leaflet's canvas redraws in the next animation frame: the frame after that shows it.
      requestAnimationFrame(() => requestAnimationFrame(() => (perf.paintedAt = performance.now())));
    }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) perf.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long task timing: the numbers stay empty
  }
}

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
const round1 = (v) => (v == null ? null : Math.round(v * 10) / 10);

describe('web map performance in Chromium', { skip: !haveChromium && (skip || 'Chromium missing'), timeout: 300_000 }, () => {
  let browser;
  let context;
  let page;
  let cdp;
  let base;
  let fake = null;
  let chromiumVersion = null;
  const errors = [];
  const result = {};

  const tw = (fn, arg) => page.evaluate(fn, arg);
  // The view's zoom, and the layer stats of the clustered layers (null in a legacy build).
  const view = () =>
    tw(() => {
      const t = window.__tidewatch;
      const s = (l) => (l && l.stats ? { ...l.stats } : null);
      return { zoom: t.map.getZoom(), cameras: s(t.layers.cameras), incidents: s(t.layers.incidents), roadFetches: t.roadFetches };
    });

  /** Runs a map action in the page and resolves on its moveend (or after 4 s when nothing moved). */
  async function act(action, arg, settleMs = 900) {
    await page.evaluate(
      ([action, arg]) =>
        new Promise((resolve) => {
          const map = window.__tidewatch.map;
          const timer = setTimeout(resolve, 4000);
          map.once('moveend', () => {
            clearTimeout(timer);
            resolve();
          });
          if (action === 'pan') map.panBy(arg, { animate: true, duration: 0.6 });
          else if (action === 'zoom') map.setZoom(arg, { animate: true });
        }),
      [action, arg],
    );
    await page.waitForTimeout(settleMs); // the 250 ms road debounce, the fetch and the redraw
  }

  async function drag(dx, dy) {
    await page.mouse.move(700, 420);
    await page.mouse.down();
    await page.mouse.move(700 + dx, 420 + dy, { steps: 24 });
    await page.mouse.up();
    await page.waitForTimeout(1200); // inertia, then the refetch
  }

  async function heapMB() {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return round1(usedSize / 1048576);
  }

  before(async () => {
    assert.ok(haveChromium, `CI=true and Chromium is missing at ${executablePath}`);
    if (process.env.TIDEWATCH_URL) {
      base = process.env.TIDEWATCH_URL.replace(/\/+$/, '');
    } else {
      assert.ok(existsSync(path.join(root, 'dist', 'app.js')), 'dist/app.js is missing: run `npm run build` first');
      const { startFakeServer } = await import('../scripts/fake-server.mjs');
      fake = await startFakeServer();
      base = fake.url;
    }
    browser = await launchChromium();
    chromiumVersion = browser.version();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    await login(context, base);
    await context.addInitScript(recorder);
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    cdp = await context.newCDPSession(page);
    await mkdir(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (fake ? fake.server.close(resolve) : resolve()));
  });

  test('first full render: every layer drawn, nothing failed', async () => {
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__perf && window.__perf.paintedAt !== null, null, { timeout: 120_000 });
    const st = await tw(() => ({
      ready: window.__tidewatch.ready,
      counts: window.__tidewatch.layerCounts,
      meta: window.__tidewatch.meta,
      errors: window.__tidewatch.errors,
      readyAt: window.__perf.readyAt,
      paintedAt: window.__perf.paintedAt,
      nav: performance.getEntriesByType('navigation')[0]?.toJSON() ?? null,
    }));
    assert.equal(st.ready, true);
    assert.deepEqual(st.errors, [], 'no error banner');
    for (const n of LAYERS) assert.ok(st.counts[n] > 0, `layer ${n} drew ${st.counts[n]} features`);
    assert.equal(st.counts.cameras, st.meta.counts.cameras, 'every camera of the workspace loaded');
    assert.equal(st.counts.incidents, st.meta.counts.incidents, 'every incident of the workspace loaded');
    const painted = await tw(() => {
      const c = document.querySelector('.leaflet-overlay-pane canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 64) if (d[i] > 0) n++;
      return n * 16;
    });
    assert.ok(painted > 5000, `only about ${painted} painted pixels on the canvas`);
    const v = await view();
    if (!legacy) {
      assert.ok(v.cameras && v.incidents, 'the camera and incident layers report their stats');
      // Everything of the workspace is in the first view: bubbles and single points stand for every camera.
      assert.equal(v.cameras.represented, st.counts.cameras, `cameras represented ${JSON.stringify(v.cameras)}`);
      if (v.zoom < 15 && st.counts.cameras > 50) assert.ok(v.cameras.clusters > 0 && v.cameras.extras === 0, `clustered, no sectors: ${JSON.stringify(v.cameras)}`);
    }
    Object.assign(result, {
      label: process.env.PERF_LABEL || `${st.meta.name}${legacy ? ' — before' : ''}`,
      workspace: st.meta.name,
      counts: st.meta.counts,
      viewport: '1280x800',
      startZoom: v.zoom,
      readyMs: Math.round(st.readyAt),
      firstRenderMs: Math.round(st.paintedAt),
      domContentLoadedMs: st.nav ? Math.round(st.nav.domContentLoadedEventEnd) : null,
      heapAfterLoadMB: await heapMB(),
      canvasLayersAtStart: await tw(() => Object.keys(window.__tidewatch.layers.roads.options.renderer._layers).length),
    });
  });

  test('pan and zoom: frame times while the map moves', async () => {
    await page.mouse.move(5, 790);
    const start = await view();
    const z0 = Math.round(start.zoom);
    await tw(() => {
      window.__perf.frames = [];
      window.__perf.recording = true;
      window.__perf.markLong = performance.now();
    });
    const t0 = Date.now();
    for (const d of [[300, 0], [0, 200], [-300, 0], [0, -200]]) await act('pan', d);
    await act('zoom', z0 + 1);
    for (const d of [[300, 150], [-300, -150]]) await act('pan', d);
    await act('zoom', z0 + 2);
    for (const d of [[250, 0], [0, 200], [-250, -200]]) await act('pan', d);
    const atClose = await view();
    await act('zoom', z0 + 3);
    for (const d of [[300, 0], [-300, 0]]) await act('pan', d);
    for (const z of [z0 + 2, z0 + 1, z0, z0 - 1, z0]) await act('zoom', z);
    await drag(-350, -120);
    await drag(350, 120);
    const wallMs = Date.now() - t0;
    const rec = await tw(() => {
      window.__perf.recording = false;
      const p = window.__perf;
      return { frames: p.frames, longTasks: p.longTasks.filter(([t]) => t >= p.markLong) };
    });
    const deltas = [];
    for (let i = 1; i < rec.frames.length; i++) deltas.push(rec.frames[i] - rec.frames[i - 1]);
    const sorted = [...deltas].sort((a, b) => a - b);
    assert.ok(deltas.length > 100, `only ${deltas.length} frames recorded`);
    assert.deepEqual(errors, [], 'no page or console errors');
    assert.deepEqual(await tw(() => window.__tidewatch.errors), [], 'no error banner');
    const end = await view();
    assert.ok(end.roadFetches > start.roadFetches, 'roads were re-fetched for the new views');
    if (!legacy && z0 + 2 >= 15) {
      // Close in: single cameras with their view sectors, for the view only.
      assert.equal(atClose.cameras.mode, 'points', JSON.stringify(atClose.cameras));
      assert.ok(atClose.cameras.points > 0 && atClose.cameras.points <= result.counts.cameras, JSON.stringify(atClose.cameras));
    }
    const longMs = rec.longTasks.map(([, d]) => d);
    Object.assign(result, {
      sequence: 'from the workspace view z: 4 pans; z+1, 2 pans; z+2, 3 pans; z+3, 2 pans; out to z-1 and back to z; 2 mouse drags',
      sequenceMs: wallMs,
      frames: deltas.length,
      frameMedianMs: round1(quantile(sorted, 0.5)),
      frameP95Ms: round1(quantile(sorted, 0.95)),
      frameMaxMs: round1(sorted.at(-1)),
      framesOver50ms: deltas.filter((d) => d > 50).length,
      longTasks: longMs.length,
      longTaskTotalMs: Math.round(longMs.reduce((a, b) => a + b, 0)),
      longTaskMaxMs: Math.round(Math.max(0, ...longMs)),
      heapAfterSequenceMB: await heapMB(),
      canvasLayersAtEnd: await tw(() => Object.keys(window.__tidewatch.layers.roads.options.renderer._layers).length),
    });
  });

  test('a click on a camera cluster zooms in', { skip: legacy && 'legacy build' }, async () => {
    const s = await view();
    if (!s.cameras || s.cameras.clusters === 0) return; // few cameras: nothing clustered at this zoom
    const pt = await tw(() => {
      const map = window.__tidewatch.map;
      const b = window.__tidewatch.layers.cameras.getLayers().filter((l) => l.cluster && map.getBounds().pad(-0.1).contains(l.getLatLng()));
      b.sort((x, y) => y.cluster.count - x.cluster.count);
      const p = map.latLngToContainerPoint(b[0].getLatLng());
      const r = map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y, count: b[0].cluster.count };
    });
    const z = s.zoom;
    await page.mouse.click(pt.x, pt.y);
    await page.waitForFunction((z) => window.__tidewatch.map.getZoom() > z, z, { timeout: 5_000 });
    await page.waitForTimeout(500);
    const after = await view();
    assert.ok(after.zoom > z, `zoom ${z} → ${after.zoom}`);
    assert.deepEqual(errors, []);
  });

  after(async () => {
    if (!result.label) return;
    let doc = { runs: {} };
    try {
      doc = JSON.parse(await readFile(outFile, 'utf8'));
      doc.runs ??= {};
    } catch {
      // first run
    }
    doc.machine = { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model ?? '', memGB: round1(os.totalmem() / 2 ** 30), chromium: chromiumVersion, node: process.version, headless: true, gpu: 'disabled' };
    doc.runs[result.label] = { ...result, loadavg1m: round1(os.loadavg()[0]), when: new Date().toISOString() };
    await mkdir(path.dirname(outFile), { recursive: true });
    await writeFile(outFile, JSON.stringify(doc, null, 2) + '\n');
    console.log(`# perf ${result.label}: ${JSON.stringify(doc.runs[result.label])}`);
  });
});
