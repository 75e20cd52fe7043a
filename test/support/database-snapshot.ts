/**
 * What a refused request must leave exactly as it was: the row count of
 * every table and the audit chain's head. Every use case appends an audit
 * entry in the transaction that changes state, so an unmoved head with
 * unchanged counts means no use case committed and no row was left behind.
 */
import { sql } from 'kysely';
import type { Database } from '../../src/platform/db/database.ts';

export interface DatabaseSnapshot {
  /** Table name to row count. */
  rows: Record<string, number>;
  /** The audit chain head: `seq:hash`. */
  auditHead: string;
  /** The head's sequence number: entries after it were appended since. */
  auditSeq: number;
}

/** Reads snapshots of one database: every table it holds (found once), in one query. */
export async function snapshotter(database: Database): Promise<() => Promise<DatabaseSnapshot>> {
  const tables = (await database.kysely.introspection.getTables())
    .filter((table) => !table.isView && (database.schema === undefined || table.schema === database.schema))
    .map((table) => table.name)
    .sort();
  if (!tables.includes('audit_head')) throw new Error(`no audit_head among ${tables.join(', ')}`);
  const counts = sql.join(
    tables.map((name) => sql`select ${name} as name, count(*) as n from ${sql.table(name)}`),
    sql` union all `,
  );
  return async () => {
    const { rows } = await sql<{ name: string; n: number | string }>`${counts}`.execute(database.kysely);
    const head = await sql<{ seq: number; hash: string }>`select seq, hash from audit_head`.execute(
      database.kysely,
    );
    return {
      rows: Object.fromEntries(rows.map((row) => [row.name, Number(row.n)])),
      auditHead: head.rows.map((row) => `${row.seq}:${row.hash}`).join(','),
      auditSeq: Number(head.rows[0]?.seq ?? 0),
    };
  };
}
