import { describe, expect, it } from 'vitest';
import { issuesOf, onlyIssue, POLICY_FILE } from './fixtures/policy-issues-of.ts';
import { DEFAULT_TEXT, lineOfText, policyVariant } from './fixtures/policy-variants.ts';
import { parsePolicy } from './policy-loader.ts';

const FILE = POLICY_FILE;

describe('categories and components', () => {
  const CATEGORY = '  - id: policy_violation\n    name: Policy violation\n';

  it.each([
    ['a category', '  - id: policy_violation\n', '  - id: Policy Violation\n', 'categories.4.id'],
    ['a component', '  - id: messaging\n', '  - id: message-bus!\n', 'components.5.id'],
  ])('refuses a malformed id for %s', (_, from, to, path) => {
    expect(onlyIssue(policyVariant([from, to]))).toMatchObject({
      path,
      expected: 'an id such as "critical" (lower case letters, digits, "-" or "_")',
    });
  });

  it.each([
    ['categories', '  - id: policy_violation\n', '  - id: service_compromise\n', 'categories.4.id'],
    ['components', '  - id: storage\n', '  - id: database\n', 'components.4.id'],
  ])('refuses a repeated id in %s', (_, from, to, path) => {
    const text = policyVariant([from, to]);
    expect(onlyIssue(text)).toMatchObject({
      path,
      line: text.slice(0, text.lastIndexOf(to)).split('\n').length,
      expected: 'an id not used earlier in the list',
    });
  });

  it('requires at least one category and one component', () => {
    /** The list under a top-level key, from the key to the next blank line. */
    const block = (key: string) => {
      const start = DEFAULT_TEXT.indexOf(`\n${key}:\n`) + 1;
      return DEFAULT_TEXT.slice(start, DEFAULT_TEXT.indexOf('\n\n', start));
    };
    const text = policyVariant(
      [block('categories'), 'categories: []'],
      [block('components'), 'components: []'],
    );
    expect(issuesOf(text)).toEqual([
      expect.objectContaining({ path: 'categories', expected: 'at least one category', found: '[]' }),
      expect.objectContaining({ path: 'components', expected: 'at least one component', found: '[]' }),
    ]);
  });

  it('accepts a component without a description but not a category without one', () => {
    const text = policyVariant([
      '    name: API\n    description: The public REST API hosted on Azure App Service.\n',
      '    name: API\n',
    ]);
    expect(parsePolicy(text, FILE).ok).toBe(true);
    const noDescription = policyVariant([
      CATEGORY,
      '  - id: policy_violation\n    name: Policy violation\n    x: 1\n',
    ]);
    expect(issuesOf(noDescription)).toContainEqual(
      expect.objectContaining({ path: 'categories.4.x', found: 'unknown key "x"' }),
    );
  });

  it.each([
    '/etc/vigil/runbooks/x.md',
    '../shared/x.md',
    'runbooks/../x.md',
    './runbooks/x.md',
    'runbooks\\x.md',
    'runbooks/x.txt',
    'runbooks//x.md',
  ])('refuses the runbook path %j', (runbook) => {
    const text = policyVariant([CATEGORY, `${CATEGORY}    runbook: ${JSON.stringify(runbook)}\n`]);
    expect(onlyIssue(text)).toMatchObject({
      path: 'categories.4.runbook',
      line: lineOfText(text, '    runbook:'),
      expected: expect.stringContaining('a relative path to a Markdown file inside the policy folder'),
    });
  });
});
