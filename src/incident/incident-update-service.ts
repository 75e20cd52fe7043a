import type { Principal } from '../identity/identity-types.ts';
import { ValidationFailed } from '../platform/errors.ts';
import { clockAfterCustomerUpdate } from '../sla/sla-clock-changes.ts';
import { recordClockMet } from './incident-clock-effects.ts';
import { actOnIncident, actorOf, type IncidentDeps, recordIncidentEvent } from './incident-context.ts';
import { phaseIndex } from './incident-lifecycle.ts';
import type { IncidentView } from './incident-types.ts';

/**
 * Customer updates and the cadence they satisfy. Until Vigil sends the
 * emails itself, a team records each update it sent; sending through Vigil
 * will record it the same way.
 */
export function createIncidentUpdateService(deps: IncidentDeps) {
  const { policy, slaDal } = deps;
  const phases = policy.policy.lifecycle.phases;
  const updatesUntil = phaseIndex(phases, policy.policy.slaRules.customerUpdatesUntil);

  return {
    /**
     * Records a customer update sent at `sentAt` (default now): the current
     * period of the cadence is met, and the next one starts from `sentAt`
     * with the policy's `every` interval until the incident reaches the
     * phase where updates end.
     */
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
        const clock = (await slaDal.listForIncident(trx, incident.id)).find(
          (c) => c.name === 'customerUpdate',
        );
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'communication',
          action: 'incident.customer_update_recorded',
          summary: `customer update sent: ${input.summary}`,
          data: { audience: 'customers', summary: input.summary, sentAt: sentAt.toISOString() },
        });
        if (!clock || clock.metAt || clock.stoppedAt) return;
        const active = phaseIndex(phases, incident.phase) < updatesUntil;
        const event = {
          policy: policy.policy,
          calendar: policy.calendar,
          severity: incident.severity,
          at: sentAt,
        };
        const { closedPeriod, next } = clockAfterCustomerUpdate(clock, event, active);
        await slaDal.save(trx, incident.id, next);
        await recordClockMet(deps, trx, { incidentId: incident.id, actor, at: now }, closedPeriod, {
          nextDueAt: next === closedPeriod ? null : next.dueAt.toISOString(),
        });
      });
    },
  };
}

export type IncidentUpdateService = ReturnType<typeof createIncidentUpdateService>;
