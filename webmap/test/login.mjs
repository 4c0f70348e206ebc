// Signs a Playwright browser context in to the real Tidewatch server, so
// every page of the context carries the session cookie. The account comes
// from TIDEWATCH_USER / TIDEWATCH_PASSWORD (.ci/web-test.sh creates it);
// against the fake server (no TIDEWATCH_URL) there is nothing to sign in to.
//
// Returns a fetch() for Node-side API calls of the test as that user: it
// sends the session cookie, and the CSRF token on unsafe methods.
export async function login(context, base) {
  const name = process.env.TIDEWATCH_USER;
  const password = process.env.TIDEWATCH_PASSWORD;
  if (!process.env.TIDEWATCH_URL || !name) return fetch;
  const res = await context.request.post(`${base}/api/v1/login`, { data: { name, password } });
  if (!res.ok()) throw new Error(`login as ${name}: HTTP ${res.status()} ${await res.text()}`);
  const { csrf } = await res.json();
  const cookie = (await context.cookies(base)).find((c) => c.name === 'tw_session');
  if (!cookie) throw new Error(`login as ${name}: no tw_session cookie`);
  return (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Cookie', `tw_session=${cookie.value}`);
    const method = (init.method ?? 'GET').toUpperCase();
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) headers.set('X-CSRF-Token', csrf);
    return fetch(url, { ...init, headers });
  };
}

// Signs in without a browser and returns a fetch() as that user, for tests
// that ask the API before they open a page (plain fetch against the fake
// server).
export async function apiLogin(base) {
  const name = process.env.TIDEWATCH_USER;
  const password = process.env.TIDEWATCH_PASSWORD;
  if (!process.env.TIDEWATCH_URL || !name) return fetch;
  const res = await fetch(`${base}/api/v1/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, password }) });
  if (!res.ok) throw new Error(`login as ${name}: HTTP ${res.status} ${await res.text()}`);
  const { csrf } = await res.json();
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tw_session='));
  if (!cookie) throw new Error(`login as ${name}: no tw_session cookie`);
  const value = cookie.split(';')[0].slice('tw_session='.length);
  return (url, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Cookie', `tw_session=${value}`);
    const method = (init.method ?? 'GET').toUpperCase();
    if (!['GET', 'HEAD', 'OPTIONS'].includes(method)) headers.set('X-CSRF-Token', csrf);
    return fetch(url, { ...init, headers });
  };
}
