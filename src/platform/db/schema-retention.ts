/**
 * Storage rows of retention: legal holds, evidence windows and the daily
 * purge pass. Part of {@link VigilDatabase} (schema.ts); the incidents'
 * tombstone column `evidence_purged_at` is in `IncidentsTable` there.
 */
import type { DbInstant } from './schema.ts';

export interface LegalHoldsTable {
  id: string;
  incident_id: string;
  placed_at: DbInstant;
  /** `user:EMAIL`. */
  placed_by: string;
  reason: string;
  released_at: DbInstant | null;
  released_by: string | null;
  release_reason: string | null;
}

export interface EvidenceWindowsTable {
  id: string;
  incident_id: string;
  from_at: DbInstant;
  to_at: DbInstant;
  reason: string;
  /** A signal source; null for every source. */
  source: string | null;
  /** JSON `{key: value}`; null for any entities. */
  entity: string | null;
  /** `"key":value` exactly as a signal's entities JSON spells the pair. */
  entity_needle: string | null;
  created_at: DbInstant;
  created_by: string;
}

export interface RetentionRunsTable {
  /** `YYYY-MM-DD` in the policy's time zone. */
  day: string;
  started_at: DbInstant;
  finished_at: DbInstant | null;
}
