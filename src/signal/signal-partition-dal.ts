/**
 * The day partitions of `signals` on PostgreSQL (migration 0018): listing
 * and making them, moving a day's evidence to the `kept` shelf, reading a
 * day's digest lines, and dropping a day. Raw SQL: partitions are DDL and
 * catalogue reads that Kysely does not model, and Kysely's table types know
 * no `shelf` column (SQLite has none). Every day name is checked by
 * {@link partitionOfDay} before it reaches SQL.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { SIGNAL_DIGEST_LINE_SQL } from '../retention/signal-digest.ts';
import { dayOfPartition, KEPT_SHELF, partitionOfDay, receiptSpanOfDay } from './signal-shelf.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/**
 * Why a day's partition may not be made this cycle, by PostgreSQL error code:
 * another server made it first (42P07, 23505, 42P17), the DEFAULT partition
 * already holds rows of that day (23514: they stay there, purged in batches),
 * or a lock was not granted in time (55P03).
 */
const SKIP_DAY = new Set(['42P07', '23505', '42P17', '23514', '55P03']);
/** The longest making a partition waits for a lock; ingestion never queues behind it for longer. */
const PARTITION_LOCK_TIMEOUT = '2s';

/** Rows of a day read per statement by the digest: one string of a few MB each. */
const DIGEST_PAGE = 50_000;

/** A run of digest lines of a day, in sequence order, and what they cover. */
export interface DigestPage {
  count: number;
  firstSeq: number;
  lastSeq: number;
  oldestReceivedAt: string;
  lines: string;
}

/** An evidence window as the day's evidence move needs it. */
export interface WindowOnDay {
  fromAt: string;
  toAt: string;
  source: string | null;
  entityNeedle: string | null;
}

