import { describe, expect, it } from 'vitest';
import { CONTEXT, readVector } from '../../../test/fixtures/signals/signal-vectors.ts';
import { SOURCE_SAMPLES } from '../../../test/fixtures/signals/source-samples.ts';
import { seededRandom } from '../../../test/support/seeded-random.ts';
import {
  MAX_LISTED_ISSUES,
  SEVERITY_HINTS,
  SIGNAL_KINDS,
  SIGNAL_STATUSES,
  type SignalSource,
} from '../signal-types.ts';
import { signalAdapters } from './adapter-registry.ts';

/**
 * Seeded mutation fuzzing: every adapter gets its own vectors with fields
 * deleted, retyped or nested, bodies truncated or spliced with noise, and
 * must answer with signals or issues, never throw.
 */
const SEEDS: Record<SignalSource, readonly string[]> = {
  ...SOURCE_SAMPLES,
  // The budget alert also arrives in the common alert schema, through an Azure Monitor action group.
  'azure-monitor': [...SOURCE_SAMPLES['azure-monitor'], 'budget-alert-common-schema.json'],
};
const CASES_PER_ADAPTER = 400;

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function randomValue(random: Random, depth = 0): unknown {
  const choices: Array<() => unknown> = [
    () => null,
    () => undefined,
    () => Math.floor(random() * 2e6) - 1e6,
    () => random() * 1e300,
    () => random() < 0.5,
    () => '',
    () =>
      pick(random, [
        'Sev9',
        'firing',
        'Resolved',
        '0001-01-01T00:00:00Z',
        '2024-02-30T00:00:00Z',
        '__proto__',
      ]),
    () => String.fromCharCode(...Array.from({ length: 12 }, () => Math.floor(random() * 0xffff))),
    () => (depth > 2 ? [] : [randomValue(random, depth + 1)]),
    () =>
      depth > 2 ? {} : { [pick(random, ['a', 'type', 'Type', 'schemaId'])]: randomValue(random, depth + 1) },
  ];
  return pick(random, choices)();
}

/** Every container (object or array) inside a value, so a mutation can target any depth. */
function containers(value: unknown, found: Array<Record<string, unknown> | unknown[]> = []) {
  if (value !== null && typeof value === 'object') {
    found.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) containers(child, found);
  }
  return found;
}

function mutateValue(random: Random, document: unknown): unknown {
  const targets = containers(document);
  const rounds = 1 + Math.floor(random() * 3);
  for (let round = 0; round < rounds && targets.length > 0; round++) {
    const target = pick(random, targets) as Record<string, unknown>;
    const keys = Object.keys(target);
    if (keys.length === 0) continue;
    const key = pick(random, keys);
    const action = random();
    if (action < 0.35) delete target[key];
    else if (action < 0.85) target[key] = randomValue(random);
    else target[key] = { nested: target[key] };
  }
  return document;
}

function mutate(random: Random, body: string): string {
  const lines = body.split('\n').filter((line) => line.trim() !== '');
  const isBatch = lines.length > 1 && lines.every((line) => line.trim().startsWith('{'));
  const strategy = random();
  if (strategy < 0.15) return body.slice(0, Math.floor(random() * body.length));
  if (strategy < 0.25) {
    const at = Math.floor(random() * body.length);
    return `${body.slice(0, at)}${pick(random, ['"', '{', ']', ',', '\n', '\u0000', 'ü'])}${body.slice(at)}`;
  }
  if (strategy < 0.3) return JSON.stringify(randomValue(random)) ?? '';
  if (isBatch) {
    const line = Math.floor(random() * lines.length);
    lines[line] = JSON.stringify(mutateValue(random, JSON.parse(lines[line] as string)));
    return random() < 0.5 ? lines.join('\n') : `[${lines.join(',')}]`;
  }
  return JSON.stringify(mutateValue(random, JSON.parse(body)));
}

describe('adapter fuzzing', () => {
  for (const [source, names] of Object.entries(SEEDS) as Array<[SignalSource, string[]]>) {
    it(`${source}: never throws on ${CASES_PER_ADAPTER} mutated bodies`, () => {
      const adapter = signalAdapters[source];
      const random = seededRandom(0x5eed + source.length * 7919);
      const bodies = names.map(readVector);
      let accepted = 0;
      for (let index = 0; index < CASES_PER_ADAPTER; index++) {
        const body = mutate(random, pick(random, bodies));
        let result: ReturnType<typeof adapter.parse> | undefined;
        expect(
          () => {
            result = adapter.parse(body, CONTEXT);
          },
          body.slice(0, 200),
        ).not.toThrow();
        if (result?.ok) {
          accepted++;
          for (const signal of result.signals) {
            expect(signal.source).toBe(source);
            expect(SIGNAL_KINDS).toContain(signal.kind);
            expect(SIGNAL_STATUSES).toContain(signal.status);
            expect(SEVERITY_HINTS).toContain(signal.severityHint);
            expect(Number.isNaN(signal.occurredAt.getTime())).toBe(false);
            expect(signal.dedupKey.startsWith(`${source}:`)).toBe(true);
            expect(typeof signal.summary).toBe('string');
          }
        } else {
          expect(result?.issues.length).toBeGreaterThan(0);
          expect(result?.issues.length).toBeLessThanOrEqual(MAX_LISTED_ISSUES);
          for (const issue of result?.issues ?? []) {
            expect(typeof issue.field).toBe('string');
            // The catch-all in defineAdapter is a safety net, not the way bad input is refused.
            expect(issue.reason, body.slice(0, 200)).not.toMatch(/^unprocessable body/);
          }
        }
      }
      // The mutations should exercise both paths, not only the refusals.
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(CASES_PER_ADAPTER);
    });
  }

  it('survives pathological nesting', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const adapter of Object.values(signalAdapters)) {
      expect(() => adapter.parse(deep, CONTEXT)).not.toThrow();
      expect(adapter.parse(deep, CONTEXT).ok).toBe(false);
    }
  });
});
