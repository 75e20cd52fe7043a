/**
 * Reads a policy file and the runbooks it names, validates them and fingerprints them.
 *
 * The version of a policy is the SHA-256 of its exact bytes bundled with those of its runbooks
 * (see policy-bundle.ts), so two policies that differ by a single character (even a comment in
 * a runbook) are different versions and an incident can name precisely what it was handled under.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Document, LineCounter, parseDocument } from 'yaml';
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
import { assembleRunbooks, type RunbookRead, runbookPaths } from './policy-runbooks.ts';
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
   * The runbook files' exact text, each once, sorted by path (relative to the policy file's
   * folder): with {@link text}, everything the version covers, to be stored with it.
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

function validateText(content: string | Uint8Array, file: string): ValidText | PolicyIssue[] {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a repeated key a syntax error instead of a silent overwrite.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return yamlSyntaxIssues(doc.errors, file);
  const data: unknown = doc.toJS();
  const parsed = policySchema.safeParse(data, { error: expectedFromZod });
  if (!parsed.success) return schemaIssues(parsed.error.issues, { file, data, doc, lineCounter });
  return { policy: parsed.data, bytes, text, doc, lineCounter };
}

/** Combines a valid policy file with what reading its runbooks gave. */
function completePolicy(
  valid: ValidText,
  reads: ReadonlyMap<string, RunbookRead>,
  names: { source: string; file: string },
): PolicyLoadResult {
  const { runbooks, files, problems } = assembleRunbooks(valid.policy, reads);
  if (problems.length > 0) {
    const errors = problems.map(({ categoryIndex, expected, found }) => {
      const path = ['categories', categoryIndex, 'runbook'];
      const line = lineOf(valid.doc, valid.lineCounter, path);
      return makeIssue({ file: names.file, path: path.join('.'), line, expected, found });
    });
    return { ok: false, errors };
  }
  return {
    ok: true,
    policy: {
      policy: valid.policy,
      version: policyBundleVersion(valid.bytes, files),
      source: names.source,
      text: valid.text,
      runbooks,
      files: files.map(({ path, content }) => ({ path, content })),
    },
  };
}

/** Describes a failed read for an issue: `no such file /etc/vigil/policy.yaml`. */
function readFailure(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? `no such file ${path}` : `an unreadable file ${path} (${code ?? String(error)})`;
}

const RUNBOOK_EXPECTED = 'a readable runbook file';

const NO_FOLDER: RunbookRead = {
  ok: false,
  expected: 'a policy folder to read the runbook from',
  found: 'none: the policy text was given without baseDir',
};

function readRunbookSync(baseDir: string, path: string): RunbookRead {
  const absolute = resolve(baseDir, path);
  try {
    return { ok: true, bytes: readFileSync(absolute) };
  } catch (error) {
    return { ok: false, expected: RUNBOOK_EXPECTED, found: readFailure(absolute, error) };
  }
}

async function readRunbook(baseDir: string, path: string): Promise<RunbookRead> {
  const absolute = resolve(baseDir, path);
  try {
    return { ok: true, bytes: await readFile(absolute) };
  } catch (error) {
    return { ok: false, expected: RUNBOOK_EXPECTED, found: readFailure(absolute, error) };
  }
}

/**
 * Parses and validates policy text and the runbooks it names. Never throws for a bad policy:
 * every problem found comes back as an issue. Runbooks are read synchronously; services load
 * policies with {@link loadPolicyFile} instead.
 *
 * @param content the file's text, or its bytes (hashed exactly as given).
 * @param source the path or label reported in issues and in {@link LoadedPolicy.source}.
 * @param options.baseDir the folder runbook paths are relative to (the policy file's folder).
 *   Without it, a category that names a runbook is an issue.
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
  const reads = new Map(
    runbookPaths(valid.policy).map((path) => [
      path,
      baseDir === undefined ? NO_FOLDER : readRunbookSync(baseDir, path),
    ]),
  );
  return completePolicy(valid, reads, { source, file: source });
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

/** Reads the policy at `path` and its runbooks (relative to the file's folder), and validates them. */
async function loadFrom(path: string, source: string): Promise<PolicyLoadResult> {
  const bytes = await readPolicyBytes(path);
  if (!(bytes instanceof Uint8Array)) return { ok: false, errors: [bytes] };
  const valid = validateText(bytes, path);
  if (Array.isArray(valid)) return { ok: false, errors: valid };
  const baseDir = dirname(path);
  const paths = runbookPaths(valid.policy);
  const reads = new Map(
    await Promise.all(paths.map(async (p) => [p, await readRunbook(baseDir, p)] as const)),
  );
  return completePolicy(valid, reads, { source, file: path });
}

/**
 * Reads and validates the policy at `path` and the runbooks it names, which are resolved
 * against the file's folder. A missing or unreadable policy file is one issue, not a throw;
 * a missing runbook is an issue at the category that names it.
 */
export async function loadPolicyFile(path: string): Promise<PolicyLoadResult> {
  return loadFrom(path, path);
}

/**
 * Loads the built-in default policy with its runbooks (policy/runbooks/); its source is
 * `built-in`, its issues name the real file.
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
