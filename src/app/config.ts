import { ValidationFailed } from '../platform/errors.ts';
import type { LogLevel } from '../platform/logger.ts';

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
}

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_DATABASE_URL = 'sqlite:./data/vigil.db';
export const DEFAULT_MAIL_FROM = 'Vigil <vigil@localhost>';
const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** 10,000 audit records of about 2 KB each, with room to spare. */
const DEFAULT_INGEST_BODY_LIMIT = 32 * 1024 * 1024;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integerIn(text: string, field: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new ValidationFailed([
      { field, reason: `must be a whole number from ${min} to ${max}, got "${text}"` },
    ]);
  }
  return value;
}

/** Flags win over the environment, which wins over defaults. */
export function resolveServeConfig(flags: ServeFlags, env: Env = process.env): ServeConfig {
  const logLevel = (env.VIGIL_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ValidationFailed([
      { field: 'VIGIL_LOG_LEVEL', reason: `must be one of ${LOG_LEVELS.join(', ')}` },
    ]);
  }
  return {
    host: flags.host ?? env.VIGIL_HOST ?? '127.0.0.1',
    port: integerIn(flags.port ?? env.PORT ?? '8080', flags.port ? '--port' : 'PORT', 0, 65_535),
    databaseUrl: resolveDatabaseUrl(flags.database, env),
    policyPath: resolvePolicyPath(flags.policy, env),
    bodyLimit: env.VIGIL_BODY_LIMIT
      ? integerIn(env.VIGIL_BODY_LIMIT, 'VIGIL_BODY_LIMIT', 1024, 1024 ** 3)
      : DEFAULT_BODY_LIMIT,
    ingestBodyLimit: env.VIGIL_INGEST_BODY_LIMIT
      ? integerIn(env.VIGIL_INGEST_BODY_LIMIT, 'VIGIL_INGEST_BODY_LIMIT', 1024, 1024 ** 3)
      : DEFAULT_INGEST_BODY_LIMIT,
    adminEmail: env.VIGIL_ADMIN_EMAIL ?? 'admin@localhost',
    adminToken: env.VIGIL_ADMIN_TOKEN || undefined,
    logLevel,
    smtp: resolveSmtpConfig(env),
    webhooks: resolveWebhookEndpoints(env),
  };
}

/** `VIGIL_SMTP_URL` (smtp: or smtps:) and `VIGIL_MAIL_FROM`; undefined without a URL. */
export function resolveSmtpConfig(env: Env = process.env): SmtpConfig | undefined {
  const url = env.VIGIL_SMTP_URL?.trim();
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

const WEBHOOK_URL_VARIABLE = /^VIGIL_WEBHOOK_([A-Z0-9_]+)_URL$/;

/**
 * Every `VIGIL_WEBHOOK_<ID>_URL` (with its optional `VIGIL_WEBHOOK_<ID>_SECRET`),
 * keyed by the policy's webhook id: `<ID>` is the id upper-cased with `-` as `_`,
 * so `VIGIL_WEBHOOK_OPS_TEAMS_URL` serves the webhook `ops-teams` (or `ops_teams`).
 * Keys here are the lower-cased `<ID>` with `_`; match them with {@link webhookEnvKey}.
 */
export function resolveWebhookEndpoints(env: Env = process.env): Record<string, WebhookEndpoint> {
  const endpoints: Record<string, WebhookEndpoint> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = WEBHOOK_URL_VARIABLE.exec(name);
    const url = value?.trim();
    if (!match || !url) continue;
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
    endpoints[key] = { url, secret: env[`VIGIL_WEBHOOK_${match[1]}_SECRET`]?.trim() || undefined };
  }
  return endpoints;
}

/** The key of a policy webhook id among {@link resolveWebhookEndpoints}: `ops-teams` → `ops_teams`. */
export function webhookEnvKey(id: string): string {
  return id.toLowerCase().replace(/-/g, '_');
}

/** `--database`, else `VIGIL_DATABASE_URL`, else the embedded SQLite file under ./data. */
export function resolveDatabaseUrl(flag: string | undefined, env: Env = process.env): string {
  return flag ?? env.VIGIL_DATABASE_URL ?? DEFAULT_DATABASE_URL;
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
