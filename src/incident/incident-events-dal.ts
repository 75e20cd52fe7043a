/**
 * The queries behind the console's live updates: what changed since a
 * connection last looked. Each connection polls the database itself, so any
 * number of Vigil processes on one database see every change, whichever
 * process made it.
 */
import type { Kysely } from 'kysely';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { createTimelineDal } from '../timeline/timeline-dal.ts';
import type { TimelineEntry } from '../timeline/timeline-types.ts';

/** An incident as the change feed names it: enough for a console to decide what to re-fetch. */
export interface IncidentChange {
  id: string;
  reference: string;
  /** Stored text, fixed-width UTC ISO 8601: compared as text, like the database does. */
  updatedAt: string;
}

/** At most this many rows per poll; the next poll continues from where this one stopped. */
const BATCH = 500;

/** The change feed's queries, bound to the database. */
export function createIncidentEventFeed(db: Kysely<VigilDatabase>) {
  // Timeline entries are the timeline domain's rows: read through its DAL.
  const timeline = createTimelineDal();
  return {
    /** The newest `updated_at` now, and the incidents stamped with it: where a new connection starts. */
    async frontier(): Promise<{ since: string; ids: string[] }> {
      const row = await db
        .selectFrom('incidents')
        .select((eb) => eb.fn.max('updated_at').as('latest'))
        .executeTakeFirst();
      const since = row?.latest ?? '';
      if (since === '') return { since, ids: [] };
      const rows = await db.selectFrom('incidents').select('id').where('updated_at', '=', since).execute();
      return { since, ids: rows.map((r) => r.id) };
    },

    /** Incidents stamped at or after `since`, oldest change first. */
    async changedSince(since: string): Promise<IncidentChange[]> {
      const rows = await db
        .selectFrom('incidents')
        .select(['id', 'reference', 'updated_at'])
        .where('updated_at', '>=', since)
        .orderBy('updated_at')
        .orderBy('seq')
        .limit(BATCH)
        .execute();
      return rows.map((r) => ({ id: r.id, reference: r.reference, updatedAt: r.updated_at }));
    },

    /** The incident's newest timeline position, 0 when it has none. */
    async lastTimelineSeq(incidentId: string): Promise<number> {
      const row = await db
        .selectFrom('timeline_entries')
        .select((eb) => eb.fn.max('seq').as('last'))
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      return Number(row?.last ?? 0);
    },

    /** The incident's timeline entries after position `seq`, in order. */
    timelineAfter(incidentId: string, seq: number): Promise<TimelineEntry[]> {
      return timeline.listAfter(db, incidentId, seq, BATCH);
    },
  };
}

export type IncidentEventFeed = ReturnType<typeof createIncidentEventFeed>;
