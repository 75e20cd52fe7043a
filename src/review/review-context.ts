/**
 * What the review and action use cases share: their dependencies and the way
 * they change an incident, in one transaction that also marks it updated.
 */
import type { Transaction } from 'kysely';
import { findIncident, type IncidentDeps } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { ReviewDal } from './review-dal.ts';

/** The dependencies of the review service and its action operations. */
export interface ReviewDeps {
  incident: IncidentDeps;
  dal: ReviewDal;
}

/** Work on one incident inside the use case's transaction; `now` is the use case's instant. */
export type IncidentWork<T> = (trx: Transaction<VigilDatabase>, incident: Incident, now: Date) => Promise<T>;

/**
 * A runner for use cases on one incident. It reads the clock once, finds the
 * incident by id or reference (404 if none), then runs the work in one
 * transaction on the incident as read inside it, and sets the incident's
 * `updated_at` to the same instant. Returns the incident as first found and
 * what the work returned.
 */
export function createIncidentRunner(incidentDeps: IncidentDeps) {
  const { db, clock, dal } = incidentDeps;
  return async function onIncident<T>(
    idOrReference: string,
    work: IncidentWork<T>,
  ): Promise<{ incident: Incident; result: T }> {
    const now = clock.now();
    const found = await findIncident(dal, db, idOrReference);
    const result = await db.transaction().execute(async (trx) => {
      const record = (await dal.findById(trx, found.incident.id))!;
      const value = await work(trx, record.incident, now);
      await dal.update(trx, record.incident.id, { updated_at: toDbInstant(now) });
      return value;
    });
    return { incident: found.incident, result };
  };
}
