/**
 * The storage shape of every table, as Kysely sees it.
 *
 * Kysely types one database interface, so the tables of all domains meet
 * here; these are storage rows (snake_case, instants as UTC text, booleans as
 * 0/1), not domain types. Each domain's `-dal.ts` maps rows to its own types.
 * Keep this file in step with `migrations/`.
 */
import type { Generated } from 'kysely';

/** UTC ISO 8601 text with milliseconds; see instant-codec.ts. */
export type DbInstant = string;

export interface PolicyVersionsTable {
  version: string;
  source: string;
  content: string;
  first_loaded_at: DbInstant;
}

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  role: string;
  created_at: DbInstant;
  disabled_at: DbInstant | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the token; the token itself is never stored. */
  token_hash: string;
  created_at: DbInstant;
  expires_at: DbInstant | null;
  revoked_at: DbInstant | null;
}

export interface IncidentsTable {
  seq: Generated<number>;
  id: string;
  reference: string;
  title: string;
  description: string;
  severity: string;
  phase: string;
  opened_at: DbInstant;
  declared_at: DbInstant;
  declared_by: string;
  /** 1 when opened outside business time. */
  out_of_hours: number;
  policy_version: string;
  updated_at: DbInstant;
}

export interface AuditLogTable {
  seq: number;
  at: DbInstant;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  /** Canonical JSON of the change. */
  detail: string;
  /** SHA-256 of `detail`. */
  digest: string;
  prev_hash: string;
  hash: string;
}

/** A single row (id = 1) naming the latest audit entry, so that removing the tail is detected. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface VigilDatabase {
  policy_versions: PolicyVersionsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  incidents: IncidentsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
}
