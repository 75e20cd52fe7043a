/**
 * The daily purge job, an engine module: at most one purge pass per day of
 * the policy's time zone. The day is claimed in `retention_runs` (its
 * primary key), so a restart or a second engine on the same database does
 * not run it again; a claim left unfinished for an hour (its process died)
 * may be taken over. The pass itself is idempotent: each incident is
 * claimed by its tombstone update.
 */
import type { Kysely } from 'kysely';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { RetentionDal } from './retention-dal.ts';
import { policyDay } from './retention-due.ts';
import type { RetentionPurgeService } from './retention-purge-service.ts';

const STALE_CLAIM_MS = 60 * 60_000;
const RECHECK_MS = 10 * 60_000;

export function createRetentionModule(deps: {
  db: Kysely<VigilDatabase>;
  dal: Pick<RetentionDal, 'claimDay' | 'finishDay'>;
  purge: Pick<RetentionPurgeService, 'runPass'>;
  timeZone: string;
}): EngineModule {
  const { db, dal, purge, timeZone } = deps;
  // The day this process ran the pass, and when to ask again about a day another claimed:
  // the other cycles of a day cost no query, yet a claim whose process died is still taken over.
  let ranDay: string | null = null;
  let askAgainAt = 0;
  return {
    name: 'retention',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      const day = policyDay(now, timeZone);
      if (day === ranDay || now.getTime() < askAgainAt) return { processed: 0 };
      if (!(await dal.claimDay(db, day, now, new Date(now.getTime() - STALE_CLAIM_MS)))) {
        askAgainAt = now.getTime() + RECHECK_MS;
        return { processed: 0 };
      }
      const report = await purge.runPass(now, false);
      await dal.finishDay(db, day, now);
      ranDay = day;
      return {
        processed: report.telemetry.deleted + report.incidents.length,
        failures: report.failures.map((f) => ({ key: `${f.reference}:evidence`, error: f.error })),
      };
    },
  };
}
