import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { BreachSubmissionsTable, VigilDatabase } from '../platform/db/schema.ts';
import type {
  BreachAssessment,
  BreachRecordVersion,
  BreachSubmission,
  StoredBreachRecord,
} from './breach-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function recordJson(r: StoredBreachRecord): string {
  return JSON.stringify({
    ...r,
    awarenessAt: r.awarenessAt?.toISOString() ?? null,
    confirmedAt: r.confirmedAt?.toISOString() ?? null,
    determinedAt: r.determinedAt?.toISOString() ?? null,
  });
}

function recordOf(text: string): StoredBreachRecord {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const instant = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);
  return {
    ...(raw as unknown as StoredBreachRecord),
    awarenessAt: instant(raw.awarenessAt),
    confirmedAt: instant(raw.confirmedAt),
    determinedAt: instant(raw.determinedAt),
  };
}

function submissionOf(r: Selectable<BreachSubmissionsTable>): BreachSubmission {
  return {
    id: r.id,
    incidentId: r.incident_id,
    regime: r.regime,
    obligation: r.obligation,
    status: r.status as BreachSubmission['status'],
    report: JSON.parse(r.report) as Record<string, string>,
    followsUp: r.follows_up,
    createdAt: fromDbInstant(r.created_at),
    createdBy: r.created_by,
    approvedAt: fromDbInstantOrNull(r.approved_at),
    approvedBy: r.approved_by,
    submittedAt: fromDbInstantOrNull(r.submitted_at),
    submittedBy: r.submitted_by,
    method: r.method,
    reference: r.reference,
    delayReasons: r.delay_reasons,
    late: r.late === null ? null : r.late === 1,
  };
}

/** The columns of a submission that change as it goes from draft to submitted. */
function progressColumns(s: BreachSubmission) {
  const at = (d: Date | null) => (d ? toDbInstant(d) : null);
  return {
    status: s.status,
    report: JSON.stringify(s.report),
    approved_at: at(s.approvedAt),
    approved_by: s.approvedBy,
    submitted_at: at(s.submittedAt),
    submitted_by: s.submittedBy,
    method: s.method,
    reference: s.reference,
    delay_reasons: s.delayReasons,
    late: s.late === null ? null : s.late ? 1 : 0,
  };
}

/** A breach record the deadline module must look at, and the check instant it was listed with. */
export interface DueBreach {
  incidentId: string;
  nextCheckAt: Date;
}

/**
 * Marks the breach due for the deadline module at `at`: every write that can move a deadline or
 * meet an obligation (record, assessment, submission) calls it in its own transaction, and the
 * module works out the real next instant when it looks (the obligations need the policy).
 */
async function markDue(trx: Transaction<VigilDatabase>, incidentId: string, at: Date): Promise<void> {
  await trx
    .updateTable('breach_records')
    .set({ next_check_at: toDbInstant(at) })
    .where('incident_id', '=', incidentId)
    .execute();
}

/**
 * Queries of breach records, their versions, assessments and submissions. Every write marks the
 * record due for the deadline module (`next_check_at`), so the module reads only due records.
 */
