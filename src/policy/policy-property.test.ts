/**
 * Property-based tests (fast-check) of the policy loader over mutated copies
 * of the built-in policy: keys deleted, types changed, bad durations, unknown
 * rule kinds, duplicate ids, unexpected keys, broken YAML and alias tricks.
 * The loader never throws; it answers with issues that name a path, and a
 * policy broken on purpose is never accepted. The seed is fixed; fast-check
 * prints it with the shrunk counterexample on failure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  type JsonPath,
  jsonMutations,
  mutated,
  pathsOf,
  valueAt,
} from '../../test/support/json-mutations.ts';
import { DEFAULT_TEXT } from './fixtures/policy-variants.ts';
import { parseDuration } from './policy-duration.ts';
import type { PolicyIssue } from './policy-issues.ts';
import { parsePolicy } from './policy-loader.ts';

const SEED = 0x11_04;
/** One load takes tens of milliseconds (YAML, schema, holiday data): runs are few but targeted. */
const RUNS = 40;
const FILE = 'policy.yaml';

const DEFAULT_DATA: unknown = parse(DEFAULT_TEXT);
const dotted = (path: JsonPath) => (path.length === 0 ? '(root)' : path.join('.'));

/** Loads `text`, which must not throw, and checks the shape of every issue. */
function load(text: string) {
  const result = parsePolicy(text, FILE);
  if (result.ok) return result;
  const lines = text.split('\n').length;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const issue of result.errors) {
    expect(issue.file).toBe(FILE);
    expect(issue.path).toMatch(/^(\(root\)|[^.\s][^\s]*)$/);
    expect(issue.expected.length).toBeGreaterThan(0);
    expect(issue.found.length).toBeGreaterThan(0);
    expect(issue.message).toBe(`expected ${issue.expected}, found ${issue.found}`);
    if (issue.line !== undefined) expect(issue.line).toBeGreaterThanOrEqual(1);
    if (issue.line !== undefined) expect(issue.line).toBeLessThanOrEqual(lines + 1);
  }
  return result;
}

/**
 * Loads data that was broken on purpose: refused, with an issue at `path`, under it, or at its
 * parent (a value that may take several shapes, such as a rule's severity, is refused as a whole).
 */
function expectRefusedAt(data: unknown, path: string): PolicyIssue[] {
  const result = load(stringify(data));
  expect(result.ok, `accepted a policy broken at ${path}`).toBe(false);
  const errors = result.ok ? [] : result.errors;
  const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : path;
  const named = errors.some(
    (issue) => issue.path === path || issue.path.startsWith(`${path}.`) || issue.path === parent,
  );
  expect(named, `${path} not named in ${JSON.stringify(errors.map((i) => i.path))}`).toBe(true);
  return errors;
}

/** Paths in the default policy whose value satisfies `test`. */
function pathsWhere(test: (value: unknown) => boolean): JsonPath[] {
  return pathsOf(DEFAULT_DATA).filter((path) => test(valueAt(DEFAULT_DATA, path)));
}

const DURATION_PATHS = pathsWhere((value) => typeof value === 'string' && parseDuration(value).ok);
const RULE_COUNT = (valueAt(DEFAULT_DATA, ['detection', 'rules']) as unknown[]).length;
/** Lists of objects with ids: every one of them must refuse a repeated id. */
const ID_LISTS = pathsWhere(
  (value) =>
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => typeof (item as { id?: unknown } | null)?.id === 'string'),
);
const OBJECT_PATHS = [
  [],
  ...pathsWhere((value) => value !== null && typeof value === 'object' && !Array.isArray(value)),
];

/** A string that is no duration: no digits, or a unit nobody measures a clock in. */
const badDuration = fc.oneof(
  fc.constantFrom(
    'fifteen',
    'minutes',
    '15 fortnights',
    '-1 hour',
    '0 minutes',
    'PT',
    'P',
    'PT0S',
    '1.5.3 hours',
    '',
  ),
  fc.string({ maxLength: 20 }).filter((text) => !/\d/.test(text)),
  fc.integer(),
  fc.boolean(),
);

