import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/support/seeded-random.ts';
import { ValidationFailed } from '../platform/errors.ts';
import { createBusinessCalendar } from './business-calendar.ts';
import type { BusinessCalendarConfig } from './calendar-types.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const LONDON: BusinessCalendarConfig = {
  timeZone: 'Europe/London',
  workingDays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  opensAt: '09:00',
  closesAt: '17:00',
  holidays: { country: 'GB', subdivision: 'ENG' },
  closures: [],
};

const calendar = createBusinessCalendar(LONDON);
const at = (iso: string): Date => new Date(iso);

describe('isBusinessTime', () => {
  it.each([
    ['winter Monday, exactly at opening', '2026-01-05T09:00:00+00:00', true],
    ['winter Monday, exactly at closing', '2026-01-05T17:00:00+00:00', false],
    ['winter Monday, the last millisecond before closing', '2026-01-05T16:59:59.999+00:00', true],
    ['winter Monday, the last millisecond before opening', '2026-01-05T08:59:59.999+00:00', false],
    ['winter Monday, midday', '2026-01-05T12:00:00Z', true],
    ['winter Monday, night', '2026-01-05T23:30:00Z', false],
    ['Saturday midday', '2026-01-10T12:00:00+00:00', false],
    ['Sunday midday', '2026-01-11T12:00:00+00:00', false],
    ['bank holiday (Spring bank holiday) midday', '2026-05-25T12:00:00+01:00', false],
    ['substitute bank holiday (28 Dec) midday', '2026-12-28T12:00:00+00:00', false],
    ['summer (BST): 09:00 local is inside', '2026-07-01T09:00:00+01:00', true],
    ['summer (BST): the same instant written in UTC', '2026-07-01T08:00:00Z', true],
    ['summer (BST): 08:30Z is 09:30 local', '2026-07-01T08:30:00Z', true],
    ['summer (BST): 07:59:59.999Z is before opening', '2026-07-01T07:59:59.999Z', false],
    ['summer (BST): 16:00Z is 17:00 local, closed', '2026-07-01T16:00:00Z', false],
    ['winter (GMT): 08:30Z is 08:30 local, not yet open', '2026-01-05T08:30:00Z', false],
    ['winter (GMT): 16:30Z is 16:30 local, open', '2026-01-05T16:30:00Z', true],
  ])('%s: %s -> %s', (_name, iso, expected) => {
    expect(calendar.isBusinessTime(at(iso))).toBe(expected);
  });

  it.each([
    '2026-01-01',
    '2026-04-03',
    '2026-04-06',
    '2026-05-04',
    '2026-05-25',
    '2026-08-31',
    '2026-12-25',
    '2026-12-28',
  ])('England and Wales bank holiday %s has no business time', (date) => {
    const noon = DateTime.fromISO(`${date}T12:00`, { zone: 'Europe/London' }).toJSDate();
    expect(calendar.isBusinessTime(noon)).toBe(false);
    expect(calendar.nextBusinessOpening(noon).getTime()).toBeGreaterThan(noon.getTime());
  });

  it('counts 253 business days (8 h each) in 2026', () => {
    expect(calendar.businessDurationBetween(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toBe(
      253 * 8 * HOUR,
    );
  });
});

describe('addBusinessDuration', () => {
  it.each([
    ['DST spring weekend', '2026-03-27T16:00:00+00:00', 2 * HOUR, '2026-03-30T10:00:00+01:00'],
    ['DST autumn weekend', '2026-10-23T16:00:00+01:00', 2 * HOUR, '2026-10-26T10:00:00+00:00'],
    ['Good Friday to Easter Monday', '2026-04-02T16:00:00+01:00', 2 * HOUR, '2026-04-07T10:00:00+01:00'],
    ['Christmas, substitute 28 Dec', '2026-12-24T16:00:00+00:00', 2 * HOUR, '2026-12-29T10:00:00+00:00'],
    ['Saturday: from Monday opening', '2026-01-10T12:00:00+00:00', HOUR, '2026-01-12T10:00:00+00:00'],
    ['Sunday + 8 h: Monday closing', '2026-01-11T12:00:00+00:00', 8 * HOUR, '2026-01-12T17:00:00+00:00'],
    ['summer Saturday', '2026-07-04T12:00:00+01:00', HOUR, '2026-07-06T10:00:00+01:00'],
    ['Mon 09:00 + 8 h (not Tue 09:00)', '2026-01-05T09:00:00+00:00', 8 * HOUR, '2026-01-05T17:00:00+00:00'],
    ['at closing + 1 min', '2026-01-05T17:00:00+00:00', MINUTE, '2026-01-06T09:01:00+00:00'],
    ['at closing + 0', '2026-01-05T17:00:00+00:00', 0, '2026-01-05T17:00:00+00:00'],
    ['Saturday + 0 stays put', '2026-01-10T12:00:00+00:00', 0, '2026-01-10T12:00:00+00:00'],
    ['a minute before opening', '2026-01-05T08:59:00+00:00', MINUTE, '2026-01-05T09:01:00+00:00'],
    ['1 business day from Mon 10:00', '2026-01-05T10:00:00+00:00', 8 * HOUR, '2026-01-06T10:00:00+00:00'],
    ['night: Monday 22:00', '2026-01-05T22:00:00+00:00', HOUR, '2026-01-06T10:00:00+00:00'],
    ['early morning: Tuesday 07:00', '2026-01-06T07:00:00+00:00', 30 * MINUTE, '2026-01-06T09:30:00+00:00'],
    ['Friday 16:30 BST', '2026-06-05T16:30:00+01:00', HOUR, '2026-06-08T09:30:00+01:00'],
    ['10 days over 25 May holiday', '2026-05-18T10:00:00+01:00', 80 * HOUR, '2026-06-02T10:00:00+01:00'],
    ['10 days over Christmas, 1 Jan', '2026-12-23T14:30:00+00:00', 80 * HOUR, '2027-01-11T14:30:00+00:00'],
    ['a week from Wednesday 13:15', '2026-02-11T13:15:00+00:00', 40 * HOUR, '2026-02-18T13:15:00+00:00'],
    ['one millisecond to closing', '2026-01-05T16:59:59.999+00:00', 1, '2026-01-05T17:00:00+00:00'],
  ])('%s: %s + %d ms = %s', (_name, start, durationMs, expected) => {
    expect(calendar.addBusinessDuration(at(start), durationMs).toISOString()).toBe(
      at(expected).toISOString(),
    );
  });

  it('throws a RangeError for a negative or non-finite duration', () => {
    const monday = at('2026-01-05T10:00:00Z');
    expect(() => calendar.addBusinessDuration(monday, -1)).toThrow(RangeError);
    expect(() => calendar.addBusinessDuration(monday, Number.NaN)).toThrow(RangeError);
    expect(() => calendar.addBusinessDuration(monday, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('throws a RangeError for an invalid Date', () => {
    expect(() => calendar.addBusinessDuration(at('not a date'), HOUR)).toThrow(RangeError);
    expect(() => calendar.isBusinessTime(at('not a date'))).toThrow(RangeError);
  });

  it('returns a new Date and leaves the argument alone', () => {
    const start = at('2026-01-05T10:00:00Z');
    const result = calendar.addBusinessDuration(start, 0);
    expect(result).not.toBe(start);
    expect(result.getTime()).toBe(start.getTime());
  });
});

describe('businessDurationBetween', () => {
  it.each([
    ['same day', '2026-01-05T10:00:00Z', '2026-01-05T12:30:00Z', 2.5 * HOUR],
    ['a == b', '2026-01-05T10:00:00Z', '2026-01-05T10:00:00Z', 0],
    ['a == b outside hours', '2026-01-10T10:00:00Z', '2026-01-10T10:00:00Z', 0],
    ['inside one night', '2026-01-05T18:00:00Z', '2026-01-06T08:00:00Z', 0],
    ['across a night', '2026-01-05T16:00:00Z', '2026-01-06T10:00:00Z', 2 * HOUR],
    ['across a weekend', '2026-01-09T16:00:00Z', '2026-01-12T10:00:00Z', 2 * HOUR],
    ['reversed arguments give the negative', '2026-01-12T10:00:00Z', '2026-01-09T16:00:00Z', -2 * HOUR],
    ['opening to closing', '2026-01-05T09:00:00Z', '2026-01-05T17:00:00Z', 8 * HOUR],
    ['a whole week', '2026-01-05T09:00:00Z', '2026-01-12T09:00:00Z', 40 * HOUR],
    ['the week of Easter Monday', '2026-04-06T00:00:00+01:00', '2026-04-13T00:00:00+01:00', 32 * HOUR],
    ['DST spring weekend', '2026-03-27T16:00:00+00:00', '2026-03-30T10:00:00+01:00', 2 * HOUR],
    ['DST spring weekend, whole days', '2026-03-27T09:00:00+00:00', '2026-03-30T17:00:00+01:00', 16 * HOUR],
    ['DST autumn weekend', '2026-10-23T16:00:00+01:00', '2026-10-26T10:00:00+00:00', 2 * HOUR],
    ['DST autumn weekend, whole days', '2026-10-23T09:00:00+01:00', '2026-10-26T17:00:00+00:00', 16 * HOUR],
    ['Christmas to New Year', '2026-12-24T00:00:00Z', '2027-01-04T00:00:00Z', 4 * 8 * HOUR],
  ])('%s: [%s, %s) = %d ms', (_name, a, b, expected) => {
    expect(calendar.businessDurationBetween(at(a), at(b))).toBe(expected);
  });
});

describe('nextBusinessOpening', () => {
  it.each([
    ['inside business hours: t itself', '2026-01-05T10:17:23.456Z', '2026-01-05T10:17:23.456Z'],
    ['exactly at opening: t itself', '2026-01-05T09:00:00Z', '2026-01-05T09:00:00Z'],
    ['before opening', '2026-01-05T08:59:00Z', '2026-01-05T09:00:00Z'],
    ['Friday at closing', '2026-01-09T17:00:00Z', '2026-01-12T09:00:00Z'],
    ['summer Saturday', '2026-07-04T12:00:00+01:00', '2026-07-06T09:00:00+01:00'],
    ['Christmas Eve after closing', '2026-12-24T17:00:00Z', '2026-12-29T09:00:00Z'],
    ['Saturday of the spring DST change', '2026-03-28T12:00:00Z', '2026-03-30T09:00:00+01:00'],
  ])('%s: %s -> %s', (_name, iso, expected) => {
    expect(calendar.nextBusinessOpening(at(iso)).toISOString()).toBe(at(expected).toISOString());
  });
});

describe('with a closure date (Monday 2026-06-15)', () => {
  const closed = createBusinessCalendar({ ...LONDON, closures: ['2026-06-15'] });

  it('has no business time on the closure date', () => {
    expect(closed.isBusinessTime(at('2026-06-15T12:00:00+01:00'))).toBe(false);
    expect(closed.isBusinessTime(at('2026-06-16T09:00:00+01:00'))).toBe(true);
  });

  it.each([
    ['Friday 16:00 + 2 h', '2026-06-12T16:00:00+01:00', 2 * HOUR, '2026-06-16T10:00:00+01:00'],
    ['closure day + 1 h', '2026-06-15T10:00:00+01:00', HOUR, '2026-06-16T10:00:00+01:00'],
  ])('addBusinessDuration skips it: %s', (_name, start, durationMs, expected) => {
    expect(closed.addBusinessDuration(at(start), durationMs).toISOString()).toBe(at(expected).toISOString());
  });

  it('businessDurationBetween leaves it out', () => {
    expect(
      closed.businessDurationBetween(at('2026-06-12T09:00:00+01:00'), at('2026-06-16T09:00:00+01:00')),
    ).toBe(8 * HOUR);
  });
});

describe('hours that contain a DST change (Sundays 00:30-02:30 London)', () => {
  const night = createBusinessCalendar({
    ...LONDON,
    workingDays: ['sunday'],
    opensAt: '00:30',
    closesAt: '02:30',
    holidays: null,
  });

  it('reports the nominal business day length', () => {
    expect(night.businessDayMs).toBe(2 * HOUR);
  });

  it.each([
    // 01:00 GMT jumps to 02:00 BST: open 00:30Z, close when the clock first reads 02:30 (01:30Z).
    ['spring Sunday is 1 h long', '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z', HOUR],
    // 02:00 BST falls back to 01:00 GMT: open at the first 00:30 (23:30Z), close at 02:30 GMT.
    ['autumn Sunday is 3 h long', '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', 3 * HOUR],
  ])('%s', (_name, a, b, expected) => {
    expect(night.businessDurationBetween(at(a), at(b))).toBe(expected);
  });

  it('opens at the first of two 00:30s in autumn', () => {
    expect(night.nextBusinessOpening(at('2026-10-24T12:00:00Z')).toISOString()).toBe(
      '2026-10-24T23:30:00.000Z',
    );
  });
});

describe('createBusinessCalendar validation', () => {
  it('exposes the configuration and an 8 h business day', () => {
    expect(calendar.businessDayMs).toBe(8 * HOUR);
    expect(calendar.config).toEqual(LONDON);
    expect(Object.isFrozen(calendar.config)).toBe(true);
  });

  it.each([
    ['no working days', { workingDays: [] }, 'workingDays'],
    ['an unknown weekday', { workingDays: ['funday'] }, 'workingDays'],
    ['opensAt without a leading zero', { opensAt: '9:00' }, 'opensAt'],
    ['opensAt with an hour of 25', { opensAt: '25:00' }, 'opensAt'],
    ['closesAt with minutes of 60', { closesAt: '17:60' }, 'closesAt'],
    ['closesAt with seconds', { closesAt: '17:00:00' }, 'closesAt'],
    ['opening after closing', { opensAt: '17:00', closesAt: '09:00' }, 'closesAt'],
    ['opening equal to closing', { opensAt: '09:00', closesAt: '09:00' }, 'closesAt'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['a city that is not an IANA zone', { timeZone: 'London' }, 'timeZone'],
    ['a closure on 30 February', { closures: ['2026-02-30'] }, 'closures'],
    ['a closure in another format', { closures: ['25/12/2026'] }, 'closures'],
    ['an unknown holiday country', { holidays: { country: 'XX' } }, 'holidays.country'],
    ['an unknown subdivision', { holidays: { country: 'GB', subdivision: 'XYZ' } }, 'holidays.subdivision'],
  ])('rejects %s', (_name, change, field) => {
    const config = { ...LONDON, ...change } as BusinessCalendarConfig;
    expect(() => createBusinessCalendar(config)).toThrow(ValidationFailed);
    expect(issueFieldsOf(() => createBusinessCalendar(config))).toContain(field);
  });

  it('lists every problem at once', () => {
    const config = { ...LONDON, timeZone: 'Nowhere', workingDays: [], opensAt: '9am' };
    expect(issueFieldsOf(() => createBusinessCalendar(config))).toEqual([
      'timeZone',
      'opensAt',
      'workingDays',
    ]);
  });

  it('accepts a calendar without public holidays', () => {
    const plain = createBusinessCalendar({ ...LONDON, holidays: null });
    expect(plain.isBusinessTime(at('2026-12-25T10:00:00Z'))).toBe(true);
  });
});

function issueFieldsOf(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationFailed) return error.issues.map((issue) => issue.field);
    throw error;
  }
  throw new Error('expected a ValidationFailed');
}

// ---------------------------------------------------------------------------------------------
// Property checks against pseudo-random starts, and against a naive minute-stepping reference.

const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const YEAR_MS = 365 * 24 * HOUR;
/** Days where mistakes hide: DST changes, bank holidays and the weekends around them. */
const TRICKY_DAYS = ['2026-03-27', '2026-03-29', '2026-03-30', '2026-04-02', '2026-04-03', '2026-04-06']
  .concat(['2026-05-22', '2026-05-25', '2026-10-23', '2026-10-25', '2026-10-26', '2026-12-24', '2026-12-28'])
  .map((day) => Date.parse(`${day}T00:00:00Z`));

function randomStart(random: () => number, wholeMinutes: boolean): number {
  const ms =
    random() < 0.4
      ? TRICKY_DAYS[Math.floor(random() * TRICKY_DAYS.length)]! + Math.floor(random() * 24 * HOUR)
      : YEAR_START + Math.floor(random() * YEAR_MS);
  return wholeMinutes ? ms - (ms % MINUTE) : ms;
}

/** The policy's calendar written out by hand, independent of date-holidays and the window cache. */
const REFERENCE_HOLIDAYS = new Set([
  '2026-01-01',
  '2026-04-03',
  '2026-04-06',
  '2026-05-04',
  '2026-05-25',
  '2026-08-31',
  '2026-12-25',
  '2026-12-28',
  '2027-01-01',
]);

/** Per UTC hour: is the local hour a business hour? London's offsets are whole hours, so minutes follow. */
const referenceHours = new Map<number, boolean>();

function referenceIsBusinessMinute(ms: number): boolean {
  const hourStart = ms - (ms % HOUR);
  let open = referenceHours.get(hourStart);
  if (open === undefined) {
    const local = DateTime.fromMillis(hourStart, { zone: 'Europe/London' });
    open =
      local.weekday <= 5 && !REFERENCE_HOLIDAYS.has(local.toISODate()!) && local.hour >= 9 && local.hour < 17;
    referenceHours.set(hourStart, open);
  }
  return open;
}

function referenceAdd(startMs: number, minutes: number): number {
  let t = startMs;
  for (let remaining = minutes; remaining > 0; t += MINUTE) {
    if (referenceIsBusinessMinute(t)) remaining--;
  }
  return t;
}

function referenceBetween(fromMs: number, toMs: number): number {
  let total = 0;
  for (let t = fromMs; t < toMs; t += MINUTE) if (referenceIsBusinessMinute(t)) total += MINUTE;
  return total;
}

describe('properties over seeded pseudo-random starts in 2026', () => {
  it('addBusinessDuration is the inverse of businessDurationBetween and ends in or at business hours', () => {
    const random = seededRandom(20_261_127);
    for (let i = 0; i < 400; i++) {
      const start = new Date(randomStart(random, false));
      const durationMs = i % 4 === 0 ? 8 * HOUR * (1 + (i % 15)) : Math.floor(random() * 30 * 8 * HOUR);
      const end = calendar.addBusinessDuration(start, durationMs);
      const context = `${start.toISOString()} + ${durationMs} ms = ${end.toISOString()}`;
      expect(calendar.businessDurationBetween(start, end), context).toBe(durationMs);
      expect(calendar.businessDurationBetween(end, start), context).toBe(-durationMs);
      expect(end.getTime(), context).toBeGreaterThanOrEqual(start.getTime());
      if (durationMs === 0) continue;
      const atClosing = !calendar.isBusinessTime(end) && calendar.isBusinessTime(new Date(end.getTime() - 1));
      expect(calendar.isBusinessTime(end) || atClosing, context).toBe(true);
      // Earliest: one millisecond sooner, not all of the duration has elapsed.
      expect(calendar.businessDurationBetween(start, new Date(end.getTime() - 1)), context).toBe(
        durationMs - 1,
      );
    }
  });

  it('nextBusinessOpening is business time with none in between', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 300; i++) {
      const start = new Date(randomStart(random, false));
      const opening = calendar.nextBusinessOpening(start);
      expect(calendar.isBusinessTime(opening), start.toISOString()).toBe(true);
      expect(calendar.businessDurationBetween(start, opening), start.toISOString()).toBe(0);
    }
  });

  it('agrees exactly with a naive minute-stepping reference', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 150; i++) {
      const start = randomStart(random, true);
      const minutes = Math.floor(random() * 16 * 60);
      const expected = referenceAdd(start, minutes);
      const actual = calendar.addBusinessDuration(new Date(start), minutes * MINUTE).getTime();
      const context = `${new Date(start).toISOString()} + ${minutes} min`;
      expect(new Date(actual).toISOString(), context).toBe(new Date(expected).toISOString());
      expect(calendar.isBusinessTime(new Date(start)), context).toBe(referenceIsBusinessMinute(start));
      const end = start + Math.floor(random() * 3 * 24 * 60) * MINUTE;
      expect(calendar.businessDurationBetween(new Date(start), new Date(end)), context).toBe(
        referenceBetween(start, end),
      );
    }
  });
});
