import { describe, expect, it } from 'vitest';
import { afterFailure, backoffMs, errorText, MAX_DELIVERY_ATTEMPTS } from './outbox-retry.ts';

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

  it('retries after the backoff while attempts remain', () => {
    expect(afterFailure(1, now)).toEqual({ kind: 'retry', at: new Date('2026-04-07T09:00:30.000Z') });
    expect(afterFailure(MAX_DELIVERY_ATTEMPTS - 1, now)).toEqual({
      kind: 'retry',
      at: new Date('2026-04-07T10:00:00.000Z'),
    });
  });

  it('gives up at the maximum attempts', () => {
    expect(MAX_DELIVERY_ATTEMPTS).toBe(10);
    expect(afterFailure(MAX_DELIVERY_ATTEMPTS, now)).toEqual({ kind: 'fail' });
    expect(afterFailure(3, now, 3)).toEqual({ kind: 'fail' });
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
