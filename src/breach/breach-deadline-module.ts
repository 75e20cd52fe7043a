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
 * It recomputes every recorded breach each cycle: breaches are few, and the
 * obligations are derived, not stored. A deployment with thousands of open
 * breaches would want the next warning instant stored and indexed, as the
 * SLA clocks do.
 */
import type { Kysely } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import { formatInstant } from '../communication/message-values.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import { findIncident } from '../incident/incident-context.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import { plainTextBody } from '../outbox/plain-text.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { ENGINE_ACTOR } from '../sla/sla-escalation.ts';
import type { TimelineService } from '../timeline/timeline-service.ts';
import type { BreachDal } from './breach-dal.ts';
import type { Obligation } from './breach-obligations.ts';
import type { BreachService } from './breach-service.ts';

const WATCHED: ReadonlySet<Obligation['state']> = new Set(['pending', 'at_risk', 'breached']);

export function createBreachDeadlineModule(deps: {
  db: Kysely<VigilDatabase>;
  dal: Pick<BreachDal, 'listRecordedIncidents'>;
  breaches: Pick<BreachService, 'find'>;
  incident: Pick<IncidentDeps, 'dal' | 'details' | 'policy'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  timeline: Pick<TimelineService, 'record'>;
  audit: Pick<AuditService, 'append'>;
}): EngineModule {
  const { db, dal, breaches, incident: incidentDeps, outbox, timeline, audit } = deps;
  const { policy } = incidentDeps;
  const zone = policy.policy.time.timeZone;
  const approverRole = policy.policy.command.regulatorContactApprover;

  return {
    name: 'breach-deadlines',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      let processed = 0;
      for (const id of await dal.listRecordedIncidents(db)) {
        const { incident } = await findIncident(incidentDeps.dal, db, id);
        const view = await breaches.find(incident, now);
        if (!view) continue;
        const due = view.obligations.filter((o) => WATCHED.has(o.state) && !o.metAt && o.dueAt);
        if (due.length === 0) continue;
        const roles = await incidentDeps.details.listRoles(db, [incident.id]);
        for (const o of due) {
          const events = [
            ...o.warnings
              .filter((w) => w.at.getTime() <= now.getTime())
              .map((w) => ({ at: w.at, what: `${w.left} left` })),
            ...(o.dueAt!.getTime() <= now.getTime() ? [{ at: o.dueAt!, what: 'deadline missed' }] : []),
          ];
          // Only the latest event matters: a cycle that finds several passed (after downtime) sends one.
          const event = events.at(-1);
          if (!event) continue;
          const wanted = new Set([
            'owner',
            approverRole,
            ...(o.audience === 'customers' ? ['communications_lead'] : []),
          ]);
          const people = [
            ...new Map(
              roles.filter((a) => wanted.has(a.role)).map((a) => [a.person.email, a.person]),
            ).values(),
          ];
          const subject = `[${incident.reference}] ${o.name} (${o.regimeName}): ${event.what}`;
          const text = plainTextBody([
            `${o.name} for incident ${incident.reference} (${incident.title}) is due ${formatInstant(o.dueAt!, zone)}: ${event.what}.`,
            `Authority: ${o.authority}. Regime: ${o.regimeName}. Nothing pauses this deadline.`,
            'Draft the report from the breach record, have it approved, and record its submission in Vigil;',
            'a submission after the deadline needs the reasons for the delay.',
          ]);
          const queued = await db.transaction().execute(async (trx) => {
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
                payload: {
                  regime: o.regime,
                  obligation: o.obligation,
                  dueAt: o.dueAt!.toISOString(),
                  event: event.what,
                },
              });
              any ||= fresh;
            }
            if (!any) return false;
            const data = {
              regime: o.regime,
              obligation: o.obligation,
              dueAt: o.dueAt!.toISOString(),
              event: event.what,
              notified: people.map((p) => p.email),
            };
            await timeline.record(trx, {
              incidentId: incident.id,
              at: now,
              kind: o.dueAt!.getTime() <= now.getTime() ? 'escalation' : 'clock_at_risk',
              actor: formatActor(ENGINE_ACTOR),
              summary: `${o.name} (${o.regimeName}): ${event.what}, due ${formatInstant(o.dueAt!, zone)}`,
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
          });
          if (queued) processed += 1;
        }
      }
      return { processed };
    },
  };
}
