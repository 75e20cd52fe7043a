/**
 * The state machine of an evidence request, as an explicit transition table.
 * Pure. `answered` and `declined` are final: a new ask is a new request.
 */
import { InvalidTransition } from '../platform/errors.ts';
import type { RequestStatus } from './evidence-request-types.ts';

export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  received: ['in_progress', 'answered', 'declined'],
  in_progress: ['answered', 'declined'],
  answered: [],
  declined: [],
};

/** Throws InvalidTransition (409) unless `from` may move to `to`; staying put is not a move. */
export function assertRequestTransition(from: RequestStatus, to: RequestStatus): void {
  const allowed = REQUEST_TRANSITIONS[from];
  if (!allowed.includes(to)) {
    throw new InvalidTransition(`an evidence request cannot move from ${from} to ${to}`, allowed);
  }
}

/** True while the request still waits for an answer (it can be overdue). */
export function isOpenRequest(status: RequestStatus): boolean {
  return status === 'received' || status === 'in_progress';
}
