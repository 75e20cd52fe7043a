import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from '../http/error-handler.ts';
import { problemResponses, problemType } from '../http/problem.ts';
import type { SignInThrottle } from '../http/rate-limit-hooks.ts';
import { requireCsrfToken, sessionCookieOf } from '../http/session-authentication.ts';
import { Unauthenticated } from '../platform/errors.ts';
import type { CredentialService, SignInOutcome } from './credential-service.ts';
import type { User } from './identity-types.ts';
import { PASSWORD_MAX_LENGTH } from './password-rules.ts';
import type { CurrentSession, SessionService } from './session-service.ts';

const LoginBody = z
  .object({
    email: z.string().trim().min(1).max(254),
    password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
    totp: z
      .string()
      .regex(/^\d{6}$/, 'must be the 6 digits the authenticator app shows')
      .optional(),
  })
  .strict();

const SessionAnswer = z
  .object({
    user: z.object({ email: z.string(), displayName: z.string(), role: z.string() }),
    csrfToken: z.string().describe('Send it as x-csrf-token on every POST, PUT, PATCH and DELETE'),
    expiresAt: z.iso.datetime().describe('When the session ends if unused (the idle timeout)'),
    absoluteExpiresAt: z.iso.datetime().describe('When the session ends however busy it is'),
  })
  .passthrough()
  .meta({ id: 'SignedInSession' });

type SessionJson = z.infer<typeof SessionAnswer>;

function sessionJson(user: User, csrfToken: string, idle: Date, absolute: Date): SessionJson {
  return {
    user: { email: user.email, displayName: user.displayName, role: user.role },
    csrfToken,
    expiresAt: idle.toISOString(),
    absoluteExpiresAt: absolute.toISOString(),
  };
}

/** Whether the request reached us over TLS: directly, or via a proxy Fastify trusts (`trustProxy`). */
export function isSecureRequest(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/**
 * Login CSRF: a cross-site HTML form can only send form or text bodies, and a
 * cross-site script cannot send JSON without a CORS preflight Vigil never
 * grants, so requiring `application/json` keeps other sites from signing a
 * browser in as someone else. Checked before parsing, whatever parsers exist.
 */
async function requireJson(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return;
  await sendProblem(request, reply, {
    type: problemType('unsupported-media-type'),
    title: 'Unsupported media type',
    status: 415,
    detail: 'sign-in takes a JSON body (Content-Type: application/json)',
  });
}

const FAILURES: Record<
  Exclude<SignInOutcome['outcome'], 'signed_in' | 'locked'>,
  [string, string, string]
> = {
  failed: ['sign-in-failed', 'Sign-in failed', 'the email or password is wrong'],
  second_factor_required: [
    'second-factor-required',
    'Second factor required',
    'this account needs a code from its authenticator app: send it as totp',
  ],
  second_factor_invalid: [
    'second-factor-invalid',
    'Second factor refused',
    'the code is wrong or was already used',
  ],
};

async function sendOutcome(
  request: FastifyRequest,
  reply: FastifyReply,
  outcome: Exclude<SignInOutcome, { outcome: 'signed_in' }>,
): Promise<void> {
  if (outcome.outcome === 'locked') {
    reply.header('retry-after', String(outcome.retryAfterSeconds));
    return sendProblem(request, reply, {
      type: problemType('sign-in-locked'),
      title: 'Too many failed sign-ins',
      status: 429,
      detail: `sign-in to this account is locked after repeated failures; try again in ${outcome.retryAfterSeconds} seconds`,
    });
  }
  const [slug, title, detail] = FAILURES[outcome.outcome];
  return sendProblem(request, reply, { type: problemType(slug), title, status: 401, detail });
}

/**
 * `/auth/*`: sign in with a password, read the current session, sign out,
 * sign out everywhere. Outside `/api`, so the bearer hook does not guard
 * them; each checks the session cookie (and CSRF token) itself.
 */
export function registerSignInRoutes(
  app: FastifyInstance,
  deps: {
    credentials: Pick<CredentialService, 'signIn'>;
    sessions: Pick<SessionService, 'currentSession' | 'endSession' | 'endAllSessions' | 'sessionCookie'>;
    /** Rate limits per client address and per email tried (429 too-many-requests). */
    throttle?: SignInThrottle | undefined;
  },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { credentials, sessions } = deps;

  async function current(request: FastifyRequest): Promise<{ cookie: string; session: CurrentSession }> {
    const cookie = sessionCookieOf(request);
    const session = cookie === undefined ? null : await sessions.currentSession(cookie);
    if (!cookie || !session) throw new Unauthenticated('not signed in, or the session has ended');
    return { cookie, session };
  }

  const clearCookie = (request: FastifyRequest, reply: FastifyReply) =>
    reply.header('set-cookie', sessions.sessionCookie(null, { secure: isSecureRequest(request) }));

  api.post(
    '/auth/login',
    {
      onRequest: deps.throttle ? [requireJson, deps.throttle.byClient] : requireJson,
      ...(deps.throttle ? { preHandler: deps.throttle.byAccount } : {}),
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password (and a TOTP code when enrolled); sets the session cookie',
        security: [],
        body: LoginBody,
        response: { 200: SessionAnswer, ...problemResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const outcome = await credentials.signIn({
        ...request.body,
        clientIp: request.ip,
        userAgent: request.headers['user-agent'],
      });
      if (outcome.outcome !== 'signed_in') return sendOutcome(request, reply, outcome);
      const { user, session } = outcome;
      reply.header(
        'set-cookie',
        sessions.sessionCookie(session.cookieValue, { secure: isSecureRequest(request) }),
      );
      reply.header('cache-control', 'no-store');
      return sessionJson(user, session.csrfToken, session.idleExpiresAt, session.absoluteExpiresAt);
    },
  );

  api.get(
    '/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user and the CSRF token of the session cookie',
        security: [],
        response: { 200: SessionAnswer, ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      const { session } = await current(request);
      reply.header('cache-control', 'no-store');
      return sessionJson(
        session.principal.user,
        session.csrfToken,
        session.idleExpiresAt,
        session.absoluteExpiresAt,
      );
    },
  );

  api.post(
    '/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out: end this session and clear its cookie (needs x-csrf-token)',
        security: [],
        response: { 204: z.null(), ...problemResponses(403) },
      },
    },
    async (request, reply) => {
      const cookie = sessionCookieOf(request);
      const session = cookie === undefined ? null : await sessions.currentSession(cookie);
      // Without a live session there is nothing to end: just clear whatever cookie is left.
      if (cookie && session) {
        requireCsrfToken(request, cookie);
        await sessions.endSession(session.principal);
      }
      clearCookie(request, reply);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/auth/logout-everywhere',
    {
      schema: {
        tags: ['auth'],
        summary: 'End every session of the signed-in user, on every device (needs x-csrf-token)',
        security: [],
        response: { 200: z.object({ sessionsEnded: z.number().int() }), ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const { cookie, session } = await current(request);
      requireCsrfToken(request, cookie);
      const sessionsEnded = await sessions.endAllSessions(session.principal);
      clearCookie(request, reply);
      return { sessionsEnded };
    },
  );
}
