/**
 * The values a message template is filled with, as pure functions: the
 * incident's own (reference, title, severity and phase by name, when it
 * opened), the organisation's name, and times written for people in the
 * policy's time zone.
 */
import { DateTime } from 'luxon';
import type { Policy } from '../policy/policy-types.ts';

/** What the message values need to know of an incident. */
export interface IncidentFacts {
  reference: string;
  title: string;
  severity: string;
  phase: string;
  openedAt: Date;
}

/**
 * An instant as people read it in `timeZone`: `7 April 2026, 15:00 BST`.
 * British English month names and zone abbreviations (GMT, BST; other
 * zones show as an offset such as `GMT-4`), so the text never depends on
 * the server's locale.
 */
export function formatInstant(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).setLocale('en-GB').toFormat('d LLLL yyyy, HH:mm ZZZZ');
}

/** The incident's template values: reference, title, severity (name), severityId, phase (name), organization, openedAt. */
export function incidentValues(policy: Policy, incident: IncidentFacts): Record<string, string> {
  const severity = policy.severities.find((s) => s.id === incident.severity);
  const phase = policy.lifecycle.phases.find((p) => p.id === incident.phase);
  return {
    reference: incident.reference,
    title: incident.title,
    severity: severity?.name ?? incident.severity,
    severityId: incident.severity,
    phase: phase?.name ?? incident.phase,
    organization: policy.organization.name,
    openedAt: formatInstant(incident.openedAt, policy.time.timeZone),
  };
}
