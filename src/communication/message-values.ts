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

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * One formatter per time zone, built once: building an `Intl.DateTimeFormat` is what costs (luxon
 * builds one for the zone name on every call, ~0.4 ms under load; reusing one takes microseconds).
 * The options are luxon's own for its zone name (`ZZZZ`), so the abbreviation is the same text.
 * Null when the zone is unknown to Intl; luxon then writes what it always wrote.
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-GB', {
        hour12: false,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
        timeZone,
      });
    } catch {
      formatter = null;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * An instant as people read it in `timeZone`: `7 April 2026, 15:00 BST`.
 * British English month names and zone abbreviations (GMT, BST; other
 * zones show as an offset such as `GMT-4`), so the text never depends on
 * the server's locale. Byte for byte what luxon's
 * `toFormat('d LLLL yyyy, HH:mm ZZZZ')` in `en-GB` writes (message-values.test.ts
 * holds it to that), from a cached formatter.
 */
export function formatInstant(at: Date, timeZone: string): string {
  const formatter = formatterFor(timeZone);
  if (!formatter) {
    return DateTime.fromJSDate(at, { zone: timeZone }).setLocale('en-GB').toFormat('d LLLL yyyy, HH:mm ZZZZ');
  }
  const part: Record<string, string> = {};
  for (const p of formatter.formatToParts(at)) part[p.type] = p.value;
  // Some engines write midnight as 24 when hour12 is false.
  const hour = Number(part.hour) % 24;
  const date = `${Number(part.day)} ${MONTHS[Number(part.month) - 1]} ${pad(Number(part.year), 4)}`;
  return `${date}, ${pad(hour, 2)}:${part.minute} ${part.timeZoneName}`;
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
