import { Command } from 'commander';
import { afterEach, expect, it } from 'vitest';
import { registerUserCommands } from '../../src/cli/user-command.ts';
import { createCredentialDal } from '../../src/identity/credential-dal.ts';
import { createCredentialService } from '../../src/identity/credential-service.ts';
import type { SecurityEvent } from '../../src/identity/identity-types.ts';
import { loadPasswordRules } from '../../src/identity/password-rules.ts';
import { createSessionDal } from '../../src/identity/session-dal.ts';
import { createSessionService } from '../../src/identity/session-service.ts';
import { totpCode } from '../../src/identity/totp.ts';
import { EMAIL, PASSWORD, signInDriver } from '../support/sign-in-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

/** Passwords and their rules, the TOTP second factor, the CLI and the security-events port. */
describeEachDatabase('local accounts', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t?.stop());
  const { login, user, signIn, asSession, auditEntries } = signInDriver(() => t);

  async function start(options: Parameters<typeof startTestVigil>[1] = {}) {
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z', ...options });
  }

  it('enrols TOTP, then requires a fresh code at sign-in', async () => {
    await start();
    await user();
    const s = await signIn();
    const enrol = await asSession(s, { method: 'POST', url: '/api/v1/me/totp' });
    expect(enrol.statusCode, enrol.body).toBe(201);
    const { secret, otpauthUri } = enrol.json();
    expect(otpauthUri).toContain(`secret=${secret}`);
    // Not in force until confirmed.
    expect((await login({ email: EMAIL, password: PASSWORD })).statusCode).toBe(200);
    const badConfirm = await asSession(s, {
      method: 'POST',
      url: '/api/v1/me/totp/confirm',
      payload: { code: '000000' },
    });
    expect(badConfirm.statusCode).toBe(400);
    expect(badConfirm.json().errors[0].field).toBe('code');
    const code = () => totpCode(secret, t.clock.now());
    const confirmed = await asSession(s, {
      method: 'POST',
      url: '/api/v1/me/totp/confirm',
      payload: { code: code() },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(204);

    t.clock.advance(30_000);
    const needed = await login({ email: EMAIL, password: PASSWORD });
    expect(needed.statusCode).toBe(401);
    expect(needed.json().type).toBe('urn:vigil:problem:second-factor-required');
    const wrongCode = String((Number(code()) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await login({ email: EMAIL, password: PASSWORD, totp: wrongCode });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().type).toBe('urn:vigil:problem:second-factor-invalid');
    const good = code();
    expect((await login({ email: EMAIL, password: PASSWORD, totp: good })).statusCode).toBe(200);
    const replay = await login({ email: EMAIL, password: PASSWORD, totp: good });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().type).toBe('urn:vigil:problem:second-factor-invalid');
    expect((await auditEntries('auth.sign_in_failed')).map((f) => f.detail.reason)).toEqual([
      'bad_totp',
      'totp_replayed',
    ]);

    t.clock.advance(30_000);
    expect((await login({ email: EMAIL, password: PASSWORD, totp: code() })).statusCode).toBe(200);
    t.clock.advance(30_000);
    const off = await asSession(s, { method: 'DELETE', url: '/api/v1/me/totp', payload: { code: code() } });
    expect(off.statusCode, off.body).toBe(204);
    expect((await login({ email: EMAIL, password: PASSWORD })).statusCode).toBe(200);
    expect(await auditEntries('auth.totp_enabled')).toHaveLength(1);
    expect(await auditEntries('auth.totp_disabled')).toHaveLength(1);
  });

  it('refuses weak passwords naming the password field, and guards who may set one', async () => {
    await start();
    const id = await user();
    const other = await user('bo.jansen@example.com', 'tidal marble compass 4');
    const set = (password: string) =>
      t.api({ method: 'PUT', url: `/api/v1/users/${id}/password`, payload: { password } });
    for (const [password, rule] of [
      ['short one', 'min_length'],
      ['password1234', 'common'],
      ['ana.lopez-2026-04', 'contains_email'],
    ] as const) {
      const refused = await set(password);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors).toEqual([expect.objectContaining({ field: 'password' })]);
      expect(refused.json().errors[0].reason).toContain(`rule ${rule}`);
    }
    // Nothing changed: the first password still works.
    const s = await signIn();

    const notAdmin = await asSession(s, {
      method: 'PUT',
      url: `/api/v1/users/${other}/password`,
      payload: { password: 'a perfectly fine phrase' },
    });
    expect(notAdmin.statusCode).toBe(403);
    const noCurrent = await asSession(s, {
      method: 'PUT',
      url: '/api/v1/me/password',
      payload: { password: 'a perfectly fine phrase' },
    });
    expect(noCurrent.statusCode).toBe(400);
    expect(noCurrent.json().errors[0].field).toBe('currentPassword');
    const other1 = await signIn();
    const changed = await asSession(s, {
      method: 'PUT',
      url: '/api/v1/me/password',
      payload: { currentPassword: PASSWORD, password: 'a perfectly fine phrase' },
    });
    expect(changed.statusCode, changed.body).toBe(204);
    // The session that changed it lives on; the others end.
    expect((await asSession(s, { method: 'GET', url: '/api/v1/incidents' })).statusCode).toBe(200);
    expect((await asSession(other1, { method: 'GET', url: '/api/v1/incidents' })).statusCode).toBe(401);
    expect((await login({ email: EMAIL, password: PASSWORD })).statusCode).toBe(401);
    expect((await login({ email: EMAIL, password: 'a perfectly fine phrase' })).statusCode).toBe(200);
    const setEntries = await auditEntries('auth.password_set');
    expect(setEntries.map((e) => e.detail.by)).toEqual(['admin', 'admin', 'self']);
    expect(JSON.stringify(setEntries)).not.toContain('perfectly');
  });

  it('sets a password with `vigil user password`, read from standard input', async () => {
    await start();
    expect(
      (await t.api({ method: 'POST', url: '/api/v1/users', payload: { email: EMAIL, name: 'Ana' } }))
        .statusCode,
    ).toBe(201);
    const url = await t.vigil.http.listen({ host: '127.0.0.1', port: 0 });
    const out: string[] = [];
    const io = {
      out: (line: string) => out.push(line),
      err: (line: string) => out.push(line),
      setExitCode: () => {},
    };
    const program = new Command('vigil').exitOverride();
    registerUserCommands(program, io, async () => `${PASSWORD}\n`);
    const argv = ['user', 'password', 'Ana.Lopez@Example.com', '--url', url, '--token', ADMIN_TOKEN];
    await program.parseAsync(argv, { from: 'user' });
    expect(out).toEqual([`password set for ${EMAIL}; their sessions have been ended`]);
    expect((await login({ email: EMAIL, password: PASSWORD })).statusCode).toBe(200);
  });

  it('reports sign-ins, failures and lockouts to the security-events port', async () => {
    await start();
    await user();
    const events: SecurityEvent[] = [];
    const securityEvents = { record: async (event: SecurityEvent) => void events.push(event) };
    const db = t.vigil.database.kysely;
    const common = { db, audit: t.vigil.audit, clock: t.clock, securityEvents };
    const sessionDal = createSessionDal();
    const settings = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
    const sessions = createSessionService({ ...common, dal: sessionDal, settings });
    const credentials = createCredentialService({
      ...common,
      dal: createCredentialDal(),
      sessionDal,
      sessions,
      rules: loadPasswordRules({}),
    });
    const attempt = (password: string) =>
      credentials.signIn({ email: EMAIL, password, clientIp: '192.0.2.7', userAgent: 'test' });
    expect((await attempt(PASSWORD)).outcome).toBe('signed_in');
    for (let i = 0; i < 5; i++) await attempt('a wrong password');
    expect(events.map((e) => e.kind)).toEqual([
      'signed_in',
      ...Array(5).fill('sign_in_failed'),
      'locked_out',
    ]);
    expect(events[1]).toEqual({
      kind: 'sign_in_failed',
      principal: EMAIL,
      clientIp: '192.0.2.7',
      at: t.clock.now(),
      detail: { reason: 'bad_password' },
    });
    expect(JSON.stringify(events)).not.toContain('a wrong password');
  });
});
