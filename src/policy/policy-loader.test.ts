import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issuesOf, onlyIssue, POLICY_FILE } from './fixtures/policy-issues-of.ts';
import { DEFAULT_TEXT, lineOfText, policyVariant } from './fixtures/policy-variants.ts';
import { DURATION_EXPECTED } from './policy-duration.ts';
import { formatPolicyIssue } from './policy-issues.ts';
import {
  loadPolicyFile,
  PolicyInvalidError,
  parsePolicy,
  policyVersion,
  requireValidPolicy,
} from './policy-loader.ts';

const FILE = POLICY_FILE;

describe('parsePolicy with broken policies', () => {
  it('reports a YAML syntax error with its line', () => {
    const text = policyVariant(['opensAt: "09:00"', 'opensAt: "09:00']);
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({ file: FILE, path: '(root)', expected: 'valid YAML' });
    expect(issue.found).toMatch(/^a syntax error \(.+\)$/);
    expect(issue.line).toBe(lineOfText(text, 'opensAt: "09:00'));
  });

  it('reports a repeated key as a syntax error rather than keeping the last value', () => {
    const text = policyVariant([
      '  timeZone: Europe/London\n',
      '  timeZone: Europe/London\n  timeZone: UTC\n',
    ]);
    expect(onlyIssue(text)).toMatchObject({
      path: '(root)',
      expected: 'valid YAML',
      line: lineOfText(text, 'timeZone: UTC'),
    });
  });

  it('reports a wrong type (a bare number where a duration belongs)', () => {
    const text = policyVariant(['within: 15 minutes', 'within: 15']);
    expect(onlyIssue(text)).toEqual({
      file: FILE,
      path: 'slas.critical.acknowledge.within',
      line: lineOfText(text, 'within: 15'),
      expected: DURATION_EXPECTED,
      found: '15',
      message: `expected ${DURATION_EXPECTED}, found 15`,
    });
  });

  it('reports a bad duration string and formats it on one line', () => {
    const text = policyVariant(['within: 15 minutes', 'within: fifteen']);
    const issue = onlyIssue(text);
    expect(issue).toMatchObject({
      path: 'slas.critical.acknowledge.within',
      expected: DURATION_EXPECTED,
      found: '"fifteen"',
      line: lineOfText(text, 'within: fifteen'),
    });
    expect(formatPolicyIssue(issue)).toBe(
      `policy.yaml:${issue.line} slas.critical.acknowledge.within: expected a duration such as "15 minutes", "4 hours", "3 days" or ISO 8601 "PT15M", found "fifteen"`,
    );
  });

  it('reports an unknown key (a typo) at that key, and the missing key it replaced', () => {
    const text = policyVariant(['within: 15 minutes', 'withn: 15 minutes']);
    const issues = issuesOf(text);
    const line = lineOfText(text, 'withn:');
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: 'slas.critical.acknowledge.withn',
        line,
        expected: 'one of the keys within, clock, outOfHours',
        found: 'unknown key "withn"',
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: 'slas.critical.acknowledge.within',
        expected: DURATION_EXPECTED,
        found: 'nothing',
      }),
    );
  });

  it('reports a severity without response targets at the slas key', () => {
    const start = DEFAULT_TEXT.indexOf('  low:\n');
    const end = DEFAULT_TEXT.indexOf('customerUpdate: null\n') + 'customerUpdate: null\n'.length;
    const text = policyVariant([DEFAULT_TEXT.slice(start, end), '']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'slas.low',
      line: lineOfText(text, 'slas:\n'),
      expected: 'response targets for severity "low"',
      found: 'nothing',
    });
  });

  it('reports response targets for a severity the policy does not define', () => {
    const text = policyVariant([
      '  low:\n    acknowledge: { within: 1 day',
      '  lowest:\n    acknowledge: { within: 1 day',
    ]);
    const issues = issuesOf(text);
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: 'slas.lowest',
        line: lineOfText(text, 'lowest:'),
        expected: 'a severity id: one of "critical", "high", "medium", "low"',
        found: 'targets for an undeclared severity "lowest"',
      }),
    );
    expect(issues).toContainEqual(expect.objectContaining({ path: 'slas.low', found: 'nothing' }));
  });

  it('refuses months on an SLA clock', () => {
    const text = policyVariant([
      'containment: { within: 4 hours, clock: wall }',
      'containment: { within: 1 month, clock: wall }',
    ]);
    expect(onlyIssue(text)).toMatchObject({
      path: 'slas.critical.containment.within',
      line: lineOfText(text, 'within: 1 month'),
      expected: expect.stringContaining('months and years vary in length'),
      found: '"1 month"',
    });
  });

  it('refuses weeks on a business clock', () => {
    const text = policyVariant([
      'containment: { within: 10 days, clock: business }',
      'containment: { within: 2 weeks, clock: business }',
    ]);
    expect(onlyIssue(text)).toMatchObject({
      path: 'slas.low.containment.within',
      expected: 'a business-clock duration in minutes, hours or days (days are business days)',
      found: '"2 weeks"',
    });
  });

  it('refuses a zero duration', () => {
    const text = policyVariant(['within: 15 minutes', 'within: 0 minutes']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'slas.critical.acknowledge.within',
      expected: 'a duration longer than zero',
    });
  });

  it('reports an unknown time zone', () => {
    const text = policyVariant(['timeZone: Europe/London', 'timeZone: Europe/Londres']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'time.timeZone',
      line: lineOfText(text, 'timeZone:'),
      expected: 'an IANA time zone such as "Europe/London"',
      found: '"Europe/Londres"',
    });
  });

  it('reports a closing time before the opening time', () => {
    const text = policyVariant(['closesAt: "17:00"', 'closesAt: "08:30"']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'time.businessHours.closesAt',
      line: lineOfText(text, 'closesAt:'),
      expected: 'a closing time later than opensAt 09:00',
      found: '"08:30"',
    });
  });

  it('reports a duplicate phase id', () => {
    const text = policyVariant(['    - id: eradicate', '    - id: contain']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'lifecycle.phases.2.id',
      line: lineOfText(text, 'name: Eradicate') - 1,
      expected: 'an id not used earlier in the list',
      found: '"contain"',
    });
  });

  it('requires identify first and closed last', () => {
    const text = policyVariant([
      '    - id: closed\n      name: Closed',
      '    - id: done\n      name: Closed',
    ]);
    expect(onlyIssue(text)).toMatchObject({
      path: 'lifecycle.phases.5.id',
      expected: 'the last phase to be "closed"',
      found: '"done"',
    });
  });

  it('reports a review rule naming an unknown severity', () => {
    const text = policyVariant([
      'requiredForSeverities: [critical, high]',
      'requiredForSeverities: [critical, severe]',
    ]);
    expect(onlyIssue(text)).toMatchObject({
      path: 'reviews.requiredForSeverities.1',
      line: lineOfText(text, 'requiredForSeverities:'),
      expected: 'a severity id: one of "critical", "high", "medium", "low"',
      found: '"severe"',
    });
  });

  it('reports a role reference to an unknown role', () => {
    const text = policyVariant(['regulatorContactApprover: owner', 'regulatorContactApprover: ceo']);
    expect(onlyIssue(text)).toMatchObject({ path: 'command.regulatorContactApprover', found: '"ceo"' });
  });

  it('reports a customer-update stop phase that does not exist', () => {
    const text = policyVariant(['customerUpdatesUntil: review', 'customerUpdatesUntil: stable']);
    expect(onlyIssue(text)).toMatchObject({ path: 'slaRules.customerUpdatesUntil', found: '"stable"' });
  });

  it('reports an unknown holiday region', () => {
    const text = policyVariant(['subdivision: ENG', 'subdivision: LDN']);
    expect(onlyIssue(text)).toMatchObject({
      path: 'time.holidays.subdivision',
      line: lineOfText(text, 'subdivision:'),
      expected: 'a subdivision of GB known to date-holidays: one of ALD, ENG, NIR, SCT, WLS',
      found: '"LDN"',
    });
    const country = onlyIssue(policyVariant(['country: GB', 'country: UK']));
    expect(country).toMatchObject({ path: 'time.holidays.country', found: '"UK"' });
  });

  it('reports an impossible closure date and a bad email', () => {
    const text = policyVariant(
      ['closures: []', 'closures: ["2026-02-30"]'],
      // The emergency list names the CTO too; this edits the succession entry only.
      [
        '\n    - { title: Chief Technology Officer, email: cto@example.com }',
        '\n    - { title: Chief Technology Officer, email: cto-at-example }',
      ],
    );
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.path, i.found])).toEqual([
      ['time.closures.0', '"2026-02-30"'],
      ['command.succession.0.email', '"cto-at-example"'],
    ]);
  });

  it('reports every problem at once, not just the first', () => {
    const text = policyVariant(
      ['timeZone: Europe/London', 'timeZone: Nowhere/Special'],
      ['within: 15 minutes', 'within: fifteen'],
      ['atRiskFraction: 0.75', 'atRiskFraction: 75'],
      ['statusPage: false', 'statusPage: false\n  pager: true'],
    );
    const issues = issuesOf(text);
    expect(issues.map((i) => i.path)).toEqual([
      'time.timeZone',
      'slas.critical.acknowledge.within',
      'slaRules.atRiskFraction',
      'communications.pager',
    ]);
    for (const issue of issues) {
      expect(issue.file).toBe(FILE);
      expect(issue.line).toBeGreaterThan(0);
    }
  });

  it('reports an empty document as a missing mapping at the root', () => {
    expect(onlyIssue('')).toMatchObject({
      path: '(root)',
      expected: 'a mapping of keys to values',
      found: 'null',
    });
  });

  it('truncates long found values', () => {
    const long = 'x'.repeat(200);
    const issue = onlyIssue(policyVariant(['timeZone: Europe/London', `timeZone: ${long}`]));
    expect(issue.found.length).toBeLessThanOrEqual(60);
    expect(issue.found.endsWith('…')).toBe(true);
  });
});

