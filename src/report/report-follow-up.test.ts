import { describe, expect, it } from 'vitest';
import { computeActionFigures, computeExerciseFigures, localDates } from './report-follow-up.ts';
import type { ActionRow, ExerciseRow } from './report-types.ts';

const t = (iso: string) => new Date(iso);
// April 2026 in London: [2026-03-31T23:00Z, 2026-04-30T23:00Z).
const APRIL = { from: t('2026-03-31T23:00:00Z'), to: t('2026-04-30T23:00:00Z') };

function action(id: string, extra: Partial<ActionRow>): ActionRow {
  return {
    id,
    title: `Action ${id}`,
    kind: 'corrective',
    owner: 'cto@example.com',
    dueDate: '2026-05-01',
    status: 'open',
    createdAt: t('2026-03-01T10:00:00Z'),
    doneAt: null,
    incidentReference: 'INC-1',
    fromExercise: false,
    ...extra,
  };
}

function exercise(id: string, extra: Partial<ExerciseRow>): ExerciseRow {
  return {
    id,
    title: `Exercise ${id}`,
    scheduledFor: '2026-04-10',
    status: 'planned',
    completedOn: null,
    facilitator: 'cto@example.com',
    participants: 3,
    hasFindings: false,
    actions: 0,
    liveIncidents: 0,
    ...extra,
  };
}

describe('localDates', () => {
  it('gives the first and last local day the half-open range touches', () => {
    expect(localDates(APRIL, 'Europe/London')).toEqual({ first: '2026-04-01', last: '2026-04-30' });
  });
});

describe('computeActionFigures', () => {
  it('lists open actions by target date, overdue before today, with counts for the period', () => {
    const figures = computeActionFigures({
      range: APRIL,
      today: '2026-04-20',
      actions: [
        action('a', { dueDate: '2026-04-25', status: 'in_progress' }),
        action('b', { dueDate: '2026-04-17' }),
        action('c', { dueDate: '2026-04-20' }), // due today: not yet overdue
        action('d', {
          status: 'done',
          createdAt: t('2026-04-02T10:00:00Z'),
          doneAt: t('2026-04-15T10:00:00Z'),
        }),
        action('e', { status: 'wont_do', createdAt: t('2026-04-30T22:59:59Z') }),
        action('f', { status: 'done', doneAt: t('2026-04-30T23:00:00Z') }), // May locally
      ],
    });
    expect(figures.open.map((a) => [a.id, a.overdue, a.daysOverdue])).toEqual([
      ['b', true, 3],
      ['c', false, 0],
      ['a', false, 0],
    ]);
    expect(figures).toMatchObject({ openCount: 3, overdueCount: 1, createdInPeriod: 2, doneInPeriod: 1 });
  });
});

describe('computeExerciseFigures', () => {
  it('lists the exercises of the period and the last one ever completed by its end', () => {
    const figures = computeExerciseFigures({
      range: APRIL,
      timeZone: 'Europe/London',
      exercises: [
        exercise('old', { scheduledFor: '2025-10-01', status: 'completed', completedOn: '2025-10-02' }),
        exercise('late', { scheduledFor: '2026-03-28', status: 'completed', completedOn: '2026-04-02' }),
        exercise('planned', { scheduledFor: '2026-04-30' }),
        exercise('next', { scheduledFor: '2026-05-01' }),
      ],
    });
    expect(figures.exercises.map((e) => e.id)).toEqual(['late', 'planned']);
    expect(figures).toMatchObject({ completed: 1, planned: 1, lastCompletedOn: '2026-04-02' });
  });
});
