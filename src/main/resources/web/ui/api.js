// The dashboard's only way to the server: the public and admin APIs, with the key in the x-api-key header.
// The key lives in sessionStorage (this tab only) and is never put in a URL.

const STORE = 'hearth.key';
let key = sessionStorage.getItem(STORE);

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function signedIn() {
  return !!key;
}

export function setKey(k) {
  key = k;
  if (k) sessionStorage.setItem(STORE, k);
  else sessionStorage.removeItem(STORE);
}

/** JSON in, JSON out; a non-2xx answer throws ApiError with the server's own message. */
export async function api(method, path, body) {
  const res = await send(method, path, body);
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) throw new ApiError(res.status, (json && json.error) || `${method} ${path} answered ${res.status}`);
  return json;
}

/** The raw Response, for model calls whose output may be bytes (images, audio). */
export async function send(method, path, body) {
  const headers = {'x-api-key': key || ''};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit'});
}

export const get = path => api('GET', path);
export const post = (path, body) => api('POST', path, body === undefined ? {} : body);
export const put = (path, body) => api('PUT', path, body);
export const del = path => api('DELETE', path);
