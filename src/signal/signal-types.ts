/**
 * The normalized signal every ingest adapter produces, whatever the sender's
 * format. Adapters are pure (see `src/signal/adapters/`); storage, detection
 * and HTTP build on these types.
 */

export const SIGNAL_SOURCES = [
  'alertmanager',
  'azure-monitor',
  'defender',
  'sql-audit',
  'appinsights',
  'azure-budget',
  'generic',
  'pagerduty',
  // Vigil's own sign-in and token events; internal only, refused at the ingestion route.
  'vigil',
] as const;
export type SignalSource = (typeof SIGNAL_SOURCES)[number];

export const SIGNAL_KINDS = [
  'auth_failure',
  'auth_success',
  'permission_change',
  'schema_change',
  'backup_restore',
  'data_access',
  'threat_alert',
  'app_error',
  'request_failure',
  'resource_anomaly',
  'generic_alert',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const SIGNAL_STATUSES = ['firing', 'resolved'] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

/** Ordered from most to least severe. */
export const SEVERITY_HINTS = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type SeverityHint = (typeof SEVERITY_HINTS)[number];

/**
 * What a signal is about. The named keys are the ones detection rules group
 * by and correlate on; adapters add source-specific keys (`alertRule`,
 * `pagerDutyAction`, `budgetName`, …) as strings or numbers. Instants inside
 * entities are ISO 8601 UTC strings.
 */
export interface SignalEntities {
  principal?: string;
  clientIp?: string;
  database?: string;
  server?: string;
  resourceId?: string;
  application?: string;
  operationId?: string;
  alertType?: string;
  statement?: string;
  rows?: number;
  [key: string]: string | number | undefined;
}

export interface NormalizedSignal {
  source: SignalSource;
  kind: SignalKind;
  severityHint: SeverityHint;
  status: SignalStatus;
  /** When the event happened according to the sender (UTC); the resolution time for a resolved signal. */
  occurredAt: Date;
  /**
   * Same record delivered twice gives the same key: derived from the sender's
   * id when there is one, else a SHA-256 of the record's canonical JSON.
   * Always prefixed with the source (`alertmanager:…`).
   */
  dedupKey: string;
  /**
   * The sender's own correlation key when it has one (Alertmanager
   * groupKey+fingerprint, PagerDuty dedup_key, Azure alertId, Defender
   * systemAlertId, App Insights OperationId), prefixed with the source, so
   * that a resolve joins its trigger.
   */
  correlationKey?: string;
  entities: SignalEntities;
  summary: string;
  /** The record exactly as received (one record of a batch), as parsed JSON. */
  raw: unknown;
}

/** One reason a body was refused. */
export interface AdapterIssue {
  /** 0-based index of the record in a batch (or in a JSON array of alerts); absent for single documents. */
  record?: number;
  /** JSON path inside the record, like `data.essentials.firedDateTime` or `alerts[1].startsAt`; `(body)` for the whole body. */
  field: string;
  reason: string;
}

export type AdapterResult = { ok: true; signals: NormalizedSignal[] } | { ok: false; issues: AdapterIssue[] };

/**
 * What the edge knows about a request besides its body. `receivedAt` is the
 * instant the body arrived (from the injected clock); it is the occurrence
 * time of formats that carry none (legacy budget notifications, PagerDuty
 * acknowledge/resolve and triggers without `payload.timestamp`).
 */
export interface ParseContext {
  contentType?: string | undefined;
  receivedAt: Date;
}

export interface SignalAdapter {
  source: SignalSource;
  /**
   * Turns a body (already read as text) into signals, or issues naming the
   * record and field. Never throws; all-or-nothing for batches.
   */
  parse(body: string, context: ParseContext): AdapterResult;
}

/** Most records a batch body (`sql-audit`, `appinsights`) may carry. */
export const MAX_BATCH_RECORDS = 10_000;
/** Most issues listed for one refused body; the last one says how many were left out. */
export const MAX_LISTED_ISSUES = 100;

/** A signal as stored: its id, storage order and receipt time added. */
export interface StoredSignalRecord extends NormalizedSignal {
  id: string;
  /** Storage order: increases with every signal stored. */
  seq: number;
  receivedAt: Date;
}

/**
 * The prefix of every live exercise's stored signals (`exercise:<exercise>:<incident>:<key>`):
 * practice never deduplicates against, or counts in the live windows of, real signals.
 */
export const EXERCISE_KEY_PREFIX = 'exercise:';

/** True for a signal a live exercise replayed. */
export function isExerciseSignal(signal: Pick<NormalizedSignal, 'dedupKey'>): boolean {
  return signal.dedupKey.startsWith(EXERCISE_KEY_PREFIX);
}
