/**
 * Lockout with backoff after repeated failed sign-ins. Pure: a function of
 * the consecutive failures, the last failure's instant and now.
 *
 * The fifth consecutive failure locks the account for a minute; each further
 * failure (possible only once a lock has run out, since attempts during a
 * lock are refused unchecked) doubles the lock, up to an hour. A success
 * resets the count. Online guessing is thus held to a few dozen guesses a
 * day per account, while the owner waits at most an hour.
 */

/** Failures allowed before the first lock. */
export const LOCKOUT_THRESHOLD = 5;
export const FIRST_LOCK_MS = 60_000;
export const LONGEST_LOCK_MS = 60 * 60_000;

/** How long `failures` consecutive failures lock the account, in milliseconds (0: not locked). */
export function lockDurationMs(failures: number): number {
  if (failures < LOCKOUT_THRESHOLD) return 0;
  // Capped before exponentiating, so a huge count cannot overflow to Infinity.
  const doublings = Math.min(failures - LOCKOUT_THRESHOLD, 10);
  return Math.min(FIRST_LOCK_MS * 2 ** doublings, LONGEST_LOCK_MS);
}

export type LockState = { locked: false } | { locked: true; until: Date; retryAfterSeconds: number };

/** Whether sign-in is locked at `now`, and until when (retry-after rounded up to whole seconds). */
export function lockState(failures: number, lastFailureAt: Date | null, now: Date): LockState {
  const duration = lockDurationMs(failures);
  if (duration === 0 || lastFailureAt === null) return { locked: false };
  const until = new Date(lastFailureAt.getTime() + duration);
  const remaining = until.getTime() - now.getTime();
  if (remaining <= 0) return { locked: false };
  return { locked: true, until, retryAfterSeconds: Math.ceil(remaining / 1000) };
}