describe('policy version', () => {
  it('is the same for the same bytes', () => {
    const a = parsePolicy(DEFAULT_TEXT, 'a.yaml');
    const b = parsePolicy(Buffer.from(DEFAULT_TEXT, 'utf8'), 'b.yaml');
    expect(a.ok && b.ok && a.policy.version === b.policy.version).toBe(true);
  });

  it('changes when a single byte changes, even inside a comment', () => {
    const changed = DEFAULT_TEXT.replace(
      '# Vigil built-in default policy.',
      '# Vigil built-in default policy!',
    );
    expect(changed).not.toBe(DEFAULT_TEXT);
    const a = parsePolicy(DEFAULT_TEXT, 'a.yaml');
    const b = parsePolicy(changed, 'a.yaml');
    if (!a.ok || !b.ok) throw new Error('both should load');
    expect(a.policy.version).not.toBe(b.policy.version);
    expect(a.policy.policy).toEqual(b.policy.policy);
  });

  it('is sha256 of the bytes', () => {
    expect(policyVersion(Buffer.from('abc'))).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('loadPolicyFile', () => {
  it('loads a file and records its path as the source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-policy-'));
    const path = join(dir, 'policy.yaml');
    await writeFile(path, DEFAULT_TEXT);
    const result = await loadPolicyFile(path);
    expect(result.ok && result.policy.source).toBe(path);
  });

  it('turns a missing file into one issue', async () => {
    const result = await loadPolicyFile('/nonexistent/vigil/policy.yaml');
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: '/nonexistent/vigil/policy.yaml',
          path: '(root)',
          expected: 'a readable policy file',
          found: 'no such file',
          message: 'expected a readable policy file, found no such file',
        },
      ],
    });
  });
});

describe('requireValidPolicy', () => {
  it('returns a valid policy', () => {
    expect(requireValidPolicy(parsePolicy(DEFAULT_TEXT, FILE)).source).toBe(FILE);
  });

  it('throws PolicyInvalidError carrying every issue', () => {
    const result = parsePolicy(policyVariant(['within: 15 minutes', 'within: fifteen']), FILE);
    expect(() => requireValidPolicy(result)).toThrow(PolicyInvalidError);
    try {
      requireValidPolicy(result);
    } catch (error) {
      expect((error as PolicyInvalidError).issues).toHaveLength(1);
      expect((error as Error).message).toContain('slas.critical.acknowledge.within');
    }
  });
});
