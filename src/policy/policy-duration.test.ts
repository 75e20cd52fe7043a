import { describe, expect, it } from 'vitest';
import {
  addCalendarDuration,
  businessMilliseconds,
  DURATION_EXPECTED,
  duration,
  isZeroDuration,
  parseDuration,
  wallMilliseconds,
} from './policy-duration.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['15 minutes', { minutes: 15 }],
    ['1 minute', { minutes: 1 }],
    ['90 minutes', { minutes: 90 }],
    ['4 hours', { hours: 4 }],
    ['1 hour', { hours: 1 }],
    ['1 hour 30 minutes', { hours: 1, minutes: 30 }],
    ['1 day', { days: 1 }],
    ['3 days', { days: 3 }],
    ['10 days', { days: 10 }],
    ['2 weeks', { weeks: 2 }],
    ['24 months', { months: 24 }],
    ['12 months', { months: 12 }],
    ['1 year', { years: 1 }],
    ['  4 Hours ', { hours: 4 }],
    ['PT15M', { minutes: 15 }],
    ['PT1H30M', { hours: 1, minutes: 30 }],
    ['P1D', { days: 1 }],
    ['P24M', { months: 24 }],
    ['P1Y2M3W4DT5H6M', { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6 }],
  ])('reads %j', (text, parts) => {
    const result = parseDuration(text);
    expect(result).toEqual({
      ok: true,
      duration: { text, years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, ...parts },
    });
  });

  it.each([
    'fifteen',
    '',
    '15',
    'minutes',
    '15 mins',
    '1 hour 2 hours',
    '1.5 hours',
    '-3 days',
    'P',
    'PT',
    'PT30S',
    'P1.5D',
    '15 minutes ago',
  ])('refuses %j and says what it expected', (text) => {
    expect(parseDuration(text)).toEqual({ ok: false, expected: DURATION_EXPECTED });
  });

  it('keeps the text as written for display', () => {
    expect(duration('1 hour 30 minutes').text).toBe('1 hour 30 minutes');
  });

  it('reports zero durations so the schema can refuse them', () => {
    expect(isZeroDuration(duration('0 minutes'))).toBe(true);
    expect(isZeroDuration(duration('PT1M'))).toBe(false);
  });

  it('throws from duration() on bad input', () => {
    expect(() => duration('soon')).toThrow(RangeError);
  });
});

describe('wallMilliseconds', () => {
  it.each([
    ['15 minutes', 15 * MIN],
    ['1 hour 30 minutes', 90 * MIN],
    ['72 hours', 72 * HOUR],
    ['3 days', 3 * DAY],
    ['2 weeks', 14 * DAY],
  ])('%s is %d ms of elapsed time', (text, ms) => {
    expect(wallMilliseconds(duration(text))).toBe(ms);
  });

  it('refuses months and years, whose length depends on the date', () => {
    expect(() => wallMilliseconds(duration('1 month'))).toThrow(/months/);
    expect(() => wallMilliseconds(duration('P1Y'))).toThrow(/years/);
  });
});

describe('businessMilliseconds', () => {
  const businessDay = 8 * HOUR;

  it.each([
    ['1 hour', HOUR],
    ['4 hours', 4 * HOUR],
    ['1 day', 8 * HOUR],
    ['3 days', 24 * HOUR],
    ['1 day 2 hours 30 minutes', 10 * HOUR + 30 * MIN],
  ])('%s is %d ms of business time', (text, ms) => {
    expect(businessMilliseconds(duration(text), businessDay)).toBe(ms);
  });

  it('follows the configured length of a business day', () => {
    expect(businessMilliseconds(duration('2 days'), 7.5 * HOUR)).toBe(15 * HOUR);
  });

  it('refuses weeks, months and years', () => {
    expect(() => businessMilliseconds(duration('1 week'), businessDay)).toThrow(/weeks/);
    expect(() => businessMilliseconds(duration('1 month'), businessDay)).toThrow(/months/);
  });
});

describe('addCalendarDuration', () => {
  const at = (iso: string) => new Date(iso);

  it('adds months on the local calendar, clamping to the end of a shorter month', () => {
    expect(addCalendarDuration(at('2026-01-31T12:00:00Z'), duration('1 month'), 'Europe/London')).toEqual(
      at('2026-02-28T12:00:00Z'),
    );
    expect(addCalendarDuration(at('2026-04-07T09:00:00Z'), duration('24 months'), 'Europe/London')).toEqual(
      at('2028-04-07T09:00:00Z'),
    );
  });

  it('keeps the local time of day across a DST change when adding days', () => {
    // 28 March 2026 12:00 GMT; the clocks go forward on the 29th, so the local noon after is 11:00Z.
    expect(addCalendarDuration(at('2026-03-28T12:00:00Z'), duration('1 day'), 'Europe/London')).toEqual(
      at('2026-03-29T11:00:00Z'),
    );
  });

  it('adds years', () => {
    expect(addCalendarDuration(at('2026-06-01T00:00:00Z'), duration('1 year'), 'UTC')).toEqual(
      at('2027-06-01T00:00:00Z'),
    );
  });
});
