/**
 * `GET /auth/oidc/login` sends the browser to the identity provider;
 * `GET /auth/oidc/callback` is where the provider sends it back. Both are
 * public (under /auth, outside the bearer-token hook) and registered only
 * when single sign-on is configured, so otherwise they answer 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../http/problem.ts';
import type { SignInThrottle } from '../http/rate-limit-hooks.ts';
import { ValidationFailed } from '../platform/errors.ts';
import { readCookie, setCookie } from './cookies.ts';
import { safeReturnTo } from './oidc-claims.ts';
import type { OidcService } from './oidc-service.ts';
import type { OidcFailure } from './oidc-types.ts';

/** Holds the handle of a sign-in under way; Lax, because the provider's redirect back is cross-site. */
export const OIDC_STATE_COOKIE = 'vigil_oidc';

export const OIDC_LOGIN_PATH = '/auth/oidc/login';
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';

const LoginQuery = z.object({ returnTo: z.string().max(2048).optional() });
const CallbackQuery = z
  .object({ state: z.string().max(1024).optional(), error: z.string().max(256).optional() })
  .passthrough();

const secure = (request: FastifyRequest) => request.protocol === 'https';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small page with no scripts and no outside resources, under a CSP that allows nothing. */
function failurePage(failure: OidcFailure): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in refused · Vigil</title></head>
<body><main><h1>You are not signed in</h1>
<p>${escapeHtml(failure.message)}</p>
<p><a href="${OIDC_LOGIN_PATH}">Sign in again</a></p>
<p><small>Reason: <code>${escapeHtml(failure.reason)}</code></small></p>
</main></body></html>
`;
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
}

export function registerOidcRoutes(
  app: FastifyInstance,
  deps: {
    oidc: Pick<OidcService, 'startLogin' | 'completeLogin'>;
    /** The session service's Set-Cookie builder (identity.md). */
    sessionCookie: (cookieValue: string | null, options: { secure: boolean }) => string;
    /** Rate limit per client address, shared with password sign-in. */
    throttle?: Pick<SignInThrottle, 'byClient'> | undefined;
  },
): void {
  const answerFailure = (request: FastifyRequest, reply: FastifyReply, failure: OidcFailure) =>
    noStore(reply)
      .code(failure.status)
      .header('set-cookie', setCookie(OIDC_STATE_COOKIE, null, { secure: secure(request), sameSite: 'Lax' }))
      .header('content-security-policy', "default-src 'none'; form-action 'none'; frame-ancestors 'none'")
      .type('text/html; charset=utf-8')
      .send(failurePage(failure));
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    OIDC_LOGIN_PATH,
    {
      ...(deps.throttle ? { onRequest: deps.throttle.byClient } : {}),
      schema: {
        tags: ['auth'],
        summary: 'Sign in with the identity provider (redirects to it; returnTo is a path on this server)',
        security: [],
        querystring: LoginQuery,
        response: { 302: z.null(), ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      const { returnTo = '/' } = request.query;
      const target = safeReturnTo(returnTo);
      if (target === null) {
        throw new ValidationFailed([
          { field: 'query.returnTo', reason: 'must be a path on this server, like /incidents' },
        ]);
      }
      let started: Awaited<ReturnType<OidcService['startLogin']>>;
      try {
        started = await deps.oidc.startLogin(target);
      } catch (error) {
        request.log.warn({ err: error }, 'oidc: the identity provider could not be reached');
        return answerFailure(request, reply, {
          ok: false,
          status: 503,
          reason: 'provider_unavailable',
          message: 'The identity provider cannot be reached right now. Try again shortly.',
        });
      }
      const cookie = setCookie(OIDC_STATE_COOKIE, started.handle, {
        secure: secure(request),
        sameSite: 'Lax',
        maxAgeSeconds: started.maxAgeSeconds,
      });
      return noStore(reply)
        .code(302)
        .header('set-cookie', cookie)
        .header('location', started.redirectTo.href)
        .send();
    },
  );

  routes.get(
    OIDC_CALLBACK_PATH,
    {
      schema: {
        tags: ['auth'],
        summary: 'Where the identity provider returns: starts a session and redirects to returnTo',
        security: [],
        querystring: CallbackQuery,
        response: { 302: z.null() },
      },
    },
    async (request, reply) => {
      const { query } = request;
      const at = request.url.indexOf('?');
      const result = await deps.oidc.completeLogin({
        query: at < 0 ? '' : request.url.slice(at),
        state: query.state,
        error: query.error,
        handle: readCookie(request.headers.cookie, OIDC_STATE_COOKIE),
        clientIp: request.ip,
        userAgent: request.headers['user-agent'],
      });
      if (!result.ok) return answerFailure(request, reply, result);
      return noStore(reply)
        .code(302)
        .header('set-cookie', [
          deps.sessionCookie(result.sessionCookieValue, { secure: secure(request) }),
          setCookie(OIDC_STATE_COOKIE, null, { secure: secure(request), sameSite: 'Lax' }),
        ])
        .header('location', result.returnTo)
        .send();
    },
  );
}
