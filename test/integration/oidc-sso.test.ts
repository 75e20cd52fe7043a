import { decodeJwt, generateKeyPair, importJWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Vigil } from '../../src/app/vigil.ts';
import type { OidcSettings } from '../../src/identity/oidc-types.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { cookieFrom, ssoBrowser, startSsoVigil } from '../support/oidc-browser.ts';
import { startTestProvider, type TestAccount, type TestProvider } from '../support/oidc-provider.ts';
import { describeEachDatabase } from '../support/test-databases.ts';

/** Vigil does not listen: the test carries the provider's redirect to the callback itself (inject). */
const REDIRECT_URI = 'http://vigil.test/auth/oidc/callback';
const TENANT = '9b1c4f0e-0000-4000-8000-000000000001';
const OTHER_TENANT = '9b1c4f0e-0000-4000-8000-000000000002';
const RESPONDERS_GROUP = '5f0e6a12-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

const ACCOUNTS: TestAccount[] = [
  {
    sub: 'pairwise-ada',
    oid: 'oid-ada',
    tid: TENANT,
    email: 'Ada@Example.com',
    name: 'Ada Lovelace',
    roles: ['Vigil.IncidentManager'],
    groups: [RESPONDERS_GROUP],
  },
  {
    sub: 'pairwise-bob',
    oid: 'oid-bob',
    tid: TENANT,
    preferred_username: 'bob@example.com',
    groups: [RESPONDERS_GROUP],
  },
  { sub: 'pairwise-eve', oid: 'oid-eve', tid: TENANT, email: 'eve@example.com', roles: ['Something.Else'] },
  {
    sub: 'pairwise-mal',
    oid: 'oid-mal',
    tid: OTHER_TENANT,
    email: 'mal@example.com',
    roles: ['Vigil.Admin'],
  },
  // The policy's CTO (a user since start-up), then a second identity claiming the same address.
  { sub: 'pairwise-cto', oid: 'oid-cto', tid: TENANT, upn: 'CTO@example.com', groups: [RESPONDERS_GROUP] },
  { sub: 'pairwise-cto-2', oid: 'oid-cto-2', tid: TENANT, email: 'cto@example.com', roles: ['Vigil.Admin'] },
];

const ROLE_MAP: OidcSettings['roleMap'] = [
  { value: 'Vigil.Admin', role: 'admin' },
  { value: 'Vigil.IncidentManager', role: 'incident_manager' },
  { value: RESPONDERS_GROUP, role: 'responder' },
];

/** The settings of the Vigil under test, against the test provider's client. */
function ssoSettings(oidc: Pick<OidcSettings, 'issuer' | 'clientId' | 'credential'>): OidcSettings {
  const shared = { redirectUri: REDIRECT_URI, allowedTenants: [TENANT], scopes: 'openid profile email' };
  return { ...oidc, ...shared, roleMap: ROLE_MAP, defaultRole: undefined, allowInsecureHttp: true };
}