describe('policy loader properties', () => {
  it('has the targets these properties aim at', () => {
    expect(DURATION_PATHS.length).toBeGreaterThan(20);
    expect(ID_LISTS.map(dotted)).toEqual(
      expect.arrayContaining([
        'severities',
        'categories',
        'components',
        'lifecycle.phases',
        'roles',
        'detection.rules',
      ]),
    );
    expect(load(stringify(DEFAULT_DATA)).ok).toBe(true);
  });

  it('never throws on random structural mutations, and names a path when it refuses', () => {
    fc.assert(
      fc.property(jsonMutations({ hugeLength: 20_000, maxDepth: 50 }), (mutations) => {
        load(stringify(mutated(DEFAULT_DATA, mutations)) ?? '');
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('refuses a deleted key, naming it or a path beside it', () => {
    const keys = pathsOf(DEFAULT_DATA).filter((path) => typeof path[path.length - 1] === 'string');
    fc.assert(
      fc.property(fc.constantFrom(...keys), (path) => {
        const data = mutated(DEFAULT_DATA, []);
        const parent = valueAt(data, path.slice(0, -1)) as Record<string, unknown>;
        delete parent[path[path.length - 1] as string];
        const result = load(stringify(data));
        // Some keys are optional: only a refusal is checked for naming the right place.
        if (!result.ok && path.length > 1) {
          const near = dotted(path.slice(0, -1));
          expect(
            result.errors.some((issue) => issue.path === near || issue.path.startsWith(`${near}.`)),
          ).toBe(true);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('refuses a bad duration at the duration', () => {
    fc.assert(
      fc.property(fc.constantFrom(...DURATION_PATHS), badDuration, (path, bad) => {
        const data = mutated(DEFAULT_DATA, []);
        (valueAt(data, path.slice(0, -1)) as Record<string, unknown>)[path[path.length - 1] as string] = bad;
        expectRefusedAt(data, dotted(path));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('refuses an unknown detection rule kind at the rule', () => {
    const kind = fc
      .string({ maxLength: 20 })
      .filter((k) => !['match', 'threshold', 'distinct', 'rate'].includes(k));
    fc.assert(
      fc.property(
        fc.nat({ max: RULE_COUNT - 1 }),
        fc.oneof(kind, fc.integer(), fc.constant(null)),
        (index, bad) => {
          const data = mutated(DEFAULT_DATA, []);
          (valueAt(data, ['detection', 'rules', index]) as Record<string, unknown>).kind = bad;
          expectRefusedAt(data, `detection.rules.${index}`);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('refuses a repeated id in every list of ids, at the repeat', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ID_LISTS), fc.nat(), (listPath, pick) => {
        const data = mutated(DEFAULT_DATA, []);
        const list = valueAt(data, listPath) as unknown[];
        list.push(structuredClone(list[pick % list.length]));
        expectRefusedAt(data, `${dotted(listPath)}.${list.length - 1}.id`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('refuses a value of another type, wherever it is', () => {
    const paths = pathsOf(DEFAULT_DATA);
    fc.assert(
      fc.property(fc.nat({ max: paths.length - 1 }), fc.nat(), (at, choice) => {
        const path = paths[at] as JsonPath;
        const data = mutated(DEFAULT_DATA, [{ kind: 'retype', at, choice }]);
        const swapped = valueAt(data, path);
        // null is a legal value for a few optional settings (holidays, customerUpdate): not a break on purpose.
        fc.pre(swapped !== null);
        expectRefusedAt(data, dotted(path));
      }),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it('refuses a key nobody expects, at that key', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OBJECT_PATHS),
        fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/),
        (path, suffix) => {
          const data = mutated(DEFAULT_DATA, []);
          const key = `zz${suffix}`;
          (valueAt(data, path) as Record<string, unknown>)[key] = { 'unexpected-member': [] };
          expectRefusedAt(data, dotted([...path, key]).replace(/^\(root\)\./, ''));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never throws on broken YAML text: truncated, spliced, or abusing anchors and aliases', () => {
    const anchorAbuse = fc.constantFrom(
      'x: *nowhere\n',
      'a: &a [*a]\n',
      '- &a [*a]\n',
      'a: &a {b: *a}\n',
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(8)}*a]\nc: &c [${'*b, '.repeat(8)}*b]\nd: &d [${'*c, '.repeat(8)}*c]\ne: [${'*d, '.repeat(8)}*d]\n`,
      '<<: *x\n',
      '!!binary x\n',
      'a: !!js/function "function () {}"\n',
    );
    const splice = fc.tuple(fc.nat(), fc.oneof(anchorAbuse, fc.string({ unit: 'binary', maxLength: 8 })));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat().map((cut) => ({ cut })),
          splice.map(([at, text]) => ({ at, text })),
        ),
        (edit) => {
          const text =
            'cut' in edit
              ? DEFAULT_TEXT.slice(0, edit.cut % DEFAULT_TEXT.length)
              : `${DEFAULT_TEXT.slice(0, edit.at % DEFAULT_TEXT.length)}${edit.text}${DEFAULT_TEXT.slice(edit.at % DEFAULT_TEXT.length)}`;
          load(text);
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  });

  it.each([
    ['an alias to no anchor', 'x: *nowhere\n', '(root)'],
    ['a root that contains itself', '- &a [*a]\n', '(root)'],
    [
      'a closure list that contains itself',
      DEFAULT_TEXT.replace('closures: []', 'closures: &c [*c]'),
      'time.closures.0',
    ],
    [
      'an alias expansion bomb',
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(8)}*a]\nc: &c [${'*b, '.repeat(8)}*b]\nd: &d [${'*c, '.repeat(8)}*c]\ne: [${'*d, '.repeat(8)}*d]\n`,
      '(root)',
    ],
  ])('regression: %s is an issue, not a throw', (_name, text, path) => {
    const result = load(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((issue) => issue.path)).toContain(path);
  });
});
