/**
 * The reports and notices that meet a breach's obligations: drafted from
 * the record, approved by the policy's regulator-contact approver,
 * submitted with when, how and the authority's reference, late only with
 * reasons; a customer communication meets the customers obligations.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf, recordIncidentEvent } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed } from '../platform/errors.ts';
import type { BreachDal } from './breach-dal.ts';
import type { Obligation } from './breach-obligations.ts';
import { draftReport } from './breach-report.ts';
import type { BreachDeps, BreachState, BreachView } from './breach-state.ts';
import type { BreachSubmission } from './breach-types.ts';

function requireObligation(
  obligations: readonly Obligation[],
  regime: string,
  obligation: string,
): Obligation {
  const found = obligations.find((o) => o.regime === regime && o.obligation === obligation);
  if (!found) {
    const known = obligations.map((o) => `${o.regime}/${o.obligation}`).join(', ') || 'none';
    throw new ValidationFailed([
      { field: 'body.obligation', reason: `must be an obligation that applies here: ${known}` },
    ]);
  }
  return found;
}

async function findSubmission(
  dal: BreachDal,
  trx: Transaction<VigilDatabase>,
  incidentId: string,
  id: string,
) {
  const found = (await dal.listSubmissions(trx, incidentId)).find((s) => s.id === id);
  if (!found) throw new NotFound('breach submission', id);
  return found;
}

/** A new draft for `obligation`, created by `createdBy` at `now`, nothing approved or submitted yet. */
function newDraft(
  incidentId: string,
  obligation: Obligation,
  report: BreachSubmission['report'],
  followsUp: string | null,
  createdBy: string,
  now: Date,
): BreachSubmission {
  return {
    id: randomUUID(),
    incidentId,
    regime: obligation.regime,
    obligation: obligation.obligation,
    status: 'draft',
    report,
    followsUp,
    createdAt: now,
    createdBy,
    approvedAt: null,
    approvedBy: null,
    submittedAt: null,
    submittedBy: null,
    method: null,
    reference: null,
    delayReasons: null,
    late: null,
  };
}

/** What a report is submitted with: when, how, the authority's reference and any reasons for a delay. */
interface SubmitInput {
  submittedAt?: Date | undefined;
  method: string;
  reference?: string | undefined;
  delayReasons?: string | undefined;
}

