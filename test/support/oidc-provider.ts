/**
 * A real OpenID Connect provider (`oidc-provider`) on 127.0.0.1 for single
 * sign-on tests: one confidential client with PKCE required, test accounts
 * carrying Entra-style claims (`oid`, `tid`, `roles`, `groups`), and an
 * interaction that signs in whichever account the test chose, without forms.
 * A hook may rewrite the ID token the token endpoint returns, so tests can
 * feed Vigil forged, expired or tampered tokens through the real flow.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';

export interface TestAccount {
  sub: string;
  email?: string;
  preferred_username?: string;
  upn?: string;
  name?: string;
  oid?: string;
  tid?: string;
  roles?: string[];
  groups?: string[];
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's signing key (private JWK): forges ID tokens the provider itself could have signed. */
  signingKey: JWK & { kid: string };
  /** The `client_assertion` of the last token request that sent one (`private_key_jwt`). */
  readonly lastClientAssertion: string | null;
  /** The account the next interaction signs in. */
  signInAs(sub: string): void;
  /** Rewrites the `id_token` of token responses until set back to null. */
  rewriteIdToken: ((idToken: string) => Promise<string>) | null;
  stop(): Promise<void>;
}

export const CERTIFICATE_CLIENT_ID = 'vigil-test-cert';

const CLAIMS = ['email', 'preferred_username', 'upn', 'name', 'oid', 'tid', 'roles', 'groups'] as const;

/** Quietens the provider's one-time "Unsupported runtime" warning on Node 20 (it works). */
function withoutRuntimeWarning<T>(make: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    return make();
  } finally {
    console.warn = warn;
  }
}

/** Starts the provider on a random port; `redirectUri` is Vigil's callback URL as Vigil is configured. */
export async function startTestProvider(options: {
  redirectUri: string;
  accounts: readonly TestAccount[];
  /** Registers a second client, `vigil-test-cert`, that authenticates with `private_key_jwt` and this key. */
  certificateJwk?: JWK;
}): Promise<TestProvider> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'vigil-test';
  const clientSecret = 'vigil-test-secret-0123456789abcdef';

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
      ...(options.certificateJwk
        ? [
            {
              client_id: CERTIFICATE_CLIENT_ID,
              redirect_uris: [options.redirectUri],
              grant_types: ['authorization_code'],
              response_types: ['code'],
              token_endpoint_auth_method: 'private_key_jwt',
              token_endpoint_auth_signing_alg: 'RS256',
              jwks: { keys: [{ ...options.certificateJwk, use: 'sig', alg: 'RS256' }] },
            } as ClientMetadata,
          ]
        : []),
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['test-cookie-key-not-secret'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email'], profile: [...CLAIMS.filter((c) => c !== 'email')] },
    // Put the profile claims into the ID token itself, as Entra ID does.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    findAccount: async (_ctx, sub) => {
      const account = accounts.get(sub);
      return account ? { accountId: sub, claims: async () => ({ ...account }) } : undefined;
    },
    // A first-party client: consent is implied, so the only interaction is the login.
    loadExistingGrant: async (ctx) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (!ctx.oidc.session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  const provider = withoutRuntimeWarning(() => new Provider(issuer, configuration));
  let nextAccount = options.accounts[0]?.sub ?? '';
  const hooks: Pick<TestProvider, 'rewriteIdToken'> = { rewriteIdToken: null };
  let lastClientAssertion: string | null = null;

  provider.use(async (ctx, next) => {
    await next();
    const assertion = (ctx.oidc?.params as { client_assertion?: unknown } | undefined)?.client_assertion;
    if (ctx.path === '/token' && typeof assertion === 'string') lastClientAssertion = assertion;
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && hooks.rewriteIdToken && body?.id_token) {
      ctx.body = { ...body, id_token: await hooks.rewriteIdToken(body.id_token) };
    }
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void handle(req, res);
    provider
      .interactionFinished(
        req,
        res,
        { login: { accountId: nextAccount } },
        { mergeWithLastSubmission: false },
      )
      .catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    signingKey,
    get lastClientAssertion() {
      return lastClientAssertion;
    },
    signInAs: (sub) => {
      nextAccount = sub;
    },
    get rewriteIdToken() {
      return hooks.rewriteIdToken;
    },
    set rewriteIdToken(rewrite) {
      hooks.rewriteIdToken = rewrite;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Vigil's fetch keeps connections alive; close them so the server stops now.
        server.closeAllConnections();
      }),
  };
}
