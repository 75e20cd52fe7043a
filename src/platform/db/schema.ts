/**
 * The storage shape of every table, as Kysely sees it.
 *
 * Kysely types one database interface, so the tables of all domains meet
 * here; these are storage rows (snake_case, instants as UTC text, booleans as
 * 0/1), not domain types. Each domain's `-dal.ts` maps rows to its own types.
 * Keep this file, and the tables in schema-signals.ts and schema-follow-up.ts,
 * in step with `migrations/`.
 */
import type { Generated } from 'kysely';
import type { EvidenceItemsTable } from './schema-evidence.ts';
import type {
  BreachAssessmentsTable,
  BreachRecordsTable,
  BreachRecordVersionsTable,
  BreachSubmissionsTable,
  CorrectiveActionsTable,
  ExercisesTable,
  ReviewsTable,
} from './schema-follow-up.ts';
import type { OidcIdentitiesTable, OidcLoginStatesTable } from './schema-identity-oidc.ts';
import type { LocalCredentialsTable, SessionsTable } from './schema-identity-signin.ts';
import type { EvidenceRequestsTable, EvidenceSharesTable } from './schema-requests.ts';
import type { EvidenceWindowsTable, LegalHoldsTable, RetentionRunsTable } from './schema-retention.ts';
import type {
  DetectionFiringsTable,
  ExerciseSignalQueueTable,
  IncidentCorrelationsTable,
  IncidentSignalsTable,
  IngestTokensTable,
  SignalsTable,
} from './schema-signals.ts';

export type * from './schema-evidence.ts';
export type * from './schema-follow-up.ts';
export type * from './schema-identity-oidc.ts';
export type * from './schema-identity-signin.ts';
export type * from './schema-requests.ts';
export type * from './schema-retention.ts';
export type * from './schema-signals.ts';

/** UTC ISO 8601 text with milliseconds; see instant-codec.ts. */
export type DbInstant = string;

export interface PolicyVersionsTable {
  version: string;
  source: string;
  content: string;
  first_loaded_at: DbInstant;
  /** JSON `[{path, content}]` of the runbook and template files in the version's bundle; null before runbooks existed. */
  files: string | null;
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
  /** JSON array of scopes: `read`, `write`, `admin`, `ingest`, `ingest:SOURCE`. */
  scopes: Generated<string>;
  /** Written at most once a minute per token. */
  last_used_at: DbInstant | null;
  revoked_by: string | null;
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
  /** The live exercise that opened it; null for a real incident. */
  exercise_id: string | null;
  policy_version: string;
  updated_at: DbInstant;
  owner_id: string | null;
  acknowledged_at: DbInstant | null;
  acknowledged_by: string | null;
  triage_decision: string | null;
  triage_reason: string | null;
  triage_decided_at: DbInstant | null;
  /** When technical triage began: a `confirmed` decision, or moving on to contain. */
  triage_started_at: DbInstant | null;
  duplicate_of: string | null;
  /** The most severe severity the incident ever had (the review rule reads it). */
  highest_severity: string | null;
  category: string | null;
  closed_at: DbInstant | null;
  /** When retention purged the incident's evidence, leaving this row as a tombstone (migration 0013). */
  evidence_purged_at: DbInstant | null;
}

export interface IncidentRolesTable {
  incident_id: string;
  role: string;
  user_id: string;
  assigned_at: DbInstant;
  assigned_by: string;
}

export interface IncidentComponentsTable {
  incident_id: string;
  component: string;
  confidentiality: string;
  integrity: string;
  availability: string;
}

export interface ChecklistItemsTable {
  incident_id: string;
  phase: string;
  item: string;
  done: number;
  updated_at: DbInstant;
  updated_by: string;
}

export interface TimelineEntriesTable {
  seq: Generated<number>;
  id: string;
  incident_id: string;
  at: DbInstant;
  kind: string;
  actor: string;
  summary: string;
  /** JSON of the entry's structured details. */
  data: string;
}

