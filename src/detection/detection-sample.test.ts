import { beforeAll, describe, expect, it } from 'vitest';
import type { Detector, Firing, StoredSignal } from './detection-types.ts';
import { createMemoryWindowStore } from './detector.ts';
import { defaultPolicy, detectorFor, observeAll, vectorSignals } from './fixtures/detection-fixtures.ts';

let detector: Detector;
let signals: StoredSignal[];

beforeAll(async () => {
  detector = detectorFor(await defaultPolicy());
  signals = vectorSignals('sql-audit', 'sql-audit-failed-logins.jsonl');
});

const ATTACKER_KEYS = ['entity:principal:sqladmin', 'entity:clientIp:203.0.113.45'];

function sharesKey(firing: Firing, keys: readonly string[]): boolean {
  return firing.correlationKeys.some((key) => keys.includes(key));
}

describe('the SQL audit sample through the default rules', () => {
  it('fires one brute-force for sqladmin, then the attacker’s grant and bulk read, then the DBA’s grant', async () => {
    const firings = await observeAll(detector, signals);
    expect(
      firings.map((f) => [f.ruleId, f.severity, f.groupKey.startsWith('principal=') ? f.groupKey : f.title]),
    ).toEqual([
      ['brute-force-login', 'high', 'principal=sqladmin'],
      [
        'permission-change',
        'high',
        'Permission change by sqladmin: ADD MEMBER by sqladmin from 203.0.113.45 on sql-orders-prod/ordersdb',
      ],
      ['bulk-data-read', 'high', 'Bulk data read by sqladmin: 248113 rows'],
      [
        'permission-change',
        'high',
        'Permission change by dba.jane@example.com: GRANT by dba.jane@example.com from 192.0.2.25 on sql-orders-prod/ordersdb',
      ],
    ]);
    const bruteForce = firings.filter((f) => f.ruleId === 'brute-force-login');
    expect(bruteForce).toHaveLength(1);
    expect(bruteForce[0]).toMatchObject({ count: 10, at: new Date('2024-05-14T02:11:38.440Z') });
    expect(firings.some((f) => JSON.stringify(f).includes('orders_app'))).toBe(false);
  });

  it('lets the attacker’s later actions join the brute-force incident, and not the DBA’s', async () => {
    const [bruteForce, grant, bulkRead, janesGrant] = await observeAll(detector, signals);
    expect(bruteForce!.correlationKeys).toEqual([
      'rule:brute-force-login:principal=sqladmin',
      ...ATTACKER_KEYS,
    ]);
    expect(sharesKey(grant!, bruteForce!.correlationKeys)).toBe(true);
    expect(sharesKey(bulkRead!, bruteForce!.correlationKeys)).toBe(true);
    expect(sharesKey(janesGrant!, bruteForce!.correlationKeys)).toBe(false);
    expect(bulkRead!.suggestsBreach).toBe(true);
  });

  it('gives identical firings when replayed in order with a fresh store', async () => {
    const first = await observeAll(detector, signals, createMemoryWindowStore());
    const second = await observeAll(detector, signals, createMemoryWindowStore());
    expect(second).toEqual(first);
  });

  it('fires nothing new when the same signals are observed again against the same store', async () => {
    const store = createMemoryWindowStore();
    expect(await observeAll(detector, signals, store)).toHaveLength(4);
    expect(await observeAll(detector, signals, store)).toEqual([]);
  });

  it('keeps quiet through the 11th to 18th failures of the burst (cooldown)', async () => {
    const failures = signals.filter((s) => s.kind === 'auth_failure' && s.entities.principal === 'sqladmin');
    expect(failures).toHaveLength(18);
    expect((await observeAll(detector, failures)).map((f) => f.count)).toEqual([10]);
  });

  it('fires the same rules when the sample arrives in reverse order', async () => {
    const firings = await observeAll(detector, [...signals].reverse());
    expect(firings.map((f) => f.ruleId).sort()).toEqual([
      'brute-force-login',
      'bulk-data-read',
      'permission-change',
      'permission-change',
    ]);
    expect(firings.find((f) => f.ruleId === 'brute-force-login')!.groupKey).toBe('principal=sqladmin');
  });
});
