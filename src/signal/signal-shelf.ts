/**
 * Where a signal is shelved on PostgreSQL (pure). There `signals` is
 * partitioned by list on a text column `shelf` (migration 0018): the UTC day
 * of receipt (`2026-03-02`) for telemetry, and `kept` for the signals that
 * became incident evidence. A day's telemetry is then one table, and its
 * purge drops that table instead of deleting millions of rows one by one
 * (which scans, writes every row to the WAL and leaves the table bloated
 * until a vacuum). SQLite has no partitions and no shelf column.
 */

/** The shelf of evidence: rows moved here outlive their day's partition. */
export const KEPT_SHELF = 'kept';

const DAY_MS = 24 * 60 * 60_000;
const DAY_SHELF = /^\d{4}-\d{2}-\d{2}$/;

/** The shelf (`YYYY-MM-DD`, UTC) of a signal received at `receivedAt`. */
export function shelfOfReceipt(receivedAt: Date): string {
  return receivedAt.toISOString().slice(0, 10);
}

/** True for a day shelf (`YYYY-MM-DD`); false for `kept` and anything else. */
export function isDayShelf(shelf: string): boolean {
  return DAY_SHELF.test(shelf);
}

/**
 * The table holding one day's signals: `signals_d20260302`. Only ever built
 * from a checked day shelf, so it is safe to splice into DDL.
 */
export function partitionOfDay(day: string): string {
  if (!isDayShelf(day)) throw new Error(`not a day shelf: ${day}`);
  return `signals_d${day.replaceAll('-', '')}`;
}

/** The day shelf a partition name stands for, or null for another table (`signals_kept`, `signals_default`). */
export function dayOfPartition(table: string): string | null {
  const match = /^signals_d(\d{4})(\d{2})(\d{2})$/.exec(table);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/** The day shelves from the day of `now` (UTC) on, `count` of them: the partitions made ahead of ingestion. */
export function shelvesAhead(now: Date, count: number): string[] {
  return Array.from({ length: count }, (_, i) => shelfOfReceipt(new Date(now.getTime() + i * DAY_MS)));
}

/**
 * The instant before which PostgreSQL purges telemetry, given the policy's
 * `cutoff`: midnight UTC of the cutoff's day. PostgreSQL purges whole days
 * (a day goes once all of it is past the period), so a signal may stay up to
 * one day longer than the period there; SQLite deletes up to the cutoff itself.
 */
export function dayPurgeCutoff(cutoff: Date): Date {
  return new Date(Math.floor(cutoff.getTime() / DAY_MS) * DAY_MS);
}

/** Midnight UTC starting the day shelf `day`, and the next midnight: the receipt times it holds are in [start, end). */
export function receiptSpanOfDay(day: string): { start: Date; end: Date } {
  const start = new Date(`${day}T00:00:00.000Z`);
  return { start, end: new Date(start.getTime() + DAY_MS) };
}
