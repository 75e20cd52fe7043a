import { describe, expect, it } from 'vitest';
import { makeCertificate } from '../../test/support/oidc-certificate.ts';
import { resolveOidcConfig } from '../app/config.ts';
import { ValidationFailed } from '../platform/errors.ts';

const BASE = {
  VIGIL_OIDC_ISSUER: 'https://login.microsoftonline.com/9b1c4f0e-0000-4000-8000-000000000001/v2.0',
  VIGIL_OIDC_CLIENT_ID: 'client-id',
  VIGIL_OIDC_CLIENT_SECRET: 'top-secret-value',
  VIGIL_OIDC_REDIRECT_URI: 'https://vigil.example.com/auth/oidc/callback',
  VIGIL_OIDC_ROLE_MAP: 'Vigil.Admin=admin,5f0e6a12-3c4d-4e5f-8a9b-0c1d2e3f4a5b=responder',
};

const noFile = () => {
  throw new Error('no file');
};

function refusal(env: Record<string, string>, readFile: (path: string) => string = noFile): ValidationFailed {
  try {
    resolveOidcConfig(env, readFile);
  } catch (error) {
    if (error instanceof ValidationFailed) return error;
    throw error;
  }
  throw new Error('expected a ValidationFailed');
}

describe('resolveOidcConfig', () => {
  it('is off without an issuer', () => {
    expect(resolveOidcConfig({}, noFile)).toBeUndefined();
  });

  it('reads the settings, with the default scopes', () => {
    const settings = resolveOidcConfig({ ...BASE, VIGIL_OIDC_ALLOWED_TENANTS: ' t1, t2 ,' }, noFile);
    expect(settings).toMatchObject({
      clientId: 'client-id',
      credential: { kind: 'secret', secret: 'top-secret-value' },
      allowedTenants: ['t1', 't2'],
      scopes: 'openid profile email',
      roleMap: [
        { value: 'Vigil.Admin', role: 'admin' },
        { value: '5f0e6a12-3c4d-4e5f-8a9b-0c1d2e3f4a5b', role: 'responder' },
      ],
      defaultRole: undefined,
      allowInsecureHttp: false,
    });
  });

  it('reads the client secret from a file, and always asks for openid', () => {
    const { VIGIL_OIDC_CLIENT_SECRET: _, ...env } = BASE;
    const settings = resolveOidcConfig(
      { ...env, VIGIL_OIDC_CLIENT_SECRET_FILE: '/run/secrets/oidc', VIGIL_OIDC_SCOPES: 'profile email' },
      (path) => (path === '/run/secrets/oidc' ? 'from-file\n' : ''),
    );
    expect(settings?.credential).toEqual({ kind: 'secret', secret: 'from-file' });
    expect(settings?.scopes).toBe('openid profile email');
  });

  it('refuses a plain-http issuer unless insecure http is allowed', () => {
    const http = { ...BASE, VIGIL_OIDC_ISSUER: 'http://127.0.0.1:9999' };
    expect(refusal(http).issues).toEqual([expect.objectContaining({ field: 'VIGIL_OIDC_ISSUER' })]);
    expect(
      resolveOidcConfig({ ...http, VIGIL_OIDC_ALLOW_INSECURE_HTTP: 'true' }, noFile)?.allowInsecureHttp,
    ).toBe(true);
  });

  it('names every missing or wrong setting, without echoing the secret', () => {
    const error = refusal({
      VIGIL_OIDC_ISSUER: BASE.VIGIL_OIDC_ISSUER,
      VIGIL_OIDC_CLIENT_SECRET: 'top-secret-value',
      VIGIL_OIDC_CLIENT_SECRET_FILE: '/run/secrets/oidc',
      VIGIL_OIDC_ROLE_MAP: 'Vigil.Admin=superuser',
      VIGIL_OIDC_DEFAULT_ROLE: 'ingest',
    });
    expect(error.issues.map((i) => i.field).sort()).toEqual([
      'VIGIL_OIDC_CLIENT_ID',
      'VIGIL_OIDC_CLIENT_SECRET',
      'VIGIL_OIDC_DEFAULT_ROLE',
      'VIGIL_OIDC_REDIRECT_URI',
      'VIGIL_OIDC_ROLE_MAP',
    ]);
    expect(error.message).not.toContain('top-secret-value');
  });

  it('needs a role map or a default role, and a readable secret', () => {
    const { VIGIL_OIDC_ROLE_MAP: _, VIGIL_OIDC_CLIENT_SECRET: __, ...env } = BASE;
    const error = refusal({ ...env, VIGIL_OIDC_CLIENT_SECRET_FILE: '/missing' });
    expect(error.issues).toEqual([
      { field: 'VIGIL_OIDC_CLIENT_SECRET_FILE', reason: 'cannot be read' },
      expect.objectContaining({ field: 'VIGIL_OIDC_ROLE_MAP' }),
    ]);
    expect(
      resolveOidcConfig({ ...BASE, VIGIL_OIDC_ROLE_MAP: '', VIGIL_OIDC_DEFAULT_ROLE: 'viewer' }, noFile)
        ?.defaultRole,
    ).toBe('viewer');
  });

  it('needs an allowed-tenants list with a multi-tenant Entra ID issuer', () => {
    const shared = { ...BASE, VIGIL_OIDC_ISSUER: 'https://login.microsoftonline.com/organizations/v2.0' };
    expect(refusal(shared).issues).toEqual([
      expect.objectContaining({ field: 'VIGIL_OIDC_ALLOWED_TENANTS' }),
    ]);
    expect(
      resolveOidcConfig({ ...shared, VIGIL_OIDC_ALLOWED_TENANTS: 't1' }, noFile)?.allowedTenants,
    ).toEqual(['t1']);
  });

  describe('with a certificate', () => {
    const { VIGIL_OIDC_CLIENT_SECRET: _, ...env } = BASE;
    const files = {
      '/c.pem': makeCertificate('a').certificatePem,
      '/k.pem': makeCertificate('a').privateKeyPem,
      '/other-k.pem': makeCertificate('b').privateKeyPem,
    } as Record<string, string>;
    const readFile = (path: string) => files[path] ?? noFile();

    it('uses private_key_jwt, naming the certificate by its SHA-1 thumbprint', () => {
      const settings = resolveOidcConfig(
        { ...env, VIGIL_OIDC_CLIENT_CERTIFICATE_FILE: '/c.pem', VIGIL_OIDC_CLIENT_KEY_FILE: '/k.pem' },
        readFile,
      );
      expect(settings?.credential).toMatchObject({
        kind: 'certificate',
        thumbprint: makeCertificate('a').thumbprint,
      });
    });

    it("refuses a key that is not the certificate's, a lone file, and a secret besides", () => {
      const mismatch = {
        ...env,
        VIGIL_OIDC_CLIENT_CERTIFICATE_FILE: '/c.pem',
        VIGIL_OIDC_CLIENT_KEY_FILE: '/other-k.pem',
      };
      expect(refusal(mismatch, readFile).issues).toEqual([
        { field: 'VIGIL_OIDC_CLIENT_CERTIFICATE_FILE', reason: 'is not the key of the certificate' },
      ]);
      const lone = { ...env, VIGIL_OIDC_CLIENT_CERTIFICATE_FILE: '/c.pem' };
      expect(refusal(lone, readFile).issues).toEqual([
        expect.objectContaining({ field: 'VIGIL_OIDC_CLIENT_KEY_FILE' }),
      ]);
      const both = {
        ...BASE,
        VIGIL_OIDC_CLIENT_CERTIFICATE_FILE: '/c.pem',
        VIGIL_OIDC_CLIENT_KEY_FILE: '/k.pem',
      };
      expect(refusal(both, readFile).issues).toEqual([
        expect.objectContaining({
          field: 'VIGIL_OIDC_CLIENT_SECRET',
          reason: expect.stringMatching(/only one/),
        }),
      ]);
    });
  });
});
