import { describe, expect, it } from 'vitest';
import { lockDurationMs, lockState } from './lockout.ts';

const MIN = 60_000;

describe('lockDurationMs', () => {
  it.each([
    [0, 0],
    [4, 0],
    [5, 1 * MIN],
    [6, 2 * MIN],
    [7, 4 * MIN],
    [8, 8 * MIN],
    [9, 16 * MIN],
    [10, 32 * MIN],
    [11, 60 * MIN],
    [12, 60 * MIN],
    [1_000_000, 60 * MIN],
  ])('%i consecutive failures lock for %i ms', (failures, expected) => {
    expect(lockDurationMs(failures)).toBe(expected);
  });
});

describe('lockState', () => {
  const last = new Date('2026-04-07T09:00:00Z');
  const later = (ms: number) => new Date(last.getTime() + ms);

  it.each([
    ['below the threshold', 4, 0, { locked: false }],
    ['just after the fifth failure', 5, 0, { locked: true, retryAfterSeconds: 60 }],
    ['half a second later (rounded up)', 5, 500, { locked: true, retryAfterSeconds: 60 }],
    ['59 s later', 5, 59_000, { locked: true, retryAfterSeconds: 1 }],
    ['when the minute has passed', 5, 60_000, { locked: false }],
    ['the sixth failure, 90 s later', 6, 90_000, { locked: true, retryAfterSeconds: 30 }],
    ['the twentieth failure, 59 min later', 20, 59 * MIN, { locked: true, retryAfterSeconds: 60 }],
    ['the twentieth failure, an hour later', 20, 60 * MIN, { locked: false }],
  ])('%s', (_name, failures, elapsed, expected) => {
    expect(lockState(failures, last, later(elapsed))).toMatchObject(expected);
  });

  it('names the instant the lock ends, and is unlocked without a recorded failure', () => {
    expect(lockState(6, last, last)).toEqual({ locked: true, until: later(2 * MIN), retryAfterSeconds: 120 });
    expect(lockState(9, null, last)).toEqual({ locked: false });
  });
});
