import { afterEach, expect, it } from 'vitest';
import { EMAIL, PASSWORD, signInDriver } from '../support/sign-in-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const incidentBody = { title: 'Login storm', severity: 'high', description: 'from the console' };

/** Password sign-in, the session cookie, CSRF, lockout, timeouts and sign-out over the real HTTP stack. */
describeEachDatabase('sign-in and sessions', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t?.stop());
  const { login, user, signIn, asSession, auditEntries } = signInDriver(() => t);

  async function start(options: Parameters<typeof startTestVigil>[1] = {}) {
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z', ...options });
  }

  it('signs in with a good password: a strict HttpOnly cookie that then works for the API', async () => {
    await start();
    await user();
    const { answer, cookie, csrf } = await signIn('  Ana.Lopez@Example.com ');
    expect(answer.json()).toMatchObject({
      user: { email: EMAIL, displayName: 'Ana López', role: 'responder' },
      expiresAt: '2026-04-07T09:30:00.000Z',
      absoluteExpiresAt: '2026-04-07T21:00:00.000Z',
    });
    expect(answer.headers['cache-control']).toBe('no-store');
    const setCookie = String(answer.headers['set-cookie']);
    expect(setCookie.split('; ').slice(1)).toEqual(['Path=/', 'HttpOnly', 'SameSite=Strict']);

    const list = await asSession({ cookie }, { method: 'GET', url: '/api/v1/incidents' });
    expect(list.statusCode, list.body).toBe(200);
    const session = await asSession({ cookie }, { method: 'GET', url: '/auth/session' });
    expect(session.json()).toMatchObject({ user: { email: EMAIL }, csrfToken: csrf });
    // The cookie value is never stored: only its SHA-256.
    const stored = await t.vigil.database.kysely.selectFrom('sessions').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(cookie.split('=')[1]);
    const [signedIn] = await auditEntries('auth.signed_in');
    expect(signedIn?.detail).toMatchObject({ method: 'password', sessionId: stored[0]!.id });
    expect((await t.vigil.http.inject({ method: 'GET', url: '/auth/session' })).statusCode).toBe(401);
  });

  it('marks the cookie Secure only for https through a trusted proxy', async () => {
    await start({ trustProxy: true });
    await user();
    const viaProxy = await login({ email: EMAIL, password: PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(String(viaProxy.headers['set-cookie'])).toMatch(/; Secure$/);
    const plain = await login({ email: EMAIL, password: PASSWORD });
    expect(String(plain.headers['set-cookie'])).not.toContain('Secure');
    await t.stop();

    await start();
    await user();
    // Without trustProxy a client's own X-Forwarded-Proto is ignored.
    const forged = await login({ email: EMAIL, password: PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(forged.statusCode).toBe(200);
    expect(String(forged.headers['set-cookie'])).not.toContain('Secure');
  });

  it('needs x-csrf-token for changes made with the cookie, and not with a bearer token', async () => {
    await start();
    await user();
    const s = await signIn();
    const missing = await asSession(
      { cookie: s.cookie },
      { method: 'POST', url: '/api/v1/incidents', payload: incidentBody },
    );
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ type: 'urn:vigil:problem:forbidden' });
    expect(missing.json().detail).toContain('x-csrf-token');
    const wrong = await asSession(
      { cookie: s.cookie, csrf: 'not-the-token' },
      { method: 'POST', url: '/api/v1/incidents', payload: incidentBody },
    );
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().detail).toContain('x-csrf-token');
    expect((await t.api({ method: 'GET', url: '/api/v1/incidents' })).json().items).toHaveLength(0);

    const made = await asSession(s, { method: 'POST', url: '/api/v1/incidents', payload: incidentBody });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().declaredBy.email).toBe(EMAIL);

    const byToken = await t.api({ method: 'POST', url: '/api/v1/incidents', payload: incidentBody });
    expect(byToken.statusCode).toBe(201);
    // A bearer token wins over a cookie sent alongside it, and needs no CSRF token.
    const both = await t.api({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: incidentBody,
      headers: { cookie: s.cookie },
    });
    expect(both.statusCode).toBe(201);
    expect(both.json().declaredBy.email).toBe('admin@localhost');
  });

  it('answers a wrong password and an unknown email alike, and takes only JSON', async () => {
    await start();
    await user();
    const wrong = await login({ email: EMAIL, password: 'not the password at all' });
    const unknown = await login({ email: 'nobody@example.com', password: 'not the password at all' });
    for (const answer of [wrong, unknown]) {
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    const { instance: _a, requestId: _b, ...wrongBody } = wrong.json();
    const { instance: _c, requestId: _d, ...unknownBody } = unknown.json();
    expect(wrongBody).toEqual(unknownBody);
    expect(wrongBody).toMatchObject({
      type: 'urn:vigil:problem:sign-in-failed',
      detail: 'the email or password is wrong',
    });

    const form = await t.vigil.http.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${EMAIL}&password=${PASSWORD}`,
    });
    expect(form.statusCode).toBe(415);
    const failures = await auditEntries('auth.sign_in_failed');
    expect(failures.map((f) => f.detail.reason)).toEqual(['bad_password', 'unknown_account']);
    expect(failures[1]!.subjectId).toMatch(/^unknown:[0-9a-f]{64}$/);
  });

  it('locks after five failures with backoff, refusing even the right password until it ends', async () => {
    await start();
    const id = await user();
    for (let i = 1; i <= 4; i++) {
      expect((await login({ email: EMAIL, password: `wrong guess number ${i}` })).statusCode).toBe(401);
      t.clock.advance(1000);
    }
    const fifth = await login({ email: EMAIL, password: 'wrong guess number 5' });
    expect(fifth.statusCode).toBe(429);
    expect(fifth.headers['retry-after']).toBe('60');
    expect(fifth.json().type).toBe('urn:vigil:problem:sign-in-locked');

    t.clock.advance(30_000);
    const during = await login({ email: EMAIL, password: PASSWORD });
    expect(during.statusCode).toBe(429);
    expect(during.headers['retry-after']).toBe('30');

    t.clock.advance(30_000);
    // The lock ran out: a sixth failure locks for two minutes.
    expect((await login({ email: EMAIL, password: 'wrong guess number 6' })).headers['retry-after']).toBe(
      '120',
    );
    t.clock.advance(120_000);
    expect((await login({ email: EMAIL, password: PASSWORD })).statusCode).toBe(200);
    // A success resets the count: one more failure does not lock.
    expect((await login({ email: EMAIL, password: 'wrong guess number 7' })).statusCode).toBe(401);

    const locked = await auditEntries('auth.locked_out');
    expect(locked).toHaveLength(2);
    expect(locked[0]).toMatchObject({ subjectId: id, detail: { failures: 5 } });
    const failed = await auditEntries('auth.sign_in_failed');
    expect(failed.map((f) => f.detail.reason)).toEqual([
      ...Array(5).fill('bad_password'),
      'locked',
      'bad_password',
      'bad_password',
    ]);
    const everything = await t.vigil.database.kysely.selectFrom('audit_log').select('detail').execute();
    const text = JSON.stringify(everything);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('wrong guess');
    expect((await t.api({ method: 'GET', url: '/api/v1/audit/verify' })).json()).toMatchObject({ ok: true });
  });

  it('ends a session after the idle timeout, and after the absolute timeout however busy', async () => {
    await start({ signIn: { sessionIdleMs: 30 * 60_000, sessionAbsoluteMs: 90 * 60_000 } });
    await user();
    const get = (cookie: string) => asSession({ cookie }, { method: 'GET', url: '/api/v1/incidents' });

    const idle = await signIn();
    t.clock.advance(29 * 60_000);
    expect((await get(idle.cookie)).statusCode).toBe(200);
    t.clock.advance(29 * 60_000);
    // Each use slides the idle expiry.
    expect((await get(idle.cookie)).statusCode).toBe(200);
    t.clock.advance(30 * 60_000);
    const expired = await get(idle.cookie);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toContain('sign in again');

    const busy = await signIn();
    for (let minute = 20; minute <= 80; minute += 20) {
      t.clock.advance(20 * 60_000);
      expect((await get(busy.cookie)).statusCode).toBe(200);
    }
    t.clock.advance(20 * 60_000);
    expect((await get(busy.cookie)).statusCode).toBe(401);
    const reasons = await t.vigil.database.kysely
      .selectFrom('sessions')
      .select('ended_reason')
      .orderBy('created_at')
      .execute();
    expect(reasons.map((r) => r.ended_reason)).toEqual(['idle_timeout', 'absolute_timeout']);
  });

  it('signs out one session, or every session of the user', async () => {
    await start();
    await user();
    const laptop = await signIn();
    const phone = await signIn();
    const tablet = await signIn();

    const noToken = await asSession({ cookie: laptop.cookie }, { method: 'POST', url: '/auth/logout' });
    expect(noToken.statusCode).toBe(403);
    const out = await asSession(laptop, { method: 'POST', url: '/auth/logout' });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain(
      'vigil_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0',
    );
    expect((await asSession(laptop, { method: 'GET', url: '/api/v1/incidents' })).statusCode).toBe(401);
    expect((await asSession(phone, { method: 'GET', url: '/api/v1/incidents' })).statusCode).toBe(200);

    expect(
      (await asSession({ cookie: phone.cookie }, { method: 'POST', url: '/auth/logout-everywhere' }))
        .statusCode,
    ).toBe(403);
    const everywhere = await asSession(phone, { method: 'POST', url: '/auth/logout-everywhere' });
    expect(everywhere.json()).toEqual({ sessionsEnded: 2 });
    for (const s of [phone, tablet]) {
      expect((await asSession(s, { method: 'GET', url: '/api/v1/incidents' })).statusCode).toBe(401);
    }
    expect(await auditEntries('auth.signed_out')).toHaveLength(1);
    expect((await auditEntries('auth.signed_out_everywhere'))[0]?.detail).toEqual({ sessionsEnded: 2 });
  });
});
