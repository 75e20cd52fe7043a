/**
 * Storage rows of signals and detection: the signals as received, each
 * rule's last firing, the correlation keys and signal links of incidents,
 * and ingest tokens. Part of {@link VigilDatabase} (schema.ts).
 */
import type { Generated } from 'kysely';
import type { DbInstant } from './schema.ts';

export interface SignalsTable {
  /** Also the signal's id (as text in the API). */
  seq: Generated<number>;
  source: string;
  kind: string;
  severity_hint: string;
  status: string;
  occurred_at: DbInstant;
  received_at: DbInstant;
  dedup_key: string;
  correlation_key: string | null;
  principal: string | null;
  client_ip: string | null;
  /** JSON object of the signal's entities. */
  entities: string;
  summary: string;
  /** The record exactly as received, as JSON text. */
  raw: string;
}

export interface DetectionFiringsTable {
  rule_id: string;
  group_key: string;
  last_at: DbInstant;
}

export interface IncidentCorrelationsTable {
  seq: Generated<number>;
  key: string;
  incident_id: string;
  created_at: DbInstant;
}

export interface IncidentSignalsTable {
  incident_id: string;
  signal_id: string;
  rule_id: string | null;
  linked_at: DbInstant;
}

export interface IngestTokensTable {
  id: string;
  name: string;
  /** Null: every source. */
  source: string | null;
  token_hash: string;
  created_at: DbInstant;
  created_by: string;
  revoked_at: DbInstant | null;
}

/** A live exercise's signal waiting for its release instant (see migrations/0011). */
export interface ExerciseSignalQueueTable {
  seq: Generated<number>;
  exercise_id: string;
  incident_id: string;
  incident_reference: string;
  position: number;
  release_at: DbInstant;
  /** The normalized signal as JSON. */
  signal: string;
  released_at: DbInstant | null;
  signal_id: string | null;
}
