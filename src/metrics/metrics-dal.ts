/**
 * The few aggregate reads `/metrics` makes at scrape time. A read model like
 * the report DAL: it reads other domains' tables (`sla_clocks`, `outbox`)
 * and owns none. Each query is shaped to stay on an index, so a scrape
 * costs the same with a year of history as on the first day.
 */
import { type Kysely, sql } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';

type Executor = Kysely<VigilDatabase>;

/** States a running (unmet, unstopped) clock can be in, as the API names them. */
export const RUNNING_CLOCK_STATES = ['pending', 'at_risk', 'breached'] as const;
export type RunningClockState = (typeof RUNNING_CLOCK_STATES)[number];

/** Where the outbox stands: messages still to send and when the oldest of them was queued. */
export interface OutboxBacklog {
  pending: number;
  oldestPendingAt: Date | null;
}

export function createMetricsDal() {
  return {
    /**
     * Running clocks per state at `now`. The WHERE clause repeats the partial
     * index `sla_clocks_unmet_by_due` term for term (migration 0003), so both
     * databases read only the open incidents' clocks, never the history.
     */
    async runningClocks(db: Executor, now: Date): Promise<Record<RunningClockState, number>> {
      const at = toDbInstant(now);
      const result = await sql<{ state: RunningClockState; n: number | string }>`
        select case
                 when due_at <= ${at} then 'breached'
                 when at_risk_at <= ${at} then 'at_risk'
                 else 'pending'
               end as state,
               count(*) as n
          from sla_clocks
         where met_at is null and (stopped_at is null or stopped_at >= due_at)
           and stopped_at is null
         group by 1`.execute(db);
      const counts: Record<RunningClockState, number> = { pending: 0, at_risk: 0, breached: 0 };
      for (const row of result.rows) counts[row.state] = Number(row.n);
      return counts;
    },

    /** Pending messages and the oldest one's queue time: a range of the `outbox_due` index. */
    async outboxBacklog(db: Executor): Promise<OutboxBacklog> {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min('created_at').as('oldest')])
        .where('status', '=', 'pending')
        .executeTakeFirst();
      const oldest = row?.oldest ?? null;
      return {
        pending: Number(row?.n ?? 0),
        oldestPendingAt: oldest === null ? null : fromDbInstant(oldest as string),
      };
    },
  };
}

export type MetricsDal = ReturnType<typeof createMetricsDal>;
