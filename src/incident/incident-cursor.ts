import { ValidationFailed } from '../platform/errors.ts';
import type { IncidentCursor } from './incident-types.ts';

/** Cursors are opaque to clients: base64url of a small JSON position. */
export function encodeIncidentCursor(cursor: IncidentCursor): string {
  return Buffer.from(JSON.stringify([cursor.openedAt, cursor.seq])).toString('base64url');
}

/** Decodes a cursor from a query string; ValidationFailed (field `query.cursor`) when it is not one of ours. */
export function decodeIncidentCursor(text: string): IncidentCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      Number.isSafeInteger(value[1])
    ) {
      return { openedAt: value[0], seq: value[1] as number };
    }
  } catch {
    // fall through: not base64url JSON
  }
  throw new ValidationFailed([{ field: 'query.cursor', reason: 'is not a cursor returned by this API' }]);
}
