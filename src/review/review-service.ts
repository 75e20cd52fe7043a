/**
 * Post-incident reviews and corrective actions. A review is drafted, sent
 * for review, and approved by the holder of the policy's review-approver
 * role on the incident; an incident whose highest severity ever is one the
 * policy names cannot close without an approved review. Actions carry an
 * owner and a target date, and a "won't do" needs a reason and the owner's
 * own sign-off.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { DateTime } from 'luxon';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import {
  actorOf,
  findIncident,
  type IncidentDeps,
  recordIncidentEvent,
} from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../platform/errors.ts';
import type { ActionFilter, ReviewDal } from './review-dal.ts';
import type {
  ActionStatus,
  CorrectiveAction,
  Review,
  ReviewImpact,
  TimelineAnnotation,
} from './review-types.ts';

/** The content of a review as people write it. */
export interface ReviewInput {
  summary: string;
  rootCause: string;
  impact: string;
  lessons: string;
  customerSummary: string;
  contributingFactors?: string[] | undefined;
  whys?: string[] | undefined;
  impactDetail?: Partial<ReviewImpact> | undefined;
  annotations?: TimelineAnnotation[] | undefined;
}

export interface ReviewView {
  incidentId: string;
  reference: string;
  /** Whether the policy requires an approved review before the incident closes. */
  required: boolean;
  review: Review | null;
  actions: CorrectiveAction[];
}

/** The local date (`YYYY-MM-DD`) of `at` in `zone`: the day action target dates are compared with. */
export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate()!;
}

