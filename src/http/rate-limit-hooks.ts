/**
 * The rate limits Fastify routes hook in: sign-in (per client address and
 * per account tried) and ingestion (per ingest token). Refusals are 429
 * problem documents of type `too-many-requests` with `Retry-After`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { normaliseEmail } from '../identity/identity-types.ts';
import type { Clock } from '../platform/clock.ts';
import { sha256Hex } from '../platform/crypto.ts';
import { sendProblem } from './error-handler.ts';
import { problemType } from './problem.ts';
import {
  createRateLimiter,
  createTokenBucketLimiter,
  type RateDecision,
  type SlidingWindow,
  type TokenBucket,
} from './rate-limiter.ts';

export interface SignInLimits {
  /** Sign-in attempts (password or SSO) from one client address. */
  perClient: SlidingWindow;
  /** Password attempts naming one email, whether or not it is an account. */
  perAccount: SlidingWindow;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  perClient: { limit: 20, windowMs: 60_000 },
  perAccount: { limit: 10, windowMs: 60_000 },
};

/** Answers 429 with `Retry-After`; the caller returns the reply to stop the request there. */
export async function sendTooManyRequests(
  request: FastifyRequest,
  reply: FastifyReply,
  retryAfterSeconds: number,
  what: string,
): Promise<FastifyReply> {
  reply.header('retry-after', String(retryAfterSeconds));
  await sendProblem(request, reply, {
    type: problemType('too-many-requests'),
    title: 'Too many requests',
    status: 429,
    detail: `too many ${what}; try again in ${retryAfterSeconds} seconds`,
  });
  return reply;
}

export interface SignInThrottle {
  /** `onRequest`: counts every attempt from the client's address, before the body is read. */
  byClient(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
  /** `preHandler` of `POST /auth/login`: counts attempts on the email in the (validated) body. */
  byAccount(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined>;
}

/**
 * Sign-in throttling. The account key is a hash of the normalised email and
 * applies the same to addresses that are not accounts, so the throttle
 * itself tells a caller nothing about which addresses exist.
 */
export function createSignInThrottle(
  clock: Clock,
  limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
): SignInThrottle {
  const perClient = createRateLimiter(limits.perClient);
  const perAccount = createRateLimiter(limits.perAccount);
  const refuse = (request: FastifyRequest, reply: FastifyReply, decision: RateDecision) =>
    decision.allowed
      ? undefined
      : sendTooManyRequests(request, reply, decision.retryAfterSeconds, 'sign-in attempts');
  return {
    byClient: async (request, reply) =>
      refuse(request, reply, perClient.attempt(request.ip, clock.now().getTime())),
    byAccount: async (request, reply) => {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      if (typeof email !== 'string') return undefined;
      const key = sha256Hex(normaliseEmail(email));
      return refuse(request, reply, perAccount.attempt(key, clock.now().getTime()));
    },
  };
}

/**
 * Per ingest token unless configured otherwise (`VIGIL_INGEST_RATE_LIMIT`):
 * above what one process can store (`npm run bench` measured about 8,000
 * single events a second on two cores), so it never slows a healthy
 * sender; a deployment lowers it to keep one runaway token from crowding
 * out the others.
 */
export const DEFAULT_INGEST_RATE: TokenBucket = { perSecond: 20_000, burst: 40_000 };

/** Per ingest token; `check` is false once it has answered 429. Without a bucket it allows everything. */
export interface IngestThrottle {
  check(request: FastifyRequest, reply: FastifyReply, tokenId: string): Promise<boolean>;
}

export function createIngestThrottle(clock: Clock, bucket: TokenBucket | undefined): IngestThrottle {
  const limiter = bucket ? createTokenBucketLimiter(bucket) : undefined;
  return {
    async check(request, reply, tokenId) {
      const decision = limiter?.attempt(tokenId, clock.now().getTime()) ?? { allowed: true };
      if (decision.allowed) return true;
      await sendTooManyRequests(request, reply, decision.retryAfterSeconds, 'signals from this ingest token');
      return false;
    },
  };
}
