/** Types of retention: legal holds, evidence windows, what a purge pass removed, and the vault port. */
import type { Kysely, Transaction } from 'kysely';
import type { VigilDatabase } from '../platform/db/schema.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A legal hold on an incident: while active, nothing of the incident is purged. */
export interface LegalHold {
  id: string;
  incidentId: string;
  placedAt: Date;
  /** `user:EMAIL`. */
  placedBy: string;
  reason: string;
  releasedAt: Date | null;
  releasedBy: string | null;
  releaseReason: string | null;
}

/** A span of telemetry an incident's owner marked as the incident's evidence. */
export interface EvidenceWindow {
  id: string;
  incidentId: string;
  /** Receipt times in [from, to) are inside. */
  from: Date;
  to: Date;
  reason: string;
  /** Only signals of this source; null for all. */
  source: string | null;
  /** Only signals with this one entity value; null for any. */
  entity: Record<string, string | number> | null;
  createdAt: Date;
  createdBy: string;
}

export interface NewEvidenceWindow {
  from: Date;
  to: Date;
  reason: string;
  source?: string | undefined;
  entity?: Record<string, string | number> | undefined;
}

/** What was removed from one table: how many rows and the SHA-256 of their canonical JSON, in key order. */
export interface TableDigest {
  count: number;
  sha256: string;
}

/** An attachment whose record was marked purged; its content is removed unless another incident holds the same bytes. */
export interface PurgedAttachment {
  itemId: string;
  sha256: string;
  sizeBytes: number;
  contentRemoved: boolean;
}

/** One incident's evidence, removed (or, in a dry run, that would be). */
export interface IncidentPurge {
  incidentId: string;
  reference: string;
  closedAt: Date;
  dueAt: Date;
  removed: Record<string, TableDigest>;
  attachments: PurgedAttachment[];
}

/** One telemetry batch: signals deleted in one statement, as its audit entry lists them. */
export interface TelemetryBatch {
  firstSeq: number;
  lastSeq: number;
  count: number;
  sha256: string;
}

/** An incident whose evidence is past its period, with the hold (if any) that keeps it. */
export interface DueIncident {
  incidentId: string;
  reference: string;
  closedAt: Date;
  dueAt: Date;
  hold: LegalHold | null;
}

/** What `GET /api/v1/retention/preview` answers: what would go now and why. */
export interface RetentionPreview {
  at: Date;
  telemetry: { keep: string; cutoff: Date; due: number; oldestDueReceivedAt: Date | null };
  evidence: {
    keep: string;
    legalHoldBlocksPurge: boolean;
    due: DueIncident[];
    held: DueIncident[];
  };
}

/** What a purge pass did (or, dry, would do). */
export interface PurgeReport {
  at: Date;
  dryRun: boolean;
  telemetry: { cutoff: Date; deleted: number; batches: TelemetryBatch[] };
  incidents: IncidentPurge[];
  held: DueIncident[];
}

/** One stored attachment, as the vault lists it (see docs/evidence.md). */
export interface VaultItem {
  id: string;
  incidentId: string;
  sha256: string;
  sizeBytes: number;
  purgedAt: Date | null;
}

/**
 * The evidence vault as retention uses it: the incident's attachments, read
 * through the caller's executor, and the content store.
 */
export interface RetentionVault {
  listForIncident(executor: Executor, incidentId: string): Promise<VaultItem[]>;
  store: { remove(sha256: string): Promise<boolean> };
}

/** A vault with nothing in it, for wiring before the vault exists and for tools. */
export const EMPTY_VAULT: RetentionVault = {
  listForIncident: async () => [],
  store: { remove: async () => false },
};
