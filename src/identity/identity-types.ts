/** Types of people, roles and API tokens. */

/**
 * Roles, from most to least powerful. The permission table that maps each
 * route to the roles it needs arrives with access control; until then every
 * authenticated principal may call every route.
 */
export const ROLES = [
  'admin',
  'incident_manager',
  'responder',
  'communications',
  'auditor',
  'viewer',
  'ingest',
] as const;
export type Role = (typeof ROLES)[number];

/** The role a new user gets when none is named. */
export const DEFAULT_ROLE: Role = 'responder';

export interface User {
  id: string;
  /** Always lower case: addresses are compared and stored normalised. */
  email: string;
  displayName: string;
  role: Role;
  createdAt: Date;
}

/** What `createUser` needs; the email may arrive in any case. */
export interface CreateUserInput {
  email: string;
  name: string;
  /** Defaults to {@link DEFAULT_ROLE}. */
  role?: Role | undefined;
}

/** A person the policy names (primary owner, succession), who must exist as a user. */
export interface PolicyPersonInput {
  email: string;
  title: string;
  name?: string | undefined;
}

/** Who is calling, as established by the auth plugin from a bearer token. */
export interface Principal {
  user: User;
  tokenId: string;
}

/** Token strings look like `vgl_<43 base64url chars>`; the prefix makes leaked tokens easy to scan for. */
export const TOKEN_PREFIX = 'vgl_';

/** Email addresses are matched without regard to case (and stray spaces). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
