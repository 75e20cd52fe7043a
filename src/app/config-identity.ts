/**
 * Configuration of sign-in: single sign-on over OpenID Connect
 * (`VIGIL_OIDC_*`), sessions and local passwords (`VIGIL_SESSION_*`,
 * `VIGIL_PASSWORD_*`) and whether a reverse proxy is trusted
 * (`VIGIL_TRUST_PROXY`). Part of config.ts, which re-exports it.
 */
import type { Role } from '../identity/identity-types.ts';
import { parseRoleMap, SIGN_IN_ROLES } from '../identity/oidc-claims.ts';
import { certificateCredential } from '../identity/oidc-credential.ts';
import type { OidcCredential, OidcSettings } from '../identity/oidc-types.ts';
import { ValidationFailed } from '../platform/errors.ts';
import { type Env, integerIn, readTextFile } from './config-env.ts';

const ENTRA_SHARED_ISSUER = /^https:\/\/login\.microsoftonline\.com\/(common|organizations|consumers)\//i;

/** `VIGIL_OIDC_*`: single sign-on, or undefined when no issuer is set. Secrets are never echoed in errors. */
export function resolveOidcConfig(
  env: Env = process.env,
  readFile: (path: string) => string = readTextFile,
): OidcSettings | undefined {
  const issuer = env.VIGIL_OIDC_ISSUER?.trim();
  if (!issuer) return undefined;
  const issues: { field: string; reason: string }[] = [];
  const need = (name: string) => {
    const value = env[name]?.trim();
    if (!value) issues.push({ field: name, reason: 'is required when VIGIL_OIDC_ISSUER is set' });
    return value ?? '';
  };
  const allowInsecureHttp = env.VIGIL_OIDC_ALLOW_INSECURE_HTTP?.trim() === 'true';
  const protocol = urlProtocol(issuer);
  if (protocol !== 'https:' && !(protocol === 'http:' && allowInsecureHttp)) {
    issues.push({
      field: 'VIGIL_OIDC_ISSUER',
      reason: 'must be an https URL (http only with VIGIL_OIDC_ALLOW_INSECURE_HTTP=true)',
    });
  }
  const clientId = need('VIGIL_OIDC_CLIENT_ID');
  const redirectUri = need('VIGIL_OIDC_REDIRECT_URI');
  if (redirectUri && !['https:', 'http:'].includes(urlProtocol(redirectUri))) {
    issues.push({ field: 'VIGIL_OIDC_REDIRECT_URI', reason: 'must be an http(s) URL' });
  }
  const credential = oidcCredential(env, readFile, issues);
  const roleMap = parseRoleMap(env.VIGIL_OIDC_ROLE_MAP ?? '');
  if ('error' in roleMap) issues.push({ field: 'VIGIL_OIDC_ROLE_MAP', reason: roleMap.error });
  const defaultRole = env.VIGIL_OIDC_DEFAULT_ROLE?.trim() || undefined;
  if (defaultRole !== undefined && !SIGN_IN_ROLES.includes(defaultRole as Role)) {
    issues.push({ field: 'VIGIL_OIDC_DEFAULT_ROLE', reason: `must be one of ${SIGN_IN_ROLES.join(', ')}` });
  }
  const mappings = 'mappings' in roleMap ? roleMap.mappings : [];
  if (mappings.length === 0 && defaultRole === undefined) {
    issues.push({
      field: 'VIGIL_OIDC_ROLE_MAP',
      reason: 'must map at least one role (or set VIGIL_OIDC_DEFAULT_ROLE)',
    });
  }
  const allowedTenants = (env.VIGIL_OIDC_ALLOWED_TENANTS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  // Entra's shared issuers vouch for every tenant in the world: the list is what keeps strangers out.
  if (ENTRA_SHARED_ISSUER.test(issuer) && allowedTenants.length === 0) {
    issues.push({
      field: 'VIGIL_OIDC_ALLOWED_TENANTS',
      reason: 'is required with a multi-tenant Entra ID issuer',
    });
  }
  const scopes = (env.VIGIL_OIDC_SCOPES?.trim() || 'openid profile email').split(/\s+/);
  if (!scopes.includes('openid')) scopes.unshift('openid');
  if (issues.length > 0) throw new ValidationFailed(issues);
  return {
    issuer,
    clientId,
    credential,
    redirectUri,
    allowedTenants,
    scopes: scopes.join(' '),
    roleMap: mappings,
    defaultRole: defaultRole as Role | undefined,
    allowInsecureHttp,
  };
}

function urlProtocol(text: string): string {
  try {
    return new URL(text).protocol;
  } catch {
    return '';
  }
}

/**
 * `VIGIL_OIDC_CLIENT_SECRET`, or the content of `VIGIL_OIDC_CLIENT_SECRET_FILE`
 * (a mounted secret), or a certificate: `VIGIL_OIDC_CLIENT_CERTIFICATE_FILE`
 * with `VIGIL_OIDC_CLIENT_KEY_FILE`. Exactly one of the three.
 */
function oidcCredential(
  env: Env,
  readFile: (path: string) => string,
  issues: { field: string; reason: string }[],
): OidcCredential {
  const inline = env.VIGIL_OIDC_CLIENT_SECRET?.trim();
  const names = [
    'VIGIL_OIDC_CLIENT_SECRET_FILE',
    'VIGIL_OIDC_CLIENT_CERTIFICATE_FILE',
    'VIGIL_OIDC_CLIENT_KEY_FILE',
  ];
  const [secretFile, certificateFile, keyFile] = names.map((name) => env[name]?.trim() || undefined);
  const given = [inline, secretFile, certificateFile ?? keyFile].filter(Boolean).length;
  const none: OidcCredential = { kind: 'secret', secret: '' };
  if (given !== 1) {
    const reason = given === 0 ? 'is required' : 'set only one of them';
    issues.push({
      field: 'VIGIL_OIDC_CLIENT_SECRET',
      reason: `${reason}: a secret, a secret file, or a certificate`,
    });
    return none;
  }
  const read = (name: string, path: string): string => {
    try {
      const text = readFile(path).trim();
      if (text) return text;
      issues.push({ field: name, reason: 'names an empty file' });
    } catch {
      issues.push({ field: name, reason: 'cannot be read' });
    }
    return '';
  };
  if (inline) return { kind: 'secret', secret: inline };
  if (secretFile) {
    return { kind: 'secret', secret: read('VIGIL_OIDC_CLIENT_SECRET_FILE', secretFile) };
  }
  if (!certificateFile || !keyFile) {
    issues.push({
      field: certificateFile ? 'VIGIL_OIDC_CLIENT_KEY_FILE' : 'VIGIL_OIDC_CLIENT_CERTIFICATE_FILE',
      reason: 'is required with the other',
    });
    return none;
  }
  const certificate = read('VIGIL_OIDC_CLIENT_CERTIFICATE_FILE', certificateFile);
  const key = read('VIGIL_OIDC_CLIENT_KEY_FILE', keyFile);
  if (!certificate || !key) return none;
  const parsed = certificateCredential(certificate, key);
  if ('error' in parsed) {
    issues.push({ field: 'VIGIL_OIDC_CLIENT_CERTIFICATE_FILE', reason: parsed.error });
    return none;
  }
  return parsed.credential;
}

/** Sessions and local passwords. */
export interface SignInConfig {
  /** A session unused this long ends (ms); `VIGIL_SESSION_IDLE`, default 30 minutes. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in (ms); `VIGIL_SESSION_ABSOLUTE`, default 12 hours. */
  sessionAbsoluteMs: number;
  /** `VIGIL_PASSWORD_MIN_LENGTH`, default 12. */
  passwordMinLength: number;
  /** `VIGIL_PASSWORD_BLOCKLIST_FILE`: one refused password (or SHA-1 hex) per line. */
  passwordBlocklistFile: string | undefined;
}

const DURATION_UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `12h`, `1d` (a bare number is minutes) as milliseconds, from one minute to 30 days. */
export function sessionDurationMs(text: string, field: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * DURATION_UNIT_MS[match[2] || 'm']! : Number.NaN;
  if (!(ms >= 60_000 && ms <= 30 * 86_400_000)) {
    throw new ValidationFailed([
      { field, reason: `must be a duration like 30m, 12h or 1d, from 1 minute to 30 days, got "${text}"` },
    ]);
  }
  return ms;
}

export function resolveSignInConfig(env: Env = process.env): SignInConfig {
  const idle = env.VIGIL_SESSION_IDLE?.trim();
  const absolute = env.VIGIL_SESSION_ABSOLUTE?.trim();
  const minLength = env.VIGIL_PASSWORD_MIN_LENGTH?.trim();
  const config: SignInConfig = {
    sessionIdleMs: idle ? sessionDurationMs(idle, 'VIGIL_SESSION_IDLE') : 30 * 60_000,
    sessionAbsoluteMs: absolute ? sessionDurationMs(absolute, 'VIGIL_SESSION_ABSOLUTE') : 12 * 3_600_000,
    // Below 8 a password falls to online guessing even with the lockout; NIST SP 800-63B's floor.
    passwordMinLength: minLength ? integerIn(minLength, 'VIGIL_PASSWORD_MIN_LENGTH', 8, 128) : 12,
    passwordBlocklistFile: env.VIGIL_PASSWORD_BLOCKLIST_FILE?.trim() || undefined,
  };
  if (config.sessionIdleMs > config.sessionAbsoluteMs) {
    throw new ValidationFailed([
      { field: 'VIGIL_SESSION_IDLE', reason: 'must not be longer than VIGIL_SESSION_ABSOLUTE' },
    ]);
  }
  return config;
}

/**
 * `VIGIL_TRUST_PROXY=true` when Vigil sits behind a reverse proxy that
 * terminates TLS: the client address and https then come from its
 * X-Forwarded-For / X-Forwarded-Proto. Off by default, since a client
 * reaching Vigil directly could forge those headers.
 */
export function resolveTrustProxy(env: Env = process.env): boolean {
  const value = env.VIGIL_TRUST_PROXY?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new ValidationFailed([{ field: 'VIGIL_TRUST_PROXY', reason: 'must be true or false' }]);
}
