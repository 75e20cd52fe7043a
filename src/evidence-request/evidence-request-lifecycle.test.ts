import { describe, expect, it } from 'vitest';
import { InvalidTransition } from '../platform/errors.ts';
import { assertRequestTransition, isOpenRequest } from './evidence-request-lifecycle.ts';
import { REQUEST_STATUSES, type RequestStatus } from './evidence-request-types.ts';

const LEGAL: [RequestStatus, RequestStatus][] = [
  ['received', 'in_progress'],
  ['received', 'answered'],
  ['received', 'declined'],
  ['in_progress', 'answered'],
  ['in_progress', 'declined'],
];

describe('evidence request transitions', () => {
  for (const from of REQUEST_STATUSES) {
    for (const to of REQUEST_STATUSES) {
      const legal = LEGAL.some(([a, b]) => a === from && b === to);
      it(`${from} -> ${to} is ${legal ? 'allowed' : 'refused'}`, () => {
        if (legal) expect(() => assertRequestTransition(from, to)).not.toThrow();
        else expect(() => assertRequestTransition(from, to)).toThrow(InvalidTransition);
      });
    }
  }

  it('treats only received and in_progress as open', () => {
    expect(REQUEST_STATUSES.filter(isOpenRequest)).toEqual(['received', 'in_progress']);
  });
});
