/**
 * Queries of evidence requests and their shares. Every method takes the
 * executor (or transaction) and any instant as arguments.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { EvidenceRequestsTable, EvidenceSharesTable, VigilDatabase } from '../platform/db/schema.ts';
import type {
  EvidenceRequest,
  RequestStatus,
  ShareReportFormat,
  ShareReportKind,
  ShareTarget,
  StoredShare,
} from './evidence-request-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function toRequest(row: Selectable<EvidenceRequestsTable>): EvidenceRequest {
  return {
    id: row.id,
    reference: row.reference,
    requesterName: row.requester_name,
    organisation: row.requester_organisation,
    email: row.requester_email,
    need: row.need,
    incidentHint: row.incident_hint,
    periodFrom: row.period_from,
    periodTo: row.period_to,
    status: row.status as RequestStatus,
    ownerEmail: row.owner_email,
    dueAt: fromDbInstant(row.due_at),
    receivedAt: fromDbInstant(row.received_at),
    answeredAt: fromDbInstantOrNull(row.answered_at),
    declineReason: row.decline_reason,
    sourceIpHash: row.source_ip_hash,
    updatedAt: fromDbInstant(row.updated_at),
  };
}

function toTarget(row: Selectable<EvidenceSharesTable>): ShareTarget {
  if (row.kind === 'package') return { kind: 'package', incidentId: row.incident_id ?? '' };
  return {
    kind: 'report',
    report: row.report_kind as ShareReportKind,
    from: fromDbInstant(row.report_from ?? ''),
    to: fromDbInstant(row.report_to ?? ''),
    format: (row.report_format ?? 'html') as ShareReportFormat,
  };
}

function toShare(row: Selectable<EvidenceSharesTable>): StoredShare {
  return {
    id: row.id,
    requestId: row.request_id,
    target: toTarget(row),
    recipientEmail: row.recipient_email,
    tokenHash: row.token_hash,
    expiresAt: fromDbInstant(row.expires_at),
    revokedAt: fromDbInstantOrNull(row.revoked_at),
    createdBy: row.created_by,
    createdAt: fromDbInstant(row.created_at),
    lastDownloadedAt: fromDbInstantOrNull(row.last_downloaded_at),
    downloadCount: Number(row.download_count),
  };
}

export function createEvidenceRequestDal() {
  return {
    /** Inserts the request with a placeholder reference; returns its sequence number. */
    async insert(
      trx: Transaction<VigilDatabase>,
      request: Omit<EvidenceRequest, 'reference'>,
    ): Promise<number> {
      const row = await trx
        .insertInto('evidence_requests')
        .values({
          id: request.id,
          reference: `pending:${request.id}`,
          requester_name: request.requesterName,
          requester_organisation: request.organisation,
          requester_email: request.email,
          need: request.need,
          incident_hint: request.incidentHint,
          period_from: request.periodFrom,
          period_to: request.periodTo,
          status: request.status,
          owner_email: request.ownerEmail,
          due_at: toDbInstant(request.dueAt),
          received_at: toDbInstant(request.receivedAt),
          answered_at: null,
          decline_reason: null,
          source_ip_hash: request.sourceIpHash,
          updated_at: toDbInstant(request.updatedAt),
        })
        .returning('seq')
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    },

    async setReference(trx: Transaction<VigilDatabase>, id: string, reference: string): Promise<void> {
      await trx.updateTable('evidence_requests').set({ reference }).where('id', '=', id).execute();
    },

    /** By id or reference. */
    async find(db: Executor, idOrReference: string): Promise<EvidenceRequest | undefined> {
      const row = await db
        .selectFrom('evidence_requests')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrReference), eb('reference', '=', idOrReference)]))
        .executeTakeFirst();
      return row ? toRequest(row) : undefined;
    },

    /** Newest first; `dueBefore` keeps open requests due before that instant (overdue). */
    async list(
      db: Executor,
      filter: { status?: RequestStatus | undefined; dueBefore?: Date | undefined },
    ): Promise<EvidenceRequest[]> {
      let query = db.selectFrom('evidence_requests').selectAll();
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.dueBefore) {
        query = query
          .where('status', 'in', ['received', 'in_progress'])
          .where('due_at', '<', toDbInstant(filter.dueBefore));
      }
      const rows = await query.orderBy('seq', 'desc').limit(500).execute();
      return rows.map(toRequest);
    },

    async update(
      trx: Transaction<VigilDatabase>,
      id: string,
      change: {
        status: RequestStatus;
        ownerEmail: string;
        answeredAt: Date | null;
        declineReason: string | null;
        updatedAt: Date;
      },
    ): Promise<void> {
      await trx
        .updateTable('evidence_requests')
        .set({
          status: change.status,
          owner_email: change.ownerEmail,
          answered_at: change.answeredAt ? toDbInstant(change.answeredAt) : null,
          decline_reason: change.declineReason,
          updated_at: toDbInstant(change.updatedAt),
        })
        .where('id', '=', id)
        .execute();
    },

    async insertShare(trx: Transaction<VigilDatabase>, share: StoredShare): Promise<void> {
      const { target } = share;
      await trx
        .insertInto('evidence_shares')
        .values({
          id: share.id,
          request_id: share.requestId,
          kind: target.kind,
          incident_id: target.kind === 'package' ? target.incidentId : null,
          report_kind: target.kind === 'report' ? target.report : null,
          report_from: target.kind === 'report' ? toDbInstant(target.from) : null,
          report_to: target.kind === 'report' ? toDbInstant(target.to) : null,
          report_format: target.kind === 'report' ? target.format : null,
          recipient_email: share.recipientEmail,
          token_hash: share.tokenHash,
          expires_at: toDbInstant(share.expiresAt),
          revoked_at: null,
          created_by: share.createdBy,
          created_at: toDbInstant(share.createdAt),
          last_downloaded_at: null,
        })
        .execute();
    },

    async listShares(db: Executor, requestId: string): Promise<StoredShare[]> {
      const rows = await db
        .selectFrom('evidence_shares')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toShare);
    },

    async findShare(db: Executor, requestId: string, shareId: string): Promise<StoredShare | undefined> {
      const row = await db
        .selectFrom('evidence_shares')
        .selectAll()
        .where('request_id', '=', requestId)
        .where('id', '=', shareId)
        .executeTakeFirst();
      return row ? toShare(row) : undefined;
    },

    async findShareByHash(db: Executor, tokenHash: string): Promise<StoredShare | undefined> {
      const row = await db
        .selectFrom('evidence_shares')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row ? toShare(row) : undefined;
    },

    async revokeShare(trx: Transaction<VigilDatabase>, shareId: string, at: Date): Promise<void> {
      await trx
        .updateTable('evidence_shares')
        .set({ revoked_at: toDbInstant(at) })
        .where('id', '=', shareId)
        .where('revoked_at', 'is', null)
        .execute();
    },

    /** Counts one download, in the statement itself so concurrent downloads all count. */
    async recordDownload(trx: Transaction<VigilDatabase>, shareId: string, at: Date): Promise<void> {
      await trx
        .updateTable('evidence_shares')
        .set((eb) => ({
          download_count: eb('download_count', '+', 1),
          last_downloaded_at: toDbInstant(at),
        }))
        .where('id', '=', shareId)
        .execute();
    },
  };
}

export type EvidenceRequestDal = ReturnType<typeof createEvidenceRequestDal>;
