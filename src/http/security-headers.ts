/**
 * Security headers on every answer, in one place. JSON and problem answers
 * get a Content-Security-Policy that allows nothing (an API answer opened
 * in a browser can run nothing and be framed by nobody); routes that serve
 * pages set their own policy first (the trust pages, printable reports,
 * sign-in failure pages) and keep it, as does the API explorer below.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../platform/clock.ts';

/** For answers that are data, not pages. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The API explorer (`/api/docs`, Swagger UI): its page loads only its own
 * scripts, styles and images from this server (no inline script or style
 * elements; icons are data: URIs) and calls the API on the same origin.
 */
export const API_DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A year, and subdomains: browsers then refuse plain http to this host. */
const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

const FIXED: readonly (readonly [string, string])[] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
];

/** Sets the headers a route left unset; HSTS only over TLS (directly, or via a trusted proxy). */
export function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  for (const [name, value] of FIXED) {
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
  if (!reply.hasHeader('content-security-policy')) {
    reply.header('content-security-policy', API_CONTENT_SECURITY_POLICY);
  }
  // request.protocol honours X-Forwarded-Proto only when trustProxy is on, so a client cannot fake it.
  if (request.protocol === 'https') reply.header('strict-transport-security', STRICT_TRANSPORT_SECURITY);
}

/**
 * Installs the headers of every answer, errors and 404s included, as one onSend hook: the
 * request id, the server's time, and {@link applySecurityHeaders}. One hook, in callback style,
 * rather than one async hook each: a single event costs about 150 µs end to end, and every
 * hook adds a promise and a turn of Fastify's hook runner to each request.
 *
 * @param clock the server's clock, sent as `x-vigil-time` (so the console counts clocks down from
 *   it rather than from the viewer's own clock, which may be off; in tests it is a fake one).
 */
export function installResponseHeaders(app: FastifyInstance, clock: Clock | undefined): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (clock) reply.header('x-vigil-time', clock.now().toISOString());
    applySecurityHeaders(request, reply);
    done(null, payload);
  });
}
