import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdentityService } from '../identity/identity-service.ts';
import type { Principal } from '../identity/identity-types.ts';
import { Unauthenticated } from '../platform/errors.ts';
import { type SessionAuthenticator, sessionPrincipal } from './session-authentication.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every `/api/*` request that needs it. */
    principal: Principal | null;
  }
}

/** Paths under /api that anyone may read: the API description and its viewer. */
const PUBLIC_API_PATHS = [/^\/api\/openapi\.json$/, /^\/api\/docs(\/.*)?$/];

/** A request that authenticates by other means (ingestion, with ingest tokens), by method and path. */
export type TokenExemption = (method: string, path: string) => boolean;

/** Whether anyone may read `path` without credentials (the API description and its viewer). */
export function isPublicApiPath(path: string): boolean {
  return PUBLIC_API_PATHS.some((p) => p.test(path));
}

function needsToken(method: string, path: string, exempt: TokenExemption): boolean {
  return path.startsWith('/api/') && !isPublicApiPath(path) && !exempt(method, path);
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header) throw new Unauthenticated('an Authorization: Bearer token is required');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new Unauthenticated('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}

/**
 * Authenticates every `/api/*` request before its body is read, so an
 * unauthenticated caller costs no parsing and learns nothing about routes.
 * A bearer token wins; without an Authorization header, a session cookie
 * (with its CSRF token on changes) authenticates when sessions are on.
 */
export function installAuthentication(
  app: FastifyInstance,
  identity: Pick<IdentityService, 'authenticate'>,
  exempt: TokenExemption = () => false,
  sessions?: SessionAuthenticator,
): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!needsToken(request.method, path, exempt)) return;
    const bySession =
      sessions && request.headers.authorization === undefined
        ? await sessionPrincipal(request, sessions)
        : undefined;
    request.principal = bySession ?? (await identity.authenticate(bearerToken(request)));
  });
}

/** The authenticated caller; routes under /api can rely on it being set. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw new Unauthenticated('an Authorization: Bearer token is required');
  return request.principal;
}
