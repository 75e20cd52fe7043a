import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyEdits,
  copyDefaultPolicyFolder,
  DEFAULT_FILE_TEXT,
  DEFAULT_TEXT,
  lineOfText,
  policyVariant,
} from './fixtures/policy-variants.ts';
import { formatPolicyIssue } from './policy-issues.ts';
import { DEFAULT_POLICY_PATH, loadPolicyFile, type PolicyLoadResult, parsePolicy } from './policy-loader.ts';
import { isTemplatePath } from './policy-types.ts';

const FILE = 'policy.yaml';
const UPDATE_FILE = 'templates/customer-update.txt';

function issuesOf(result: PolicyLoadResult) {
  if (result.ok) throw new Error('expected the policy to be invalid');
  return result.errors;
}

function loadedOf(result: PolicyLoadResult) {
  if (!result.ok) throw new Error(result.errors.map(formatPolicyIssue).join('\n'));
  return result.policy;
}

/** `text` with `communications.templates` set to the given YAML lines (indented under it). */
function withTemplates(text: string, ...entries: string[]): string {
  return applyEdits(text, [
    ['  templates: {}\n', `  templates:\n${entries.map((e) => `    ${e}\n`).join('')}`],
  ]);
}

const OVERRIDE_UPDATE = `customer_update: { file: ${UPDATE_FILE}, audience: customers }`;

/** A copy of the default policy folder whose policy names its own customer_update template. */
async function folderWithOwnUpdate(): Promise<{ path: string; template: string; text: string }> {
  const text = withTemplates(DEFAULT_FILE_TEXT, OVERRIDE_UPDATE);
  const path = await copyDefaultPolicyFolder(text);
  return { path, text, template: join(dirname(path), UPDATE_FILE) };
}

