/**
 * One codec for instants in both databases.
 *
 * Instants are stored as fixed-width UTC ISO 8601 text with milliseconds
 * (`2026-04-07T08:30:00.000Z`). SQLite has no timestamp type, and giving
 * PostgreSQL `timestamptz` would mean two codecs and two sets of comparison
 * rules. Fixed-width UTC text sorts lexicographically in instant order, so
 * indexes, range filters and cursors behave the same on both engines.
 */

/** Encodes an instant for storage. */
export function toDbInstant(instant: Date): string {
  return instant.toISOString();
}

/** Decodes a stored instant. */
export function fromDbInstant(stored: string): Date {
  return new Date(stored);
}

/** Decodes a nullable stored instant. */
export function fromDbInstantOrNull(stored: string | null): Date | null {
  return stored === null ? null : new Date(stored);
}
