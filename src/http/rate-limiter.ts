/**
 * In-memory rate limiters: a sliding window (few attempts over minutes:
 * sign-in, the public evidence request form) and a token bucket (many
 * requests a second: ingestion). Time arrives as an argument, so both are
 * pure apart from their own memory and are tested with plain numbers.
 *
 * They live in one process: each Vigil process behind a load balancer
 * counts on its own, and a restart forgets. That blunts a flood from one
 * client or token; a deployment expecting more puts a limit in its proxy.
 */

export interface SlidingWindow {
  /** Most attempts allowed within `windowMs`. */
  limit: number;
  windowMs: number;
}

export interface TokenBucket {
  /** Requests a second the bucket refills with: the sustained rate. */
  perSecond: number;
  /** Most requests allowed at once after a quiet spell (the bucket's size). */
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts an attempt by `key` at `nowMs` if it fits, or says when the next would. */
  attempt(key: string, nowMs: number): RateDecision;
}

/** Most keys remembered; past it the oldest go first, so memory stays bounded under a spray of keys. */
const MAX_KEYS = 10_000;

/** Keeps `map` at {@link MAX_KEYS} by dropping the least recently touched key (Maps keep insertion order). */
function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_KEYS) map.delete(map.keys().next().value!);
}

const refusal = (waitMs: number): RateDecision => ({
  allowed: false,
  retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
});

/**
 * At most `limit` attempts in any `windowMs`; refused attempts are not counted.
 *
 * @example createRateLimiter({ limit: 10, windowMs: 60_000 }).attempt(ip, clock.now().getTime())
 */
export function createRateLimiter(window: SlidingWindow): RateLimiter {
  const hits = new Map<string, number[]>();
  return {
    attempt(key, nowMs) {
      const since = nowMs - window.windowMs;
      const recent = (hits.get(key) ?? []).filter((t) => t > since);
      if (recent.length >= window.limit) {
        hits.set(key, recent);
        return refusal(recent[0]! + window.windowMs - nowMs);
      }
      recent.push(nowMs);
      touch(hits, key, recent);
      return { allowed: true };
    },
  };
}

/**
 * A token bucket per key: `burst` requests at once, then `perSecond`
 * sustained. Constant memory and time per key, for limits in the thousands
 * a second where a sliding window's list of instants would be too costly.
 *
 * @example createTokenBucketLimiter({ perSecond: 5000, burst: 10000 }).attempt(tokenId, nowMs)
 */
export function createTokenBucketLimiter(bucket: TokenBucket): RateLimiter {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    attempt(key, nowMs) {
      const last = buckets.get(key);
      const elapsed = last ? Math.max(0, nowMs - last.atMs) : 0;
      const tokens = last
        ? Math.min(bucket.burst, last.tokens + (elapsed * bucket.perSecond) / 1000)
        : bucket.burst;
      if (tokens < 1) {
        buckets.set(key, { tokens, atMs: nowMs });
        return refusal(((1 - tokens) * 1000) / bucket.perSecond);
      }
      touch(buckets, key, { tokens: tokens - 1, atMs: nowMs });
      return { allowed: true };
    },
  };
}