describe('templates of the policy folder', () => {
  it('replace the built-in template of the same id, and are stored under their own path', async () => {
    const { path, template } = await folderWithOwnUpdate();
    const original = await readFile(template, 'utf8');
    await writeFile(template, original.replace('Hello {{recipientName}},', 'Dear {{recipientName}},'));
    const loaded = loadedOf(await loadPolicyFile(path));
    expect(loaded.templates.customer_update).toMatchObject({
      id: 'customer_update',
      audience: 'customers',
      path: UPDATE_FILE,
    });
    expect(loaded.templates.customer_update?.body).toMatch(/^Dear \{\{recipientName\}\},/);
    expect(loaded.templates.resolution?.path).toBe('(built-in)/templates/resolution.txt');
    const paths = loaded.files.map((file) => file.path);
    expect(paths).toContain(UPDATE_FILE);
    expect(paths).not.toContain('(built-in)/templates/customer-update.txt');
    expect(paths.filter((p) => p.startsWith('(built-in)/'))).toHaveLength(7);
    expect(loaded.files.find((file) => file.path === UPDATE_FILE)?.content).toContain(
      'Dear {{recipientName}}',
    );
  });

  it('are read relative to baseDir by parsePolicy too', async () => {
    const { path, text } = await folderWithOwnUpdate();
    const loaded = loadedOf(parsePolicy(text, FILE, { baseDir: dirname(path) }));
    expect(loaded.templates.customer_update?.path).toBe(UPDATE_FILE);
    expect(loaded.version).toBe(loadedOf(await loadPolicyFile(path)).version);
  });

  it('need a folder: without baseDir, a named template is an issue at its entry', () => {
    const text = withTemplates(DEFAULT_TEXT, OVERRIDE_UPDATE);
    expect(issuesOf(parsePolicy(text, FILE))).toEqual([
      expect.objectContaining({
        file: FILE,
        path: 'communications.templates.customer_update.file',
        line: lineOfText(text, `    ${OVERRIDE_UPDATE}`),
        expected: 'a policy folder to read the template from',
      }),
    ]);
  });

  it('report a missing file at the entry that names it', async () => {
    const { path, text, template } = await folderWithOwnUpdate();
    await rm(template);
    expect(issuesOf(await loadPolicyFile(path))).toEqual([
      expect.objectContaining({
        file: path,
        path: 'communications.templates.customer_update.file',
        line: lineOfText(text, `    ${OVERRIDE_UPDATE}`),
        expected: 'a readable template file',
        found: `no such file ${template}`,
      }),
    ]);
  });

  it('report an unknown variable with the template file, its line, and the variables allowed', async () => {
    const { path, template } = await folderWithOwnUpdate();
    const edited = (await readFile(template, 'utf8')).replace(
      'Hello {{recipientName}},',
      'Hello {{customerName}},',
    );
    await writeFile(template, edited);
    const issues = issuesOf(await loadPolicyFile(path));
    expect(issues).toEqual([
      expect.objectContaining({
        file: template,
        path: 'communications.templates.customer_update',
        line: lineOfText(edited, '{{customerName}}'),
        found: '{{customerName}}',
      }),
    ]);
    expect(issues[0]?.expected).toMatch(/^a variable among reference, title, severity, .*recipientName$/);
    expect(formatPolicyIssue(issues[0]!)).toBe(
      `${template}:${lineOfText(edited, '{{customerName}}')} communications.templates.customer_update: expected ${issues[0]?.expected}, found {{customerName}}`,
    );
  });

  it('report a template syntax error at its line', async () => {
    const { path, template } = await folderWithOwnUpdate();
    const original = await readFile(template, 'utf8');
    await writeFile(template, original.replace(/^Subject: /, 'Subject - '));
    expect(issuesOf(await loadPolicyFile(path))).toEqual([
      expect.objectContaining({
        file: template,
        line: 1,
        expected: 'a first line "Subject: " followed by the subject',
      }),
    ]);
  });

  it('report a template that is not UTF-8 at its entry', async () => {
    const { path, template } = await folderWithOwnUpdate();
    await writeFile(template, Buffer.from('Subject: \xff\n\nbody\n', 'latin1'));
    expect(issuesOf(await loadPolicyFile(path))).toEqual([
      expect.objectContaining({
        path: 'communications.templates.customer_update.file',
        expected: 'a UTF-8 text file',
      }),
    ]);
  });

  it('may add templates of their own, drafted with the drafting variables', async () => {
    const text = withTemplates(
      DEFAULT_FILE_TEXT,
      'board_briefing: { file: templates/board.txt, audience: internal }',
    );
    const path = await copyDefaultPolicyFolder(text);
    const board = join(dirname(path), 'templates/board.txt');
    await writeFile(board, 'Subject: [{{reference}}] Board briefing\n\n{{whatHappened}}\n');
    const loaded = loadedOf(await loadPolicyFile(path));
    expect(Object.keys(loaded.templates)).toHaveLength(9);
    expect(loaded.templates.board_briefing).toMatchObject({
      audience: 'internal',
      variables: ['reference', 'whatHappened'],
    });
    await writeFile(board, 'Subject: Board briefing\n\n{{clock}} was breached\n');
    expect(issuesOf(await loadPolicyFile(path))).toEqual([
      expect.objectContaining({ file: board, line: 3, found: '{{clock}}' }),
    ]);
  });

  it('may share one file between ids', async () => {
    const text = withTemplates(
      DEFAULT_FILE_TEXT,
      OVERRIDE_UPDATE,
      `initial_notification: { file: ${UPDATE_FILE}, audience: customers }`,
    );
    const loaded = loadedOf(await loadPolicyFile(await copyDefaultPolicyFolder(text)));
    expect(loaded.templates.initial_notification?.body).toBe(loaded.templates.customer_update?.body);
    expect(loaded.files.filter((file) => file.path === UPDATE_FILE)).toHaveLength(1);
  });
});

