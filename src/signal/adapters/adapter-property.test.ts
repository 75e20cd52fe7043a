/**
 * Property-based tests (fast-check) over every signal adapter: any JSON,
 * any text or bytes, structured mutations of each format's own samples and
 * NDJSON with bad lines. Whatever arrives, `parse` answers with well-formed
 * signals or with issues naming a field; it never throws and never falls
 * back on its catch-all. The seed is fixed, so a failure replays; fast-check
 * prints the seed, the path and the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTEXT } from '../../../test/fixtures/signals/signal-vectors.ts';
import {
  isNdjsonSample,
  SOURCE_SAMPLES,
  sampleBody,
  sampleRecords,
} from '../../../test/fixtures/signals/source-samples.ts';
import {
  type JsonPath,
  jsonMutations,
  mutated,
  pathsOf,
  valueAt,
} from '../../../test/support/json-mutations.ts';
import {
  type AdapterResult,
  MAX_LISTED_ISSUES,
  SEVERITY_HINTS,
  SIGNAL_KINDS,
  SIGNAL_STATUSES,
  type SignalSource,
} from '../signal-types.ts';
import { signalAdapters } from './adapter-registry.ts';

const SEED = 0x11_04;
const RUNS = 150;

const CONTENT_TYPES = [
  'application/json',
  'application/x-ndjson',
  'application/jsonl',
  'text/plain',
  'application/json; charset=utf-16',
  undefined,
];

/** What every answer must be, and a tally of which way it went. */
function expectWellFormed(source: SignalSource, body: string, result: AdapterResult): void {
  const shown = body.slice(0, 300);
  if (result.ok) {
    expect(result.signals.length, shown).toBeGreaterThan(0);
    for (const signal of result.signals) {
      expect(signal.source).toBe(source);
      expect(SIGNAL_KINDS).toContain(signal.kind);
      expect(SIGNAL_STATUSES).toContain(signal.status);
      expect(SEVERITY_HINTS).toContain(signal.severityHint);
      expect(Number.isNaN(signal.occurredAt.getTime()), shown).toBe(false);
      expect(signal.dedupKey.startsWith(`${source}:`)).toBe(true);
      expect(typeof signal.summary).toBe('string');
      for (const value of Object.values(signal.entities)) {
        expect(['string', 'number', 'undefined']).toContain(typeof value);
      }
      // PostgreSQL text cannot hold U+0000: extracted text never carries one (raw keeps it, escaped).
      const texts = [
        signal.summary,
        signal.dedupKey,
        signal.correlationKey ?? '',
        ...Object.keys(signal.entities),
      ];
      for (const value of Object.values(signal.entities)) if (typeof value === 'string') texts.push(value);
      expect(
        texts.filter((text) => text.includes('\u0000')),
        shown,
      ).toEqual([]);
    }
    return;
  }
  expect(result.issues.length, shown).toBeGreaterThan(0);
  expect(result.issues.length).toBeLessThanOrEqual(MAX_LISTED_ISSUES);
  for (const issue of result.issues) {
    expect(issue.field, shown).toMatch(/^\S/);
    expect(issue.reason.length).toBeGreaterThan(0);
    if (issue.record !== undefined) expect(Number.isInteger(issue.record) && issue.record >= 0).toBe(true);
    // The catch-all in defineAdapter is a safety net, not the way bad input is refused.
    expect(issue.reason, shown).not.toMatch(/^unprocessable body/);
  }
}

/** Parses twice (parsing is pure: the same body gives the same answer) and checks the answer. */
function parseChecked(source: SignalSource, body: string, contentType: string | undefined): AdapterResult {
  const adapter = signalAdapters[source];
  const context = { ...CONTEXT, contentType };
  const result = adapter.parse(body, context);
  expectWellFormed(source, body, result);
  expect(adapter.parse(body, context)).toEqual(result);
  return result;
}

