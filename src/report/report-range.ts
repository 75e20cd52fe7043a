/**
 * The period a report covers, from the query's `from` and `to`. Pure.
 *
 * A date (`YYYY-MM-DD`) is a whole day in the policy's time zone: `from`
 * starts at its local midnight and `to` includes its whole day, so
 * `from=2026-04-01&to=2026-04-30` is April in local time, whatever the UTC
 * offset or a DST change. A full ISO 8601 date-time is taken as the instant
 * it names (without an offset, as local time in the zone), and `to` is then
 * exclusive. The result is always the half-open `[from, to)`.
 */
import { DateTime } from 'luxon';
import { ValidationFailed } from '../platform/errors.ts';
import type { ReportRange } from './report-types.ts';

/** The longest period a report may cover: five years (of 366 days, so leap years fit). */
export const MAX_RANGE_DAYS = 5 * 366;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HINT = 'a date YYYY-MM-DD or an ISO 8601 date-time';

function parseBound(value: string | undefined, zone: string, field: string, end: boolean): Date {
  if (value === undefined || value.trim() === '')
    throw new ValidationFailed([{ field, reason: `is required: ${HINT}` }]);
  const text = value.trim();
  const dateOnly = DATE_ONLY.test(text);
  if (!dateOnly && !text.includes('T')) throw new ValidationFailed([{ field, reason: `must be ${HINT}` }]);
  const parsed = DateTime.fromISO(text, { zone, setZone: true });
  if (!parsed.isValid) throw new ValidationFailed([{ field, reason: `must be ${HINT}` }]);
  if (!dateOnly) return parsed.toJSDate();
  const day = DateTime.fromISO(text, { zone }).startOf('day');
  return (end ? day.plus({ days: 1 }) : day).toJSDate();
}

/**
 * Parses `from` and `to` in `zone` into `[from, to)`.
 *
 * @throws ValidationFailed naming `query.from` or `query.to` when a bound is
 *   missing or malformed, when `from` is not before `to`, or when the period
 *   is longer than {@link MAX_RANGE_DAYS} days.
 * @example parseReportRange({ from: '2026-04-01', to: '2026-04-30' }, 'Europe/London')
 * // { from: 2026-03-31T23:00:00.000Z, to: 2026-04-30T23:00:00.000Z }
 */
export function parseReportRange(
  query: { from?: string | undefined; to?: string | undefined },
  zone: string,
): ReportRange {
  const from = parseBound(query.from, zone, 'query.from', false);
  const to = parseBound(query.to, zone, 'query.to', true);
  checkRange({ from, to });
  return { from, to };
}

/** Checks a range given as instants (the report port's callers); throws like {@link parseReportRange}. */
export function checkRange(range: ReportRange): void {
  if (Number.isNaN(range.from.getTime()))
    throw new ValidationFailed([{ field: 'query.from', reason: 'is not a valid instant' }]);
  if (Number.isNaN(range.to.getTime()))
    throw new ValidationFailed([{ field: 'query.to', reason: 'is not a valid instant' }]);
  if (range.to.getTime() <= range.from.getTime())
    throw new ValidationFailed([{ field: 'query.to', reason: 'must be after from' }]);
  if (range.to.getTime() - range.from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw new ValidationFailed([
      { field: 'query.to', reason: `the period may be at most ${MAX_RANGE_DAYS} days (5 years)` },
    ]);
}
