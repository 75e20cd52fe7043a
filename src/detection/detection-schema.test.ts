import { describe, expect, it } from 'vitest';
import { issuesOf, onlyIssue, POLICY_FILE } from '../policy/fixtures/policy-issues-of.ts';
import { DEFAULT_TEXT, lineOfText, policyVariant } from '../policy/fixtures/policy-variants.ts';
import { formatPolicyIssue } from '../policy/policy-issues.ts';
import { parsePolicy } from '../policy/policy-loader.ts';
import { rulesFromPolicy } from './detector.ts';

const FILE = POLICY_FILE;

const BRUTE_FORCE_TITLE =
  'title: "Brute-force login against {{principal}}: {{count}} failed logins in 5 minutes"';

describe('the detection section of the built-in policy', () => {
  it('is valid and lists the eight default rules in order, durations in milliseconds', () => {
    const result = parsePolicy(DEFAULT_TEXT, FILE);
    if (!result.ok) throw new Error(result.errors.map(formatPolicyIssue).join('\n'));
    const rules = rulesFromPolicy(result.policy.policy);
    expect(rules.map((rule) => `${rule.id}:${rule.kind}`)).toEqual([
      'brute-force-login:threshold',
      'credential-stuffing:distinct',
      'permission-change:match',
      'defender-sql-threat:match',
      'application-error-spike:rate',
      'resource-anomaly:match',
      'bulk-data-read:match',
      'vigil-account-lockout:match',
    ]);
    expect(rules[0]).toMatchObject({ windowMs: 300_000, threshold: 10, cooldownMs: 3_600_000 });
    expect(rules[0]!.select.statuses).toEqual(['firing']);
    expect(rules[4]).toMatchObject({ windowMs: 300_000, baselineMs: 3_600_000, factor: 3, minimum: 10 });
    // Rules that name no owner get the policy's primary owner.
    expect(rules.every((rule) => rule.owner === 'cpo@example.com')).toBe(true);
    expect(rules[6]).toMatchObject({ suggestsBreach: true, category: 'data_exposure_risk' });
    expect(rules[6]!.select.atLeast).toEqual({ rows: 10000 });
  });

  it('accepts a policy without a detection section, as one without rules', () => {
    const text = DEFAULT_TEXT.slice(0, DEFAULT_TEXT.indexOf('\n# Detection rules'));
    const result = parsePolicy(text, FILE);
    expect(result.ok && result.policy.policy.detection.rules).toEqual([]);
  });
});

