/**
 * Types of evidence requests (a customer's or auditor's ask, received through
 * the public trust page) and of the shares that answer them: one expiring,
 * revocable link for one recipient to one package or report.
 */
import type { Readable } from 'node:stream';

export const REQUEST_STATUSES = ['received', 'in_progress', 'answered', 'declined'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Reports a share may carry; the report domain produces them. */
export const SHARE_REPORT_KINDS = ['sla', 'detection', 'actions', 'exercises', 'iso27001'] as const;
export type ShareReportKind = (typeof SHARE_REPORT_KINDS)[number];

export const SHARE_REPORT_FORMATS = ['html', 'json', 'csv'] as const;
export type ShareReportFormat = (typeof SHARE_REPORT_FORMATS)[number];

export interface EvidenceRequest {
  id: string;
  reference: string;
  requesterName: string;
  organisation: string;
  email: string;
  need: string;
  /** What the requester wrote about the incident; empty when nothing. */
  incidentHint: string;
  periodFrom: string | null;
  periodTo: string | null;
  status: RequestStatus;
  ownerEmail: string;
  dueAt: Date;
  receivedAt: Date;
  answeredAt: Date | null;
  declineReason: string | null;
  sourceIpHash: string;
  updatedAt: Date;
}

/** What the public form or JSON body carries, validated. */
export interface RequestSubmission {
  name: string;
  organisation: string;
  email: string;
  need: string;
  incident: string;
  periodFrom: string | null;
  periodTo: string | null;
}

/** What a share points at. */
export type ShareTarget =
  | { kind: 'package'; incidentId: string }
  | { kind: 'report'; report: ShareReportKind; from: Date; to: Date; format: ShareReportFormat };

export interface EvidenceShare {
  id: string;
  requestId: string;
  target: ShareTarget;
  recipientEmail: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  lastDownloadedAt: Date | null;
  downloadCount: number;
}

/** A share as stored, with the hash its link is looked up by. */
export interface StoredShare extends EvidenceShare {
  tokenHash: string;
}

/** One artifact streamed through a link. */
export interface SharedFile {
  fileName: string;
  contentType: string;
  body: Buffer | Readable | string;
}

/**
 * What links hand out, implemented by the composition root over the evidence
 * package and report domains. Each throws NotFound when it cannot produce.
 */
export interface SharedArtifacts {
  package(incidentId: string): Promise<{ fileName: string; contentType: string; body: Buffer | Readable }>;
  report(
    kind: ShareReportKind,
    range: { from: Date; to: Date },
    format: ShareReportFormat,
  ): Promise<{ contentType: string; body: string }>;
}
