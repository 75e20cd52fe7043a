import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { TimelineEntry, TimelineKind } from './timeline-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

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
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        seq: Number(r.seq),
        incidentId: r.incident_id,
        at: fromDbInstant(r.at),
        kind: r.kind as TimelineKind,
        actor: r.actor,
        summary: r.summary,
        data: JSON.parse(r.data) as Record<string, unknown>,
      }));
    },
  };
}

export type TimelineDal = ReturnType<typeof createTimelineDal>;
