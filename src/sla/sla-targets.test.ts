/**
 * Due instants of the response clocks under the real built-in policy and the
 * real London business calendar. Instants are written in UTC; the comments
 * give London local time (BST = UTC+1 from 29 March 2026).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import { duration } from '../policy/policy-duration.ts';
import { loadDefaultPolicy } from '../policy/policy-loader.ts';
import type { Policy } from '../policy/policy-types.ts';
import { computeSlaTargets, dueAfter, selectClockSpec, severitySla } from './sla-targets.ts';

let policy: Policy;
let calendar: BusinessCalendar;

beforeAll(async () => {
  const result = await loadDefaultPolicy();
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  policy = result.policy.policy;
  calendar = createBusinessCalendar(calendarConfigFromPolicy(policy));
});

const at = (iso: string) => new Date(iso);

/** The targets as UTC ISO strings (or null), for compact expectations. */
function due(severity: string, openedAt: string) {
  const result = computeSlaTargets(policy, calendar, severity, at(openedAt));
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    outOfHours: result.outOfHours,
    acknowledge: iso(result.targets.acknowledge),
    triage: iso(result.targets.triage),
    containment: iso(result.targets.containment),
    customerUpdate: iso(result.targets.customerUpdate),
  };
}

describe('computeSlaTargets', () => {
  it('critical in hours (Tue 7 Apr 10:00 BST): 10:15, 10:30, 14:00, first update 14:00', () => {
    expect(due('critical', '2026-04-07T09:00:00Z')).toEqual({
      outOfHours: false,
      acknowledge: '2026-04-07T09:15:00.000Z',
      triage: '2026-04-07T09:30:00.000Z',
      containment: '2026-04-07T13:00:00.000Z',
      customerUpdate: '2026-04-07T13:00:00.000Z',
    });
  });

  it('critical out of hours (Sat 11 Apr 22:00 BST): 60 and 90 minutes, wall clocks run through the night', () => {
    expect(due('critical', '2026-04-11T21:00:00Z')).toEqual({
      outOfHours: true,
      acknowledge: '2026-04-11T22:00:00.000Z',
      triage: '2026-04-11T22:30:00.000Z',
      containment: '2026-04-12T01:00:00.000Z',
      customerUpdate: '2026-04-12T01:00:00.000Z',
    });
  });

  it('critical at the edges of business hours: 09:00 is in, 17:00 is out', () => {
    expect(due('critical', '2026-04-07T08:00:00Z').acknowledge).toBe('2026-04-07T08:15:00.000Z');
    expect(due('critical', '2026-04-07T16:00:00Z')).toMatchObject({
      outOfHours: true,
      acknowledge: '2026-04-07T17:00:00.000Z',
    });
    expect(due('critical', '2026-04-07T15:59:00Z')).toMatchObject({
      outOfHours: false,
      acknowledge: '2026-04-07T16:14:00.000Z',
    });
  });

  it('high opened Fri 10 Apr 16:30 BST: 30 min on Friday then Monday morning', () => {
    expect(due('high', '2026-04-10T15:30:00Z')).toEqual({
      outOfHours: false,
      acknowledge: '2026-04-13T08:30:00.000Z', // Mon 09:30 BST
      triage: '2026-04-13T09:30:00.000Z', // Mon 10:30
      containment: '2026-04-13T15:30:00.000Z', // Mon 16:30: one business day
      customerUpdate: '2026-04-13T15:30:00.000Z',
    });
  });

  it('high out of hours (Wed 8 Apr 20:00 BST) starts counting at the next opening', () => {
    expect(due('high', '2026-04-08T19:00:00Z')).toEqual({
      outOfHours: true,
      acknowledge: '2026-04-09T09:00:00.000Z', // Thu 10:00
      triage: '2026-04-09T10:00:00.000Z', // Thu 11:00
      containment: '2026-04-09T16:00:00.000Z', // Thu 17:00, not Fri 09:00
      customerUpdate: '2026-04-09T16:00:00.000Z',
    });
  });

  it('high opened on a bank holiday (Easter Monday 6 Apr 11:00 BST) starts on Tuesday at 09:00', () => {
    expect(due('high', '2026-04-06T10:00:00Z')).toEqual({
      outOfHours: true,
      acknowledge: '2026-04-07T09:00:00.000Z', // Tue 10:00
      triage: '2026-04-07T10:00:00.000Z',
      containment: '2026-04-07T16:00:00.000Z',
      customerUpdate: '2026-04-07T16:00:00.000Z',
    });
  });

  it('high before Easter (Thu 2 Apr 16:00 BST) skips Good Friday, the weekend and Easter Monday', () => {
    expect(due('high', '2026-04-02T15:00:00Z')).toMatchObject({
      acknowledge: '2026-04-02T16:00:00.000Z', // Thu 17:00: the hour is used up at closing
      triage: '2026-04-07T09:00:00.000Z', // Tue 10:00
    });
  });

  it('high in winter (GMT) reads business hours in local time', () => {
    // Mon 5 Jan 2026 16:30 GMT.
    expect(due('high', '2026-01-05T16:30:00Z').acknowledge).toBe('2026-01-06T09:30:00.000Z');
  });

  it('medium (Wed 8 Apr 11:00 BST): 4 business hours, 1 and 3 business days', () => {
    expect(due('medium', '2026-04-08T10:00:00Z')).toEqual({
      outOfHours: false,
      acknowledge: '2026-04-08T14:00:00.000Z', // Wed 15:00
      triage: '2026-04-09T10:00:00.000Z', // Thu 11:00
      containment: '2026-04-13T10:00:00.000Z', // Mon 11:00
      customerUpdate: '2026-04-13T10:00:00.000Z',
    });
  });

  it('low (Tue 7 Apr 10:00 BST): 1, 2 and 10 business days, no customer update', () => {
    expect(due('low', '2026-04-07T09:00:00Z')).toEqual({
      outOfHours: false,
      acknowledge: '2026-04-08T09:00:00.000Z',
      triage: '2026-04-09T09:00:00.000Z',
      containment: '2026-04-21T09:00:00.000Z', // two working weeks later
      customerUpdate: null,
    });
  });

  it('low containment across the May bank holiday takes one day longer', () => {
    // Tue 28 Apr 10:00 BST + 10 business days, skipping Mon 4 May.
    expect(due('low', '2026-04-28T09:00:00Z').containment).toBe('2026-05-13T09:00:00.000Z');
  });

  it('wall clocks ignore the DST change (Sun 29 Mar 00:30 GMT + 4 h = 05:30 BST)', () => {
    expect(due('critical', '2026-03-29T00:30:00Z').containment).toBe('2026-03-29T04:30:00.000Z');
  });

  it('returns the severity and opening instant it was asked about', () => {
    const result = computeSlaTargets(policy, calendar, 'medium', at('2026-04-08T10:00:00Z'));
    expect(result.severity).toBe('medium');
    expect(result.openedAt).toEqual(at('2026-04-08T10:00:00Z'));
  });

  it('throws a RangeError naming the known severities for an unknown one', () => {
    expect(() => computeSlaTargets(policy, calendar, 'urgent', at('2026-04-07T09:00:00Z'))).toThrow(
      new RangeError('unknown severity "urgent"; the policy defines: critical, high, medium, low'),
    );
    // Inherited object keys are not severities.
    expect(() => severitySla(policy, 'toString')).toThrow(RangeError);
  });
});

describe('dueAfter', () => {
  it('adds wall time', () => {
    expect(
      dueAfter({ within: duration('72 hours'), clock: 'wall' }, at('2026-04-03T12:00:00Z'), calendar),
    ).toEqual(at('2026-04-06T12:00:00Z'));
  });

  it('adds business time, reusable for the update cadence', () => {
    // An update sent Thu 9 Apr 15:00 BST on a high incident: next one 1 business day later, Fri 15:00.
    const every = { within: duration('1 day'), clock: 'business' as const };
    expect(dueAfter(every, at('2026-04-09T14:00:00Z'), calendar)).toEqual(at('2026-04-10T14:00:00Z'));
  });
});

describe('selectClockSpec', () => {
  it('uses the out-of-hours variant only when out of hours and when there is one', () => {
    const critical = severitySla(policy, 'critical');
    expect(selectClockSpec(critical.acknowledge, true).within.text).toBe('60 minutes');
    expect(selectClockSpec(critical.acknowledge, false).within.text).toBe('15 minutes');
    expect(selectClockSpec(critical.containment, true).within.text).toBe('4 hours');
  });
});
