/**
 * How a purge records what it removed (pure): per table, the number of rows
 * and a SHA-256 over the canonical JSON (keys sorted, no spaces) of the rows
 * as stored, in the table's key order. Sequence columns are numbers on both
 * databases (PostgreSQL returns its bigint identity columns as text), so the
 * same rows give the same digest on SQLite and PostgreSQL, and an auditor
 * holding an earlier export can recompute it.
 */
import { canonicalJson, sha256Hex } from '../platform/crypto.ts';
import type { TableDigest } from './retention-types.ts';

/** A row as read from storage. */
export type StoredRow = Record<string, unknown>;

/** The row with its `seq` (if any) as a number. */
export function canonicalRow(row: StoredRow): StoredRow {
  return 'seq' in row && row.seq !== null ? { ...row, seq: Number(row.seq) } : row;
}

/** Count and digest of `rows`, which must already be in the table's key order. */
export function digestRows(rows: readonly StoredRow[]): TableDigest {
  return { count: rows.length, sha256: sha256Hex(canonicalJson(rows.map(canonicalRow))) };
}
