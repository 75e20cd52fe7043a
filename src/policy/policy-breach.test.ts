/** The breachNotification section: its schema, its cross-references and the ready-made regimes. */
import { describe, expect, it } from 'vitest';
import { issuesOf, onlyIssue } from './fixtures/policy-issues-of.ts';
import { policyWithRegimes, REGIME_SNIPPETS, validPolicy } from './fixtures/policy-regimes.ts';
import { policyVariant } from './fixtures/policy-variants.ts';
import { loadDefaultPolicy } from './policy-loader.ts';

const OBLIGATIONS = 'breachNotification.regimes.0.obligations';
const CUSTOMERS_CLOCK = 'within: 72 hours\n          clock: wall\n          when: always\n';

describe('breachNotification schema', () => {
  it('refuses an unknown audience', () => {
    const text = policyVariant(['audience: regulator\n', 'audience: regulators\n']);
    expect(onlyIssue(text)).toMatchObject({
      path: `${OBLIGATIONS}.0.audience`,
      expected: 'one of "regulator", "customers", "people"',
      found: '"regulators"',
    });
  });

  it('refuses an unknown start instant and an unknown trigger', () => {
    const text = policyVariant(
      ['from: awareness\n', 'from: discovery\n'],
      ['appliesTo: personal_data_breach\n', 'appliesTo: data_breach\n'],
    );
    expect(issuesOf(text).map((issue) => issue.path)).toEqual([
      'breachNotification.regimes.0.appliesTo',
      `${OBLIGATIONS}.0.from`,
    ]);
  });

  it('refuses a followsUp that names no earlier obligation of the regime', () => {
    const unknown = policyVariant(['when: high_risk\n', 'when: high_risk\n          followsUp: notice\n']);
    expect(onlyIssue(unknown)).toMatchObject({
      path: `${OBLIGATIONS}.2.followsUp`,
      expected: 'the id of an earlier obligation of this regime: one of "regulator", "customers"',
    });
    const later = policyVariant([
      'when: risk_to_rights\n',
      'when: risk_to_rights\n          followsUp: people\n',
    ]);
    expect(onlyIssue(later)).toMatchObject({
      path: `${OBLIGATIONS}.0.followsUp`,
      expected: 'the id of an earlier obligation of this regime, which lists none',
    });
  });

  it('requires followsUp on a clock counted from a submission', () => {
    const text = policyVariant(['from: awareness\n', 'from: submission\n']);
    expect(onlyIssue(text)).toMatchObject({
      path: `${OBLIGATIONS}.0.followsUp`,
      expected: 'a followsUp obligation, whose first submission starts a clock counted from "submission"',
    });
  });

  it.each([
    ['1 week', 'business', 'a business-clock duration in minutes, hours or days (days are business days)'],
    [
      '1 month',
      'wall',
      'a wall-clock duration in minutes, hours, days or weeks (for months use clock: calendar)',
    ],
    ['36 hours', 'calendar', 'a calendar duration in days, weeks, months or years'],
  ])('refuses %s on a %s clock', (within, clock, expected) => {
    const text = policyVariant([
      CUSTOMERS_CLOCK,
      `within: ${within}\n          clock: ${clock}\n          when: always\n`,
    ]);
    expect(onlyIssue(text)).toMatchObject({ path: `${OBLIGATIONS}.1.within`, expected });
  });

  it('refuses an obligation id used twice in one regime', () => {
    const text = policyVariant(['        - id: people\n', '        - id: customers\n']);
    expect(onlyIssue(text)).toMatchObject({
      path: `${OBLIGATIONS}.2.id`,
      expected: 'an obligation id not used earlier in the regime',
    });
  });

  it('refuses unknown keys and a warning that is not elapsed time', () => {
    const text = policyVariant(
      ['          when: always\n', '          when: always\n          pausable: true\n'],
      ['warnBefore: [24 hours, 12 hours, 4 hours]', 'warnBefore: [1 month]'],
    );
    expect(issuesOf(text).map((issue) => issue.path)).toEqual([
      'breachNotification.warnBefore.0',
      `${OBLIGATIONS}.1.pausable`,
    ]);
  });

  it('accepts a cap (notLaterThan) and defaults followsUp to null', () => {
    const policy = validPolicy(
      policyVariant([
        'when: risk_to_rights\n',
        'when: risk_to_rights\n          notLaterThan: { from: confirmation, within: 1 day, clock: business }\n',
      ]),
    );
    const [regulator] = policy.breachNotification.regimes[0]!.obligations;
    expect(regulator?.notLaterThan?.within.days).toBe(1);
    expect(regulator?.followsUp).toBeNull();
  });
});

describe('ready-made regimes (policy/regimes/)', () => {
  it('ships EU GDPR, NIS2, DORA and SEC 8-K, each disabled and naming its legal source', () => {
    expect(Object.keys(REGIME_SNIPPETS)).toEqual(['dora', 'eu-gdpr', 'nis2', 'sec-8k']);
    for (const snippet of Object.values(REGIME_SNIPPETS)) {
      expect(snippet).toMatch(/^ {2}enabled: false$/m);
      expect(snippet).toMatch(/^# .*(Art \d+|Item 1\.05)/m);
    }
  });

  it.each(Object.keys(REGIME_SNIPPETS))('%s pasted into the default policy and enabled is valid', (name) => {
    const policy = validPolicy(policyWithRegimes(name));
    const [pasted, ukGdpr] = policy.breachNotification.regimes;
    expect(pasted?.enabled).toBe(true);
    expect(ukGdpr?.id).toBe('uk-gdpr');
  });

  it('are not loaded with the default policy', async () => {
    const result = await loadDefaultPolicy();
    if (!result.ok) throw new Error('default policy invalid');
    expect(result.policy.policy.breachNotification.regimes.map((regime) => regime.id)).toEqual(['uk-gdpr']);
  });

  it('give NIS2 24 h, 72 h and one calendar month from the notification', () => {
    const nis2 = validPolicy(policyWithRegimes('nis2')).breachNotification.regimes[0]!;
    expect(nis2.obligations.map((o) => [o.id, o.from, o.within.text, o.clock, o.followsUp])).toEqual([
      ['early-warning', 'awareness', '24 hours', 'wall', null],
      ['notification', 'awareness', '72 hours', 'wall', 'early-warning'],
      ['final-report', 'submission', '1 month', 'calendar', 'notification'],
    ]);
  });
});
