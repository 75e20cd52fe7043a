/**
 * Storage rows of single sign-on (migrations/0016-oidc.ts). Instants are UTC
 * text (instant-codec.ts).
 */

type DbInstant = string;

export interface OidcIdentitiesTable {
  id: string;
  /** The ID token's `iss`. */
  issuer: string;
  /** `oid` when the provider sends it (Entra ID), else `sub`. */
  subject: string;
  /** Entra ID's `tid`; null for providers without tenants. */
  tenant: string | null;
  user_id: string;
  first_seen_at: DbInstant;
  last_seen_at: DbInstant;
}

export interface OidcLoginStatesTable {
  id: string;
  /** SHA-256 (hex) of the `vigil_oidc` cookie's secret. */
  handle_hash: string;
  state: string;
  nonce: string;
  /** The PKCE verifier; only its S256 challenge went to the provider. */
  code_verifier: string;
  /** A same-origin path checked before it was stored. */
  return_to: string;
  created_at: DbInstant;
  expires_at: DbInstant;
  consumed_at: DbInstant | null;
}
