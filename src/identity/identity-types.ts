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

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  createdAt: Date;
}

/** Who is calling, as established by the auth plugin from a bearer token. */
export interface Principal {
  user: User;
  tokenId: string;
}

/** Token strings look like `vgl_<43 base64url chars>`; the prefix makes leaked tokens easy to scan for. */
export const TOKEN_PREFIX = 'vgl_';
