import type { Kysely, Transaction } from 'kysely';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { AffectedCustomer } from './incident-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** Queries of the customers an incident affects (the `incident_customers` links). */
export function createIncidentCustomerDal() {
  return {
    /** Those of `customerIds` already linked to the incident. */
    async linkedIds(db: Executor, incidentId: string, customerIds: readonly string[]): Promise<string[]> {
      if (customerIds.length === 0) return [];
      const rows = await db
        .selectFrom('incident_customers')
        .select('customer_id')
        .where('incident_id', '=', incidentId)
        .where('customer_id', 'in', customerIds)
        .execute();
      return rows.map((r) => r.customer_id);
    },

    async link(
      trx: Transaction<VigilDatabase>,
      link: { incidentId: string; customerIds: readonly string[]; at: Date; by: string; reason: string },
    ): Promise<void> {
      if (link.customerIds.length === 0) return;
      await trx
        .insertInto('incident_customers')
        .values(
          link.customerIds.map((customerId) => ({
            incident_id: link.incidentId,
            customer_id: customerId,
            linked_at: toDbInstant(link.at),
            linked_by: link.by,
            reason: link.reason,
          })),
        )
        .execute();
    },

    /** Removes the links; answers how many there were. */
    async unlink(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      customerIds: readonly string[],
    ): Promise<number> {
      if (customerIds.length === 0) return 0;
      const result = await trx
        .deleteFrom('incident_customers')
        .where('incident_id', '=', incidentId)
        .where('customer_id', 'in', customerIds)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /**
     * The customers the incident affects, by name, in one query. It joins
     * the customer domain's table read-only for the names, because the
     * incident view would otherwise need a second round trip per view.
     */
    async listAffected(db: Executor, incidentId: string): Promise<AffectedCustomer[]> {
      return db
        .selectFrom('incident_customers as ic')
        .innerJoin('customers as c', 'c.id', 'ic.customer_id')
        .select(['c.id as id', 'c.name as name'])
        .where('ic.incident_id', '=', incidentId)
        .orderBy('c.name_key')
        .execute();
    },
  };
}

export type IncidentCustomerDal = ReturnType<typeof createIncidentCustomerDal>;
