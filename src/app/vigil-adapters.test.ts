import { describe, expect, it } from 'vitest';
import type { IngestReceipt } from '../signal/signal-ingest-service.ts';
import { securityEventSignals } from './vigil-adapters.ts';

const event = {
  kind: 'sign_in_failed' as const,
  principal: 'ana@example.com',
  clientIp: '203.0.113.7',
  at: new Date('2026-04-07T09:00:00Z'),
  detail: { reason: 'bad_password' },
};

describe('securityEventSignals', () => {
  it('ingests each event as a vigil signal body with a fresh id', async () => {
    const bodies: Array<[string, string, string | undefined]> = [];
    const port = securityEventSignals(
      {
        ingest: async (source, body, type) => {
          bodies.push([source, body, type]);
          return {} as IngestReceipt;
        },
      },
      { error: () => expect.fail('nothing should be logged') },
    );
    await port.record(event);
    await port.record(event);
    expect(bodies.map(([source, , type]) => [source, type])).toEqual([
      ['vigil', 'application/json'],
      ['vigil', 'application/json'],
    ]);
    const [first, second] = bodies.map(([, body]) => JSON.parse(body));
    expect(first).toMatchObject({
      kind: 'sign_in_failed',
      principal: 'ana@example.com',
      clientIp: '203.0.113.7',
      at: '2026-04-07T09:00:00.000Z',
      detail: { reason: 'bad_password' },
    });
    expect(first.id).not.toBe(second.id);
  });

  it('logs a failure to ingest and never throws it into the caller', async () => {
    const logged: string[] = [];
    const port = securityEventSignals(
      {
        ingest: async () => {
          throw new Error('database is locked');
        },
      },
      { error: (_object, message) => void logged.push(message) },
    );
    await expect(port.record(event)).resolves.toBeUndefined();
    expect(logged).toEqual(['self-watching: a security event could not become a signal']);
  });
});