describe('the policy version and templates', () => {
  it('changes when one byte of a template of the policy folder changes', async () => {
    const { path, template } = await folderWithOwnUpdate();
    const before = loadedOf(await loadPolicyFile(path)).version;
    const text = await readFile(template, 'utf8');
    await writeFile(template, text.replace('Kind regards', 'Kind Regards'));
    expect(loadedOf(await loadPolicyFile(path)).version).not.toBe(before);
  });

  it('differs between a policy using the built-in template and one using an identical copy', async () => {
    const builtIn = loadedOf(await loadPolicyFile(await copyDefaultPolicyFolder())).version;
    const { path } = await folderWithOwnUpdate();
    // The policy text differs too, but the stored files say where each template came from.
    const own = loadedOf(await loadPolicyFile(path));
    expect(own.version).not.toBe(builtIn);
    expect(own.files.find((f) => f.path === UPDATE_FILE)?.content).toBe(
      await readFile(join(dirname(DEFAULT_POLICY_PATH), UPDATE_FILE), 'utf8'),
    );
  });

  it('covers the built-in templates under a prefix no policy path can take', () => {
    const loaded = loadedOf(parsePolicy(DEFAULT_TEXT, FILE));
    const builtIn = loaded.files.filter((file) => file.path.startsWith('(built-in)/templates/'));
    expect(builtIn).toHaveLength(8);
    for (const file of builtIn) expect(isTemplatePath(file.path)).toBe(false);
    expect(isTemplatePath('built-in/templates/resolution.txt')).toBe(true);
  });
});

