import { describe, expect, it } from 'vitest';
import {
  expectStableKeys,
  parseIssues,
  parseOk,
  readVector,
  vectorJson,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { genericAdapter } from './generic-adapter.ts';

const EVENT = 'generic-event.json';

describe('generic adapter', () => {
  it('reads the documented generic event', () => {
    const [signal] = parseOk(genericAdapter, readVector(EVENT));
    expect(signal).toMatchObject({
      source: 'generic',
      kind: 'generic_alert',
      status: 'firing',
      severityHint: 'high',
      summary: 'Nightly order reconciliation job failed',
      dedupKey: 'generic:batch-scheduler.example.com:7f3c9e21-4b8a-4d5e-9c1f-2a6b8d0e4f13',
      correlationKey: 'generic:batch-scheduler.example.com:batch-scheduler/reconcile-orders',
      entities: {
        service: 'reconcile-orders',
        application: 'reconcile-orders',
        host: 'batch-01.example.com',
        ip: '198.51.100.40',
        'label.env': 'prod',
        eventType: 'job.failed',
      },
    });
    expect(signal?.occurredAt.toISOString()).toBe('2024-05-14T03:41:09.000Z');
  });

  it('honours kind, status and severity words, and hashes an event without id', () => {
    const event = {
      ...vectorJson(EVENT),
      id: undefined,
      kind: 'app_error',
      status: 'resolved',
      severity: 'warning',
    };
    const [signal] = parseOk(genericAdapter, JSON.stringify(event));
    expect([signal?.kind, signal?.status, signal?.severityHint]).toEqual(['app_error', 'resolved', 'medium']);
    expect(signal?.dedupKey).toMatch(/^generic:sha256:/);
    const [other] = parseOk(genericAdapter, JSON.stringify({ ...event, title: 'another' }));
    expect(other?.dedupKey).not.toBe(signal?.dedupKey);
    expectStableKeys(genericAdapter, JSON.stringify(event));
    expectStableKeys(genericAdapter, readVector(EVENT));
  });

  it('refuses invalid JSON, another schema, missing, mistyped and bad fields', () => {
    expect(parseIssues(genericAdapter, '{"schema":')[0]?.field).toBe('(body)');
    expect(
      parseIssues(genericAdapter, JSON.stringify({ ...vectorJson(EVENT), schema: 'generic-event/v2' })),
    ).toEqual([expect.objectContaining({ field: 'schema' })]);
    const { title: _title, ...untitled } = vectorJson(EVENT);
    const issues = parseIssues(
      genericAdapter,
      JSON.stringify({ ...untitled, severity: 'sev1', timestamp: 1715658069, entity: { ip: ['a'] } }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'severity' }),
        { field: 'title', reason: 'required' },
        expect.objectContaining({ field: 'timestamp' }),
        expect.objectContaining({ field: 'entity.ip' }),
      ]),
    );
    expect(parseIssues(genericAdapter, JSON.stringify({ ...vectorJson(EVENT), timestamp: 'now' }))).toEqual([
      expect.objectContaining({ field: 'timestamp', reason: expect.stringContaining('timestamp') }),
    ]);
  });
});
