import { z } from 'zod';

/**
 * Timestamps as senders write them. `Date.parse` is not used on its own
 * because it accepts implementation-defined forms (`"3/22/2019 1:36:33 PM"`
 * is read in the server's local zone); each form here is parsed explicitly.
 */

// ISO 8601 / RFC 3339: any number of fractional digits (Azure writes 7,
// Alertmanager up to 9), offsets `Z`, `+00:00` or `+0000` (PagerDuty docs);
// a bare date (budget period starts) is midnight UTC.
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

// .NET invariant-culture date time as older Azure payloads write it:
// `3/22/2019 1:36:33 PM`, optionally followed by an offset (`-08:00`).
const US_DATE_TIME =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])(?: ?([+-]\d{2}):?(\d{2}))?$/;

/**
 * Parses an ISO 8601 instant or a US-style Azure date time. A value without
 * an offset is read as UTC (Azure writes UTC without a designator in several
 * places). Returns undefined for anything else, or for impossible dates.
 *
 * @example parseInstant('2019-03-22T13:58:24.3713213Z') // 2019-03-22T13:58:24.371Z
 * @example parseInstant('3/22/2019 1:36:33 PM') // 2019-03-22T13:36:33.000Z
 */
export function parseInstant(text: string): Date | undefined {
  const value = text.trim();
  const iso = ISO_INSTANT.exec(value);
  if (iso) {
    const [, y, mo, d, h, mi, s, fraction, offset] = iso;
    const ms = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
    const [hour, minute, second] = [Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)];
    return build(Number(y), Number(mo), Number(d), hour, minute, second, ms, offsetMinutes(offset));
  }
  const us = US_DATE_TIME.exec(value);
  if (us) {
    const [, mo, d, y, h, mi, s, meridiem, offH, offM] = us;
    const hour12 = Number(h);
    if (hour12 < 1 || hour12 > 12) return undefined;
    const pm = meridiem?.toUpperCase() === 'PM';
    const hour = (hour12 % 12) + (pm ? 12 : 0);
    const offset = offH === undefined ? 0 : offsetMinutes(`${offH}:${offM}`);
    return build(Number(y), Number(mo), Number(d), hour, Number(mi), Number(s ?? 0), 0, offset);
  }
  return undefined;
}

function offsetMinutes(offset: string | undefined): number {
  if (offset === undefined || offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return Number.NaN;
  return sign * (hours * 60 + minutes);
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offset: number,
): Date | undefined {
  if (!Number.isFinite(offset) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59)
    return undefined;
  if (second > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999, and
  // Alertmanager sends "0001-01-01T00:00:00Z" for a not-yet-reached end.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;
  const instant = new Date(date.getTime() - offset * 60_000);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** A zod schema for a timestamp string, giving a Date (see {@link parseInstant}). */
export const instantSchema = z.string().transform((text, ctx) => {
  const instant = parseInstant(text);
  if (instant === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a valid timestamp: ${JSON.stringify(text.slice(0, 60))}` });
    return z.NEVER;
  }
  return instant;
});

/** True for Alertmanager's zero time (`0001-01-01T00:00:00Z`), meaning "no end yet". */
export function isZeroTime(instant: Date): boolean {
  return instant.getUTCFullYear() <= 1;
}
