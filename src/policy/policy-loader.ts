/**
 * Reads a policy file, the runbooks it names and the message templates it uses, validates them
 * and fingerprints them.
 *
 * The version of a policy is the SHA-256 of its exact bytes bundled with those of its runbooks
 * and templates (see policy-bundle.ts), so two policies that differ by a single character (even a
 * comment in a runbook, or a word in a message) are different versions and an incident can name
 * precisely what it was handled under.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { MessageTemplate } from '../communication/message-template.ts';
import { policyBundleVersion } from './policy-bundle.ts';
import {
  expectedFromZod,
  formatPolicyIssue,
  lineOf,
  makeIssue,
  type PolicyIssue,
  schemaIssues,
  yamlSyntaxIssues,
} from './policy-issues.ts';
import { assembleRunbooks, type PolicyFileRead, runbookPaths } from './policy-runbooks.ts';
import { assembleTemplates, type TemplateProblem, templateFiles } from './policy-templates.ts';
import { type Policy, policySchema, type Runbook } from './policy-types.ts';

export { policyBundle, policyBundleVersion, policyVersion } from './policy-bundle.ts';
export type { PolicyIssue } from './policy-issues.ts';
export { formatPolicyIssue } from './policy-issues.ts';

/** A valid policy together with where it came from and which exact text it was. */
export interface LoadedPolicy {
  policy: Policy;
  /** `sha256:` and the lower-case hex digest of the policy file's bytes bundled with its runbooks'. */
  version: string;
  /** The path the policy was read from, or `built-in` for the default policy. */
  source: string;
  /** The policy file's text. */
  text: string;
  /** Category id to its parsed runbook; categories without a runbook are absent. */
  runbooks: Record<string, Runbook>;
  /**
   * Template id to its message template: every id in REQUIRED_TEMPLATES (from the policy folder
   * when `communications.templates` names it, otherwise Vigil's built-in one), then the policy's own.
   */
  templates: Record<string, MessageTemplate>;
  /**
   * The exact text of the runbook and template files used, each once, sorted by path (relative
   * to the policy file's folder; Vigil's built-in templates under `(built-in)/templates/`): with
   * {@link text}, everything the version covers, to be stored with it.
   */
  files: { path: string; content: string }[];
}

export type PolicyLoadResult = { ok: true; policy: LoadedPolicy } | { ok: false; errors: PolicyIssue[] };

/** Absolute path of the built-in default policy shipped with Vigil. */
export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('../../policy/default.yaml', import.meta.url));

/** The `source` recorded for the built-in default policy. */
export const BUILT_IN_SOURCE = 'built-in';

/** Thrown by {@link requireValidPolicy} so that a process refuses to start on a broken policy. */
export class PolicyInvalidError extends Error {
  readonly issues: readonly PolicyIssue[];

  constructor(issues: readonly PolicyIssue[]) {
    const lines = issues.map(formatPolicyIssue).join('\n');
    super(`the policy is invalid (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${lines}`);
    this.name = 'PolicyInvalidError';
    this.issues = issues;
  }
}

