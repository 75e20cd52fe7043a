/**
 * Corrective and preventive actions, from an incident's review or from a
 * tabletop exercise. An action carries an owner and a target date (a local
 * date in the policy's time zone, never in the past when set), and a "won't
 * do" needs a reason and the owner's own sign-off. Done and won't-do are
 * final. These operations are part of the review service (review-service.ts).
 */
import { randomUUID } from 'node:crypto';
import { formatActor } from '../audit/audit-chain.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf, recordIncidentEvent } from '../incident/incident-context.ts';
import { Conflict, Forbidden, NotFound, ValidationFailed } from '../platform/errors.ts';
import { createIncidentRunner, type ReviewDeps } from './review-context.ts';
import type { ActionFilter } from './review-dal.ts';
import { checkDueDate, localDate } from './review-dates.ts';
import type { ActionStatus, CorrectiveAction } from './review-types.ts';

/** A new action as people write it; `dueDate` is a local `YYYY-MM-DD` date in the policy's time zone. */
export interface ActionInput {
  title: string;
  kind: CorrectiveAction['kind'];
  owner: string;
  dueDate: string;
  links?: CorrectiveAction['links'] | undefined;
}

/** A change to an action; what is left out stays as it is. */
export interface ActionChange {
  status?: ActionStatus | undefined;
  wontDoReason?: string | undefined;
  owner?: string | undefined;
  dueDate?: string | undefined;
}

/** An open action, created by `actor` at `now`, from an incident or an exercise. */
function newAction(
  input: ActionInput,
  origin: Pick<CorrectiveAction, 'incidentId' | 'exerciseId'>,
  actor: Actor,
  now: Date,
): CorrectiveAction {
  return {
    id: randomUUID(),
    incidentId: origin.incidentId,
    exerciseId: origin.exerciseId,
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
}

/**
 * `action` with `change` applied at `now` by `principal` (as `actor`): a new
 * target date is checked against the local date of `now` in `zone`, and a
 * won't-do needs a reason (422) given by the action's owner (403).
 */
function changedAction(
  action: CorrectiveAction,
  change: ActionChange,
  principal: Principal,
  actor: Actor,
  now: Date,
  zone: string,
): CorrectiveAction {
  const next: CorrectiveAction = { ...action, updatedAt: now };
  if (change.dueDate !== undefined) {
    checkDueDate(change.dueDate, now, zone, 'body.dueDate');
    next.dueDate = change.dueDate;
  }
  if (change.owner !== undefined) next.owner = change.owner.toLowerCase();
  if (change.status === 'wont_do') {
    if (!change.wontDoReason?.trim())
      throw new ValidationFailed([
        { field: 'body.wontDoReason', reason: "is required to close an action as won't do" },
      ]);
    if (principal.user.email.toLowerCase() !== action.owner) {
      throw new Forbidden(`only the action's owner (${action.owner}) can sign off that it will not be done`);
    }
    next.wontDoReason = change.wontDoReason.trim();
    next.signedOffBy = formatActor(actor);
  }
  if (change.status) next.status = change.status;
  if (change.status === 'done' || change.status === 'wont_do') next.doneAt = now;
  return next;
}

/** The action methods of the review service. */
export function createActionOperations(deps: ReviewDeps) {
  const { incident: incidentDeps, dal } = deps;
  const { db, clock, policy } = incidentDeps;
  const zone = policy.policy.time.timeZone;
  const onIncident = createIncidentRunner(incidentDeps);

  return {
    /** Adds a corrective or preventive action to an incident. */
    async addAction(
      principal: Principal,
      idOrReference: string,
      input: ActionInput,
    ): Promise<CorrectiveAction> {
      const { result } = await onIncident(idOrReference, async (trx, incident, now) => {
        checkDueDate(input.dueDate, now, zone, 'body.dueDate');
        const actor = actorOf(principal);
        const action = newAction(input, { incidentId: incident.id, exerciseId: null }, actor, now);
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
      input: ActionInput,
    ): Promise<CorrectiveAction> {
      const now = clock.now();
      checkDueDate(input.dueDate, now, zone, 'body.dueDate');
      const action = newAction(input, { incidentId: null, exerciseId }, actorOf(principal), now);
      await db.transaction().execute((trx) => dal.insertAction(trx, action));
      return action;
    },

    /**
     * Moves an action on: status (won't-do needs a reason, given by its owner
     * as the sign-off), owner or target date. Done and won't-do are final.
     */
    async updateAction(principal: Principal, id: string, input: ActionChange): Promise<CorrectiveAction> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const action = await dal.findAction(trx, id);
        if (!action) throw new NotFound('action', id);
        if (action.status === 'done' || action.status === 'wont_do')
          throw new Conflict(`action ${id} is already ${action.status}`);
        const actor = actorOf(principal);
        const next = changedAction(action, input, principal, actor, now, zone);
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
