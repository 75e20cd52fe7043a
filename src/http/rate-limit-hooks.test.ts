import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../platform/clock.ts';
import { installErrorHandling } from './error-handler.ts';
import { createIngestThrottle, createSignInThrottle } from './rate-limit-hooks.ts';

async function appWith(clock: FakeClock) {
  const app = Fastify();
  installErrorHandling(app);
  const throttle = createSignInThrottle(clock, {
    perClient: { limit: 3, windowMs: 60_000 },
    perAccount: { limit: 2, windowMs: 60_000 },
  });
  // Like GET /auth/oidc/login: only the per-client limit.
  app.get('/redirect', { onRequest: throttle.byClient }, async () => ({ ok: true }));
  app.post('/login', { onRequest: throttle.byClient, preHandler: throttle.byAccount }, async () => ({
    ok: true,
  }));
  const ingest = createIngestThrottle(clock, { perSecond: 1, burst: 1 });
  app.post('/ingest/:token', async (request, reply) => {
    if (!(await ingest.check(request, reply, (request.params as { token: string }).token))) return reply;
    return { ok: true };
  });
  return app;
}

describe('rate limit hooks', () => {
  it('limits a client address across sign-in routes, with a too-many-requests problem and Retry-After', async () => {
    const clock = new FakeClock('2026-04-07T09:00:00Z');
    const app = await appWith(clock);
    const get = (remoteAddress: string) => app.inject({ method: 'GET', url: '/redirect', remoteAddress });
    for (let i = 0; i < 3; i++) expect((await get('203.0.113.7')).statusCode).toBe(200);
    const refused = await get('203.0.113.7');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({
      type: 'urn:vigil:problem:too-many-requests',
      detail: 'too many sign-in attempts; try again in 60 seconds',
    });
    expect((await get('198.51.100.1')).statusCode).toBe(200);
    clock.advance(60_000);
    expect((await get('203.0.113.7')).statusCode).toBe(200);
  });

  it('limits attempts per email whatever its case, and ignores bodies without one', async () => {
    const clock = new FakeClock('2026-04-07T09:00:00Z');
    const app = await appWith(clock);
    const post = (payload: object, remoteAddress: string) =>
      app.inject({ method: 'POST', url: '/login', payload, remoteAddress });
    expect((await post({ email: 'Ana@Example.com' }, '192.0.2.1')).statusCode).toBe(200);
    expect((await post({ email: ' ana@example.com' }, '192.0.2.2')).statusCode).toBe(200);
    expect((await post({ email: 'ANA@EXAMPLE.COM' }, '192.0.2.3')).statusCode).toBe(429);
    expect((await post({ email: 'bo@example.com' }, '192.0.2.4')).statusCode).toBe(200);
    expect((await post({}, '192.0.2.5')).statusCode).toBe(200);
  });

  it('limits each ingest token on its own', async () => {
    const clock = new FakeClock('2026-04-07T09:00:00Z');
    const app = await appWith(clock);
    const send = (token: string) => app.inject({ method: 'POST', url: `/ingest/${token}` });
    expect((await send('a')).statusCode).toBe(200);
    expect((await send('a')).statusCode).toBe(429);
    expect((await send('b')).statusCode).toBe(200);
    clock.advance(1_000);
    expect((await send('a')).statusCode).toBe(200);
  });

  it('lets everything through when ingestion is not limited', async () => {
    const throttle = createIngestThrottle(new FakeClock('2026-04-07T09:00:00Z'), undefined);
    const app = Fastify();
    app.post('/ingest', async (request, reply) =>
      (await throttle.check(request, reply, 't')) ? { ok: true } : reply,
    );
    for (let i = 0; i < 50; i++)
      expect((await app.inject({ method: 'POST', url: '/ingest' })).statusCode).toBe(200);
  });
});