/** Drafting, approving and submitting breach reports, and meeting customer obligations by communication. */
export function createBreachSubmissionService(deps: BreachDeps, state: BreachState) {
  const { incident: incidentDeps, dal } = deps;
  const { policy, details } = incidentDeps;
  const { stateOf, view, onIncident } = state;
  const approverRole = policy.policy.command.regulatorContactApprover;

  /**
   * When the report went out (now unless given) and whether that was after
   * the obligation's due time: 422 for a time in the future, or when late
   * without the reasons for the delay and the regime asks for them.
   */
  function checkTiming(
    submission: BreachSubmission,
    obligation: Obligation,
    input: SubmitInput,
    now: Date,
  ): { submittedAt: Date; late: boolean } {
    const submittedAt = input.submittedAt ?? now;
    if (submittedAt.getTime() > now.getTime()) {
      throw new ValidationFailed([{ field: 'body.submittedAt', reason: 'must not be in the future' }]);
    }
    const late = obligation.dueAt !== null && submittedAt.getTime() > obligation.dueAt.getTime();
    const regime = policy.policy.breachNotification.regimes.find((r) => r.id === submission.regime);
    if (late && regime?.delayReasonsRequiredWhenLate && !input.delayReasons?.trim()) {
      throw new Unprocessable([
        {
          field: 'body.delayReasons',
          reason: `the report is late (due ${obligation.dueAt!.toISOString()}): give the reasons for the delay`,
        },
      ]);
    }
    return { submittedAt, late };
  }

  return {
    /** Drafts a report for one obligation from the record (a follow-up names the submission it completes). */
    async draftSubmission(
      principal: Principal,
      idOrReference: string,
      input: { regime: string; obligation: string; followsUp?: string | undefined },
    ): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        const { current, assessment, submissions, obligations } = await stateOf(trx, incident.id, now);
        if (!current)
          throw new Conflict(`${incident.reference} has no breach record: record the breach first`);
        const obligation = requireObligation(obligations, input.regime, input.obligation);
        if (
          input.followsUp &&
          !submissions.some((s) => s.id === input.followsUp && s.status === 'submitted')
        ) {
          throw new ValidationFailed([
            { field: 'body.followsUp', reason: 'must name a submitted report of this incident' },
          ]);
        }
        const actor = actorOf(principal);
        const report = draftReport({
          policy: policy.policy,
          incident,
          record: current.record,
          obligation,
          assessment,
        });
        const submission = newDraft(
          incident.id,
          obligation,
          report,
          input.followsUp ?? null,
          formatActor(actor),
          now,
        );
        await dal.insertSubmission(trx, submission);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'breach',
          action: 'breach.report_drafted',
          summary: `${obligation.name} (${obligation.regimeName}): report drafted${input.followsUp ? ' as a follow-up' : ''}`,
          data: { submissionId: submission.id, regime: submission.regime, obligation: submission.obligation },
        });
      });
      return view(incident, now);
    },

    /** Approves a drafted report: only the holder of the policy's regulator-contact approver role on the incident. */
    async approveSubmission(principal: Principal, idOrReference: string, id: string): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        const submission = await findSubmission(dal, trx, incident.id, id);
        if (submission.status !== 'draft')
          throw new Conflict(`submission ${id} is already ${submission.status}`);
        const holds = (await details.listRoles(trx, [incident.id])).some(
          (a) => a.role === approverRole && a.person.userId === principal.user.id,
        );
        if (!holds)
          throw new Forbidden(
            `approving contact with a regulator on ${incident.reference} needs its ${approverRole}`,
          );
        const actor = actorOf(principal);
        await dal.updateSubmission(
          trx,
          {
            ...submission,
            status: 'approved',
            approvedAt: now,
            approvedBy: formatActor(actor),
          },
          now,
        );
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'decision',
          action: 'breach.report_approved',
          summary: `report for ${submission.regime}/${submission.obligation} approved as ${approverRole}`,
          data: { submissionId: id, role: approverRole },
        });
      });
      return view(incident, now);
    },

    /**
     * Marks a report submitted (when, how, the authority's reference). A
     * report to a regulator needs its approval first (409); one after its due
     * time needs the reasons for the delay when the regime asks (422).
     */
    async submit(
      principal: Principal,
      idOrReference: string,
      id: string,
      input: SubmitInput,
    ): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        const submission = await findSubmission(dal, trx, incident.id, id);
        if (submission.status === 'submitted') throw new Conflict(`submission ${id} is already submitted`);
        const { obligations } = await stateOf(trx, incident.id, now);
        const obligation = requireObligation(obligations, submission.regime, submission.obligation);
        if (obligation.audience === 'regulator' && submission.status !== 'approved') {
          throw new Conflict(
            `a report to a regulator needs approval by the incident's ${approverRole} before it is submitted`,
          );
        }
        const { submittedAt, late } = checkTiming(submission, obligation, input, now);
        const actor = actorOf(principal);
        await dal.updateSubmission(
          trx,
          {
            ...submission,
            status: 'submitted',
            submittedAt,
            submittedBy: formatActor(actor),
            method: input.method,
            reference: input.reference ?? null,
            delayReasons: input.delayReasons?.trim() || null,
            late,
          },
          now,
        );
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'communication',
          action: 'breach.report_submitted',
          summary: `${obligation.name} (${obligation.regimeName}) submitted by ${input.method}${late ? ' late' : ''}${input.reference ? `, reference ${input.reference}` : ''}`,
          data: {
            submissionId: id,
            regime: submission.regime,
            obligation: submission.obligation,
            submittedAt: submittedAt.toISOString(),
            dueAt: obligation.dueAt?.toISOString() ?? null,
            late,
            delayReasons: input.delayReasons ?? null,
            reference: input.reference ?? null,
          },
        });
      });
      return view(incident, now);
    },

    /**
     * Customers were told (a breach-notification communication was sent):
     * each applicable customers obligation not yet met is met now. Runs in
     * the sending transaction.
     */
    async customersNotified(
      trx: Transaction<VigilDatabase>,
      incident: Incident,
      at: Date,
      communicationId: string,
    ) {
      const { obligations } = await stateOf(trx, incident.id, at);
      for (const o of obligations) {
        if (o.audience !== 'customers' || o.metAt || o.state === 'not_required' || o.state === 'not_started')
          continue;
        await dal.insertSubmission(trx, {
          id: randomUUID(),
          incidentId: incident.id,
          regime: o.regime,
          obligation: o.obligation,
          status: 'submitted',
          report: { notice: `customer communication ${communicationId}` },
          followsUp: null,
          createdAt: at,
          createdBy: 'system:communications',
          approvedAt: null,
          approvedBy: null,
          submittedAt: at,
          submittedBy: 'system:communications',
          method: 'email (Vigil communication)',
          reference: communicationId,
          delayReasons: null,
          late: o.dueAt !== null && at.getTime() > o.dueAt.getTime(),
        });
      }
    },
  };
}
