import { beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../policy/policy-types.ts';
import type { Detector, StoredSignal } from './detection-types.ts';
import { createMemoryWindowStore } from './detector.ts';
import {
  defaultPolicy,
  detectorFor,
  makeSignal,
  observeAll,
  series,
  vectorSignals,
} from './fixtures/detection-fixtures.ts';

let policy: Policy;
let detector: Detector;

beforeAll(async () => {
  policy = await defaultPolicy();
  detector = detectorFor(policy);
});

const SAMPLE = 'sql-audit-failed-logins.jsonl';
/** 2024-05-14 is a Tuesday; 10:00 UTC is 11:00 in London (BST): business time. */
const IN_HOURS = '2024-05-14T10:00:00.000Z';

function sample(): StoredSignal[] {
  return vectorSignals('sql-audit', SAMPLE);
}

function sqladminFailures(): StoredSignal[] {
  return sample().filter((s) => s.kind === 'auth_failure' && s.entities.principal === 'sqladmin');
}

/** The signal moved to `at`, as a new signal. */
function movedTo(signal: StoredSignal, at: string, id = `${signal.id}@${at}`): StoredSignal {
  return { ...signal, id, occurredAt: new Date(at) };
}

function ruleIds(firings: readonly { ruleId: string }[]): string[] {
  return firings.map((firing) => firing.ruleId);
}

describe('brute-force-login (threshold: 10 failures for one principal in 5 minutes)', () => {
  it('stays quiet after 9 failures', async () => {
    expect(await observeAll(detector, sqladminFailures().slice(0, 9))).toEqual([]);
  });

  it('fires on the 10th, naming the principal, with the 10 signals', async () => {
    const failures = sqladminFailures().slice(0, 10);
    const [firing, ...rest] = await observeAll(detector, failures);
    expect(rest).toEqual([]);
    expect(firing).toMatchObject({
      ruleId: 'brute-force-login',
      severity: 'high',
      groupKey: 'principal=sqladmin',
      groupValues: { principal: 'sqladmin' },
      count: 10,
      at: failures[9]!.occurredAt,
      title: 'Brute-force login against sqladmin: 10 failed logins in 5 minutes',
      category: 'unauthorised_access',
      owner: 'cpo@example.com',
      maxCorrelationMs: 24 * 3_600_000,
      suggestsBreach: false,
    });
    expect(firing!.signalIds).toEqual(failures.map((s) => s.id));
  });

  it('does not count 10 failures spread over more than 5 minutes', async () => {
    const spread = series(10, IN_HOURS, 34_000, () => ({
      kind: 'auth_failure',
      entities: { principal: 'bob' },
    }));
    expect(await observeAll(detector, spread)).toEqual([]);
  });
});

describe('credential-stuffing (distinct: 10 principals from one address in 10 minutes)', () => {
  const attempt = (principal: string) => ({
    kind: 'auth_failure' as const,
    entities: { principal, clientIp: '198.51.100.77' },
  });

  it('stays quiet with 9 distinct principals, however many failures', async () => {
    const signals = series(27, IN_HOURS, 10_000, (i) => attempt(`user${i % 9}`));
    expect(await observeAll(detector, signals)).toEqual([]);
  });

  it('fires on the 10th distinct principal, naming the address', async () => {
    const signals = series(10, IN_HOURS, 30_000, (i) => attempt(`user${i}`));
    const firings = await observeAll(detector, signals);
    expect(firings).toHaveLength(1);
    expect(firings[0]).toMatchObject({
      ruleId: 'credential-stuffing',
      groupKey: 'clientIp=198.51.100.77',
      count: 10,
      severity: 'high',
      title: 'Credential stuffing from 198.51.100.77: 10 accounts tried in 10 minutes',
    });
  });
});

describe('permission-change (match)', () => {
  function janesGrant(): StoredSignal {
    return sample().find(
      (s) => s.kind === 'permission_change' && s.entities.principal === 'dba.jane@example.com',
    )!;
  }

  it('gives an ordinary grant in business hours medium', async () => {
    const firings = await observeAll(detector, [movedTo(janesGrant(), IN_HOURS)]);
    expect(firings.map((f) => [f.ruleId, f.severity])).toEqual([['permission-change', 'medium']]);
    expect(firings[0]!.title).toBe(
      'Permission change by dba.jane@example.com: GRANT by dba.jane@example.com from 192.0.2.25 on sql-orders-prod/ordersdb',
    );
  });

  it('gives the same grant out of hours (03:16 in London) high', async () => {
    const firings = await observeAll(detector, [janesGrant()]);
    expect(firings.map((f) => [f.ruleId, f.severity])).toEqual([['permission-change', 'high']]);
  });

  it('gives a privileged role change high even in business hours (the adapter hints high)', async () => {
    const grant = sample().find((s) => s.kind === 'permission_change' && s.entities.object === 'db_owner')!;
    const firings = await observeAll(detector, [movedTo(grant, IN_HOURS)]);
    expect(firings.map((f) => f.severity)).toEqual(['high']);
  });

  it('stays quiet for a login or a schema change by the same principal', async () => {
    const others = sample().filter(
      (s) => s.entities.principal === 'dba.jane@example.com' && s.kind !== 'permission_change',
    );
    expect(others.length).toBeGreaterThan(0);
    expect(
      await observeAll(
        detector,
        others.map((s) => movedTo(s, IN_HOURS)),
      ),
    ).toEqual([]);
  });
});

describe('defender-sql-threat (match on Defender alerts, by alert type)', () => {
  it('gives brute-force and SQL injection alerts high', async () => {
    const signals = [
      ...vectorSignals('defender', 'defender-sql-bruteforce.json'),
      ...vectorSignals('defender', 'defender-sql-injection.json'),
    ];
    const firings = await observeAll(detector, signals);
    expect(firings.map((f) => [f.ruleId, f.severity, f.title])).toEqual([
      [
        'defender-sql-threat',
        'high',
        'Defender: Suspected successful brute force attack (SQL.DB_BruteForce) on ordersdb',
      ],
      [
        'defender-sql-threat',
        'high',
        'Defender: Potential SQL injection (SQL.DB_PotentialSqlInjection) on ordersdb',
      ],
    ]);
    expect(firings[0]!.correlationKeys).toContain('entity:principal:sqladmin');
    expect(firings[0]!.correlationKeys.at(-1)).toMatch(/^sender:defender:/);
  });

  it('maps by alert type even when Defender hints low, and keeps other low alerts at medium', async () => {
    const [injection] = vectorSignals('defender', 'defender-sql-injection.json');
    const low = { ...injection!, severityHint: 'low' as const };
    const anomaly = {
      ...low,
      id: 'anomaly',
      correlationKey: 'defender:another-alert',
      entities: { ...low.entities, alertType: 'SQL.DB_AnomalousLogin' },
    };
    const firings = await observeAll(detector, [low, anomaly]);
    expect(firings.map((f) => f.severity)).toEqual(['high', 'medium']);
  });

  it('stays quiet for threat alerts from other sources', async () => {
    const alert = makeSignal({ source: 'generic', kind: 'threat_alert', severityHint: 'high' });
    expect(ruleIds(await observeAll(detector, [alert]))).toEqual([]);
  });
});

describe('application-error-spike (rate: 3 × the last hour, at least 10 in 5 minutes)', () => {
  const failure = () => ({
    kind: 'app_error' as const,
    source: 'appinsights' as const,
    entities: { application: 'orders-api' },
  });
  const SPIKE = '2024-05-14T10:00:00.000Z';

  /** A store that already holds 120 failures in the hour before the spike: 10 per 5 minutes. */
  async function storeWithBaseline() {
    const store = createMemoryWindowStore();
    for (let k = 0; k < 120; k += 1) {
      await store.addHit({
        ruleId: 'application-error-spike',
        groupKey: 'application=orders-api',
        at: new Date(Date.parse(SPIKE) - 6 * 60_000 - k * 29_000),
        signalId: `baseline-${k}`,
        distinctValue: null,
      });
    }
    return store;
  }

  it('stays quiet at 29 failures when the baseline makes 30 the bar', async () => {
    const store = await storeWithBaseline();
    expect(await observeAll(detector, series(29, SPIKE, 1000, failure), store)).toEqual([]);
  });

  it('fires at 30 failures against that baseline', async () => {
    const store = await storeWithBaseline();
    const firings = await observeAll(detector, series(30, SPIKE, 1000, failure), store);
    expect(firings.map((f) => [f.ruleId, f.count, f.groupKey, f.severity])).toEqual([
      ['application-error-spike', 30, 'application=orders-api', 'medium'],
    ]);
    expect(firings[0]!.title).toBe('Error spike in orders-api: 30 failures in 5 minutes');
  });

  it('with no history, fires at the minimum of 10 and not at 9', async () => {
    expect(await observeAll(detector, series(9, SPIKE, 1000, failure))).toEqual([]);
    expect(ruleIds(await observeAll(detector, series(10, SPIKE, 1000, failure)))).toEqual([
      'application-error-spike',
    ]);
  });

  it('fires on the real App Insights vectors: 10 exceptions and failed requests of orders-api within 5 minutes', async () => {
    const signals = [
      ...vectorSignals('appinsights', 'appinsights-exceptions.jsonl'),
      ...vectorSignals('appinsights', 'appinsights-requests.jsonl'),
    ].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const firings = await observeAll(detector, signals);
    expect(firings.map((f) => [f.ruleId, f.count, f.at.toISOString()])).toEqual([
      ['application-error-spike', 10, '2024-05-14T02:15:48.205Z'],
    ]);
    // The exceptions alone are 5 within those minutes: under the minimum.
    expect(await observeAll(detector, vectorSignals('appinsights', 'appinsights-exceptions.jsonl'))).toEqual(
      [],
    );
  });
});

describe('resource-anomaly (match, severity from the signal, at least low)', () => {
  it('fires for a budget notification and a capacity alert at their hinted severity', async () => {
    const signals = [
      ...vectorSignals('azure-budget', 'budget-alert-common-schema.json'),
      ...vectorSignals('azure-monitor', 'azure-monitor-metric-alert-fired.json'),
    ];
    const firings = await observeAll(detector, signals);
    expect(firings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['resource-anomaly', 'medium'],
      ['resource-anomaly', 'medium'],
    ]);
    expect(firings[1]!.correlationKeys[0]).toMatch(/^rule:resource-anomaly:correlationKey=azure-monitor:/);
  });

  it('gives an info hint low', async () => {
    const signal = makeSignal({ kind: 'resource_anomaly', severityHint: 'info' });
    expect((await observeAll(detector, [signal])).map((f) => f.severity)).toEqual(['low']);
  });

  it('stays quiet for the resolution of an alert (recorded on the incident by its sender key instead)', async () => {
    const resolved = vectorSignals('azure-monitor', 'azure-monitor-resolved.json');
    expect(resolved[0]!.status).toBe('resolved');
    expect(await observeAll(detector, resolved)).toEqual([]);
  });

  it('does not fire twice for a repeated notification of one alert within the cooldown', async () => {
    const [fired] = vectorSignals('azure-monitor', 'azure-monitor-metric-alert-fired.json');
    const again = { ...fired!, id: 'again', occurredAt: new Date(fired!.occurredAt.getTime() + 10 * 60_000) };
    expect(await observeAll(detector, [fired!, again])).toHaveLength(1);
  });
});

