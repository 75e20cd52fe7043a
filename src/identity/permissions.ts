/**
 * What each role may do, and what each API token scope lets a token do of
 * that. Pure: the route table (permission-table.ts) names a permission per
 * route, the authorization hook (src/http/authorization.ts) asks
 * {@link grantFor} whether the caller holds it.
 */
import type { Role } from './identity-types.ts';

export const PERMISSIONS = [
  // Incidents
  'incidents:read', // incidents, their timeline, clocks, linked signals and affected customers
  'incidents:declare',
  'incidents:respond', // acknowledge, triage, phases, checklists, classification, severity, notes, updates
  'incidents:command', // roles, handover, evidence windows
  // Evidence, breaches, communications
  'evidence:read', // attachments and evidence packages
  'evidence:write',
  'breaches:read',
  'breaches:write',
  'communications:read',
  'communications:write',
  'customers:read',
  'customers:write',
  // Learning
  'reviews:read',
  'reviews:write', // reviews and corrective actions
  'exercises:read',
  'exercises:write',
  // Signals and detection
  'signals:read',
  'signals:ingest',
  'detection:replay',
  // Oversight
  'reports:read',
  'compliance:read',
  'policy:read', // the policy in force and its versions
  'audit:read',
  'outbox:read',
  'metrics:read', // GET /metrics: the Prometheus exposition (counts and states, no incident content)
  'retention:read',
  'retention:run',
  'legal-hold:write',
  'evidence-requests:read',
  'evidence-requests:write',
  // First run: load the demo signals into an empty installation
  'demo:load',
  // People and credentials
  'users:read',
  'users:write',
  'tokens:own', // one's own API tokens
  'tokens:read', // every API and ingest token's name, owner, scopes and use (never a secret)
  'tokens:admin', // everyone's API tokens, and ingest tokens
  'self', // one's own account: password, second factor
  'self:read', // who one is: user, role, credential
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `any`: everywhere; `assigned`: only on incidents the caller holds a role in. */
export type Reach = 'any' | 'assigned';

const everything = Object.fromEntries(PERMISSIONS.map((p) => [p, 'any'])) as Record<Permission, Reach>;
const readAll = Object.fromEntries(PERMISSIONS.filter((p) => p.endsWith(':read')).map((p) => [p, 'any']));
const account = {
  'users:read': 'any',
  'tokens:own': 'any',
  self: 'any',
  'self:read': 'any',
  // Every person may read the rules they work under.
  'policy:read': 'any',
} as const;

/**
 * The one table of what each role may do. Responders change only incidents
 * they hold a role in; viewers see incidents but not evidence or breach
 * details; auditors read everything and change nothing.
 */
export const ROLE_GRANTS: Record<Role, Partial<Record<Permission, Reach>>> = {
  admin: everything,
  incident_manager: (() => {
    const {
      'users:write': _u,
      'tokens:admin': _t,
      'retention:run': _r,
      'demo:load': _d,
      ...rest
    } = everything;
    return rest;
  })(),
  responder: {
    ...account,
    'incidents:read': 'any',
    'incidents:declare': 'any',
    'incidents:respond': 'assigned',
    'evidence:read': 'any',
    'evidence:write': 'assigned',
    'breaches:read': 'any',
    'communications:read': 'any',
    'customers:read': 'any',
    'reviews:read': 'any',
    'reviews:write': 'assigned',
    'exercises:read': 'any',
    'signals:read': 'any',
    'compliance:read': 'any',
  },
  communications: {
    ...account,
    'incidents:read': 'any',
    'breaches:read': 'any',
    'communications:read': 'any',
    'communications:write': 'any',
    'customers:read': 'any',
    'customers:write': 'any',
    'reviews:read': 'any',
    'exercises:read': 'any',
    'outbox:read': 'any',
    'evidence-requests:read': 'any',
  },
  auditor: { ...readAll, ...account },
  viewer: {
    ...account,
    'incidents:read': 'any',
    'reviews:read': 'any',
    'exercises:read': 'any',
    'signals:read': 'any',
  },
  // Ingest users exist to own ingest-scoped tokens: they submit signals and nothing else.
  ingest: { 'signals:ingest': 'any' },
};

/** The scopes an API token may carry. `ingest:SOURCE` narrows ingestion to one source. */
export const TOKEN_SCOPES = ['read', 'write', 'admin', 'ingest'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number] | `ingest:${string}`;

/** Permissions only an `admin`-scoped credential may use: they change who can do what. */
const ADMIN_ONLY: ReadonlySet<Permission> = new Set([
  'users:write',
  'tokens:admin',
  'tokens:own',
  'retention:run',
]);

/** Whether a token scope lets the token use `permission` (the role must grant it too). */
export function scopeAllows(scope: TokenScope, permission: Permission): boolean {
  if (scope === 'admin') return true;
  if (scope === 'ingest' || scope.startsWith('ingest:')) return permission === 'signals:ingest';
  if (permission === 'signals:ingest') return false;
  if (scope === 'read') return permission.endsWith(':read');
  // write: everything but ingestion and what changes who can do what.
  return !ADMIN_ONLY.has(permission);
}

/**
 * How far the caller may use `permission`: the role's grant, narrowed by
 * the token's scopes (a session has no scopes: the role's full grant).
 * Null: not at all.
 */
export function grantFor(
  role: Role,
  scopes: readonly TokenScope[] | null,
  permission: Permission,
): Reach | null {
  const reach = ROLE_GRANTS[role][permission] ?? null;
  if (reach === null || scopes === null) return reach;
  return scopes.some((s) => scopeAllows(s, permission)) ? reach : null;
}

/**
 * Whether an API token may submit signals of `source`: only an explicit
 * `ingest` or `ingest:SOURCE` scope does, so a person's everyday token never
 * doubles as a sender's.
 */
export function scopesAllowSource(scopes: readonly TokenScope[], source: string): boolean {
  return scopes.some((s) => s === 'ingest' || s === `ingest:${source}`);
}

const SCOPE_PATTERN = /^(read|write|admin|ingest|ingest:[a-z][a-z0-9-]{0,49})$/;

/** Parses a scope as written by a client; null when it is not one. */
export function parseScope(text: string): TokenScope | null {
  return SCOPE_PATTERN.test(text) ? (text as TokenScope) : null;
}

/** Whether `requested` stays within what `held` allows: no token is created with more power than its creator's credential. */
export function scopesWithin(requested: readonly TokenScope[], held: readonly TokenScope[] | null): boolean {
  if (held === null || held.includes('admin')) return true;
  return requested.every(
    (scope) =>
      held.includes(scope) ||
      (scope === 'read' && held.includes('write')) ||
      (scope.startsWith('ingest:') && held.includes('ingest')),
  );
}
