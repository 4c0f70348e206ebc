// One place for requests to the Tidewatch API: same-origin cookies, the
// CSRF token on every unsafe request, and one event when the session is
// gone so the page can show the sign-in form.

let csrfToken = '';

/** Sets the CSRF token the server gave at sign-in (GET /api/v1/me, POST /api/v1/login). */
export function setCSRF(token: string): void {
  csrfToken = token;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** fetch() for API calls: adds X-CSRF-Token to unsafe methods and fires "tw:unauthorized" on 401. */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  if (!SAFE.has(method) && csrfToken) headers.set('X-CSRF-Token', csrfToken);
  const res = await fetch(url, { ...init, method, headers, credentials: 'same-origin' });
  if (res.status === 401) window.dispatchEvent(new CustomEvent('tw:unauthorized'));
  return res;
}
