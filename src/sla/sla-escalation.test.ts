import { describe, expect, it } from 'vitest';
import type { SlaClock } from './sla-clock.ts';
import {
  AT_RISK_REMINDER_REASON,
  clockEventWrites,
  type EngineMessages,
  type EscalationRecipient,
  formatDue,
  nextClockEvent,
} from './sla-escalation.ts';

const t = (hhmm: string) => new Date(`2026-04-07T${hhmm}:00Z`);

const clock: SlaClock = {
  name: 'acknowledge',
  kind: 'wall',
  startedAt: t('09:00'),
  atRiskAt: t('09:11'),
  dueAt: t('09:15'),
  metAt: null,
  stoppedAt: null,
  atRiskNotedAt: null,
  escalatedAt: null,
  breaches: 0,
};

const recipients: EscalationRecipient[] = [
  { email: 'owner@example.com', name: 'Olive Owner', reason: 'incident_owner' },
  { email: 'next@example.com', name: 'Nico Next', reason: 'next_in_succession' },
];
const incident = {
  reference: 'INC-12',
  title: 'Phishing',
  severity: 'critical',
  phase: 'identify',
  openedAt: t('09:00'),
  closed: false,
};

/** Messages that say which template was used and for whom, so the tests can see the wiring. */
const messages: EngineMessages = {
  escalation: ({ incident: i, clock: c, recipient }) => ({
    subject: `[${i.reference}] ${c.name} breached`,
    text: `to ${recipient.name}: ${c.name} due ${c.dueAt.toISOString()}`,
    html: '<p>escalation</p>',
  }),
  updateReminder: ({ incident: i, dueAt, recipient, reason }) => ({
    subject: `[${i.reference}] update due`,
    text: `to ${recipient.name}: due ${dueAt.toISOString()} because ${reason}`,
    html: '<p>reminder</p>',
  }),
};

describe('nextClockEvent', () => {
  it.each([
    { case: 'before at risk', clock, now: '09:10', event: null, noted: null, escalated: null },
    {
      case: 'at the at-risk instant',
      clock,
      now: '09:11',
      event: 'at_risk',
      noted: '09:11',
      escalated: null,
    },
    {
      case: 'at risk already noted',
      clock: { ...clock, atRiskNotedAt: t('09:11') },
      now: '09:14',
      event: null,
      noted: '09:11',
      escalated: null,
    },
    {
      case: 'at the due instant',
      clock: { ...clock, atRiskNotedAt: t('09:11') },
      now: '09:15',
      event: 'breached',
      noted: '09:11',
      escalated: '09:15',
    },
    {
      case: 'first seen past due',
      clock,
      now: '10:00',
      event: 'breached',
      noted: '10:00',
      escalated: '10:00',
    },
    {
      case: 'already escalated',
      clock: { ...clock, atRiskNotedAt: t('09:11'), escalatedAt: t('09:15') },
      now: '10:00',
      event: null,
      noted: '09:11',
      escalated: '09:15',
    },
    {
      case: 'met',
      clock: { ...clock, metAt: t('09:05') },
      now: '10:00',
      event: null,
      noted: null,
      escalated: null,
    },
    {
      case: 'stopped',
      clock: { ...clock, stoppedAt: t('09:05') },
      now: '10:00',
      event: null,
      noted: null,
      escalated: null,
    },
  ])('$case at $now: $event', ({ clock: c, now, event, noted, escalated }) => {
    const result = nextClockEvent(c, t(now));
    expect(result.event).toBe(event);
    expect(result.next.atRiskNotedAt).toEqual(noted ? t(noted) : null);
    expect(result.next.escalatedAt).toEqual(escalated ? t(escalated) : null);
    expect(result.next.breaches).toBe(0);
  });
});

describe('formatDue', () => {
  it('gives the time alone on the same UTC day, and the date otherwise', () => {
    expect(formatDue(t('10:15'), t('09:00'))).toBe('10:15 UTC');
    expect(formatDue(new Date('2026-04-09T10:15:00Z'), t('09:00'))).toBe('2026-04-09 10:15 UTC');
  });
});

