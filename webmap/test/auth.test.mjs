// Sign-in in Debian's Chromium against the real Tidewatch server: the form
// replaces the map for a fresh browser, a wrong password is refused, the
// right one opens the map, a viewer sees no editing controls, a volunteer is
// sent to their route link, and signing out returns to the form.
//
//   TIDEWATCH_URL=http://127.0.0.1:8080 TIDEWATCH_USER=admin TIDEWATCH_PASSWORD=… node --test test/auth.test.mjs
//
// TIDEWATCH_USER must be an admin: the test adds a viewer and a volunteer
// through the API. Skipped against the fake server (always signed in) and
// without Chromium (failing instead with CI=true). Screenshots go to
// test-artifacts/.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { apiLogin } from './login.mjs';
import { executablePath, launchChromium } from './chromium.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const haveChromium = existsSync(executablePath);
const ci = process.env.CI === 'true';
const artifacts = path.join(root, 'test-artifacts');
let skip = false;
if (!process.env.TIDEWATCH_URL || !process.env.TIDEWATCH_USER) skip = 'needs the real server: TIDEWATCH_URL, TIDEWATCH_USER and TIDEWATCH_PASSWORD (an admin)';
else if (!haveChromium && !ci) skip = `Chromium not found at ${executablePath}`;

