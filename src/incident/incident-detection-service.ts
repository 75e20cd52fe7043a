/**
 * Incidents from detection: a rule's firing either joins the open incident
 * one of its correlation keys points at, or opens a new incident (in the
 * first phase, unacknowledged, with the rule's severity and its clocks
 * running from the moment the rule fired). Boundaries are explicit: an
 * incident that reached review, or was closed, or opened longer ago than
 * the rule's maximum correlation window, never absorbs a firing; a new
 * incident opens instead, naming the one it follows.
 *
 * A firing is identified by its rule, group and completing signal, and
 * that identity is kept as a correlation key, so replaying stored signals
 * (backfill) finds the incident live ingestion opened instead of opening
 * another.
 */
import type { Transaction } from 'kysely';
import type { Actor } from '../audit/audit-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { type IncidentDeps, recordIncidentEvent } from './incident-context.ts';
import { phaseIndex } from './incident-lifecycle.ts';
import { openIncident } from './incident-service.ts';
import type { CorrelatedIncident, IncidentSignalDal } from './incident-signal-dal.ts';
import type { Person } from './incident-types.ts';

/** A detection rule's firing, as the incident domain needs it. */
export interface DetectedFiring {
  ruleId: string;
  ruleName: string;
  severity: string;
  title: string;
  groupKey: string;
  at: Date;
  signalIds: string[];
  count: number;
  correlationKeys: string[];
  maxCorrelationMs: number;
  category: string | null;
  owner: string | null;
  responders: string[];
  suggestsBreach: boolean;
}

/** What the timeline says about a linked signal. */
export interface SignalRef {
  id: string;
  source: string;
  kind: string;
  status: string;
  occurredAt: Date;
  summary: string;
  /** The correlation key the sender's own id gives (`sender:…`), as firings carry it; null without one. */
  senderKey: string | null;
  entities: Record<string, string | number | undefined>;
}

/** How a firing or a resolved signal landed. */
export interface IntakeOutcome {
  incidentId: string;
  reference: string;
  opened: boolean;
}

/** The system actor detection acts as. */
export const DETECTION_ACTOR: Actor = { type: 'system', name: 'detection' };

/** Signals listed on one timeline entry; the rest are counted (all are linked). */
const LISTED_SIGNALS = 20;

function firingKey(firing: DetectedFiring): string {
  return `firing:${firing.ruleId}:${firing.groupKey}:${firing.signalIds.at(-1) ?? firing.at.toISOString()}`;
}