/** The day shelves that have their own partition, oldest first. */
async function listDays(db: Executor): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select c.relname as name
    from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'signals'::regclass`.execute(db);
  return rows.flatMap((r) => dayOfPartition(r.name) ?? []).sort();
}

export function createSignalPartitionDal() {
  return {
    listDays,

    /**
     * Makes the partition of each day in `days` that has none; returns the
     * days made. Made as a table of its own, then attached: attaching takes
     * a lock that lets ingestion and reads go on, where `create table ...
     * partition of` would take `signals` exclusively (and wait behind a long
     * report, with ingestion queued behind it). A day whose signals already
     * went to the DEFAULT partition (no partition was made in time) stays
     * there: PostgreSQL refuses a partition that rows of the default belong to.
     * A day skipped for any reason below is tried again next cycle.
     */
    async ensureDays(db: Kysely<VigilDatabase>, days: readonly string[]): Promise<string[]> {
      const existing = new Set(await listDays(db));
      const made: string[] = [];
      for (const day of days) {
        if (existing.has(day)) continue;
        const table = sql.id(partitionOfDay(day));
        try {
          await db.transaction().execute(async (trx) => {
            await sql`select set_config('lock_timeout', ${PARTITION_LOCK_TIMEOUT}, true)`.execute(trx);
            await sql`create table ${table} (like signals including defaults including constraints)`.execute(
              trx,
            );
            await sql`alter table signals attach partition ${table} for values in (${sql.lit(day)})`.execute(
              trx,
            );
          });
          made.push(day);
        } catch (error) {
          if (!SKIP_DAY.has((error as { code?: string }).code ?? '')) throw error;
        }
      }
      return made;
    },

    /**
     * Claims `day` for a purge for the rest of `trx`: a second purge of the
     * same day waits, then fails to find the table (error 42P01) once the
     * first dropped it. Ingestion and reads go on meanwhile.
     */
    async claimDay(trx: Transaction<VigilDatabase>, day: string): Promise<void> {
      await sql`lock table only ${sql.id(partitionOfDay(day))} in share update exclusive mode`.execute(trx);
    },

    /** The smallest and largest sequence numbers on the day's shelf, or null when it is empty. */
    async seqSpan(db: Executor, day: string): Promise<{ lo: number; hi: number } | null> {
      const { rows } = await sql<{
        lo: number | null;
        hi: number | null;
      }>`select min(seq) as lo, max(seq) as hi
        from ${sql.id(partitionOfDay(day))}`.execute(db);
      const row = rows[0];
      return row?.lo == null || row.hi == null ? null : { lo: Number(row.lo), hi: Number(row.hi) };
    },

    /** Moves the signals of `day` linked to an incident to the `kept` shelf; returns how many moved. */
    async keepLinked(trx: Transaction<VigilDatabase>, day: string, span: { lo: number; hi: number }) {
      const { rows } = await sql<{ seq: string }>`select signal_id as seq from incident_signals
        where case when signal_id ~ '^[1-9][0-9]{0,17}$' then cast(signal_id as bigint) end
          between ${span.lo} and ${span.hi}`.execute(trx);
      if (rows.length === 0) return 0;
      const result = await sql`update signals set shelf = ${KEPT_SHELF}
        where shelf = ${day} and seq = any(${rows.map((r) => Number(r.seq))}::bigint[])`.execute(trx);
      return Number(result.numAffectedRows ?? 0);
    },

    /** The evidence windows that overlap `day`'s receipt times. */
    async windowsOnDay(db: Executor, day: string): Promise<WindowOnDay[]> {
      const { start, end } = receiptSpanOfDay(day);
      return db
        .selectFrom('evidence_windows')
        .select(['from_at as fromAt', 'to_at as toAt', 'source', 'entity_needle as entityNeedle'])
        .where('from_at', '<', toDbInstant(end))
        .where('to_at', '>', toDbInstant(start))
        .execute();
    },

    /**
     * Moves the signals of `day` inside `window` (sequence numbers in
     * [fromSeq, toSeq), found by the caller's binary search) to the `kept`
     * shelf; returns how many moved. The same match as the batch purge's.
     */
    async keepWindowed(
      trx: Transaction<VigilDatabase>,
      day: string,
      window: WindowOnDay & { fromSeq: number; toSeq: number },
    ): Promise<number> {
      const result = await sql`update signals set shelf = ${KEPT_SHELF}
        where shelf = ${day} and seq >= ${window.fromSeq} and seq < ${window.toSeq}
          and received_at >= ${window.fromAt} and received_at < ${window.toAt}
          and (${window.source}::text is null or source = ${window.source})
          and (${window.entityNeedle}::text is null
            or length(replace(entities, ${window.entityNeedle}, '')) < length(entities))`.execute(trx);
      return Number(result.numAffectedRows ?? 0);
    },

    /**
     * The day's digest lines after sequence `afterSeq`, at most
     * {@link DIGEST_PAGE} rows, built by PostgreSQL (see signal-digest.ts) so
     * only a few megabytes per page reach the application; null past the end.
     * An index-only scan of the primary key, which carries the columns read.
     */
    async digestPage(db: Executor, day: string, afterSeq: number): Promise<DigestPage | null> {
      // The page is sorted in memory: room for long dedup keys (this transaction only).
      await sql`select set_config('work_mem', '64MB', true)`.execute(db);
      const { rows } = await sql<{ n: number; lo: number; hi: number; oldest: string; lines: string }>`
        select count(*)::int as n, min(seq) as lo, max(seq) as hi, min(received_at) as oldest,
          string_agg(line, '' order by seq) as lines
        from (select seq, received_at, ${sql.raw(SIGNAL_DIGEST_LINE_SQL)} as line
          from ${sql.id(partitionOfDay(day))} where seq > ${afterSeq} order by seq limit ${DIGEST_PAGE}) page`.execute(
        db,
      );
      const row = rows[0];
      if (!row || row.n === 0) return null;
      return {
        count: row.n,
        firstSeq: Number(row.lo),
        lastSeq: Number(row.hi),
        oldestReceivedAt: row.oldest,
        lines: row.lines,
      };
    },

    /**
     * Takes `signals` exclusively for the rest of `trx`, as detaching a
     * partition must: ingestion and reads wait from here to the commit.
     * Waits at most `timeout` (e.g. `2s`) for those already reading.
     */
    async lockForDrop(trx: Transaction<VigilDatabase>, timeout: string): Promise<void> {
      await sql`select set_config('lock_timeout', ${timeout}, true)`.execute(trx);
      await sql`lock table only signals in access exclusive mode`.execute(trx);
    },

    /**
     * Detaches the day's partition from `signals`: from the commit on, its
     * rows are gone from every query. The table itself is dropped after the
     * commit ({@link dropDetached}), so removing gigabytes of files happens
     * while ingestion goes on.
     */
    async detachDay(trx: Transaction<VigilDatabase>, day: string): Promise<void> {
      await sql`alter table signals detach partition ${sql.id(partitionOfDay(day))}`.execute(trx);
    },

    /**
     * Drops day tables no longer attached to `signals`: the one a purge just
     * detached, and any a purge left behind when it stopped between its
     * commit and the drop. Attached days are never touched.
     */
    async dropDetached(db: Kysely<VigilDatabase>): Promise<string[]> {
      const { rows } = await sql<{ name: string }>`select c.relname as name from pg_class c
        where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r' and not c.relispartition
          and c.relname ~ '^signals_d[0-9]{8}$'`.execute(db);
      const days = rows.flatMap((r) => dayOfPartition(r.name) ?? []);
      for (const day of days) await sql`drop table if exists ${sql.id(partitionOfDay(day))}`.execute(db);
      return days;
    },

    /** The first stored sequence number at or after `seq`, or null: lets the batch purge skip dropped days. */
    async firstSeqFrom(db: Executor, seq: number): Promise<number | null> {
      const row = await db
        .selectFrom('signals')
        .select((eb) => eb.fn.min('seq').as('seq'))
        .where('seq', '>=', seq)
        .executeTakeFirst();
      return row?.seq == null ? null : Number(row.seq);
    },
  };
}

export type SignalPartitionDal = ReturnType<typeof createSignalPartitionDal>;
