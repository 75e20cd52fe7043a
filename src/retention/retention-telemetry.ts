/**
 * The telemetry purge: raw signals are kept for the policy's
 * `retention.telemetry` period after receipt and then deleted, except
 * signals that became incident evidence (linked to an incident, or inside an
 * incident's evidence window). On SQLite, in bounded batches (each its own
 * short transaction, so ingestion interleaves); on PostgreSQL, a whole UTC
 * day at a time, by dropping the day's partition (retention-telemetry-days.ts).
 * Each batch or day that removes anything appends one `retention.purged`
 * audit entry, subject `signals`, naming the sequence range, the count and
 * the digest of the removed signals (signal-digest.ts).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { isPostgres } from '../platform/db/transaction-lock.ts';
import type { Duration } from '../policy/policy-duration.ts';
import type { SignalDal } from '../signal/signal-dal.ts';
import type { SignalPartitionDal } from '../signal/signal-partition-dal.ts';
import { dayPurgeCutoff, shelfOfReceipt, shelvesAhead } from '../signal/signal-shelf.ts';
import { retentionCutoff } from './retention-due.ts';
import { purgeDay } from './retention-telemetry-days.ts';
import type { TelemetryBatch } from './retention-types.ts';
import { digestSignalRows } from './signal-digest.ts';

export const RETENTION_ACTOR = { type: 'system', name: 'retention' } as const;

/**
 * Day partitions made ahead on PostgreSQL: today and the next two days (UTC),
 * so ingestion never waits on DDL and an engine down for a day or two still
 * finds them. A day without one goes to the DEFAULT partition, purged in batches.
 */
export const DAYS_AHEAD = 3;

export interface TelemetryPurgeDeps {
  db: Kysely<VigilDatabase>;
  dal: Pick<SignalDal, 'purgeReceivedBefore' | 'countPurgeable' | 'firstSeqReceivedFrom'>;
  /** The day partitions of `signals` (PostgreSQL only; unused on SQLite). */
  partitions: SignalPartitionDal;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
}

export interface TelemetryRules {
  keep: Duration;
  timeZone: string;
}

/** What one purge pass over the telemetry did. */
export interface TelemetryPass {
  cutoff: Date;
  batches: TelemetryBatch[];
  deleted: number;
  /** Where the next pass may start: everything below was deleted or is evidence. */
  nextSeq: number;
  /** False when the pass stopped on its time budget with more due. */
  done: boolean;
}

/** One row-by-row batch in its own transaction: delete, digest, audit. */
async function purgeBatch(
  deps: TelemetryPurgeDeps,
  rules: TelemetryRules,
  now: Date,
  range: { cutoff: Date; fromSeq: number; limit: number },
) {
  const { db, dal, audit } = deps;
  return db.transaction().execute(async (trx) => {
    const result = await dal.purgeReceivedBefore(trx, range);
    if (result.deleted.length === 0) return { ...result, batch: null };
    const digest = digestSignalRows(result.deleted);
    const batch: TelemetryBatch = {
      firstSeq: Number(result.deleted[0]!.seq),
      lastSeq: Number(result.deleted[result.deleted.length - 1]!.seq),
      ...digest,
    };
    await audit.append(trx, {
      actor: RETENTION_ACTOR,
      action: 'retention.purged',
      subject: { type: 'signals', id: `${batch.firstSeq}-${batch.lastSeq}` },
      detail: {
        reason: 'telemetry period over',
        keep: rules.keep.text,
        receivedBefore: range.cutoff.toISOString(),
        removed: { signals: digest },
        firstSeq: batch.firstSeq,
        lastSeq: batch.lastSeq,
        oldestReceivedAt: result.deleted[0]!.received_at,
      },
      at: now,
    });
    return { ...result, batch };
  });
}

/**
 * PostgreSQL: drops every day partition wholly before `receivedBefore`
 * (see retention-telemetry-days.ts), oldest first; false when the time
 * budget ran out with days left.
 */
