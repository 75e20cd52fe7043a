/**
 * Shares: answering an evidence request with one expiring, revocable link to
 * one package or report, for the requester alone. The link's secret is shown
 * once (in the creation answer and the email) and stored only as a SHA-256.
 * Every download through a link is an audited access record.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf } from '../incident/incident-context.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { Clock } from '../platform/clock.ts';
import { randomSecret, sha256Hex } from '../platform/crypto.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.ts';
import { addCalendarDuration } from '../policy/policy-duration.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { EvidenceRequestDal } from './evidence-request-dal.ts';
import { isOpenRequest } from './evidence-request-lifecycle.ts';
import { shareNotice } from './evidence-request-notices.ts';
import type { SharedArtifacts, SharedFile, ShareTarget, StoredShare } from './evidence-request-types.ts';

/** Where a share link points, relative to the server's origin. */
export const SHARED_PATH = '/shared';

/** Resolves the incident a staff member names (id or reference); NotFound when absent. */
export type IncidentResolver = (idOrReference: string) => Promise<{ id: string; reference: string }>;

export interface ShareDeps {
  db: Kysely<VigilDatabase>;
  dal: EvidenceRequestDal;
  audit: Pick<AuditService, 'append'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  clock: Clock;
  policy: Pick<Policy, 'evidence' | 'time' | 'organization'>;
  incidents: IncidentResolver;
  artifacts: SharedArtifacts;
}

/** What a staff member asks to share; `target.incidentId` may be a reference until resolved. */
export interface ShareInput {
  target: ShareTarget;
  expiresAt?: Date | undefined;
}

/** The answer to an unknown, expired or revoked link: one error, so none can be told apart. */
function noSuchLink(): NotFound {
  return new NotFound('shared evidence', 'link');
}

function targetDetail(target: ShareTarget): Record<string, unknown> {
  return target.kind === 'package'
    ? { kind: 'package', incidentId: target.incidentId }
    : { kind: 'report', report: target.report, from: target.from, to: target.to, format: target.format };
}

const REPORT_EXTENSION = { html: 'html', json: 'json', csv: 'csv' } as const;

export function createShareService(deps: ShareDeps) {
  const { db, dal, audit, outbox, clock, policy, incidents, artifacts } = deps;

  async function resolveTarget(target: ShareTarget): Promise<ShareTarget> {
    if (target.kind === 'package')
      return { kind: 'package', incidentId: (await incidents(target.incidentId)).id };
    if (target.to.getTime() <= target.from.getTime()) {
      throw new ValidationFailed([{ field: 'body.to', reason: 'must be later than from' }]);
    }
    return target;
  }

  function expiryOf(input: ShareInput, now: Date): Date {
    if (input.expiresAt === undefined) {
      return addCalendarDuration(now, policy.evidence.requests.shareLinksExpireAfter, policy.time.timeZone);
    }
    if (input.expiresAt.getTime() <= now.getTime()) {
      throw new ValidationFailed([{ field: 'body.expiresAt', reason: 'must be in the future' }]);
    }
    return input.expiresAt;
  }

  async function produce(share: StoredShare): Promise<SharedFile> {
    const { target } = share;
    if (target.kind === 'package') return artifacts.package(target.incidentId);
    const report = await artifacts.report(target.report, { from: target.from, to: target.to }, target.format);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const fileName = `${target.report}-report-${day(target.from)}-${day(target.to)}.${REPORT_EXTENSION[target.format]}`;
    return { fileName, contentType: report.contentType, body: report.body };
  }

  return {
    /**
     * Creates a link for the request's requester and emails it. A request
     * still open becomes answered. Returns the share and its URL; the URL
     * is never shown again.
     *
     * @param origin the server's public origin, e.g. `https://vigil.example.com`.
     */
    async create(principal: Principal, requestId: string, input: ShareInput, origin: string) {
      const now = clock.now();
      const target = await resolveTarget(input.target);
      const expiresAt = expiryOf(input, now);
      const secret = randomSecret(32);
      const url = `${origin}${SHARED_PATH}/${secret}`;
      return db.transaction().execute(async (trx) => {
        const request = await dal.find(trx, requestId);
        if (!request) throw new NotFound('evidence request', requestId);
        if (request.status === 'declined')
          throw new Conflict(`${request.reference} was declined; nothing can be shared on it`);
        const share: StoredShare = {
          id: randomUUID(),
          requestId: request.id,
          target,
          recipientEmail: request.email,
          tokenHash: sha256Hex(secret),
          expiresAt,
          revokedAt: null,
          createdBy: principal.user.email,
          createdAt: now,
          lastDownloadedAt: null,
          downloadCount: 0,
        };
        await dal.insertShare(trx, share);
        const answered = isOpenRequest(request.status);
        if (answered) {
          await dal.update(trx, request.id, {
            ...request,
            status: 'answered',
            answeredAt: now,
            updatedAt: now,
          });
        }
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'evidence.share_created',
          subject: { type: 'evidence_request', id: request.id },
          detail: {
            shareId: share.id,
            recipient: share.recipientEmail,
            expiresAt,
            ...targetDetail(target),
            answered,
          },
          at: now,
        });
        const context = { timeZone: policy.time.timeZone, organisation: policy.organization.name };
        await outbox.enqueue(trx, shareNotice(request, share, url, context));
        return { share, url };
      });
    },

    /** Stops a link at once; revoking twice is a 409. */
    async revoke(principal: Principal, requestId: string, shareId: string): Promise<StoredShare> {
      const now = clock.now();
      return db.transaction().execute(async (trx) => {
        const request = await dal.find(trx, requestId);
        const share = request ? await dal.findShare(trx, request.id, shareId) : undefined;
        if (!request || !share) throw new NotFound('share', shareId);
        if (share.revokedAt) throw new Conflict(`share ${shareId} is already revoked`);
        await dal.revokeShare(trx, share.id, now);
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'evidence.share_revoked',
          subject: { type: 'evidence_request', id: request.id },
          detail: { shareId: share.id, recipient: share.recipientEmail },
          at: now,
        });
        return { ...share, revokedAt: now };
      });
    },

    /**
     * Opens a link: the artifact it points at, after recording the download
     * (count, time, and an `evidence.share_downloaded` audit entry naming the
     * recipient). Unknown, expired and revoked links all throw the same NotFound.
     */
    async open(secret: string): Promise<SharedFile> {
      const now = clock.now();
      const share = await dal.findShareByHash(db, sha256Hex(secret));
      if (!share || share.revokedAt || share.expiresAt.getTime() <= now.getTime()) throw noSuchLink();
      const file = await produce(share);
      await db.transaction().execute(async (trx) => {
        await dal.recordDownload(trx, share.id, now);
        await audit.append(trx, {
          actor: { type: 'system', name: 'shared-link' },
          action: 'evidence.share_downloaded',
          subject: { type: 'evidence_request', id: share.requestId },
          detail: { shareId: share.id, recipient: share.recipientEmail, ...targetDetail(share.target) },
          at: now,
        });
      });
      return file;
    },
  };
}

export type ShareService = ReturnType<typeof createShareService>;
