/**
 * When the outbox tries a message again, as pure functions: an exponential
 * backoff from 30 s doubling to a 1 h cap, plus up to 20% jitter, a maximum
 * number of attempts, and how long a claim holds a row before another cycle
 * may take it over.
 */
import { createHash } from 'node:crypto';

/** Delivery attempts before a message is marked `failed` (the row is kept). */
export const MAX_DELIVERY_ATTEMPTS = 10;

/**
 * How long a claim holds a row, in ms: a sender that crashes mid-send leaves it due again after
 * this. Longer than any one send may take (SMTP's three 15-s timeouts, a webhook's 10 s), so a
 * slow send is never taken over while it runs; short, because a node that died holding claims
 * delays those messages by this much.
 */
export const CLAIM_MS = 60_000;

const FIRST_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 60 * 60_000;
const MAX_ERROR_LENGTH = 500;

/**
 * The wait after the `attempts`-th failed attempt, in ms: 30 s, 1 min,
 * 2 min, ... doubling, capped at 1 h. `attempts` counts from 1.
 */
export function backoffMs(attempts: number): number {
  const exponent = Math.max(0, Math.floor(attempts) - 1);
  // 2^7 * 30 s already exceeds the cap; stop there so large counts never overflow.
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.min(exponent, 7), MAX_BACKOFF_MS);
}

/** The largest jitter, as a fraction of the backoff. */
export const MAX_JITTER_FRACTION = 0.2;

/**
 * The jitter of a message's `attempts`-th retry, in [0, {@link MAX_JITTER_FRACTION}):
 * derived from its id and the attempt, so messages queued together by one
 * outage spread out when the server returns, yet every decision can be replayed.
 */
export function jitterFraction(messageId: string, attempts: number): number {
  const digest = createHash('sha256').update(`${messageId}:${attempts}`).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * MAX_JITTER_FRACTION;
}

/** What to do after a failed attempt: try again at an instant (UTC), or give up. */
export type RetryDecision = { kind: 'retry'; at: Date } | { kind: 'fail' };

/**
 * Decides after the `attempts`-th attempt (counted from 1, including this
 * one) of message `messageId` failed at `now`: the backoff, stretched by
 * the message's jitter, or give up.
 */
export function afterFailure(
  messageId: string,
  attempts: number,
  now: Date,
  maxAttempts = MAX_DELIVERY_ATTEMPTS,
): RetryDecision {
  if (attempts >= maxAttempts) return { kind: 'fail' };
  const wait = backoffMs(attempts) * (1 + jitterFraction(messageId, attempts));
  return { kind: 'retry', at: new Date(now.getTime() + Math.round(wait)) };
}

/** The error text kept in `last_error`: one line, at most 500 characters. */
export function errorText(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
