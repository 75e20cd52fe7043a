/**
 * Which local dates are business days, and the validated pieces of a calendar configuration.
 *
 * Local dates are handled as day numbers: whole days since 1970-01-01 on the civil calendar
 * (`Date.UTC(y, m - 1, d) / DAY_MS`). A day number names a date, not an instant, so it is
 * the same in every time zone and steps by plain integer arithmetic.
 */

import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { type FieldIssue, ValidationFailed } from '../platform/errors.ts';
import type { BusinessCalendarConfig, Weekday } from './calendar-types.ts';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** ISO weekday numbers (1 = Monday ... 7 = Sunday), as luxon counts them. */
const WEEKDAY_NUMBERS: Readonly<Record<Weekday, number>> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A validated configuration: the zone resolved, times as minutes after local midnight. */
export interface ResolvedCalendarConfig {
  zone: IANAZone;
  /** Opening time, minutes after local midnight. */
  opensAtMinute: number;
  /** Closing time, minutes after local midnight; always greater than `opensAtMinute`. */
  closesAtMinute: number;
  /** Predicate on day numbers: true when the local date has business hours. */
  isBusinessDay: (dayNumber: number) => boolean;
}

/**
 * Validates `config` and prepares the business-day predicate.
 *
 * @throws ValidationFailed listing every unusable field (field names as in {@link BusinessCalendarConfig}).
 */
export function resolveCalendarConfig(config: BusinessCalendarConfig): ResolvedCalendarConfig {
  const issues: FieldIssue[] = [];
  if (!IANAZone.isValidZone(config.timeZone)) {
    issues.push({ field: 'timeZone', reason: `"${config.timeZone}" is not a valid IANA time zone` });
  }
  const opensAtMinute = parseTimeOfDay('opensAt', config.opensAt, issues);
  const closesAtMinute = parseTimeOfDay('closesAt', config.closesAt, issues);
  if (opensAtMinute !== undefined && closesAtMinute !== undefined && opensAtMinute >= closesAtMinute) {
    issues.push({
      field: 'closesAt',
      reason: `must be later than opensAt (${config.opensAt}) on the same day, got ${config.closesAt}`,
    });
  }
  const workingDays = resolveWorkingDays(config.workingDays, issues);
  const closures = resolveClosures(config.closures, issues);
  const holidaySource = config.holidays && createHolidaySource(config.holidays, issues);
  if (issues.length > 0 || opensAtMinute === undefined || closesAtMinute === undefined) {
    throw new ValidationFailed(issues);
  }
  const holidaysOfYear = createHolidayCache(holidaySource ?? null);
  return {
    zone: IANAZone.create(config.timeZone),
    opensAtMinute,
    closesAtMinute,
    isBusinessDay: (dayNumber) => {
      if (!workingDays.has(weekdayOf(dayNumber))) return false;
      const key = dateKeyOf(dayNumber);
      if (closures.has(key)) return false;
      return !holidaysOfYear(Number(key.slice(0, 4))).has(key);
    },
  };
}

function parseTimeOfDay(field: string, value: string, issues: FieldIssue[]): number | undefined {
  const match = TIME_OF_DAY.exec(value);
  if (!match) {
    issues.push({ field, reason: `"${value}" is not a local time HH:MM (00:00 to 23:59)` });
    return undefined;
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The ISO weekday (1 = Monday ... 7 = Sunday) of a day number; day 0 (1970-01-01) was a Thursday. */
export function weekdayOf(dayNumber: number): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/** The `YYYY-MM-DD` key of a day number. */
export function dateKeyOf(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

function resolveWorkingDays(days: readonly Weekday[], issues: FieldIssue[]): Set<number> {
  const numbers = new Set<number>();
  for (const day of days) {
    const number = WEEKDAY_NUMBERS[day];
    if (number === undefined) {
      issues.push({ field: 'workingDays', reason: `"${day}" is not a weekday name` });
    } else {
      numbers.add(number);
    }
  }
  // Without a working day no business time ever comes, and every addition would search forever.
  if (days.length === 0) {
    issues.push({ field: 'workingDays', reason: 'must name at least one day of the week' });
  }
  return numbers;
}

function resolveClosures(closures: readonly string[], issues: FieldIssue[]): Set<string> {
  for (const date of closures) {
    if (!LOCAL_DATE.test(date) || !DateTime.fromISO(date).isValid) {
      issues.push({ field: 'closures', reason: `"${date}" is not a valid local date YYYY-MM-DD` });
    }
  }
  return new Set(closures);
}

function createHolidaySource(
  holidays: NonNullable<BusinessCalendarConfig['holidays']>,
  issues: FieldIssue[],
): Holidays | undefined {
  const { country, subdivision } = holidays;
  // date-holidays silently falls back to "no holidays" (or the whole country) for unknown codes,
  // which would quietly turn bank holidays into working days; check the codes first.
  const catalogue = new Holidays();
  if (!Object.hasOwn(catalogue.getCountries(), country.toUpperCase())) {
    issues.push({ field: 'holidays.country', reason: `"${country}" is not known to date-holidays` });
    return undefined;
  }
  if (subdivision === undefined) {
    catalogue.init(country);
    return catalogue;
  }
  if (!Object.hasOwn(catalogue.getStates(country) ?? {}, subdivision.toUpperCase())) {
    issues.push({
      field: 'holidays.subdivision',
      reason: `"${subdivision}" is not a subdivision of ${country} in date-holidays`,
    });
    return undefined;
  }
  catalogue.init(country, subdivision);
  return catalogue;
}

/**
 * Returns a lookup of the public holidays of one year as `YYYY-MM-DD` local dates, computed once
 * per year. date-holidays also lists observances and other kinds of day; only `type === 'public'`
 * closes the office. Substitute days (e.g. 2026-12-28 in England) are listed as public with
 * `substitute: true` and count like any other holiday. Weekend originals are listed too; they
 * matter only if the weekend day is configured as a working day.
 */
function createHolidayCache(source: Holidays | null): (year: number) => ReadonlySet<string> {
  const empty = new Set<string>();
  if (source === null) return () => empty;
  const byYear = new Map<number, Set<string>>();
  return (year) => {
    let dates = byYear.get(year);
    if (!dates) {
      dates = new Set(
        source
          .getHolidays(year)
          .filter((holiday) => holiday.type === 'public')
          // `date` is the local date and time in the country's zone, e.g. '2026-12-28 00:00:00'.
          .map((holiday) => holiday.date.slice(0, 10)),
      );
      byYear.set(year, dates);
    }
    return dates;
  };
}
