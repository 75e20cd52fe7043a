import { type IncidentDeps, type IncidentWork, workOnIncident } from '../incident/incident-context.ts';

export type { IncidentWork } from '../incident/incident-context.ts';

import type { Incident } from '../incident/incident-types.ts';
import type { ReviewDal } from './review-dal.ts';

/** The dependencies of the review service and its action operations. */
export interface ReviewDeps {
  incident: IncidentDeps;
  dal: ReviewDal;
}

/** Runs use cases on one incident: {@link workOnIncident}, answering the incident as found and the result. */
export function createIncidentRunner(incidentDeps: IncidentDeps) {
  return async <T>(
    idOrReference: string,
    work: IncidentWork<T>,
  ): Promise<{ incident: Incident; result: T }> => {
    const { incident, result } = await workOnIncident(incidentDeps, idOrReference, work);
    return { incident, result };
  };
}
