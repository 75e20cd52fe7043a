/**
 * When the outbox tries a message again, as pure functions: an exponential
 * backoff from 30 s doubling to a 1 h cap, a maximum number of attempts,
 * and how long a claim holds a row before another cycle may take it over.
 */

/** Delivery attempts before a message is marked `failed` (the row is kept). */
export const MAX_DELIVERY_ATTEMPTS = 10;

/** How long a claim holds a row, in ms: a sender that crashes mid-send leaves it due again after this. */
export const CLAIM_MS = 2 * 60_000;

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

/** What to do after a failed attempt: try again at an instant (UTC), or give up. */
export type RetryDecision = { kind: 'retry'; at: Date } | { kind: 'fail' };

/**
 * Decides after the `attempts`-th attempt (counted from 1, including this
 * one) failed at `now`.
 */
export function afterFailure(
  attempts: number,
  now: Date,
  maxAttempts = MAX_DELIVERY_ATTEMPTS,
): RetryDecision {
  if (attempts >= maxAttempts) return { kind: 'fail' };
  return { kind: 'retry', at: new Date(now.getTime() + backoffMs(attempts)) };
}

/** The error text kept in `last_error`: one line, at most 500 characters. */
export function errorText(error: unknown): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
