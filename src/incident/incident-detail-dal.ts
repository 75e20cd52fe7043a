import type { Kysely, Transaction } from 'kysely';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { ComponentImpact, ImpactLevel, IncidentRole, Person } from './incident-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

export interface RoleAssignment {
  incidentId: string;
  role: IncidentRole;
  person: Person;
}

/** Queries of an incident's people, checklist and affected components. */
export function createIncidentDetailDal() {
  return {
    async addRole(
      trx: Transaction<VigilDatabase>,
      row: { incidentId: string; role: IncidentRole; userId: string; at: Date; by: string },
    ): Promise<void> {
      await trx
        .insertInto('incident_roles')
        .values({
          incident_id: row.incidentId,
          role: row.role,
          user_id: row.userId,
          assigned_at: toDbInstant(row.at),
          assigned_by: row.by,
        })
        .onConflict((oc) => oc.columns(['incident_id', 'role', 'user_id']).doNothing())
        .execute();
    },

    /** Removes one person from a role, or everyone in it when `userId` is omitted; returns how many. */
    async removeRole(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      role: IncidentRole,
      userId?: string,
    ): Promise<number> {
      let q = trx.deleteFrom('incident_roles').where('incident_id', '=', incidentId).where('role', '=', role);
      if (userId) q = q.where('user_id', '=', userId);
      const result = await q.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async listRoles(db: Executor, incidentIds: readonly string[]): Promise<RoleAssignment[]> {
      if (incidentIds.length === 0) return [];
      const rows = await db
        .selectFrom('incident_roles as r')
        .innerJoin('users as u', 'u.id', 'r.user_id')
        .select(['r.incident_id', 'r.role', 'r.assigned_at', 'u.id', 'u.email', 'u.display_name'])
        .where('r.incident_id', 'in', incidentIds)
        .orderBy('r.assigned_at')
        .execute();
      return rows.map((r) => ({
        incidentId: r.incident_id,
        role: r.role as IncidentRole,
        person: { userId: r.id, email: r.email, name: r.display_name },
      }));
    },

    async setChecklistItem(
      trx: Transaction<VigilDatabase>,
      row: { incidentId: string; phase: string; item: string; done: boolean; at: Date; by: string },
    ): Promise<void> {
      const values = { done: row.done ? 1 : 0, updated_at: toDbInstant(row.at), updated_by: row.by };
      await trx
        .insertInto('checklist_items')
        .values({ incident_id: row.incidentId, phase: row.phase, item: row.item, ...values })
        .onConflict((oc) => oc.columns(['incident_id', 'phase', 'item']).doUpdateSet(values))
        .execute();
    },

    /** Keys `phase/item` of the items ticked done. */
    async doneChecklistItems(db: Executor, incidentId: string): Promise<Set<string>> {
      const rows = await db
        .selectFrom('checklist_items')
        .select(['phase', 'item'])
        .where('incident_id', '=', incidentId)
        .where('done', '=', 1)
        .execute();
      return new Set(rows.map((r) => `${r.phase}/${r.item}`));
    },

    async replaceComponents(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      components: readonly ComponentImpact[],
    ): Promise<void> {
      await trx.deleteFrom('incident_components').where('incident_id', '=', incidentId).execute();
      if (components.length === 0) return;
      await trx
        .insertInto('incident_components')
        .values(components.map((c) => ({ incident_id: incidentId, ...c })))
        .execute();
    },

    async listComponents(db: Executor, incidentId: string): Promise<ComponentImpact[]> {
      const rows = await db
        .selectFrom('incident_components')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('component')
        .execute();
      return rows.map((r) => ({
        component: r.component,
        confidentiality: r.confidentiality as ImpactLevel,
        integrity: r.integrity as ImpactLevel,
        availability: r.availability as ImpactLevel,
      }));
    },
  };
}

export type IncidentDetailDal = ReturnType<typeof createIncidentDetailDal>;
