import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../platform/errors.ts';
import {
  resolveDatabaseUrl,
  resolveIngestRateLimit,
  resolvePublicUrl,
  resolveServeConfig,
  secretFrom,
} from './config.ts';

describe('resolvePublicUrl', () => {
  it('keeps an origin and a path prefix, without a trailing slash', () => {
    expect(resolvePublicUrl({ VIGIL_PUBLIC_URL: 'https://vigil.example.com/' })).toBe(
      'https://vigil.example.com',
    );
    expect(resolvePublicUrl({ VIGIL_PUBLIC_URL: 'https://example.com/vigil/' })).toBe(
      'https://example.com/vigil',
    );
    expect(resolvePublicUrl({})).toBeUndefined();
  });

  it('refuses anything but an absolute http(s) URL, naming the variable', () => {
    for (const bad of ['vigil.example.com', 'ftp://example.com', 'javascript:alert(1)']) {
      expect(() => resolvePublicUrl({ VIGIL_PUBLIC_URL: bad })).toThrow(ValidationFailed);
    }
    expect(() => resolvePublicUrl({ VIGIL_PUBLIC_URL: 'nope' })).toThrow(/^VIGIL_PUBLIC_URL: /);
  });
});

describe('resolveServeConfig', () => {
  it('takes the evidence directory from the flag, then the environment, then ./data/evidence', () => {
    expect(resolveServeConfig({ evidenceDir: '/srv/e' }, { VIGIL_EVIDENCE_DIR: '/x' }).evidenceDir).toBe(
      '/srv/e',
    );
    expect(resolveServeConfig({}, { VIGIL_EVIDENCE_DIR: '/x' }).evidenceDir).toBe('/x');
    expect(resolveServeConfig({}, {}).evidenceDir).toMatch(/data[/\\]evidence$/);
  });

  it('passes the public URL through', () => {
    expect(resolveServeConfig({}, { VIGIL_PUBLIC_URL: 'https://v.example' }).publicUrl).toBe(
      'https://v.example',
    );
  });
});

describe('secrets from the environment or a file', () => {
  const files: Record<string, string> = {
    '/run/secrets/db': 'postgres://vigil:s3cret@db/vigil\n',
    '/run/secrets/token': 'vgl_from-a-file-0123456789abcdef\n',
    '/run/secrets/smtp': 'smtps://mail:pw@mail.example.com:465',
    '/run/secrets/hook-url': 'https://hooks.example.com/abc',
    '/run/secrets/hook-secret': 'hmac-key',
    '/run/secrets/empty': '\n',
  };
  const readFile = (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error(`ENOENT: ${path}`);
    return text;
  };

  it('reads a secret inline, from NAME_FILE (trimmed), or not at all', () => {
    expect(secretFrom({ VIGIL_ADMIN_TOKEN: ' abc ' }, 'VIGIL_ADMIN_TOKEN', readFile)).toBe('abc');
    expect(secretFrom({ VIGIL_ADMIN_TOKEN_FILE: '/run/secrets/token' }, 'VIGIL_ADMIN_TOKEN', readFile)).toBe(
      'vgl_from-a-file-0123456789abcdef',
    );
    expect(secretFrom({}, 'VIGIL_ADMIN_TOKEN', readFile)).toBeUndefined();
  });

  it('refuses both forms, an unreadable file and an empty one, naming the variable and not the secret', () => {
    const both = { VIGIL_SMTP_URL: 'smtp://user:hunter2@x', VIGIL_SMTP_URL_FILE: '/run/secrets/smtp' };
    expect(() => secretFrom(both, 'VIGIL_SMTP_URL', readFile)).toThrow(/^VIGIL_SMTP_URL: .*not both/);
    expect(() => secretFrom(both, 'VIGIL_SMTP_URL', readFile)).not.toThrow(/hunter2/);
    expect(() => secretFrom({ VIGIL_SMTP_URL_FILE: '/nope' }, 'VIGIL_SMTP_URL', readFile)).toThrow(
      /^VIGIL_SMTP_URL_FILE: cannot read the file \/nope/,
    );
    expect(() =>
      secretFrom({ VIGIL_SMTP_URL_FILE: '/run/secrets/empty' }, 'VIGIL_SMTP_URL', readFile),
    ).toThrow(/^VIGIL_SMTP_URL_FILE: names an empty file/);
  });

  it('takes every secret of vigil serve from files', () => {
    const config = resolveServeConfig(
      {},
      {
        VIGIL_DATABASE_URL_FILE: '/run/secrets/db',
        VIGIL_ADMIN_TOKEN_FILE: '/run/secrets/token',
        VIGIL_SMTP_URL_FILE: '/run/secrets/smtp',
        VIGIL_WEBHOOK_OPS_TEAMS_URL_FILE: '/run/secrets/hook-url',
        VIGIL_WEBHOOK_OPS_TEAMS_SECRET_FILE: '/run/secrets/hook-secret',
      },
      readFile,
    );
    expect(config.databaseUrl).toBe('postgres://vigil:s3cret@db/vigil');
    expect(config.adminToken).toBe('vgl_from-a-file-0123456789abcdef');
    expect(config.smtp?.url).toBe('smtps://mail:pw@mail.example.com:465');
    expect(config.webhooks).toEqual({
      ops_teams: { url: 'https://hooks.example.com/abc', secret: 'hmac-key' },
    });
    expect(resolveDatabaseUrl('sqlite::memory:', { VIGIL_DATABASE_URL_FILE: '/nope' }, readFile)).toBe(
      'sqlite::memory:',
    );
  });

  it('refuses a webhook URL given both ways', () => {
    expect(() =>
      resolveServeConfig(
        {},
        { VIGIL_WEBHOOK_OPS_URL: 'https://a.example', VIGIL_WEBHOOK_OPS_URL_FILE: '/run/secrets/hook-url' },
        readFile,
      ),
    ).toThrow(/^VIGIL_WEBHOOK_OPS_URL: /);
  });
});

describe('resolveIngestRateLimit', () => {
  it('defaults to 20,000 a second per token with bursts of twice that; 0 turns it off', () => {
    expect(resolveIngestRateLimit({})).toEqual({ perSecond: 20_000, burst: 40_000 });
    expect(resolveIngestRateLimit({ VIGIL_INGEST_RATE_LIMIT: '50' })).toEqual({ perSecond: 50, burst: 100 });
    expect(resolveIngestRateLimit({ VIGIL_INGEST_RATE_LIMIT: '0' })).toBeNull();
    expect(() => resolveIngestRateLimit({ VIGIL_INGEST_RATE_LIMIT: 'fast' })).toThrow(
      /^VIGIL_INGEST_RATE_LIMIT: must be a whole number/,
    );
  });
});
