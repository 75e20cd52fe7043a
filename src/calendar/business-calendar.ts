/**
 * Business-time arithmetic over the policy's working week, opening hours, public holidays and
 * closure dates, in one IANA time zone.
 *
 * Each business day is one window of instants [opening, closing), computed once per local date
 * and cached; every operation steps window by window, so adding ten business days touches about
 * fourteen windows instead of thousands of minutes.
 */

import type { IANAZone } from 'luxon';
import {
  DAY_MS,
  dateKeyOf,
  MINUTE_MS,
  type ResolvedCalendarConfig,
  resolveCalendarConfig,
} from './business-days.ts';
import type { BusinessCalendar, BusinessCalendarConfig } from './calendar-types.ts';

/** One local date's business hours as UTC epoch milliseconds; `open < close`. */
interface Window {
  open: number;
  close: number;
}

/**
 * How many consecutive local dates may pass without business hours before a search gives up.
 * Only a calendar whose closures and holidays swallow years on end gets there; without the limit
 * it would loop forever.
 */
const MAX_DAYS_WITHOUT_BUSINESS = 3_660;

/** Cached windows kept at most; a long-running process asked about many distant dates starts over. */
const MAX_CACHED_WINDOWS = 20_000;

/**
 * Creates the business calendar described by `config`.
 *
 * Opening and closing are local times in `config.timeZone`, so 09:00 in Europe/London is 08:00Z
 * in summer (BST) and 09:00Z in winter (GMT). On a date whose DST change falls inside the
 * opening hours, the office opens when the local clock first reads `opensAt` and closes when it
 * first reads `closesAt`, so that business day is an hour shorter or longer than
 * {@link BusinessCalendar.businessDayMs}. The calendar is pure: it never reads the clock.
 *
 * @example
 * const calendar = createBusinessCalendar({
 *   timeZone: 'Europe/London',
 *   workingDays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
 *   opensAt: '09:00',
 *   closesAt: '17:00',
 *   holidays: { country: 'GB', subdivision: 'ENG' },
 *   closures: [],
 * });
 * calendar.addBusinessDuration(new Date('2026-04-02T15:00:00Z'), 2 * 3_600_000);
 * // 2026-04-07T09:00:00Z: Good Friday, the weekend and Easter Monday are skipped
 *
 * @throws ValidationFailed when the configuration is unusable (no working day, a time that is
 *   not HH:MM, opening not before closing, an unknown time zone or holiday region, a bad closure date).
 */
export function createBusinessCalendar(config: BusinessCalendarConfig): BusinessCalendar {
  const resolved = resolveCalendarConfig(config);
  const windowOf = createWindowCache(resolved);

  const windowsFrom = (ms: number) => windowsEndingAfter(windowOf, ms);

  function isBusinessTime(t: Date): boolean {
    const ms = epochMsOf(t);
    const window = windowsFrom(ms).next().value;
    return window.open <= ms;
  }

  function nextBusinessOpening(t: Date): Date {
    const ms = epochMsOf(t);
    const window = windowsFrom(ms).next().value;
    return new Date(Math.max(ms, window.open));
  }

  function addBusinessDuration(t: Date, durationMs: number): Date {
    const ms = epochMsOf(t);
    if (!Number.isFinite(durationMs) || durationMs < 0) {
      throw new RangeError(
        `Business duration must be a finite number of milliseconds >= 0, got ${durationMs}`,
      );
    }
    if (durationMs === 0) return new Date(ms);
    let remaining = durationMs;
    for (const window of windowsFrom(ms)) {
      const start = Math.max(ms, window.open);
      const available = window.close - start;
      // `<=` and not `<`: a duration that ends exactly at closing ends there (Monday 09:00 + 8 h
      // is Monday 17:00), not at the next opening.
      if (remaining <= available) return new Date(start + remaining);
      remaining -= available;
    }
    throw new Error('unreachable: windowsFrom never ends');
  }

  function businessDurationBetween(a: Date, b: Date): number {
    const from = epochMsOf(a);
    const to = epochMsOf(b);
    if (to < from) return -businessDurationBetween(b, a);
    let total = 0;
    for (const window of windowsFrom(from)) {
      if (window.open >= to) break;
      total += Math.min(window.close, to) - Math.max(window.open, from);
    }
    return total;
  }

  return {
    config: freezeConfig(config),
    businessDayMs: (resolved.closesAtMinute - resolved.opensAtMinute) * MINUTE_MS,
    isBusinessTime,
    nextBusinessOpening,
    addBusinessDuration,
    businessDurationBetween,
  };
}

