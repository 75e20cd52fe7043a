import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { IncidentsTable, VigilDatabase } from '../platform/db/schema.ts';
import type { Incident, IncidentCursor, IncidentFilter, TriageDecision } from './incident-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;
type IncidentRow = Selectable<IncidentsTable> & { declared_by_email: string };

export interface IncidentRecord {
  incident: Incident;
  seq: number;
}

/** The stored columns a use case may change. */
export type IncidentChanges = Omit<
  Updateable<IncidentsTable>,
  'seq' | 'id' | 'reference' | 'declared_at' | 'declared_by'
>;

function toRecord(row: IncidentRow): IncidentRecord {
  const triage =
    row.triage_decision && row.triage_decided_at
      ? {
          decision: row.triage_decision as TriageDecision,
          reason: row.triage_reason ?? '',
          decidedAt: fromDbInstant(row.triage_decided_at),
        }
      : null;
  return {
    seq: Number(row.seq),
    incident: {
      id: row.id,
      reference: row.reference,
      title: row.title,
      description: row.description,
      severity: row.severity,
      highestSeverity: row.highest_severity ?? row.severity,
      phase: row.phase,
      category: row.category,
      openedAt: fromDbInstant(row.opened_at),
      declaredAt: fromDbInstant(row.declared_at),
      declaredBy: { userId: row.declared_by, email: row.declared_by_email },
      outOfHours: row.out_of_hours === 1,
      exerciseId: row.exercise_id,
      evidencePurgedAt: fromDbInstantOrNull(row.evidence_purged_at),
      policyVersion: row.policy_version,
      updatedAt: fromDbInstant(row.updated_at),
      ownerId: row.owner_id,
      acknowledgedAt: fromDbInstantOrNull(row.acknowledged_at),
      acknowledgedBy: row.acknowledged_by,
      triage,
      triageStartedAt: fromDbInstantOrNull(row.triage_started_at),
      duplicateOf: row.duplicate_of,
      closedAt: fromDbInstantOrNull(row.closed_at),
    },
  };
}

/**
 * Ids of incidents with a clock breached at `now` (a stored instant): a period breached, a clock
 * met after its due time, or an unmet clock past its due time that was not stopped before it fell
 * due (an incident closed in time was never breached). An id may appear more than once.
 *
 * Two branches, each a range scan of a partial index of migration 0003 rather than a probe of
 * every incident's clocks; the index is used only while each WHERE term here repeats the index's
 * predicate exactly (`0` as a literal, not a parameter), so change them together.
 */
function breachedClockIncidentIds(db: Executor, now: string) {
  const clocks = () => db.selectFrom('sla_clocks as c').select('c.incident_id');
  return clocks()
    .where((w) => w.or([w('c.breaches', '>', w.lit(0)), w('c.met_at', '>', w.ref('c.due_at'))]))
    .unionAll(
      clocks()
        .where('c.met_at', 'is', null)
        .where((w) => w.or([w('c.stopped_at', 'is', null), w('c.stopped_at', '>=', w.ref('c.due_at'))]))
        .where('c.due_at', '<=', now),
    );
}

function selectIncidents(db: Executor) {
  return db
    .selectFrom('incidents as i')
    .innerJoin('users as u', 'u.id', 'i.declared_by')
    .selectAll('i')
    .select('u.email as declared_by_email');
}

/** Queries of the incidents table. */
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
          highest_severity: incident.highestSeverity,
          phase: incident.phase,
          category: incident.category,
          opened_at: toDbInstant(incident.openedAt),
          declared_at: toDbInstant(incident.declaredAt),
          declared_by: incident.declaredBy.userId,
          out_of_hours: incident.outOfHours ? 1 : 0,
          exercise_id: incident.exerciseId,
          policy_version: incident.policyVersion,
          updated_at: toDbInstant(incident.updatedAt),
          owner_id: incident.ownerId,
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    },

    async setReference(trx: Transaction<VigilDatabase>, id: string, reference: string): Promise<void> {
      await trx.updateTable('incidents').set({ reference }).where('id', '=', id).execute();
    },

    async update(trx: Transaction<VigilDatabase>, id: string, changes: IncidentChanges): Promise<void> {
      await trx.updateTable('incidents').set(changes).where('id', '=', id).execute();
    },

    async findById(db: Executor, id: string): Promise<IncidentRecord | null> {
      const row = await selectIncidents(db).where('i.id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async findByReference(db: Executor, reference: string): Promise<IncidentRecord | null> {
      const row = await selectIncidents(db).where('i.reference', '=', reference).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /**
     * Newest opened first; ties broken by recording order. Returns up to
     * `limit` records after `cursor` that match `filter`. `breached` asks
     * for incidents with a clock breached at `now` or any breached period.
     */
    async listNewestFirst(
      db: Executor,
      query: { limit: number; cursor: IncidentCursor | null; filter: IncidentFilter; now: Date },
    ): Promise<IncidentRecord[]> {
      const { cursor, filter } = query;
      const now = toDbInstant(query.now);
      let q = selectIncidents(db).orderBy('i.opened_at', 'desc').orderBy('i.seq', 'desc').limit(query.limit);
      if (cursor) {
        q = q.where((eb) =>
          eb.or([
            eb('i.opened_at', '<', cursor.openedAt),
            eb.and([eb('i.opened_at', '=', cursor.openedAt), eb('i.seq', '<', cursor.seq)]),
          ]),
        );
      }
      if (filter.phase) q = q.where('i.phase', '=', filter.phase);
      if (filter.severity) q = q.where('i.severity', '=', filter.severity);
      if (filter.outOfHours !== undefined) q = q.where('i.out_of_hours', '=', filter.outOfHours ? 1 : 0);
      if (filter.exercise !== undefined) {
        q = filter.exercise ? q.where('i.exercise_id', 'is not', null) : q.where('i.exercise_id', 'is', null);
      }
      if (filter.open !== undefined) {
        q = filter.open ? q.where('i.closed_at', 'is', null) : q.where('i.closed_at', 'is not', null);
      }
      if (filter.openedFrom) q = q.where('i.opened_at', '>=', toDbInstant(filter.openedFrom));
      if (filter.openedTo) q = q.where('i.opened_at', '<', toDbInstant(filter.openedTo));
      if (filter.ownerEmail) {
        const email = filter.ownerEmail;
        q = q.where('i.owner_id', 'in', (eb) =>
          eb.selectFrom('users').select('id').where('email', '=', email),
        );
      }
      if (filter.breached !== undefined) {
        const breachedIds = breachedClockIncidentIds(db, now);
        // `not in` is safe: sla_clocks.incident_id is never null.
        q = filter.breached ? q.where('i.id', 'in', breachedIds) : q.where('i.id', 'not in', breachedIds);
      }
      const rows = await q.execute();
      return rows.map(toRecord);
    },
  };
}

export type IncidentDal = ReturnType<typeof createIncidentDal>;
