import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { CorrectiveActionsTable, VigilDatabase } from '../platform/db/schema.ts';
import type { ActionStatus, CorrectiveAction, Review, ReviewState } from './review-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** The parts of a review kept as one JSON document. */
type ReviewContent = Omit<
  Review,
  'incidentId' | 'state' | 'version' | 'updatedAt' | 'updatedBy' | 'submittedAt' | 'approvedAt' | 'approvedBy'
>;

function contentOf(r: Review): ReviewContent {
  const {
    incidentId,
    state,
    version,
    updatedAt,
    updatedBy,
    submittedAt,
    approvedAt,
    approvedBy,
    ...content
  } = r;
  return content;
}

function actionOf(r: Selectable<CorrectiveActionsTable>): CorrectiveAction {
  return {
    id: r.id,
    incidentId: r.incident_id,
    exerciseId: r.exercise_id,
    title: r.title,
    kind: r.kind as CorrectiveAction['kind'],
    owner: r.owner,
    dueDate: r.due_date,
    status: r.status as ActionStatus,
    wontDoReason: r.wont_do_reason,
    signedOffBy: r.signed_off_by,
    links: JSON.parse(r.links) as CorrectiveAction['links'],
    createdAt: fromDbInstant(r.created_at),
    createdBy: r.created_by,
    updatedAt: fromDbInstant(r.updated_at),
    doneAt: fromDbInstantOrNull(r.done_at),
  };
}

/** The columns of an action that change as it moves on (all but its identity, kind and creation). */
function changeableColumns(a: CorrectiveAction) {
  return {
    title: a.title,
    owner: a.owner,
    due_date: a.dueDate,
    status: a.status,
    wont_do_reason: a.wontDoReason,
    signed_off_by: a.signedOffBy,
    links: JSON.stringify(a.links),
    updated_at: toDbInstant(a.updatedAt),
    done_at: a.doneAt ? toDbInstant(a.doneAt) : null,
  };
}

/** What the action list can be narrowed by. */
export interface ActionFilter {
  owner?: string | undefined;
  status?: ActionStatus | undefined;
  incidentId?: string | undefined;
  /** Open or in progress with a target date before this date (`YYYY-MM-DD`). */
  overdueBefore?: string | undefined;
}

/** Queries of reviews and corrective actions. */
export function createReviewDal() {
  return {
    async findReview(db: Executor, incidentId: string): Promise<Review | null> {
      const r = await db
        .selectFrom('reviews')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      if (!r) return null;
      return {
        ...(JSON.parse(r.content) as ReviewContent),
        incidentId: r.incident_id,
        state: r.state as ReviewState,
        version: r.version,
        updatedAt: fromDbInstant(r.updated_at),
        updatedBy: r.updated_by,
        submittedAt: fromDbInstantOrNull(r.submitted_at),
        approvedAt: fromDbInstantOrNull(r.approved_at),
        approvedBy: r.approved_by,
      };
    },

    async saveReview(trx: Transaction<VigilDatabase>, review: Review, isNew: boolean): Promise<void> {
      const row = {
        state: review.state,
        version: review.version,
        content: JSON.stringify(contentOf(review)),
        updated_at: toDbInstant(review.updatedAt),
        updated_by: review.updatedBy,
        submitted_at: review.submittedAt ? toDbInstant(review.submittedAt) : null,
        approved_at: review.approvedAt ? toDbInstant(review.approvedAt) : null,
        approved_by: review.approvedBy,
      };
      if (isNew)
        await trx
          .insertInto('reviews')
          .values({ incident_id: review.incidentId, ...row })
          .execute();
      else await trx.updateTable('reviews').set(row).where('incident_id', '=', review.incidentId).execute();
    },

    async insertAction(trx: Transaction<VigilDatabase>, a: CorrectiveAction): Promise<void> {
      await trx
        .insertInto('corrective_actions')
        .values({
          id: a.id,
          incident_id: a.incidentId,
          exercise_id: a.exerciseId,
          kind: a.kind,
          created_at: toDbInstant(a.createdAt),
          created_by: a.createdBy,
          ...changeableColumns(a),
        })
        .execute();
    },

    async updateAction(trx: Transaction<VigilDatabase>, a: CorrectiveAction): Promise<void> {
      await trx.updateTable('corrective_actions').set(changeableColumns(a)).where('id', '=', a.id).execute();
    },

    async findAction(db: Executor, id: string): Promise<CorrectiveAction | null> {
      const r = await db.selectFrom('corrective_actions').selectAll().where('id', '=', id).executeTakeFirst();
      return r ? actionOf(r) : null;
    },

    /** By target date, then creation. */
    async listActions(db: Executor, filter: ActionFilter = {}): Promise<CorrectiveAction[]> {
      let q = db.selectFrom('corrective_actions').selectAll().orderBy('due_date').orderBy('seq');
      if (filter.owner) q = q.where('owner', '=', filter.owner.toLowerCase());
      if (filter.status) q = q.where('status', '=', filter.status);
      if (filter.incidentId) q = q.where('incident_id', '=', filter.incidentId);
      if (filter.overdueBefore) {
        q = q.where('status', 'in', ['open', 'in_progress']).where('due_date', '<', filter.overdueBefore);
      }
      return (await q.execute()).map(actionOf);
    },
  };
}

export type ReviewDal = ReturnType<typeof createReviewDal>;
