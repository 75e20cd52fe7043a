/**
 * Small phrasing helpers for the trust-centre page: how a duration on a
 * clock, a list of names or a weekday reads in a sentence. Pure.
 */

import type { Duration } from '../policy/policy-duration.ts';
import type { ClockKind, ClockSpec } from '../policy/policy-types.ts';

/** A duration as the policy wrote it, trimmed: `4 hours`, `P1D`. */
export function durationText(d: Duration): string {
  return d.text.trim();
}

/** How a clock counts, as a short note: business time only, or around the clock. */
export function clockNote(clock: ClockKind | 'calendar'): string {
  if (clock === 'business') return 'business time';
  if (clock === 'calendar') return 'calendar time';
  return 'around the clock';
}

/** `15 minutes (around the clock)`. */
export function specText(spec: ClockSpec): string {
  return `${durationText(spec.within)} (${clockNote(spec.clock)})`;
}

/** `a, b and c`; the empty list reads `none`. */
export function joinWords(items: readonly string[], last = 'and'): string {
  if (items.length === 0) return 'none';
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

/** `monday` → `Monday`. */
export function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** An id such as `risk_to_rights` as words: `risk to rights`. */
export function idWords(id: string): string {
  return id.replace(/[_-]+/g, ' ');
}