describe('sign-in in Chromium', { skip, timeout: 180_000 }, () => {
  let browser;
  let base;
  let api;
  const stamp = Date.now().toString(36);
  const viewer = { name: `查看员-${stamp}`, role: 'viewer', password: `viewer pass ${stamp}` };
  const volunteer = { name: `义警-${stamp}`, role: 'volunteer', password: `volunteer pass ${stamp}` };
  const pageErrors = [];

  async function fresh() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}/`, { waitUntil: 'load' });
    return { context, page };
  }

  async function signIn(page, name, password) {
    await page.fill('#signin-name', name);
    await page.fill('#signin-password', password);
    await page.click('#signin-submit');
  }

  const ready = (page) => page.waitForFunction(() => window.__tidewatch && window.__tidewatch.ready === true, null, { timeout: 60_000 });
  const shown = async (page, sel) => page.locator(sel).evaluate((e) => getComputedStyle(e).display !== 'none' && !e.closest('[hidden]'));

  before(async () => {
    assert.ok(haveChromium, `CI=true and Chromium is missing at ${executablePath}`);
    base = process.env.TIDEWATCH_URL.replace(/\/+$/, '');
    api = await apiLogin(base);
    for (const u of [viewer, volunteer]) {
      const res = await api(`${base}/api/v1/users`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(u) });
      assert.equal(res.status, 201, `add ${u.role}: ${await res.text()}`);
    }
    browser = await launchChromium();
    await mkdir(artifacts, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  test('a fresh browser sees the sign-in form, not the map', async () => {
    const requests = [];
    const { context, page } = await fresh();
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.trim() === want, ['#signin-title', '登录'], { timeout: 5_000 });
    assert.equal(await page.isVisible('#map'), false, 'the map is hidden');
    assert.equal(await page.evaluate(() => window.__tidewatch.ready), false);
    assert.equal(await page.isVisible('#signout'), false);
    assert.equal(await page.getAttribute('#signin-password', 'type'), 'password');
    assert.ok(!requests.some((p) => p.startsWith('/api/v1/layers') || p === '/api/v1/meta'), `no data requested: ${requests}`);
    // The session cookie is HttpOnly: the page cannot read it.
    assert.equal(await page.evaluate(() => document.cookie), '');
    await page.screenshot({ path: path.join(artifacts, 'signin.png') });
    // English on the sign-in screen too.
    await page.click('#lang-switch');
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.trim() === want, ['#signin-title', 'Sign in'], { timeout: 5_000 });
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.trim() === want, ['#signin-submit', 'Sign in'], { timeout: 5_000 });
    await page.screenshot({ path: path.join(artifacts, 'signin-en.png') });
    await page.click('#lang-switch');
    await page.waitForFunction(([sel, want]) => document.querySelector(sel)?.textContent.trim() === want, ['#signin-submit', '登录'], { timeout: 5_000 });
    await context.close();
  });

  test('a wrong password shows an error and keeps the form', async () => {
    const { context, page } = await fresh();
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await signIn(page, process.env.TIDEWATCH_USER, 'not the password at all');
    await page.waitForSelector('#signin-error', { state: 'visible' });
    assert.match(await page.textContent('#signin-error'), /用户名或密码错误/);
    assert.equal(await page.inputValue('#signin-password'), '', 'the wrong password is cleared');
    assert.equal(await page.inputValue('#signin-name'), process.env.TIDEWATCH_USER, 'the name is kept');
    assert.equal(await page.isVisible('#map'), false);
    // An unknown name gets the same answer.
    await signIn(page, `nobody-${stamp}`, process.env.TIDEWATCH_PASSWORD);
    await page.waitForFunction(() => !document.querySelector('#signin-submit').disabled);
    assert.match(await page.textContent('#signin-error'), /用户名或密码错误/);
    await page.screenshot({ path: path.join(artifacts, 'signin-wrong.png') });
    await context.close();
  });

  test('the right password opens the map; signing out returns to the form', async () => {
    const { context, page } = await fresh();
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await signIn(page, process.env.TIDEWATCH_USER, process.env.TIDEWATCH_PASSWORD);
    await ready(page);
    assert.equal(await page.isVisible('#signin'), false);
    assert.ok(await page.isVisible('#map'));
    const who = await page.textContent('#user-name');
    assert.ok(who.includes(process.env.TIDEWATCH_USER) && who.includes('管理员'), `header shows ${who}`);
    assert.ok(await page.isVisible('#signout'));
    // An admin sees every panel and the editing controls.
    for (const sel of ['#response-panel', '#coverage-panel', '#plan-panel']) assert.ok(await shown(page, sel), `${sel} shown to an admin`);
    assert.ok(await page.evaluate(() => document.body.classList.contains('tw-can-plan') && document.body.classList.contains('tw-can-command')));
    const counts = await page.evaluate(() => window.__tidewatch.layerCounts);
    assert.ok(counts.roads > 0 && counts.cameras > 0, `layers drawn: ${JSON.stringify(counts)}`);
    await page.screenshot({ path: path.join(artifacts, 'signed-in-admin.png') });
    // Reloading keeps the session.
    await page.reload({ waitUntil: 'load' });
    await ready(page);
    // Sign out: back to the form, and the session is gone on the server.
    await page.click('#signout');
    await page.waitForSelector('#signin-form', { state: 'visible', timeout: 30_000 });
    assert.equal(await page.isVisible('#map'), false);
    const me = await context.request.get(`${base}/api/v1/me`);
    assert.equal(me.status(), 401, 'GET /api/v1/me after signing out');
    await page.screenshot({ path: path.join(artifacts, 'signed-out.png') });
    await context.close();
  });

  test('a viewer sees the map without editing controls', async () => {
    const { context, page } = await fresh();
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await signIn(page, viewer.name, viewer.password);
    await ready(page);
    assert.match(await page.textContent('#user-name'), /查看员/);
    assert.equal(await page.evaluate(() => document.body.dataset.role), 'viewer');
    // Reading: the response and coverage panels; no plan panel, no siting, no accept/delete buttons.
    assert.ok(await shown(page, '#response-panel'));
    assert.ok(await shown(page, '#coverage-panel'));
    assert.equal(await shown(page, '#plan-panel'), false, 'no patrol planning for a viewer');
    await page.click('#response-panel > summary').catch(() => {});
    for (const sel of ['#resp-siting', '#cov-siting']) {
      if ((await page.locator(sel).count()) > 0) assert.equal(await shown(page, sel), false, `${sel} hidden from a viewer`);
    }
    assert.equal(await page.locator('.tw-accept:visible, .tw-cam-delete:visible, #plan-go:visible').count(), 0, 'no edit buttons');
    // Cameras cannot be dragged.
    assert.equal(await page.evaluate(() => document.querySelectorAll('.leaflet-marker-draggable').length), 0);
    // The server agrees: a viewer's edit is refused.
    const csrf = (await (await context.request.get(`${base}/api/v1/me`)).json()).csrf;
    const res = await context.request.post(`${base}/api/v1/kiosks`, { data: { lon: 0, lat: 0 }, headers: { 'X-CSRF-Token': csrf } });
    assert.equal(res.status(), 403);
    await page.screenshot({ path: path.join(artifacts, 'signed-in-viewer.png') });
    await context.close();
  });

  test('a volunteer is sent to their route link', async () => {
    const { context, page } = await fresh();
    await page.waitForSelector('#signin-form', { state: 'visible' });
    await signIn(page, volunteer.name, volunteer.password);
    await page.waitForSelector('#signin-volunteer', { state: 'visible' });
    assert.match(await page.textContent('#signin-volunteer'), /路线链接/);
    assert.equal(await page.isVisible('#map'), false);
    assert.equal(await page.evaluate(() => window.__tidewatch.ready), false);
    await page.screenshot({ path: path.join(artifacts, 'signed-in-volunteer.png') });
    await page.click('#signin-volunteer button');
    await page.waitForSelector('#signin-form', { state: 'visible', timeout: 30_000 });
    await context.close();
  });

  test('no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