/** A policy file whose YAML and schema are valid, waiting for its runbooks. */
interface ValidText {
  policy: Policy;
  bytes: Uint8Array;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

/**
 * The document as plain data. Aliases are resolved only here, so an alias to
 * no anchor, or one expanding past the YAML library's alias budget (a
 * "billion laughs" file), throws here and not while parsing: it becomes an
 * issue at the root like any other invalid YAML, never a crash of the caller.
 */
function documentData(
  doc: Document,
  file: string,
): { ok: true; data: unknown } | { ok: false; issue: PolicyIssue } {
  try {
    return { ok: true, data: doc.toJS() };
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    const found = `an unusable alias (${reason})`;
    return { ok: false, issue: makeIssue({ file, path: '(root)', expected: 'valid YAML', found }) };
  }
}

function validateText(content: string | Uint8Array, file: string): ValidText | PolicyIssue[] {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a repeated key a syntax error instead of a silent overwrite.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return yamlSyntaxIssues(doc.errors, file);
  const read = documentData(doc, file);
  if (!read.ok) return [read.issue];
  const data = read.data;
  const parsed = policySchema.safeParse(data, { error: expectedFromZod });
  if (!parsed.success) return schemaIssues(parsed.error.issues, { file, data, doc, lineCounter });
  return { policy: parsed.data, bytes, text, doc, lineCounter };
}

/** What the loader read besides the policy file, keyed by path relative to each file's folder. */
interface FileReads {
  runbooks: ReadonlyMap<string, PolicyFileRead>;
  templates: ReadonlyMap<string, PolicyFileRead>;
  builtInTemplates: ReadonlyMap<string, Uint8Array>;
}

/** Where the policy came from: its source label, the file named in issues, and its folder if known. */
interface PolicyNames {
  source: string;
  file: string;
  baseDir: string | undefined;
}

/** A template problem as a policy issue: at the entry naming the file, or at a line of the template. */
function templateIssue(valid: ValidText, names: PolicyNames, problem: TemplateProblem): PolicyIssue {
  const entry = ['communications', 'templates', problem.templateId];
  const { expected, found } = problem;
  if (problem.at === 'entry') {
    const path = [...entry, 'file'];
    const line = lineOf(valid.doc, valid.lineCounter, path);
    return makeIssue({ file: names.file, path: path.join('.'), line, expected, found });
  }
  // A template file is only read from a known folder, so baseDir is set here.
  const file = join(names.baseDir ?? '', problem.file);
  return makeIssue({ file, path: entry.join('.'), line: problem.line, expected, found });
}

/** Combines a valid policy file with what reading its runbooks and templates gave. */
function completePolicy(valid: ValidText, reads: FileReads, names: PolicyNames): PolicyLoadResult {
  const runbooks = assembleRunbooks(valid.policy, reads.runbooks);
  const templates = assembleTemplates(valid.policy, {
    policy: reads.templates,
    builtIn: reads.builtInTemplates,
  });
  const errors = [
    ...runbooks.problems.map(({ categoryIndex, expected, found }) => {
      const path = ['categories', categoryIndex, 'runbook'];
      const line = lineOf(valid.doc, valid.lineCounter, path);
      return makeIssue({ file: names.file, path: path.join('.'), line, expected, found });
    }),
    ...templates.problems.map((problem) => templateIssue(valid, names, problem)),
  ];
  if (errors.length > 0) return { ok: false, errors };
  const files = [...runbooks.files, ...templates.files].sort((a, b) =>
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
  );
  return {
    ok: true,
    policy: {
      policy: valid.policy,
      version: policyBundleVersion(valid.bytes, files),
      source: names.source,
      text: valid.text,
      runbooks: runbooks.runbooks,
      templates: templates.templates,
      files: files.map(({ path, content }) => ({ path, content })),
    },
  };
}

/** Describes a failed read for an issue: `no such file /etc/vigil/policy.yaml`. */
function readFailure(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? `no such file ${path}` : `an unreadable file ${path} (${code ?? String(error)})`;
}

/** The kinds of file a policy folder holds besides the policy, as named in issues. */
type FileKind = 'runbook' | 'template';

function noFolder(kind: FileKind): PolicyFileRead {
  return {
    ok: false,
    expected: `a policy folder to read the ${kind} from`,
    found: 'none: the policy text was given without baseDir',
  };
}

function readFolderFileSync(baseDir: string, path: string, kind: FileKind): PolicyFileRead {
  const absolute = resolve(baseDir, path);
  try {
    return { ok: true, bytes: readFileSync(absolute) };
  } catch (error) {
    return { ok: false, expected: `a readable ${kind} file`, found: readFailure(absolute, error) };
  }
}

async function readFolderFile(baseDir: string, path: string, kind: FileKind): Promise<PolicyFileRead> {
  const absolute = resolve(baseDir, path);
  try {
    return { ok: true, bytes: await readFile(absolute) };
  } catch (error) {
    return { ok: false, expected: `a readable ${kind} file`, found: readFailure(absolute, error) };
  }
}

/** Reads each of `paths` in `baseDir` (or reports that there is no folder) synchronously. */
function readAllSync(baseDir: string | undefined, paths: readonly string[], kind: FileKind) {
  return new Map(
    paths.map((path) => [
      path,
      baseDir === undefined ? noFolder(kind) : readFolderFileSync(baseDir, path, kind),
    ]),
  );
}

async function readAll(baseDir: string, paths: readonly string[], kind: FileKind) {
  return new Map(
    await Promise.all(paths.map(async (p) => [p, await readFolderFile(baseDir, p, kind)] as const)),
  );
}

/** Vigil's built-in templates' paths are relative to the folder of its default policy. */
const BUILT_IN_FOLDER = dirname(DEFAULT_POLICY_PATH);

/** Reads Vigil's own templates; they are part of Vigil, so failing to read one is a broken install and throws. */
function readBuiltInTemplatesSync(files: readonly string[]): Map<string, Uint8Array> {
  return new Map(files.map((file) => [file, readFileSync(resolve(BUILT_IN_FOLDER, file))]));
}

async function readBuiltInTemplates(files: readonly string[]): Promise<Map<string, Uint8Array>> {
  const entries = await Promise.all(
    files.map(async (file) => [file, await readFile(resolve(BUILT_IN_FOLDER, file))] as const),
  );
  return new Map(entries);
}

/**
 * Parses and validates policy text, the runbooks it names and the templates it uses. Never
 * throws for a bad policy: every problem found comes back as an issue. Files are read
 * synchronously; services load policies with {@link loadPolicyFile} instead.
 *
 * @param content the file's text, or its bytes (hashed exactly as given).
 * @param source the path or label reported in issues and in {@link LoadedPolicy.source}.
 * @param options.baseDir the folder runbook and template paths are relative to (the policy
 *   file's folder). Without it, a category that names a runbook, or a template entry in
 *   `communications.templates`, is an issue; Vigil's built-in templates are always read.
 * @example
 * const result = parsePolicy(text, 'policy.yaml', { baseDir: '/etc/vigil' });
 */
export function parsePolicy(
  content: string | Uint8Array,
  source: string,
  options: { baseDir?: string } = {},
): PolicyLoadResult {
  const valid = validateText(content, source);
  if (Array.isArray(valid)) return { ok: false, errors: valid };
  const { baseDir } = options;
  const reads: FileReads = {
    runbooks: readAllSync(baseDir, runbookPaths(valid.policy), 'runbook'),
    templates: readAllSync(baseDir, templateFiles(valid.policy, 'policy'), 'template'),
    builtInTemplates: readBuiltInTemplatesSync(templateFiles(valid.policy, 'built-in')),
  };
  return completePolicy(valid, reads, { source, file: source, baseDir });
}

async function readPolicyBytes(path: string): Promise<Uint8Array | PolicyIssue> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : `an unreadable file (${code ?? String(error)})`;
    return makeIssue({ file: path, path: '(root)', expected: 'a readable policy file', found });
  }
}

