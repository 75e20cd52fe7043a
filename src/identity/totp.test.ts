import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  otpauthUri,
  totpCode,
  totpStep,
  verifyTotp,
} from './totp.ts';

/** RFC 6238 appendix B's SHA-1 key: the ASCII bytes of "12345678901234567890". */
const RFC_KEY = Buffer.from('12345678901234567890', 'ascii');
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

describe('RFC 6238 appendix B (SHA-1, 8 digits)', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('T=%i gives %s', (seconds, expected) => {
    expect(hotp(RFC_KEY, totpStep(at(seconds)), 8)).toBe(expected);
    expect(totpCode(base32Encode(RFC_KEY), at(seconds), 8)).toBe(expected);
  });
});

describe('RFC 4226 appendix D (HOTP, 6 digits)', () => {
  it.each([
    [0, '755224'],
    [1, '287082'],
    [5, '254676'],
    [9, '520489'],
  ])('counter %i gives %s', (counter, expected) => {
    expect(hotp(RFC_KEY, counter)).toBe(expected);
  });
});

describe('base32', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('RFC 4648 vector %j <-> %s', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
  });

  it('decodes lower case, spaces and padding, and refuses other characters', () => {
    expect(base32Decode('mzxw 6ytb oi======').toString()).toBe('foobar');
    expect(() => base32Decode('MZ1')).toThrow('"1" is not a base32 character');
  });

  it('generates 160-bit secrets', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
  });
});

describe('verifyTotp', () => {
  const secret = base32Encode(RFC_KEY);
  const now = at(1111111111);
  const step = totpStep(now);
  const codeAt = (offsetSteps: number) => totpCode(secret, at(1111111111 + offsetSteps * 30));

  it.each([
    ['the current step', 0, step],
    ['one step behind', -1, step - 1],
    ['one step ahead', 1, step + 1],
    ['two steps behind', -2, null],
    ['two steps ahead', 2, null],
  ])('%s', (_name, offset, expected) => {
    expect(verifyTotp(secret, codeAt(offset), now)).toBe(expected);
  });

  it('refuses a code of the last accepted step or earlier (replay)', () => {
    expect(verifyTotp(secret, codeAt(0), now, step)).toBeNull();
    expect(verifyTotp(secret, codeAt(-1), now, step)).toBeNull();
    expect(verifyTotp(secret, codeAt(0), now, step - 1)).toBe(step);
  });

  it.each(['', '12345', '1234567', 'abcdef', '12 345'])('refuses the malformed code %j', (code) => {
    expect(verifyTotp(secret, code, now)).toBeNull();
  });
});

it('builds the otpauth URI authenticator apps import', () => {
  const uri = new URL(otpauthUri('JBSWY3DPEHPK3PXP', 'ana@example.com'));
  expect(uri.protocol).toBe('otpauth:');
  expect(uri.host).toBe('totp');
  expect(decodeURIComponent(uri.pathname)).toBe('/Vigil:ana@example.com');
  expect(Object.fromEntries(uri.searchParams)).toEqual({
    secret: 'JBSWY3DPEHPK3PXP',
    issuer: 'Vigil',
    algorithm: 'SHA1',
    digits: '6',
    period: '30',
  });
});
