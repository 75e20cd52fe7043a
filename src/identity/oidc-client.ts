/**
 * Vigil's side of the OpenID Connect protocol, over `openid-client`: the
 * provider's metadata (discovered once, on first use, so Vigil starts even
 * while the provider is down), the authorization URL with PKCE (S256),
 * `state` and `nonce`, and the code exchange. openid-client validates the ID
 * token there: signature against the provider's published keys (non-repudiation
 * checks, switched on below), `iss`,
 * `aud`, `exp`/`iat` (its own clock, with 30 s tolerance: the token's times
 * are the provider's wall time, not Vigil's injected clock), `nonce`, and
 * the `state` and RFC 9207 `iss` of the authorization response.
 */
import * as client from 'openid-client';
import { clientAuthentication } from './oidc-credential.ts';
import type { OidcClaims, OidcFailureReason, OidcSettings } from './oidc-types.ts';

/** Seconds Vigil waits for the provider on each call. */
const PROVIDER_TIMEOUT_SECONDS = 10;

export interface OidcChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type OidcExchangeResult =
  | { ok: true; claims: OidcClaims }
  | {
      ok: false;
      reason: Extract<OidcFailureReason, 'provider_error' | 'token_rejected' | 'provider_unavailable'>;
      detail: string;
    };

export interface OidcProviderClient {
  /** The provider's authorization URL for one sign-in; throws when the provider cannot be reached. */
  authorizationUrl(checks: { state: string; nonce: string; codeChallenge: string }): Promise<URL>;
  /** Exchanges the code of a callback (its query string) and returns the validated ID token's claims. */
  exchange(callbackQuery: string, checks: OidcChecks): Promise<OidcExchangeResult>;
}

/** Creates the client; nothing is fetched until the first sign-in. */
export function createOidcProviderClient(settings: OidcSettings): OidcProviderClient {
  let discovered: Promise<client.Configuration> | null = null;

  function configuration(): Promise<client.Configuration> {
    discovered ??= clientAuthentication(settings.credential)
      .then(({ metadata, auth }) =>
        client.discovery(new URL(settings.issuer), settings.clientId, metadata, auth, {
          execute: [
            // Without this openid-client accepts an ID token from the token endpoint without checking
            // its signature (OIDC Core allows that over TLS); Vigil checks it against the provider's keys.
            client.enableNonRepudiationChecks,
            // Plain http only when config says so (tests); openid-client refuses it otherwise.
            ...(settings.allowInsecureHttp ? [client.allowInsecureRequests] : []),
          ],
          timeout: PROVIDER_TIMEOUT_SECONDS,
        }),
      )
      .catch((error: unknown) => {
        // Forget the failure so the next sign-in tries again.
        discovered = null;
        throw error;
      });
    return discovered;
  }

  return {
    async authorizationUrl({ state, nonce, codeChallenge }) {
      return client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes,
        response_type: 'code',
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        state,
        nonce,
      });
    },

    async exchange(callbackQuery, checks) {
      let config: client.Configuration;
      try {
        config = await configuration();
      } catch (error) {
        return { ok: false, reason: 'provider_unavailable', detail: describe(error) };
      }
      // Built from the registered redirect URI, not the request's Host: behind a proxy they differ,
      // and openid-client sends this URL (without its query) as the token request's redirect_uri.
      const current = new URL(settings.redirectUri);
      current.search = callbackQuery;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) return { ok: false, reason: 'token_rejected', detail: 'the provider sent no ID token' };
        return { ok: true, claims: claims as unknown as OidcClaims };
      } catch (error) {
        return failure(error);
      }
    },
  };
}

/** An error's code and message, for the audit entry (openid-client's messages hold no secrets). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const own = typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  // openid-client wraps the failed check (e.g. a bad signature) in a generic error; name both.
  return error.cause instanceof Error ? `${own} (${describe(error.cause)})` : own;
}

function failure(error: unknown): OidcExchangeResult {
  if (error instanceof client.AuthorizationResponseError) {
    return {
      ok: false,
      reason: 'provider_error',
      detail: `${error.error}: ${error.error_description ?? ''}`.trim(),
    };
  }
  if (error instanceof client.ResponseBodyError) {
    // The token endpoint refused the code (used, expired, wrong verifier): the sign-in cannot go on.
    return { ok: false, reason: 'token_rejected', detail: `token endpoint: ${error.error}` };
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = (error as { code?: unknown } | null)?.code;
  if (
    code === 'OAUTH_TIMEOUT' ||
    code === 'OAUTH_ABORT' ||
    (cause instanceof TypeError && /fetch/i.test(cause.message))
  ) {
    return { ok: false, reason: 'provider_unavailable', detail: describe(error) };
  }
  return { ok: false, reason: 'token_rejected', detail: describe(error) };
}
