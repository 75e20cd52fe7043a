import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { TimelineEntriesTable, VigilDatabase } from '../platform/db/schema.ts';
import type { TimelineEntry, TimelineKind } from './timeline-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A stored row as a timeline entry. */
function timelineEntryOf(r: Selectable<TimelineEntriesTable>): TimelineEntry {
  return {
    id: r.id,
    seq: Number(r.seq),
    incidentId: r.incident_id,
    at: fromDbInstant(r.at),
    kind: r.kind as TimelineKind,
    actor: r.actor,
    summary: r.summary,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

/** Queries of the timeline. Entries are only ever inserted, never updated or deleted. */
export function createTimelineDal() {
  return {
    async insert(trx: Transaction<VigilDatabase>, entry: Omit<TimelineEntry, 'seq'>): Promise<number> {
      const row = await trx
        .insertInto('timeline_entries')
        .values({
          id: entry.id,
          incident_id: entry.incidentId,
          at: toDbInstant(entry.at),
          kind: entry.kind,
          actor: entry.actor,
          summary: entry.summary,
          data: JSON.stringify(entry.data),
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    },

    /** The incident's entries in order, optionally only some kinds. */
    async listForIncident(
      db: Executor,
      incidentId: string,
      kinds?: readonly TimelineKind[],
    ): Promise<TimelineEntry[]> {
      let query = db
        .selectFrom('timeline_entries')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('seq');
      if (kinds && kinds.length > 0) query = query.where('kind', 'in', kinds);
      return (await query.execute()).map(timelineEntryOf);
    },

    /** The incident's entries after position `seq`, in order, at most `limit`: what a live view has not seen. */
    async listAfter(db: Executor, incidentId: string, seq: number, limit: number): Promise<TimelineEntry[]> {
      const rows = await db
        .selectFrom('timeline_entries')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .where('seq', '>', seq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(timelineEntryOf);
    },
  };
}

export type TimelineDal = ReturnType<typeof createTimelineDal>;
