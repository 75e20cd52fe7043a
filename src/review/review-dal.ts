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

/** Statuses the action-reminder module follows; done and won't-do actions are never due again. */
const FOLLOWED_STATUSES: readonly ActionStatus[] = ['open', 'in_progress'];

/**
 * The columns of an action that change as it moves on (all but its identity, kind and creation).
 * Every write of a followed action makes it due for the reminder module at once (its update
 * instant): the module, which knows the policy's time zone, then stores the real next instant.
 */
function changeableColumns(a: CorrectiveAction) {
  return {
    next_check_at: FOLLOWED_STATUSES.includes(a.status) ? toDbInstant(a.updatedAt) : null,
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

/** An action the reminder module must look at, and the check instant it was listed with. */
export interface DueAction {
  id: string;
  nextCheckAt: Date;
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

    /** Actions the reminder module must look at by `now`, earliest first. */
    async listDueActions(db: Executor, now: Date, limit: number): Promise<DueAction[]> {
      const rows = await db
        .selectFrom('corrective_actions')
        .select(['id', 'next_check_at'])
        .where('next_check_at', '<=', toDbInstant(now))
        .orderBy('next_check_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: r.id, nextCheckAt: fromDbInstant(r.next_check_at!) }));
    },

    /**
     * The reminder module's compare-and-set: takes the action only if it is still due at
     * `expected`, so two engines, or an engine and a change made meanwhile, never act on one
     * listing twice. On PostgreSQL it also locks the row until the transaction ends.
     */
    async claimDueAction(trx: Transaction<VigilDatabase>, id: string, expected: Date): Promise<boolean> {
      const updated = await trx
        .updateTable('corrective_actions')
        .set({ next_check_at: null })
        .where('id', '=', id)
        .where('next_check_at', '=', toDbInstant(expected))
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /** Stores when the reminder module next looks at the action; null: never, until it changes. */
    async scheduleActionCheck(trx: Transaction<VigilDatabase>, id: string, at: Date | null): Promise<void> {
      await trx
        .updateTable('corrective_actions')
        .set({ next_check_at: at ? toDbInstant(at) : null })
        .where('id', '=', id)
        .execute();
    },

    /** Marks every followed action due at `at`: the module's first look after a start, under a time zone that may have changed. */
    async markFollowedActionsDue(db: Executor, at: Date): Promise<void> {
      await db
        .updateTable('corrective_actions')
        .set({ next_check_at: toDbInstant(at) })
        .where('status', 'in', FOLLOWED_STATUSES)
        .execute();
    },
  };
}

export type ReviewDal = ReturnType<typeof createReviewDal>;