async function purgeDueDays(
  deps: TelemetryPurgeDeps,
  rules: TelemetryRules,
  now: Date,
  pass: TelemetryPass,
  budget: { started: number; ms: number; receivedBefore: Date },
): Promise<boolean> {
  const firstKeptDay = shelfOfReceipt(budget.receivedBefore);
  for (const day of await deps.partitions.listDays(deps.db)) {
    if (day >= firstKeptDay) break;
    const batch = await purgeDay(deps, day, {
      keep: rules.keep.text,
      receivedBefore: budget.receivedBefore,
      now,
      actor: RETENTION_ACTOR,
    });
    if (batch) {
      pass.batches.push(batch);
      pass.deleted += batch.count;
    }
    if (deps.clock.now().getTime() - budget.started > budget.ms) return false;
  }
  return true;
}

/**
 * Deletes what is past the telemetry period at `now`, batch by batch from
 * sequence `fromSeq`, until done or `budgetMs` (of the clock) has passed.
 * On PostgreSQL whole days go first, each by dropping its partition, and
 * the batches then clear what is left before the day's start: signals of a
 * day that had no partition (the DEFAULT one), and kept signals that are no
 * longer evidence; batches skip the sequence numbers of dropped days.
 */
export async function purgeTelemetry(
  deps: TelemetryPurgeDeps,
  rules: TelemetryRules,
  now: Date,
  options: { fromSeq: number; batchSize: number; budgetMs: number },
): Promise<TelemetryPass> {
  const { db, clock } = deps;
  const started = clock.now().getTime();
  const cutoff = retentionCutoff(now, rules.keep, rules.timeZone);
  const pass: TelemetryPass = { cutoff, batches: [], deleted: 0, nextSeq: options.fromSeq, done: false };
  const byDays = isPostgres(db);
  const receivedBefore = byDays ? dayPurgeCutoff(cutoff) : cutoff;
  if (
    byDays &&
    !(await purgeDueDays(deps, rules, now, pass, { started, ms: options.budgetMs, receivedBefore }))
  )
    return pass;
  for (;;) {
    const fromSeq = byDays
      ? ((await deps.partitions.firstSeqFrom(db, pass.nextSeq)) ?? pass.nextSeq)
      : pass.nextSeq;
    const step = await purgeBatch(deps, rules, now, {
      cutoff: receivedBefore,
      fromSeq,
      limit: options.batchSize,
    });
    if (step.batch) {
      pass.batches.push(step.batch);
      pass.deleted += step.batch.count;
    }
    pass.nextSeq = step.nextSeq;
    if (step.done) return { ...pass, done: true };
    if (clock.now().getTime() - started > options.budgetMs) return pass;
    // better-sqlite3 answers synchronously: without a turn of the event loop between batches,
    // waiting ingestion (its group commit runs on setImmediate) would stall until the pass ends.
    await yieldToEventLoop();
  }
}

/**
 * The engine module of the telemetry purge. It remembers, in memory, where
 * the last pass ended (below it everything left is evidence, which only an
 * evidence purge releases, and that deletes those signals itself), so kept
 * evidence is not re-examined every cycle. After a pass that deleted
 * something it rests `restMs` before the next, so steady ingestion gives a
 * few audit entries an hour rather than one per cycle; a pass cut short by
 * its budget continues in the next cycle.
 */
export function createTelemetryPurgeModule(
  deps: TelemetryPurgeDeps,
  options: TelemetryRules & {
    /** Rows deleted per statement (default 2000). */
    batchSize?: number;
    /** Stop starting new batches after this many ms of one run (default 1000). */
    budgetMs?: number;
    /** Rest after a pass that deleted something (default 10 minutes). */
    restMs?: number;
  },
): EngineModule {
  const batchSize = options.batchSize ?? 2_000;
  const budgetMs = options.budgetMs ?? 1_000;
  const restMs = options.restMs ?? 10 * 60_000;
  let fromSeq = 0;
  let restUntil = 0;

  return {
    name: 'signal-purge',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      // Every cycle, resting or not: ingestion must find its day's partition made.
      if (isPostgres(deps.db)) await deps.partitions.ensureDays(deps.db, shelvesAhead(now, DAYS_AHEAD));
      if (now.getTime() < restUntil) return { processed: 0 };
      const pass = await purgeTelemetry(deps, options, now, { fromSeq, batchSize, budgetMs });
      fromSeq = pass.nextSeq;
      if (pass.done && pass.deleted > 0) restUntil = now.getTime() + restMs;
      return { processed: pass.deleted };
    },
  };
}
