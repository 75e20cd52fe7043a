import { describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import { policyWithRegimes, validPolicy } from '../policy/fixtures/policy-regimes.ts';
import { DEFAULT_TEXT } from '../policy/fixtures/policy-variants.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import { duration } from '../policy/policy-duration.ts';
import type { LegalClock } from '../policy/policy-types.ts';
import { applicableRegimes, legalDueAt } from './breach-regimes.ts';
import type { BreachRecord } from './breach-types.ts';

const policy = validPolicy(DEFAULT_TEXT);
const calendar = createBusinessCalendar(calendarConfigFromPolicy(policy));

function record(status: BreachRecord['status']): BreachRecord {
  return {
    status,
    role: 'controller',
    awarenessAt: null,
    confirmedAt: null,
    nature: [],
    dataCategories: [],
    peopleCategories: [],
    approxPeople: null,
    approxRecords: null,
    likelyConsequences: '',
    measuresTaken: '',
    measuresProposed: '',
    contactPoint: '',
  };
}

describe('legalDueAt (Europe/London calendar)', () => {
  it.each<[string, string, string, LegalClock, string]>([
    ['weekend counts (T1)', '2025-12-19T16:00:00Z', '72 hours', 'wall', '2025-12-22T16:00:00.000Z'],
    ['Christmas counts (T2)', '2026-12-24T18:00:00Z', '72 hours', 'wall', '2026-12-27T18:00:00.000Z'],
    [
      'BST ends: 10:00 BST to 09:00 GMT (T3)',
      '2025-10-24T09:00:00Z',
      '72 hours',
      'wall',
      '2025-10-27T09:00:00.000Z',
    ],
    [
      'BST starts: 12:00 GMT to 13:00 BST (T4)',
      '2026-03-27T12:00:00Z',
      '72 hours',
      'wall',
      '2026-03-30T12:00:00.000Z',
    ],
    ['one month, same date', '2026-01-15T10:00:00Z', '1 month', 'calendar', '2026-02-15T10:00:00.000Z'],
    [
      'one month from 31 Jan ends 28 Feb',
      '2026-01-31T12:00:00Z',
      '1 month',
      'calendar',
      '2026-02-28T12:00:00.000Z',
    ],
    [
      'one month keeps local time over BST',
      '2026-03-15T12:00:00Z',
      '1 month',
      'calendar',
      '2026-04-15T11:00:00.000Z',
    ],
    // Thu 14:00 BST: 3 h Thu, 8 h Fri, weekend, bank holiday Mon 4 May, Tue, Wed, 5 h Thu.
    [
      'business days skip a weekend and a bank holiday',
      '2026-04-30T13:00:00Z',
      '4 days',
      'business',
      '2026-05-07T13:00:00.000Z',
    ],
  ])('%s', (_, from, within, clock, due) => {
    expect(legalDueAt(new Date(from), duration(within), clock, calendar).toISOString()).toBe(due);
  });
});

describe('applicableRegimes', () => {
  const withNis2 = validPolicy(policyWithRegimes('nis2'));

  it('applies a personal-data regime to a suspected or confirmed breach only', () => {
    const set = new Set(['personal_data_breach'] as const);
    expect(applicableRegimes(policy, set, record('suspected')).map((r) => r.id)).toEqual(['uk-gdpr']);
    expect(applicableRegimes(policy, set, record('confirmed')).map((r) => r.id)).toEqual(['uk-gdpr']);
    expect(applicableRegimes(policy, set, record('ruled_out'))).toEqual([]);
    expect(applicableRegimes(policy, set, null)).toEqual([]);
  });

  it('applies other regimes by trigger, and never a disabled one', () => {
    const significant = new Set(['significant_incident'] as const);
    expect(applicableRegimes(withNis2, significant, null).map((r) => r.id)).toEqual(['nis2']);
    expect(applicableRegimes(policy, significant, null)).toEqual([]);
    const disabled = { ...withNis2, breachNotification: { ...withNis2.breachNotification } };
    disabled.breachNotification.regimes = disabled.breachNotification.regimes.map((r) => ({
      ...r,
      enabled: false,
    }));
    expect(applicableRegimes(disabled, significant, null)).toEqual([]);
  });
});
