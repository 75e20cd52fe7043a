/**
 * Post-incident reviews. A review is drafted, sent for review, and approved
 * by the holder of the policy's review-approver role on the incident; an
 * incident whose highest severity ever is one the policy names cannot close
 * without an approved review. The service also holds the review's corrective
 * and preventive actions, whose operations live in action-service.ts.
 */
import type { Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf, findIncident, recordIncidentEvent } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, Forbidden, NotFound } from '../platform/errors.ts';
import { createActionOperations } from './action-service.ts';
import { createIncidentRunner, type ReviewDeps } from './review-context.ts';
import type { CorrectiveAction, Review, ReviewImpact, TimelineAnnotation } from './review-types.ts';

export { localDate } from './review-dates.ts';

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

/** An incident's review, if written, and its actions, as the API shows them. */
export interface ReviewView {
  incidentId: string;
  reference: string;
  /** Whether the policy requires an approved review before the incident closes. */
  required: boolean;
  review: Review | null;
  actions: CorrectiveAction[];
}

/**
 * The review service: the review's use cases (`closeBlocker`, `get`, `put`,
 * `submit`, `approve`, `document`) and its actions' (see action-service.ts).
 */
export function createReviewService(deps: ReviewDeps) {
  const { incident: incidentDeps, dal } = deps;
  const { db, policy, details } = incidentDeps;
  const rules = policy.policy.reviews;
  const zone = policy.policy.time.timeZone;
  const onIncident = createIncidentRunner(incidentDeps);

  const required = (incident: Incident) => rules.requiredForSeverities.includes(incident.highestSeverity);

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

    ...createActionOperations(deps),
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
