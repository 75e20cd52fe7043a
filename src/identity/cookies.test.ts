import { describe, expect, it } from 'vitest';
import { readCookie, setCookie } from './cookies.ts';

describe('readCookie', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['vigil_session=abc', 'abc'],
    ['a=1; vigil_session=abc; b=2', 'abc'],
    ['a=1;vigil_session=abc', 'abc'],
    ['  vigil_session = abc  ', 'abc'],
    ['vigil_session="abc"', 'abc'],
    ['vigil_session=first; vigil_session=second', 'first'],
    ['other_vigil_session=x', undefined],
    ['vigil_sessionx=x', undefined],
    ['garbage; vigil_session=v=with=equals', 'v=with=equals'],
    ['vigil_session=', ''],
  ])('reads %j as %j', (header, expected) => {
    expect(readCookie(header, 'vigil_session')).toBe(expected);
  });
});

describe('setCookie', () => {
  it('sets HttpOnly, Path=/ and SameSite=Strict, Secure only when asked', () => {
    expect(setCookie('vigil_session', 'abc', { secure: false })).toBe(
      'vigil_session=abc; Path=/; HttpOnly; SameSite=Strict',
    );
    expect(setCookie('vigil_session', 'abc', { secure: true })).toBe(
      'vigil_session=abc; Path=/; HttpOnly; SameSite=Strict; Secure',
    );
  });

  it('clears with Max-Age=0 and accepts Lax and a lifetime', () => {
    expect(setCookie('vigil_session', null, { secure: true })).toBe(
      'vigil_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
    expect(setCookie('state', 'x', { secure: false, sameSite: 'Lax', maxAgeSeconds: 600.7 })).toBe(
      'state=x; Path=/; HttpOnly; SameSite=Lax; Max-Age=600',
    );
  });

  it('refuses a value that could inject attributes', () => {
    expect(() => setCookie('vigil_session', 'a; Domain=evil', { secure: false })).toThrow();
  });
});
