/**
 * Use cases of evidence requests: receive one from the public form, list
 * and read them, and move them along (owner, status, decline). Each change
 * and its audit entry (and any outbox row) commit in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { AuditService } from '../audit/audit-service.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf } from '../incident/incident-context.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { Clock } from '../platform/clock.ts';
import { sha256Hex } from '../platform/crypto.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { NotFound, ValidationFailed } from '../platform/errors.ts';
import type { Policy } from '../policy/policy-types.ts';
import { dueAfter } from '../sla/sla-targets.ts';
import type { EvidenceRequestDal } from './evidence-request-dal.ts';
import { assertRequestTransition } from './evidence-request-lifecycle.ts';
import { ownerNotice } from './evidence-request-notices.ts';
import type {
  EvidenceRequest,
  RequestStatus,
  RequestSubmission,
  StoredShare,
} from './evidence-request-types.ts';

export interface EvidenceRequestDeps {
  db: Kysely<VigilDatabase>;
  dal: EvidenceRequestDal;
  audit: Pick<AuditService, 'append'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  clock: Clock;
  calendar: BusinessCalendar;
  policy: Pick<Policy, 'evidence' | 'command' | 'time' | 'organization'>;
}

/** The public form's requests are recorded by Vigil itself: the visitor has no account. */
export const TRUST_PAGE_ACTOR = { type: 'system', name: 'trust-page' } as const;

/** A pseudonym of the client address, so abuse can be grouped without keeping the address. */
export function sourceIpHash(ip: string): string {
  return sha256Hex(`vigil:evidence-request:${ip}`);
}

/** `ER-2026-0007`: the year it was received (policy time zone) and the request's sequence number. */
export function requestReference(receivedAt: Date, seq: number, timeZone: string): string {
  const year = DateTime.fromJSDate(receivedAt, { zone: timeZone }).year;
  return `ER-${year}-${String(seq).padStart(4, '0')}`;
}

export interface RequestChange {
  ownerEmail?: string | undefined;
  status?: RequestStatus | undefined;
  declineReason?: string | undefined;
}

function checkChange(current: EvidenceRequest, change: RequestChange): RequestStatus {
  const next = change.status ?? current.status;
  if (next !== current.status) assertRequestTransition(current.status, next);
  if (next === 'declined' && current.status !== 'declined' && !change.declineReason) {
    throw new ValidationFailed([{ field: 'body.declineReason', reason: 'is required to decline a request' }]);
  }
  if (change.declineReason !== undefined && next !== 'declined') {
    throw new ValidationFailed([{ field: 'body.declineReason', reason: 'is only for a declined request' }]);
  }
  return next;
}

export function createEvidenceRequestService(deps: EvidenceRequestDeps) {
  const { db, dal, audit, outbox, clock, calendar, policy } = deps;

  async function require(idOrReference: string): Promise<EvidenceRequest> {
    const found = await dal.find(db, idOrReference);
    if (!found) throw new NotFound('evidence request', idOrReference);
    return found;
  }

  return {
    /**
     * Records a request from the public form, due by the policy's
     * `evidence.requests.respondWithin`, and emails the primary owner. The
     * incident the requester names is stored as written, never looked up.
     */
    async submit(input: RequestSubmission, clientIp: string): Promise<EvidenceRequest> {
      const now = clock.now();
      const draft: Omit<EvidenceRequest, 'reference'> = {
        id: randomUUID(),
        requesterName: input.name,
        organisation: input.organisation,
        email: input.email.toLowerCase(),
        need: input.need,
        incidentHint: input.incident,
        periodFrom: input.periodFrom,
        periodTo: input.periodTo,
        status: 'received',
        ownerEmail: policy.command.primaryOwner.email.toLowerCase(),
        dueAt: dueAfter(policy.evidence.requests.respondWithin, now, calendar),
        receivedAt: now,
        answeredAt: null,
        declineReason: null,
        sourceIpHash: sourceIpHash(clientIp),
        updatedAt: now,
      };
      return db.transaction().execute(async (trx) => {
        const seq = await dal.insert(trx, draft);
        const request = { ...draft, reference: requestReference(now, seq, policy.time.timeZone) };
        await dal.setReference(trx, request.id, request.reference);
        await audit.append(trx, {
          actor: TRUST_PAGE_ACTOR,
          action: 'evidence_request.received',
          subject: { type: 'evidence_request', id: request.id },
          detail: { reference: request.reference, dueAt: request.dueAt, ownerEmail: request.ownerEmail },
          at: now,
        });
        await outbox.enqueue(trx, ownerNotice(request, policy.time.timeZone));
        return request;
      });
    },

    /** Newest first; `overdue` keeps open requests past their due time. */
    list(filter: { status?: RequestStatus | undefined; overdue?: boolean | undefined }) {
      return dal.list(db, { status: filter.status, dueBefore: filter.overdue ? clock.now() : undefined });
    },

    /** One request by id or reference, with its shares (their hashes stay inside). */
    async get(idOrReference: string): Promise<{ request: EvidenceRequest; shares: StoredShare[] }> {
      const request = await require(idOrReference);
      return { request, shares: await dal.listShares(db, request.id) };
    },

    /** Changes the owner and/or status; an illegal status move is a 409 naming the allowed ones. */
    async update(
      principal: Principal,
      idOrReference: string,
      change: RequestChange,
    ): Promise<EvidenceRequest> {
      const now = clock.now();
      // Read inside the transaction so two concurrent changes cannot both pass the transition check.
      return db.transaction().execute(async (trx) => {
        const current = await dal.find(trx, idOrReference);
        if (!current) throw new NotFound('evidence request', idOrReference);
        const status = checkChange(current, change);
        const updated: EvidenceRequest = {
          ...current,
          status,
          ownerEmail: change.ownerEmail?.toLowerCase() ?? current.ownerEmail,
          answeredAt: status === 'answered' && current.status !== 'answered' ? now : current.answeredAt,
          declineReason: change.declineReason ?? current.declineReason,
          updatedAt: now,
        };
        await dal.update(trx, current.id, updated);
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'evidence_request.updated',
          subject: { type: 'evidence_request', id: current.id },
          detail: {
            from: current.status,
            to: status,
            ownerEmail: updated.ownerEmail,
            declineReason: updated.declineReason,
          },
          at: now,
        });
        return updated;
      });
    },
  };
}

export type EvidenceRequestService = ReturnType<typeof createEvidenceRequestService>;
