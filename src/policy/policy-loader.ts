/**
 * Reads a policy file, validates it and fingerprints it.
 *
 * The version of a policy is the SHA-256 of its exact bytes, so two files
 * that differ by a single character (even a comment) are different versions
 * and an incident can name precisely the text it was handled under.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { sha256Hex } from '../platform/crypto.ts';
import {
  expectedFromZod,
  formatPolicyIssue,
  makeIssue,
  type PolicyIssue,
  schemaIssues,
  yamlSyntaxIssues,
} from './policy-issues.ts';
import { type Policy, policySchema } from './policy-types.ts';

export type { PolicyIssue } from './policy-issues.ts';
export { formatPolicyIssue } from './policy-issues.ts';

/** A valid policy together with where it came from and which exact text it was. */
export interface LoadedPolicy {
  policy: Policy;
  /** `sha256:` followed by the lower-case hex digest of the file's bytes. */
  version: string;
  /** The path the policy was read from, or `built-in` for the default policy. */
  source: string;
  /** The file's text. */
  text: string;
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

/** The policy version of some bytes: `sha256:<hex>`. */
export function policyVersion(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}

function parseWithFile(content: string | Uint8Array, source: string, file: string): PolicyLoadResult {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a repeated key a syntax error instead of a silent overwrite.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, errors: yamlSyntaxIssues(doc.errors, file) };
  const data: unknown = doc.toJS();
  const parsed = policySchema.safeParse(data, { error: expectedFromZod });
  if (!parsed.success) {
    return { ok: false, errors: schemaIssues(parsed.error.issues, { file, data, doc, lineCounter }) };
  }
  return { ok: true, policy: { policy: parsed.data, version: policyVersion(bytes), source, text } };
}

/**
 * Parses and validates policy text. Never throws for a bad policy: every
 * problem found comes back as an issue.
 *
 * @param content the file's text, or its bytes (hashed exactly as given).
 * @param source the path or label reported in issues and in {@link LoadedPolicy.source}.
 */
export function parsePolicy(content: string | Uint8Array, source: string): PolicyLoadResult {
  return parseWithFile(content, source, source);
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

/** Reads and validates the policy at `path`; a missing or unreadable file is one issue, not a throw. */
export async function loadPolicyFile(path: string): Promise<PolicyLoadResult> {
  const bytes = await readPolicyBytes(path);
  if (!(bytes instanceof Uint8Array)) return { ok: false, errors: [bytes] };
  return parseWithFile(bytes, path, path);
}

/** Loads the built-in default policy; its source is `built-in`, its issues name the real file. */
export async function loadDefaultPolicy(): Promise<PolicyLoadResult> {
  const bytes = await readPolicyBytes(DEFAULT_POLICY_PATH);
  if (!(bytes instanceof Uint8Array)) return { ok: false, errors: [bytes] };
  return parseWithFile(bytes, BUILT_IN_SOURCE, DEFAULT_POLICY_PATH);
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
