import { describe, expect, it } from 'vitest';
import { clockOutcome, computeSlaFigures } from './report-sla.ts';
import type { ClockRow, IncidentRow, PhaseMoveRow } from './report-types.ts';

const t = (iso: string) => new Date(iso);
const NOW = t('2026-04-10T00:00:00Z');

function incident(
  id: string,
  severity: string,
  openedAt: string,
  extra: Partial<IncidentRow> = {},
): IncidentRow {
  return {
    id,
    reference: `INC-${id}`,
    title: `Incident ${id}`,
    severity,
    highestSeverity: severity,
    phase: 'identify',
    openedAt: t(openedAt),
    exerciseId: null,
    acknowledgedAt: null,
    triageDecision: null,
    triageDecidedAt: null,
    triageStartedAt: null,
    closedAt: null,
    ...extra,
  };
}

function clock(incidentId: string, name: string, dueAt: string, extra: Partial<ClockRow> = {}): ClockRow {
  return { incidentId, name, dueAt: t(dueAt), metAt: null, stoppedAt: null, breaches: 0, ...extra };
}

describe('clockOutcome', () => {
  it.each([
    [
      'met on time',
      clock('x', 'triage', '2026-04-07T10:00:00Z', { metAt: t('2026-04-07T09:59:00Z') }),
      'met',
    ],
    [
      'met exactly at due',
      clock('x', 'triage', '2026-04-07T10:00:00Z', { metAt: t('2026-04-07T10:00:00Z') }),
      'met',
    ],
    [
      'met late',
      clock('x', 'triage', '2026-04-07T10:00:00Z', { metAt: t('2026-04-07T10:00:01Z') }),
      'breached',
    ],
    ['unmet, past due', clock('x', 'triage', '2026-04-09T00:00:00Z'), 'breached'],
    ['unmet, not yet due', clock('x', 'triage', '2026-04-11T00:00:00Z'), 'running'],
    [
      'stopped before due',
      clock('x', 'containment', '2026-04-11T00:00:00Z', { stoppedAt: t('2026-04-08T00:00:00Z') }),
      'not_needed',
    ],
    [
      'stopped after due',
      clock('x', 'containment', '2026-04-07T00:00:00Z', { stoppedAt: t('2026-04-08T00:00:00Z') }),
      'breached',
    ],
    [
      'cadence ended with no late period',
      clock('x', 'customerUpdate', '2026-04-11T00:00:00Z', { stoppedAt: t('2026-04-08T00:00:00Z') }),
      'met',
    ],
    [
      'cadence with an earlier late period',
      clock('x', 'customerUpdate', '2026-04-11T00:00:00Z', { breaches: 1 }),
      'breached',
    ],
  ] as const)('%s: %s', (_label, row, expected) => {
    expect(clockOutcome(row, NOW)).toBe(expected);
  });
});

/*
 * Hand computation (times are seconds from each incident's opening):
 *
 * A high   opened 04-07 09:00; ack 09:10 (600);  triage met 09:40 (2400);  contained 15:00 (21600);
 *          reached review 04-08 09:00 (86400). Clocks: ack met, triage met, containment met, cadence met.
 * B high   opened 10:00; ack 11:30 (5400, due 11:00: late); triage met 12:00 (7200, due 12:00: on time);
 *          containment due 04-11: running; cadence: 1 earlier late period: breached.
 * C high   opened 11:00; false positive at 11:20: triage met (1200); ack and containment stopped before
 *          due: not needed; cadence stopped clean: met; closed at 11:20 but dismissed, so no resolve time.
 * D crit.  opened 04-08 09:00; ack 09:05 (300); triage met 09:45 (2700, due 09:30: late);
 *          containment due 13:00 unmet at NOW: still breached; no cadence.
 * E high   an exercise: everything breached, and none of it counts.
 *
 * high: ack met 1 breached 1 (A; B) not needed 1 (C) → 0.5; triage met 3 → 1;
 *       containment met 1, running 1, not needed 1 → 1; cadence met 2 (A, C) breached 1 (B) → 0.6667.
 *       ack [600, 5400]: median rank ⌈1⌉ = 600, p90 rank ⌈1.8⌉ = 2 → 5400;
 *       triage [1200, 2400, 7200]: median rank ⌈1.5⌉ = 2 → 2400, p90 rank ⌈2.7⌉ = 3 → 7200;
 *       contain [21600]; resolve [86400].
 * critical: ack [300]; triage [2700] (met 0, breached 1 → 0); containment breached 1 → 0.
 * all: ack [300, 600, 5400] → 600 / 5400; triage [1200, 2400, 2700, 7200] → rank 2 = 2400, rank ⌈3.6⌉ = 4 → 7200.
 */
