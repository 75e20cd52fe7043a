/**
 * The messages Vigil sends by itself, rendered from the policy's templates:
 * breach escalations and customer-update reminders for the SLA engine, and
 * for incident events the out-of-hours emergency path (email to everyone on
 * the policy's list, plus the outgoing webhooks) and the prompt for a
 * customer update at a milestone. Each is queued in the outbox inside the
 * transaction of the event that caused it, under a dedup key, so an event
 * never pages anyone twice.
 */
import type { Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { IncidentDeps, IncidentNotices } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { NewOutboxMessage } from '../outbox/outbox-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Policy } from '../policy/policy-types.ts';
import {
  CLOCK_LABELS,
  ENGINE_ACTOR,
  type EngineMessages,
  type IncidentSummary,
  type MessageContent,
} from '../sla/sla-escalation.ts';
import { type MessageTemplate, renderMessageTemplate } from './message-template.ts';
import { formatInstant, incidentValues } from './message-values.ts';

/** Why someone gets a breach escalation, worded to follow "because" in a template. */
const REASON_SENTENCES: Record<'incident_owner' | 'next_in_succession', string> = {
  incident_owner: 'you own this incident',
  next_in_succession: 'you are next in the succession list after the incident owner',
};

/** The outbox kinds of the emergency path. */
export const EMERGENCY_KIND = 'incident.emergency';

/** Renders one of the engine's templates; a template the policy loader accepted always renders. */
function renderEngineTemplate(
  templates: Readonly<Record<string, MessageTemplate>>,
  id: string,
  values: Record<string, string>,
): MessageContent {
  const template = templates[id];
  if (!template) throw new Error(`the policy has no ${id} template`);
  return renderMessageTemplate(template, values);
}

/** The engine's messages, from the policy's `escalation` and `update_reminder` templates. */
export function createEngineMessages(
  policy: Policy,
  templates: Readonly<Record<string, MessageTemplate>>,
): EngineMessages {
  const zone = policy.time.timeZone;
  return {
    escalation({ incident, clock, recipient, breachedAt }) {
      return renderEngineTemplate(templates, 'escalation', {
        ...incidentValues(policy, incident),
        recipientName: recipient.name,
        clock: CLOCK_LABELS[clock.name],
        dueAt: formatInstant(clock.dueAt, zone),
        breachedAt: formatInstant(breachedAt, zone),
        reason: REASON_SENTENCES[recipient.reason],
      });
    },
    updateReminder({ incident, dueAt, recipient, reason }) {
      return renderEngineTemplate(templates, 'update_reminder', {
        ...incidentValues(policy, incident),
        recipientName: recipient.name,
        dueAt: formatInstant(dueAt, zone),
        reason,
      });
    },
  };
}

/** The outgoing webhooks the policy names, by id, with the format each expects. */
export interface WebhookIds {
  readonly ids: readonly string[];
}

function summaryOf(incident: Incident, closedPhase: string): IncidentSummary {
  const { reference, title, severity, phase, openedAt } = incident;
  return { reference, title, severity, phase, openedAt, closed: phase === closedPhase };
}

/**
 * The incident events that send messages. Built by the composition root
 * and handed to incident use cases as {@link IncidentNotices}.
 */
export function createIncidentNotices(deps: {
  policy: Policy;
  templates: Readonly<Record<string, MessageTemplate>>;
  outbox: Pick<OutboxService, 'enqueue'>;
  incident: Pick<IncidentDeps, 'details' | 'people' | 'timeline' | 'audit'>;
  messages: EngineMessages;
}): IncidentNotices {
  const { policy, templates, outbox, messages } = deps;
  const { details, people, timeline, audit } = deps.incident;
  const emergency = policy.communications.emergency;
  const closedPhase = policy.lifecycle.phases.at(-1)!.id;

  /** Pages the out-of-hours list and the webhooks once per incident; returns who was paged. */
  async function page(trx: Transaction<VigilDatabase>, incident: Incident, now: Date, why: string) {
    const values = incidentValues(policy, incident);
    const rows: NewOutboxMessage[] = [];
    for (const person of emergency.notify) {
      const known = await people.findByEmail(trx, person.email.toLowerCase());
      const name = known?.name ?? person.name ?? person.title;
      const content = renderEngineTemplate(templates, 'emergency_page', { ...values, recipientName: name });
      rows.push({
        dedupKey: `emergency:${incident.id}:${person.email.toLowerCase()}`,
        createdAt: now,
        kind: EMERGENCY_KIND,
        incidentId: incident.id,
        recipient: person.email.toLowerCase(),
        subject: content.subject,
        bodyText: content.text,
        bodyHtml: content.html,
        payload: { incidentId: incident.id, reference: incident.reference, why },
      });
    }
    for (const id of emergency.webhooks) {
      const content = renderEngineTemplate(templates, 'emergency_page', { ...values, recipientName: 'team' });
      rows.push({
        dedupKey: `emergency:${incident.id}:webhook:${id}`,
        createdAt: now,
        kind: EMERGENCY_KIND,
        channel: 'webhook',
        incidentId: incident.id,
        recipient: `webhook:${id}`,
        subject: content.subject,
        bodyText: content.text,
        bodyHtml: null,
        payload: {
          event: EMERGENCY_KIND,
          reference: incident.reference,
          severity: values.severity,
          facts: [
            { name: 'Incident', value: `${incident.reference}: ${incident.title}` },
            { name: 'Severity', value: values.severity },
            { name: 'Opened', value: values.openedAt },
            { name: 'Phase', value: values.phase },
          ],
        },
      });
    }
    const queued: string[] = [];
    for (const row of rows) if (await outbox.enqueue(trx, row)) queued.push(row.recipient);
    if (queued.length === 0) return;
    const summary = `emergency path: ${why}; paged ${queued.join(', ')}`;
    await timeline.record(trx, {
      incidentId: incident.id,
      at: now,
      kind: 'escalation',
      actor: formatActor(ENGINE_ACTOR),
      summary,
      data: { emergency: true, reason: why, recipients: queued },
    });
    await audit.append(trx, {
      actor: ENGINE_ACTOR,
      action: 'incident.emergency_paged',
      subject: { type: 'incident', id: incident.id },
      detail: { reference: incident.reference, reason: why, recipients: queued },
      at: now,
    });
  }

  function isEmergency(severity: string, outOfHours: boolean): boolean {
    return emergency.severities.includes(severity) && (outOfHours || !emergency.outOfHoursOnly);
  }

  return {
    async declared(trx, incident, now) {
      if (!isEmergency(incident.severity, incident.outOfHours)) return;
      const when = incident.outOfHours ? ' out of hours' : '';
      await page(trx, incident, now, `${incident.severity} incident opened${when}`);
    },

    async severityRaised(trx, incident, previous, outOfHoursNow, now) {
      if (!isEmergency(incident.severity, outOfHoursNow) || emergency.severities.includes(previous)) return;
      const when = outOfHoursNow ? ' out of hours' : '';
      await page(trx, incident, now, `severity raised from ${previous} to ${incident.severity}${when}`);
    },

    async milestone(trx, incident, dueAt, now) {
      const roles = await details.listRoles(trx, [incident.id]);
      const person =
        roles.find((a) => a.role === 'communications_lead')?.person ??
        roles.find((a) => a.role === 'owner')?.person;
      if (!person) return;
      const phaseName = policy.lifecycle.phases.find((p) => p.id === incident.phase)?.name ?? incident.phase;
      const content = messages.updateReminder({
        incident: summaryOf(incident, closedPhase),
        dueAt,
        recipient: { email: person.email, name: person.name },
        reason: `the incident moved to ${phaseName}, a milestone customers hear about`,
      });
      await outbox.enqueue(trx, {
        dedupKey: `milestone:${incident.id}:${incident.phase}:${dueAt.toISOString()}:${person.email}`,
        createdAt: now,
        kind: 'communication.update_reminder',
        incidentId: incident.id,
        recipient: person.email,
        subject: content.subject,
        bodyText: content.text,
        bodyHtml: content.html,
        payload: {
          incidentId: incident.id,
          reference: incident.reference,
          dueAt: dueAt.toISOString(),
          reason: 'milestone',
        },
      });
    },
  };
}
