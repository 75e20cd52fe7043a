/**
 * Authorization: every `/api/` route names the permission it needs in the
 * one table (src/identity/permission-table.ts). A route missing from it
 * stops the server from starting; a caller whose role, narrowed by the
 * token's scopes, lacks the permission is refused with 403 before the body
 * is read; a responder may change only incidents they hold a role in.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../identity/identity-types.ts';
import { ROUTE_PERMISSIONS, type RouteRule, routeKey } from '../identity/permission-table.ts';
import { grantFor, type Permission, type Reach } from '../identity/permissions.ts';
import { Forbidden } from '../platform/errors.ts';
import { isPublicApiPath, requirePrincipal } from './authentication.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** How far the caller may use each permission, asked of {@link mayUse}. */
    grants: ((permission: Permission) => Reach | null) | null;
  }
}

/**
 * Whether the caller holds an incident role (owner, responder, ...) on an
 * incident, by id or reference; null when there is no such incident.
 */
export type IncidentAssignments = (incidentIdOrReference: string, userId: string) => Promise<boolean | null>;

function needsRule(url: string): boolean {
  return url.startsWith('/api/') && !isPublicApiPath(url);
}

function scopesOf(principal: Principal) {
  return principal.credential.kind === 'token' ? principal.credential.scopes : null;
}

/** Adds the required permission to a route's OpenAPI description, so the document shows it. */
function describe(schema: Record<string, unknown> | undefined, rule: RouteRule): Record<string, unknown> {
  const note = rule.onIncident
    ? `Requires permission \`${rule.permission}\` (a responder: only on incidents they hold a role in).`
    : `Requires permission \`${rule.permission}\`.`;
  const description = typeof schema?.description === 'string' ? `${schema.description}\n\n${note}` : note;
  return { ...schema, description, 'x-permission': rule.permission };
}

export function installAuthorization(
  app: FastifyInstance,
  deps: { assignments: IncidentAssignments; table?: Readonly<Record<string, RouteRule>> },
): void {
  const table = deps.table ?? ROUTE_PERMISSIONS;
  app.decorateRequest('grants', null);

  app.addHook('onRoute', (route) => {
    if (!needsRule(route.url)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const rule = table[routeKey(method, route.url)];
      if (!rule) {
        throw new Error(
          `${method} ${route.url} declares no permission: add it to src/identity/permission-table.ts`,
        );
      }
      if (method !== 'HEAD')
        route.schema = describe(route.schema as Record<string, unknown> | undefined, rule);
    }
  });

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    if (url === undefined || !needsRule(url)) return;
    const rule = table[routeKey(request.method, url)];
    // onRoute guarantees a rule; a missing one here would be a bug, and is refused rather than allowed.
    if (!rule) throw new Forbidden('this route declares no permission');
    if (rule.ingest) return; // the route authenticates its ingest credential itself
    const principal = requirePrincipal(request);
    const grants = (permission: Permission) => grantFor(principal.user.role, scopesOf(principal), permission);
    request.grants = grants;
    const reach = grants(rule.permission);
    if (reach === null) {
      const via = principal.credential.kind === 'token' ? ' with this token’s scopes' : '';
      throw new Forbidden(`the ${principal.user.role} role${via} may not do this (needs ${rule.permission})`);
    }
    if (reach === 'assigned' && rule.onIncident)
      await requireAssignment(request, principal, deps.assignments);
  });
}

async function requireAssignment(
  request: FastifyRequest,
  principal: Principal,
  assignments: IncidentAssignments,
): Promise<void> {
  const id = (request.params as { id?: unknown }).id;
  // An unknown incident answers 404 from the route itself; only a known one can refuse.
  if (typeof id !== 'string' || (await assignments(id, principal.user.id)) !== false) return;
  throw new Forbidden('a responder changes only incidents they hold a role in');
}

/** Whether the caller may use `permission` (anywhere); for routes that shape answers by role. */
export function mayUse(request: FastifyRequest, permission: Permission): boolean {
  return request.grants === null || request.grants(permission) !== null;
}
