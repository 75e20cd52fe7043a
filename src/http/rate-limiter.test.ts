import { describe, expect, it } from 'vitest';
import { createRateLimiter, createTokenBucketLimiter } from './rate-limiter.ts';

describe('sliding-window rate limiter', () => {
  it('allows `limit` attempts per window per key and says when the next one fits', () => {
    const limiter = createRateLimiter({ limit: 2, windowMs: 60_000 });
    expect(limiter.attempt('a', 0)).toEqual({ allowed: true });
    expect(limiter.attempt('a', 10_000)).toEqual({ allowed: true });
    expect(limiter.attempt('a', 20_000)).toEqual({ allowed: false, retryAfterSeconds: 40 });
    expect(limiter.attempt('b', 20_000)).toEqual({ allowed: true });
    // The first attempt leaves the window at 60 s; the refused one was not counted.
    expect(limiter.attempt('a', 60_001)).toEqual({ allowed: true });
    expect(limiter.attempt('a', 60_002)).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('never asks to wait less than a second', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1_000 });
    limiter.attempt('a', 0);
    expect(limiter.attempt('a', 999)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('forgets the oldest keys past its bound instead of growing without limit', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000 });
    limiter.attempt('first', 0);
    for (let i = 0; i < 10_000; i++) limiter.attempt(`spray-${i}`, 1);
    // `first` was dropped to make room, so it is allowed again (a bounded memory's price).
    expect(limiter.attempt('first', 2)).toEqual({ allowed: true });
    expect(limiter.attempt('spray-9999', 2)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });
});

describe('token-bucket rate limiter', () => {
  it('allows a burst, then the sustained rate, and says how long until the next token', () => {
    const limiter = createTokenBucketLimiter({ perSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) expect(limiter.attempt('t', 0)).toEqual({ allowed: true });
    expect(limiter.attempt('t', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.attempt('other', 0)).toEqual({ allowed: true });
    // Half a second refills one token at 2 a second.
    expect(limiter.attempt('t', 500)).toEqual({ allowed: true });
    expect(limiter.attempt('t', 500)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // A long quiet spell refills only up to the burst.
    for (let i = 0; i < 3; i++) expect(limiter.attempt('t', 60_000)).toEqual({ allowed: true });
    expect(limiter.attempt('t', 60_000).allowed).toBe(false);
  });

  it('rounds a slow refill up to whole seconds', () => {
    const limiter = createTokenBucketLimiter({ perSecond: 0.1, burst: 1 });
    expect(limiter.attempt('t', 0).allowed).toBe(true);
    expect(limiter.attempt('t', 1_000)).toEqual({ allowed: false, retryAfterSeconds: 9 });
  });

  it('does not refill backwards when the clock steps back', () => {
    const limiter = createTokenBucketLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.attempt('t', 10_000).allowed).toBe(true);
    expect(limiter.attempt('t', 5_000).allowed).toBe(false);
  });
});
