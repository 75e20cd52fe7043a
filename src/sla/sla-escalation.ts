/**
 * What the engine does when a response clock turns at risk or is breached,
 * as pure functions: which event is due, how the clock changes, and which
 * timeline entries, outbox messages and audit entry record it. The SLA
 * module only reads, compares-and-sets and writes what these return.
 */
import { formatActor } from '../audit/audit-chain.ts';
import type { Actor, AuditEntryInput } from '../audit/audit-types.ts';
import type { NewOutboxMessage } from '../outbox/outbox-types.ts';
import type { NewTimelineEntry } from '../timeline/timeline-types.ts';
import type { SlaClock } from './sla-clock.ts';
import type { SlaTargetName } from './sla-targets.ts';

/** An event of a clock that the engine records once. */
export type ClockEvent = 'at_risk' | 'breached';

/** Someone told about a breach, and why them. */
export interface EscalationRecipient {
  email: string;
  name: string;
  reason: 'incident_owner' | 'next_in_succession';
}

/** What the escalation needs to know of an incident. */
export interface IncidentSummary {
  reference: string;
  title: string;
  severity: string;
  phase: string;
  openedAt: Date;
  closed: boolean;
}

/** A message's words, rendered from the policy's templates. */
export interface MessageContent {
  subject: string;
  text: string;
  html: string;
}

/**
 * Renders the engine's messages from the policy's templates: the breach
 * escalation, and the reminder that a customer update is due soon.
 */
export interface EngineMessages {
  escalation(input: {
    incident: IncidentSummary;
    clock: SlaClock;
    recipient: EscalationRecipient;
    breachedAt: Date;
  }): MessageContent;
  updateReminder(input: {
    incident: IncidentSummary;
    dueAt: Date;
    recipient: { email: string; name: string };
    reason: string;
  }): MessageContent;
}

/** The outbox kind of a reminder that a customer update is due. */
export const UPDATE_REMINDER_KIND = 'communication.update_reminder';

/** Everything one clock event writes, in the transaction that advanced the clock. */
export interface ClockEventWrites {
  timeline: NewTimelineEntry[];
  outbox: NewOutboxMessage[];
  audit: AuditEntryInput;
}

/** The engine acts as this system actor in the timeline and the audit log. */
export const ENGINE_ACTOR: Actor = { type: 'system', name: 'engine' };

/** The outbox kind of a breach notification. */
export const SLA_ESCALATION_KIND = 'sla.escalation';

/** How people read a clock's name. */
export const CLOCK_LABELS: Record<SlaTargetName, string> = {
  acknowledge: 'acknowledge',
  triage: 'triage',
  containment: 'containment',
  customerUpdate: 'customer update',
};

const REASON_LABELS: Record<EscalationRecipient['reason'], string> = {
  incident_owner: 'incident owner',
  next_in_succession: 'next in succession',
};

/**
 * The event due on `clock` at `now`, and the clock after recording it.
 *
 * At risk: not yet noted, `atRiskAt <= now < dueAt`. Breached: `now >= dueAt`
 * and not yet escalated; a clock first seen past its due time goes straight
 * to the breach and marks the at-risk event noted too, so it is never
 * reported after the breach. A met or stopped clock has no event. With no
 * event the clock comes back unchanged (saving it re-derives `next_check_at`).
 */
export function nextClockEvent(clock: SlaClock, now: Date): { event: ClockEvent | null; next: SlaClock } {
  if (clock.metAt || clock.stoppedAt) return { event: null, next: clock };
  const t = now.getTime();
  if (t >= clock.dueAt.getTime()) {
    if (clock.escalatedAt) return { event: null, next: clock };
    return {
      event: 'breached',
      next: { ...clock, escalatedAt: now, atRiskNotedAt: clock.atRiskNotedAt ?? now },
    };
  }
  if (!clock.atRiskNotedAt && t >= clock.atRiskAt.getTime()) {
    return { event: 'at_risk', next: { ...clock, atRiskNotedAt: now } };
  }
  return { event: null, next: clock };
}

/** `10:15 UTC` when due on the UTC day of `now`, else `2026-04-09 10:15 UTC`. */
export function formatDue(dueAt: Date, now: Date): string {
  const iso = dueAt.toISOString();
  const time = `${iso.slice(11, 16)} UTC`;
  return iso.slice(0, 10) === now.toISOString().slice(0, 10) ? time : `${iso.slice(0, 10)} ${time}`;
}

/** The outbox dedup key of one breach notification: one message per recipient per due time, ever. */
export function breachDedupKey(incidentId: string, clock: SlaTargetName, dueAt: Date, email: string): string {
  return `sla.breached:${incidentId}:${clock}:${dueAt.toISOString()}:${email}`;
}

/**
 * The timeline entries, outbox messages and audit entry for `event` on
 * `clock` (the clock as read, before the event), noticed at `now`.
 * An at-risk event writes one timeline entry, and for the customer-update
 * clock a reminder to each of `reminderRecipients`; a breach writes the
 * breach, an escalation entry naming the recipients, and one message per recipient.
 */
