import type { EvidenceS3Settings } from '../evidence/evidence-s3-store.ts';
import type { TokenBucket } from '../http/rate-limiter.ts';
import type { OidcSettings } from '../identity/oidc-types.ts';
import { ValidationFailed } from '../platform/errors.ts';
import type { LogLevel } from '../platform/logger.ts';
import { type Env, integerIn, type ReadFile, readTextFile, secretFrom } from './config-env.ts';
import {
  resolveOidcConfig,
  resolveSignInConfig,
  resolveTrustProxy,
  type SignInConfig,
} from './config-identity.ts';

export { secretFrom } from './config-env.ts';
export {
  resolveOidcConfig,
  resolveSignInConfig,
  resolveTrustProxy,
  type SignInConfig,
  sessionDurationMs,
} from './config-identity.ts';

/** The parts of Vigil one `vigil serve` process runs. */
export const SERVE_ROLES = ['all', 'api', 'engine'] as const;
export type ServeRole = (typeof SERVE_ROLES)[number];

/**
 * Configuration of `vigil serve`. This module is the only reader of
 * `process.env`; everything else receives values.
 */
export interface ServeConfig {
  host: string;
  port: number;
  databaseUrl: string;
  /** A policy file, or undefined for the built-in default policy. */
  policyPath: string | undefined;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Largest accepted signal body (batches of audit records are large), in bytes. */
  ingestBodyLimit: number;
  adminEmail: string;
  /** Preset token for the first admin (automation); undefined for a generated one. */
  adminToken: string | undefined;
  logLevel: LogLevel;
  /** Outbox delivery by email; undefined when `VIGIL_SMTP_URL` is unset (messages then stay pending). */
  smtp: SmtpConfig | undefined;
  /** Outgoing webhook URLs and secrets by policy webhook id, from `VIGIL_WEBHOOK_<ID>_URL` / `_SECRET`. */
  webhooks: Record<string, WebhookEndpoint>;
  /** The evidence vault's directory: `--evidence-dir`, `VIGIL_EVIDENCE_DIR`, default ./data/evidence. */
  evidenceDir: string;
  /** An S3-compatible bucket for evidence instead of the directory, when `VIGIL_EVIDENCE_S3_BUCKET` is set. */
  evidenceS3: EvidenceS3Settings | undefined;
  /** Single sign-on over OpenID Connect; undefined (off, routes 404) when `VIGIL_OIDC_ISSUER` is unset. */
  oidc: OidcSettings | undefined;
  /** Local sign-in and sessions: `VIGIL_SESSION_*`, `VIGIL_PASSWORD_*`. */
  signIn: SignInConfig;
  /** Trust X-Forwarded-* from the proxy in front (`VIGIL_TRUST_PROXY`); off by default. */
  trustProxy: boolean;
  /**
   * The address people reach Vigil at (`VIGIL_PUBLIC_URL`, e.g. https://vigil.example.com), for
   * links Vigil sends out; unset: the address each request arrived at.
   */
  publicUrl: string | undefined;
  /** Requests a second per ingest token (`VIGIL_INGEST_RATE_LIMIT`, burst twice that); null when 0 (off). */
  ingestRateLimit: TokenBucket | null;
  /** What this process runs: `--role` or `VIGIL_ROLE`, `all` (default), `api` or `engine`. */
  role: ServeRole;
}

/** Where one outgoing webhook posts. The URL itself is a secret for Teams and Slack: never log it. */
export interface WebhookEndpoint {
  url: string;
  /** Signs each body (HMAC-SHA256) when set. */
  secret: string | undefined;
}

/** Where outbox email goes. The URL may carry credentials: never log it whole. */
export interface SmtpConfig {
  /** `smtp://host:port` or `smtps://host:port` (TLS), optionally with `user:password@`. */
  url: string;
  /** The `From` header. */
  from: string;
}