const incidents: IncidentRow[] = [
  incident('A', 'high', '2026-04-07T09:00:00Z', {
    acknowledgedAt: t('2026-04-07T09:10:00Z'),
    triageDecision: 'confirmed',
  }),
  incident('B', 'high', '2026-04-07T10:00:00Z', { acknowledgedAt: t('2026-04-07T11:30:00Z') }),
  incident('C', 'high', '2026-04-07T11:00:00Z', {
    triageDecision: 'false_positive',
    closedAt: t('2026-04-07T11:20:00Z'),
  }),
  incident('D', 'critical', '2026-04-08T09:00:00Z', { acknowledgedAt: t('2026-04-08T09:05:00Z') }),
  incident('E', 'high', '2026-04-07T08:00:00Z', {
    exerciseId: 'x1',
    acknowledgedAt: t('2026-04-09T08:00:00Z'),
  }),
];
const clocks: ClockRow[] = [
  clock('A', 'acknowledge', '2026-04-07T10:00:00Z', { metAt: t('2026-04-07T09:10:00Z') }),
  clock('A', 'triage', '2026-04-07T11:00:00Z', { metAt: t('2026-04-07T09:40:00Z') }),
  clock('A', 'containment', '2026-04-08T09:00:00Z', { metAt: t('2026-04-07T15:00:00Z') }),
  clock('A', 'customerUpdate', '2026-04-08T15:00:00Z', { stoppedAt: t('2026-04-08T09:00:00Z') }),
  clock('B', 'acknowledge', '2026-04-07T11:00:00Z', { metAt: t('2026-04-07T11:30:00Z') }),
  clock('B', 'triage', '2026-04-07T12:00:00Z', { metAt: t('2026-04-07T12:00:00Z') }),
  clock('B', 'containment', '2026-04-11T10:00:00Z'),
  clock('B', 'customerUpdate', '2026-04-11T10:00:00Z', { breaches: 1 }),
  clock('C', 'acknowledge', '2026-04-07T12:00:00Z', { stoppedAt: t('2026-04-07T11:20:00Z') }),
  clock('C', 'triage', '2026-04-07T13:00:00Z', { metAt: t('2026-04-07T11:20:00Z') }),
  clock('C', 'containment', '2026-04-08T11:00:00Z', { stoppedAt: t('2026-04-07T11:20:00Z') }),
  clock('C', 'customerUpdate', '2026-04-08T11:00:00Z', { stoppedAt: t('2026-04-07T11:20:00Z') }),
  clock('D', 'acknowledge', '2026-04-08T09:15:00Z', { metAt: t('2026-04-08T09:05:00Z') }),
  clock('D', 'triage', '2026-04-08T09:30:00Z', { metAt: t('2026-04-08T09:45:00Z') }),
  clock('D', 'containment', '2026-04-08T13:00:00Z'),
  clock('E', 'acknowledge', '2026-04-07T09:00:00Z', { metAt: t('2026-04-09T08:00:00Z') }),
  clock('E', 'triage', '2026-04-07T10:00:00Z'),
];
const phaseMoves: PhaseMoveRow[] = [
  { incidentId: 'A', at: t('2026-04-07T10:00:00Z'), to: 'contain' },
  { incidentId: 'A', at: t('2026-04-07T15:00:00Z'), to: 'eradicate' },
  { incidentId: 'A', at: t('2026-04-08T09:00:00Z'), to: 'review' },
  { incidentId: 'A', at: t('2026-04-09T09:00:00Z'), to: 'closed' },
  { incidentId: 'C', at: t('2026-04-07T11:20:00Z'), to: 'closed' },
];
const PHASES = ['identify', 'contain', 'eradicate', 'recover', 'review', 'closed'];

