/**
 * The telemetry purge, an engine module: raw signals are kept for the
 * policy's `retention.telemetry` period after receipt and then deleted, in
 * bounded batches so that ingestion never waits long behind it.
 * Incidents keep what they need: the timeline entries that linked signals
 * carry their summaries and entities.
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Duration } from '../policy/policy-duration.ts';
import type { SignalDal } from './signal-dal.ts';

/** The instant before which receipts are past retention: `now` minus `keep` on the calendar of `timeZone`. */
export function retentionCutoff(now: Date, keep: Duration, timeZone: string): Date {
  const { years, months, weeks, days, hours, minutes } = keep;
  return DateTime.fromJSDate(now, { zone: timeZone })
    .minus({ years, months, weeks, days, hours, minutes })
    .toJSDate();
}

export function createSignalPurgeModule(
  deps: {
    db: Kysely<VigilDatabase>;
    dal: Pick<SignalDal, 'purgeReceivedBefore'>;
    clock: Clock;
  },
  options: {
    keep: Duration;
    timeZone: string;
    /** Rows deleted per statement (default 2000). */
    batchSize?: number;
    /** Stop starting new batches after this many ms of one run (default 1000). */
    budgetMs?: number;
  },
): EngineModule {
  const { db, dal, clock } = deps;
  const batchSize = options.batchSize ?? 2_000;
  const budgetMs = options.budgetMs ?? 1_000;

  return {
    name: 'signal-purge',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      const started = clock.now().getTime();
      const cutoff = retentionCutoff(now, options.keep, options.timeZone);
      let processed = 0;
      // Each batch is its own short transaction: ingestion interleaves between them.
      for (;;) {
        const deleted = await db
          .transaction()
          .execute((trx) => dal.purgeReceivedBefore(trx, cutoff, batchSize));
        processed += deleted;
        if (deleted < batchSize || clock.now().getTime() - started > budgetMs) break;
      }
      return { processed };
    },
  };
}