export interface ServeFlags {
  host?: string | undefined;
  port?: string | undefined;
  database?: string | undefined;
  policy?: string | undefined;
  evidenceDir?: string | undefined;
  role?: string | undefined;
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/vigil.db';
export const DEFAULT_EVIDENCE_DIR = './data/evidence';
export const DEFAULT_MAIL_FROM = 'Vigil <vigil@localhost>';
const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** 10,000 audit records of about 2 KB each, with room to spare. */
const DEFAULT_INGEST_BODY_LIMIT = 32 * 1024 * 1024;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Ingestion requests a second per token unless `VIGIL_INGEST_RATE_LIMIT` says otherwise. */
const DEFAULT_INGEST_RATE_LIMIT = 20_000;

/**
 * Flags win over the environment, which wins over defaults. Secrets
 * (database URL, admin token, SMTP URL, webhook URLs and secrets) may also
 * come from files: `<NAME>_FILE` (see {@link secretFrom}).
 */
export function resolveServeConfig(
  flags: ServeFlags,
  env: Env = process.env,
  readFile: ReadFile = readTextFile,
): ServeConfig {
  const logLevel = (env.VIGIL_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ValidationFailed([
      { field: 'VIGIL_LOG_LEVEL', reason: `must be one of ${LOG_LEVELS.join(', ')}` },
    ]);
  }
  return {
    host: flags.host ?? env.VIGIL_HOST ?? '127.0.0.1',
    port: integerIn(flags.port ?? env.PORT ?? '8080', flags.port ? '--port' : 'PORT', 0, 65_535),
    databaseUrl: resolveDatabaseUrl(flags.database, env, readFile),
    policyPath: resolvePolicyPath(flags.policy, env),
    bodyLimit: env.VIGIL_BODY_LIMIT
      ? integerIn(env.VIGIL_BODY_LIMIT, 'VIGIL_BODY_LIMIT', 1024, 1024 ** 3)
      : DEFAULT_BODY_LIMIT,
    ingestBodyLimit: env.VIGIL_INGEST_BODY_LIMIT
      ? integerIn(env.VIGIL_INGEST_BODY_LIMIT, 'VIGIL_INGEST_BODY_LIMIT', 1024, 1024 ** 3)
      : DEFAULT_INGEST_BODY_LIMIT,
    adminEmail: env.VIGIL_ADMIN_EMAIL ?? 'admin@localhost',
    adminToken: secretFrom(env, 'VIGIL_ADMIN_TOKEN', readFile),
    logLevel,
    smtp: resolveSmtpConfig(env, readFile),
    webhooks: resolveWebhookEndpoints(env, readFile),
    evidenceDir: flags.evidenceDir ?? (env.VIGIL_EVIDENCE_DIR?.trim() || DEFAULT_EVIDENCE_DIR),
    evidenceS3: resolveEvidenceS3Config(env),
    oidc: resolveOidcConfig(env, readFile),
    signIn: resolveSignInConfig(env),
    trustProxy: resolveTrustProxy(env),
    publicUrl: resolvePublicUrl(env),
    ingestRateLimit: resolveIngestRateLimit(env),
    role: resolveServeRole(flags.role, env),
  };
}

/** `--role` or `VIGIL_ROLE`: which parts of Vigil this process runs (default `all`). */
export function resolveServeRole(flag: string | undefined, env: Env = process.env): ServeRole {
  const value = (flag ?? env.VIGIL_ROLE ?? 'all').trim();
  if ((SERVE_ROLES as readonly string[]).includes(value)) return value as ServeRole;
  throw new ValidationFailed([
    {
      field: flag === undefined ? 'VIGIL_ROLE' : '--role',
      reason: `must be one of ${SERVE_ROLES.join(', ')}`,
    },
  ]);
}

/**
 * `VIGIL_INGEST_RATE_LIMIT`: requests a second each ingest token may send
 * (default 20,000, above what one process can store), with bursts of twice that; `0` turns the limit off.
 */
export function resolveIngestRateLimit(env: Env = process.env): TokenBucket | null {
  const text = env.VIGIL_INGEST_RATE_LIMIT?.trim();
  const perSecond = text
    ? integerIn(text, 'VIGIL_INGEST_RATE_LIMIT', 0, 1_000_000)
    : DEFAULT_INGEST_RATE_LIMIT;
  return perSecond === 0 ? null : { perSecond, burst: perSecond * 2 };
}

/** `VIGIL_PUBLIC_URL`: an http(s) origin (a path prefix is kept), without a trailing slash. */
export function resolvePublicUrl(env: Env = process.env): string | undefined {
  const value = env.VIGIL_PUBLIC_URL?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationFailed([{ field: 'VIGIL_PUBLIC_URL', reason: 'must be an absolute http(s) URL' }]);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationFailed([{ field: 'VIGIL_PUBLIC_URL', reason: 'must be an absolute http(s) URL' }]);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * `VIGIL_EVIDENCE_S3_BUCKET` (turns the S3 store on), `_ENDPOINT` (an
 * S3-compatible server; unset for AWS), `_REGION` (default us-east-1),
 * `_PREFIX` (key prefix), `_PATH_STYLE` (`true`/`false`; default true with an
 * endpoint). Credentials come from the AWS SDK's own sources
 * (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, profiles, instance roles).
 */
export function resolveEvidenceS3Config(env: Env = process.env): EvidenceS3Settings | undefined {
  const bucket = env.VIGIL_EVIDENCE_S3_BUCKET?.trim();
  if (!bucket) return undefined;
  const endpoint = env.VIGIL_EVIDENCE_S3_ENDPOINT?.trim() || undefined;
  if (endpoint && !/^https?:\/\//.test(endpoint)) {
    throw new ValidationFailed([{ field: 'VIGIL_EVIDENCE_S3_ENDPOINT', reason: 'must be an http(s) URL' }]);
  }
  const pathStyle = env.VIGIL_EVIDENCE_S3_PATH_STYLE?.trim();
  if (pathStyle && pathStyle !== 'true' && pathStyle !== 'false') {
    throw new ValidationFailed([{ field: 'VIGIL_EVIDENCE_S3_PATH_STYLE', reason: 'must be true or false' }]);
  }
  return {
    bucket,
    endpoint,
    region: env.VIGIL_EVIDENCE_S3_REGION?.trim() || 'us-east-1',
    prefix: env.VIGIL_EVIDENCE_S3_PREFIX?.trim() ?? '',
    forcePathStyle: pathStyle ? pathStyle === 'true' : endpoint !== undefined,
  };
}

/** `VIGIL_SMTP_URL` or `_FILE` (smtp: or smtps:) and `VIGIL_MAIL_FROM`; undefined without a URL. */
export function resolveSmtpConfig(
  env: Env = process.env,
  readFile: ReadFile = readTextFile,
): SmtpConfig | undefined {
  const url = secretFrom(env, 'VIGIL_SMTP_URL', readFile);
  if (!url) return undefined;
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'smtp:' && protocol !== 'smtps:') {
    // The value is not echoed: it may hold a password.
    throw new ValidationFailed([
      { field: 'VIGIL_SMTP_URL', reason: 'must be a URL like smtp://host:port or smtps://host:port' },
    ]);
  }
  return { url, from: env.VIGIL_MAIL_FROM?.trim() || DEFAULT_MAIL_FROM };
}

const WEBHOOK_URL_VARIABLE = /^VIGIL_WEBHOOK_([A-Z0-9_]+)_URL(?:_FILE)?$/;

/**
 * Every `VIGIL_WEBHOOK_<ID>_URL` (with its optional `VIGIL_WEBHOOK_<ID>_SECRET`),
 * keyed by the policy's webhook id: `<ID>` is the id upper-cased with `-` as `_`,
 * so `VIGIL_WEBHOOK_OPS_TEAMS_URL` serves the webhook `ops-teams` (or `ops_teams`).
 * Keys here are the lower-cased `<ID>` with `_`; match them with {@link webhookEnvKey}.
 */
export function resolveWebhookEndpoints(
  env: Env = process.env,
  readFile: ReadFile = readTextFile,
): Record<string, WebhookEndpoint> {
  const endpoints: Record<string, WebhookEndpoint> = {};
  for (const variable of Object.keys(env)) {
    const match = WEBHOOK_URL_VARIABLE.exec(variable);
    if (!match) continue;
    const name = `VIGIL_WEBHOOK_${match[1]}_URL`;
    const url = secretFrom(env, name, readFile);
    if (!url) continue;
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      // reported below
    }
    if (protocol !== 'https:' && protocol !== 'http:') {
      throw new ValidationFailed([{ field: name, reason: 'must be an http(s) URL' }]);
    }
    const key = match[1]!.toLowerCase();
    endpoints[key] = { url, secret: secretFrom(env, `VIGIL_WEBHOOK_${match[1]}_SECRET`, readFile) };
  }
  return endpoints;
}

