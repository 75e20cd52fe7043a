/** Types of people, roles and API tokens. */
import type { TokenScope } from './permissions.ts';

/**
 * Roles, from most to least powerful. What each may do is in
 * permissions.ts; which permission each route needs, in permission-table.ts.
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

/** How a caller proved who they are: an API token, or a browser session (signed in by password or SSO). */
export type Credential =
  | { kind: 'token'; tokenId: string; scopes: readonly TokenScope[] }
  | { kind: 'session'; sessionId: string; method: 'password' | 'oidc' };

/** Who is calling, as established by the authentication hook from a bearer token or a session cookie. */
export interface Principal {
  user: User;
  /** How the caller proved who they are. */
  credential: Credential;
}

/** A security-relevant event, handed to the self-watching port after its transaction commits. */
export interface SecurityEvent {
  kind: 'sign_in_failed' | 'locked_out' | 'signed_in' | 'role_changed' | 'token_created';
  /** The email concerned (as typed, for a failed sign-in). */
  principal: string;
  clientIp: string;
  at: Date;
  detail?: Record<string, string>;
}

/** Where security events go (a later step turns them into `vigil` signals); optional everywhere. */
export interface SecurityEvents {
  record(event: SecurityEvent): Promise<void>;
}

/** Token strings look like `vgl_<43 base64url chars>`; the prefix makes leaked tokens easy to scan for. */
export const TOKEN_PREFIX = 'vgl_';

/** Email addresses are matched without regard to case (and stray spaces). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
