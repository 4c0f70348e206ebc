// Sign-in: the map starts only for a signed-in user. On load GET /api/v1/me
// tells who is signed in (the session cookie is HttpOnly, the page never sees
// it); a 401 there, or any later 401 ("tw:unauthorized" from apiFetch), shows
// the sign-in form in place of the map. The header shows the user, the role
// and a sign-out button; body classes hide what the role may not use
// (tw-can-plan: cameras, kiosks, siting; tw-can-command: patrol plans), and a
// volunteer is sent to the route link a commander shared instead of the map.
import { apiFetch, setCSRF } from './api';
import { getLang, setLang, t, type Key } from './i18n';

export type Role = 'admin' | 'commander' | 'planner' | 'viewer' | 'volunteer';

export interface User {
  id: number;
  name: string;
  role: Role;
}

interface Me {
  user: User;
  csrf: string;
}

const ROLE_KEYS: Record<Role, Key> = {
  admin: 'role.admin',
  commander: 'role.commander',
  planner: 'role.planner',
  viewer: 'role.viewer',
  volunteer: 'role.volunteer',
};

let current: User | null = null;

/** The signed-in user, null before sign-in. */
export function currentUser(): User | null {
  return current;
}

/** Whether the signed-in role may use planning (cameras, kiosks, siting) or command (patrol plans) controls. */
export function can(what: 'plan' | 'command'): boolean {
  const r = current?.role;
  if (r === 'admin') return true;
  return what === 'plan' ? r === 'planner' : r === 'commander';
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/**
 * Shows the sign-in form until someone signs in, then calls start() once
 * (the map). Call it instead of starting the map directly.
 */
export function boot(start: () => void): void {
  let started = false;
  let busy = false;
  let errorKey: Key | null = null;
  let errorVars: Record<string, string | number> | undefined;

  // ---------- the sign-in screen, in place of the map ----------
  const screen = el('section', { id: 'signin', class: 'tw-signin' });
  screen.hidden = true;
  const form = el('form', { id: 'signin-form', class: 'tw-signin-box', novalidate: '' });
  const title = el('h2', { id: 'signin-title' });
  const nameLabel = el('label', { class: 'tw-signin-field' });
  const nameText = el('span');
  const nameInput = el('input', { id: 'signin-name', name: 'username', type: 'text', autocomplete: 'username', maxlength: '64', required: '' });
  nameLabel.append(nameText, nameInput);
  const pwLabel = el('label', { class: 'tw-signin-field' });
  const pwText = el('span');
  const pwInput = el('input', { id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: '' });
  pwLabel.append(pwText, pwInput);
  const error = el('div', { id: 'signin-error', class: 'tw-signin-error', role: 'alert' });
  error.hidden = true;
  const submit = el('button', { id: 'signin-submit', class: 'tw-btn tw-btn-primary', type: 'submit' });
  const note = el('p', { class: 'tw-signin-note' });
  form.append(title, nameLabel, pwLabel, error, submit, note);
  // The volunteer's page: no map, the way to their route.
  const vol = el('div', { id: 'signin-volunteer', class: 'tw-signin-box' });
  vol.hidden = true;
  const volTitle = el('h2');
  const volText = el('p');
  const volOut = el('button', { class: 'tw-btn tw-btn-primary', type: 'button' });
  vol.append(volTitle, volText, volOut);
  screen.append(form, vol);
  const map = document.getElementById('map');
  map?.parentNode?.insertBefore(screen, map);

  // ---------- the header: who is signed in, sign out ----------
  const userBox = el('span', { id: 'user', class: 'tw-user' });
  userBox.hidden = true;
  const userName = el('span', { id: 'user-name', class: 'tw-user-name' });
  const signOut = el('button', { id: 'signout', class: 'tw-lang tw-signout', type: 'button' });
  userBox.append(userName, signOut);
  const langSwitch = document.getElementById('lang-switch');
  langSwitch?.parentNode?.insertBefore(userBox, langSwitch);

  function render(): void {
    title.textContent = t('auth.title');
    nameText.textContent = t('auth.name');
    pwText.textContent = t('auth.password');
    submit.textContent = busy ? t('auth.signingIn') : t('auth.submit');
    submit.disabled = busy;
    note.textContent = t('auth.note');
    error.hidden = errorKey === null;
    error.textContent = errorKey ? t(errorKey, errorVars) : '';
    volTitle.textContent = t('auth.volunteerTitle');
    volText.textContent = t('auth.volunteer');
    volOut.textContent = t('auth.signOut');
    signOut.textContent = t('auth.signOut');
    if (current) {
      userName.textContent = t('auth.user', { name: current.name, role: t(ROLE_KEYS[current.role] ?? 'role.viewer') });
      userName.title = userName.textContent;
    }
    if (!started) {
      // main.ts renders the header once the map starts; until then, here.
      document.documentElement.lang = getLang();
      const h1 = document.getElementById('title');
      if (h1) h1.textContent = t('app.title');
      if (langSwitch) {
        langSwitch.textContent = t('app.switchTo');
        langSwitch.title = t('app.switchTitle');
      }
    }
  }

  function showForm(key: Key | null, vars?: Record<string, string | number>): void {
    errorKey = key;
    errorVars = vars;
    document.body.classList.add('tw-signed-out');
    screen.hidden = false;
    form.hidden = false;
    vol.hidden = true;
    render();
    if (!nameInput.value) nameInput.focus();
    else pwInput.focus();
  }

  function enter(me: Me): void {
    const before = current;
    setCSRF(me.csrf ?? '');
    current = me.user;
    document.body.dataset.role = me.user.role;
    document.body.dataset.user = me.user.name;
    document.body.classList.toggle('tw-can-plan', can('plan'));
    document.body.classList.toggle('tw-can-command', can('command'));
    userBox.hidden = false;
    pwInput.value = '';
    errorKey = null;
    render();
    if (me.user.role === 'volunteer') {
      document.body.classList.add('tw-signed-out');
      screen.hidden = false;
      form.hidden = true;
      vol.hidden = false;
      return;
    }
    if (started && before && (before.id !== me.user.id || before.role !== me.user.role)) {
      // Another account on a page drawn for the first: start afresh.
      window.location.reload();
      return;
    }
    document.body.classList.remove('tw-signed-out');
    screen.hidden = true;
    if (!started) {
      started = true;
      start();
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void login();
  });

  async function login(): Promise<void> {
    const name = nameInput.value;
    const password = pwInput.value;
    if (!name || !password) {
      showForm('auth.missing');
      return;
    }
    busy = true;
    render();
    try {
      const res = await apiFetch('/api/v1/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ name, password }),
      });
      if (res.ok) {
        busy = false;
        enter((await res.json()) as Me);
        return;
      }
      pwInput.value = '';
      if (res.status === 401) errorKey = 'auth.wrong';
      else if (res.status === 429) {
        errorKey = 'auth.tooMany';
        errorVars = { n: Number(res.headers.get('Retry-After')) || 60 };
      } else {
        const text = (await res.text().catch(() => '')).trim();
        let msg = `HTTP ${res.status}`;
        try {
          msg = (JSON.parse(text) as { error?: string }).error ?? msg;
        } catch {
          /* not JSON */
        }
        errorKey = 'auth.failed';
        errorVars = { msg };
      }
    } catch (err) {
      errorKey = 'auth.failed';
      errorVars = { msg: err instanceof Error ? err.message : String(err) };
    }
    busy = false;
    showForm(errorKey, errorVars);
  }

  async function logout(): Promise<void> {
    try {
      await apiFetch('/api/v1/logout', { method: 'POST' });
    } finally {
      setCSRF('');
      // A fresh page: nothing the last user saw stays in memory.
      window.location.reload();
    }
  }
  signOut.addEventListener('click', () => void logout());
  volOut.addEventListener('click', () => void logout());

  langSwitch?.addEventListener('click', () => {
    // Once the map runs, main.ts switches the language; before, here.
    if (!started) setLang(getLang() === 'en' ? 'zh-CN' : 'en');
    window.setTimeout(render, 0);
  });

  // A 401 anywhere: the session ended (signed out elsewhere, expired, disabled).
  window.addEventListener('tw:unauthorized', () => {
    if (busy || !screen.hidden) return;
    showForm(started ? 'auth.expired' : null);
  });

  render();
  void (async () => {
    try {
      const res = await apiFetch('/api/v1/me', { headers: { Accept: 'application/json' } });
      if (res.ok) enter((await res.json()) as Me);
      else if (res.status !== 401) showForm('auth.failed', { msg: `HTTP ${res.status}` });
      // 401: the "tw:unauthorized" listener shows the form.
    } catch (err) {
      showForm('auth.failed', { msg: err instanceof Error ? err.message : String(err) });
    }
  })();
}
