import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { TimelineDal } from './timeline-dal.ts';
import type { NewTimelineEntry, TimelineEntry, TimelineKind } from './timeline-types.ts';

/**
 * The timeline: every domain records what happened to an incident through
 * `record`, inside its own transaction, so the event and its timeline entry
 * commit together.
 */
export function createTimelineService(deps: { db: Kysely<VigilDatabase>; dal: TimelineDal }) {
  const { db, dal } = deps;
  return {
    async record(trx: Transaction<VigilDatabase>, entry: NewTimelineEntry): Promise<TimelineEntry> {
      const withId = { ...entry, id: randomUUID() };
      const seq = await dal.insert(trx, withId);
      return { ...withId, seq };
    },

    async list(incidentId: string, kinds?: readonly TimelineKind[]): Promise<TimelineEntry[]> {
      return dal.listForIncident(db, incidentId, kinds);
    },
  };
}

export type TimelineService = ReturnType<typeof createTimelineService>;
