/**
 * Formatting shared by the console's pages: instants in the viewer's zone (with the policy's zone on
 * hover), spans as countdowns, and the words for severities, phases and clock states. Words matter:
 * colour is never the only signal.
 */

/** The policy's zone (the default policy's until the console has read the one in force). */
let policyTimeZone = 'Europe/London';

const viewerFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
let policyFormat = zoneFormat(policyTimeZone);

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'long', timeZone });
}

/** Names the zone the policy in force works in (`time.timeZone`); instants show it on hover. */
export function setPolicyTimeZone(timeZone: string): void {
  try {
    policyFormat = zoneFormat(timeZone);
    policyTimeZone = timeZone;
  } catch {
    // A zone this browser does not know: keep the previous one rather than fail every page.
  }
}

/** An instant in the viewer's zone: "7 Apr 2026, 10:30". */
export function formatInstant(iso: string): string {
  return viewerFormat.format(new Date(iso));
}

/** The same instant in the policy's zone, for a `title`: "7 Apr 2026, 10:30:00 BST (Europe/London)". */
export function policyZoneTitle(iso: string): string {
  return `${policyFormat.format(new Date(iso))} (${policyTimeZone})`;
}

/** "2h 05m", "3d 04h", "12m", "45s": the two largest units of a span, sign ignored. */
export function formatSpan(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${two(h)}h`;
  if (h > 0) return `${h}h ${two(m)}m`;
  if (m > 0) return `${m}m ${two(s)}s`;
  return `${s}s`;
}

/** A deadline as a countdown from `now`: "2h 05m left" or "overdue by 12m 03s". */
export function formatCountdown(dueAt: string, now: number): string {
  const left = new Date(dueAt).getTime() - now;
  return left >= 0 ? `${formatSpan(left)} left` : `overdue by ${formatSpan(left)}`;
}

const CLOCK_WORDS: Record<string, string> = {
  pending: 'On time',
  at_risk: 'At risk',
  breached: 'Breached',
  met: 'Met',
  not_required: 'Not required',
  not_started: 'Not started',
  information: 'For information',
};

/** The word for a clock state (SLA or legal). */
export function clockStateLabel(state: string): string {
  return CLOCK_WORDS[state] ?? humanise(state);
}

const CLOCK_NAMES: Record<string, string> = {
  acknowledge: 'Acknowledge',
  triage: 'Triage',
  containment: 'Containment',
  customerUpdate: 'Customer update',
  customer: 'Customer notice',
  regulator: 'Regulator notice',
};

export function clockNameLabel(name: string): string {
  return CLOCK_NAMES[name] ?? humanise(name);
}

/** "critical" → "Critical", "false_positive" → "False positive". */
export function humanise(id: string): string {
  const words = id.replaceAll(/[_-]/g, ' ').replaceAll(/([a-z])([A-Z])/g, '$1 $2');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

export const severityLabel = humanise;
export const phaseLabel = humanise;

/** `user:ana@example.com` → `ana@example.com`; `system:sla` → `Vigil (sla)`. */
export function actorLabel(actor: string): string {
  if (actor.startsWith('user:')) return actor.slice(5);
  if (actor.startsWith('system:')) return `Vigil (${actor.slice(7)})`;
  return actor;
}
