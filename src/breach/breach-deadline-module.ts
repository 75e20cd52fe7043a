/**
 * The engine module that warns before a legal deadline and escalates a
 * missed one: for every recorded breach, each unmet obligation sends a
 * warning at each of the policy's `warnBefore` instants (24, 12 and 4 hours
 * left by default) and an escalation once it is due, by email through the
 * outbox, to the incident's owner, its regulator-contact approver and, for
 * customer notices, its communications lead. Each warning is queued once
 * (its dedup key names the obligation and the instant); nothing here ever
 * moves a due time.
 *
 * A cycle reads only the breaches that are due: each record stores its
 * `next_check_at` (the next warning or due instant of any of its running
 * obligations), every change to a breach marks it due at once (breach-dal.ts),
 * and the module claims each due record with a compare-and-set, acts, and
 * stores the next instant, as the SLA clocks do. The obligations themselves
 * stay derived, not stored: they follow from the policy, which can change
 * between starts, so the module's first run in a process marks every record
 * due once.
 */
import type { Kysely, Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { formatInstant } from '../communication/message-values.ts';
import { drainDue } from '../engine/engine.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import { findIncident } from '../incident/incident-context.ts';
import type { RoleAssignment } from '../incident/incident-detail-dal.ts';
import type { Incident } from '../incident/incident-types.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import { plainTextBody } from '../outbox/plain-text.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { ENGINE_ACTOR } from '../sla/sla-escalation.ts';
import type { TimelineService } from '../timeline/timeline-service.ts';
import type { BreachDal, DueBreach } from './breach-dal.ts';
import { type DeadlineEvent, dueDeadlineEvents, nextDeadlineCheck } from './breach-deadline-events.ts';
import type { BreachService } from './breach-service.ts';

/** What the breach-deadline module uses, narrowed to the methods it calls. */
export interface BreachDeadlineDeps {
  db: Kysely<VigilDatabase>;
  dal: Pick<BreachDal, 'listDue' | 'claimDue' | 'scheduleCheck' | 'markAllDue'>;
  breaches: Pick<BreachService, 'obligationsAt'>;
  incident: Pick<IncidentDeps, 'dal' | 'details' | 'policy'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  timeline: Pick<TimelineService, 'record'>;
  audit: Pick<AuditService, 'append'>;
  /** Measures the module's time budget; events are stamped with the cycle's `now`. */
  clock: Clock;
}

export interface BreachDeadlineOptions {
  /** Breach records claimed per query (default 100). */
  batchSize?: number;
  /** Stop starting new records after this many ms of one run (default 2000). */
  budgetMs?: number;
}

/** The module's name in engine reports and logs. */
export const BREACH_DEADLINE_MODULE_NAME = 'breach-deadlines';

export function createBreachDeadlineModule(
  deps: BreachDeadlineDeps,
  options: BreachDeadlineOptions = {},
): EngineModule {
  const { db, dal, breaches, incident: incidentDeps, outbox, timeline, audit, clock } = deps;
  const { policy } = incidentDeps;
  const zone = policy.policy.time.timeZone;
  const approverRole = policy.policy.command.regulatorContactApprover;
  const batchSize = options.batchSize ?? 100;
  const budgetMs = options.budgetMs ?? 2_000;
  let lookedAtAll = false;

  /** Queues one event's messages to the people it concerns; true when any of them is new (then also timeline and audit). */
  async function warn(
    trx: Transaction<VigilDatabase>,
    incident: Incident,
    roles: readonly RoleAssignment[],
    event: DeadlineEvent,
    now: Date,
  ): Promise<boolean> {
    const o = event.obligation;
    const wanted = new Set([
      'owner',
      approverRole,
      ...(o.audience === 'customers' ? ['communications_lead'] : []),
    ]);
    const people = [
      ...new Map(roles.filter((a) => wanted.has(a.role)).map((a) => [a.person.email, a.person])).values(),
    ];
    const subject = `[${incident.reference}] ${o.name} (${o.regimeName}): ${event.what}`;
    const text = plainTextBody([
      `${o.name} for incident ${incident.reference} (${incident.title}) is due ${formatInstant(o.dueAt, zone)}: ${event.what}.`,
      `Authority: ${o.authority}. Regime: ${o.regimeName}. Nothing pauses this deadline.`,
      'Draft the report from the breach record, have it approved, and record its submission in Vigil;',
      'a submission after the deadline needs the reasons for the delay.',
    ]);
    const payload = {
      regime: o.regime,
      obligation: o.obligation,
      dueAt: o.dueAt.toISOString(),
      event: event.what,
    };
    let any = false;
    for (const person of people) {
      const fresh = await outbox.enqueue(trx, {
        dedupKey: `breach:${incident.id}:${o.regime}:${o.obligation}:${event.at.toISOString()}:${person.email}`,
        createdAt: now,
        kind: 'breach.deadline',
        incidentId: incident.id,
        recipient: person.email,
        subject,
        bodyText: text,
        bodyHtml: null,
        payload,
      });
      any ||= fresh;
    }
    if (!any) return false;
    const data = { ...payload, notified: people.map((p) => p.email) };
    await timeline.record(trx, {
      incidentId: incident.id,
      at: now,
      kind: event.missed ? 'escalation' : 'clock_at_risk',
      actor: formatActor(ENGINE_ACTOR),
      summary: `${o.name} (${o.regimeName}): ${event.what}, due ${formatInstant(o.dueAt, zone)}`,
      data,
    });
    await audit.append(trx, {
      actor: ENGINE_ACTOR,
      action: 'breach.deadline_warned',
      subject: { type: 'incident', id: incident.id },
      detail: data,
      at: now,
    });
    return true;
  }

  /**
   * Looks at one due breach in its own transaction: the compare-and-set comes first (losing it
   * means another engine or a change got there; the record stays due if it changed), then the
   * obligations are read under it, the passed events sent, and the next instant stored.
   * Returns how many obligations were warned, or null when the claim was lost.
   */
  function look(due: DueBreach, now: Date): Promise<number | null> {
    return db.transaction().execute(async (trx) => {
      if (!(await dal.claimDue(trx, due.incidentId, due.nextCheckAt))) return null;
      const obligations = (await breaches.obligationsAt(trx, due.incidentId, now)) ?? [];
      const events = dueDeadlineEvents(obligations, now);
      let warned = 0;
      if (events.length > 0) {
        const { incident } = await findIncident(incidentDeps.dal, trx, due.incidentId);
        const roles = await incidentDeps.details.listRoles(trx, [incident.id]);
        for (const event of events) if (await warn(trx, incident, roles, event, now)) warned += 1;
      }
      await dal.scheduleCheck(trx, due.incidentId, nextDeadlineCheck(obligations, now));
      return warned;
    });
  }

  return {
    name: BREACH_DEADLINE_MODULE_NAME,
    async runOnce(now: Date): Promise<ModuleRunResult> {
      if (!lookedAtAll) {
        await dal.markAllDue(db, now);
        lookedAtAll = true;
      }
      let warned = 0;
      const result = await drainDue({
        clock,
        batchSize,
        budgetMs,
        listDue: (limit) => dal.listDue(db, now, limit),
        act: async (due) => {
          const count = await look(due, now);
          warned += count ?? 0;
          // A record looked at counts as progress for the drain: it is no longer due at `now`.
          return count !== null;
        },
        keyOf: (due) => due.incidentId,
      });
      // Reported as before: the obligations warned or escalated, not the records looked at.
      return { ...result, processed: warned };
    },
  };
}
