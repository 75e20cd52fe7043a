import { describe, expect, it } from 'vitest';
import {
  expectStableKeys,
  parseIssues,
  parseOk,
  REMOVE,
  readVector,
  vectorJson,
  vectorWith,
  withChanges,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { defenderAdapter } from './defender-adapter.ts';

const REST = 'defender-sql-bruteforce.json';
const ROW = 'defender-sql-injection.json';
const ORDERSDB =
  '/subscriptions/4f6c2a1e-9b3d-4c8e-a7f1-2d5e8b0c9a13/resourceGroups/rg-orders-prod/providers/Microsoft.Sql/servers/sql-orders-prod/databases/ordersdb';

describe('defender adapter', () => {
  it('reads the REST alert resource (continuous export)', () => {
    const [signal] = parseOk(defenderAdapter, readVector(REST));
    expect(signal).toMatchObject({
      source: 'defender',
      kind: 'threat_alert',
      status: 'firing',
      severityHint: 'high',
      dedupKey: 'defender:2517155926583512345_1f0a9e3b-6c27-4d5e-8b2a-7c6d5e4f3a2b:firing',
      correlationKey: 'defender:2517155926583512345_1f0a9e3b-6c27-4d5e-8b2a-7c6d5e4f3a2b',
      entities: {
        alertType: 'SQL.DB_BruteForce',
        clientIp: '203.0.113.45',
        principal: 'sqladmin',
        application: 'sqlcmd',
        resourceId: ORDERSDB,
        server: 'sql-orders-prod',
        database: 'ordersdb',
        failedLogins: 18,
      },
    });
    expect(signal?.occurredAt.toISOString()).toBe('2024-05-14T02:10:31.000Z');
    expect(signal?.summary).toContain('Suspected successful brute force attack');
  });

  it('reads a Log Analytics SecurityAlert row, decoding its JSON-string columns', () => {
    const [signal] = parseOk(defenderAdapter, readVector(ROW));
    expect(signal).toMatchObject({
      kind: 'threat_alert',
      status: 'firing',
      severityHint: 'high',
      entities: {
        alertType: 'SQL.DB_PotentialSqlInjection',
        clientIp: '198.51.100.10',
        principal: 'orders_app',
        resourceId: ORDERSDB,
        database: 'ordersdb',
        server: 'sql-orders-prod',
        statement: expect.stringContaining('OR 1=1'),
      },
    });
    expect(signal?.occurredAt.toISOString()).toBe('2024-05-14T02:24:03.000Z');
  });

  it('falls back to entities[] when extendedProperties lack the client', () => {
    const [fromRest] = parseOk(defenderAdapter, vectorWith(REST, { 'properties.extendedProperties': {} }));
    const [fromRow] = parseOk(defenderAdapter, vectorWith(ROW, { ExtendedProperties: '' }));
    expect(fromRest?.entities).toMatchObject({ clientIp: '203.0.113.45', principal: 'sqladmin' });
    expect(fromRow?.entities).toMatchObject({ clientIp: '198.51.100.10', principal: 'orders_app' });
  });

  it('accepts an array of alerts and maps status and severity', () => {
    const resolved = withChanges(vectorJson(REST), {
      'properties.status': 'Dismissed',
      'properties.severity': 'Informational',
    });
    const signals = parseOk(defenderAdapter, JSON.stringify([vectorJson(ROW), resolved]));
    expect(signals.map((signal) => [signal.status, signal.severityHint])).toEqual([
      ['firing', 'high'],
      ['resolved', 'info'],
    ]);
    expect(signals[1]?.correlationKey).toBe(parseOk(defenderAdapter, readVector(REST))[0]?.correlationKey);
  });

  it('reads the activity-log delivery in the common alert schema', () => {
    const body = vectorWith('azure-monitor-activity-log.json', {
      'data.essentials.monitoringService': 'Activity Log - Security',
      'data.alertContext.operationName': 'Microsoft.Security/locations/alerts/activate/action',
      'data.alertContext.properties': { severity: 'High', compromisedEntity: 'ordersdb' },
    });
    const [signal] = parseOk(defenderAdapter, body);
    expect(signal).toMatchObject({
      kind: 'threat_alert',
      severityHint: 'high',
      entities: { compromisedEntity: 'ordersdb' },
    });
  });

  it('keeps dedup keys stable and distinct per alert', () => {
    expectStableKeys(defenderAdapter, readVector(REST));
    expectStableKeys(defenderAdapter, readVector(ROW));
    expectStableKeys(defenderAdapter, JSON.stringify([vectorJson(REST), vectorJson(ROW)]));
  });

  it('refuses invalid JSON and what is not a Defender alert', () => {
    expect(parseIssues(defenderAdapter, '[{]')[0]?.field).toBe('(body)');
    expect(parseIssues(defenderAdapter, readVector('generic-event.json'))).toEqual([
      expect.objectContaining({ field: '(record)' }),
    ]);
  });

  it('names the record and field of missing, mistyped and unparseable values', () => {
    const missing = withChanges(vectorJson(REST), { 'properties.systemAlertId': REMOVE });
    const badTime = withChanges(vectorJson(ROW), { StartTime: '2024-05-14 25:00', AlertSeverity: 7 });
    const badJson = withChanges(vectorJson(ROW), { Entities: '[{"Type": "ip"' });
    const issues = parseIssues(defenderAdapter, JSON.stringify([missing, badTime, badJson]));
    expect(issues).toEqual([
      { record: 0, field: 'properties.systemAlertId', reason: 'required' },
      expect.objectContaining({ record: 1, field: 'AlertSeverity' }),
      expect.objectContaining({ record: 1, field: 'StartTime' }),
      { record: 2, field: 'Entities', reason: 'not a JSON-encoded value' },
    ]);
  });
});