export interface SlaClocksTable {
  incident_id: string;
  name: string;
  kind: string;
  started_at: DbInstant;
  at_risk_at: DbInstant;
  due_at: DbInstant;
  met_at: DbInstant | null;
  stopped_at: DbInstant | null;
  at_risk_noted_at: DbInstant | null;
  escalated_at: DbInstant | null;
  /** Periods of this clock that were breached (the customer-update cadence has many periods). */
  breaches: number;
  /** When the engine must next look at this clock; null when it never needs to again. */
  next_check_at: DbInstant | null;
}

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  /** Makes enqueueing idempotent: the same event never queues the same message twice. */
  dedup_key: string;
  created_at: DbInstant;
  kind: string;
  incident_id: string | null;
  recipient: string;
  subject: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: DbInstant;
  sent_at: DbInstant | null;
  last_error: string | null;
  /** `email` or `webhook`; for a webhook, `recipient` is `webhook:<id>`. */
  channel: Generated<string>;
  communication_id: string | null;
  /** The bodies exactly as sent; null only on rows queued before templates (rendered from `payload`). */
  body_text: string | null;
  body_html: string | null;
  /** The receiving server's answer to the delivery that succeeded or failed for good. */
  response: string | null;
}

export interface EngineLeasesTable {
  name: string;
  holder: string;
  acquired_at: DbInstant;
  expires_at: DbInstant;
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
  /** `token:ID` / `session:ID` of the request that made the change; hashed when present. */
  credential: string | null;
}

/** A single row (id = 1) naming the latest audit entry, so that removing the tail is detected. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface CustomersTable {
  id: string;
  name: string;
  /** `name` in lower case; unique, so names differ in more than case. */
  name_key: string;
  created_at: DbInstant;
  created_by: string;
}

export interface CustomerContactsTable {
  customer_id: string;
  /** Position in the customer's contact list, from 0. */
  ordinal: number;
  name: string;
  /** Lower case. */
  email: string;
  role: string;
}

export interface IncidentCustomersTable {
  incident_id: string;
  customer_id: string;
  linked_at: DbInstant;
  linked_by: string;
  reason: string;
}

export interface CommunicationsTable {
  seq: Generated<number>;
  id: string;
  incident_id: string;
  audience: string;
  template: string | null;
  subject: string | null;
  body: string | null;
  /** JSON object of drafted values. */
  fields: string;
  /** JSON array of customer ids. */
  customer_ids: string;
  /** JSON array of extra internal recipient emails. */
  recipients: string;
  /** `draft`, `approved` or `queued`; `sent` and `failed` are derived from the outbox rows. */
  status: string;
  created_at: DbInstant;
  created_by: string;
  approved_at: DbInstant | null;
  approved_by: string | null;
  queued_at: DbInstant | null;
  queued_by: string | null;
}

export interface VigilDatabase {
  policy_versions: PolicyVersionsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  local_credentials: LocalCredentialsTable;
  sessions: SessionsTable;
  oidc_identities: OidcIdentitiesTable;
  oidc_login_states: OidcLoginStatesTable;
  incidents: IncidentsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  incident_roles: IncidentRolesTable;
  incident_components: IncidentComponentsTable;
  checklist_items: ChecklistItemsTable;
  timeline_entries: TimelineEntriesTable;
  sla_clocks: SlaClocksTable;
  outbox: OutboxTable;
  engine_leases: EngineLeasesTable;
  customers: CustomersTable;
  customer_contacts: CustomerContactsTable;
  incident_customers: IncidentCustomersTable;
  communications: CommunicationsTable;
  signals: SignalsTable;
  detection_firings: DetectionFiringsTable;
  incident_correlations: IncidentCorrelationsTable;
  incident_signals: IncidentSignalsTable;
  ingest_tokens: IngestTokensTable;
  breach_records: BreachRecordsTable;
  breach_record_versions: BreachRecordVersionsTable;
  breach_assessments: BreachAssessmentsTable;
  breach_submissions: BreachSubmissionsTable;
  reviews: ReviewsTable;
  corrective_actions: CorrectiveActionsTable;
  exercises: ExercisesTable;
  evidence_items: EvidenceItemsTable;
  evidence_requests: EvidenceRequestsTable;
  evidence_shares: EvidenceSharesTable;
  exercise_signal_queue: ExerciseSignalQueueTable;
  legal_holds: LegalHoldsTable;
  evidence_windows: EvidenceWindowsTable;
  retention_runs: RetentionRunsTable;
}