describe('bulk-data-read (match: at least 10,000 rows)', () => {
  it('fires for the 248,113-row read, suggesting a breach', async () => {
    const read = sample().find((s) => s.entities.rows === 248113)!;
    const firings = await observeAll(detector, [read]);
    expect(firings).toHaveLength(1);
    expect(firings[0]).toMatchObject({
      ruleId: 'bulk-data-read',
      severity: 'high',
      suggestsBreach: true,
      category: 'data_exposure_risk',
      title: 'Bulk data read by sqladmin: 248113 rows',
    });
  });

  it('stays quiet at 9,999 rows', async () => {
    const read = sample().find((s) => s.entities.rows === 248113)!;
    const under = { ...read, entities: { ...read.entities, rows: 9999 } };
    expect(await observeAll(detector, [under])).toEqual([]);
  });
});

describe('windows and cooldown', () => {
  it('fires again for the same principal once the cooldown is over', async () => {
    const burst = (start: string) =>
      series(10, start, 1000, () => ({ kind: 'auth_failure', entities: { principal: 'carol' } }));
    const first = burst('2024-05-14T10:00:00.000Z');
    const within = burst('2024-05-14T10:30:00.000Z');
    const after = burst('2024-05-14T11:30:00.000Z');
    const firings = await observeAll(detector, [...first, ...within, ...after]);
    expect(firings.map((f) => f.at.toISOString())).toEqual([
      first[9]!.occurredAt.toISOString(),
      after[9]!.occurredAt.toISOString(),
    ]);
  });

  it('fires when the failure that completes the window arrives last but happened first', async () => {
    const failures = sqladminFailures().slice(0, 10);
    const late = [...failures.slice(1), failures[0]!];
    const firings = await observeAll(detector, late);
    expect(firings).toHaveLength(1);
    expect(firings[0]).toMatchObject({ ruleId: 'brute-force-login', count: 10, at: failures[0]!.occurredAt });
    expect(firings[0]!.signalIds).toHaveLength(10);
  });

  it('fires when the failure that completes the window happened in the middle of the burst', async () => {
    // Several nodes or concurrent senders: the fifth failure is stored last.
    const failures = sqladminFailures().slice(0, 10);
    const middle = [...failures.slice(0, 4), ...failures.slice(5), failures[4]!];
    const firings = await observeAll(detector, middle);
    expect(firings).toHaveLength(1);
    expect(firings[0]).toMatchObject({ ruleId: 'brute-force-login', count: 10, at: failures[4]!.occurredAt });
    expect(firings[0]!.signalIds).toHaveLength(10);
  });

  it('stays quiet when no single window holds the threshold, however the burst arrives', async () => {
    // Ten failures spread over more than five minutes: every window holds at most nine.
    const spread = series(10, IN_HOURS, 35_000, () => ({
      kind: 'auth_failure',
      entities: { principal: 'dan' },
    }));
    const shuffled = [spread[4]!, spread[9]!, spread[0]!, ...spread.slice(5, 9), ...spread.slice(1, 4)];
    expect(await observeAll(detector, shuffled)).toEqual([]);
  });

  it('never counts a signal twice (the same stored signal observed again)', async () => {
    const nine = sqladminFailures().slice(0, 9);
    expect(await observeAll(detector, [...nine, nine[8]!])).toEqual([]);
  });

  it('does not count a signal lacking a groupBy entity', async () => {
    const anonymous = series(12, IN_HOURS, 1000, () => ({
      kind: 'auth_failure',
      entities: { clientIp: '192.0.2.9' },
    }));
    expect(await observeAll(detector, anonymous)).toEqual([]);
  });
});
