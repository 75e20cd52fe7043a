import { describe, expect, it } from 'vitest';
import { resolveSignInConfig, resolveTrustProxy, sessionDurationMs } from './config.ts';

describe('sessionDurationMs', () => {
  it.each([
    ['30m', 30 * 60_000],
    ['45', 45 * 60_000],
    ['90s', 90_000],
    ['12h', 12 * 3_600_000],
    ['1d', 86_400_000],
    [' 2 h ', 2 * 3_600_000],
  ])('reads %j', (text, ms) => {
    expect(sessionDurationMs(text, 'VIGIL_SESSION_IDLE')).toBe(ms);
  });

  it.each(['', '30x', '-5m', '1.5h', '59s', '31d', 'PT30M'])('refuses %j naming the variable', (text) => {
    expect(() => sessionDurationMs(text, 'VIGIL_SESSION_IDLE')).toThrow(
      /VIGIL_SESSION_IDLE: must be a duration/,
    );
  });
});

describe('resolveSignInConfig', () => {
  it('defaults to 30 minutes idle, 12 hours absolute, 12 characters and no blocklist', () => {
    expect(resolveSignInConfig({})).toEqual({
      sessionIdleMs: 30 * 60_000,
      sessionAbsoluteMs: 12 * 3_600_000,
      passwordMinLength: 12,
      passwordBlocklistFile: undefined,
    });
  });

  it('reads the environment', () => {
    const config = resolveSignInConfig({
      VIGIL_SESSION_IDLE: '15m',
      VIGIL_SESSION_ABSOLUTE: '8h',
      VIGIL_PASSWORD_MIN_LENGTH: '16',
      VIGIL_PASSWORD_BLOCKLIST_FILE: '/etc/vigil/pwned.txt',
    });
    expect(config).toEqual({
      sessionIdleMs: 15 * 60_000,
      sessionAbsoluteMs: 8 * 3_600_000,
      passwordMinLength: 16,
      passwordBlocklistFile: '/etc/vigil/pwned.txt',
    });
  });

  it.each([
    [{ VIGIL_PASSWORD_MIN_LENGTH: '6' }, 'VIGIL_PASSWORD_MIN_LENGTH'],
    [{ VIGIL_SESSION_IDLE: '13h' }, 'VIGIL_SESSION_IDLE: must not be longer than VIGIL_SESSION_ABSOLUTE'],
    [{ VIGIL_SESSION_ABSOLUTE: 'forever' }, 'VIGIL_SESSION_ABSOLUTE'],
  ])('refuses %j', (env, message) => {
    expect(() => resolveSignInConfig(env)).toThrow(message);
  });
});

describe('resolveTrustProxy', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['true', true],
    ['TRUE', true],
    ['1', true],
  ])('%j is %s', (value, expected) => {
    expect(resolveTrustProxy({ VIGIL_TRUST_PROXY: value })).toBe(expected);
  });

  it('refuses anything else', () => {
    expect(() => resolveTrustProxy({ VIGIL_TRUST_PROXY: '10.0.0.1' })).toThrow('VIGIL_TRUST_PROXY');
  });
});
