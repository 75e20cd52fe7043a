/**
 * Retention use cases on one incident: legal holds (placed and released by
 * an admin or the policy's primary owner) and evidence windows (marked by the
 * incident's owner or an admin). Each runs in the incident's transaction with
 * its timeline and audit entries.
 */
import { randomUUID } from 'node:crypto';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import {
  actorOf,
  findIncident,
  type IncidentDeps,
  recordIncidentEvent,
  workOnIncident,
} from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import { Conflict, Forbidden, ValidationFailed } from '../platform/errors.ts';
import type { RetentionDal } from './retention-dal.ts';
import type { EvidenceWindow, LegalHold, NewEvidenceWindow } from './retention-types.ts';

export interface RetentionServiceDeps {
  incident: Pick<IncidentDeps, 'db' | 'dal' | 'clock' | 'timeline' | 'audit' | 'policy'>;
  dal: RetentionDal;
}

/** The holds of an incident: the active one, if any, and every hold ever placed. */
export interface LegalHoldView {
  incidentId: string;
  reference: string;
  evidencePurgedAt: Date | null;
  active: LegalHold | null;
  history: LegalHold[];
}

const isAdmin = (principal: Principal) => principal.user.role === 'admin';

function describeWindow(w: NewEvidenceWindow): string {
  const filters = [
    w.source ? `from ${w.source}` : null,
    w.entity ? Object.entries(w.entity).map(([k, v]) => `${k}=${v}`)[0] : null,
  ].filter((f) => f !== null);
  const range = `${w.from.toISOString()} to ${w.to.toISOString()}`;
  return `signals received ${range}${filters.length > 0 ? ` (${filters.join(', ')})` : ''} kept as evidence`;
}

export function createRetentionService(deps: RetentionServiceDeps) {
  const { incident: incidentDeps, dal } = deps;
  const { db } = incidentDeps;
  const primaryOwner = incidentDeps.policy.policy.command.primaryOwner.email.toLowerCase();

  /**
   * Legal holds are for an admin or the policy's primary owner: a hold
   * overrides the published retention for every incident, so it is not left
   * to each incident's own owner, whose conduct may be what is in dispute.
   */
  function mayHold(principal: Principal): boolean {
    return isAdmin(principal) || principal.user.email === primaryOwner;
  }

  async function requireUnpurged(
    trx: Parameters<RetentionDal['touchUnpurged']>[0],
    incident: Incident,
    now: Date,
  ) {
    if (!(await dal.touchUnpurged(trx, incident.id, now)))
      throw new Conflict(`the evidence of ${incident.reference} was purged; it can no longer be kept`);
  }

  return {
    /** Places a legal hold; 403 unless admin or primary owner, 409 when one is active or the evidence is gone. */
    async placeHold(principal: Principal, idOrReference: string, reason: string): Promise<LegalHold> {
      if (!mayHold(principal))
        throw new Forbidden('a legal hold is placed by an admin or the policy’s primary owner');
      const { result } = await workOnIncident(incidentDeps, idOrReference, async (trx, incident, now) => {
        await requireUnpurged(trx, incident, now);
        const active = await dal.findActiveHold(trx, incident.id);
        if (active)
          throw new Conflict(
            `${incident.reference} is already under a legal hold since ${active.placedAt.toISOString()}`,
          );
        const actor = actorOf(principal);
        const hold: LegalHold = {
          id: randomUUID(),
          incidentId: incident.id,
          placedAt: now,
          placedBy: formatActor(actor),
          reason,
          releasedAt: null,
          releasedBy: null,
          releaseReason: null,
        };
        await dal.insertHold(trx, hold);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'decision',
          action: 'retention.legal_hold_placed',
          summary: `legal hold placed: nothing of ${incident.reference} is purged until it is released`,
          data: { holdId: hold.id, reason },
        });
        return hold;
      });
      return result;
    },

    /** Releases the active legal hold; 403 as for placing, 409 when none is active. */
    async releaseHold(principal: Principal, idOrReference: string, reason: string): Promise<LegalHold> {
      if (!mayHold(principal))
        throw new Forbidden('a legal hold is released by an admin or the policy’s primary owner');
      const { result } = await workOnIncident(incidentDeps, idOrReference, async (trx, incident, now) => {
        const active = await dal.findActiveHold(trx, incident.id);
        const actor = actorOf(principal);
        const release = { at: now, by: formatActor(actor), reason };
        if (!active || !(await dal.releaseHold(trx, active.id, release)))
          throw new Conflict(`${incident.reference} is not under a legal hold`);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'decision',
          action: 'retention.legal_hold_released',
          summary: `legal hold released: ${incident.reference} follows the retention policy again`,
          data: { holdId: active.id, reason },
        });
        return { ...active, releasedAt: now, releasedBy: release.by, releaseReason: reason };
      });
      return result;
    },

    /** The incident's holds. */
    async holds(idOrReference: string): Promise<LegalHoldView> {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      const history = await dal.listHolds(db, incident.id);
      return {
        incidentId: incident.id,
        reference: incident.reference,
        evidencePurgedAt: await dal.evidencePurgedAt(db, incident.id),
        active: history.find((h) => h.releasedAt === null) ?? null,
        history,
      };
    },

    /**
     * Marks a window of received telemetry as the incident's evidence; 403
     * unless the incident's owner or an admin; 400 when it ends before it
     * starts or starts in the future; 409 once the evidence was purged.
     */
    async addWindow(
      principal: Principal,
      idOrReference: string,
      input: NewEvidenceWindow,
    ): Promise<EvidenceWindow> {
      const { result } = await workOnIncident(incidentDeps, idOrReference, async (trx, incident, now) => {
        if (!isAdmin(principal) && incident.ownerId !== principal.user.id)
          throw new Forbidden(
            `evidence windows of ${incident.reference} are marked by its owner or an admin`,
          );
        const issues = [
          ...(input.to.getTime() <= input.from.getTime()
            ? [{ field: 'body.to', reason: 'must be after from' }]
            : []),
          ...(input.from.getTime() > now.getTime()
            ? [{ field: 'body.from', reason: 'must not be in the future' }]
            : []),
        ];
        if (issues.length > 0) throw new ValidationFailed(issues);
        await requireUnpurged(trx, incident, now);
        const actor = actorOf(principal);
        const window: EvidenceWindow = {
          id: randomUUID(),
          incidentId: incident.id,
          from: input.from,
          to: input.to,
          reason: input.reason,
          source: input.source ?? null,
          entity: input.entity ?? null,
          createdAt: now,
          createdBy: formatActor(actor),
        };
        await dal.insertWindow(trx, window);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'note',
          action: 'retention.evidence_window_marked',
          summary: describeWindow(input),
          data: {
            windowId: window.id,
            from: window.from.toISOString(),
            to: window.to.toISOString(),
            reason: window.reason,
            source: window.source,
            entity: window.entity,
          },
        });
        return window;
      });
      return result;
    },

    /** The incident's evidence windows. */
    async listWindows(idOrReference: string): Promise<{ incident: Incident; windows: EvidenceWindow[] }> {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      return { incident, windows: await dal.listWindows(db, incident.id) };
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