/** The business windows that end after `ms`, in order; the first one may contain `ms`. */
function* windowsEndingAfter(
  windowOf: (dayNumber: number) => Window | null,
  ms: number,
): Generator<Window, never> {
  let idleDays = 0;
  for (let day = firstCandidateDayOf(ms); ; day++) {
    const window = windowOf(day);
    if (window !== null && ms < window.close) {
      idleDays = 0;
      yield window;
    } else if (++idleDays > MAX_DAYS_WITHOUT_BUSINESS) {
      throw new Error(
        `Business calendar: no business hours in the ${MAX_DAYS_WITHOUT_BUSINESS} days after ${dateKeyOf(day - idleDays)}`,
      );
    }
  }
}

/**
 * The earliest local date whose business window could still be open at `ms`: the UTC date of
 * `ms` minus one, because UTC offsets stay within -12 h and +14 h. Starting there and skipping
 * windows that have closed avoids asking the time zone for the local date of `ms` (an Intl call
 * costing microseconds) on every operation; the cached windows alone decide.
 */
function firstCandidateDayOf(ms: number): number {
  return Math.floor(ms / DAY_MS) - 1;
}

function epochMsOf(t: Date): number {
  const ms = t.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Business calendar: invalid Date');
  return ms;
}

/** A copy the caller cannot change behind the calendar's back (the cached windows would go stale). */
function freezeConfig(config: BusinessCalendarConfig): BusinessCalendarConfig {
  return Object.freeze({
    ...config,
    workingDays: Object.freeze([...config.workingDays]),
    closures: Object.freeze([...config.closures]),
    holidays: config.holidays && Object.freeze({ ...config.holidays }),
  });
}

/** Returns the window of a local date (a day number), or `null` on a non-business day; memoised. */
function createWindowCache(resolved: ResolvedCalendarConfig): (dayNumber: number) => Window | null {
  const cache = new Map<number, Window | null>();
  return (dayNumber) => {
    let window = cache.get(dayNumber);
    if (window === undefined) {
      window = computeWindow(resolved, dayNumber);
      if (cache.size >= MAX_CACHED_WINDOWS) cache.clear();
      cache.set(dayNumber, window);
    }
    return window;
  };
}

function computeWindow(resolved: ResolvedCalendarConfig, dayNumber: number): Window | null {
  if (!resolved.isBusinessDay(dayNumber)) return null;
  const midnight = dayNumber * DAY_MS;
  const open = firstInstantAtWallTime(resolved.zone, midnight + resolved.opensAtMinute * MINUTE_MS);
  const close = firstInstantAtWallTime(resolved.zone, midnight + resolved.closesAtMinute * MINUTE_MS);
  // Only hours lying wholly inside a spring-forward gap can collapse; such a day has no business time.
  return open < close ? { open, close } : null;
}

/**
 * The first instant at which the local clock of `zone` reads `wallMs` or later, where `wallMs`
 * is the local date and time written as if it were UTC epoch milliseconds.
 *
 * Built from UTC offsets rather than luxon's `DateTime.fromObject`, because luxon resolves an
 * ambiguous autumn time to the later instant and shifts a time inside a spring gap forward by
 * the gap; the office opens at the first moment the clock shows the time, which is the earlier
 * instant of a repeated time and the instant of the jump for a skipped one.
 */
function firstInstantAtWallTime(zone: IANAZone, wallMs: number): number {
  // The instant lies within 14 h of wallMs (the largest UTC offsets), so the offsets a day either
  // side are those before and after any DST change that could matter.
  const offsetBefore = zone.offset(wallMs - DAY_MS) * MINUTE_MS;
  const offsetAfter = zone.offset(wallMs + DAY_MS) * MINUTE_MS;
  const candidates = [wallMs - offsetBefore, wallMs - offsetAfter].filter(
    (instant) => instant + zone.offset(instant) * MINUTE_MS === wallMs,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // A skipped (spring-forward) time: find the instant of the jump, which lies in
  // (wallMs - offsetAfter, wallMs - offsetBefore], by bisection on milliseconds.
  let low = wallMs - offsetAfter;
  let high = wallMs - offsetBefore;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) * MINUTE_MS === offsetAfter) high = middle;
    else low = middle;
  }
  return high;
}
