import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { CommunicationsTable, VigilDatabase } from '../platform/db/schema.ts';
import type {
  Communication,
  CommunicationAudience,
  DraftedValues,
  StoredCommunicationStatus,
} from './communication-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function fromRow(r: Selectable<CommunicationsTable>): Communication {
  return {
    id: r.id,
    incidentId: r.incident_id,
    audience: r.audience as CommunicationAudience,
    template: r.template,
    subject: r.subject,
    body: r.body,
    values: JSON.parse(r.fields) as DraftedValues,
    customerIds: JSON.parse(r.customer_ids) as string[],
    recipients: JSON.parse(r.recipients) as string[],
    status: r.status as StoredCommunicationStatus,
    createdAt: fromDbInstant(r.created_at),
    createdBy: r.created_by,
    approvedAt: fromDbInstantOrNull(r.approved_at),
    approvedBy: r.approved_by,
    queuedAt: fromDbInstantOrNull(r.queued_at),
    queuedBy: r.queued_by,
  };
}

/** The content columns of a communication: what a draft says and to whom. */
function contentColumns(c: Communication) {
  return {
    audience: c.audience,
    template: c.template,
    subject: c.subject,
    body: c.body,
    fields: JSON.stringify(c.values),
    customer_ids: JSON.stringify(c.customerIds),
    recipients: JSON.stringify(c.recipients),
  };
}

/** Queries of the communications table. */
export function createCommunicationDal() {
  return {
    async insert(trx: Transaction<VigilDatabase>, c: Communication): Promise<void> {
      await trx
        .insertInto('communications')
        .values({
          id: c.id,
          incident_id: c.incidentId,
          ...contentColumns(c),
          status: c.status,
          created_at: toDbInstant(c.createdAt),
          created_by: c.createdBy,
          approved_at: null,
          approved_by: null,
          queued_at: null,
          queued_by: null,
        })
        .execute();
    },

    async findById(db: Executor, incidentId: string, id: string): Promise<Communication | null> {
      const row = await db
        .selectFrom('communications')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? fromRow(row) : null;
    },

    async listForIncident(db: Executor, incidentId: string): Promise<Communication[]> {
      const rows = await db
        .selectFrom('communications')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('seq')
        .execute();
      return rows.map(fromRow);
    },

    /** Rewrites a draft's content; the approval, if any, is withdrawn because the words changed. */
    async revise(trx: Transaction<VigilDatabase>, c: Communication): Promise<void> {
      await trx
        .updateTable('communications')
        .set({ ...contentColumns(c), status: 'draft', approved_at: null, approved_by: null })
        .where('id', '=', c.id)
        .execute();
    },

    async approve(trx: Transaction<VigilDatabase>, id: string, at: Date, by: string): Promise<void> {
      await trx
        .updateTable('communications')
        .set({ status: 'approved', approved_at: toDbInstant(at), approved_by: by })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Marks a communication queued unless it already is: a compare-and-set,
     * so two people pressing send at once queue it once (false for the loser).
     */
    async markQueued(trx: Transaction<VigilDatabase>, id: string, at: Date, by: string): Promise<boolean> {
      const result = await trx
        .updateTable('communications')
        .set({ status: 'queued', queued_at: toDbInstant(at), queued_by: by })
        .where('id', '=', id)
        .where('status', '!=', 'queued')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type CommunicationDal = ReturnType<typeof createCommunicationDal>;
