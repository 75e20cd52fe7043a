import { describe, expect, it } from 'vitest';
import {
  CONTEXT,
  expectStableKeys,
  parseIssues,
  parseOk,
  RECEIVED_AT,
  REMOVE,
  readVector,
  vectorJson,
  vectorWith,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { pagerDutyAcceptedBody, pagerDutyAdapter, pagerDutyInvalidBody } from './pagerduty-adapter.ts';

const TRIGGER = 'pagerduty-events-v2-trigger.json';
const ACK = 'pagerduty-events-v2-acknowledge.json';
const RESOLVE = 'pagerduty-events-v2-resolve.json';
const DEDUP = 'sql-bruteforce/sql-orders-prod/ordersdb/sqladmin/203.0.113.45';

describe('pagerduty adapter', () => {
  it('reads a trigger', () => {
    const [signal] = parseOk(pagerDutyAdapter, readVector(TRIGGER));
    expect(signal).toMatchObject({
      source: 'pagerduty',
      kind: 'generic_alert',
      status: 'firing',
      severityHint: 'critical',
      correlationKey: `pagerduty:${DEDUP}`,
      entities: {
        pagerDutyAction: 'trigger',
        pagerDutyDedupKey: DEDUP,
        sender: 'sql-orders-prod.example.com',
        component: 'ordersdb',
        clientIp: '203.0.113.45',
        principal: 'sqladmin',
      },
    });
    // "+0000" (no colon) as in PagerDuty's docs.
    expect(signal?.occurredAt.toISOString()).toBe('2024-05-14T02:15:44.091Z');
    expect(signal?.summary).toMatch(/^Suspected brute force against sqladmin/);
  });

  it('reads acknowledge as firing and resolve as resolved, joined by dedup_key, at the receive time', () => {
    const [ack] = parseOk(pagerDutyAdapter, readVector(ACK));
    const [resolve] = parseOk(pagerDutyAdapter, readVector(RESOLVE));
    expect(ack).toMatchObject({
      status: 'firing',
      severityHint: 'info',
      entities: { pagerDutyAction: 'acknowledge' },
    });
    expect(resolve).toMatchObject({ status: 'resolved', entities: { pagerDutyAction: 'resolve' } });
    expect(ack?.occurredAt).toEqual(RECEIVED_AT);
    expect(new Set([ack?.correlationKey, resolve?.correlationKey])).toEqual(new Set([`pagerduty:${DEDUP}`]));
    expect(ack?.dedupKey).not.toBe(resolve?.dedupKey);
  });

  it('gives a trigger without dedup_key a stable derived key', () => {
    const { dedup_key: _key, ...event } = vectorJson(TRIGGER);
    const [first] = parseOk(pagerDutyAdapter, JSON.stringify(event));
    const [again] = parseOk(pagerDutyAdapter, JSON.stringify(event), { ...CONTEXT, receivedAt: new Date(0) });
    expect(first?.entities.pagerDutyDedupKey).toMatch(/^vigil-[0-9a-f]{32}$/);
    expect(again?.entities.pagerDutyDedupKey).toBe(first?.entities.pagerDutyDedupKey);
    for (const name of [TRIGGER, ACK, RESOLVE]) expectStableKeys(pagerDutyAdapter, readVector(name));
  });

  it.each([
    ['critical', 'critical'],
    ['error', 'high'],
    ['warning', 'medium'],
    ['info', 'info'],
  ])('maps payload.severity %s to %s', (severity, hint) => {
    const body = vectorWith(TRIGGER, { 'payload.severity': severity });
    expect(parseOk(pagerDutyAdapter, body)[0]?.severityHint).toBe(hint);
  });

  it('builds the 202 body of the response vector', () => {
    const [signal] = parseOk(pagerDutyAdapter, readVector(TRIGGER));
    expect(pagerDutyAcceptedBody(signal!)).toEqual(vectorJson('pagerduty-events-v2-response-202.json'));
  });

  it('builds the 400 body of the response vector', () => {
    const issue = {
      field: 'routing_key',
      reason: "Length of 'routing_key' is incorrect (should be 32 characters)",
    };
    expect(pagerDutyInvalidBody([issue])).toEqual(vectorJson('pagerduty-events-v2-response-400.json'));
    expect(parseIssues(pagerDutyAdapter, JSON.stringify({ ...vectorJson(ACK), routing_key: '' }))).toEqual([
      { field: 'routing_key', reason: "'routing_key' is required" },
    ]);
  });

  it('refuses invalid JSON, a missing dedup_key on ack, a bad payload and an unknown action', () => {
    expect(pagerDutyInvalidBody(parseIssues(pagerDutyAdapter, '{')).errors[0]).toMatch(
      /^'\(body\)': invalid JSON/,
    );
    const { dedup_key: _key, ...ack } = vectorJson(RESOLVE);
    expect(parseIssues(pagerDutyAdapter, JSON.stringify(ack))).toEqual([
      { field: 'dedup_key', reason: 'required' },
    ]);
    const trigger = vectorWith(TRIGGER, {
      'payload.source': REMOVE,
      'payload.severity': 'fatal',
      'payload.timestamp': '14/05/2024',
    });
    expect(parseIssues(pagerDutyAdapter, trigger)).toEqual(
      expect.arrayContaining([
        { field: 'payload.source', reason: 'required' },
        expect.objectContaining({ field: 'payload.severity' }),
        expect.objectContaining({ field: 'payload.timestamp' }),
      ]),
    );
    expect(
      parseIssues(pagerDutyAdapter, JSON.stringify({ ...vectorJson(ACK), event_action: 'snooze' })),
    ).toEqual([expect.objectContaining({ field: 'event_action' })]);
  });
});
