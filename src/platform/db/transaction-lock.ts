/**
 * Named locks held until the end of a transaction. On PostgreSQL, several
 * Vigil nodes write to one database at once, and some work must still happen
 * one transaction at a time across all of them (storing signals in receipt
 * order and counting them into detection windows, for one): a transaction-
 * scoped advisory lock serializes exactly that work and is released by the
 * commit or rollback, so a node that dies mid-transaction cannot leave it
 * held. SQLite needs nothing: its write transactions (BEGIN IMMEDIATE) are
 * already one at a time, and one process owns the file.
 */
import { type Kysely, PostgresAdapter, sql, type Transaction } from 'kysely';
import type { VigilDatabase } from './schema.ts';

/** The locks Vigil takes, each a fixed 64-bit advisory lock key (arbitrary, but never reused). */
export const TRANSACTION_LOCKS = {
  /** Held by every transaction that stores signals and runs detection over them. */
  ingestion: 0x7669_6731n,
} as const;

export type TransactionLockName = keyof typeof TRANSACTION_LOCKS;

/** True when `db` talks to PostgreSQL. */
export function isPostgres(db: Kysely<VigilDatabase> | Transaction<VigilDatabase>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Takes the named lock for the rest of `trx`, waiting for whoever holds it.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await takeTransactionLock(trx, 'ingestion');
 *   // ... store signals, detect
 * });
 */
export async function takeTransactionLock(
  trx: Transaction<VigilDatabase>,
  name: TransactionLockName,
): Promise<void> {
  if (!isPostgres(trx)) return;
  const key = sql.raw(TRANSACTION_LOCKS[name].toString());
  await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
}
