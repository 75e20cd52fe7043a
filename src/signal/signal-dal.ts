import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { SignalsTable, VigilDatabase } from '../platform/db/schema.ts';
import { isPostgres } from '../platform/db/transaction-lock.ts';
import { rawTextOf } from './raw-text.ts';
import { insertNewPostgres } from './signal-insert-postgres.ts';
import { insertNewSqlite } from './signal-insert-sqlite.ts';
import { dayPurgeCutoff } from './signal-shelf.ts';
import type { NormalizedSignal, SignalEntities, StoredSignalRecord } from './signal-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** What the signal list can be narrowed by. */
export interface SignalFilter {
  source?: string | undefined;
  kind?: string | undefined;
  status?: string | undefined;
  principal?: string | undefined;
  clientIp?: string | undefined;
  /** Any entity by name and exact value, e.g. `{ name: 'database', value: 'ordersdb' }`. */
  entity?: { name: string; value: string } | undefined;
  /** `occurredAt` at or after. */
  from?: Date | undefined;
  /** `occurredAt` before. */
  to?: Date | undefined;
  /** Signals linked to this incident. */
  incidentId?: string | undefined;
  /** Only signals stored before this sequence number (the cursor of the previous page). */
  beforeSeq?: number | undefined;
  limit: number;
}

/** A signal's id is its storage sequence number, as text. */
export function signalIdOf(seq: number): string {
  return String(seq);
}

const SIGNAL_ID = /^[1-9]\d{0,17}$/;

/** The sequence number a signal id names, or null for text that is no signal id. */
export function seqOfSignalId(id: string): number | null {
  return SIGNAL_ID.test(id) ? Number(id) : null;
}

function fromRow(r: Selectable<SignalsTable>): StoredSignalRecord {
  const seq = Number(r.seq);
  return {
    id: signalIdOf(seq),
    seq,
    source: r.source as NormalizedSignal['source'],
    kind: r.kind as NormalizedSignal['kind'],
    severityHint: r.severity_hint as NormalizedSignal['severityHint'],
    status: r.status as NormalizedSignal['status'],
    occurredAt: fromDbInstant(r.occurred_at),
    receivedAt: fromDbInstant(r.received_at),
    dedupKey: r.dedup_key,
    ...(r.correlation_key ? { correlationKey: r.correlation_key } : {}),
    entities: JSON.parse(r.entities) as SignalEntities,
    summary: r.summary,
    raw: JSON.parse(r.raw) as unknown,
  };
}

function text(value: string | number | undefined): string | null {
  return value === undefined ? null : String(value);
}

/** The stored columns of a signal, in {@link SIGNAL_COLUMNS} order. */
const SIGNAL_COLUMNS = [
  'source',
  'kind',
  'severity_hint',
  'status',
  'occurred_at',
  'received_at',
  'dedup_key',
  'correlation_key',
  'principal',
  'client_ip',
  'entities',
  'summary',
  'raw',
] as const;

function signalRow(s: NormalizedSignal, receivedAt: string): unknown[] {
  return [
    s.source,
    s.kind,
    s.severityHint,
    s.status,
    toDbInstant(s.occurredAt),
    receivedAt,
    s.dedupKey,
    s.correlationKey ?? null,
    text(s.entities.principal),
    text(s.entities.clientIp),
    JSON.stringify(s.entities),
    s.summary,
    rawTextOf(s.raw),
  ];
}

/**
 * The first stored signal received at or after `instant`, or null when none
 * was. Signals are stored in receipt order (group commits run one at a time,
 * stamped by one clock), so receipt time never decreases with the sequence
 * and a binary search over the primary key finds the boundary in a few dozen
 * point reads, with no index on receipt time to maintain on every insert.
 */
async function firstSeqReceivedFrom(
  db: Executor,
  instant: Date,
  bounds: SeqBounds | null,
): Promise<number | null> {
  if (!bounds) return null;
  const target = toDbInstant(instant);
  let lo = bounds.lo;
  let hi = bounds.hi + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = await db
      .selectFrom('signals')
      .select(['seq', 'received_at'])
      .where('seq', '>=', mid)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    const seq = row ? Number(row.seq) : null;
    if (seq === null || seq >= hi) hi = mid;
    else if (row!.received_at < target) lo = seq + 1;
    else hi = seq;
  }
  return lo > bounds.hi ? null : lo;
}

/** The smallest and largest stored sequence numbers. */
interface SeqBounds {
  lo: number;
  hi: number;
}

