/**
 * Maps the policy's `time` section to the business calendar's configuration.
 */
import type { BusinessCalendarConfig } from '../calendar/calendar-types.ts';
import type { Policy } from './policy-types.ts';

/**
 * The business calendar configuration a policy describes: its zone, working
 * days, opening hours, holiday region and closure dates.
 *
 * @example
 * const calendar = createBusinessCalendar(calendarConfigFromPolicy(loaded.policy));
 */
export function calendarConfigFromPolicy(policy: Policy): BusinessCalendarConfig {
  const { timeZone, businessHours, holidays, closures } = policy.time;
  return {
    timeZone,
    workingDays: [...businessHours.days],
    opensAt: businessHours.opensAt,
    closesAt: businessHours.closesAt,
    holidays: holidays === null ? null : { country: holidays.country, subdivision: holidays.subdivision },
    closures: [...closures],
  };
}
