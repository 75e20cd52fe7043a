import type { Transaction } from 'kysely';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.ts';
import { clocksAfterSeverityChange } from '../sla/sla-clock-changes.ts';
import { meet, stop, updateClocks } from './incident-clock-effects.ts';
import {
  actOnIncident,
  actorOf,
  findIncident,
  type IncidentDeps,
  recordIncidentEvent,
} from './incident-context.ts';
import { phaseIndex } from './incident-lifecycle.ts';
import { classificationIssues } from './incident-service.ts';
import type { ComponentImpact, Incident, IncidentView, TriageDecision } from './incident-types.ts';

/** Acknowledgement, triage decisions and severity changes: the identify phase as the process defines it. */
export function createIncidentResponseService(deps: IncidentDeps) {
  const { db, dal, policy } = deps;
  const phases = policy.policy.lifecycle.phases;
  const closedPhase = phases[phases.length - 1]!.id;

  function requireOpen(incident: Incident): void {
    if (incident.phase === closedPhase)
      throw new Conflict(`${incident.reference} is closed; reopen it first`);
  }

  async function closeWith(
    trx: Transaction<VigilDatabase>,
    incident: Incident,
    actor: Actor,
    now: Date,
    why: string,
  ) {
    await dal.update(trx, incident.id, { phase: closedPhase, closed_at: toDbInstant(now) });
    await updateClocks(deps, trx, { incidentId: incident.id, actor, at: now }, stop(now));
    await recordIncidentEvent(deps, trx, {
      incidentId: incident.id,
      actor,
      at: now,
      kind: 'phase_changed',
      action: 'incident.phase_changed',
      summary: `${incident.phase} → ${closedPhase}: ${why}`,
      data: { from: incident.phase, to: closedPhase, reason: why },
    });
  }

  async function triage(
    principal: Principal,
    idOrReference: string,
    input: { decision: TriageDecision; reason: string; duplicateOf?: string | undefined },
  ): Promise<IncidentView> {
    const target =
      input.decision === 'duplicate' ? await duplicateTarget(idOrReference, input.duplicateOf) : null;
    return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
      requireOpen(incident);
      if (incident.triage)
        throw new Conflict(`${incident.reference} was already triaged as ${incident.triage.decision}`);
      const actor = actorOf(principal);
      const startsTriage = input.decision === 'confirmed';
      await dal.update(trx, incident.id, {
        triage_decision: input.decision,
        triage_reason: input.reason,
        triage_decided_at: toDbInstant(now),
        duplicate_of: target?.id ?? null,
        ...(startsTriage ? { triage_started_at: toDbInstant(now) } : {}),
      });
      // Any triage decision is the validation of the alert the triage target asks for.
      await updateClocks(deps, trx, { incidentId: incident.id, actor, at: now }, meet(['triage'], now));
      await recordIncidentEvent(deps, trx, {
        incidentId: incident.id,
        actor,
        at: now,
        kind: 'triage',
        action: 'incident.triaged',
        summary: `triage: ${input.decision}${target ? ` of ${target.reference}` : ''}: ${input.reason}`,
        data: { decision: input.decision, reason: input.reason, duplicateOf: target?.id ?? null },
      });
      if (input.decision === 'false_positive')
        await closeWith(trx, incident, actor, now, `false positive: ${input.reason}`);
      if (target) await mergeInto(trx, incident, target, actor, now, input.reason);
    });
  }

  async function duplicateTarget(idOrReference: string, duplicateOf: string | undefined): Promise<Incident> {
    if (!duplicateOf)
      throw new ValidationFailed([{ field: 'body.duplicateOf', reason: 'is required for a duplicate' }]);
    const target = await findIncident(dal, db, duplicateOf).catch((error: unknown) => {
      if (error instanceof NotFound)
        throw new ValidationFailed([{ field: 'body.duplicateOf', reason: `no incident ${duplicateOf}` }]);
      throw error;
    });
    const self = await findIncident(dal, db, idOrReference);
    if (target.incident.id === self.incident.id) {
      throw new ValidationFailed([
        { field: 'body.duplicateOf', reason: 'an incident cannot duplicate itself' },
      ]);
    }
    if (target.incident.phase === closedPhase)
      throw new Conflict(`${target.incident.reference} is closed; merge into an open incident`);
    return target.incident;
  }

  /** A duplicate closes and points at the surviving incident; both timelines keep all their entries. */
  async function mergeInto(
    trx: Transaction<VigilDatabase>,
    duplicate: Incident,
    survivor: Incident,
    actor: Actor,
    now: Date,
    reason: string,
  ) {
    await closeWith(trx, duplicate, actor, now, `duplicate of ${survivor.reference}: ${reason}`);
    await recordIncidentEvent(deps, trx, {
      incidentId: survivor.id,
      actor,
      at: now,
      kind: 'merged',
      action: 'incident.merged',
      summary: `${duplicate.reference} merged into this incident: ${reason}`,
      data: {
        duplicate: duplicate.id,
        duplicateReference: duplicate.reference,
        title: duplicate.title,
        reason,
      },
    });
  }

  function checkClassification(input: {
    category?: string | undefined;
    components?: ComponentImpact[] | undefined;
  }) {
    const issues = classificationIssues(policy, input);
    if (input.category === undefined && input.components === undefined) {
      issues.push({ field: 'body', reason: 'give a category, components, or both' });
    }
    if (issues.length > 0) throw new ValidationFailed(issues);
  }

  return {
    /**
     * Sets the category and/or the affected components with their impact on
     * confidentiality, integrity and availability.
     */
    classify(
      principal: Principal,
      idOrReference: string,
      input: {
        category?: string | undefined;
        components?: ComponentImpact[] | undefined;
        reason?: string | undefined;
      },
    ): Promise<IncidentView> {
      checkClassification(input);
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        if (input.category !== undefined) await dal.update(trx, incident.id, { category: input.category });
        if (input.components !== undefined)
          await deps.details.replaceComponents(trx, incident.id, input.components);
        const parts = [
          input.category !== undefined ? `category ${input.category}` : null,
          input.components !== undefined
            ? `components ${input.components.map((c) => c.component).join(', ') || 'none'}`
            : null,
        ].filter(Boolean);
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor: actorOf(principal),
          at: now,
          kind: 'classification',
          action: 'incident.classified',
          summary: `classified: ${parts.join('; ')}${input.reason ? ` (${input.reason})` : ''}`,
          data: {
            from: incident.category,
            category: input.category ?? incident.category,
            components: input.components ?? null,
            reason: input.reason ?? null,
          },
        });
      });
    },

    /** Acknowledges the incident; the acknowledge target is met once it is acknowledged and has an owner. */
    acknowledge(principal: Principal, idOrReference: string): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        requireOpen(incident);
        if (incident.acknowledgedAt) throw new Conflict(`${incident.reference} was already acknowledged`);
        const actor = actorOf(principal);
        await dal.update(trx, incident.id, {
          acknowledged_at: toDbInstant(now),
          acknowledged_by: principal.user.email,
        });
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'acknowledged',
          action: 'incident.acknowledged',
          summary: `acknowledged by ${principal.user.email}`,
          data: {},
        });
        if (incident.ownerId)
          await updateClocks(
            deps,
            trx,
            { incidentId: incident.id, actor, at: now },
            meet(['acknowledge'], now),
          );
      });
    },

    triage,

    /**
     * Changes the severity with a reason. Unmet clocks are recomputed as if
     * opened now with the new severity; an upgrade never moves a due time later.
     */
    changeSeverity(
      principal: Principal,
      idOrReference: string,
      input: { severity: string; reason: string },
    ): Promise<IncidentView> {
      const order = policy.policy.severities.map((s) => s.id);
      if (!order.includes(input.severity)) {
        throw new ValidationFailed([
          { field: 'body.severity', reason: `must be one of ${order.join(', ')}` },
        ]);
      }
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        requireOpen(incident);
        if (incident.severity === input.severity)
          throw new Conflict(`${incident.reference} is already ${input.severity}`);
        const upgrade = order.indexOf(input.severity) < order.indexOf(incident.severity);
        const highest =
          order.indexOf(input.severity) < order.indexOf(incident.highestSeverity)
            ? input.severity
            : incident.highestSeverity;
        const clocks = await deps.slaDal.listForIncident(trx, incident.id);
        const until = phaseIndex(phases, policy.policy.slaRules.customerUpdatesUntil);
        const changed = clocksAfterSeverityChange(
          clocks,
          { policy: policy.policy, calendar: policy.calendar, severity: input.severity, upgrade, at: now },
          phaseIndex(phases, incident.phase) < until,
        );
        for (const c of changed.clocks) await deps.slaDal.save(trx, incident.id, c);
        await dal.update(trx, incident.id, { severity: input.severity, highest_severity: highest });
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor: actorOf(principal),
          at: now,
          kind: 'severity_changed',
          action: 'incident.severity_changed',
          summary: `severity ${incident.severity} → ${input.severity}: ${input.reason}`,
          data: {
            from: incident.severity,
            to: input.severity,
            reason: input.reason,
            outOfHours: !policy.calendar.isBusinessTime(now),
            clocks: changed.changes.map((c) => ({
              clock: c.name,
              oldDueAt: c.oldDueAt?.toISOString() ?? null,
              newDueAt: c.newDueAt?.toISOString() ?? null,
            })),
          },
        });
        const changedIncident = { ...incident, severity: input.severity, highestSeverity: highest };
        await deps.notices.severityRaised(
          trx,
          changedIncident,
          incident.severity,
          !policy.calendar.isBusinessTime(now),
          now,
        );
      });
    },
  };
}

export type IncidentResponseService = ReturnType<typeof createIncidentResponseService>;
