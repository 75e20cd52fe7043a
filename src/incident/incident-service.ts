import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Principal } from '../identity/identity-types.ts';
import type { Clock } from '../platform/clock.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { NotFound, ValidationFailed } from '../platform/errors.ts';
import { decodeIncidentCursor, encodeIncidentCursor } from './incident-cursor.ts';
import type { IncidentDal, IncidentRecord } from './incident-dal.ts';
import type { DeclareIncidentInput, Incident, IncidentPage } from './incident-types.ts';

/** What incidents need to know of the policy in force. */
export interface IncidentPolicyView {
  /** Content hash of the policy. */
  version: string;
  severityIds: readonly string[];
  /** The lifecycle's first phase. */
  initialPhase: string;
  isBusinessTime(t: Date): boolean;
}

const REFERENCE_PATTERN = /^INC-\d+$/;

export function createIncidentService(deps: {
  db: Kysely<VigilDatabase>;
  dal: IncidentDal;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  policy: IncidentPolicyView;
}) {
  const { db, dal, audit, clock, policy } = deps;

  function checkDeclaration(input: DeclareIncidentInput, now: Date): void {
    const issues = [];
    if (!policy.severityIds.includes(input.severity)) {
      issues.push({ field: 'severity', reason: `must be one of ${policy.severityIds.join(', ')}` });
    }
    if (input.openedAt && input.openedAt.getTime() > now.getTime()) {
      issues.push({ field: 'openedAt', reason: `must not be in the future (now is ${now.toISOString()})` });
    }
    if (issues.length > 0) throw new ValidationFailed(issues);
  }

  return {
    /**
     * Declares an incident. Its clocks start at `openedAt` (default: now),
     * and it records whether that instant was out of hours and which
     * policy version it was opened under.
     */
    async declare(principal: Principal, input: DeclareIncidentInput): Promise<Incident> {
      const now = clock.now();
      checkDeclaration(input, now);
      const openedAt = input.openedAt ?? now;
      const draft: Omit<Incident, 'reference'> = {
        id: randomUUID(),
        title: input.title,
        description: input.description,
        severity: input.severity,
        phase: policy.initialPhase,
        openedAt,
        declaredAt: now,
        declaredBy: { userId: principal.user.id, email: principal.user.email },
        outOfHours: !policy.isBusinessTime(openedAt),
        policyVersion: policy.version,
        updatedAt: now,
      };
      return db.transaction().execute(async (trx) => {
        const seq = await dal.insert(trx, draft);
        const incident: Incident = { ...draft, reference: `INC-${seq}` };
        await dal.setReference(trx, incident.id, incident.reference);
        await audit.append(trx, {
          actor: { type: 'user', userId: principal.user.id, email: principal.user.email },
          action: 'incident.declared',
          subject: { type: 'incident', id: incident.id },
          detail: {
            reference: incident.reference,
            title: incident.title,
            severity: incident.severity,
            description: incident.description,
            phase: incident.phase,
            openedAt: toDbInstant(incident.openedAt),
            outOfHours: incident.outOfHours,
            policyVersion: incident.policyVersion,
          },
          at: now,
        });
        return incident;
      });
    },

    /** One incident by id (UUID) or reference (`INC-12`). */
    async get(idOrReference: string): Promise<Incident> {
      const record: IncidentRecord | null = REFERENCE_PATTERN.test(idOrReference)
        ? await dal.findByReference(db, idOrReference)
        : await dal.findById(db, idOrReference);
      if (!record) throw new NotFound('incident', idOrReference);
      return record.incident;
    },

    /** A page of incidents, newest opened first. */
    async list(options: { limit: number; cursor?: string | undefined }): Promise<IncidentPage> {
      const cursor = options.cursor ? decodeIncidentCursor(options.cursor) : null;
      // One extra row tells whether another page follows without a count query.
      const records = await dal.listNewestFirst(db, options.limit + 1, cursor);
      const page = records.slice(0, options.limit);
      const last = page[page.length - 1];
      const nextCursor =
        records.length > options.limit && last
          ? encodeIncidentCursor({ openedAt: toDbInstant(last.incident.openedAt), seq: last.seq })
          : null;
      return { items: page.map((r) => r.incident), nextCursor };
    },
  };
}

export type IncidentService = ReturnType<typeof createIncidentService>;
