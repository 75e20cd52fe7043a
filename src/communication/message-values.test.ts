import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatInstant } from './message-values.ts';

/** What messages were written with before the formatter was cached: stored messages hold this text. */
const luxonText = (at: Date, zone: string) =>
  DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat('d LLLL yyyy, HH:mm ZZZZ');

const ZONES = [
  'Europe/London',
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'America/St_Johns',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Pacific/Apia',
];

describe('formatInstant', () => {
  it.each([
    ['2026-04-07T14:00:00Z', 'Europe/London', '7 April 2026, 15:00 BST'],
    ['2026-01-07T00:05:00Z', 'Europe/London', '7 January 2026, 00:05 GMT'],
    ['2026-03-29T00:59:59Z', 'Europe/London', '29 March 2026, 00:59 GMT'],
    ['2026-03-29T01:00:00Z', 'Europe/London', '29 March 2026, 02:00 BST'],
    ['2026-07-01T04:00:00Z', 'America/New_York', '1 July 2026, 00:00 GMT-4'],
  ])('writes %s in %s as %s', (iso, zone, text) => {
    expect(formatInstant(new Date(iso), zone)).toBe(text);
  });

  it('writes exactly what luxon wrote, across zones, DST changes and midnights', () => {
    // Every 41 h 31 min for two years: the steps drift through every hour and minute of the day.
    const start = Date.parse('2025-10-01T00:00:00Z');
    let compared = 0;
    for (const zone of ZONES) {
      for (let t = start; t < start + 2 * 365 * 86_400_000; t += 2_491 * 60_000) {
        const at = new Date(t);
        expect(formatInstant(at, zone), `${at.toISOString()} in ${zone}`).toBe(luxonText(at, zone));
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(4_000);
  });

  it('writes the instants at DST changes like luxon', () => {
    for (const iso of [
      '2026-10-25T00:00:00Z',
      '2026-10-25T01:00:00Z',
      '2026-03-08T05:00:00Z',
      '2026-03-08T07:00:00Z',
    ]) {
      for (const zone of ZONES)
        expect(formatInstant(new Date(iso), zone)).toBe(luxonText(new Date(iso), zone));
    }
  });

  it('falls back to luxon for a zone Intl does not know', () => {
    const at = new Date('2026-04-07T14:00:00Z');
    expect(formatInstant(at, 'Mars/Olympus_Mons')).toBe(luxonText(at, 'Mars/Olympus_Mons'));
  });
});
