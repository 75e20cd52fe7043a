import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { IncidentsTable, VigilDatabase } from '../platform/db/schema.ts';
import type { Incident, IncidentCursor } from './incident-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;
type IncidentRow = Selectable<IncidentsTable> & { declared_by_email: string };

export interface IncidentRecord {
  incident: Incident;
  seq: number;
}

function toRecord(row: IncidentRow): IncidentRecord {
  return {
    seq: Number(row.seq),
    incident: {
      id: row.id,
      reference: row.reference,
      title: row.title,
      description: row.description,
      severity: row.severity,
      phase: row.phase,
      openedAt: fromDbInstant(row.opened_at),
      declaredAt: fromDbInstant(row.declared_at),
      declaredBy: { userId: row.declared_by, email: row.declared_by_email },
      outOfHours: row.out_of_hours === 1,
      policyVersion: row.policy_version,
      updatedAt: fromDbInstant(row.updated_at),
    },
  };
}

function selectIncidents(db: Executor) {
  return db
    .selectFrom('incidents as i')
    .innerJoin('users as u', 'u.id', 'i.declared_by')
    .selectAll('i')
    .select('u.email as declared_by_email');
}

/** Queries of incidents. */
export function createIncidentDal() {
  return {
    /** Inserts the incident and returns its recording sequence number. */
    async insert(trx: Transaction<VigilDatabase>, incident: Omit<Incident, 'reference'>): Promise<number> {
      const row = await trx
        .insertInto('incidents')
        .values({
          id: incident.id,
          // The reference needs the generated sequence number, so it is set just below.
          reference: `pending:${incident.id}`,
          title: incident.title,
          description: incident.description,
          severity: incident.severity,
          phase: incident.phase,
          opened_at: toDbInstant(incident.openedAt),
          declared_at: toDbInstant(incident.declaredAt),
          declared_by: incident.declaredBy.userId,
          out_of_hours: incident.outOfHours ? 1 : 0,
          policy_version: incident.policyVersion,
          updated_at: toDbInstant(incident.updatedAt),
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    },

    async setReference(trx: Transaction<VigilDatabase>, id: string, reference: string): Promise<void> {
      await trx.updateTable('incidents').set({ reference }).where('id', '=', id).execute();
    },

    async findById(db: Executor, id: string): Promise<IncidentRecord | null> {
      const row = await selectIncidents(db).where('i.id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async findByReference(db: Executor, reference: string): Promise<IncidentRecord | null> {
      const row = await selectIncidents(db).where('i.reference', '=', reference).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** Newest opened first; ties broken by recording order. Returns up to `limit` records after `cursor`. */
    async listNewestFirst(
      db: Executor,
      limit: number,
      cursor: IncidentCursor | null,
    ): Promise<IncidentRecord[]> {
      let query = selectIncidents(db).orderBy('i.opened_at', 'desc').orderBy('i.seq', 'desc').limit(limit);
      if (cursor) {
        query = query.where((eb) =>
          eb.or([
            eb('i.opened_at', '<', cursor.openedAt),
            eb.and([eb('i.opened_at', '=', cursor.openedAt), eb('i.seq', '<', cursor.seq)]),
          ]),
        );
      }
      const rows = await query.execute();
      return rows.map(toRecord);
    },
  };
}

export type IncidentDal = ReturnType<typeof createIncidentDal>;