describe('clockEventWrites', () => {
  it('records an at-risk event on the timeline and in the audit log only', () => {
    const writes = clockEventWrites({
      incidentId: 'i-1',
      clock,
      event: 'at_risk',
      now: t('09:12'),
      incident,
      recipients,
      messages,
    });
    expect(writes.timeline).toEqual([
      {
        incidentId: 'i-1',
        at: t('09:12'),
        kind: 'clock_at_risk',
        actor: 'system:engine',
        summary: 'acknowledge clock at risk (due 09:15 UTC)',
        data: {
          clock: 'acknowledge',
          dueAt: '2026-04-07T09:15:00.000Z',
          atRiskAt: '2026-04-07T09:11:00.000Z',
          startedAt: '2026-04-07T09:00:00.000Z',
        },
      },
    ]);
    expect(writes.outbox).toEqual([]);
    expect(writes.audit).toMatchObject({
      actor: { type: 'system', name: 'engine' },
      action: 'sla.clock_at_risk',
      subject: { type: 'incident', id: 'i-1' },
      detail: { notified: [] },
    });
  });

  it('records a breach, the escalation, and one message per recipient', () => {
    const customer = { ...clock, name: 'customerUpdate' as const };
    const writes = clockEventWrites({
      incidentId: 'i-1',
      clock: customer,
      event: 'breached',
      now: t('09:16'),
      incident,
      recipients,
      messages,
    });
    expect(writes.timeline.map((e) => [e.kind, e.summary])).toEqual([
      ['clock_breached', 'customer update clock breached (due 09:15 UTC)'],
      [
        'escalation',
        'customer update breach escalated to Olive Owner (incident owner), Nico Next (next in succession)',
      ],
    ]);
    expect(writes.outbox.map((m) => [m.recipient, m.subject, m.dedupKey])).toEqual([
      [
        'owner@example.com',
        '[INC-12] customerUpdate breached',
        'sla.breached:i-1:customerUpdate:2026-04-07T09:15:00.000Z:owner@example.com',
      ],
      [
        'next@example.com',
        '[INC-12] customerUpdate breached',
        'sla.breached:i-1:customerUpdate:2026-04-07T09:15:00.000Z:next@example.com',
      ],
    ]);
    expect(writes.outbox[1]?.payload).toMatchObject({ reference: 'INC-12', reason: 'next_in_succession' });
    expect(writes.outbox[1]?.bodyText).toBe('to Nico Next: customerUpdate due 2026-04-07T09:15:00.000Z');
    expect(writes.outbox[1]?.bodyHtml).toBe('<p>escalation</p>');
    expect(writes.audit).toMatchObject({
      action: 'sla.clock_breached',
      detail: { notified: recipients.map((r) => r.email) },
    });
  });

  it('still records the escalation when nobody can be notified', () => {
    const writes = clockEventWrites({
      incidentId: 'i-1',
      clock,
      event: 'breached',
      now: t('09:16'),
      incident,
      recipients: [],
      messages,
    });
    expect(writes.timeline[1]?.summary).toBe(
      'acknowledge breach not escalated: no owner or successor to notify',
    );
    expect(writes.outbox).toEqual([]);
  });

  it('reminds the communications lead when the customer-update clock turns at risk', () => {
    const customer = { ...clock, name: 'customerUpdate' as const };
    const lead = { email: 'lead@example.com', name: 'Lee Lead' };
    const writes = clockEventWrites({
      incidentId: 'i-1',
      clock: customer,
      event: 'at_risk',
      now: t('09:12'),
      incident,
      recipients,
      reminderRecipients: [lead],
      messages,
    });
    expect(writes.outbox).toHaveLength(1);
    expect(writes.outbox[0]).toMatchObject({
      recipient: 'lead@example.com',
      kind: 'communication.update_reminder',
      subject: '[INC-12] update due',
      bodyText: `to Lee Lead: due 2026-04-07T09:15:00.000Z because ${AT_RISK_REMINDER_REASON}`,
      dedupKey: 'sla.at_risk:i-1:customerUpdate:2026-04-07T09:15:00.000Z:lead@example.com',
    });
    expect(writes.audit.detail).toMatchObject({ notified: ['lead@example.com'] });
  });

  it('reminds nobody when another clock turns at risk', () => {
    const writes = clockEventWrites({
      incidentId: 'i-1',
      clock,
      event: 'at_risk',
      now: t('09:12'),
      incident,
      recipients,
      reminderRecipients: [{ email: 'lead@example.com', name: 'Lee Lead' }],
      messages,
    });
    expect(writes.outbox).toEqual([]);
  });
});
