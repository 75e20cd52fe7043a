import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyEdits,
  copyDefaultPolicyFolder,
  DEFAULT_FILE_TEXT,
  DEFAULT_TEXT,
  lineOfText,
} from './fixtures/policy-variants.ts';
import { formatPolicyIssue } from './policy-issues.ts';
import { DEFAULT_POLICY_PATH, loadPolicyFile, type PolicyLoadResult, parsePolicy } from './policy-loader.ts';
import { parseRunbook } from './policy-runbooks.ts';

const PHASES = ['identify', 'contain', 'eradicate', 'recover', 'review', 'closed'];
const RUNBOOK = 'runbooks/unauthorised-access.md';

function issuesOf(result: PolicyLoadResult) {
  if (result.ok) throw new Error('expected the policy to be invalid');
  return result.errors;
}

function loadedOf(result: PolicyLoadResult) {
  if (!result.ok) throw new Error(result.errors.map(formatPolicyIssue).join('\n'));
  return result.policy;
}

describe('parseRunbook', () => {
  it('splits level-2 phase headings into sections, dropping the title and blank edges', () => {
    const text = [
      '# Title',
      'Intro, not part of any phase.',
      '',
      '## identify',
      '',
      '- look',
      '  - closer',
      '',
      '### Detail',
      'More text.',
      '',
      '## contain ##',
      '- stop it',
    ].join('\n');
    expect(parseRunbook(text, PHASES)).toEqual({
      phases: {
        identify: '- look\n  - closer\n\n### Detail\nMore text.',
        contain: '- stop it',
      },
      problems: [],
    });
  });

  it('reads CRLF files and a byte-order mark', () => {
    const { phases } = parseRunbook('\uFEFF## identify\r\n- a\r\n- b\r\n', PHASES);
    expect(phases).toEqual({ identify: '- a\n- b' });
  });

  it('ends a section at a level-1 heading and ignores headings inside code fences', () => {
    const text = '## recover\n```sh\n## not a heading\n```\n# Appendix\n## review\n- done';
    expect(parseRunbook(text, PHASES)).toEqual({
      phases: { recover: '```sh\n## not a heading\n```', review: '- done' },
      problems: [],
    });
  });

  it.each([
    ['## Contain', 'unknown_phase'],
    ['## containment', 'unknown_phase'],
    ['##', 'unknown_phase'],
    ['## identify', 'repeated_phase'],
  ] as const)('reports the heading %j as %s with its line', (heading, kind) => {
    const text = `# Runbook\n\n## identify\n- a\n\n${heading}\n- b\n`;
    expect(parseRunbook(text, PHASES)).toEqual({
      phases: { identify: '- a' },
      problems: [{ line: 6, heading, kind }],
    });
  });

  it('does not take #hashtag or an indented code line for a heading', () => {
    const text = '## identify\n#not-a-heading\n    ## indented code\n- a';
    expect(parseRunbook(text, PHASES).phases.identify).toBe('#not-a-heading\n    ## indented code\n- a');
  });
});

describe('loading a policy with runbooks', () => {
  it('resolves runbook paths against baseDir in parsePolicy', () => {
    const baseDir = dirname(DEFAULT_POLICY_PATH);
    const loaded = loadedOf(parsePolicy(DEFAULT_FILE_TEXT, 'policy.yaml', { baseDir }));
    expect(Object.keys(loaded.runbooks)).toHaveLength(5);
    expect(loaded.runbooks.unauthorised_access?.phases.contain).toMatch(/^- Disable the affected Entra ID/);
  });

  it('reports a runbook named without a folder to read it from', () => {
    const issues = issuesOf(parsePolicy(DEFAULT_FILE_TEXT, 'policy.yaml'));
    expect(issues.map((i) => i.path)).toEqual([0, 1, 2, 3, 4].map((i) => `categories.${i}.runbook`));
    expect(issues[0]).toMatchObject({
      line: lineOfText(DEFAULT_FILE_TEXT, `runbook: ${RUNBOOK}`),
      expected: 'a policy folder to read the runbook from',
    });
  });

  it('parses a policy without runbooks without a folder', () => {
    const loaded = loadedOf(parsePolicy(DEFAULT_TEXT, 'policy.yaml'));
    expect(loaded.runbooks).toEqual({});
    // Only Vigil's own templates, which are always there, remain.
    expect(loaded.files.filter((file) => !file.path.startsWith('(built-in)/'))).toEqual([]);
  });

  it('reports a missing runbook file at the category that names it', async () => {
    const path = await copyDefaultPolicyFolder();
    await rm(join(dirname(path), RUNBOOK));
    const issues = issuesOf(await loadPolicyFile(path));
    expect(issues).toEqual([
      expect.objectContaining({
        file: path,
        path: 'categories.0.runbook',
        line: lineOfText(DEFAULT_FILE_TEXT, `runbook: ${RUNBOOK}`),
        expected: 'a readable runbook file',
        found: `no such file ${join(dirname(path), RUNBOOK)}`,
      }),
    ]);
  });

  it('reports a heading that is not a phase id with the runbook file and line', async () => {
    const path = await copyDefaultPolicyFolder();
    const runbookFile = join(dirname(path), RUNBOOK);
    const original = await readFile(runbookFile, 'utf8');
    const edited = applyEdits(original, [['## eradicate\n', '## remediate\n']]);
    await writeFile(runbookFile, edited);
    const [issue, ...rest] = issuesOf(await loadPolicyFile(path));
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      path: 'categories.0.runbook',
      line: lineOfText(DEFAULT_FILE_TEXT, RUNBOOK),
    });
    expect(formatPolicyIssue(issue!)).toContain(
      `categories.0.runbook: expected level-2 headings that are phase ids: one of "identify", "contain", "eradicate", "recover", "review", "closed", found "## remediate" at ${RUNBOOK}:${lineOfText(edited, '## remediate')}`,
    );
  });

  it('reports a runbook that is not UTF-8', async () => {
    const path = await copyDefaultPolicyFolder();
    await writeFile(join(dirname(path), RUNBOOK), Buffer.from([0x23, 0x23, 0x20, 0xff, 0x0a]));
    expect(issuesOf(await loadPolicyFile(path))).toEqual([
      expect.objectContaining({ path: 'categories.0.runbook', expected: 'a UTF-8 text file' }),
    ]);
  });

  it('reads a runbook shared by two categories once', async () => {
    const text = applyEdits(DEFAULT_FILE_TEXT, [
      ['runbooks/policy-violation.md', 'runbooks/service-degradation.md'],
    ]);
    const path = await copyDefaultPolicyFolder(text);
    const loaded = loadedOf(await loadPolicyFile(path));
    expect(loaded.files.filter((file) => file.path.startsWith('runbooks/'))).toHaveLength(4);
    expect(loaded.runbooks.policy_violation).toEqual(loaded.runbooks.service_degradation);
  });

  it('gives runbook-less categories no runbook', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-runbooks-'));
    const path = join(dir, 'policy.yaml');
    await writeFile(path, DEFAULT_TEXT);
    const loaded = loadedOf(await loadPolicyFile(path));
    expect(loaded.policy.categories).toHaveLength(5);
    expect(loaded.runbooks.unauthorised_access).toBeUndefined();
  });
});
