/**
 * The telemetry purge: raw signals are kept for the policy's
 * `retention.telemetry` period after receipt and then deleted, in bounded
 * batches (each its own short transaction, so ingestion interleaves), except
 * signals that became incident evidence (linked to an incident, or inside an
 * incident's evidence window). Each batch that deletes anything appends one
 * `retention.purged` audit entry, subject `signals`, naming the sequence
 * range, the count and the SHA-256 of the deleted rows.
 */
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Duration } from '../policy/policy-duration.ts';
import type { SignalDal } from '../signal/signal-dal.ts';
import { digestRows } from './retention-digest.ts';
import { retentionCutoff } from './retention-due.ts';
import type { TelemetryBatch } from './retention-types.ts';

export const RETENTION_ACTOR = { type: 'system', name: 'retention' } as const;

export interface TelemetryPurgeDeps {
  db: Kysely<VigilDatabase>;
  dal: Pick<SignalDal, 'purgeReceivedBefore' | 'countPurgeable'>;
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

/**
 * Deletes what is past the telemetry period at `now`, batch by batch from
 * sequence `fromSeq`, until done or `budgetMs` (of the clock) has passed.
 */
export async function purgeTelemetry(
  deps: TelemetryPurgeDeps,
  rules: TelemetryRules,
  now: Date,
  options: { fromSeq: number; batchSize: number; budgetMs: number },
): Promise<TelemetryPass> {
  const { db, dal, audit, clock } = deps;
  const started = clock.now().getTime();
  const cutoff = retentionCutoff(now, rules.keep, rules.timeZone);
  const pass: TelemetryPass = { cutoff, batches: [], deleted: 0, nextSeq: options.fromSeq, done: false };
  for (;;) {
    const step = await db.transaction().execute(async (trx) => {
      const result = await dal.purgeReceivedBefore(trx, {
        cutoff,
        fromSeq: pass.nextSeq,
        limit: options.batchSize,
      });
      if (result.deleted.length === 0) return { ...result, batch: null };
      const digest = digestRows(result.deleted);
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
          receivedBefore: cutoff.toISOString(),
          removed: { signals: digest },
          firstSeq: batch.firstSeq,
          lastSeq: batch.lastSeq,
          oldestReceivedAt: result.deleted[0]!.received_at,
        },
        at: now,
      });
      return { ...result, batch };
    });
    if (step.batch) {
      pass.batches.push(step.batch);
      pass.deleted += step.batch.count;
    }
    pass.nextSeq = step.nextSeq;
    if (step.done) return { ...pass, done: true };
    if (clock.now().getTime() - started > options.budgetMs) return pass;
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
      if (now.getTime() < restUntil) return { processed: 0 };
      const pass = await purgeTelemetry(deps, options, now, { fromSeq, batchSize, budgetMs });
      fromSeq = pass.nextSeq;
      if (pass.done && pass.deleted > 0) restUntil = now.getTime() + restMs;
      return { processed: pass.deleted };
    },
  };
}
