/**
 * Which of the policy's legal regimes apply to an incident, and how a legal
 * deadline is counted. Pure: instants arrive as arguments.
 */
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import {
  addCalendarDuration,
  businessMilliseconds,
  type Duration,
  wallMilliseconds,
} from '../policy/policy-duration.ts';
import type { BreachRegime, LegalClock, Policy, RegimeTrigger } from '../policy/policy-types.ts';
import type { BreachRecord } from './breach-types.ts';

/**
 * The enabled regimes of the policy that apply to an incident, in policy order.
 *
 * A regime triggered by `personal_data_breach` applies while the incident's breach record is
 * `suspected` or `confirmed` (a ruled-out breach still goes to the register, but owes no
 * notification). Any other trigger applies when it is in `appliesTo`: the caller decides from the
 * incident (significance, major classification, materiality).
 *
 * @example
 * applicableRegimes(policy, new Set(['personal_data_breach']), { ...record, status: 'confirmed' });
 * // [the uk-gdpr regime]
 */
export function applicableRegimes(
  policy: Policy,
  appliesTo: ReadonlySet<RegimeTrigger>,
  record: BreachRecord | null,
): BreachRegime[] {
  const breachLive = record !== null && record.status !== 'ruled_out';
  return policy.breachNotification.regimes.filter((regime) => {
    if (!regime.enabled || !appliesTo.has(regime.appliesTo)) return false;
    return regime.appliesTo !== 'personal_data_breach' || breachLive;
  });
}

/**
 * The instant at which `within` has elapsed since `from` on a legal clock.
 *
 * - `wall`: elapsed time; a DST change does not move it, so 72 h from Friday 12:00 GMT before the
 *   spring change is Monday 13:00 BST.
 * - `business`: business time of `calendar` (a day is one business day; a start outside business
 *   hours counts from the next opening).
 * - `calendar`: the local calendar of `calendar`'s time zone; one month from 15 Jan 10:00 is
 *   15 Feb 10:00, and from 31 Jan it is the last day of February.
 *
 * @param from the start instant (UTC).
 */
export function legalDueAt(
  from: Date,
  within: Duration,
  clock: LegalClock,
  calendar: BusinessCalendar,
): Date {
  switch (clock) {
    case 'wall':
      return new Date(from.getTime() + wallMilliseconds(within));
    case 'business':
      return calendar.addBusinessDuration(from, businessMilliseconds(within, calendar.businessDayMs));
    case 'calendar':
      return addCalendarDuration(from, within, calendar.config.timeZone);
  }
}
