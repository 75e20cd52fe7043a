/**
 * Dates of reviews' corrective and preventive actions. An action's target is a
 * local date (`YYYY-MM-DD`) in the policy's time zone, so "today" and "in the
 * past" are judged on that zone's calendar, not in UTC. Pure: the instant
 * arrives as an argument.
 */
import { DateTime } from 'luxon';
import { ValidationFailed } from '../platform/errors.ts';

/** The local date (`YYYY-MM-DD`) of `at` in `zone`: the day action target dates are compared with. */
export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate()!;
}

/**
 * Checks a target date given as `field`: a real `YYYY-MM-DD` date, not before
 * the local date of `now` in `zone` (today is allowed). Throws
 * `ValidationFailed` naming `field` otherwise.
 */
export function checkDueDate(dueDate: string, now: Date, zone: string, field: string): void {
  if (!DateTime.fromISO(dueDate, { zone }).isValid)
    throw new ValidationFailed([{ field, reason: 'must be a real date YYYY-MM-DD' }]);
  if (dueDate < localDate(now, zone))
    throw new ValidationFailed([{ field, reason: 'must not be in the past' }]);
}
