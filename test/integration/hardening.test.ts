import type { LightMyRequestResponse } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY } from '../../src/http/console-routes.ts';
import { API_CONTENT_SECURITY_POLICY } from '../../src/http/security-headers.ts';
import { EMAIL, signInDriver } from '../support/sign-in-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const FIXED_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

function expectSecurityHeaders(answer: LightMyRequestResponse) {
  expect(answer.headers).toMatchObject(FIXED_HEADERS);
  expect(answer.headers['content-security-policy']).toBeTruthy();
}

/** Security headers, rate limits and body limits over the real HTTP stack. */
describeEachDatabase('hardening', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t?.stop());
  const { login, user } = signInDriver(() => t);

  async function start(options: Parameters<typeof startTestVigil>[1] = {}) {
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z', ...options });
  }

  it('puts the security headers on JSON, problem and page answers; pages keep their own CSP', async () => {
    await start();
    const json = await t.api({ method: 'GET', url: '/api/v1/incidents' });
    expect(json.statusCode).toBe(200);
    expectSecurityHeaders(json);
    expect(json.headers['content-security-policy']).toBe(API_CONTENT_SECURITY_POLICY);

    const problem = await t.vigil.http.inject({ method: 'GET', url: '/api/v1/incidents' });
    expect(problem.statusCode).toBe(401);
    expect(problem.headers['content-type']).toContain('application/problem+json');
    expectSecurityHeaders(problem);
    expect(problem.headers['content-security-policy']).toBe(API_CONTENT_SECURITY_POLICY);

    // A missing file is a 404 problem; any other path is the console's page, with the console's CSP.
    const missing = await t.vigil.http.inject({ method: 'GET', url: '/assets/no-such-file.js' });
    expect(missing.statusCode).toBe(404);
    expectSecurityHeaders(missing);
    const page = await t.vigil.http.inject({ method: 'GET', url: '/incidents/INC-404' });
    expect(page.headers['content-type']).toContain('text/html');
    expectSecurityHeaders(page);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CONTENT_SECURITY_POLICY);

    const trust = await t.vigil.http.inject({ method: 'GET', url: '/trust' });
    expect(trust.statusCode).toBe(200);
    expectSecurityHeaders(trust);
    expect(trust.headers['content-security-policy']).toMatch(/style-src 'sha256-/);

    const docs = await t.vigil.http.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expectSecurityHeaders(docs);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).not.toContain('unsafe');
  });

  it('sends HSTS only over TLS, as a trusted proxy reports it', async () => {
    await start();
    const plain = await t.api({ method: 'GET', url: '/api/v1/incidents' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    // Not trusted: a client's own X-Forwarded-Proto changes nothing.
    const forged = await t.api({
      method: 'GET',
      url: '/api/v1/incidents',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(forged.headers['strict-transport-security']).toBeUndefined();
    await t.stop();

    await start({ trustProxy: true });
    const proxied = await t.api({
      method: 'GET',
      url: '/api/v1/incidents',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(proxied.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const proxiedPlain = await t.api({ method: 'GET', url: '/api/v1/incidents' });
    expect(proxiedPlain.headers['strict-transport-security']).toBeUndefined();
  });

  it('throttles sign-in per email tried, accounts and unknown addresses alike, with Retry-After', async () => {
    await start();
    for (const email of ['nobody@example.com', 'nobody-else@example.com']) {
      for (let i = 1; i <= 10; i++) {
        const answer = await login({ email, password: `guess ${i}` });
        expect(answer.statusCode, answer.body).toBe(401);
        t.clock.advance(1_000);
      }
      const refused = await login({ email: email.toUpperCase(), password: 'guess 11' });
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({ type: 'urn:vigil:problem:too-many-requests', status: 429 });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      t.clock.advance(60_000);
    }
    // A minute on, the first address may try again.
    expect((await login({ email: 'nobody@example.com', password: 'again' })).statusCode).toBe(401);
    // The throttled attempts never reached the account check: ten failures audited per address, no more.
    const failures = await t.vigil.database.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'auth.sign_in_failed')
      .execute();
    expect(failures).toHaveLength(21);
  });

  it('throttles sign-in per client address, whatever the emails', async () => {
    await start();
    const from = (remoteAddress: string, i: number) =>
      t.vigil.http.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email: `person${i}@example.com`, password: 'a guess' },
        remoteAddress,
      });
    for (let i = 1; i <= 20; i++) expect((await from('203.0.113.7', i)).statusCode).toBe(401);
    const refused = await from('203.0.113.7', 21);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().type).toBe('urn:vigil:problem:too-many-requests');
    expect((await from('198.51.100.2', 22)).statusCode).toBe(401);
  });

  it('limits each ingest token’s rate (429, Retry-After, nothing stored) without touching other tokens', async () => {
    await start({ rateLimits: { ingest: { perSecond: 1, burst: 2 } } });
    const token = async (name: string) =>
      (await t.api({ method: 'POST', url: '/api/v1/ingest-tokens', payload: { name } })).json()
        .token as string;
    const [first, second] = [await token('first'), await token('second')];
    const send = (secret: string, id: string) =>
      t.vigil.http.inject({
        method: 'POST',
        url: '/api/v1/signals/generic',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        payload: {
          id,
          source: 'batch',
          type: 'job.failed',
          severity: 'warning',
          title: `job ${id}`,
          timestamp: '2026-04-07T08:59:00Z',
        },
      });
    expect((await send(first, 'a')).statusCode).toBe(202);
    expect((await send(first, 'b')).statusCode).toBe(202);
    const refused = await send(first, 'c');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().type).toBe('urn:vigil:problem:too-many-requests');
    expect((await send(second, 'd')).statusCode).toBe(202);
    const enqueue = await t.vigil.http.inject({
      method: 'POST',
      url: '/v2/enqueue',
      headers: { 'content-type': 'application/json' },
      payload: {
        routing_key: first,
        event_action: 'trigger',
        payload: { summary: 'disk full', source: 'db-1', severity: 'critical' },
      },
    });
    expect(enqueue.statusCode).toBe(429);
    t.clock.advance(1_000);
    expect((await send(first, 'e')).statusCode).toBe(202);
    const stored = await t.api({ method: 'GET', url: '/api/v1/signals?source=generic' });
    expect((stored.json().items as Array<{ summary: string }>).map((s) => s.summary).sort()).toEqual([
      'job a',
      'job b',
      'job d',
      'job e',
    ]);
  });

  it('refuses a sign-in body over 16 KiB with 413 before reading it', async () => {
    await start();
    await user();
    const answer = await login({ email: EMAIL, password: 'x'.repeat(17 * 1024) });
    expect(answer.statusCode).toBe(413);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expectSecurityHeaders(answer);
    expect((await login({ email: EMAIL, password: 'x'.repeat(100) })).statusCode).toBe(401);
  });
});
