/**
 * The exercise cadence, as a pure function: the policy asks for a tabletop
 * exercise every `exercises.every` (12 months by default). The next one is
 * due that long after the last completed one, or, before any, that long
 * after Vigil first ran the policy; it is `warning` from `warnBefore` (30
 * days) ahead of that date and `overdue` after it.
 */
import { DateTime } from 'luxon';
import { addCalendarDuration, type Duration } from '../policy/policy-duration.ts';

export type CadenceState = 'on_track' | 'warning' | 'overdue';

export interface ExerciseCadence {
  state: CadenceState;
  /** The last completed exercise's date (`YYYY-MM-DD`), or null. */
  lastCompletedOn: string | null;
  /** When the next exercise is due: start of that local day. */
  nextDueAt: Date;
  /** From when the owner is warned. */
  warnFrom: Date;
}

/** `instant` minus `d` on the local calendar of `timeZone` (the counterpart of addCalendarDuration). */
function subtractCalendarDuration(instant: Date, d: Duration, timeZone: string): Date {
  const { years, months, weeks, days, hours, minutes } = d;
  return DateTime.fromJSDate(instant, { zone: timeZone })
    .minus({ years, months, weeks, days, hours, minutes })
    .toJSDate();
}

export function exerciseCadence(input: {
  every: Duration;
  warnBefore: Duration;
  timeZone: string;
  lastCompletedOn: string | null;
  /** When the policy's cadence began: the first time Vigil ran a policy. */
  since: Date;
  now: Date;
}): ExerciseCadence {
  const { every, warnBefore, timeZone, lastCompletedOn, since, now } = input;
  const from = lastCompletedOn
    ? DateTime.fromISO(lastCompletedOn, { zone: timeZone }).startOf('day').toJSDate()
    : since;
  const nextDueAt = addCalendarDuration(from, every, timeZone);
  const warnFrom = subtractCalendarDuration(nextDueAt, warnBefore, timeZone);
  const t = now.getTime();
  const state: CadenceState =
    t >= nextDueAt.getTime() ? 'overdue' : t >= warnFrom.getTime() ? 'warning' : 'on_track';
  return { state, lastCompletedOn, nextDueAt, warnFrom };
}