/** The sequence numbers stored, or null when the store is empty. */
async function seqBounds(db: Executor): Promise<SeqBounds | null> {
  const row = await db
    .selectFrom('signals')
    .select((eb) => [eb.fn.min('seq').as('lo'), eb.fn.max('seq').as('hi')])
    .executeTakeFirst();
  if (row?.lo === null || row?.lo === undefined || row.hi === null || row.hi === undefined) return null;
  return { lo: Number(row.lo), hi: Number(row.hi) };
}

/**
 * A signal an incident links is that incident's evidence, not telemetry.
 * Links name signals by id (the sequence as text), through `incident_signals_by_signal`.
 */
const linkedToAnIncident = sql`select 1 from incident_signals l where l.signal_id = cast(signals.seq as text)`;

/**
 * A signal received inside an incident's evidence window, of its source and
 * with its entity, is evidence too. The entity is matched as the exact
 * `"key":value` text of the signal's entities JSON (case-sensitive on both
 * engines, via replace/length rather than a dialect's own search function).
 */
const insideAnEvidenceWindow = sql`select 1 from evidence_windows w
  where w.from_at <= signals.received_at and w.to_at > signals.received_at
    and (w.source is null or w.source = signals.source)
    and (w.entity_needle is null
      or length(replace(signals.entities, w.entity_needle, '')) < length(signals.entities))`;

