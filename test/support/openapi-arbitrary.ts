/**
 * fast-check arbitraries from the OpenAPI document's JSON Schemas: values
 * that are nearly valid (the right shape, random content), so that mutations
 * of them reach past the first type check into the routes and services, and
 * junk for path parameters and query strings.
 */
import fc from 'fast-check';
import { awkwardText } from './json-mutations.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema is read loosely; only the keywords below are used.
export type JsonSchema = Record<string, any>;

/** `components.schemas` of the document, for `$ref`s. */
export type SchemaComponents = Record<string, JsonSchema>;

/** How deep nearly-valid values go before optional parts are left out. */
const MAX_DEPTH = 5;

function resolve(schema: JsonSchema, components: SchemaComponents): JsonSchema {
  const ref = schema.$ref as string | undefined;
  return ref ? (components[ref.replace('#/components/schemas/', '')] ?? {}) : schema;
}

/** A regular expression fast-check can generate from, or undefined (lookarounds and the like). */
function generatorFor(pattern: string): fc.Arbitrary<string> | undefined {
  try {
    const arbitrary = fc.stringMatching(new RegExp(pattern));
    fc.sample(arbitrary, { numRuns: 1, seed: 1 });
    return arbitrary;
  } catch {
    return undefined;
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'date-time':
      return fc
        .date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString());
    case 'date':
      return fc
        .date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress();
    case 'uuid':
      return fc.uuid();
    case 'uri':
    case 'url':
      return fc.webUrl();
  }
  const fromPattern = typeof schema.pattern === 'string' ? generatorFor(schema.pattern) : undefined;
  if (fromPattern) return fromPattern;
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = Math.min((schema.maxLength as number | undefined) ?? 40, minLength + 40);
  return fc.string({ minLength, maxLength });
}

function objectArbitrary(schema: JsonSchema, components: SchemaComponents, depth: number) {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  const keys = Object.keys(properties).filter((key) => required.has(key) || depth < MAX_DEPTH);
  const shape = Object.fromEntries(
    keys.map((key) => [key, nearlyValid(properties[key] as JsonSchema, components, depth + 1)]),
  );
  return fc.record(shape, { requiredKeys: keys.filter((key) => required.has(key)) });
}

/**
 * A value of the schema's shape. Formats, enums, patterns and required
 * members are honoured; cross-field rules and references to stored rows
 * are not, so most values are still refused somewhere.
 */
export function nearlyValid(
  schema: JsonSchema,
  components: SchemaComponents,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema, components);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ('const' in s) return fc.constant(s.const);
  const variants = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (variants) return fc.oneof(...variants.map((variant) => nearlyValid(variant, components, depth)));
  switch (s.type) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return fc.integer({
        min: s.minimum ?? -1000,
        max: Math.min(s.maximum ?? 1000, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(nearlyValid(s.items ?? {}, components, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3),
      });
    case 'object':
      return objectArbitrary(s, components, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Text no route expects in a path segment or query value. */
export const junkText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(
      '',
      '..',
      '.',
      '%',
      '%zz',
      '%E0%A4%A',
      '\u0000',
      'null',
      'INC-0',
      'INC-99999999999999999999',
      '-1',
      '1e309',
    ),
    fc.uuid(),
    fc.string({ maxLength: 30 }),
    awkwardText(),
    fc.integer({ min: 2_000, max: 20_000 }).map((length) => 'x'.repeat(length)),
  );

/** `text` percent-encoded for a path segment; a lone surrogate (which encodeURIComponent refuses) goes as UTF-8's U+FFFD. */
export function pathSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return Array.from(Buffer.from(text, 'utf8'), (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  }
}

/** A query string for the documented parameters: nearly valid, junk, repeated, or unknown. */
export function queryArbitrary(
  parameters: readonly { name: string; schema?: JsonSchema }[],
  components: SchemaComponents,
): fc.Arbitrary<string> {
  const value = (schema: JsonSchema | undefined) =>
    fc.oneof(nearlyValid(schema ?? {}, components).map(String), junkText());
  const pairs = parameters.map((parameter) =>
    fc.option(
      fc.oneof(
        value(parameter.schema).map((v) => [[parameter.name, v]]),
        fc.tuple(value(parameter.schema), value(parameter.schema)).map(([a, b]) => [
          [parameter.name, a],
          [parameter.name, b],
        ]),
      ),
      { nil: [] as string[][] },
    ),
  );
  const unknown = fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), junkText()), {
    nil: undefined,
  });
  return fc.tuple(fc.tuple(...pairs), unknown).map(([chosen, extra]) => {
    const search = new URLSearchParams();
    for (const [name, v] of chosen.flat() as [string, string][]) search.append(name, v);
    if (extra) search.append(extra[0], extra[1]);
    return search.toString();
  });
}
