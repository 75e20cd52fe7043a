import type { FastifyRequest } from 'fastify';
import { readCookie, SESSION_COOKIE } from '../identity/cookies.ts';
import type { Principal } from '../identity/identity-types.ts';
import { csrfTokenMatches } from '../identity/session-service.ts';
import { Forbidden, Unauthenticated } from '../platform/errors.ts';

/** What the authentication hook needs of sessions. */
export interface SessionAuthenticator {
  authenticateSession(cookieValue: string): Promise<Principal | null>;
}

/** Methods that change something, and so need the CSRF token when a cookie authenticates them. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const CSRF_HEADER = 'x-csrf-token';

/** The session cookie's value on a request, if it carries one. */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

/**
 * Checks the synchronizer token: a state-changing request authenticated by
 * the session cookie must carry the session's CSRF token in `x-csrf-token`.
 * A cross-site page can make the browser send the cookie, but cannot read
 * the token, and cannot set a custom header without a CORS preflight Vigil
 * never grants.
 */
export function requireCsrfToken(request: FastifyRequest, cookieValue: string): void {
  if (!STATE_CHANGING.has(request.method)) return;
  const presented = request.headers[CSRF_HEADER];
  if (typeof presented !== 'string' || presented === '') {
    throw new Forbidden(`the ${CSRF_HEADER} header is missing: a change made with a session cookie needs it`);
  }
  if (!csrfTokenMatches(cookieValue, presented)) {
    throw new Forbidden(`the ${CSRF_HEADER} header does not match this session's CSRF token`);
  }
}

/**
 * The principal of a request authenticated by its session cookie; undefined
 * when it carries no cookie (the caller then asks for a bearer token). An
 * ended or expired session is a 401, a missing or wrong CSRF token a 403.
 */
export async function sessionPrincipal(
  request: FastifyRequest,
  sessions: SessionAuthenticator,
): Promise<Principal | undefined> {
  const cookie = sessionCookieOf(request);
  if (cookie === undefined) return undefined;
  const principal = await sessions.authenticateSession(cookie);
  if (!principal) throw new Unauthenticated('the session has ended or expired; sign in again');
  requireCsrfToken(request, cookie);
  return principal;
}