describe('computeSlaFigures', () => {
  const figures = computeSlaFigures({
    incidents,
    clocks,
    phaseMoves,
    severities: ['critical', 'high', 'medium', 'low'],
    phases: PHASES,
    resolvedPhase: 'review',
    now: NOW,
  });
  const high = figures.severities.find((s) => s.severity === 'high')!;
  const critical = figures.severities.find((s) => s.severity === 'critical')!;

  it('counts real incidents per severity in policy order and leaves exercises out', () => {
    expect(figures.severities.map((s) => [s.severity, s.incidents])).toEqual([
      ['critical', 1],
      ['high', 3],
      ['medium', 0],
      ['low', 0],
    ]);
    expect(figures.total.incidents).toBe(4);
    expect(figures.excludedExercises).toBe(1);
  });

  it('matches the hand-computed clock outcomes and shares', () => {
    expect(high.clocks).toEqual({
      acknowledge: { met: 1, breached: 1, running: 0, notNeeded: 1, shareMet: 0.5 },
      triage: { met: 3, breached: 0, running: 0, notNeeded: 0, shareMet: 1 },
      containment: { met: 1, breached: 0, running: 1, notNeeded: 1, shareMet: 1 },
      customerUpdate: { met: 2, breached: 1, running: 0, notNeeded: 0, shareMet: 0.6667 },
    });
    expect(critical.clocks.triage).toEqual({ met: 0, breached: 1, running: 0, notNeeded: 0, shareMet: 0 });
    expect(critical.clocks.customerUpdate).toEqual({
      met: 0,
      breached: 0,
      running: 0,
      notNeeded: 0,
      shareMet: null,
    });
    expect(figures.severities[2]!.clocks.acknowledge.shareMet).toBeNull();
  });

  it('matches the hand-computed medians and p90s', () => {
    expect(high.times).toEqual({
      acknowledge: { count: 2, medianSeconds: 600, p90Seconds: 5400 },
      triage: { count: 3, medianSeconds: 2400, p90Seconds: 7200 },
      contain: { count: 1, medianSeconds: 21600, p90Seconds: 21600 },
      resolve: { count: 1, medianSeconds: 86400, p90Seconds: 86400 },
    });
    expect(critical.times.acknowledge).toEqual({ count: 1, medianSeconds: 300, p90Seconds: 300 });
    expect(figures.total.times.acknowledge).toEqual({ count: 3, medianSeconds: 600, p90Seconds: 5400 });
    expect(figures.total.times.triage).toEqual({ count: 4, medianSeconds: 2400, p90Seconds: 7200 });
  });

  it('lists every breach by incident opening, then clock', () => {
    expect(
      figures.breaches.map((b) => [
        b.reference,
        b.clock,
        b.status,
        b.dueAt?.toISOString() ?? null,
        b.metAt?.toISOString() ?? null,
        b.periodsBreached,
      ]),
    ).toEqual([
      ['INC-B', 'acknowledge', 'met_late', '2026-04-07T11:00:00.000Z', '2026-04-07T11:30:00.000Z', 1],
      ['INC-B', 'customerUpdate', 'earlier_period', null, null, 1],
      ['INC-D', 'triage', 'met_late', '2026-04-08T09:30:00.000Z', '2026-04-08T09:45:00.000Z', 1],
      ['INC-D', 'containment', 'still_breached', '2026-04-08T13:00:00.000Z', null, 1],
    ]);
  });
});