export function createBreachDal() {
  return {
    async findRecord(db: Executor, incidentId: string): Promise<BreachRecordVersion | null> {
      const row = await db
        .selectFrom('breach_records')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      return row
        ? {
            version: row.version,
            record: recordOf(row.data),
            at: fromDbInstant(row.updated_at),
            by: row.updated_by,
          }
        : null;
    },

    /** Saves the record as its next version (the first is 1); returns the version. */
    async saveRecord(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      record: StoredBreachRecord,
      at: Date,
      by: string,
    ): Promise<number> {
      const current = await trx
        .selectFrom('breach_records')
        .select('version')
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      const version = (current?.version ?? 0) + 1;
      const data = recordJson(record);
      if (current) {
        await trx
          .updateTable('breach_records')
          .set({ version, data, updated_at: toDbInstant(at), updated_by: by, next_check_at: toDbInstant(at) })
          .where('incident_id', '=', incidentId)
          .execute();
      } else {
        await trx
          .insertInto('breach_records')
          .values({
            incident_id: incidentId,
            version,
            data,
            created_at: toDbInstant(at),
            updated_at: toDbInstant(at),
            updated_by: by,
            next_check_at: toDbInstant(at),
          })
          .execute();
      }
      await trx
        .insertInto('breach_record_versions')
        .values({ incident_id: incidentId, version, data, at: toDbInstant(at), by })
        .execute();
      return version;
    },

    async listVersions(db: Executor, incidentId: string): Promise<BreachRecordVersion[]> {
      const rows = await db
        .selectFrom('breach_record_versions')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('version')
        .execute();
      return rows.map((r) => ({
        version: r.version,
        record: recordOf(r.data),
        at: fromDbInstant(r.at),
        by: r.by,
      }));
    },

    async addAssessment(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      a: BreachAssessment,
    ): Promise<void> {
      const { decidedAt, decidedBy, ...rest } = a;
      await trx
        .insertInto('breach_assessments')
        .values({
          incident_id: incidentId,
          data: JSON.stringify(rest),
          decided_at: toDbInstant(decidedAt),
          decided_by: decidedBy,
        })
        .execute();
      await markDue(trx, incidentId, decidedAt);
    },

    /** Oldest first: the last one is in force. */
    async listAssessments(db: Executor, incidentId: string): Promise<BreachAssessment[]> {
      const rows = await db
        .selectFrom('breach_assessments')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        ...(JSON.parse(r.data) as Omit<BreachAssessment, 'decidedAt' | 'decidedBy'>),
        decidedAt: fromDbInstant(r.decided_at),
        decidedBy: r.decided_by,
      }));
    },

    async insertSubmission(trx: Transaction<VigilDatabase>, s: BreachSubmission): Promise<void> {
      await trx
        .insertInto('breach_submissions')
        .values({
          id: s.id,
          incident_id: s.incidentId,
          regime: s.regime,
          obligation: s.obligation,
          follows_up: s.followsUp,
          created_at: toDbInstant(s.createdAt),
          created_by: s.createdBy,
          ...progressColumns(s),
        })
        .execute();
      await markDue(trx, s.incidentId, s.createdAt);
    },

    /** Writes a submission's progress (its status, approval, submission and report), changed at `at`. */
    async updateSubmission(trx: Transaction<VigilDatabase>, s: BreachSubmission, at: Date): Promise<void> {
      await trx.updateTable('breach_submissions').set(progressColumns(s)).where('id', '=', s.id).execute();
      await markDue(trx, s.incidentId, at);
    },

    async listSubmissions(db: Executor, incidentId: string): Promise<BreachSubmission[]> {
      const rows = await db
        .selectFrom('breach_submissions')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('seq')
        .execute();
      return rows.map(submissionOf);
    },

    /** Every incident with a breach record, oldest record first: the register's rows. */
    async listRecordedIncidents(db: Executor): Promise<string[]> {
      const rows = await db
        .selectFrom('breach_records')
        .select('incident_id')
        .orderBy('created_at')
        .execute();
      return rows.map((r) => r.incident_id);
    },

    /** Breach records the deadline module must look at by `now`, earliest first. */
    async listDue(db: Executor, now: Date, limit: number): Promise<DueBreach[]> {
      const rows = await db
        .selectFrom('breach_records')
        .select(['incident_id', 'next_check_at'])
        .where('next_check_at', '<=', toDbInstant(now))
        .orderBy('next_check_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ incidentId: r.incident_id, nextCheckAt: fromDbInstant(r.next_check_at!) }));
    },

    /**
     * The deadline module's compare-and-set: takes the record only if it is still due at
     * `expected` (so two engines, or an engine and a request that changed the breach meanwhile,
     * never act on one listing twice). On PostgreSQL it also locks the row until the transaction ends.
     */
    async claimDue(trx: Transaction<VigilDatabase>, incidentId: string, expected: Date): Promise<boolean> {
      const updated = await trx
        .updateTable('breach_records')
        .set({ next_check_at: null })
        .where('incident_id', '=', incidentId)
        .where('next_check_at', '=', toDbInstant(expected))
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /** Stores when the deadline module next looks at the breach; null: never, until it changes. */
    async scheduleCheck(trx: Transaction<VigilDatabase>, incidentId: string, at: Date | null): Promise<void> {
      await trx
        .updateTable('breach_records')
        .set({ next_check_at: at ? toDbInstant(at) : null })
        .where('incident_id', '=', incidentId)
        .execute();
    },

    /** Marks every breach record due at `at`: the deadline module's first look after a start, under a policy that may have changed. */
    async markAllDue(db: Executor, at: Date): Promise<void> {
      await db
        .updateTable('breach_records')
        .set({ next_check_at: toDbInstant(at) })
        .execute();
    },
  };
}

export type BreachDal = ReturnType<typeof createBreachDal>;