/** The key of a policy webhook id among {@link resolveWebhookEndpoints}: `ops-teams` → `ops_teams`. */
export function webhookEnvKey(id: string): string {
  return id.toLowerCase().replace(/-/g, '_');
}

/** `--database`, else `VIGIL_DATABASE_URL` (or `_FILE`: it may hold a password), else the embedded SQLite file under ./data. */
export function resolveDatabaseUrl(
  flag: string | undefined,
  env: Env = process.env,
  readFile: ReadFile = readTextFile,
): string {
  return flag ?? secretFrom(env, 'VIGIL_DATABASE_URL', readFile) ?? DEFAULT_DATABASE_URL;
}

/** `--policy`, else `VIGIL_POLICY`, else undefined (the built-in policy). */
export function resolvePolicyPath(flag: string | undefined, env: Env = process.env): string | undefined {
  return flag ?? env.VIGIL_POLICY ?? undefined;
}

/** Where the CLI's client commands find the server: `--url`/`VIGIL_URL` and `--token`/`VIGIL_TOKEN`. */
export function resolveClientConfig(
  flags: { url?: string | undefined; token?: string | undefined },
  env: Env = process.env,
): { url: string; token: string | undefined } {
  return {
    url: flags.url ?? env.VIGIL_URL ?? 'http://127.0.0.1:8080',
    token: flags.token ?? env.VIGIL_TOKEN,
  };
}
