import { describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import { policyWithRegimes, validPolicy } from '../policy/fixtures/policy-regimes.ts';
import { DEFAULT_TEXT } from '../policy/fixtures/policy-variants.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import type { Policy, RegimeTrigger } from '../policy/policy-types.ts';
import { type BreachObligationsInput, breachObligations, type Obligation } from './breach-obligations.ts';
import type { BreachAssessment, BreachRecord, Submission } from './breach-types.ts';

const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const DEFAULT_POLICY = validPolicy(DEFAULT_TEXT);

function record(overrides: Partial<BreachRecord> = {}): BreachRecord {
  return {
    status: 'confirmed',
    role: 'controller',
    awarenessAt: null,
    confirmedAt: null,
    nature: ['confidentiality'],
    dataCategories: ['contact details'],
    peopleCategories: ['customers'],
    approxPeople: 120,
    approxRecords: 300,
    likelyConsequences: 'phishing',
    measuresTaken: 'revoked access',
    measuresProposed: 'training',
    contactPoint: 'dpo@example.com',
    ...overrides,
  };
}

function assessment(overrides: Partial<BreachAssessment> = {}): BreachAssessment {
  return {
    riskToRights: true,
    highRisk: true,
    rationale: 'names and emails of 120 customers sent to the wrong recipient',
    consulted: ['legal'],
    exception: null,
    decidedAt: at('2026-04-11T10:00:00Z'),
    decidedBy: 'cpo@example.com',
    ...overrides,
  };
}

function obligations(
  input: Partial<Omit<BreachObligationsInput, 'appliesTo'>> & {
    appliesTo?: RegimeTrigger[];
    policy?: Policy;
  },
): Record<string, Obligation> {
  const policy = input.policy ?? DEFAULT_POLICY;
  const list = breachObligations({
    policy,
    calendar: createBusinessCalendar(calendarConfigFromPolicy(policy)),
    appliesTo: new Set(input.appliesTo ?? ['personal_data_breach']),
    record: input.record === undefined ? record() : input.record,
    assessment: input.assessment ?? null,
    determinedAt: input.determinedAt ?? null,
    submissions: input.submissions ?? [],
    now: input.now ?? at('2026-04-10T18:00:00Z'),
  });
  return Object.fromEntries(list.map((o) => [`${o.regime}/${o.obligation}`, o]));
}

function submission(regime: string, obligation: string, iso: string): Submission {
  return { regime, obligation, submittedAt: at(iso), late: false };
}

// Friday 10 April 2026, 18:30 BST.
const FRIDAY_EVENING = '2026-04-10T17:30:00Z';
const MONDAY_EVENING = '2026-04-13T17:30:00.000Z';
const confirmedFriday = record({ awarenessAt: at(FRIDAY_EVENING), confirmedAt: at(FRIDAY_EVENING) });

describe('UK GDPR obligations (default policy)', () => {
  it('a breach confirmed on Friday evening is due at the regulator on Monday at the same time', () => {
    const o = obligations({ record: confirmedFriday });
    expect(Object.keys(o)).toEqual(['uk-gdpr/regulator', 'uk-gdpr/customers', 'uk-gdpr/people']);
    const regulator = o['uk-gdpr/regulator']!;
    expect(regulator).toMatchObject({
      regimeName: 'UK GDPR',
      authority: "Information Commissioner's Office (ICO)",
      audience: 'regulator',
      startsFrom: 'awareness',
      state: 'pending',
      metAt: null,
      late: false,
      reason: null,
      followsUp: null,
    });
    expect(regulator.dueAt?.toISOString()).toBe(MONDAY_EVENING);
    expect(o['uk-gdpr/customers']?.dueAt?.toISOString()).toBe(MONDAY_EVENING);
    expect(regulator.content).toContain('contact_point');
  });

  it('counts 72 elapsed hours across the start of BST', () => {
    const friday = at('2026-03-27T12:00:00Z'); // 12:00 GMT
    const o = obligations({ record: record({ awarenessAt: friday, confirmedAt: friday }), now: friday });
    // Monday 13:00 BST: the local clock time moved, the elapsed time did not.
    expect(o['uk-gdpr/regulator']?.dueAt?.toISOString()).toBe('2026-03-30T12:00:00.000Z');
  });

  it('awareness earlier than confirmation moves the regulator due time, not the customer one', () => {
    const o = obligations({
      record: record({ awarenessAt: at('2026-04-09T10:00:00Z'), confirmedAt: at(FRIDAY_EVENING) }),
    });
    expect(o['uk-gdpr/regulator']?.dueAt?.toISOString()).toBe('2026-04-12T10:00:00.000Z');
    expect(o['uk-gdpr/customers']?.dueAt?.toISOString()).toBe(MONDAY_EVENING);
  });

  it('runs the regulator clock from awareness while the breach is only suspected', () => {
    const o = obligations({ record: record({ status: 'suspected', awarenessAt: at(FRIDAY_EVENING) }) });
    expect(o['uk-gdpr/regulator']).toMatchObject({ state: 'pending' });
    expect(o['uk-gdpr/regulator']?.dueAt?.toISOString()).toBe(MONDAY_EVENING);
    expect(o['uk-gdpr/customers']).toMatchObject({
      state: 'not_started',
      dueAt: null,
      reason: 'waiting for the breach to be confirmed',
    });
    const unaware = obligations({ record: record({ status: 'suspected' }) });
    expect(unaware['uk-gdpr/regulator']).toMatchObject({ state: 'not_started', dueAt: null });
  });

  it('owes nothing for a ruled-out breach, no record, or an incident that is no breach', () => {
    expect(obligations({ record: record({ status: 'ruled_out', awarenessAt: at(FRIDAY_EVENING) }) })).toEqual(
      {},
    );
    expect(obligations({ record: null })).toEqual({});
    expect(obligations({ record: confirmedFriday, appliesTo: ['significant_incident'] })).toEqual({});
  });

  it('closes the regulator obligation as not_required when the assessment finds no risk', () => {
    const rationale = 'the email went to our own DPO and was deleted unread';
    const o = obligations({
      record: confirmedFriday,
      assessment: assessment({ riskToRights: false, highRisk: false, rationale }),
    });
    expect(o['uk-gdpr/regulator']).toMatchObject({ state: 'not_required', reason: rationale, warnings: [] });
    expect(o['uk-gdpr/regulator']?.dueAt?.toISOString()).toBe(MONDAY_EVENING);
    expect(o['uk-gdpr/customers']).toMatchObject({ state: 'pending' });
  });

  it('requires telling people only for a high risk without an exception', () => {
    const noHighRisk = obligations({ record: confirmedFriday, assessment: assessment({ highRisk: false }) });
    expect(noHighRisk['uk-gdpr/people']).toMatchObject({
      state: 'not_required',
      reason: assessment().rationale,
    });
    expect(noHighRisk['uk-gdpr/regulator']).toMatchObject({ state: 'pending' });
    const exception = 'Art 34(3)(a): the laptop was encrypted and the key was not exposed';
    const excepted = obligations({ record: confirmedFriday, assessment: assessment({ exception }) });
    expect(excepted['uk-gdpr/people']).toMatchObject({ state: 'not_required', reason: exception });
    const highRisk = obligations({ record: confirmedFriday, assessment: assessment() });
    expect(highRisk['uk-gdpr/people']).toMatchObject({ state: 'pending', reason: null });
  });

  it("shows a processor the regulator and people clocks as the controller's, keeping customers ours", () => {
    const o = obligations({ record: { ...confirmedFriday, role: 'processor' } });
    for (const key of ['uk-gdpr/regulator', 'uk-gdpr/people']) {
      expect(o[key]).toMatchObject({ state: 'information', warnings: [] });
      expect(o[key]?.reason).toMatch(/^processor: the controller's obligation/);
      expect(o[key]?.dueAt?.toISOString()).toBe(MONDAY_EVENING);
    }
    expect(o['uk-gdpr/customers']).toMatchObject({ state: 'pending', reason: null });
  });

  it('is met by the earliest submission; met late is late and stays breached', () => {
    const onTime = obligations({
      record: confirmedFriday,
      submissions: [
        submission('uk-gdpr', 'regulator', '2026-04-13T09:00:00Z'),
        submission('uk-gdpr', 'regulator', '2026-04-12T09:00:00Z'),
        submission('eu-gdpr', 'customers', '2026-04-11T09:00:00Z'),
      ],
      now: at('2026-04-20T00:00:00Z'),
    });
    expect(onTime['uk-gdpr/regulator']).toMatchObject({ state: 'met', late: false });
    expect(onTime['uk-gdpr/regulator']?.metAt?.toISOString()).toBe('2026-04-12T09:00:00.000Z');
    expect(onTime['uk-gdpr/customers']).toMatchObject({ state: 'breached', metAt: null, late: false });

    const late = obligations({
      record: confirmedFriday,
      submissions: [submission('uk-gdpr', 'regulator', '2026-04-13T17:30:01Z')],
      now: at('2026-04-14T00:00:00Z'),
    });
    expect(late['uk-gdpr/regulator']).toMatchObject({ state: 'breached', late: true });
  });

  it('warns at 24, 12 and 4 hours left; at risk from the first warning, breached at the due instant', () => {
    const due = Date.parse(MONDAY_EVENING);
    const stateAt = (ms: number) =>
      obligations({ record: confirmedFriday, now: new Date(ms) })['uk-gdpr/regulator']!;
    expect(stateAt(due - 24 * HOUR - 1).state).toBe('pending');
    expect(stateAt(due - 24 * HOUR).state).toBe('at_risk');
    expect(stateAt(due - 1).state).toBe('at_risk');
    expect(stateAt(due).state).toBe('breached');
    expect(stateAt(due).warnings.map((w) => [w.at.toISOString(), w.left])).toEqual([
      ['2026-04-12T17:30:00.000Z', '24 hours'],
      ['2026-04-13T05:30:00.000Z', '12 hours'],
      ['2026-04-13T13:30:00.000Z', '4 hours'],
    ]);
  });
});

describe('ready-made regimes', () => {
  it('NIS2 shows a 24 h early warning, a 72 h notification and a final report a month after the notification', () => {
    const policy = validPolicy(policyWithRegimes('nis2'));
    // Tuesday 13 January 2026, 09:00 CET.
    const aware = record({ status: 'ruled_out', awarenessAt: at('2026-01-13T08:00:00Z') });
    const before = obligations({
      policy,
      record: aware,
      appliesTo: ['significant_incident'],
      now: aware.awarenessAt!,
    });
    expect(Object.keys(before)).toEqual(['nis2/early-warning', 'nis2/notification', 'nis2/final-report']);
    expect(before['nis2/early-warning']?.dueAt?.toISOString()).toBe('2026-01-14T08:00:00.000Z');
    expect(before['nis2/notification']?.dueAt?.toISOString()).toBe('2026-01-16T08:00:00.000Z');
    expect(before['nis2/final-report']).toMatchObject({
      state: 'not_started',
      dueAt: null,
      startsFrom: 'submission',
      followsUp: 'notification',
      reason: 'waiting for the first "notification" report to be submitted',
    });
    // The early warning is at risk from the start: its whole clock is inside the 24-hour warning.
    expect(before['nis2/early-warning']?.state).toBe('at_risk');

    const after = obligations({
      policy,
      record: aware,
      appliesTo: ['significant_incident', 'personal_data_breach'],
      submissions: [submission('nis2', 'notification', '2026-01-15T10:00:00Z')],
      now: at('2026-01-20T00:00:00Z'),
    });
    expect(after['nis2/notification']).toMatchObject({ state: 'met', late: false });
    expect(after['nis2/final-report']?.dueAt?.toISOString()).toBe('2026-02-15T10:00:00.000Z');
    expect(after['nis2/final-report']?.state).toBe('pending');
    expect(after['nis2/early-warning']?.state).toBe('breached');
  });

  it('DORA: initial report 4 h after classification, but no later than 24 h after awareness', () => {
    const policy = validPolicy(policyWithRegimes('dora'));
    const aware = record({ awarenessAt: at('2026-02-02T10:00:00Z') });
    const initial = (determinedAt: string) =>
      obligations({
        policy,
        record: aware,
        appliesTo: ['major_ict_incident'],
        determinedAt: at(determinedAt),
      })['dora/initial']?.dueAt?.toISOString();
    expect(initial('2026-02-02T20:00:00Z')).toBe('2026-02-03T00:00:00.000Z');
    expect(initial('2026-02-03T08:00:00Z')).toBe('2026-02-03T10:00:00.000Z');
    const staged = obligations({
      policy,
      record: aware,
      appliesTo: ['major_ict_incident'],
      determinedAt: at('2026-02-02T20:00:00Z'),
      submissions: [
        submission('dora', 'initial', '2026-02-02T22:00:00Z'),
        submission('dora', 'intermediate', '2026-02-04T12:00:00Z'),
      ],
    });
    expect(staged['dora/intermediate']?.dueAt?.toISOString()).toBe('2026-02-05T22:00:00.000Z');
    expect(staged['dora/final']?.dueAt?.toISOString()).toBe('2026-03-04T12:00:00.000Z');
  });

  it('SEC 8-K: four business days after the determination, skipping a weekend and a bank holiday', () => {
    const policy = validPolicy(policyWithRegimes('sec-8k'));
    const due = (determinedAt: string) =>
      obligations({
        policy,
        record: null,
        appliesTo: ['material_cybersecurity_incident'],
        determinedAt: at(determinedAt),
      })['sec-8k/form-8k'];
    // Thursday 30 April 2026, 14:00 BST; Monday 4 May is the early May bank holiday.
    expect(due('2026-04-30T13:00:00Z')?.dueAt?.toISOString()).toBe('2026-05-07T13:00:00.000Z');
    // Determined on Saturday 2 May: day 1 is Tuesday 5 May, so it ends at Friday's close.
    expect(due('2026-05-02T09:00:00Z')?.dueAt?.toISOString()).toBe('2026-05-08T16:00:00.000Z');
    const undetermined = obligations({
      policy,
      record: null,
      appliesTo: ['material_cybersecurity_incident'],
    });
    expect(undetermined['sec-8k/form-8k']).toMatchObject({ state: 'not_started', dueAt: null });
  });
});