describe('invalid detection rules', () => {
  it('refuses a repeated rule id', () => {
    const text = policyVariant(['id: credential-stuffing', 'id: brute-force-login']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'detection.rules.1.id',
      expected: 'an id not used earlier in the list',
    });
  });

  it('refuses an unknown rule kind', () => {
    const text = policyVariant(['kind: distinct', 'kind: unique']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'detection.rules.1.kind',
      expected: 'a rule kind: one of "match", "threshold", "distinct", "rate"',
      line: lineOfText(text, 'kind: unique'),
    });
  });

  it('refuses a signal kind, source or status that signals do not have', () => {
    const kind = policyVariant([
      'select: { kinds: [auth_failure] }\n      groupBy: [principal]',
      'select: { kinds: [login_failure] }\n      groupBy: [principal]',
    ]);
    expect(onlyIssue(kind).path).toBe('detection.rules.0.select.kinds.0');
    expect(onlyIssue(kind).expected).toContain('"auth_failure"');
    const source = policyVariant(['select: { sources: [defender] }', 'select: { sources: [sentinel] }']);
    expect(onlyIssue(source).path).toBe('detection.rules.3.select.sources.0');
  });

  it('refuses resolved signals in a windowed rule', () => {
    const text = policyVariant([
      'select: { kinds: [auth_failure] }\n      groupBy: [principal]',
      'select: { kinds: [auth_failure], statuses: [firing, resolved] }\n      groupBy: [principal]',
    ]);
    expect(onlyIssue(text)).toMatchObject({
      path: 'detection.rules.0.select.statuses.1',
      expected: '"firing": only match rules may select resolved signals',
    });
  });

  it('refuses a severity the policy does not define, wherever the rule names one', () => {
    const plain = policyVariant([
      '      threshold: 10\n      severity: high\n      title: "Brute',
      '      threshold: 10\n      severity: severe\n      title: "Brute',
    ]);
    expect(onlyIssue(plain)).toMatchObject({
      path: 'detection.rules.0.severity',
      expected: 'a severity id: one of "critical", "high", "medium", "low"',
    });
    const night = policyVariant(['outOfHours: high }', 'outOfHours: urgent }']);
    expect(onlyIssue(night).path).toBe('detection.rules.2.severity.outOfHours');
    const mapped = policyVariant(['"SQL.*BruteForce*": high', '"SQL.*BruteForce*": sev1']);
    expect(onlyIssue(mapped).path).toBe('detection.rules.3.severity.byEntity.alertType.SQL.*BruteForce*');
  });

  it('refuses an unknown category and an owner that is not an email address', () => {
    const category = policyVariant([
      'category: data_exposure_risk\n      suggestsBreach',
      'category: data_leak\n      suggestsBreach',
    ]);
    expect(onlyIssue(category)).toMatchObject({ path: 'detection.rules.6.category', found: '"data_leak"' });
    expect(onlyIssue(category).expected).toContain('"data_exposure_risk"');
    const owner = policyVariant([
      '      suggestsBreach: true',
      '      suggestsBreach: true\n      owner: the dba',
    ]);
    expect(onlyIssue(owner)).toMatchObject({ path: 'detection.rules.6.owner', found: '"the dba"' });
    const responders = policyVariant([
      '      suggestsBreach: true',
      '      suggestsBreach: true\n      responders: [dba@example.com, jane]',
    ]);
    expect(onlyIssue(responders).path).toBe('detection.rules.6.responders.1');
  });

  it('refuses a title variable the rule does not name, and a malformed placeholder', () => {
    const unknown = policyVariant([BRUTE_FORCE_TITLE, 'title: "Brute force on {{database}}"']);
    expect(onlyIssue(unknown)).toMatchObject({ path: 'detection.rules.0.title', found: '{{database}}' });
    expect(onlyIssue(unknown).expected).toContain('principal, clientIp');
    const malformed = policyVariant([BRUTE_FORCE_TITLE, 'title: "Brute force on {{ principal name }}"']);
    expect(onlyIssue(malformed)).toMatchObject({
      path: 'detection.rules.0.title',
      found: '"{{ principal name }}"',
    });
  });

  it('refuses durations in months, zero, and malformed', () => {
    const months = policyVariant([
      'window: 5 minutes\n      threshold: 10\n      severity: high',
      'window: 1 month\n      threshold: 10\n      severity: high',
    ]);
    expect(onlyIssue(months)).toMatchObject({ path: 'detection.rules.0.window' });
    expect(onlyIssue(months).expected).toContain('wall-clock duration');
    const zero = policyVariant([
      'maxCorrelation: 24 hours\n      category: unauthorised_access\n    # Failed logins, many',
      'maxCorrelation: 0 hours\n      category: unauthorised_access\n    # Failed logins, many',
    ]);
    expect(onlyIssue(zero)).toMatchObject({
      path: 'detection.rules.0.maxCorrelation',
      expected: 'a duration longer than zero',
    });
  });

  it('refuses a threshold that is not a whole number of at least 1', () => {
    for (const bad of ['0', '2.5', '"ten"']) {
      const text = policyVariant([
        'window: 5 minutes\n      threshold: 10',
        `window: 5 minutes\n      threshold: ${bad}`,
      ]);
      expect(onlyIssue(text)).toMatchObject({
        path: 'detection.rules.0.threshold',
        expected: 'a whole number of at least 1',
      });
    }
  });

  it('refuses rate fields on a threshold rule, and a rate rule without its baseline', () => {
    const extra = policyVariant([
      'window: 5 minutes\n      threshold: 10',
      'window: 5 minutes\n      baseline: 1 hour\n      threshold: 10',
    ]);
    const issue = onlyIssue(extra);
    expect(issue).toMatchObject({ path: 'detection.rules.0.baseline', found: 'unknown key "baseline"' });
    const missing = policyVariant(['      baseline: 1 hour\n', '']);
    expect(onlyIssue(missing)).toMatchObject({ path: 'detection.rules.4.baseline', found: 'nothing' });
  });

  it('refuses a distinct rule that counts an entity it also groups by', () => {
    const text = policyVariant(['distinct: principal', 'distinct: clientIp']);
    expect(onlyIssue(text).path).toBe('detection.rules.1.distinct');
  });

  it('refuses fromSignal in a policy whose severities are not named like the hints', () => {
    const text = policyVariant(
      ['  - id: low\n    name: Low', '  - id: minor\n    name: Low'],
      ['  low:\n    acknowledge', '  minor:\n    acknowledge'],
      ['severity: { default: low, fromSignal: true }', 'severity: { default: minor, fromSignal: true }'],
    );
    const issues = issuesOf(text).map((issue) => issue.path);
    expect(issues).toEqual([
      'detection.rules.2.severity.fromSignal',
      'detection.rules.3.severity.fromSignal',
      'detection.rules.5.severity.fromSignal',
    ]);
  });
});
