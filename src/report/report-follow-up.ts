/**
 * The actions and exercises reports' figures: corrective and preventive
 * actions still open (and which are overdue), and the tabletop exercises of
 * the period. Pure: "today" and the period's local dates arrive as arguments.
 */
import { DateTime } from 'luxon';
import type { ActionRow, ExerciseRow, ReportRange } from './report-types.ts';

/** The first and last local dates (`YYYY-MM-DD`, inclusive) the half-open range touches in `zone`. */
export function localDates(range: ReportRange, zone: string): { first: string; last: string } {
  const day = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate()!;
  return { first: day(range.from.getTime()), last: day(range.to.getTime() - 1) };
}

export interface ActionLine extends ActionRow {
  overdue: boolean;
  /** Whole days past the target date (0 when not overdue). */
  daysOverdue: number;
}

export interface ActionFigures {
  /** The local date overdue is judged on. */
  today: string;
  /** Actions open or in progress now, earliest target first. */
  open: ActionLine[];
  openCount: number;
  overdueCount: number;
  /** Actions created within the period, and completed (done) within it. */
  createdInPeriod: number;
  doneInPeriod: number;
}

const OPEN_STATUSES = new Set(['open', 'in_progress']);

/**
 * Open actions as they stand now (the status history is not kept, so a past
 * period cannot show what was open then), overdue when their target date is
 * before `today`, the same rule the action reminders use.
 */
export function computeActionFigures(input: {
  actions: readonly ActionRow[];
  range: ReportRange;
  today: string;
}): ActionFigures {
  const { range, today } = input;
  const inRange = (at: Date | null) =>
    at !== null && at.getTime() >= range.from.getTime() && at.getTime() < range.to.getTime();
  const open = input.actions
    .filter((a) => OPEN_STATUSES.has(a.status))
    .map((a) => {
      const overdue = a.dueDate < today;
      const days = overdue ? DateTime.fromISO(today).diff(DateTime.fromISO(a.dueDate), 'days').days : 0;
      return { ...a, overdue, daysOverdue: Math.round(days) };
    })
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
  return {
    today,
    open,
    openCount: open.length,
    overdueCount: open.filter((a) => a.overdue).length,
    createdInPeriod: input.actions.filter((a) => inRange(a.createdAt)).length,
    doneInPeriod: input.actions.filter((a) => a.status === 'done' && inRange(a.doneAt)).length,
  };
}

export interface ExerciseFigures {
  /** Exercises scheduled or completed within the period, by date. */
  exercises: ExerciseRow[];
  completed: number;
  planned: number;
  /** The last exercise completed on or before the period's last day, whenever that was. */
  lastCompletedOn: string | null;
}

export function computeExerciseFigures(input: {
  exercises: readonly ExerciseRow[];
  range: ReportRange;
  timeZone: string;
}): ExerciseFigures {
  const { first, last } = localDates(input.range, input.timeZone);
  const within = (d: string | null) => d !== null && d >= first && d <= last;
  const listed = input.exercises
    .filter((e) => within(e.scheduledFor) || within(e.completedOn))
    .sort(
      (a, b) =>
        (a.completedOn ?? a.scheduledFor).localeCompare(b.completedOn ?? b.scheduledFor) ||
        a.id.localeCompare(b.id),
    );
  const done = input.exercises
    .map((e) => e.completedOn)
    .filter((d): d is string => d !== null && d <= last)
    .sort();
  return {
    exercises: listed,
    completed: listed.filter((e) => e.status === 'completed' && within(e.completedOn)).length,
    planned: listed.filter((e) => e.status === 'planned').length,
    lastCompletedOn: done.at(-1) ?? null,
  };
}
