/**
 * When a corrective action is owed a reminder or an escalation (pure): the
 * owner is reminded a week and a day before the target date, and the action
 * is overdue the day after it. Dates are local dates (`YYYY-MM-DD`) in the
 * policy's time zone; the next instant to look at an action is the start of
 * the next such day there, stored so that a cycle reads only due actions.
 */
import { DateTime } from 'luxon';
import type { CorrectiveAction } from './review-types.ts';

/** Days before the target date on which the owner is reminded. */
export const REMINDER_DAYS = [7, 1] as const;

/** What is due for an action on `today` (`YYYY-MM-DD`): a reminder N days ahead, the overdue escalation, or nothing. */
export function actionEvent(
  action: Pick<CorrectiveAction, 'dueDate'>,
  today: string,
): { kind: 'reminder'; daysLeft: number } | { kind: 'overdue' } | null {
  if (action.dueDate < today) return { kind: 'overdue' };
  const daysLeft = DateTime.fromISO(action.dueDate).diff(DateTime.fromISO(today), 'days').days;
  const due = REMINDER_DAYS.filter((d) => daysLeft <= d);
  return due.length > 0 ? { kind: 'reminder', daysLeft: Math.min(...due) } : null;
}

/**
 * The instant (UTC) the action's event next changes after local date `today`: the start, in
 * `zone`, of the first day after today that begins a reminder (`dueDate` minus each of
 * {@link REMINDER_DAYS}) or the overdue escalation (the day after `dueDate`); null once it is
 * overdue, when nothing more is ever sent for this target date.
 *
 * @example
 * nextActionCheck('2026-04-20', '2026-04-10', 'Europe/London'); // 2026-04-12T23:00:00Z (13 April, BST)
 */
export function nextActionCheck(dueDate: string, today: string, zone: string): Date | null {
  const due = DateTime.fromISO(dueDate, { zone });
  const starts = [...REMINDER_DAYS.map((d) => due.minus({ days: d })), due.plus({ days: 1 })]
    .map((day) => day.toISODate()!)
    .filter((day) => day > today)
    .sort();
  const next = starts[0];
  // Luxon moves a midnight that a DST change skips to the first real instant of that day.
  return next === undefined ? null : DateTime.fromISO(next, { zone }).startOf('day').toJSDate();
}
