/**
 * Turns YAML and schema errors into {@link PolicyIssue}s that name the file,
 * the dotted path, the line, what was expected and what was found.
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type YAMLError,
} from 'yaml';
import type { z } from 'zod';

/** One problem in a policy file. */
export interface PolicyIssue {
  /** The file as given by the caller (a path, or `built-in`). */
  file: string;
  /** Dotted path such as `slas.critical.acknowledge.within`; `(root)` for the whole document. */
  path: string;
  /** 1-based line of the offending key or value, when the file has one. */
  line?: number;
  /** What a valid policy has there, e.g. `a time "HH:MM"`. */
  expected: string;
  /** The value found, as truncated JSON, or `nothing` when it is missing. */
  found: string;
  /** `expected …, found …` as one sentence. */
  message: string;
}

type PathSegment = string | number;

const FOUND_MAX_LENGTH = 60;
const ROOT_PATH = '(root)';

/** Shows a value for an error message: JSON, shortened, `nothing` for a missing one. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // A YAML alias inside its own anchor (`a: &x [*x]`) makes a value that contains itself.
    return 'a value that contains itself (an alias inside its own anchor)';
  }
  return json.length > FOUND_MAX_LENGTH ? `${json.slice(0, FOUND_MAX_LENGTH - 1)}…` : json;
}

/** Writes a path as `a.b.0.c`, or `(root)` when empty. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? ROOT_PATH : path.map(String).join('.');
}

export function makeIssue(fields: Omit<PolicyIssue, 'message'>): PolicyIssue {
  const issue: PolicyIssue = { ...fields, message: `expected ${fields.expected}, found ${fields.found}` };
  if (issue.line === undefined) delete issue.line;
  return issue;
}

/** Formats an issue on one line: `policy.yaml:12 slas.critical.acknowledge.within: expected …, found "fifteen"`. */
export function formatPolicyIssue(issue: PolicyIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return `${where} ${issue.path}: ${issue.message}`;
}

/** YAML syntax errors, one issue each, at the document root. */
export function yamlSyntaxIssues(errors: readonly YAMLError[], file: string): PolicyIssue[] {
  return errors.map((error) =>
    makeIssue({
      file,
      path: ROOT_PATH,
      line: error.linePos?.[0].line,
      expected: 'valid YAML',
      // The library's message repeats the source excerpt over several lines; the first line is enough.
      found: `a syntax error (${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')})`,
    }),
  );
}

function mapEntry(node: Node, key: PathSegment): { keyNode: Node | null; value: unknown } | null {
  if (!isMap(node)) return null;
  const pair = node.items.find(
    (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key),
  );
  return pair ? { keyNode: isScalar(pair.key) ? pair.key : null, value: pair.value } : null;
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value);
}

/**
 * The line of the deepest node along `path` that exists: the key line for a
 * map entry (where a reader looks for it), the item line for a list entry.
 */
export function lineOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const segment of path) {
    if (!isNode(node) || typeof segment === 'symbol') break;
    if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (isNode(node)) offset = node.range?.[0] ?? offset;
      continue;
    }
    const entry = mapEntry(node, segment);
    if (!entry) break;
    offset = entry.keyNode?.range?.[0] ?? offset;
    node = entry.value;
  }
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = data;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** The keys a strict object accepts, read from the schema that raised the issue. */
function knownKeys(issue: { inst?: unknown }): string[] {
  const shape = (issue.inst as { def?: { shape?: Record<string, unknown> } } | undefined)?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * The per-parse zod error map: states, for zod's built-in issue kinds, what
 * was expected. Schema-level messages (already phrased as expectations) win.
 */
export function expectedFromZod(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'object'
        ? 'a mapping of keys to values'
        : `a value of type ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'unrecognized_keys': {
      const keys = knownKeys(issue);
      return keys.length > 0 ? `one of the keys ${keys.join(', ')}` : 'no other keys';
    }
    case 'invalid_format':
      return issue.format === 'email' ? 'an email address' : `a value in ${issue.format} format`;
    case 'too_small':
      return issue.origin === 'array' ? `at least ${issue.minimum} item(s)` : `at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `at most ${issue.maximum} item(s)` : `at most ${issue.maximum}`;
    default:
      return undefined;
  }
}

/** Schema issues, one per problem; an unknown-keys issue becomes one issue per key, at that key. */
export function schemaIssues(
  issues: readonly z.core.$ZodIssue[],
  context: { file: string; data: unknown; doc: Document; lineCounter: LineCounter },
): PolicyIssue[] {
  const { file, data, doc, lineCounter } = context;
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path, key];
        const line = lineOf(doc, lineCounter, path);
        return makeIssue({
          file,
          path: dottedPath(path),
          line,
          expected: issue.message,
          found: `unknown key "${key}"`,
        });
      });
    }
    const line = lineOf(doc, lineCounter, issue.path);
    // A rule may describe what it found better than the raw value (e.g. an unexpected key).
    const custom = issue.code === 'custom' ? issue.params?.found : undefined;
    const found = typeof custom === 'string' ? custom : describeFound(valueAt(data, issue.path));
    return [makeIssue({ file, path: dottedPath(issue.path), line, expected: issue.message, found })];
  });
}
