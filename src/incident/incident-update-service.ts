import type { Transaction } from 'kysely';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { ValidationFailed } from '../platform/errors.ts';
import { clockAfterCustomerUpdate } from '../sla/sla-clock-changes.ts';
import { recordClockMet } from './incident-clock-effects.ts';
import { actOnIncident, actorOf, type IncidentDeps, recordIncidentEvent } from './incident-context.ts';
import { phaseIndex } from './incident-lifecycle.ts';
import type { Incident, IncidentView } from './incident-types.ts';

/**
 * A customer update went out at `sentAt`: the current period of the cadence
 * is met, and the next one starts from `sentAt` with the policy's `every`
 * interval until the incident reaches the phase where updates end. Runs in
 * the caller's transaction; sending a communication through Vigil and
 * recording one sent elsewhere both come here.
 */
export async function meetCustomerUpdate(
  deps: Pick<IncidentDeps, 'policy' | 'slaDal' | 'timeline' | 'audit'>,
  trx: Transaction<VigilDatabase>,
  incident: Incident,
  event: { sentAt: Date; now: Date; actor: Actor },
): Promise<void> {
  const { policy, slaDal } = deps;
  const phases = policy.policy.lifecycle.phases;
  const clock = (await slaDal.listForIncident(trx, incident.id)).find((c) => c.name === 'customerUpdate');
  if (!clock || clock.metAt || clock.stoppedAt) return;
  const active =
    phaseIndex(phases, incident.phase) < phaseIndex(phases, policy.policy.slaRules.customerUpdatesUntil);
  const { closedPeriod, next } = clockAfterCustomerUpdate(
    clock,
    { policy: policy.policy, calendar: policy.calendar, severity: incident.severity, at: event.sentAt },
    active,
  );
  await slaDal.save(trx, incident.id, next);
  await recordClockMet(
    deps,
    trx,
    { incidentId: incident.id, actor: event.actor, at: event.now },
    closedPeriod,
    { nextDueAt: next === closedPeriod ? null : next.dueAt.toISOString() },
  );
}

/** Customer updates sent outside Vigil, recorded so that the cadence counts them. */
export function createIncidentUpdateService(deps: IncidentDeps) {
  return {
    /** Records a customer update sent at `sentAt` (default now) by other means than Vigil. */
    recordCustomerUpdate(
      principal: Principal,
      idOrReference: string,
      input: { summary: string; sentAt?: Date | undefined },
    ): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        const sentAt = input.sentAt ?? now;
        if (sentAt.getTime() > now.getTime() || sentAt.getTime() < incident.openedAt.getTime()) {
          throw new ValidationFailed([
            { field: 'body.sentAt', reason: 'must lie between the incident opening and now' },
          ]);
        }
        const actor = actorOf(principal);
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'communication',
          action: 'incident.customer_update_recorded',
          summary: `customer update sent: ${input.summary}`,
          data: { audience: 'customers', summary: input.summary, sentAt: sentAt.toISOString() },
        });
        await meetCustomerUpdate(deps, trx, incident, { sentAt, now, actor });
      });
    },
  };
}

export type IncidentUpdateService = ReturnType<typeof createIncidentUpdateService>;
