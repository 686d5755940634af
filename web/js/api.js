// api.js - the one way the UI talks to the server (docs/api.md).
//
// Every call goes through call(): it adds the session's CSRF token to each
// state-changing request, turns the server's {"error": {code, message,
// field}} into an ApiError with those three, and turns a network failure
// into one too, so screens only ever show sentences.  A 401 on any call but
// sign-in means the session ended: the app is told (onSessionEnd) and sends
// the user to sign in, then back to where they were.

export class ApiError extends Error {
  constructor(status, code, message, field, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || null;
    this.retryAfter = retryAfter || 0;
  }
}

let csrf = '';
let sessionEnd = () => {};

export function setCsrf(token) {
  csrf = token || '';
}

export function onSessionEnd(fn) {
  sessionEnd = fn;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function toError(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: a proxy's page, say */
  }
  const e = body && body.error;
  const retry = parseInt(res.headers.get('Retry-After') || '0', 10) || 0;
  if (e && typeof e.message === 'string')
    return new ApiError(res.status, e.code || 'error', e.message, e.field, retry);
  return new ApiError(res.status, 'http_' + res.status,
    `The server answered ${res.status} ${res.statusText || ''}`.trim() + '. Try again; if it persists, tell the administrator.', null, retry);
}

// call(method, path, body?, opts?): resolves to the parsed JSON (or null
// for 204, or the Response when opts.raw), rejects with an ApiError.
// body: an object (sent as JSON), a string with opts.type, or FormData.
export async function call(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  let data;
  if (body instanceof FormData) data = body;
  else if (typeof body === 'string') {
    data = body;
    headers['Content-Type'] = opts.type || 'text/plain';
  } else if (body !== undefined) {
    data = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (MUTATING.has(method) && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, { method, headers, body: data, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check the network connection and try again.');
  }
  if (!res.ok) {
    const e = await toError(res);
    if (res.status === 401 && !opts.noRedirect && (e.code === 'session_expired' || e.code === 'unauthenticated'))
      sessionEnd(e);
    throw e;
  }
  if (opts.raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path, opts) => call('GET', path, undefined, opts);
export const post = (path, body, opts) => call('POST', path, body, opts);
export const put = (path, body, opts) => call('PUT', path, body, opts);
export const patch = (path, body, opts) => call('PATCH', path, body, opts);
export const del = (path, opts) => call('DELETE', path, undefined, opts);

// A query string from an object, leaving out empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

// Sends FormData with XMLHttpRequest, whose upload events give the
// progress that fetch() does not.  onProgress(fraction) as bytes go out.
// Resolves to the parsed JSON answer, rejects with an ApiError.
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    x.setRequestHeader('Accept', 'application/json');
    if (csrf) x.setRequestHeader('X-CSRF-Token', csrf);
    x.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    x.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted: the server cannot be reached. Try again.'));
    x.onload = () => {
      let body = null;
      try {
        body = JSON.parse(x.responseText);
      } catch {
        /* handled below */
      }
      if (x.status >= 200 && x.status < 300) return resolve(body);
      const e = body && body.error;
      const retry = parseInt(x.getResponseHeader('Retry-After') || '0', 10) || 0;
      const err = e ? new ApiError(x.status, e.code, e.message, e.field, retry)
        : new ApiError(x.status, 'http_' + x.status, `The upload failed (${x.status}). Try again.`, null, retry);
      if (x.status === 401) sessionEnd(err);
      reject(err);
    };
    x.send(form);
  });
}
