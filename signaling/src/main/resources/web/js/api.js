// The HTTP API, the login session kept in localStorage, and the few page helpers every page shares.
const TOKEN = 'kezdesu.token';
const USER = 'kezdesu.user';
const NOTICE = 'kezdesu.notice';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return localStorage.getItem(TOKEN);
}

export function currentUser() {
  try {
    return JSON.parse(localStorage.getItem(USER) || 'null');
  } catch {
    return null;
  }
}

export function saveLogin(login) {
  localStorage.setItem(TOKEN, login.token);
  localStorage.setItem(USER, JSON.stringify(login.user));
}

export function saveUser(user) {
  localStorage.setItem(USER, JSON.stringify(user));
}

export function logout(message) {
  localStorage.removeItem(TOKEN);
  localStorage.removeItem(USER);
  toLogin(message, '/');
}

/** Sends the browser to the login page, which brings it back to `next` (this page by default). */
export function toLogin(message, next = location.pathname + location.search) {
  if (message) sessionStorage.setItem(NOTICE, message);
  location.assign('/login.html?next=' + encodeURIComponent(next));
}

/** Pages that need a login call this first. */
export function requireLogin() {
  if (!token()) {
    toLogin('Please log in to continue.');
    return false;
  }
  return true;
}

/**
 * A same-origin path from ?next=, never another site. Resolved as the browser would resolve it, since prefix checks
 * miss what browsers read as another host (`/\evil.example` is `//evil.example`, tabs and newlines are dropped).
 */
export function nextPath(fallback = '/') {
  const next = new URLSearchParams(location.search).get('next');
  if (!next || !next.startsWith('/')) return fallback;
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return fallback;
  }
  return url.origin === location.origin ? url.pathname + url.search + url.hash : fallback;
}

/** Calls the API; a 401 on an authenticated call means the login expired or was revoked: back to login. */
export async function api(method, path, body, { auth = true, token: given } = {}) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (given) headers.Authorization = 'Bearer ' + given;
  else if (auth && token()) headers.Authorization = 'Bearer ' + token();
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const code = data && data.error ? data.error : 'http-' + res.status;
    const message = data && data.message ? data.message : res.statusText;
    if (res.status === 401 && auth && token()) {
      localStorage.removeItem(TOKEN);
      toLogin(code === 'token-expired' ? 'Your login has expired. Please log in again.'
        : 'Your login is no longer valid. Please log in again.');
    }
    throw new ApiError(res.status, code, message);
  }
  return data;
}

/** Downloads an authenticated resource (a CSV report) through a blob link, since links cannot carry headers. */
export async function download(path, filename) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + token() } });
  if (res.status === 401) {
    toLogin('Your login has expired. Please log in again.');
    return;
  }
  if (!res.ok) throw new ApiError(res.status, 'http-' + res.status, 'The download failed (' + res.status + ').');
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Shows a message in a page's notice box (role=alert or status, set in the HTML). */
export function show(el, message, kind = 'error') {
  el.textContent = message;
  el.className = 'notice ' + kind;
  el.classList.toggle('hidden', !message);
}

/** The message another page left for this one (e.g. "Your login has expired"). */
export function takeNotice() {
  const m = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  return m;
}

/** Wires the shared header: the user's name and the log-out button. */
export function header() {
  const user = currentUser();
  const who = document.getElementById('who');
  const out = document.getElementById('logout');
  const signedOut = document.querySelectorAll('[data-signed-out]');
  const signedIn = document.querySelectorAll('[data-signed-in]');
  const inside = Boolean(token());
  signedOut.forEach((e) => e.classList.toggle('hidden', inside));
  signedIn.forEach((e) => e.classList.toggle('hidden', !inside));
  if (who && user) who.textContent = user.name;
  if (out) out.addEventListener('click', () => logout('You have logged out.'));
}

/** Appends an element with text and attributes; the only way these pages build DOM (no innerHTML). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
