/**
 * When retained things fall due, on the calendar of the policy's time zone
 * (pure): telemetry a period after receipt, incident evidence a period after
 * the incident closed. Months follow the calendar (luxon clamps a month end:
 * 24 months after 31 January is 31 January two years on; one month after
 * 31 January is the last day of February), and days keep the local time of
 * day across a DST change.
 */
import { DateTime } from 'luxon';
import { addCalendarDuration, type Duration } from '../policy/policy-duration.ts';

/**
 * The instant before which receipts are past retention: `now` minus `keep`
 * on the calendar of `timeZone`. A signal received before it is due.
 */
export function retentionCutoff(now: Date, keep: Duration, timeZone: string): Date {
  const { years, months, weeks, days, hours, minutes } = keep;
  return DateTime.fromJSDate(now, { zone: timeZone })
    .minus({ years, months, weeks, days, hours, minutes })
    .toJSDate();
}

/** When an incident closed at `closedAt` has its evidence purged: `closedAt` plus `keep` in `timeZone`. */
export function evidenceDueAt(closedAt: Date, keep: Duration, timeZone: string): Date {
  return addCalendarDuration(closedAt, keep, timeZone);
}

/** True when evidence of an incident closed at `closedAt` is due at `now` (due at or before it). */
export function isEvidenceDue(closedAt: Date, keep: Duration, timeZone: string, now: Date): boolean {
  return evidenceDueAt(closedAt, keep, timeZone).getTime() <= now.getTime();
}

/** Slack for month-end clamping: subtracting months is not the inverse of adding them. */
const CLAMP_SLACK_DAYS = 4;

/**
 * An upper bound on the closing instants whose evidence may be due at `now`,
 * for an indexed range scan; {@link isEvidenceDue} then decides exactly.
 * Adding months clamps at month ends (31 January + 1 month = 28 February),
 * so `now - keep` alone would miss incidents closed on the last days of a
 * month; a few days' slack covers every clamp and DST shift.
 */
export function closedOnOrBeforeBound(now: Date, keep: Duration, timeZone: string): Date {
  return DateTime.fromJSDate(retentionCutoff(now, keep, timeZone))
    .plus({ days: CLAMP_SLACK_DAYS })
    .toJSDate();
}

/** The day (`YYYY-MM-DD`) `now` falls on in `timeZone`: the daily pass runs once per such day. */
export function policyDay(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate() ?? '';
}