describeEachDatabase('single sign-on over OpenID Connect', (dialect) => {
  let provider: TestProvider;
  let vigil: Vigil;
  let stopVigil: () => Promise<void>;
  const clock = new FakeClock('2026-04-07T09:30:00Z');

  beforeAll(async () => {
    provider = await startTestProvider({ redirectUri: REDIRECT_URI, accounts: ACCOUNTS });
    const credential = { kind: 'secret' as const, secret: provider.clientSecret };
    const settings = ssoSettings({ issuer: provider.issuer, clientId: provider.clientId, credential });
    ({ vigil, stop: stopVigil } = await startSsoVigil(dialect, clock, settings));
  });
  afterAll(async () => {
    await stopVigil?.();
    await provider?.stop();
  });
  beforeEach(() => {
    provider.rewriteIdToken = null;
  });

  const { startSignIn, callback } = ssoBrowser(
    () => vigil,
    () => provider,
    REDIRECT_URI,
  );

  async function auditEntries(action: string) {
    const rows = await vigil.database.kysely
      .selectFrom('audit_log')
      .select(['action', 'subject_id', 'detail'])
      .where('action', '=', action)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({
      subjectId: r.subject_id,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }

  const userByEmail = (email: string) => vigil.identity.findUserByEmail(email);

  /** Re-signs the provider's ID token with its own key after `change`: every check but the changed one passes. */
  function resign(change: (claims: JWTPayload) => JWTPayload) {
    return async (idToken: string) => {
      const key = await importJWK(provider.signingKey, 'RS256');
      return new SignJWT(change(decodeJwt(idToken)))
        .setProtectedHeader({ alg: 'RS256', kid: provider.signingKey.kid, typ: 'JWT' })
        .sign(key);
    };
  }

  it('signs a person in: provisions the user with the mapped role, starts a session, audits it', async () => {
    const started = await startSignIn('pairwise-ada', '/incidents?status=open');
    const res = await callback(started);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/incidents?status=open');
    const session = cookieFrom(res, 'vigil_session');
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(cookieFrom(res, 'vigil_oidc')).toMatch(/Max-Age=0/);

    const user = await userByEmail('ada@example.com');
    expect(user).toMatchObject({ displayName: 'Ada Lovelace', role: 'incident_manager' });
    const identity = await vigil.database.kysely
      .selectFrom('oidc_identities')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(identity).toMatchObject({
      issuer: provider.issuer,
      subject: 'oid-ada',
      tenant: TENANT,
      user_id: user!.id,
    });
    expect(await auditEntries('auth.oidc_user_provisioned')).toEqual([
      expect.objectContaining({
        subjectId: user!.id,
        detail: expect.objectContaining({ role: 'incident_manager' }),
      }),
    ]);
    const signedIn = await auditEntries('auth.signed_in');
    expect(signedIn.at(-1)).toMatchObject({ subjectId: user!.id, detail: { method: 'oidc' } });
    expect((await vigil.audit.verify()).ok).toBe(true);

    // The cookie is a real session: it names the user at /auth/session and authenticates API reads.
    const cookie = session!.split(';')[0]!;
    const current = await vigil.http.inject({ method: 'GET', url: '/auth/session', headers: { cookie } });
    expect(current.statusCode).toBe(200);
    expect(current.json()).toMatchObject({ user: { email: 'ada@example.com', role: 'incident_manager' } });
    const incidents = await vigil.http.inject({
      method: 'GET',
      url: '/api/v1/incidents',
      headers: { cookie },
    });
    expect(incidents.statusCode).toBe(200);
    const stranger = await vigil.http.inject({
      method: 'GET',
      url: '/api/v1/incidents',
      headers: { cookie: 'vigil_session=forged' },
    });
    expect(stranger.statusCode).toBe(401);
  });

  it('signs the same person in again as the same user, without provisioning twice', async () => {
    const res = await callback(await startSignIn('pairwise-ada'));
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
    expect(await auditEntries('auth.oidc_user_provisioned')).toHaveLength(1);
    const identities = await vigil.database.kysely.selectFrom('oidc_identities').selectAll().execute();
    expect(identities).toHaveLength(1);
  });

  it('maps a group id to responder (email from preferred_username)', async () => {
    const res = await callback(await startSignIn('pairwise-bob'));
    expect(res.statusCode).toBe(302);
    expect(await userByEmail('bob@example.com')).toMatchObject({ role: 'responder' });
  });

  it('refuses a person no role maps to, and audits it', async () => {
    const res = await callback(await startSignIn('pairwise-eve'));
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('no role');
    expect(cookieFrom(res, 'vigil_session')).toBeUndefined();
    expect(await userByEmail('eve@example.com')).toBeNull();
    const failed = await auditEntries('auth.sign_in_failed');
    expect(failed.at(-1)?.detail).toMatchObject({
      method: 'oidc',
      reason: 'no_role',
      email: 'eve@example.com',
    });
  });

  it('refuses a tenant that is not allowed', async () => {
    const res = await callback(await startSignIn('pairwise-mal'));
    expect(res.statusCode).toBe(403);
    expect(await userByEmail('mal@example.com')).toBeNull();
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail).toMatchObject({
      reason: 'tenant_not_allowed',
    });
  });

  it.each([
    ['a wrong audience', (c: JWTPayload) => ({ ...c, aud: 'another-client' }), /audience/],
    ['a wrong issuer', (c: JWTPayload) => ({ ...c, iss: 'http://127.0.0.1:1' }), /issuer/],
    [
      'an expired ID token',
      (c: JWTPayload) => ({ ...c, iat: c.iat! - 7200, exp: c.iat! - 3600 }),
      /expiration/,
    ],
    ['a wrong nonce', (c: JWTPayload) => ({ ...c, nonce: 'not-the-nonce' }), /nonce/],
  ])('refuses %s (validly signed by the provider otherwise)', async (_name, change, cause) => {
    const started = await startSignIn('pairwise-bob');
    provider.rewriteIdToken = resign(change);
    const res = await callback(started);
    expect(res.statusCode).toBe(401);
    expect(cookieFrom(res, 'vigil_session')).toBeUndefined();
    const failed = (await auditEntries('auth.sign_in_failed')).at(-1)?.detail;
    expect(failed).toMatchObject({ method: 'oidc', reason: 'token_rejected' });
    expect(failed?.cause).toMatch(cause);
  });

  it.each([
    ['its signature', 2],
    ['its payload', 1],
  ])('refuses an ID token with a byte of %s flipped', async (_name, part) => {
    const started = await startSignIn('pairwise-bob');
    provider.rewriteIdToken = async (idToken) => {
      const parts = idToken.split('.');
      const bytes = Buffer.from(parts[part]!, 'base64url');
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      parts[part] = bytes.toString('base64url');
      return parts.join('.');
    };
    const res = await callback(started);
    expect(res.statusCode).toBe(401);
    const failed = (await auditEntries('auth.sign_in_failed')).at(-1)?.detail;
    expect(failed).toMatchObject({ reason: 'token_rejected' });
    expect(failed?.cause).toMatch(/signature verification failed/);
  });

  it('refuses an ID token signed by a key the provider never published', async () => {
    const started = await startSignIn('pairwise-bob');
    const { privateKey } = await generateKeyPair('RS256');
    provider.rewriteIdToken = async (idToken) =>
      new SignJWT(decodeJwt(idToken))
        .setProtectedHeader({ alg: 'RS256', kid: provider.signingKey.kid })
        .sign(privateKey);
    expect((await callback(started)).statusCode).toBe(401);
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail.cause).toMatch(
      /signature verification failed/,
    );
  });

  it('updates the role from the claims at each sign-in and audits the change', async () => {
    const bob = ACCOUNTS.find((a) => a.sub === 'pairwise-bob')!;
    const before = await userByEmail('bob@example.com');
    expect(before?.role).toBe('responder');
    bob.roles = ['Vigil.IncidentManager'];
    try {
      expect((await callback(await startSignIn('pairwise-bob'))).statusCode).toBe(302);
    } finally {
      delete bob.roles;
    }
    expect(await userByEmail('bob@example.com')).toMatchObject({ id: before!.id, role: 'incident_manager' });
    expect((await auditEntries('auth.role_changed')).at(-1)).toMatchObject({
      subjectId: before!.id,
      detail: { method: 'oidc', from: 'responder', to: 'incident_manager' },
    });
    expect((await callback(await startSignIn('pairwise-bob'))).statusCode).toBe(302);
    expect((await userByEmail('bob@example.com'))?.role).toBe('responder');
  });

  it('refuses a replayed callback, a state that does not match, and a callback without the state cookie', async () => {
    const started = await startSignIn('pairwise-bob');
    expect((await callback(started)).statusCode).toBe(302);
    const replay = await callback(started);
    expect(replay.statusCode).toBe(400);
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail).toMatchObject({
      reason: 'state_replayed',
    });

    const other = await startSignIn('pairwise-bob');
    const forged = { ...other, callbackUrl: other.callbackUrl.replace(/state=[^&]+/, 'state=forged') };
    expect((await callback(forged)).statusCode).toBe(400);
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail).toMatchObject({
      reason: 'state_mismatch',
    });
    // The mismatched attempt used the state up: the genuine answer cannot follow it.
    expect((await callback(other)).statusCode).toBe(400);

    const third = await startSignIn('pairwise-bob');
    expect((await callback(third, '')).statusCode).toBe(400);
    expect((await callback(third, 'vigil_oidc=not-a-known-handle')).statusCode).toBe(400);
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail).toMatchObject({
      reason: 'unknown_state',
    });
  });

  it('refuses a sign-in that took longer than 10 minutes', async () => {
    const started = await startSignIn('pairwise-bob');
    clock.advance(10 * 60_000 + 1);
    const res = await callback(started);
    expect(res.statusCode).toBe(400);
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail).toMatchObject({
      reason: 'state_expired',
    });
  });

  it('answers a provider error with 401 and an audit entry', async () => {
    const started = await startSignIn('pairwise-bob');
    const url = new URL(started.callbackUrl);
    const denied = `${url.pathname}?error=access_denied&state=${url.searchParams.get('state')}`;
    const res = await vigil.http.inject({
      method: 'GET',
      url: denied,
      headers: { cookie: started.stateCookie },
    });
    expect(res.statusCode).toBe(401);
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail).toMatchObject({
      reason: 'provider_error',
    });
  });

  it('links an existing user by email on the first sign-in, then refuses another identity with that email', async () => {
    const cto = await userByEmail('cto@example.com');
    expect(cto?.role).toBe('incident_manager');
    expect((await callback(await startSignIn('pairwise-cto'))).statusCode).toBe(302);
    expect(await userByEmail('cto@example.com')).toMatchObject({ id: cto!.id, role: 'responder' });
    const provisioned = await auditEntries('auth.oidc_user_provisioned');
    expect(provisioned.some((e) => e.subjectId === cto!.id)).toBe(false);
    expect((await auditEntries('auth.role_changed')).at(-1)).toMatchObject({ subjectId: cto!.id });

    const res = await callback(await startSignIn('pairwise-cto-2'));
    expect(res.statusCode).toBe(403);
    expect((await userByEmail('cto@example.com'))?.role).toBe('responder');
    expect((await auditEntries('auth.sign_in_failed')).at(-1)?.detail).toMatchObject({
      reason: 'identity_conflict',
    });
  });

  it('refuses a disabled user', async () => {
    const db = vigil.database.kysely;
    await db
      .updateTable('users')
      .set({ disabled_at: '2026-04-07T09:00:00.000Z' })
      .where('email', '=', 'bob@example.com')
      .execute();
    try {
      const res = await callback(await startSignIn('pairwise-bob'));
      expect(res.statusCode).toBe(403);
      expect(cookieFrom(res, 'vigil_session')).toBeUndefined();
      const bob = await userByEmail('bob@example.com');
      expect((await auditEntries('auth.sign_in_failed')).at(-1)).toMatchObject({
        subjectId: bob!.id,
        detail: { reason: 'user_disabled' },
      });
    } finally {
      await db
        .updateTable('users')
        .set({ disabled_at: null })
        .where('email', '=', 'bob@example.com')
        .execute();
    }
  });

  it.each([
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    'javascript:alert(1)',
    'incidents',
  ])('refuses returnTo=%s (no open redirect) before going to the provider', async (returnTo) => {
    const res = await vigil.http.inject({
      method: 'GET',
      url: `/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ errors: [{ field: 'query.returnTo' }] });
    expect(res.headers.location).toBeUndefined();
  });
});
