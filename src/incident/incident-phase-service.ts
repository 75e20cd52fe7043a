import type { Transaction } from 'kysely';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, ValidationFailed } from '../platform/errors.ts';
import { type SlaClock, startClock } from '../sla/sla-clock.ts';
import { clockAfterMilestone } from '../sla/sla-clock-changes.ts';
import { severitySla } from '../sla/sla-targets.ts';
import { meet, stop, updateClocks } from './incident-clock-effects.ts';
import { actOnIncident, actorOf, type IncidentDeps, recordIncidentEvent } from './incident-context.ts';
import {
  classifyTransition,
  phaseIndex,
  requireReason,
  type TransitionKind,
  uncheckedMandatory,
} from './incident-lifecycle.ts';
import type { Incident, IncidentView } from './incident-types.ts';

/** Moving through the lifecycle, and the phase checklists that gate it. */
export function createIncidentPhaseService(deps: IncidentDeps) {
  const { dal, details, policy } = deps;
  const phases = policy.policy.lifecycle.phases;
  const at = (phase: string) => phaseIndex(phases, phase);
  const closedPhase = phases[phases.length - 1]!.id;
  const containIndex = at('contain');
  const updatesUntil = at(policy.policy.slaRules.customerUpdatesUntil);

  /** What moving into `to` means for the clocks, as one change per clock. */
  function clockChange(incident: Incident, kind: TransitionKind, to: string, now: Date) {
    const sla = severitySla(policy.policy, incident.severity);
    return (clock: SlaClock): SlaClock => {
      let next = clock;
      // Reaching contain (or beyond) means technical triage has begun; leaving contain forward means it is contained.
      if (containIndex >= 0 && at(to) >= containIndex) next = meet(['triage'], now)(next);
      if (containIndex >= 0 && kind === 'forward' && at(to) > containIndex)
        next = meet(['containment'], now)(next);
      if (next.name !== 'customerUpdate') return to === closedPhase ? stop(now)(next) : next;
      if (at(to) >= updatesUntil) return stop(now)(next);
      if (kind === 'reopen' && next.stoppedAt && sla.customerUpdate) {
        const every = { within: sla.customerUpdate.every, clock: sla.customerUpdate.clock };
        return {
          ...startClock('customerUpdate', every, now, policy.calendar, policy.policy.slaRules.atRiskFraction),
          breaches: next.breaches,
        };
      }
      return clockAfterMilestone(next, {
        policy: policy.policy,
        calendar: policy.calendar,
        severity: incident.severity,
        at: now,
      });
    };
  }

  async function moveTo(
    trx: Transaction<VigilDatabase>,
    incident: Incident,
    input: { phase: string; reason?: string | undefined; override?: boolean | undefined },
    actor: Actor,
    now: Date,
  ): Promise<void> {
    const kind = classifyTransition(phases, incident.phase, input.phase);
    if (kind === 'reopen' && incident.evidencePurgedAt) {
      throw new Conflict(
        `${incident.reference}'s evidence was purged on ${incident.evidencePurgedAt.toISOString()} under the retention policy; declare a new incident instead of reopening it`,
      );
    }
    const reason =
      kind === 'forward'
        ? input.reason?.trim() || null
        : requireReason(input.reason, `to ${kind === 'reopen' ? 'reopen an incident' : 'go back a phase'}`);
    const unchecked =
      kind === 'forward'
        ? uncheckedMandatory(phases, incident.phase, await details.doneChecklistItems(trx, incident.id))
        : [];
    if (unchecked.length > 0 && !input.override) {
      throw new Conflict(
        `mandatory checklist items of ${incident.phase} are not done: ${unchecked.map((i) => i.id).join(', ')}; pass override: true with a reason to move on anyway`,
      );
    }
    if (unchecked.length > 0) requireReason(input.reason, 'to override unchecked checklist items');
    if (input.phase === closedPhase) {
      const blocker = await deps.reviewGate?.closeBlocker(trx, incident);
      if (blocker) throw new Conflict(blocker);
    }
    await dal.update(trx, incident.id, {
      phase: input.phase,
      closed_at: input.phase === closedPhase ? toDbInstant(now) : null,
      ...(at(input.phase) >= containIndex && !incident.triageStartedAt
        ? { triage_started_at: toDbInstant(now) }
        : {}),
    });
    await recordIncidentEvent(deps, trx, {
      incidentId: incident.id,
      actor,
      at: now,
      kind: kind === 'reopen' ? 'reopened' : 'phase_changed',
      action: kind === 'reopen' ? 'incident.reopened' : 'incident.phase_changed',
      summary: `${incident.phase} → ${input.phase}${reason ? `: ${reason}` : ''}${unchecked.length ? ' (checklist overridden)' : ''}`,
      data: {
        from: incident.phase,
        to: input.phase,
        reason,
        override: unchecked.length > 0,
        uncheckedItems: unchecked.map((i) => i.id),
      },
    });
    const before = (await deps.slaDal.listForIncident(trx, incident.id)).find(
      (c) => c.name === 'customerUpdate',
    );
    const after = (
      await updateClocks(
        deps,
        trx,
        { incidentId: incident.id, actor, at: now },
        clockChange(incident, kind, input.phase, now),
      )
    ).find((c) => c.name === 'customerUpdate');
    // A milestone brought the next customer update forward: prompt whoever writes it.
    if (
      before &&
      after &&
      !after.stoppedAt &&
      !after.metAt &&
      after.dueAt.getTime() < before.dueAt.getTime()
    ) {
      await deps.notices.milestone(trx, { ...incident, phase: input.phase }, after.dueAt, now);
    }
  }

  return {
    /**
     * Moves the incident to another phase. Forward moves need the current
     * phase's mandatory checklist done, or `override` with a reason; going
     * back or reopening needs a reason. Clocks follow: reaching contain
     * begins triage, leaving contain forward achieves containment, reaching
     * the policy's `customerUpdatesUntil` phase ends the update cadence.
     */
    changePhase(
      principal: Principal,
      idOrReference: string,
      input: { phase: string; reason?: string | undefined; override?: boolean | undefined },
    ): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, (trx, incident, now) =>
        moveTo(trx, incident, input, actorOf(principal), now),
      );
    },

    /** Ticks or unticks a checklist item (of the current phase unless `phase` names another). */
    setChecklistItem(
      principal: Principal,
      idOrReference: string,
      input: { item: string; done: boolean; phase?: string | undefined },
    ): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        const phase =
          phases.find((p) => p.id === (input.phase ?? incident.phase)) ??
          phases.find((p) => p.checklist.some((i) => i.id === input.item));
        const item = phase?.checklist.find((i) => i.id === input.item);
        if (!phase || !item) {
          const here = phases.find((p) => p.id === incident.phase)?.checklist.map((i) => i.id) ?? [];
          throw new ValidationFailed([
            {
              field: 'body.item',
              reason: `is not a checklist item of ${input.phase ?? incident.phase} (items: ${here.join(', ') || 'none'})`,
            },
          ]);
        }
        const actor = actorOf(principal);
        await details.setChecklistItem(trx, {
          incidentId: incident.id,
          phase: phase.id,
          item: item.id,
          done: input.done,
          at: now,
          by: principal.user.email,
        });
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'checklist',
          action: 'incident.checklist_changed',
          summary: `${input.done ? 'done' : 'not done'}: ${item.text} (${phase.id})`,
          data: { phase: phase.id, item: item.id, done: input.done },
        });
      });
    },
  };
}

export type IncidentPhaseService = ReturnType<typeof createIncidentPhaseService>;
