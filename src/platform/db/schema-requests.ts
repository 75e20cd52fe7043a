/**
 * Storage rows of evidence requests and the links that answer them
 * (migrations/0014-evidence-requests.ts). Instants are UTC text (instant-codec.ts).
 */
import type { Generated } from 'kysely';

type DbInstant = string;

export interface EvidenceRequestsTable {
  seq: Generated<number>;
  id: string;
  /** `ER-<year>-<seq>`. */
  reference: string;
  requester_name: string;
  requester_organisation: string;
  requester_email: string;
  need: string;
  /** The incident or reference as the requester wrote it; empty when none. */
  incident_hint: string;
  /** `YYYY-MM-DD` or null. */
  period_from: string | null;
  period_to: string | null;
  /** `received`, `in_progress`, `answered` or `declined`. */
  status: string;
  owner_email: string;
  due_at: DbInstant;
  received_at: DbInstant;
  answered_at: DbInstant | null;
  decline_reason: string | null;
  /** SHA-256 (hex) of the submitting client's address; the address itself is not kept. */
  source_ip_hash: string;
  updated_at: DbInstant;
}

export interface EvidenceSharesTable {
  id: string;
  request_id: string;
  /** `package` or `report`. */
  kind: string;
  incident_id: string | null;
  report_kind: string | null;
  report_from: DbInstant | null;
  report_to: DbInstant | null;
  report_format: string | null;
  recipient_email: string;
  /** SHA-256 (hex) of the link's secret; the secret is never stored. */
  token_hash: string;
  expires_at: DbInstant;
  revoked_at: DbInstant | null;
  created_by: string;
  created_at: DbInstant;
  last_downloaded_at: DbInstant | null;
  download_count: Generated<number>;
}
