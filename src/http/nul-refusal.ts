/**
 * Refuses text holding U+0000 (NUL) in a request's path, query string or
 * JSON body. PostgreSQL's `text` cannot hold it, so such a value used to fail
 * the query there (a 500) while SQLite stored it; now both answer 400 naming
 * the field, before any handler, permission check or query runs. Ingestion
 * bodies are text handed to the adapters, which replace a NUL in what they
 * extract instead (see `src/signal/adapters/adapter-helpers.ts`).
 */
import type { FastifyInstance } from 'fastify';
import { ValidationFailed } from '../platform/errors.ts';

const NUL = '\u0000';

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  // Parsed JSON, path parameters and query strings (the router's objects have a prototype of their
  // own); a Buffer or stream body (an evidence upload) is bytes, not text.
  return !ArrayBuffer.isView(value) && typeof (value as { pipe?: unknown }).pipe !== 'function';
}

/**
 * The dotted path (`body.contacts.0.name`) of the first string or key in `value` holding a NUL,
 * or undefined. Walks with its own stack, so a deeply nested body cannot exhaust the call stack.
 */
export function findNul(value: unknown, at: string): string | undefined {
  const pending: Array<[unknown, string]> = [[value, at]];
  while (pending.length > 0) {
    const [current, path] = pending.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (current.includes(NUL)) return path;
      continue;
    }
    if (!isPlainContainer(current)) continue;
    for (const [key, child] of Object.entries(current)) {
      if (key.includes(NUL)) return path;
      pending.push([child, `${path}.${key}`]);
    }
  }
  return undefined;
}

function refuseNul(field: string | undefined): void {
  if (field) throw new ValidationFailed([{ field, reason: 'must not contain the NUL character (U+0000)' }]);
}

/** Installs the refusal: path and query on request (before authorization reads them), the body once parsed. */
export function installNulRefusal(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    refuseNul(findNul(request.params, 'params') ?? findNul(request.query, 'query'));
  });
  app.addHook('preValidation', async (request) => {
    // An ingestion body stays text for its adapter; a JSON body that is one bare string fails its schema anyway.
    if (typeof request.body !== 'string') refuseNul(findNul(request.body, 'body'));
  });
}