/** A line that is not one JSON object: junk, a fragment, a scalar, an array, a lone bracket. */
const badLine = fc.oneof(
  fc.constantFrom('{', '}', '[1,2]', '42', 'null', '"text"', '{"a":1}{"b":2}', '\u0000', '\r', ' \t '),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

describe.each(Object.keys(signalAdapters) as SignalSource[])('adapter %s properties', (source) => {
  const samples = [...SOURCE_SAMPLES[source]];

  it('answers any JSON value with signals or named issues', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(...CONTENT_TYPES), (value, contentType) => {
        parseChecked(source, JSON.stringify(value) ?? 'null', contentType);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('answers any text or bytes', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
    );
    fc.assert(
      fc.property(text, fc.constantFrom(...CONTENT_TYPES), (body, contentType) => {
        parseChecked(source, body, contentType);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('answers structured mutations of its own samples, accepting some and refusing others', () => {
    const outcomes = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        jsonMutations({ hugeLength: 100_000 }),
        (name, pick, mutations) => {
          const records = sampleRecords(name);
          const target = pick % records.length;
          const changed = records.map((record, index) =>
            index === target ? mutated(record, mutations) : record,
          );
          const contentType = isNdjsonSample(name) ? 'application/x-ndjson' : 'application/json';
          const result = parseChecked(source, sampleBody(name, changed), contentType);
          outcomes[result.ok ? 'accepted' : 'refused']++;
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    );
    // Mutations must exercise both paths, not only the refusals.
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('answers a NUL inside any text of its samples without carrying it into the signal', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), fc.nat(), fc.nat(), (name, pick, at, offset) => {
        const records = sampleRecords(name);
        const target = pick % records.length;
        const record = structuredClone(records[target]);
        const texts = pathsOf(record).filter((path) => typeof valueAt(record, path) === 'string');
        fc.pre(texts.length > 0);
        const path = texts[at % texts.length] as JsonPath;
        const parent = valueAt(record, path.slice(0, -1)) as Record<string | number, string>;
        const key = path[path.length - 1] as string | number;
        const text = parent[key] as string;
        const cut = offset % (text.length + 1);
        parent[key] = `${text.slice(0, cut)}\u0000${text.slice(cut)}`;
        const body = sampleBody(
          name,
          records.map((r, i) => (i === target ? record : r)),
        );
        parseChecked(source, body, isNdjsonSample(name) ? 'application/x-ndjson' : 'application/json');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('refuses NDJSON with a bad line, naming the record', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        badLine,
        fc.constantFrom('\n', '\r\n'),
        (name, at, bad, newline) => {
          const lines = sampleRecords(name).map((record) => JSON.stringify(record));
          lines.splice(at % (lines.length + 1), 0, bad);
          const body = lines.join(newline);
          const result = parseChecked(source, body, 'application/x-ndjson');
          // A line that is a JSON object would be a record of its own; every other bad line refuses the batch.
          if (bad.trim() !== '' && !bad.trim().startsWith('{"a"'))
            expect(result.ok, body.slice(0, 300)).toBe(false);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('adapter regressions', () => {
  it('replaces a NUL a sender wrote as \\u0000 in the extracted text, keeping it in raw', () => {
    const event = {
      source: 'batch\u0000scheduler',
      type: 'job.failed',
      severity: 'error',
      title: 'Nightly job\u0000failed',
      id: 'run\u00001',
      timestamp: '2024-05-14T03:41:09Z',
      entity: { host: 'db\u0000-1' },
    };
    const result = signalAdapters.generic.parse(JSON.stringify(event), CONTEXT);
    if (!result.ok) expect.fail(JSON.stringify(result.issues));
    const signal = result.signals[0]!;
    expect(signal.summary).toBe('Nightly job\ufffdfailed');
    expect(signal.dedupKey).toBe('generic:batch\ufffdscheduler:run\ufffd1');
    expect(signal.entities.host).toBe('db\ufffd-1');
    expect((signal.raw as { title: string }).title).toBe('Nightly job\u0000failed');
  });
});
