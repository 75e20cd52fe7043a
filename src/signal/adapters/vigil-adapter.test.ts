import { describe, expect, it } from 'vitest';
import {
  parseIssues,
  parseOk,
  readVector,
  vectorJson,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { vigilAdapter } from './vigil-adapter.ts';

const EVENT = 'vigil-security-event.json';
const event = (changes: Record<string, unknown>) => JSON.stringify({ ...vectorJson(EVENT), ...changes });

describe('vigil adapter', () => {
  it('turns a failed sign-in into a low auth_failure about the account, keyed by the event id', () => {
    const [signal] = parseOk(vigilAdapter, readVector(EVENT));
    expect(signal).toMatchObject({
      source: 'vigil',
      kind: 'auth_failure',
      severityHint: 'low',
      status: 'firing',
      dedupKey: 'vigil:0b8e4c52-6f1d-4c8a-9a57-2e4f0d3b7a11',
      entities: {
        principal: 'ana.lopez@example.com',
        clientIp: '203.0.113.7',
        application: 'vigil',
        event: 'sign_in_failed',
        method: 'password',
        reason: 'bad_password',
      },
      summary: 'Failed sign-in to Vigil for ana.lopez@example.com from 203.0.113.7 (bad_password)',
    });
    expect(signal?.occurredAt.toISOString()).toBe('2026-04-07T09:30:00.000Z');
    expect(signal?.correlationKey).toBeUndefined();
  });

  it.each([
    ['locked_out', {}, 'auth_failure', 'high'],
    ['signed_in', { method: 'oidc' }, 'auth_success', 'info'],
    ['role_changed', { from: 'viewer', to: 'responder' }, 'permission_change', 'medium'],
    ['role_changed', { from: 'responder', to: 'admin' }, 'permission_change', 'high'],
    ['token_created', { name: 'ci' }, 'permission_change', 'low'],
  ])('maps %s %j to %s at %s', (kind, detail, signalKind, severity) => {
    const [signal] = parseOk(vigilAdapter, event({ kind, detail }));
    expect([signal?.kind, signal?.severityHint, signal?.entities.event]).toEqual([
      signalKind,
      severity,
      kind,
    ]);
  });

  it('keeps long detail values, cut to 1000 characters', () => {
    const [signal] = parseOk(vigilAdapter, event({ detail: { cause: 'x'.repeat(5000) } }));
    expect(String(signal?.entities.cause)).toHaveLength(1000);
  });

  it('gives two identical events with different ids two keys', () => {
    const [first] = parseOk(vigilAdapter, event({ id: 'a' }));
    const [second] = parseOk(vigilAdapter, event({ id: 'b' }));
    expect(first?.dedupKey).not.toBe(second?.dedupKey);
  });

  it('never lets detail overwrite the named entities, and drops an empty principal', () => {
    const [signal] = parseOk(
      vigilAdapter,
      event({ principal: '', detail: { application: 'forged', principal: 'someone@else', reason: 'x' } }),
    );
    expect(signal?.entities.application).toBe('vigil');
    expect(signal?.entities).not.toHaveProperty('principal');
    const [plain] = parseOk(vigilAdapter, event({ principal: '', detail: {} }));
    expect(plain?.summary).toBe('Failed sign-in to Vigil from 203.0.113.7');
  });

  it('refuses invalid JSON, an unknown kind, a missing id and a bad instant, naming the field', () => {
    expect(parseIssues(vigilAdapter, '{')[0]?.field).toBe('(body)');
    expect(parseIssues(vigilAdapter, event({ kind: 'sudo' }))).toEqual([
      expect.objectContaining({ field: 'kind' }),
    ]);
    expect(parseIssues(vigilAdapter, event({ id: undefined }))).toEqual([
      expect.objectContaining({ field: 'id' }),
    ]);
    expect(parseIssues(vigilAdapter, event({ at: 'yesterday' }))).toEqual([
      expect.objectContaining({ field: 'at' }),
    ]);
  });
});
