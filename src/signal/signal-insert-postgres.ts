/**
 * Storing signals on PostgreSQL, where `signals` is partitioned by shelf
 * (migration 0018) and so has no unique index on the dedup key: a partitioned
 * table's unique indexes must include the partition key, and a sender's retry
 * may come on another day than the original. The insert therefore looks the
 * keys up first (one index probe per key per partition, all keys of a chunk
 * in one statement) and stores only the new ones. That check-then-insert is
 * race-free because it runs under the ingestion lock, which every transaction
 * that stores signals holds (src/platform/db/transaction-lock.ts); it is
 * taken here too, so no caller can forget it (taking it twice is harmless).
 */
import { CompiledQuery, type Transaction } from 'kysely';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { takeTransactionLock } from '../platform/db/transaction-lock.ts';
import { shelfOfReceipt } from './signal-shelf.ts';
import type { NormalizedSignal, StoredSignalRecord } from './signal-types.ts';

/** Rows per INSERT: 14 parameters each stays well under PostgreSQL's 65535. */
const CHUNK = 500;

/** How signal-dal.ts lays a signal out as columns (its names, and the values in that order). */
export interface SignalLayout {
  columns: readonly string[];
  rowOf(signal: NormalizedSignal, receivedAt: string): unknown[];
}

const insertSqlByRows = new Map<number, string>();

/** `insert ... values (...), (...) returning seq, dedup_key` for `rows` rows, built once per row count. */
function insertSql(columns: readonly string[], rows: number): string {
  let text = insertSqlByRows.get(rows);
  if (text === undefined) {
    const width = columns.length + 1;
    const tuples = Array.from(
      { length: rows },
      (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`,
    );
    const names = [...columns, 'shelf'].map((c) => `"${c}"`).join(', ');
    text = `insert into "signals" (${names}) values ${tuples.join(', ')} returning "seq", "dedup_key"`;
    insertSqlByRows.set(rows, text);
  }
  return text;
}

/** The keys among `keys` already stored, on any shelf. */
async function storedKeys(trx: Transaction<VigilDatabase>, keys: string[]): Promise<Set<string>> {
  const result = await trx.executeQuery<{ dedup_key: string }>(
    CompiledQuery.raw('select "dedup_key" from "signals" where "dedup_key" = any($1::text[])', [keys]),
  );
  return new Set(result.rows.map((r) => r.dedup_key));
}

/**
 * Stores the signals whose dedup key is new, in order, and returns, for each
 * entry, the stored signal (with its new id), or null when its key was
 * already stored or came earlier in the same call (the first one wins).
 */
export async function insertNewPostgres(
  trx: Transaction<VigilDatabase>,
  entries: readonly { signal: NormalizedSignal; receivedAt: Date }[],
  layout: SignalLayout,
): Promise<(StoredSignalRecord | null)[]> {
  await takeTransactionLock(trx, 'ingestion');
  const stored: (StoredSignalRecord | null)[] = new Array(entries.length).fill(null);
  const seen = new Set<string>();
  const firsts: number[] = [];
  entries.forEach(({ signal }, i) => {
    if (seen.has(signal.dedupKey)) return;
    seen.add(signal.dedupKey);
    firsts.push(i);
  });
  for (let start = 0; start < firsts.length; start += CHUNK) {
    const chunk = firsts.slice(start, start + CHUNK);
    const known = await storedKeys(
      trx,
      chunk.map((i) => entries[i]!.signal.dedupKey),
    );
    const fresh = chunk.filter((i) => !known.has(entries[i]!.signal.dedupKey));
    if (fresh.length === 0) continue;
    const parameters: unknown[] = [];
    for (const i of fresh) {
      const { signal, receivedAt } = entries[i]!;
      parameters.push(...layout.rowOf(signal, toDbInstant(receivedAt)), shelfOfReceipt(receivedAt));
    }
    const result = await trx.executeQuery<{ seq: number | string; dedup_key: string }>(
      CompiledQuery.raw(insertSql(layout.columns, fresh.length), parameters),
    );
    const seqByKey = new Map(result.rows.map((r) => [r.dedup_key, Number(r.seq)]));
    for (const i of fresh) {
      const { signal, receivedAt } = entries[i]!;
      const seq = seqByKey.get(signal.dedupKey);
      if (seq !== undefined) stored[i] = { ...signal, id: String(seq), seq, receivedAt };
    }
  }
  return stored;
}