describe('the communications section', () => {
  const TEMPLATE_PATH_EXPECTED =
    'a relative path to a text file inside the policy folder, such as "templates/customer-update.txt"';

  it.each([
    ['../outside.txt'],
    ['/etc/vigil/update.txt'],
    ['templates/update.md'],
    ['templates/.hidden.txt'],
    ['(built-in)/templates/customer-update.txt'],
  ])('refuses the template path %s', (file) => {
    const text = withTemplates(DEFAULT_TEXT, `customer_update: { file: "${file}", audience: customers }`);
    expect(issuesOf(parsePolicy(text, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.templates.customer_update.file',
        expected: TEMPLATE_PATH_EXPECTED,
      }),
    ]);
  });

  it('refuses a template id that is not an id', () => {
    const text = withTemplates(
      DEFAULT_TEXT,
      '"Board Briefing": { file: templates/b.txt, audience: internal }',
    );
    expect(issuesOf(parsePolicy(text, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.templates.Board Briefing',
        line: lineOfText(text, 'Board Briefing'),
        found: '"Board Briefing"',
      }),
    ]);
  });

  it('refuses a required template written for the wrong audience, and a custom one without an audience', () => {
    const text = withTemplates(
      DEFAULT_TEXT,
      'escalation: { file: templates/escalation.txt, audience: customers }',
      'board_briefing: { file: templates/b.txt }',
    );
    const issues = issuesOf(parsePolicy(text, FILE));
    expect(issues.map((i) => [i.path, i.expected, i.found])).toEqual([
      ['communications.templates.board_briefing.audience', 'one of "customers", "internal"', 'nothing'],
    ]);
    const wrongAudience = withTemplates(
      DEFAULT_TEXT,
      'escalation: { file: templates/escalation.txt, audience: customers }',
    );
    expect(issuesOf(parsePolicy(wrongAudience, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.templates.escalation.audience',
        line: lineOfText(wrongAudience, 'escalation: { file'),
        expected: '"internal", the audience Vigil sends template "escalation" to',
        found: '"customers"',
      }),
    ]);
  });

  it('refuses approvers that are not roles', () => {
    const text = policyVariant(['internal: []', 'internal: [owner, comms]']);
    expect(issuesOf(parsePolicy(text, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.approvers.internal.1',
        expected:
          'a role id: one of "owner", "technical_responder", "communications_lead", "regulator_approver"',
        found: '"comms"',
      }),
    ]);
  });

  it('accepts empty approver lists: no approval needed', () => {
    const text = policyVariant(['customers: [communications_lead, owner]', 'customers: []']);
    expect(loadedOf(parsePolicy(text, FILE)).policy.communications.approvers).toEqual({
      customers: [],
      internal: [],
    });
  });

  it('refuses emergency severities that are not severities and webhooks that are not declared', () => {
    const text = policyVariant(
      ['severities: [critical]', 'severities: [sev1]'],
      ['    webhooks: []', '    webhooks: [ops]'],
    );
    const issues = issuesOf(parsePolicy(text, FILE));
    expect(issues.map((i) => [i.path, i.expected, i.found])).toEqual([
      [
        'communications.emergency.severities.0',
        'a severity id: one of "critical", "high", "medium", "low"',
        '"sev1"',
      ],
      [
        'communications.emergency.webhooks.0',
        'a webhook id from communications.webhooks, which lists none',
        '"ops"',
      ],
    ]);
  });

  it('accepts an emergency webhook declared in webhooks, and refuses a repeated webhook id', () => {
    const declared = policyVariant(
      ['    webhooks: []', '    webhooks: [ops-pager]'],
      ['\n  webhooks: []', '\n  webhooks:\n    - { id: ops-pager, format: slack }'],
    );
    expect(loadedOf(parsePolicy(declared, FILE)).policy.communications.webhooks).toEqual([
      { id: 'ops-pager', format: 'slack' },
    ]);
    const repeated = applyEdits(declared, [
      [
        '{ id: ops-pager, format: slack }',
        '{ id: ops-pager, format: slack }\n    - { id: ops-pager, format: teams }',
      ],
    ]);
    expect(issuesOf(parsePolicy(repeated, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.webhooks.1.id',
        expected: 'an id not used earlier in the list',
      }),
    ]);
    const badFormat = applyEdits(declared, [['format: slack }', 'format: discord }']]);
    expect(issuesOf(parsePolicy(badFormat, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.webhooks.0.format',
        expected: 'one of "generic", "teams", "slack"',
      }),
    ]);
  });

  it('refuses an emergency path that reaches nobody', () => {
    const text = policyVariant([
      `    notify:
      - { title: Chief Product Officer, email: cpo@example.com }
      - { title: Chief Technology Officer, email: cto@example.com }
      - { title: Head of Engineering, email: head-of-engineering@example.com }
`,
      '    notify: []\n',
    ]);
    expect(issuesOf(parsePolicy(text, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.emergency.notify',
        line: lineOfText(text, 'notify: []'),
      }),
    ]);
    const off = applyEdits(text, [['severities: [critical]', 'severities: []']]);
    expect(loadedOf(parsePolicy(off, FILE)).policy.communications.emergency.severities).toEqual([]);
  });

  it('refuses months for the delivery alert, which is wall time', () => {
    const text = policyVariant(['deliveryAlertAfter: 30 minutes', 'deliveryAlertAfter: 1 month']);
    expect(issuesOf(parsePolicy(text, FILE))).toEqual([
      expect.objectContaining({
        path: 'communications.deliveryAlertAfter',
        expected: 'a wall-clock duration in minutes, hours, days or weeks (months and years vary in length)',
      }),
    ]);
  });

  it('requires approvers, deliveryAlertAfter, emergency and webhooks, but not templates', () => {
    const text = policyVariant(['  templates: {}\n', '']);
    expect(loadedOf(parsePolicy(text, FILE)).policy.communications.templates).toEqual({});
    const bare = DEFAULT_TEXT.slice(0, DEFAULT_TEXT.indexOf('  # Before a drafted message'));
    const issues = issuesOf(parsePolicy(bare, FILE));
    expect(issues.map((i) => [i.path, i.found])).toEqual([
      ['communications.approvers', 'nothing'],
      ['communications.deliveryAlertAfter', 'nothing'],
      ['communications.emergency', 'nothing'],
      ['communications.webhooks', 'nothing'],
    ]);
  });
});
