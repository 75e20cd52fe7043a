import { describe, expect, it } from 'vitest';
import {
  expectStableKeys,
  parseIssues,
  parseOk,
  REMOVE,
  readVector,
  vectorWith,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { azureMonitorAdapter } from './azure-monitor-adapter.ts';

const METRIC_FIRED = 'azure-monitor-metric-alert-fired.json';
const METRIC_RESOLVED = 'azure-monitor-resolved.json';
const LOG_V1 = 'azure-monitor-log-alert-appinsights.json';
const LOG_V2 = 'azure-monitor-log-alert-v2-sql-failed-logins.json';
const ACTIVITY = 'azure-monitor-activity-log.json';
const ORDERSDB =
  '/subscriptions/4f6c2a1e-9b3d-4c8e-a7f1-2d5e8b0c9a13/resourcegroups/rg-orders-prod/providers/microsoft.sql/servers/sql-orders-prod/databases/ordersdb';

function single(name: string, changes: Record<string, unknown> = {}) {
  const signals = parseOk(azureMonitorAdapter, vectorWith(name, changes));
  expect(signals).toHaveLength(1);
  return signals[0]!;
}

describe('azure-monitor adapter', () => {
  it('reads a fired metric alert as a resource anomaly on the database', () => {
    const signal = single(METRIC_FIRED);
    expect(signal).toMatchObject({
      source: 'azure-monitor',
      kind: 'resource_anomaly',
      status: 'firing',
      severityHint: 'medium',
      entities: {
        resourceId: ORDERSDB,
        server: 'sql-orders-prod',
        database: 'ordersdb',
        metricName: 'cpu_percent',
        metricValue: 93.4,
        alertRule: 'sql-ordersdb-cpu-high',
      },
    });
    // Seven fractional digits are cut to milliseconds.
    expect(signal.occurredAt.toISOString()).toBe('2024-05-14T02:16:41.228Z');
    expect(signal.summary).toContain('CPU percentage on ordersdb above 80%');
  });

  it('joins the resolved notification to the fired one by alertId, at its resolution time', () => {
    const fired = single(METRIC_FIRED);
    const resolved = single(METRIC_RESOLVED);
    expect(resolved.status).toBe('resolved');
    expect(resolved.occurredAt.toISOString()).toBe('2024-05-14T02:41:07.902Z');
    expect(resolved.correlationKey).toBe(fired.correlationKey);
    expect(resolved.dedupKey).not.toBe(fired.dedupKey);
    expect(fired.dedupKey).toMatch(/^azure-monitor:\/subscriptions\/.+\/alerts\/6b0f4c2e-.+:Fired$/);
  });

  it('reads a log V1 Application Insights alert as request failures of the app', () => {
    const signal = single(LOG_V1);
    expect(signal).toMatchObject({
      kind: 'request_failure',
      severityHint: 'high',
      status: 'firing',
      entities: { application: 'orders-api', windowEnd: '2024-05-14T02:18:55.000Z', threshold: 25 },
    });
    expect(signal.occurredAt.toISOString()).toBe('2024-05-14T02:19:12.447Z');
  });

  it('parses the V1 US-style search interval explicitly as UTC', () => {
    const signal = single(LOG_V1, {
      'data.alertContext.SearchIntervalStartTimeUtc': '3/22/2019 1:36:33 PM',
      'data.alertContext.SearchIntervalEndtimeUtc': '3/22/2019 1:51:33 PM',
    });
    expect(signal.entities.windowStart).toBe('2019-03-22T13:36:33.000Z');
    expect(signal.entities.windowEnd).toBe('2019-03-22T13:51:33.000Z');
  });

  it('reads a log V2 alert on the audit table as failed logins of a principal from an IP', () => {
    const signal = single(LOG_V2);
    expect(signal).toMatchObject({
      kind: 'auth_failure',
      severityHint: 'high',
      entities: {
        principal: 'sqladmin',
        clientIp: '203.0.113.45',
        resourceId: ORDERSDB,
        database: 'ordersdb',
        server: 'sql-orders-prod',
        metricValue: 18,
      },
    });
  });

  it('reads an activity-log alert at the event time, with the caller as principal', () => {
    const signal = single(ACTIVITY);
    expect(signal).toMatchObject({
      kind: 'permission_change',
      severityHint: 'low',
      status: 'firing',
      entities: {
        principal: 'ops.engineer@example.com',
        operationName: 'Microsoft.Sql/servers/firewallRules/write',
        server: 'sql-orders-prod',
      },
    });
    expect(signal.occurredAt.toISOString()).toBe('2024-05-14T02:06:51.331Z');
    expect(signal.entities.resourceId).toContain('firewallRules/allow-all-temp');
  });

  it.each([
    ['Sev0', 'critical'],
    ['Sev1', 'high'],
    ['Sev2', 'medium'],
    ['Sev3', 'low'],
    ['Sev4', 'info'],
  ])('maps %s to %s', (sev, hint) => {
    expect(single(METRIC_FIRED, { 'data.essentials.severity': sev }).severityHint).toBe(hint);
  });

  it('normalizes a CostAlerts payload as a budget signal', () => {
    const signals = parseOk(azureMonitorAdapter, readVector('budget-alert-common-schema.json'));
    expect(signals[0]).toMatchObject({ source: 'azure-monitor', kind: 'resource_anomaly' });
  });

  it('reads a Defender alert in the security activity log as a threat', () => {
    const signal = single(ACTIVITY, {
      'data.essentials.monitoringService': 'Activity Log - Security',
      'data.alertContext.operationName': 'Microsoft.Security/locations/alerts/activate/action',
    });
    expect(signal.kind).toBe('threat_alert');
  });

  it('keeps dedup keys stable', () => {
    for (const name of [METRIC_FIRED, METRIC_RESOLVED, LOG_V1, LOG_V2, ACTIVITY]) {
      expectStableKeys(azureMonitorAdapter, readVector(name));
    }
  });

  it('refuses invalid JSON and a non-common schema', () => {
    expect(parseIssues(azureMonitorAdapter, 'not json')[0]?.field).toBe('(body)');
    const legacy = parseIssues(azureMonitorAdapter, readVector('budget-alert.json'));
    expect(legacy).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'schemaId' })]));
  });

  it('names a missing firedDateTime, a wrong type and a bad timestamp', () => {
    const missing = vectorWith(METRIC_FIRED, { 'data.essentials.firedDateTime': REMOVE });
    expect(parseIssues(azureMonitorAdapter, missing)).toEqual([
      { field: 'data.essentials.firedDateTime', reason: 'required' },
    ]);
    const wrongType = vectorWith(METRIC_FIRED, { 'data.essentials.alertTargetIDs': 'ordersdb' });
    expect(parseIssues(azureMonitorAdapter, wrongType)[0]?.field).toBe('data.essentials.alertTargetIDs');
    const badTime = vectorWith(LOG_V2, {
      'data.alertContext.condition.windowEndTime': '2024-13-14T02:15:30Z',
    });
    expect(parseIssues(azureMonitorAdapter, badTime)).toEqual([
      expect.objectContaining({ field: 'data.alertContext.condition.windowEndTime' }),
    ]);
    const noCondition = vectorWith(METRIC_FIRED, { 'data.essentials.monitorCondition': null });
    expect(parseIssues(azureMonitorAdapter, noCondition)).toEqual([
      { field: 'data.essentials.monitorCondition', reason: 'required' },
    ]);
  });
});