/** Queries of the signal store. */
export function createSignalDal() {
  return {
    /**
     * Stores the signals whose dedup key is new, in order, and returns, for
     * each entry, the stored signal (with its new id), or null when its key
     * was already stored (a sender's retry never counts twice) or came
     * earlier in the same call.
     */
    async insertNew(
      trx: Transaction<VigilDatabase>,
      entries: readonly { signal: NormalizedSignal; receivedAt: Date }[],
    ): Promise<(StoredSignalRecord | null)[]> {
      // PostgreSQL's partitioned table has no unique dedup index to conflict on: see signal-insert-postgres.ts.
      if (isPostgres(trx))
        return insertNewPostgres(trx, entries, { columns: SIGNAL_COLUMNS, rowOf: signalRow });
      return insertNewSqlite(trx, entries, { columns: SIGNAL_COLUMNS, rowOf: signalRow });
    },

    /** The highest sequence number stored, or 0 when nothing is. */
    async lastSeq(db: Executor): Promise<number> {
      const row = await db
        .selectFrom('signals')
        .select((eb) => eb.fn.max('seq').as('hi'))
        .executeTakeFirst();
      return row?.hi === null || row?.hi === undefined ? 0 : Number(row.hi);
    },

    async findById(db: Executor, id: string): Promise<StoredSignalRecord | null> {
      const seq = seqOfSignalId(id);
      if (seq === null) return null;
      const row = await db.selectFrom('signals').selectAll().where('seq', '=', seq).executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    /** Newest first (by storage order). */
    async list(db: Executor, filter: SignalFilter): Promise<StoredSignalRecord[]> {
      let q = db.selectFrom('signals').selectAll().orderBy('seq', 'desc').limit(filter.limit);
      if (filter.source) q = q.where('source', '=', filter.source);
      if (filter.kind) q = q.where('kind', '=', filter.kind);
      if (filter.status) q = q.where('status', '=', filter.status);
      if (filter.principal) q = q.where('principal', '=', filter.principal);
      if (filter.clientIp) q = q.where('client_ip', '=', filter.clientIp);
      if (filter.from) q = q.where('occurred_at', '>=', toDbInstant(filter.from));
      if (filter.to) q = q.where('occurred_at', '<', toDbInstant(filter.to));
      if (filter.beforeSeq !== undefined) q = q.where('seq', '<', filter.beforeSeq);
      if (filter.incidentId) {
        const incidentId = filter.incidentId;
        const linked = await db
          .selectFrom('incident_signals')
          .select('signal_id')
          .where('incident_id', '=', incidentId)
          .execute();
        const seqs = linked.flatMap((l) => {
          const seq = seqOfSignalId(l.signal_id);
          return seq === null ? [] : [seq];
        });
        if (seqs.length === 0) return [];
        q = q.where('seq', 'in', seqs);
      }
      const rows = await q.execute();
      const signals = rows.map(fromRow);
      // Other entities live in the JSON column: filtered here, after the indexed conditions.
      const { entity } = filter;
      return entity ? signals.filter((s) => String(s.entities[entity.name] ?? '') === entity.value) : signals;
    },

    /** Stored signals with `occurredAt` in [from, to), oldest first, after `afterSeq`: the replay stream. */
    async listForReplay(
      db: Executor,
      range: { from: Date; to: Date; afterSeq: number; limit: number },
    ): Promise<StoredSignalRecord[]> {
      const rows = await db
        .selectFrom('signals')
        .selectAll()
        .where('occurred_at', '>=', toDbInstant(range.from))
        .where('occurred_at', '<', toDbInstant(range.to))
        .where('seq', '>', range.afterSeq)
        .orderBy('seq')
        .limit(range.limit)
        .execute();
      return rows.map(fromRow);
    },

    /** The first signal received at or after `instant`, by sequence; null when none was. */
    async firstSeqReceivedFrom(db: Executor, instant: Date): Promise<number | null> {
      return firstSeqReceivedFrom(db, instant, await seqBounds(db));
    },

    /**
     * Signals from sequence `fromSeq` on that occurred at or after
     * `occurredFrom`, in storage order, at most `limit`: what warms the live windows.
     */
    async listOccurredFromSeq(
      db: Executor,
      range: { fromSeq: number; occurredFrom: Date; limit: number },
    ): Promise<StoredSignalRecord[]> {
      const rows = await db
        .selectFrom('signals')
        .selectAll()
        .where('seq', '>=', range.fromSeq)
        .where('occurred_at', '>=', toDbInstant(range.occurredFrom))
        .orderBy('seq')
        .limit(range.limit)
        .execute();
      return rows.map(fromRow);
    },

    /**
     * One telemetry purge batch: deletes the signals with sequence numbers in
     * [`fromSeq`, `fromSeq + limit`) received before `cutoff`, except those
     * kept as incident evidence, and returns them (for the purge's digest) with
     * where the next batch starts; `done` once the range reached the cutoff.
     * A signal is evidence while an incident links it (`incident_signals`) or
     * it was received inside an incident's evidence window matching its source
     * and entity (`evidence_windows`, migration 0013): both are NOT EXISTS
     * probes on indexes, so kept signals cost a lookup each, not a scan.
     */
    async purgeReceivedBefore(
      db: Executor,
      range: { cutoff: Date; fromSeq: number; limit: number },
    ): Promise<{ deleted: Selectable<SignalsTable>[]; nextSeq: number; done: boolean }> {
      const bounds = await seqBounds(db);
      if (!bounds) return { deleted: [], nextSeq: range.fromSeq, done: true };
      const start = Math.max(range.fromSeq, bounds.lo);
      const keepFrom = (await firstSeqReceivedFrom(db, range.cutoff, bounds)) ?? bounds.hi + 1;
      if (start >= keepFrom) return { deleted: [], nextSeq: start, done: true };
      const end = Math.min(keepFrom, start + range.limit);
      const deleted = await db
        .deleteFrom('signals')
        .where('seq', '>=', start)
        .where('seq', '<', end)
        .where(sql<boolean>`not exists (${linkedToAnIncident})`)
        .where(sql<boolean>`not exists (${insideAnEvidenceWindow})`)
        .returningAll()
        .execute();
      deleted.sort((a, b) => Number(a.seq) - Number(b.seq));
      return { deleted, nextSeq: end, done: end >= keepFrom };
    },

    /** How many signals received before `cutoff` the purge would delete, and the oldest receipt among them. */
    async countPurgeable(
      db: Executor,
      cutoff: Date,
    ): Promise<{ count: number; oldestReceivedAt: Date | null }> {
      const bounds = await seqBounds(db);
      if (!bounds) return { count: 0, oldestReceivedAt: null };
      // PostgreSQL purges whole days (signal-shelf.ts): what is due there stops at the cutoff's day.
      const dueBefore = isPostgres(db) ? dayPurgeCutoff(cutoff) : cutoff;
      const keepFrom = (await firstSeqReceivedFrom(db, dueBefore, bounds)) ?? bounds.hi + 1;
      const row = await db
        .selectFrom('signals')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('received_at').as('oldest')])
        .where('seq', '<', keepFrom)
        .where(sql<boolean>`not exists (${linkedToAnIncident})`)
        .where(sql<boolean>`not exists (${insideAnEvidenceWindow})`)
        .executeTakeFirst();
      const oldest = row?.oldest ?? null;
      return { count: Number(row?.n ?? 0), oldestReceivedAt: oldest === null ? null : fromDbInstant(oldest) };
    },
  };
}

export type SignalDal = ReturnType<typeof createSignalDal>;
