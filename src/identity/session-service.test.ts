import { describe, expect, it } from 'vitest';
import { csrfTokenFor, csrfTokenMatches } from './session-service.ts';

describe('the CSRF token of a session', () => {
  const cookie = 'Jx1k3p0s7Qd9QeQbWl6yQ0a9m3Z1r7Yp2n4t8v0w2xY';

  it('is derived from the cookie value: stable, URL-safe, and different per session', () => {
    expect(csrfTokenFor(cookie)).toBe(csrfTokenFor(cookie));
    expect(csrfTokenFor(cookie)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfTokenFor(`${cookie}x`)).not.toBe(csrfTokenFor(cookie));
    expect(csrfTokenFor(cookie)).not.toContain(cookie);
  });

  it.each([
    ['the right token', () => csrfTokenFor(cookie), true],
    ['no header', () => undefined, false],
    ['an empty header', () => '', false],
    ['another session’s token', () => csrfTokenFor('another-cookie-value'), false],
    ['the cookie itself', () => cookie, false],
    ['a prefix of the token', () => csrfTokenFor(cookie).slice(0, 20), false],
  ])('%s matches: %s', (_name, presented, expected) => {
    expect(csrfTokenMatches(cookie, presented())).toBe(expected);
  });
});