export function clockEventWrites(input: {
  incidentId: string;
  clock: SlaClock;
  event: ClockEvent;
  now: Date;
  incident: IncidentSummary;
  /** Ignored for an at-risk event. */
  recipients: readonly EscalationRecipient[];
  /** Who is reminded when the customer-update clock turns at risk (the communications lead). */
  reminderRecipients?: readonly { email: string; name: string }[];
  messages: EngineMessages;
}): ClockEventWrites {
  const { incidentId, clock, event, now, incident, messages } = input;
  const recipients = event === 'breached' ? input.recipients : [];
  const reminded =
    event === 'at_risk' && clock.name === 'customerUpdate' ? (input.reminderRecipients ?? []) : [];
  const label = CLOCK_LABELS[clock.name];
  const clockData = {
    clock: clock.name,
    dueAt: clock.dueAt.toISOString(),
    atRiskAt: clock.atRiskAt.toISOString(),
    startedAt: clock.startedAt.toISOString(),
  };
  const actor = formatActor(ENGINE_ACTOR);
  const state = event === 'breached' ? 'breached' : 'at risk';
  const timeline: NewTimelineEntry[] = [
    {
      incidentId,
      at: now,
      kind: event === 'breached' ? 'clock_breached' : 'clock_at_risk',
      actor,
      summary: `${label} clock ${state} (due ${formatDue(clock.dueAt, now)})`,
      data: clockData,
    },
  ];
  if (event === 'breached') timeline.push(escalationEntry(incidentId, clock, now, recipients));
  return {
    timeline,
    outbox: [
      ...recipients.map((r) => breachMessage(incidentId, clock, now, incident, r, messages)),
      ...reminded.map((r) => reminderMessage(incidentId, clock, now, incident, r, messages)),
    ],
    audit: {
      actor: ENGINE_ACTOR,
      action: event === 'breached' ? 'sla.clock_breached' : 'sla.clock_at_risk',
      subject: { type: 'incident', id: incidentId },
      detail: {
        reference: incident.reference,
        ...clockData,
        notified: [...recipients, ...reminded].map((r) => r.email),
      },
      at: now,
    },
  };
}

/** The reason an update reminder gives when the cadence turns at risk. */
export const AT_RISK_REMINDER_REASON = 'the customer-update clock is at risk';

function reminderMessage(
  incidentId: string,
  clock: SlaClock,
  now: Date,
  incident: IncidentSummary,
  recipient: { email: string; name: string },
  messages: EngineMessages,
): NewOutboxMessage {
  const content = messages.updateReminder({
    incident,
    dueAt: clock.dueAt,
    recipient,
    reason: AT_RISK_REMINDER_REASON,
  });
  return {
    dedupKey: `sla.at_risk:${incidentId}:${clock.name}:${clock.dueAt.toISOString()}:${recipient.email}`,
    createdAt: now,
    kind: UPDATE_REMINDER_KIND,
    incidentId,
    recipient: recipient.email,
    subject: content.subject,
    bodyText: content.text,
    bodyHtml: content.html,
    payload: {
      incidentId,
      reference: incident.reference,
      dueAt: clock.dueAt.toISOString(),
      reason: 'at_risk',
    },
  };
}

function escalationEntry(
  incidentId: string,
  clock: SlaClock,
  now: Date,
  recipients: readonly EscalationRecipient[],
): NewTimelineEntry {
  const label = CLOCK_LABELS[clock.name];
  const named = recipients.map((r) => `${r.name} (${REASON_LABELS[r.reason]})`).join(', ');
  return {
    incidentId,
    at: now,
    kind: 'escalation',
    actor: formatActor(ENGINE_ACTOR),
    // An empty list is still recorded: the timeline must show that nobody could be told.
    summary: named
      ? `${label} breach escalated to ${named}`
      : `${label} breach not escalated: no owner or successor to notify`,
    data: {
      clock: clock.name,
      dueAt: clock.dueAt.toISOString(),
      recipients: recipients.map((r) => ({ ...r })),
    },
  };
}

function breachMessage(
  incidentId: string,
  clock: SlaClock,
  now: Date,
  incident: IncidentSummary,
  recipient: EscalationRecipient,
  messages: EngineMessages,
): NewOutboxMessage {
  const content = messages.escalation({ incident, clock, recipient, breachedAt: now });
  return {
    dedupKey: breachDedupKey(incidentId, clock.name, clock.dueAt, recipient.email),
    createdAt: now,
    kind: SLA_ESCALATION_KIND,
    incidentId,
    recipient: recipient.email,
    subject: content.subject,
    bodyText: content.text,
    bodyHtml: content.html,
    payload: {
      incidentId,
      reference: incident.reference,
      title: incident.title,
      severity: incident.severity,
      clock: clock.name,
      dueAt: clock.dueAt.toISOString(),
      breachedAt: now.toISOString(),
      recipientName: recipient.name,
      reason: recipient.reason,
    },
  };
}
