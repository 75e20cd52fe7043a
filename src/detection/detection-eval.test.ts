import { describe, expect, it } from 'vitest';
import { chooseSeverity, groupOf, senderCorrelationKey } from './detection-eval.ts';
import { renderTitle, titleVariables } from './detection-title.ts';
import type { DetectionRule, SeverityRule } from './detection-types.ts';
import { createMemoryWindowStore } from './detector.ts';
import { makeSignal } from './fixtures/detection-fixtures.ts';

const ORDER = ['critical', 'high', 'medium', 'low'];

describe('chooseSeverity', () => {
  const rule: SeverityRule = {
    default: 'medium',
    fromSignal: true,
    byEntity: [
      { entity: 'alertType', pattern: 'SQL.*Injection*', severity: 'high' },
      { entity: 'alertType', pattern: 'SQL.DB_Test', severity: 'low' },
      { entity: 'alertType', pattern: 'SQL.*', severity: 'low' },
    ],
    outOfHours: 'critical',
  };
  const cases: [string, string, 'critical' | 'high' | 'medium' | 'low' | 'info', boolean, string][] = [
    ['no mapping: default', 'Other', 'info', false, 'medium'],
    ['glob in written order', 'SQL.DB_PotentialSqlInjection', 'low', false, 'high'],
    ['exact before glob, and it may lower the default', 'SQL.DB_Test', 'info', false, 'low'],
    ['fromSignal raises a mapped severity', 'SQL.DB_Other', 'high', false, 'high'],
    ['outOfHours raises last', 'SQL.DB_PotentialSqlInjection', 'low', true, 'critical'],
    ['an info hint counts as low', 'Other', 'info', false, 'medium'],
  ];
  for (const [name, alertType, hint, outOfHours, expected] of cases) {
    it(name, () => {
      const signal = makeSignal({ severityHint: hint, entities: { alertType } });
      expect(chooseSeverity(rule, signal, ORDER, outOfHours)).toBe(expected);
    });
  }

  it('never lowers below the default with fromSignal alone', () => {
    const plain: SeverityRule = { default: 'high', fromSignal: true, byEntity: [], outOfHours: null };
    expect(chooseSeverity(plain, makeSignal({ severityHint: 'low' }), ORDER, true)).toBe('high');
  });
});

describe('groupOf and correlation keys', () => {
  const base = {
    select: {},
    groupBy: ['principal', 'clientIp'],
    kind: 'threshold',
  } as unknown as DetectionRule;

  it('writes the group values in groupBy order, escaping the separators', () => {
    const signal = makeSignal({ entities: { principal: 'a,b=c%', clientIp: '192.0.2.1', rows: 5 } });
    expect(groupOf(base, signal)).toEqual({
      key: 'principal=a%2Cb%3Dc%25,clientIp=192.0.2.1',
      values: { principal: 'a,b=c%', clientIp: '192.0.2.1' },
    });
    expect(groupOf(base, makeSignal({ entities: { principal: 'a' } }))).toBeNull();
  });

  it('groups a match rule without groupBy by the sender key, else the dedup key', () => {
    const match = { ...base, kind: 'match', groupBy: [] } as unknown as DetectionRule;
    expect(groupOf(match, makeSignal({ correlationKey: 'generic:k1' }))!.key).toBe(
      'correlationKey=generic:k1',
    );
    expect(groupOf(match, makeSignal({ dedupKey: 'generic:d1' }))!.key).toBe('dedupKey=generic:d1');
  });

  it('names the sender key once with its source', () => {
    expect(senderCorrelationKey({ source: 'defender', correlationKey: 'defender:123' })).toBe(
      'sender:defender:123',
    );
    expect(senderCorrelationKey({ source: 'generic', correlationKey: 'abc' })).toBe('sender:generic:abc');
    expect(senderCorrelationKey({ source: 'generic' })).toBeNull();
  });
});

describe('titles', () => {
  it('lists the variables used and finds a malformed placeholder', () => {
    expect(titleVariables('{{a}} and {{ b.c }} and {{a}}')).toEqual({ ok: true, names: ['a', 'b.c'] });
    expect(titleVariables('ok {{a}} then {{ 1bad }} end')).toEqual({ ok: false, bad: '{{ 1bad }}' });
    expect(titleVariables('open {{a')).toEqual({ ok: false, bad: '{{a' });
  });

  it('renders one line of at most 200 characters, never expanding a value', () => {
    expect(renderTitle('By {{who}}: {{what}}', { who: 'x\r\ny', what: '{{who}}' })).toBe('By x y: {{who}}');
    expect(renderTitle('By {{who}}', {})).toBe('By unknown');
    const long = renderTitle('{{v}}', { v: 'a'.repeat(500) });
    expect(long).toHaveLength(200);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('the memory window store', () => {
  it('counts (from, to], ignores a repeated hit, counts distinct values and lists the newest ids last', async () => {
    const store = createMemoryWindowStore();
    const hit = (ms: number, signalId: string, distinctValue: string | null = null) =>
      store.addHit({ ruleId: 'r', groupKey: 'g', at: new Date(ms), signalId, distinctValue });
    await hit(3000, 'c', 'x');
    await hit(1000, 'a', 'x');
    await hit(2000, 'b', 'y');
    await hit(2000, 'b', 'y');
    expect(await store.countHits('r', 'g', new Date(1000), new Date(3000))).toBe(2);
    expect(await store.countHits('r', 'g', new Date(999), new Date(3000))).toBe(3);
    expect(await store.countDistinct('r', 'g', new Date(0), new Date(5000))).toBe(2);
    expect(await store.hitSignalIds('r', 'g', new Date(0), new Date(5000), 2)).toEqual(['b', 'c']);
    expect(await store.countHits('r', 'other', new Date(0), new Date(5000))).toBe(0);
    expect(await store.lastFiring('r', 'g')).toBeNull();
    await store.recordFiring('r', 'g', new Date(5000));
    await store.recordFiring('r', 'g', new Date(4000));
    expect(await store.lastFiring('r', 'g')).toEqual(new Date(5000));
  });
});

describe('memory window store pruning', () => {
  it('forgets hits before the limit and firings past every cooldown, keeping the rest', async () => {
    const { createMemoryWindowStore } = await import('./detector.ts');
    const store = createMemoryWindowStore();
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    for (const minute of [1, 2, 3, 10]) {
      await store.addHit({
        ruleId: 'r',
        groupKey: 'g',
        at: at(minute),
        signalId: `s${minute}`,
        distinctValue: null,
      });
    }
    await store.recordFiring('r', 'g', at(2));
    await store.recordFiring('r', 'other', at(9));
    store.prune(() => at(3), at(5));
    expect(store.size()).toBe(2);
    expect(await store.countHits('r', 'g', at(0), at(20))).toBe(2);
    expect(await store.lastFiring('r', 'g')).toBeNull();
    expect(await store.lastFiring('r', 'other')).toEqual(at(9));
    // A pruned signal may be counted again if it arrives again (it is a new hit then).
    await store.addHit({ ruleId: 'r', groupKey: 'g', at: at(1), signalId: 's1', distinctValue: null });
    expect(await store.countHits('r', 'g', at(0), at(20))).toBe(3);
  });
});
