import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * PostgreSQL only: `signals` becomes a table partitioned by list on `shelf`,
 * the UTC day of receipt (`2026-03-02`), or `kept` for signals that became
 * incident evidence, so the telemetry purge drops a day's table instead of
 * deleting its rows (see src/signal/signal-shelf.ts and docs/signals.md).
 * A DEFAULT partition catches a day whose partition was not made ahead; its
 * rows are purged in batches, as on SQLite. SQLite keeps its table as is.
 *
 * A partitioned table cannot have a unique index that leaves out the
 * partition key, so the dedup key loses its UNIQUE constraint: each
 * partition indexes it, and the insert skips stored keys itself, under the
 * ingestion lock (src/signal/signal-insert-postgres.ts). The primary key
 * becomes (seq, shelf); the sequence alone still names a signal. It carries
 * the receipt time and dedup key too, so the purge's digest of a day (those
 * columns in sequence order) reads this index alone, not the wide rows.
 *
 * Existing rows are copied into a partition per day of receipt (one-off, in
 * this migration's transaction), keeping their sequence numbers.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect !== 'postgres') return;
  await sql`alter table signals rename to signals_before_0018`.execute(db);
  await sql`create table signals (
    seq bigint generated always as identity,
    shelf text not null,
    source text not null,
    kind text not null,
    severity_hint text not null,
    status text not null,
    occurred_at text not null,
    received_at text not null,
    dedup_key text not null,
    correlation_key text,
    principal text,
    client_ip text,
    entities text not null,
    summary text not null,
    raw text not null,
    constraint signals_seq_shelf_pk primary key (seq, shelf) include (received_at, dedup_key)
  ) partition by list (shelf)`.execute(db);
  await sql`create index signals_by_dedup_key on signals (dedup_key)`.execute(db);
  await sql`create table signals_kept partition of signals for values in ('kept')`.execute(db);
  await sql`create table signals_default partition of signals default`.execute(db);

  const { rows: days } = await sql<{ day: string }>`select distinct left(received_at, 10) as day
    from signals_before_0018`.execute(db);
  for (const { day } of days) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) continue; // anything odd stays in the default partition
    const table = `signals_d${day.replaceAll('-', '')}`;
    await sql`create table ${sql.id(table)} partition of signals for values in (${sql.lit(day)})`.execute(db);
  }
  await sql`insert into signals (seq, shelf, source, kind, severity_hint, status, occurred_at, received_at,
      dedup_key, correlation_key, principal, client_ip, entities, summary, raw)
    overriding system value
    select seq, left(received_at, 10), source, kind, severity_hint, status, occurred_at, received_at,
      dedup_key, correlation_key, principal, client_ip, entities, summary, raw
    from signals_before_0018 order by seq`.execute(db);
  // New signals continue the old numbering: ids already handed out are never reused.
  await sql`select setval(pg_get_serial_sequence('signals', 'seq'), coalesce(greatest(
      (select max(seq) from signals_before_0018),
      pg_sequence_last_value(pg_get_serial_sequence('signals_before_0018', 'seq')::regclass)), 0) + 1, false)`.execute(
    db,
  );
  await sql`drop table signals_before_0018`.execute(db);
}
