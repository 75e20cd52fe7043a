import type { Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.ts';
import { actOnIncident, actorOf, type IncidentDeps, recordIncidentEvent } from './incident-context.ts';
import type { AffectedCustomer, IncidentView } from './incident-types.ts';

/** Which customers, and why; ids appear once each (the route removes repeats). */
export interface AffectedCustomersInput {
  customerIds: readonly string[];
  reason: string;
}

/** Linking the customers an incident affects, and unlinking them, each with a reason on the timeline. */
export function createIncidentCustomerService(deps: IncidentDeps) {
  const { customers, customerLinks } = deps;

  /** The named customers in the order given; an unknown id fails naming its position. */
  async function known(trx: Transaction<VigilDatabase>, ids: readonly string[]): Promise<AffectedCustomer[]> {
    const found = new Map((await customers.findByIds(trx, ids)).map((c) => [c.id, c]));
    const issues = ids.flatMap((id, index) =>
      found.has(id) ? [] : [{ field: `body.customerIds.${index}`, reason: `no customer has the id ${id}` }],
    );
    if (issues.length > 0) throw new ValidationFailed(issues);
    return ids.map((id) => found.get(id)!);
  }

  const names = (list: readonly AffectedCustomer[]) => list.map((c) => c.name).join(', ');

  return {
    /** Links customers as affected; any already linked is a Conflict naming them, and nothing changes. */
    link(principal: Principal, idOrReference: string, input: AffectedCustomersInput): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        const linking = await known(trx, input.customerIds);
        const already = await customerLinks.linkedIds(trx, incident.id, input.customerIds);
        if (already.length > 0)
          throw new Conflict(`already linked to ${incident.reference}: ${already.join(', ')}`);
        const actor = actorOf(principal);
        await customerLinks.link(trx, {
          incidentId: incident.id,
          customerIds: input.customerIds,
          at: now,
          by: formatActor(actor),
          reason: input.reason,
        });
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'customers_linked',
          action: 'incident.customers_linked',
          summary: `affects ${names(linking)}: ${input.reason}`,
          data: { customerIds: [...input.customerIds], customers: names(linking), reason: input.reason },
        });
      });
    },

    /** Unlinks customers; any not linked is NotFound, and nothing changes. */
    unlink(
      principal: Principal,
      idOrReference: string,
      input: AffectedCustomersInput,
    ): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        const unlinking = await known(trx, input.customerIds);
        const linked = new Set(await customerLinks.linkedIds(trx, incident.id, input.customerIds));
        const missing = input.customerIds.filter((id) => !linked.has(id));
        if (missing.length > 0)
          throw new NotFound(`affected customer on ${incident.reference}`, missing.join(', '));
        await customerLinks.unlink(trx, incident.id, input.customerIds);
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor: actorOf(principal),
          at: now,
          kind: 'customers_unlinked',
          action: 'incident.customers_unlinked',
          summary: `no longer affects ${names(unlinking)}: ${input.reason}`,
          data: { customerIds: [...input.customerIds], customers: names(unlinking), reason: input.reason },
        });
      });
    },
  };
}

export type IncidentCustomerService = ReturnType<typeof createIncidentCustomerService>;