/** Reads the policy at `path` and its files (relative to the file's folder), and validates them. */
async function loadFrom(path: string, source: string): Promise<PolicyLoadResult> {
  const bytes = await readPolicyBytes(path);
  if (!(bytes instanceof Uint8Array)) return { ok: false, errors: [bytes] };
  const valid = validateText(bytes, path);
  if (Array.isArray(valid)) return { ok: false, errors: valid };
  const baseDir = dirname(path);
  const [runbooks, templates, builtInTemplates] = await Promise.all([
    readAll(baseDir, runbookPaths(valid.policy), 'runbook'),
    readAll(baseDir, templateFiles(valid.policy, 'policy'), 'template'),
    readBuiltInTemplates(templateFiles(valid.policy, 'built-in')),
  ]);
  return completePolicy(valid, { runbooks, templates, builtInTemplates }, { source, file: path, baseDir });
}

/**
 * Reads and validates the policy at `path`, the runbooks it names and the templates it uses,
 * which are resolved against the file's folder. A missing or unreadable policy file is one
 * issue, not a throw; a missing runbook is an issue at the category that names it, a missing
 * template at its `communications.templates` entry.
 */
export async function loadPolicyFile(path: string): Promise<PolicyLoadResult> {
  return loadFrom(path, path);
}

/**
 * Loads the built-in default policy with its runbooks (policy/runbooks/) and templates
 * (policy/templates/); its source is `built-in`, its issues name the real file.
 */
export async function loadDefaultPolicy(): Promise<PolicyLoadResult> {
  return loadFrom(DEFAULT_POLICY_PATH, BUILT_IN_SOURCE);
}

/**
 * Returns the loaded policy or throws {@link PolicyInvalidError} listing every issue.
 *
 * @example
 * const loaded = requireValidPolicy(await loadPolicyFile(config.policyPath));
 */
export function requireValidPolicy(result: PolicyLoadResult): LoadedPolicy {
  if (!result.ok) throw new PolicyInvalidError(result.errors);
  return result.policy;
}
