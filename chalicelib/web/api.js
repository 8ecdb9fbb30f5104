// The API client: one fetch wrapper, the tokens of this tab, errors as objects.
// Tokens live in sessionStorage: they survive a reload (a test resumes) but not
// the closing of the tab, which matters on shared school computers.

// Assets are served at <root>/web/<version>/x.js: the site root is two levels up.
const ROOT = new URL('../../', import.meta.url);
const USER_KEY = 'auth.user';
const INVIGILATOR_KEY = 'auth.invigilator';

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

export const NETWORK_MESSAGE = 'Le serveur ne répond pas. Vérifiez votre connexion puis réessayez.';

/** Milliseconds to add to Date.now() to get the server's clock (0 when close). */
export let serverOffset = 0;

export function pageUrl(path) {
  return new URL(path.replace(/^\//, ''), ROOT).href;
}

function read(key) {
  try { return JSON.parse(sessionStorage.getItem(key) || 'null'); } catch (e) { return null; }
}

function write(key, value) {
  if (value === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

export const session = {
  user: () => read(USER_KEY),
  // garSession: the handle of a GAR sign-in's session (single logout), kept across refreshes
  setUser: (tokens) => {
    const before = read(USER_KEY) || {};
    write(USER_KEY, tokens && {
      access: tokens.access_token, refresh: tokens.refresh_token, userId: tokens.user_id,
      garSession: tokens.gar_session || (before.userId === tokens.user_id ? before.garSession : undefined),
    });
  },
  invigilator: () => read(INVIGILATOR_KEY),
  setInvigilator: (value) => write(INVIGILATOR_KEY, value),
};

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = 'Bearer ' + token;
  let response;
  try {
    response = await fetch(new URL(path.replace(/^\//, ''), ROOT), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', NETWORK_MESSAGE);
  }
  const date = Date.parse(response.headers.get('Date') || '');
  if (!isNaN(date)) {
    const offset = date - Date.now();
    serverOffset = Math.abs(offset) > 2000 ? offset : 0; // the header has 1 s resolution
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch (e) { data = null; }
  }
  if (!response.ok) {
    const err = (data && data.error) || {};
    const message = err.message || (response.status >= 500 ? NETWORK_MESSAGE
      : 'La demande n\u2019a pas pu aboutir (erreur ' + response.status + ').');
    throw new ApiError(response.status, err.code || 'http_' + response.status, message,
      err.details, Number(response.headers.get('Retry-After')) || 0);
  }
  return data;
}

let refreshing = null;

async function refreshUser() {
  const current = session.user();
  if (!current || !current.refresh) return false;
  if (!refreshing) {
    refreshing = send('POST', '/auth/refresh', { refresh_token: current.refresh })
      .then((tokens) => { session.setUser(tokens); return true; })
      .catch((e) => { if (e.status === 401) session.setUser(null); return false; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

/**
 * Call the API. `auth`: 'user' (bearer of the signed-in learner, refreshed once
 * on 401), 'invigilator', or nothing (public route).
 */
export async function api(method, path, body, auth) {
  const token = auth === 'user' ? (session.user() || {}).access
    : auth === 'invigilator' ? (session.invigilator() || {}).token : null;
  try {
    return await send(method, path, body, token);
  } catch (e) {
    if (e.status === 401 && auth === 'user' && await refreshUser()) {
      return send(method, path, body, session.user().access);
    }
    if (e.status === 401 && auth === 'user') {
      session.setUser(null);
      toSignIn();
    }
    throw e;
  }
}

/** The same call, retried on network errors and 5xx (for idempotent answers). */
export async function apiRetry(method, path, body, auth, tries = 3) {
  for (let i = 1; ; i++) {
    try {
      return await api(method, path, body, auth);
    } catch (e) {
      if (i >= tries || !(e.status === 0 || e.status >= 500)) throw e;
      await new Promise((r) => setTimeout(r, 800 * i));
    }
  }
}

export function toSignIn() {
  const back = location.pathname.split('/').pop() + location.search;
  location.assign(pageUrl('connexion?suite=' + encodeURIComponent(back)));
}

/** Pages reserved to a signed-in learner call this first. */
export function requireUser() {
  if (session.user()) return true;
  toSignIn();
  return false;
}

export async function signIn(login, password) {
  const tokens = await api('POST', '/auth/token', { login, password });
  session.setUser(tokens);
  return tokens;
}

/** GAR sign-in: the ACS sent the browser here with a one-time code in the
 * fragment; exchanged once for this tab's tokens. */
export async function signInWithGarCode(code) {
  const tokens = await api('POST', '/gar/session', { code });
  session.setUser(tokens);
  return tokens;
}

/** Signs out; resolves to the GAR's logout address after a GAR sign-in (the
 * page goes there so the ENT session ends too), null otherwise. */
export async function signOut() {
  const current = session.user();
  let garLogout = null;
  let revoked = false;
  if (current && current.garSession) {
    try {
      const answer = await api('POST', '/gar/logout',
        { refresh_token: current.refresh, gar_session: current.garSession }, 'user');
      garLogout = answer.url;
      revoked = true;
    } catch (e) { /* revoked below */ }
  }
  session.setUser(null);
  session.setInvigilator(null);
  if (current && current.refresh && !revoked) {
    try { await send('POST', '/auth/revoke', { refresh_token: current.refresh }); } catch (e) { /* signed out anyway */ }
  }
  return garLogout;
}

/** fetch() an API path with the signed-in user's token, retried once after a
 * token refresh on 401; a network failure becomes an ApiError. The one place
 * the raw (non-JSON) calls below go through. */
async function authorisedFetch(path, method, body, headers) {
  const go = () => fetch(new URL(path.replace(/^\//, ''), ROOT), {
    method, body, cache: 'no-store', credentials: 'omit',
    headers: Object.assign({}, headers, { Authorization: 'Bearer ' + ((session.user() || {}).access || '') }),
  });
  try {
    const response = await go();
    return response.status === 401 && await refreshUser() ? await go() : response;
  } catch (e) {
    throw new ApiError(0, 'network', NETWORK_MESSAGE);
  }
}

/** Download a file of the signed-in user (the PDF attestation) under `filename`. */
export async function download(path, filename) {
  const response = await authorisedFetch(path, 'GET', undefined, {});
  if (!response.ok) throw new ApiError(response.status, 'download', 'Le téléchargement a échoué.');
  saveBlob(await response.blob(), filename);
}

/** The roles written in the signed-in user's access token (organisations with
 * their role, centres, platform admin). For showing the right spaces only:
 * the server checks every call against the same token. */
export function roles() {
  const current = session.user();
  const none = { organizations: {}, centres: [], admin: false };
  if (!current || !current.access) return none;
  try {
    const part = current.access.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(decodeURIComponent(escape(atob(part))));
    return { organizations: claims.orgs || {}, centres: claims.ctrs || [], admin: !!claims.adm };
  } catch (e) {
    return none;
  }
}

/** Send a file as it is (roster import): the bytes, never parsed here. */
export async function upload(path, file, contentType) {
  const response = await authorisedFetch(path, 'POST', file,
    { 'Content-Type': contentType, Accept: 'application/json' });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(response.status, err.code || 'http_' + response.status,
      err.message || 'L\u2019envoi du fichier a échoué (erreur ' + response.status + ').', err.details);
  }
  return data;
}

/** POST a JSON body and save the file answered (the credentials sheet PDF). */
export async function downloadPost(path, body, filename, accept) {
  const response = await authorisedFetch(path, 'POST', JSON.stringify(body),
    { 'Content-Type': 'application/json', Accept: accept });
  if (!response.ok) {
    let message = 'Le téléchargement a échoué.';
    try { message = (await response.json()).error.message || message; } catch (e) { /* not JSON */ }
    throw new ApiError(response.status, 'download', message);
  }
  saveBlob(await response.blob(), filename);
}

/** Offer `blob` as a file named `filename`. */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** GET a text page of the API with its response headers (the paged CSV export). */
export async function getText(path) {
  const response = await authorisedFetch(path, 'GET', undefined, { Accept: 'text/csv' });
  if (!response.ok) throw new ApiError(response.status, 'download', 'L\u2019export a échoué.');
  return { text: await response.text(), next: response.headers.get('X-Next-Cursor') };
}
