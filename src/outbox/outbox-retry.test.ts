import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  backoffMs,
  errorText,
  jitterFraction,
  MAX_DELIVERY_ATTEMPTS,
  MAX_JITTER_FRACTION,
} from './outbox-retry.ts';

describe('backoffMs', () => {
  it.each([
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [4, 240_000],
    [5, 480_000],
    [6, 960_000],
    [7, 1_920_000],
    [8, 3_600_000], // 3 840 000 capped at 1 h
    [9, 3_600_000],
    [50, 3_600_000],
    [0, 30_000], // defensive: never less than the first step
  ])('after attempt %i waits %i ms', (attempts, expected) => {
    expect(backoffMs(attempts)).toBe(expected);
  });
});

describe('afterFailure', () => {
  const now = new Date('2026-04-07T09:00:00.000Z');

  /** The retry instant's delay after `now`, in ms. */
  const waitOf = (id: string, attempts: number): number => {
    const decision = afterFailure(id, attempts, now);
    if (decision.kind !== 'retry') throw new Error('expected a retry');
    return decision.at.getTime() - now.getTime();
  };

  it('retries after the backoff plus the message’s jitter while attempts remain', () => {
    for (const attempts of [1, 5, MAX_DELIVERY_ATTEMPTS - 1]) {
      const wait = waitOf('message-a', attempts);
      expect(wait).toBe(Math.round(backoffMs(attempts) * (1 + jitterFraction('message-a', attempts))));
      expect(wait).toBeGreaterThanOrEqual(backoffMs(attempts));
      expect(wait).toBeLessThan(backoffMs(attempts) * (1 + MAX_JITTER_FRACTION));
    }
  });

  it('spreads messages that failed together, and decides the same way every time', () => {
    const waits = Array.from({ length: 50 }, (_, i) => waitOf(`message-${i}`, 1));
    expect(new Set(waits).size).toBeGreaterThan(40);
    expect(waitOf('message-7', 1)).toBe(waits[7]);
  });

  it('gives up at the maximum attempts', () => {
    expect(MAX_DELIVERY_ATTEMPTS).toBe(10);
    expect(afterFailure('m', MAX_DELIVERY_ATTEMPTS, now)).toEqual({ kind: 'fail' });
    expect(afterFailure('m', 3, now, 3)).toEqual({ kind: 'fail' });
  });
});

describe('errorText', () => {
  it('keeps one line of at most 500 characters', () => {
    expect(errorText(new Error('451 4.3.0\n  try later'))).toBe('451 4.3.0 try later');
    const long = errorText('x'.repeat(2_000));
    expect(long).toHaveLength(500);
    expect(long.endsWith('…')).toBe(true);
  });
});
