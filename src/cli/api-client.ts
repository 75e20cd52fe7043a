/**
 * A small client of Vigil's REST API for the CLI's client commands. A
 * problem+json answer becomes an ApiError carrying the document.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

export interface ApiProblem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; reason: string }[];
  /** For `invalid-transition`: the states that may follow instead. */
  allowed?: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ApiProblem,
  ) {
    const fields = problem.errors?.map((e) => `\n  ${e.field}: ${e.reason}`).join('') ?? '';
    const allowed = problem.allowed ? `\n  allowed: ${problem.allowed.join(', ') || '(none)'}` : '';
    super(`${status} ${problem.title ?? 'error'}: ${problem.detail ?? ''}${fields}${allowed}`);
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  /** POST with a JSON body, or with none when `body` is undefined. */
  post<T>(path: string, body?: unknown): Promise<T>;
  /** DELETE, with a JSON body when one is given. */
  delete<T>(path: string, body?: unknown): Promise<T>;
  /** PUT with a JSON body. */
  put<T>(path: string, body: unknown): Promise<T>;
  /** PATCH with a JSON body. */
  patch<T>(path: string, body: unknown): Promise<T>;
  /** POST of a body sent as is, e.g. NDJSON, with its content type. */
  postText<T>(path: string, body: string, contentType: string): Promise<T>;
  /** GET of a binary answer (e.g. a ZIP), streamed into `file`; nothing is left under `file` on an error. */
  download(path: string, file: string): Promise<{ bytes: number; etag: string | null }>;
  /** POST of a stream (a file), never held whole in memory; the length lets the server refuse early. */
  postStream<T>(path: string, body: Readable, contentType: string, contentLength?: number): Promise<T>;
}

export function createApiClient(options: { url: string; token: string | undefined }): ApiClient {
  const base = options.url.replace(/\/+$/, '');
  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    raw?: { text: string; contentType: string },
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = raw.contentType;
    const payload = raw ? raw.text : body === undefined ? undefined : JSON.stringify(body);
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
    } catch (error) {
      throw new Error(`cannot reach Vigil at ${base}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiError(response.status, (parsed ?? {}) as ApiProblem);
    return parsed as T;
  }
  async function download(path: string, file: string): Promise<{ bytes: number; etag: string | null }> {
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { headers });
    } catch (error) {
      throw new Error(`cannot reach Vigil at ${base}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      throw new ApiError(response.status, (text ? JSON.parse(text) : {}) as ApiProblem);
    }
    // Written aside and renamed once complete, so a broken download never leaves a partial file under `file`.
    const partial = `${file}.part`;
    try {
      await pipeline(Readable.fromWeb(response.body as NodeReadableStream), createWriteStream(partial));
      await rename(partial, file);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { bytes: (await stat(file)).size, etag: response.headers.get('etag') };
  }
  async function postStream<T>(path: string, body: Readable, contentType: string, contentLength?: number) {
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (contentLength !== undefined) headers['content-length'] = String(contentLength);
    let response: Response;
    try {
      // `duplex: 'half'` is how fetch sends a stream body; Node's RequestInit type lacks it.
      const init = { method: 'POST', headers, body: Readable.toWeb(body), duplex: 'half' };
      response = await fetch(`${base}${path}`, init as RequestInit);
    } catch (error) {
      throw new Error(`cannot reach Vigil at ${base}: ${(error as Error).cause ?? (error as Error).message}`);
    }
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiError(response.status, (parsed ?? {}) as ApiProblem);
    return parsed as T;
  }
  return {
    download,
    postStream,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    delete: (path, body) => call('DELETE', path, body),
    put: (path, body) => call('PUT', path, body),
    patch: (path, body) => call('PATCH', path, body),
    postText: (path, text, contentType) => call('POST', path, undefined, { text, contentType }),
  };
}
