/**
 * Personal data breaches on incidents: the record (every change a new
 * version, on the timeline), the risk assessment (the latest decides, the
 * history stays), the legal obligations that follow from the policy's
 * regimes, and the reports and notices that meet them: drafted from the
 * record, approved by the policy's regulator-contact approver, submitted
 * with when, how and the authority's reference, late only with reasons.
 *
 * The use cases live in `breach-record-service.ts` (record and assessment)
 * and `breach-submission-service.ts` (reports and notices); what they share
 * is in `breach-state.ts`.
 */
import type { IncidentDeps } from '../incident/incident-context.ts';
import type { BreachDal } from './breach-dal.ts';
import { createBreachRecordService } from './breach-record-service.ts';
import { createBreachState } from './breach-state.ts';
import { createBreachSubmissionService } from './breach-submission-service.ts';

export type { BreachRecordInput } from './breach-record-service.ts';
export type { BreachClockView, BreachView } from './breach-state.ts';

export function createBreachService(deps: { incident: IncidentDeps; dal: BreachDal }) {
  const state = createBreachState(deps);
  const records = createBreachRecordService(deps, state);
  const submissions = createBreachSubmissionService(deps, state);
  return { ...records, ...submissions };
}

export type BreachService = ReturnType<typeof createBreachService>;
