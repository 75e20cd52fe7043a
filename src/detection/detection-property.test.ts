import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom as random } from '../../test/support/seeded-random.ts';
import { SEVERITY_HINTS, SIGNAL_KINDS, SIGNAL_SOURCES } from '../signal/signal-types.ts';
import type { DetectionRule, Detector, StoredSignal } from './detection-types.ts';
import { createMemoryWindowStore } from './detector.ts';
import { defaultPolicy, detectorFor } from './fixtures/detection-fixtures.ts';

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

const START = Date.parse('2024-05-14T00:00:00.000Z');

function randomSignal(next: () => number, index: number): StoredSignal {
  const entities: StoredSignal['entities'] = {};
  if (next() < 0.9) entities.principal = pick(next, ['sqladmin', 'alice', 'bob', '', 'x,y=z%']);
  if (next() < 0.9) entities.clientIp = pick(next, ['203.0.113.45', '198.51.100.10', '192.0.2.1']);
  if (next() < 0.5) entities.application = pick(next, ['orders-api', 'web']);
  if (next() < 0.3) entities.rows = pick(next, [0, 9999, 10000, 250000, Number.NaN]);
  if (next() < 0.3) entities.alertType = pick(next, ['SQL.DB_BruteForce', 'SQL.VM_SqlInjection', 'Other']);
  if (next() < 0.1) entities.resourceId = 'x'.repeat(500);
  return {
    id: `s${index}`,
    source: pick(next, SIGNAL_SOURCES),
    kind: pick(next, SIGNAL_KINDS),
    severityHint: pick(next, SEVERITY_HINTS),
    status: next() < 0.85 ? 'firing' : 'resolved',
    // Mostly forward in time, sometimes up to 10 minutes late.
    occurredAt: new Date(START + index * Math.floor(next() * 20_000) - Math.floor(next() * 600_000)),
    dedupKey: `generic:${index}`,
    ...(next() < 0.3 ? { correlationKey: `generic:corr-${Math.floor(next() * 5)}` } : {}),
    entities,
    summary: next() < 0.1 ? 'line one\nline two {{principal}}' : `signal ${index}`,
    raw: null,
  };
}

function minimumCount(rule: DetectionRule): number {
  switch (rule.kind) {
    case 'match':
      return 1;
    case 'rate':
      return rule.minimum;
    default:
      return rule.threshold;
  }
}

let detector: Detector;

beforeAll(async () => {
  detector = detectorFor(await defaultPolicy());
});

describe('random signal streams through the default rules', () => {
  for (const seed of [1, 2, 3, 42, 2024]) {
    it(`never throw and only fire at or above each rule's count (seed ${seed})`, async () => {
      const next = random(seed);
      const store = createMemoryWindowStore();
      const rules = new Map(detector.rules.map((rule) => [rule.id, rule]));
      let fired = 0;
      for (let index = 0; index < 1500; index += 1) {
        const signal = randomSignal(next, index);
        const firings = await detector.observe(signal, store);
        for (const firing of firings) {
          fired += 1;
          const rule = rules.get(firing.ruleId)!;
          expect(firing.count).toBeGreaterThanOrEqual(minimumCount(rule));
          expect(firing.signalIds.length).toBeLessThanOrEqual(100);
          if (rule.kind !== 'distinct' && firing.count <= 100) expect(firing.signalIds).toContain(signal.id);
          expect(firing.title.length).toBeLessThanOrEqual(200);
          expect(firing.title).not.toMatch(/\n/);
          expect(firing.correlationKeys[0]).toBe(`rule:${firing.ruleId}:${firing.groupKey}`);
          expect(signal.status === 'resolved' && rule.kind !== 'match').toBe(false);
        }
      }
      expect(fired).toBeGreaterThan(0);
    });
  }
});