export function createReviewService(deps: { incident: IncidentDeps; dal: ReviewDal }) {
  const { incident: incidentDeps, dal } = deps;
  const { db, clock, policy, details } = incidentDeps;
  const rules = policy.policy.reviews;
  const zone = policy.policy.time.timeZone;

  const required = (incident: Incident) => rules.requiredForSeverities.includes(incident.highestSeverity);

  async function onIncident<T>(
    idOrReference: string,
    work: (trx: Transaction<VigilDatabase>, incident: Incident, now: Date) => Promise<T>,
  ): Promise<{ incident: Incident; result: T }> {
    const now = clock.now();
    const found = await findIncident(incidentDeps.dal, db, idOrReference);
    const result = await db.transaction().execute(async (trx) => {
      const record = (await incidentDeps.dal.findById(trx, found.incident.id))!;
      const value = await work(trx, record.incident, now);
      await incidentDeps.dal.update(trx, record.incident.id, { updated_at: toDbInstant(now) });
      return value;
    });
    return { incident: found.incident, result };
  }

  async function view(incident: Incident): Promise<ReviewView> {
    return {
      incidentId: incident.id,
      reference: incident.reference,
      required: required(incident),
      review: await dal.findReview(db, incident.id),
      actions: await dal.listActions(db, { incidentId: incident.id }),
    };
  }

  async function requireReview(trx: Transaction<VigilDatabase>, incident: Incident): Promise<Review> {
    const review = await dal.findReview(trx, incident.id);
    if (!review) throw new Conflict(`${incident.reference} has no review yet: write one with PUT .../review`);
    return review;
  }

  function checkDueDate(dueDate: string, now: Date, field: string): void {
    if (!DateTime.fromISO(dueDate, { zone }).isValid)
      throw new ValidationFailed([{ field, reason: 'must be a real date YYYY-MM-DD' }]);
    if (dueDate < localDate(now, zone))
      throw new ValidationFailed([{ field, reason: 'must not be in the past' }]);
  }

  return {
    /**
     * Why the incident may not close yet, or null: its highest severity
     * needs a review the approver has approved. Read inside the closing
     * transaction.
     */
    async closeBlocker(trx: Transaction<VigilDatabase>, incident: Incident): Promise<string | null> {
      if (!required(incident)) return null;
      const review = await dal.findReview(trx, incident.id);
      if (review?.state === 'approved') return null;
      const why = review ? `its review is ${review.state.replace('_', ' ')}` : 'it has no review';
      return `closing ${incident.reference} needs a post-incident review approved by its ${rules.approver} (its highest severity was ${incident.highestSeverity}); ${why}`;
    },

    async get(idOrReference: string): Promise<ReviewView> {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      return view(incident);
    },

    /** Writes the review; changing an approved one withdraws the approval (back to draft). */
    async put(principal: Principal, idOrReference: string, input: ReviewInput): Promise<ReviewView> {
      const { incident } = await onIncident(idOrReference, async (trx, incident, now) => {
        const existing = await dal.findReview(trx, incident.id);
        const actor = actorOf(principal);
        const review: Review = {
          incidentId: incident.id,
          state: existing && existing.state !== 'approved' ? existing.state : 'draft',
          summary: input.summary,
          rootCause: input.rootCause,
          contributingFactors: input.contributingFactors ?? existing?.contributingFactors ?? [],
          whys: input.whys ?? existing?.whys ?? [],
          impact: input.impact,
          impactDetail: {
            customers: null,
            data: null,
            services: null,
            duration: null,
            ...existing?.impactDetail,
            ...input.impactDetail,
          },
          lessons: input.lessons,
          customerSummary: input.customerSummary,
          annotations: input.annotations ?? existing?.annotations ?? [],
          version: (existing?.version ?? 0) + 1,
          updatedAt: now,
          updatedBy: formatActor(actor),
          submittedAt: existing && existing.state !== 'approved' ? existing.submittedAt : null,
          approvedAt: null,
          approvedBy: null,
        };
        await dal.saveReview(trx, review, !existing);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'note',
          action: existing ? 'review.revised' : 'review.drafted',
          summary: `post-incident review v${review.version} ${existing ? 'revised' : 'drafted'}${existing?.state === 'approved' ? ' (approval withdrawn)' : ''}`,
          data: { version: review.version, state: review.state },
        });
      });
      return view(incident);
    },

    /** Sends a draft for review (409 unless a draft). */
    async submit(principal: Principal, idOrReference: string): Promise<ReviewView> {
      const { incident } = await onIncident(idOrReference, async (trx, incident, now) => {
        const review = await requireReview(trx, incident);
        if (review.state !== 'draft')
          throw new Conflict(
            `the review of ${incident.reference} is ${review.state.replace('_', ' ')}, not a draft`,
          );
        const actor = actorOf(principal);
        await dal.saveReview(
          trx,
          { ...review, state: 'in_review', submittedAt: now, updatedAt: now, updatedBy: formatActor(actor) },
          false,
        );
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'note',
          action: 'review.submitted',
          summary: `post-incident review v${review.version} sent for review`,
          data: { version: review.version },
        });
      });
      return view(incident);
    },

    /** Approves a review in review: only the holder of the policy's review-approver role on the incident (403). */
    async approve(principal: Principal, idOrReference: string): Promise<ReviewView> {
      const { incident } = await onIncident(idOrReference, async (trx, incident, now) => {
        const review = await requireReview(trx, incident);
        if (review.state !== 'in_review')
          throw new Conflict(
            `the review of ${incident.reference} is ${review.state.replace('_', ' ')}: send it for review first`,
          );
        const holds = (await details.listRoles(trx, [incident.id])).some(
          (a) => a.role === rules.approver && a.person.userId === principal.user.id,
        );
        if (!holds)
          throw new Forbidden(`approving the review of ${incident.reference} needs its ${rules.approver}`);
        const actor = actorOf(principal);
        await dal.saveReview(
          trx,
          { ...review, state: 'approved', approvedAt: now, approvedBy: formatActor(actor) },
          false,
        );
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'decision',
          action: 'review.approved',
          summary: `post-incident review v${review.version} approved as ${rules.approver}`,
          data: { version: review.version, role: rules.approver },
        });
      });
      return view(incident);
    },

    /** Adds a corrective or preventive action to an incident. */
    async addAction(
      principal: Principal,
      idOrReference: string,
      input: {
        title: string;
        kind: CorrectiveAction['kind'];
        owner: string;
        dueDate: string;
        links?: CorrectiveAction['links'] | undefined;
      },
    ): Promise<CorrectiveAction> {
      const { result } = await onIncident(idOrReference, async (trx, incident, now) => {
        checkDueDate(input.dueDate, now, 'body.dueDate');
        const actor = actorOf(principal);
        const action: CorrectiveAction = {
          id: randomUUID(),
          incidentId: incident.id,
          exerciseId: null,
          title: input.title,
          kind: input.kind,
          owner: input.owner.toLowerCase(),
          dueDate: input.dueDate,
          status: 'open',
          wontDoReason: null,
          signedOffBy: null,
          links: input.links ?? [],
          createdAt: now,
          createdBy: formatActor(actor),
          updatedAt: now,
          doneAt: null,
        };
        await dal.insertAction(trx, action);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'note',
          action: 'action.created',
          summary: `${action.kind} action for ${action.owner}, due ${action.dueDate}: ${action.title}`,
          data: { actionId: action.id, kind: action.kind, owner: action.owner, dueDate: action.dueDate },
        });
        return action;
      });
      return result;
    },

    /** Adds an action that came out of a tabletop exercise (no incident). */
    async addExerciseAction(
      principal: Principal,
      exerciseId: string,
      input: {
        title: string;
        kind: CorrectiveAction['kind'];
        owner: string;
        dueDate: string;
        links?: CorrectiveAction['links'] | undefined;
      },
    ): Promise<CorrectiveAction> {
      const now = clock.now();
      checkDueDate(input.dueDate, now, 'body.dueDate');
      const actor = actorOf(principal);
      const action: CorrectiveAction = {
        id: randomUUID(),
        incidentId: null,
        exerciseId,
        title: input.title,
        kind: input.kind,
        owner: input.owner.toLowerCase(),
        dueDate: input.dueDate,
        status: 'open',
        wontDoReason: null,
        signedOffBy: null,
        links: input.links ?? [],
        createdAt: now,
        createdBy: formatActor(actor),
        updatedAt: now,
        doneAt: null,
      };
      await db.transaction().execute((trx) => dal.insertAction(trx, action));
      return action;
    },

    /**
     * Moves an action on: status (won't-do needs a reason, given by its owner
     * as the sign-off), owner or target date. Done and won't-do are final.
     */
    async updateAction(
      principal: Principal,
      id: string,
      input: {
        status?: ActionStatus | undefined;
        wontDoReason?: string | undefined;
        owner?: string | undefined;
        dueDate?: string | undefined;
      },
    ): Promise<CorrectiveAction> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const action = await dal.findAction(trx, id);
        if (!action) throw new NotFound('action', id);
        if (action.status === 'done' || action.status === 'wont_do')
          throw new Conflict(`action ${id} is already ${action.status}`);
        const actor = actorOf(principal);
        const next: CorrectiveAction = { ...action, updatedAt: now };
        if (input.dueDate !== undefined) {
          checkDueDate(input.dueDate, now, 'body.dueDate');
          next.dueDate = input.dueDate;
        }
        if (input.owner !== undefined) next.owner = input.owner.toLowerCase();
        if (input.status === 'wont_do') {
          if (!input.wontDoReason?.trim())
            throw new ValidationFailed([
              { field: 'body.wontDoReason', reason: "is required to close an action as won't do" },
            ]);
          if (principal.user.email.toLowerCase() !== action.owner) {
            throw new Forbidden(
              `only the action's owner (${action.owner}) can sign off that it will not be done`,
            );
          }
          next.wontDoReason = input.wontDoReason.trim();
          next.signedOffBy = formatActor(actor);
        }
        if (input.status) next.status = input.status;
        if (input.status === 'done' || input.status === 'wont_do') next.doneAt = now;
        await dal.updateAction(trx, next);
        if (action.incidentId) {
          await recordIncidentEvent(incidentDeps, trx, {
            incidentId: action.incidentId,
            actor,
            at: now,
            kind: 'note',
            action: 'action.updated',
            summary: `action "${action.title}": ${next.status}${next.wontDoReason && input.status === 'wont_do' ? ` (${next.wontDoReason})` : ''}`,
            data: { actionId: id, status: next.status, owner: next.owner, dueDate: next.dueDate },
          });
        }
        return next;
      });
    },

    /** Everything a review document (Markdown or PDF) is made of. 404 without a review. */
    async document(idOrReference: string) {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      const review = await dal.findReview(db, incident.id);
      if (!review) throw new NotFound('review of incident', incident.reference);
      const owner = (await details.listRoles(db, [incident.id])).find((a) => a.role === 'owner')?.person;
      return {
        organization: policy.policy.organization.name,
        incident: {
          reference: incident.reference,
          title: incident.title,
          severity: incident.severity,
          highestSeverity: incident.highestSeverity,
          openedAt: incident.openedAt,
          closedAt: incident.closedAt,
          category: incident.category,
          owner: owner ? `${owner.name} <${owner.email}>` : null,
        },
        review,
        actions: await dal.listActions(db, { incidentId: incident.id }),
        timeline: (await incidentDeps.timeline.list(incident.id)).map((e) => ({
          id: e.id,
          at: e.at,
          kind: e.kind,
          actor: e.actor,
          summary: e.summary,
        })),
        timeZone: zone,
      };
    },

    /** Actions by target date; `overdue` keeps those open past their date in the policy's time zone. */
    async listActions(
      filter: Omit<ActionFilter, 'overdueBefore'> & { overdue?: boolean | undefined },
    ): Promise<CorrectiveAction[]> {
      const { overdue, ...rest } = filter;
      return dal.listActions(db, {
        ...rest,
        ...(overdue ? { overdueBefore: localDate(clock.now(), zone) } : {}),
      });
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
