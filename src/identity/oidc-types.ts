/** Types of single sign-on over OpenID Connect. */
import type { Role } from './identity-types.ts';

/** One `claim value = role` pair of `VIGIL_OIDC_ROLE_MAP`: an app role value or a group id. */
export interface OidcRoleMapping {
  value: string;
  role: Role;
}

/** How Vigil authenticates to the provider's token endpoint. */
export type OidcCredential =
  | { kind: 'secret'; secret: string }
  /** `private_key_jwt` with an RSA key; `thumbprint` is the certificate's base64url SHA-1 (`x5t`). */
  | { kind: 'certificate'; privateKeyPem: string; thumbprint: string };

/** How Vigil signs people in with an OpenID Connect provider (from config; secrets never logged). */
export interface OidcSettings {
  /** The issuer identifier; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  credential: OidcCredential;
  /** Registered at the provider; the callback route must be reachable at this URL. */
  redirectUri: string;
  /** Entra ID tenant ids (`tid`) allowed to sign in; empty allows any the issuer vouches for. */
  allowedTenants: readonly string[];
  /** Space-separated scopes; `openid` is always among them. */
  scopes: string;
  roleMap: readonly OidcRoleMapping[];
  /** The role of someone no mapping matches; undefined refuses them. */
  defaultRole: Role | undefined;
  /** Plain-http issuers are refused unless this is set (tests and local trials only). */
  allowInsecureHttp: boolean;
}

/** Why a sign-in was refused: stored in the audit entry, shown to the person in words. */
export type OidcFailureReason =
  | 'provider_error'
  | 'missing_state_cookie'
  | 'unknown_state'
  | 'state_replayed'
  | 'state_expired'
  | 'state_mismatch'
  | 'token_rejected'
  | 'provider_unavailable'
  | 'tenant_not_allowed'
  | 'no_email'
  | 'no_role'
  | 'user_disabled'
  | 'identity_conflict';

/** A refused sign-in, as the callback route answers it. */
export interface OidcFailure {
  ok: false;
  status: 400 | 401 | 403 | 503;
  reason: OidcFailureReason;
  /** Safe to show: never a token, a secret or a provider's raw answer. */
  message: string;
}

/** A completed sign-in: the session to hand to the browser and where to send it. */
export interface OidcSuccess {
  ok: true;
  userId: string;
  sessionCookieValue: string;
  returnTo: string;
}

export type OidcCallbackResult = OidcSuccess | OidcFailure;

/** The claims Vigil reads from a validated ID token. */
export interface OidcClaims {
  iss: string;
  sub: string;
  oid?: unknown;
  tid?: unknown;
  email?: unknown;
  preferred_username?: unknown;
  upn?: unknown;
  name?: unknown;
  roles?: unknown;
  groups?: unknown;
  _claim_names?: unknown;
}

/** The Vigil person an ID token stands for, before any storage is read. */
export interface OidcPerson {
  issuer: string;
  /** `oid` when present, else `sub`. */
  subject: string;
  tenant: string | null;
  /** Lower case. */
  email: string;
  displayName: string;
  role: Role;
}
