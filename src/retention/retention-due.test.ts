import { describe, expect, it } from 'vitest';
import { duration } from '../policy/policy-duration.ts';
import {
  closedOnOrBeforeBound,
  evidenceDueAt,
  isEvidenceDue,
  policyDay,
  retentionCutoff,
} from './retention-due.ts';

const LONDON = 'Europe/London';
const at = (iso: string) => new Date(iso);

describe('evidenceDueAt', () => {
  it.each([
    // 24 months on the London calendar, whatever the clock time was.
    ['2026-01-15T10:00:00Z', '24 months', '2028-01-15T10:00:00.000Z'],
    // Month ends clamp: no 31 February, so the last day of February.
    ['2026-01-31T12:00:00Z', '1 month', '2026-02-28T12:00:00.000Z'],
    ['2027-01-31T12:00:00Z', '1 month', '2027-02-28T12:00:00.000Z'],
    ['2027-01-31T12:00:00Z', '13 months', '2028-02-29T12:00:00.000Z'],
    // 29 February two years on does not exist: 28 February.
    ['2028-02-29T09:00:00Z', '24 months', '2030-02-28T09:00:00.000Z'],
    // Closed in winter (GMT), due in summer (BST): same local time, an hour earlier in UTC.
    ['2026-01-10T09:00:00Z', '6 months', '2026-07-10T08:00:00.000Z'],
    // Closed in summer (BST), due in winter (GMT).
    ['2026-07-10T08:00:00Z', '6 months', '2027-01-10T09:00:00.000Z'],
    // A local 23:30 on the last day of a month stays on that day locally.
    ['2026-05-31T22:30:00Z', '1 month', '2026-06-30T22:30:00.000Z'],
  ])('closed %s, keep %s: due %s', (closed, keep, due) => {
    expect(evidenceDueAt(at(closed), duration(keep), LONDON).toISOString()).toBe(due);
  });

  it('is due at the instant, not a moment before', () => {
    const closed = at('2026-03-01T00:00:00Z');
    const keep = duration('24 months');
    expect(isEvidenceDue(closed, keep, LONDON, at('2028-02-29T23:59:59.999Z'))).toBe(false);
    expect(isEvidenceDue(closed, keep, LONDON, at('2028-03-01T00:00:00Z'))).toBe(true);
  });

  it('keeps days as local days across the spring DST change', () => {
    // 29 March 2026: London moves from GMT to BST.
    expect(evidenceDueAt(at('2026-03-28T12:00:00Z'), duration('1 day'), LONDON).toISOString()).toBe(
      '2026-03-29T11:00:00.000Z',
    );
  });
});

describe('retentionCutoff', () => {
  it('takes 30 local days off now, an hour more in UTC across the autumn change', () => {
    // 25 October 2026: London moves from BST back to GMT.
    expect(retentionCutoff(at('2026-11-05T12:00:00Z'), duration('30 days'), LONDON).toISOString()).toBe(
      '2026-10-06T11:00:00.000Z',
    );
    expect(retentionCutoff(at('2026-04-07T09:30:00Z'), duration('30 days'), 'UTC').toISOString()).toBe(
      '2026-03-08T09:30:00.000Z',
    );
  });
});

describe('closedOnOrBeforeBound', () => {
  it('never misses an incident whose evidence is due, even one clamped at a month end', () => {
    const keep = duration('1 month');
    const closings = ['2026-01-28', '2026-01-29', '2026-01-30', '2026-01-31', '2026-03-31', '2026-05-31'];
    const nows = [
      '2026-02-28T23:00:00Z',
      '2026-03-01T00:00:00Z',
      '2026-04-30T23:00:00Z',
      '2026-06-30T22:00:00Z',
    ];
    for (const day of closings)
      for (const n of nows) {
        const closed = at(`${day}T22:30:00Z`);
        const now = at(n);
        if (isEvidenceDue(closed, keep, LONDON, now))
          expect(closed.getTime(), `${day} at ${n}`).toBeLessThanOrEqual(
            closedOnOrBeforeBound(now, keep, LONDON).getTime(),
          );
      }
  });
});

describe('policyDay', () => {
  it('is the local date: 23:30 UTC in summer is already tomorrow in London', () => {
    expect(policyDay(at('2026-07-01T23:30:00Z'), LONDON)).toBe('2026-07-02');
    expect(policyDay(at('2026-12-01T23:30:00Z'), LONDON)).toBe('2026-12-01');
  });
});
