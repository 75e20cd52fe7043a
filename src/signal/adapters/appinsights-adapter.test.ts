import { describe, expect, it } from 'vitest';
import {
  expectStableKeys,
  parseIssues,
  parseOk,
  readVector,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { appInsightsAdapter } from './appinsights-adapter.ts';

const EXCEPTIONS = 'appinsights-exceptions.jsonl';
const REQUESTS = 'appinsights-requests.jsonl';
const rows = (name: string) =>
  readVector(name)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('appinsights adapter', () => {
  it('reads the 8 exceptions as app errors of orders-api', () => {
    const signals = parseOk(appInsightsAdapter, readVector(EXCEPTIONS));
    expect(signals).toHaveLength(8);
    expect(signals.every((signal) => signal.kind === 'app_error' && signal.status === 'firing')).toBe(true);
    expect(signals.map((signal) => signal.severityHint)).toEqual([...Array(7).fill('high'), 'critical']);
    expect(signals[0]).toMatchObject({
      source: 'appinsights',
      correlationKey: 'appinsights:a4c123b1612dd272d1371c17149d4395',
      entities: {
        application: 'orders-api',
        operationId: 'a4c123b1612dd272d1371c17149d4395',
        problemId: 'ConnectionError at Connection.loginError',
        database: 'ordersdb',
        server: 'sql-orders-prod',
        sqlErrorNumber: '18456',
      },
    });
    expect(signals[0]?.summary).toContain("Login failed for user 'orders_app'.");
    expect(signals[0]?.occurredAt.toISOString()).toBe('2024-05-14T02:11:27.412Z');
  });

  it('reads the 8 failed requests, joined to their exceptions by OperationId', () => {
    const requests = parseOk(appInsightsAdapter, readVector(REQUESTS));
    const exceptions = parseOk(appInsightsAdapter, readVector(EXCEPTIONS));
    expect(requests).toHaveLength(8);
    expect(requests.every((signal) => signal.kind === 'request_failure')).toBe(true);
    expect(requests[2]).toMatchObject({
      severityHint: 'medium',
      dedupKey: expect.stringMatching(
        /^appinsights:2024-05-14T[\d:.]+Z:request:ec84d8dbc74254770f58904dba41eccc:c3fc1626e53a1304$/,
      ),
      entities: {
        resultCode: '504',
        application: 'orders-api',
        operationId: 'ec84d8dbc74254770f58904dba41eccc',
      },
    });
    expect(requests.map((signal) => signal.correlationKey)).toEqual(
      exceptions.map((signal) => signal.correlationKey),
    );
  });

  it('keeps a successful request as info, and derives request severity from the result code', () => {
    const [ok, clientError] = parseOk(
      appInsightsAdapter,
      JSON.stringify([
        { ...rows(REQUESTS)[0], Success: true, ResultCode: '200' },
        { ...rows(REQUESTS)[1], ResultCode: 404 },
      ]),
    );
    expect([ok?.kind, ok?.severityHint]).toEqual(['generic_alert', 'info']);
    expect([clientError?.kind, clientError?.severityHint, clientError?.entities.resultCode]).toEqual([
      'request_failure',
      'low',
      '404',
    ]);
  });

  it('accepts a mixed JSON array and keeps keys stable and distinct', () => {
    const mixed = JSON.stringify([...rows(EXCEPTIONS), ...rows(REQUESTS)]);
    expect(parseOk(appInsightsAdapter, mixed)).toHaveLength(16);
    expectStableKeys(appInsightsAdapter, mixed);
    expectStableKeys(appInsightsAdapter, readVector(EXCEPTIONS));
  });

  it('refuses invalid JSON, unknown row types, missing, mistyped and bad fields, and too many rows', () => {
    expect(parseIssues(appInsightsAdapter, '[')[0]?.field).toBe('(body)');
    const [exception, request, other] = [rows(EXCEPTIONS)[0]!, rows(REQUESTS)[0]!, rows(REQUESTS)[1]!];
    delete request.Success;
    exception.SeverityLevel = 'Error';
    exception.TimeGenerated = 'soon';
    const issues = parseIssues(
      appInsightsAdapter,
      JSON.stringify([exception, request, { ...other, Type: 'requests' }]),
    );
    expect(issues).toEqual([
      expect.objectContaining({ record: 0, field: 'TimeGenerated' }),
      expect.objectContaining({ record: 0, field: 'SeverityLevel' }),
      { record: 1, field: 'Success', reason: 'required' },
      { record: 2, field: 'Type', reason: 'expected "AppExceptions" or "AppRequests"' },
    ]);
    const many = Array.from({ length: 10_001 }, () => '{}').join('\n');
    expect(parseIssues(appInsightsAdapter, many)).toEqual([expect.objectContaining({ field: '(body)' })]);
  });
});
