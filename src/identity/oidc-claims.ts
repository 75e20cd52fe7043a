/**
 * From a validated ID token's claims to a Vigil person (pure): who they are
 * (Entra's `oid` within the issuer, else `sub`), their email, whether their
 * tenant may sign in, and their role from app roles or groups. Also the
 * parser of `VIGIL_OIDC_ROLE_MAP` and the open-redirect guard for `returnTo`.
 */
import { normaliseEmail, ROLES, type Role } from './identity-types.ts';
import type {
  OidcClaims,
  OidcFailureReason,
  OidcPerson,
  OidcRoleMapping,
  OidcSettings,
} from './oidc-types.ts';

/** Roles a person may be given by sign-in: `ingest` belongs to tokens only. */
export const SIGN_IN_ROLES: readonly Role[] = ROLES.filter((r) => r !== 'ingest');

/**
 * Parses `Vigil.Admin=admin,Vigil.IncidentManager=incident_manager,<group-id>=responder`.
 * Returns the mappings, or the reason the text is refused.
 *
 * @example parseRoleMap('Vigil.Admin=admin') // { mappings: [{ value: 'Vigil.Admin', role: 'admin' }] }
 */
export function parseRoleMap(text: string): { mappings: OidcRoleMapping[] } | { error: string } {
  const mappings: OidcRoleMapping[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.lastIndexOf('=');
    const value = item.slice(0, eq).trim();
    const role = item.slice(eq + 1).trim();
    if (eq <= 0 || value === '') return { error: `"${item}" is not of the form <claim value>=<role>` };
    if (!SIGN_IN_ROLES.includes(role as Role)) {
      return { error: `"${role}" is not a role a person can have (${SIGN_IN_ROLES.join(', ')})` };
    }
    if (mappings.some((m) => m.value === value)) return { error: `"${value}" is mapped twice` };
    mappings.push({ value, role: role as Role });
  }
  return { mappings };
}

function stringList(claim: unknown): string[] {
  if (typeof claim === 'string') return [claim];
  return Array.isArray(claim) ? claim.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The most powerful role any of the person's app roles (`roles`) or group ids
 * (`groups`) maps to, else the default role, else null (refused). Values
 * match exactly, as the provider sends them.
 */
export function mapRole(
  claims: Pick<OidcClaims, 'roles' | 'groups'>,
  roleMap: readonly OidcRoleMapping[],
  defaultRole: Role | undefined,
): Role | null {
  const held = new Set([...stringList(claims.roles), ...stringList(claims.groups)]);
  let best: Role | null = null;
  for (const { value, role } of roleMap) {
    if (!held.has(value)) continue;
    if (best === null || ROLES.indexOf(role) < ROLES.indexOf(best)) best = role;
  }
  return best ?? defaultRole ?? null;
}

/** `email`, else `preferred_username`, else `upn` (Entra often sends only the last two), if it is an address. */
export function emailOf(claims: OidcClaims): string | null {
  for (const claim of [claims.email, claims.preferred_username, claims.upn]) {
    if (typeof claim !== 'string') continue;
    const email = normaliseEmail(claim);
    if (/^[^\s@]+@[^\s@]+$/.test(email) && email.length <= 320) return email;
  }
  return null;
}

const text = (claim: unknown): string | null =>
  typeof claim === 'string' && claim.trim() !== '' ? claim : null;

/** Entra sends `_claim_names.groups` instead of the groups when a person is in too many of them. */
function hasGroupsOverage(claims: OidcClaims): boolean {
  const names = claims._claim_names;
  return typeof names === 'object' && names !== null && 'groups' in names;
}

export type PersonResult =
  | { ok: true; person: OidcPerson }
  | { ok: false; reason: OidcFailureReason; message: string };

/** The person an ID token's claims describe, or why they may not sign in. */
export function personFromClaims(
  claims: OidcClaims,
  settings: Pick<OidcSettings, 'allowedTenants' | 'roleMap' | 'defaultRole'>,
): PersonResult {
  const tenant = text(claims.tid);
  if (settings.allowedTenants.length > 0 && (tenant === null || !settings.allowedTenants.includes(tenant))) {
    return {
      ok: false,
      reason: 'tenant_not_allowed',
      message: 'Your organisation may not sign in to Vigil.',
    };
  }
  const email = emailOf(claims);
  if (email === null) {
    return { ok: false, reason: 'no_email', message: 'The identity provider sent no email address for you.' };
  }
  const role = mapRole(claims, settings.roleMap, settings.defaultRole);
  if (role === null) {
    const overage = hasGroupsOverage(claims)
      ? ' (the provider left out your groups: you are in too many)'
      : '';
    return {
      ok: false,
      reason: 'no_role',
      message: `You have no role in Vigil${overage}. Ask an administrator to assign you one.`,
    };
  }
  const subject = text(claims.oid) ?? claims.sub;
  const displayName = text(claims.name) ?? email;
  return { ok: true, person: { issuer: claims.iss, subject, tenant, email, displayName, role } };
}

/**
 * `returnTo` if it is a path on this server (`/incidents?x=1`), else null.
 * Refuses absolute URLs, scheme-relative `//host`, backslashes (browsers read
 * `/\host` as `//host`) and control characters: an open redirect would let a
 * phishing link borrow Vigil's sign-in page.
 */
export function safeReturnTo(returnTo: string): string | null {
  if (returnTo.length > 2048 || !returnTo.startsWith('/') || returnTo.startsWith('//')) return null;
  const unsafe = (c: string) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;
  if ([...returnTo].some(unsafe)) return null;
  const base = 'http://vigil.invalid';
  let url: URL;
  try {
    url = new URL(returnTo, base);
  } catch {
    return null;
  }
  if (url.origin !== base) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
