/**
 * Single sign-on as it is set up: with a certificate instead of a client
 * secret, switched off, and with its provider unreachable.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Vigil } from '../../src/app/vigil.ts';
import type { OidcSettings } from '../../src/identity/oidc-types.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { cookieFrom, ssoBrowser, startSsoVigil } from '../support/oidc-browser.ts';
import { makeCertificate } from '../support/oidc-certificate.ts';
import { CERTIFICATE_CLIENT_ID, startTestProvider, type TestProvider } from '../support/oidc-provider.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const REDIRECT_URI = 'http://vigil.test/auth/oidc/callback';
const TENANT = '9b1c4f0e-0000-4000-8000-000000000001';

function ssoSettings(oidc: Pick<OidcSettings, 'issuer' | 'clientId' | 'credential'>): OidcSettings {
  const shared = { redirectUri: REDIRECT_URI, allowedTenants: [TENANT], scopes: 'openid profile email' };
  const roleMap: OidcSettings['roleMap'] = [{ value: 'Vigil.Viewer', role: 'viewer' }];
  return { ...oidc, ...shared, roleMap, defaultRole: undefined, allowInsecureHttp: true };
}

describeEachDatabase('single sign-on with a certificate credential (private_key_jwt)', (dialect) => {
  const certificate = makeCertificate('vigil-sso-test');
  let provider: TestProvider;
  let sso: { vigil: Vigil; stop(): Promise<void> };

  beforeAll(async () => {
    provider = await startTestProvider({
      redirectUri: REDIRECT_URI,
      accounts: [
        {
          sub: 'pairwise-ada',
          oid: 'oid-ada',
          tid: TENANT,
          email: 'ada@example.com',
          roles: ['Vigil.Viewer'],
        },
      ],
      certificateJwk: certificate.publicJwk,
    });
    const credential = {
      kind: 'certificate' as const,
      privateKeyPem: certificate.privateKeyPem,
      thumbprint: certificate.thumbprint,
    };
    const settings = ssoSettings({ issuer: provider.issuer, clientId: CERTIFICATE_CLIENT_ID, credential });
    sso = await startSsoVigil(dialect, new FakeClock('2026-04-07T09:30:00Z'), settings);
  });
  afterAll(async () => {
    await sso?.stop();
    await provider?.stop();
  });
  const { startSignIn, callback } = ssoBrowser(
    () => sso.vigil,
    () => provider,
    REDIRECT_URI,
  );

  it("signs in with a client assertion signed by the certificate's key, naming it by x5t", async () => {
    const res = await callback(await startSignIn('pairwise-ada'));
    expect(res.statusCode).toBe(302);
    expect(cookieFrom(res, 'vigil_session')).toBeDefined();
    expect(await sso.vigil.identity.findUserByEmail('ada@example.com')).toMatchObject({ role: 'viewer' });
    const assertion = provider.lastClientAssertion;
    expect(assertion).not.toBeNull();
    expect(decodeProtectedHeader(assertion!)).toMatchObject({ alg: 'RS256', x5t: certificate.thumbprint });
    expect(decodeJwt(assertion!)).toMatchObject({ iss: CERTIFICATE_CLIENT_ID, sub: CERTIFICATE_CLIENT_ID });
  });
});

describeEachDatabase('single sign-on switched off, or its provider down', (dialect) => {
  let off: TestVigil;
  let down: Awaited<ReturnType<typeof startSsoVigil>>;
  beforeAll(async () => {
    off = await startTestVigil(dialect);
    // Port 9 (discard): nothing answers there.
    const settings = ssoSettings({
      issuer: 'http://127.0.0.1:9',
      clientId: 'x',
      credential: { kind: 'secret', secret: 'y' },
    });
    down = await startSsoVigil(dialect, new FakeClock('2026-04-07T09:30:00Z'), settings);
  });
  afterAll(async () => {
    await off?.stop();
    await down?.stop();
  });

  it.each(['/auth/oidc/login', '/auth/oidc/callback?code=x&state=y'])(
    'answers 404 at %s when off',
    async (url) => {
      const res = await off.vigil.http.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['set-cookie']).toBeUndefined();
    },
  );

  it('starts without the provider, and answers 503 at sign-in while it cannot be reached', async () => {
    const res = await down.vigil.http.inject({ method: 'GET', url: '/auth/oidc/login' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('cannot be reached');
    const states = await down.vigil.database.kysely.selectFrom('oidc_login_states').selectAll().execute();
    expect(states).toEqual([]);
  });

  it('documents the sign-in routes in the OpenAPI document', async () => {
    const res = await down.vigil.http.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = (res.json() as { paths: Record<string, unknown> }).paths;
    expect(paths).toHaveProperty(['/auth/oidc/login']);
    expect(paths).toHaveProperty(['/auth/oidc/callback']);
  });
});
