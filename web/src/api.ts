/**
 * The console's only way to the server: the public REST API. A person signs
 * in with a session cookie (state-changing requests carry its CSRF token), or
 * pastes an API token once, kept for the browser session only.
 */

const TOKEN_KEY = 'vigil.token';

/** A field the server named in a problem document. */
export interface FieldError {
  field: string;
  reason: string;
}

/** An RFC 9457 problem from the API, kept whole so pages can show what went wrong and where. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: FieldError[],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

let csrfToken: string | null = null;

/**
 * How far the server's clock is ahead of this browser's (ms), from the
 * `x-vigil-time` header of the last answer. Countdowns run on the server's
 * time: a viewer whose clock is off still sees when a target falls due.
 */
let serverOffsetMs = 0;

/** Now, by the server's clock. */
export function serverNow(): number {
  return Date.now() + serverOffsetMs;
}

function noteServerTime(response: Response): void {
  const stamped = Date.parse(response.headers.get('x-vigil-time') ?? '');
  if (!Number.isNaN(stamped)) serverOffsetMs = stamped - Date.now();
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function rememberToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: { title?: string; detail?: string; errors?: FieldError[] } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not a problem document (a proxy's error page): the status says enough.
  }
  return new ApiError(response.status, body.title ?? response.statusText, body.detail, body.errors ?? []);
}

/** Calls the API; JSON in, JSON out; throws {@link ApiError} for any problem answer. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  else if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  noteServerTime(response);
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Uploads a file's bytes as they are (evidence), with its name in the query. */
export async function upload<T>(path: string, file: File, query: Record<string, string>): Promise<T> {
  const headers: Record<string, string> = { 'content-type': file.type || 'application/octet-stream' };
  const token = storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  else if (csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(`${path}?${new URLSearchParams(query)}`, {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: file,
  });
  noteServerTime(response);
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string, body?: unknown) => api<T>('DELETE', path, body);
