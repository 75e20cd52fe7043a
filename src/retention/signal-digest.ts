/**
 * How the telemetry purge records which signals it removed (pure): the count
 * and a SHA-256 over one line per signal, in sequence order:
 * `<seq> <receivedAt> <n>:<dedupKey>` and a line feed, where n is the dedup
 * key's length in UTF-8 bytes (so any key, spaces or line feeds and all,
 * reads back unambiguously).
 *
 * Why these three columns and not the whole row: a day of telemetry may be
 * millions of rows of a kilobyte or two; hashing all of it (or reading it
 * into the application) would make the purge take minutes. The sequence
 * number, receipt time and dedup key identify each record exactly (the dedup
 * key is the sender's own id of it), so an auditor holding an export can
 * still recompute the digest and see precisely which records went. PostgreSQL
 * builds the same lines in SQL ({@link SIGNAL_DIGEST_LINE_SQL}), so the same
 * rows give the same digest on both engines, however they were purged.
 */
import { createHash, type Hash } from 'node:crypto';
import type { TableDigest } from './retention-types.ts';

/** The columns the digest reads from a stored signal row. */
export interface SignalDigestRow {
  seq: number | string;
  received_at: string;
  dedup_key: string;
}

/** One signal's line of the digest. */
export function signalDigestLine(row: SignalDigestRow): string {
  return `${Number(row.seq)} ${row.received_at} ${Buffer.byteLength(row.dedup_key, 'utf8')}:${row.dedup_key}\n`;
}

/** The same line as {@link signalDigestLine}, built by PostgreSQL from a row of `signals`. */
export const SIGNAL_DIGEST_LINE_SQL = `seq || ' ' || received_at || ' ' || octet_length(dedup_key) || ':' || dedup_key || E'\\n'`;

/** A digest fed piece by piece (lines, or runs of lines built by the database), in sequence order. */
export function createSignalDigest(): { add(lines: string, count: number): void; result(): TableDigest } {
  const hash: Hash = createHash('sha256');
  let count = 0;
  return {
    add(lines, n) {
      hash.update(lines, 'utf8');
      count += n;
    },
    result: () => ({ count, sha256: hash.digest('hex') }),
  };
}

/** Count and digest of `rows`, which must be in sequence order. */
export function digestSignalRows(rows: readonly SignalDigestRow[]): TableDigest {
  const digest = createSignalDigest();
  for (const row of rows) digest.add(signalDigestLine(row), 1);
  return digest.result();
}
