/**
 * Structured mutations of a JSON document for property-based tests: drop a
 * member, swap its type, make it huge, fill it with awkward Unicode, bury it
 * in deep nesting, or add a member nobody expects. A mutation names its
 * target by an index into the document's paths, so fast-check can shrink it
 * and a failure replays the same mutation.
 */
import fc from 'fast-check';

export type JsonPath = (string | number)[];

export type JsonMutation =
  | { kind: 'drop'; at: number }
  | { kind: 'retype'; at: number; choice: number }
  | { kind: 'huge'; at: number; length: number }
  | { kind: 'unicode'; at: number; text: string }
  | { kind: 'nest'; at: number; depth: number }
  | { kind: 'extra'; at: number; key: string; value: unknown };

/** Values of every JSON type; `retype` takes the first (from `choice` on) whose type differs. */
const TYPE_SWAPS: readonly unknown[] = [null, 0, -1.5e308, true, '', 'x', [], {}, [[null]], { '': null }];

/** Strings that break naive handling: NUL, lone surrogates, bidi overrides, ZWJ emoji, combining marks. */
const AWKWARD_TEXT = [
  '\u0000',
  '\ud800',
  '\udfff\ud800',
  '\u202egnp.exe',
  '👩‍👩‍👧‍👦',
  'e\u0301\u0301\u0301',
  '\ufeff',
  '﷽',
  '\r\n\t',
  // Format and template placeholders, as printf, the message templates and JavaScript write them.
  '%s%n{{x}}$' + '{x}',
];

const jsonType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** Every path inside `value` (not the root itself), parents before children. */
export function pathsOf(value: unknown, prefix: JsonPath = [], found: JsonPath[] = []): JsonPath[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      found.push(path);
      pathsOf(child, path, found);
    }
  }
  return found;
}

/** Every path to an object or array inside `value`, the root (`[]`) first. */
export function containerPathsOf(value: unknown): JsonPath[] {
  return [[], ...pathsOf(value)].filter((path) => {
    const target = valueAt(value, path);
    return target !== null && typeof target === 'object';
  });
}

export function valueAt(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const key of path) current = (current as Record<string | number, unknown>)[key];
  return current;
}

function setAt(root: unknown, path: JsonPath, replace: (old: unknown) => unknown | typeof DROP): unknown {
  if (path.length === 0) {
    const next = replace(root);
    return next === DROP ? undefined : next;
  }
  const parent = valueAt(root, path.slice(0, -1)) as Record<string | number, unknown> & unknown[];
  const key = path[path.length - 1] as string | number;
  const next = replace(parent[key]);
  if (next !== DROP) parent[key] = next;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return root;
}

const DROP = Symbol('drop');

function nested(value: unknown, depth: number): unknown {
  let current = value;
  for (let level = 0; level < depth; level++) current = level % 2 === 0 ? [current] : { a: current };
  return current;
}

function retyped(old: unknown, choice: number): unknown {
  for (let offset = 0; offset < TYPE_SWAPS.length; offset++) {
    const candidate = TYPE_SWAPS[(choice + offset) % TYPE_SWAPS.length];
    if (jsonType(candidate) !== jsonType(old)) return structuredClone(candidate);
  }
  return null;
}

/** Applies one mutation to `document` in place (a root-level drop gives undefined) and returns it. */
export function applyMutation(document: unknown, mutation: JsonMutation): unknown {
  if (mutation.kind === 'extra') {
    const containers = containerPathsOf(document);
    if (containers.length === 0) return document;
    const target = valueAt(document, containers[mutation.at % containers.length] as JsonPath);
    if (Array.isArray(target)) target.push(mutation.value);
    // defineProperty, so that a `__proto__` key is an own member JSON.stringify writes, not a prototype.
    else
      Object.defineProperty(target, mutation.key, {
        value: mutation.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return document;
  }
  const paths = pathsOf(document);
  const path = paths.length === 0 ? [] : (paths[mutation.at % paths.length] as JsonPath);
  return setAt(document, path, (old) => {
    switch (mutation.kind) {
      case 'drop':
        return DROP;
      case 'retype':
        return retyped(old, mutation.choice);
      case 'huge':
        return typeof old === 'string' && old.length > 0
          ? old.repeat(Math.ceil(mutation.length / old.length))
          : 'x'.repeat(mutation.length);
      case 'unicode':
        return typeof old === 'string' ? `${old}${mutation.text}` : mutation.text;
      case 'nest':
        return nested(old, mutation.depth);
    }
  });
}

/** A deep copy of `document` with every mutation applied in turn. */
export function mutated(document: unknown, mutations: readonly JsonMutation[]): unknown {
  return mutations.reduce((current, mutation) => applyMutation(current, mutation), structuredClone(document));
}

/** Awkward Unicode: the fixed troublemakers, or any code points at all (lone surrogates included). */
export const awkwardText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(...AWKWARD_TEXT),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  );

/** One mutation; `hugeLength` bounds the huge strings (keep it under the body limit being tested). */
export function jsonMutation(
  options: { hugeLength?: number; maxDepth?: number } = {},
): fc.Arbitrary<JsonMutation> {
  const at = fc.nat();
  return fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), at }),
    fc.record({ kind: fc.constant('retype' as const), at, choice: fc.nat({ max: TYPE_SWAPS.length - 1 }) }),
    fc.record({
      kind: fc.constant('huge' as const),
      at,
      length: fc.integer({ min: 1_000, max: options.hugeLength ?? 200_000 }),
    }),
    fc.record({ kind: fc.constant('unicode' as const), at, text: awkwardText() }),
    fc.record({
      kind: fc.constant('nest' as const),
      at,
      depth: fc.integer({ min: 1, max: options.maxDepth ?? 300 }),
    }),
    fc.record({
      kind: fc.constant('extra' as const),
      at,
      key: fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'id', 'type', ''),
        fc.string({ maxLength: 12 }),
      ),
      value: fc.jsonValue({ maxDepth: 3 }),
    }),
  );
}

/** One to three mutations. */
export const jsonMutations = (options?: Parameters<typeof jsonMutation>[0]): fc.Arbitrary<JsonMutation[]> =>
  fc.array(jsonMutation(options), { minLength: 1, maxLength: 3 });
