import { describe, expect, it } from 'vitest';
import {
  expectStableKeys,
  parseIssues,
  parseOk,
  readVector,
  vectorJson,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { alertmanagerAdapter } from './alertmanager-adapter.ts';

const FIRING = 'alertmanager-webhook-firing.json';
const RESOLVED = 'alertmanager-webhook-resolved.json';

describe('alertmanager adapter', () => {
  it('gives one firing signal per alert of a firing group', () => {
    const signals = parseOk(alertmanagerAdapter, readVector(FIRING));
    expect(signals).toHaveLength(2);
    const [first, second] = signals;
    expect(first).toMatchObject({
      source: 'alertmanager',
      kind: 'generic_alert',
      status: 'firing',
      severityHint: 'critical',
      summary: 'High 5xx rate on orders-api',
      dedupKey: 'alertmanager:5c1e8f3a9b2d7e40:2024-05-14T02:15:52.104Z:firing',
      entities: {
        alertType: 'OrdersApiHigh5xxRate',
        instance: 'orders-api-7c9f8d6b5-x2k4p:9464',
        job: 'orders-api',
        application: 'orders-api',
        namespace: 'orders',
      },
    });
    expect(first?.occurredAt.toISOString()).toBe('2024-05-14T02:15:52.104Z');
    expect(first?.entities.endsAt).toBeUndefined();
    expect(second?.entities.instance).toBe('orders-api-7c9f8d6b5-m8q2t:9464');
    expect(first?.raw).toEqual((vectorJson(FIRING).alerts as unknown[])[0]);
  });

  it('resolves each alert at its own end time and joins it to its firing', () => {
    const firing = parseOk(alertmanagerAdapter, readVector(FIRING));
    const resolved = parseOk(alertmanagerAdapter, readVector(RESOLVED));
    expect(resolved.map((signal) => signal.status)).toEqual(['resolved', 'resolved']);
    expect(resolved.map((signal) => signal.occurredAt.toISOString())).toEqual([
      '2024-05-14T02:44:52.104Z',
      '2024-05-14T02:43:22.104Z',
    ]);
    expect(resolved.map((signal) => signal.correlationKey)).toEqual(
      firing.map((signal) => signal.correlationKey),
    );
    expect(resolved[0]?.dedupKey).not.toBe(firing[0]?.dedupKey);
  });

  it('iterates alerts of a partly resolved group by their own status', () => {
    const group = vectorJson(FIRING) as { alerts: Array<Record<string, unknown>> };
    const second = group.alerts[1] as Record<string, unknown>;
    group.alerts[1] = { ...second, status: 'resolved', endsAt: '2024-05-14T02:30:00.123456789+02:00' };
    const signals = parseOk(alertmanagerAdapter, JSON.stringify(group));
    expect(signals.map((signal) => signal.status)).toEqual(['firing', 'resolved']);
    expect(signals[1]?.occurredAt.toISOString()).toBe('2024-05-14T00:30:00.123Z');
  });

  it('keeps dedup keys stable and distinct', () => {
    expectStableKeys(alertmanagerAdapter, readVector(FIRING));
    expectStableKeys(alertmanagerAdapter, readVector(RESOLVED));
  });

  it.each([
    ['critical', 'critical'],
    ['error', 'high'],
    ['warning', 'medium'],
    ['info', 'info'],
    ['none', 'info'],
    ['whatever', 'medium'],
  ])('maps labels.severity %s to %s', (label, hint) => {
    const group = vectorJson(FIRING) as { alerts: Array<{ labels: Record<string, string> }> };
    for (const alert of group.alerts) alert.labels.severity = label;
    expect(parseOk(alertmanagerAdapter, JSON.stringify(group))[0]?.severityHint).toBe(hint);
  });

  it('takes the kind from a vigil_kind label when it names one', () => {
    const group = vectorJson(FIRING) as { alerts: Array<{ labels: Record<string, string> }> };
    group.alerts[0]!.labels.vigil_kind = 'request_failure';
    group.alerts[1]!.labels.vigil_kind = 'not-a-kind';
    expect(parseOk(alertmanagerAdapter, JSON.stringify(group)).map((signal) => signal.kind)).toEqual([
      'request_failure',
      'generic_alert',
    ]);
  });

  it('refuses invalid JSON', () => {
    expect(parseIssues(alertmanagerAdapter, '{"version": "4",')[0]?.field).toBe('(body)');
  });

  it('names the alert and field of a missing fingerprint, a wrong type and a bad timestamp', () => {
    const group = vectorJson(FIRING) as { alerts: Array<Record<string, unknown>> };
    delete group.alerts[0]!.fingerprint;
    group.alerts[1]!.labels = 'severity=critical';
    group.alerts[1]!.startsAt = 'yesterday';
    const issues = parseIssues(alertmanagerAdapter, JSON.stringify(group));
    expect(issues).toEqual(
      expect.arrayContaining([
        { field: 'alerts[0].fingerprint', reason: 'required' },
        expect.objectContaining({ field: 'alerts[1].labels' }),
        expect.objectContaining({
          field: 'alerts[1].startsAt',
          reason: expect.stringContaining('timestamp'),
        }),
      ]),
    );
  });

  it('refuses another webhook version', () => {
    const issues = parseIssues(alertmanagerAdapter, JSON.stringify({ ...vectorJson(FIRING), version: '3' }));
    expect(issues).toEqual([expect.objectContaining({ field: 'version' })]);
  });
});
