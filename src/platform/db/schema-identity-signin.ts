/**
 * Storage rows of local sign-in: password credentials with their lockout and
 * second factor, and browser sessions (migrations/0015-sign-in.ts). Instants
 * are UTC text (instant-codec.ts).
 */

type DbInstant = string;

/** One row per user who may sign in with a password; users signing in only by SSO have none. */
export interface LocalCredentialsTable {
  /** Also the primary key: at most one password per user. */
  user_id: string;
  /** An argon2id PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`), parameters included. */
  password_hash: string;
  password_set_at: DbInstant;
  /** Consecutive failed sign-ins since the last success; drives the lockout. */
  failed_attempts: number;
  last_failed_at: DbInstant | null;
  /** Until when sign-in is refused without checking the password; null when not locked. */
  locked_until: DbInstant | null;
  /**
   * The TOTP secret in base32, stored as is (the server must read it to check
   * codes): protect the database and its backups like the secrets they are.
   * Set at enrolment; only in force once `totp_enabled_at` is set.
   */
  totp_secret: string | null;
  totp_enabled_at: DbInstant | null;
  /** The last 30-second step a code was accepted for; a code of that step or earlier is a replay. */
  totp_last_step: number | null;
}

/** A browser session. The cookie value is never stored, only its SHA-256. */
export interface SessionsTable {
  id: string;
  /** SHA-256 (hex) of the random cookie value; unique. */
  token_hash: string;
  user_id: string;
  /** `password` or `oidc`. */
  method: string;
  created_at: DbInstant;
  /** Written at most once a minute; the idle timeout runs from here. */
  last_seen_at: DbInstant;
  absolute_expires_at: DbInstant;
  ended_at: DbInstant | null;
  /** `signed_out`, `signed_out_everywhere`, `password_changed`, `idle_timeout`, `absolute_timeout`. */
  ended_reason: string | null;
  client_ip: string;
  user_agent: string | null;
}