export function createIncidentDetectionService(
  deps: IncidentDeps & { signalLinks: IncidentSignalDal; detectionUser: { userId: string; email: string } },
) {
  const { policy, people, signalLinks, detectionUser } = deps;
  const phases = policy.policy.lifecycle.phases;
  // An incident stops absorbing signals once it is stable: from the review phase on (or closed).
  const reviewIndex = phases.some((p) => p.id === 'review')
    ? phaseIndex(phases, 'review')
    : phases.length - 1;

  function absorbs(candidate: CorrelatedIncident, firing: DetectedFiring): boolean {
    if (phaseIndex(phases, candidate.phase) >= reviewIndex) return false;
    return firing.at.getTime() - candidate.openedAt.getTime() <= firing.maxCorrelationMs;
  }

  async function person(trx: Transaction<VigilDatabase>, email: string | null): Promise<Person | null> {
    return email ? people.findByEmail(trx, email.toLowerCase()) : null;
  }

  async function recordLinks(
    trx: Transaction<VigilDatabase>,
    incidentId: string,
    firing: DetectedFiring,
    signals: readonly SignalRef[],
    now: Date,
    summary: string,
  ): Promise<void> {
    const fresh = await signalLinks.linkSignals(trx, incidentId, firing.signalIds, firing.ruleId, now);
    if (fresh.length === 0) return;
    const listed = signals.filter((s) => fresh.includes(s.id)).slice(-LISTED_SIGNALS);
    await recordIncidentEvent(deps, trx, {
      incidentId,
      actor: DETECTION_ACTOR,
      at: now,
      kind: 'signal_linked',
      action: 'incident.signals_linked',
      summary,
      data: {
        ruleId: firing.ruleId,
        rule: firing.ruleName,
        groupKey: firing.groupKey,
        severity: firing.severity,
        firedAt: firing.at.toISOString(),
        count: firing.count,
        linked: fresh.length,
        suggestsBreach: firing.suggestsBreach,
        signals: listed.map((s) => ({
          id: s.id,
          source: s.source,
          kind: s.kind,
          status: s.status,
          occurredAt: s.occurredAt.toISOString(),
          summary: s.summary,
          entities: s.entities,
        })),
      },
    });
  }

  return {
    /** Joins the firing to the open incident its keys point at, or opens one. Runs in the ingest transaction. */
    async applyFiring(
      trx: Transaction<VigilDatabase>,
      firing: DetectedFiring,
      signals: readonly SignalRef[],
      now: Date,
    ): Promise<IntakeOutcome> {
      const identity = firingKey(firing);
      const candidates = await signalLinks.findByKeys(trx, [identity, ...firing.correlationKeys]);
      const same = candidates.find((c) => c.key === identity);
      const target = same ?? candidates.find((c) => absorbs(c, firing));
      if (target) {
        await signalLinks.addKeys(trx, target.incidentId, [identity, ...firing.correlationKeys], now);
        await recordLinks(
          trx,
          target.incidentId,
          firing,
          signals,
          now,
          `${firing.ruleName} fired again: ${firing.title} (${firing.count} signals, rule severity ${firing.severity})`,
        );
        return { incidentId: target.incidentId, reference: target.reference, opened: false };
      }
      const follows = candidates[0] ?? null;
      const owner =
        (await person(trx, firing.owner)) ?? (await person(trx, policy.policy.command.primaryOwner.email));
      const responders: Person[] = [];
      for (const email of firing.responders) {
        const found = await person(trx, email);
        if (found) responders.push(found);
      }
      const description = [
        `Opened by the detection rule "${firing.ruleName}" (${firing.ruleId}): ${firing.count} matching signal${firing.count === 1 ? '' : 's'}.`,
        ...(follows ? [`Follows ${follows.reference}, which no longer absorbs new signals.`] : []),
        ...(firing.suggestsBreach
          ? ['The rule marks this as a possible personal data breach: assess it.']
          : []),
      ].join(' ');
      const incident = await openIncident(deps, trx, {
        title: firing.title,
        description,
        severity: firing.severity,
        openedAt: firing.at,
        category: firing.category ?? undefined,
        declaredBy: detectionUser,
        actor: DETECTION_ACTOR,
        owner,
        responders,
        now,
      });
      await signalLinks.addKeys(trx, incident.id, [identity, ...firing.correlationKeys], now);
      await recordLinks(
        trx,
        incident.id,
        firing,
        signals,
        now,
        `${firing.ruleName}: ${firing.title} (${firing.count} signals)`,
      );
      if (follows) {
        await recordIncidentEvent(deps, trx, {
          incidentId: follows.incidentId,
          actor: DETECTION_ACTOR,
          at: now,
          kind: 'note',
          action: 'incident.followed_up',
          summary: `${incident.reference} opened for new signals that this incident no longer absorbs (${firing.ruleName})`,
          data: { followedBy: incident.reference, followedById: incident.id, ruleId: firing.ruleId },
        });
      }
      return { incidentId: incident.id, reference: incident.reference, opened: true };
    },

    /**
     * Links a firing to a given incident, without correlation: a live
     * exercise's replayed signals belong to the exercise's incident only.
     */
    async applyFiringTo(
      trx: Transaction<VigilDatabase>,
      incident: { id: string; reference: string },
      firing: DetectedFiring,
      signals: readonly SignalRef[],
      now: Date,
    ): Promise<IntakeOutcome> {
      await recordLinks(
        trx,
        incident.id,
        firing,
        signals,
        now,
        `${firing.ruleName}: ${firing.title} (${firing.count} signals, exercise)`,
      );
      return { incidentId: incident.id, reference: incident.reference, opened: false };
    },

    /**
     * A sender says an alert is resolved: the signal is linked to the
     * incident its trigger joined (by the sender's correlation key) and the
     * timeline suggests recovery; the phase is never changed for people.
     */
    async applyResolved(
      trx: Transaction<VigilDatabase>,
      signal: SignalRef,
      now: Date,
    ): Promise<IntakeOutcome | null> {
      if (!signal.senderKey) return null;
      const [found] = await signalLinks.findByKeys(trx, [signal.senderKey]);
      if (!found || found.phase === phases.at(-1)!.id) return null;
      const fresh = await signalLinks.linkSignals(trx, found.incidentId, [signal.id], null, now);
      if (fresh.length === 0) return null;
      await recordIncidentEvent(deps, trx, {
        incidentId: found.incidentId,
        actor: DETECTION_ACTOR,
        at: now,
        kind: 'signal_linked',
        action: 'incident.signal_resolved',
        summary: `${signal.source} reports resolved: ${signal.summary}; consider moving to recovery once verified`,
        data: {
          resolved: true,
          suggestion: 'recover',
          signals: [
            {
              id: signal.id,
              source: signal.source,
              kind: signal.kind,
              status: signal.status,
              occurredAt: signal.occurredAt.toISOString(),
              summary: signal.summary,
              entities: signal.entities,
            },
          ],
        },
      });
      return { incidentId: found.incidentId, reference: found.reference, opened: false };
    },
  };
}

export type IncidentDetectionService = ReturnType<typeof createIncidentDetectionService>;
