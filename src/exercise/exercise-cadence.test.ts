import { describe, expect, it } from 'vitest';
import { duration } from '../policy/policy-duration.ts';
import { exerciseCadence } from './exercise-cadence.ts';

const base = {
  every: duration('12 months'),
  warnBefore: duration('30 days'),
  timeZone: 'Europe/London',
  since: new Date('2026-01-15T10:00:00Z'),
};

describe('exerciseCadence', () => {
  it('moves from on track to warning to overdue around the last exercise’s anniversary', () => {
    const at = (now: string) =>
      exerciseCadence({ ...base, lastCompletedOn: '2026-06-10', now: new Date(now) });
    // Due 10 June 2027, 00:00 BST; warned from 11 May 2027.
    expect(at('2027-05-10T12:00:00Z')).toMatchObject({
      state: 'on_track',
      nextDueAt: new Date('2027-06-09T23:00:00Z'),
    });
    expect(at('2027-05-11T12:00:00Z').state).toBe('warning');
    expect(at('2027-05-11T12:00:00Z').warnFrom).toEqual(new Date('2027-05-10T23:00:00Z'));
    expect(at('2027-06-09T22:59:59Z').state).toBe('warning');
    expect(at('2027-06-09T23:00:00Z').state).toBe('overdue');
  });

  it('counts from when Vigil first ran the policy until the first exercise', () => {
    const cadence = exerciseCadence({
      ...base,
      lastCompletedOn: null,
      now: new Date('2026-03-01T00:00:00Z'),
    });
    expect(cadence).toMatchObject({
      state: 'on_track',
      lastCompletedOn: null,
      nextDueAt: new Date('2027-01-15T10:00:00Z'),
    });
  });
});
