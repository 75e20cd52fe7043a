/**
 * The duration grammar of the policy file.
 *
 * A policy writes durations for people ("15 minutes", "1 hour 30 minutes",
 * "3 days") or in ISO 8601 ("PT15M", "P1D", "P24M"). Both parse to one
 * structured {@link Duration}; how the parts turn into time depends on the
 * clock that reads them (wall, business or calendar), so the parts are kept
 * apart rather than folded into milliseconds here.
 */
import { DateTime } from 'luxon';

/** A parsed policy duration. Every part is a non-negative whole number. */
export interface Duration {
  /** The text as written in the policy, kept for display. */
  text: string;
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
}

/** The parts of a {@link Duration}, largest first. */
export type DurationUnit = 'years' | 'months' | 'weeks' | 'days' | 'hours' | 'minutes';

export const DURATION_UNITS: readonly DurationUnit[] = [
  'years',
  'months',
  'weeks',
  'days',
  'hours',
  'minutes',
];

/** What a duration string should look like; used verbatim in validation errors. */
export const DURATION_EXPECTED = 'a duration such as "15 minutes", "4 hours", "3 days" or ISO 8601 "PT15M"';

export type DurationParseResult = { ok: true; duration: Duration } | { ok: false; expected: string };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const UNIT_WORDS: Readonly<Record<string, DurationUnit>> = {
  year: 'years',
  years: 'years',
  month: 'months',
  months: 'months',
  week: 'weeks',
  weeks: 'weeks',
  day: 'days',
  days: 'days',
  hour: 'hours',
  hours: 'hours',
  minute: 'minutes',
  minutes: 'minutes',
};

const HUMAN_PART = /(\d+)\s*([a-z]+)/gy;
// Seconds are deliberately absent: no clock in the policy is finer than a minute.
const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

function emptyDuration(text: string): Duration {
  return { text, years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0 };
}

function parseHuman(text: string): Duration | null {
  const source = text.toLowerCase();
  const duration = emptyDuration(text);
  const seen = new Set<DurationUnit>();
  let position = 0;
  while (position < source.length) {
    HUMAN_PART.lastIndex = position;
    const match = HUMAN_PART.exec(source);
    const unit = match ? UNIT_WORDS[match[2] ?? ''] : undefined;
    // A unit may appear once; "1 hour 2 hours" is more likely a typo than intent.
    if (!match || !unit || seen.has(unit)) return null;
    seen.add(unit);
    duration[unit] = Number(match[1]);
    position = HUMAN_PART.lastIndex;
    while (source[position] === ' ') position += 1;
  }
  return seen.size > 0 ? duration : null;
}

function parseIso(text: string): Duration | null {
  const match = ISO_DURATION.exec(text.toUpperCase());
  // "P" and "PT" alone match the pattern but name no amount of time.
  if (!match || match.slice(1).every((part) => part === undefined)) return null;
  const [, years, months, weeks, days, hours, minutes] = match;
  return {
    text,
    years: Number(years ?? 0),
    months: Number(months ?? 0),
    weeks: Number(weeks ?? 0),
    days: Number(days ?? 0),
    hours: Number(hours ?? 0),
    minutes: Number(minutes ?? 0),
  };
}

/**
 * Parses a policy duration.
 *
 * @example
 * parseDuration('1 hour 30 minutes'); // { ok: true, duration: { hours: 1, minutes: 30, ... } }
 * parseDuration('PT15M');             // { ok: true, duration: { minutes: 15, ... } }
 * parseDuration('fifteen');           // { ok: false, expected: DURATION_EXPECTED }
 */
export function parseDuration(text: string): DurationParseResult {
  const trimmed = text.trim();
  const duration = /^p/i.test(trimmed) ? parseIso(trimmed) : parseHuman(trimmed);
  return duration
    ? { ok: true, duration: { ...duration, text } }
    : { ok: false, expected: DURATION_EXPECTED };
}

/** Parses a duration, throwing a RangeError on bad input. Meant for tests and constants. */
export function duration(text: string): Duration {
  const result = parseDuration(text);
  if (!result.ok) throw new RangeError(`expected ${result.expected}, found ${JSON.stringify(text)}`);
  return result.duration;
}

/** True when every part is zero. */
export function isZeroDuration(d: Duration): boolean {
  return DURATION_UNITS.every((unit) => d[unit] === 0);
}

/** The units that have a non-zero amount, largest first. */
export function usedUnits(d: Duration): DurationUnit[] {
  return DURATION_UNITS.filter((unit) => d[unit] !== 0);
}

function rejectUnits(d: Duration, banned: readonly DurationUnit[], clock: string): void {
  const found = banned.filter((unit) => d[unit] !== 0);
  if (found.length > 0) {
    throw new RangeError(`${clock} duration "${d.text}" may not use ${found.join(' or ')}`);
  }
}

/**
 * Elapsed (wall) time of a duration in milliseconds: a day is 24 hours and a
 * week 7 days, whatever a DST change does to the local day.
 *
 * @throws RangeError when the duration uses months or years, whose length depends on the date.
 */
export function wallMilliseconds(d: Duration): number {
  rejectUnits(d, ['years', 'months'], 'a wall-clock');
  return d.weeks * 7 * DAY_MS + d.days * DAY_MS + d.hours * HOUR_MS + d.minutes * MINUTE_MS;
}

/**
 * Business time of a duration in milliseconds: each day is one business day
 * of `businessDayMs` (closing time minus opening time), hours and minutes are
 * business hours and minutes.
 *
 * @param businessDayMs length of one business day in milliseconds, e.g. 8 h.
 * @throws RangeError when the duration uses weeks, months or years.
 */
export function businessMilliseconds(d: Duration, businessDayMs: number): number {
  rejectUnits(d, ['years', 'months', 'weeks'], 'a business-clock');
  return d.days * businessDayMs + d.hours * HOUR_MS + d.minutes * MINUTE_MS;
}

/**
 * Adds a duration on the local calendar of `timeZone`: "24 months" after
 * 2026-01-31 is 2028-01-31, and "1 day" keeps the local time across a DST
 * change. Used for retention and exercise schedules.
 *
 * @param instant the UTC instant to start from.
 * @param timeZone IANA zone whose calendar the months and days follow.
 */
export function addCalendarDuration(instant: Date, d: Duration, timeZone: string): Date {
  const { years, months, weeks, days, hours, minutes } = d;
  return DateTime.fromJSDate(instant, { zone: timeZone })
    .plus({ years, months, weeks, days, hours, minutes })
    .toJSDate();
}
