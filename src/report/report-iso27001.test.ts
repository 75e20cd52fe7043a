import { describe, expect, it } from 'vitest';
import { computeDetectionFigures } from './report-detection.ts';
import { computeActionFigures, computeExerciseFigures } from './report-follow-up.ts';
import { computeIsoControls, type IsoInput } from './report-iso27001.ts';
import { computeSlaFigures } from './report-sla.ts';
import type { ClockRow, IncidentRow, ReportRange } from './report-types.ts';

const t = (iso: string) => new Date(iso);
const RANGE: ReportRange = { from: t('2026-04-01T00:00:00Z'), to: t('2026-05-01T00:00:00Z') };
const NOW = t('2026-05-02T00:00:00Z');

function incident(id: string, extra: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id,
    reference: `INC-${id}`,
    title: id,
    severity: 'high',
    highestSeverity: 'high',
    phase: 'closed',
    openedAt: t('2026-04-07T09:00:00Z'),
    exerciseId: null,
    acknowledgedAt: t('2026-04-07T09:05:00Z'),
    triageDecision: 'confirmed',
    triageDecidedAt: t('2026-04-07T09:10:00Z'),
    triageStartedAt: t('2026-04-07T09:10:00Z'),
    closedAt: t('2026-04-20T09:00:00Z'),
    ...extra,
  };
}

function input(over: {
  incidents: IncidentRow[];
  clocks?: ClockRow[];
  closed?: IsoInput['closed'];
  exercisesCompleted?: boolean;
  evidence?: IsoInput['evidence'];
  signals?: number;
}): IsoInput {
  const completedOn = over.exercisesCompleted ? '2026-04-15' : null;
  return {
    range: RANGE,
    policy: {
      currentVersion: 'abc',
      versions: [{ version: 'abc', firstLoadedAt: t('2025-01-01T00:00:00Z') }],
      roles: ['owner', 'technical_responder'],
      reviewSeverities: ['critical', 'high'],
    },
    incidents: over.incidents,
    closed: over.closed ?? [],
    reviewsApproved: 1,
    sla: computeSlaFigures({
      incidents: over.incidents,
      clocks: over.clocks ?? [],
      phaseMoves: [],
      severities: ['critical', 'high'],
      phases: ['identify', 'contain', 'review', 'closed'],
      resolvedPhase: 'review',
      now: NOW,
    }),
    detection: computeDetectionFigures({
      incidents: over.incidents,
      links: [],
      ruleNames: new Map(),
      timeZone: 'UTC',
    }),
    actions: computeActionFigures({ actions: [], range: RANGE, today: '2026-05-02' }),
    exercises: computeExerciseFigures({
      exercises: completedOn
        ? [
            {
              id: 'x',
              title: 'Drill',
              scheduledFor: completedOn,
              status: 'completed',
              completedOn,
              facilitator: 'cto@example.com',
              participants: 2,
              hasFindings: true,
              actions: 0,
              liveIncidents: 0,
            },
          ]
        : [],
      range: RANGE,
      timeZone: 'UTC',
    }),
    evidence: over.evidence ?? { attached: 2, packagesExported: 1 },
    signals: { received: over.signals ?? 10, bySource: [{ source: 'sql-audit', count: over.signals ?? 10 }] },
  };
}

const statuses = (controls: ReturnType<typeof computeIsoControls>) =>
  Object.fromEntries(controls.map((c) => [c.control, c.status]));

describe('computeIsoControls', () => {
  it('finds every control evidenced in a period with no shortfall, policy unchanged', () => {
    const a = incident('A');
    // A false positive closes at triage and needs no review, even at a severity that requires one.
    const noise = incident('F', { triageDecision: 'false_positive', triageStartedAt: null });
    const controls = computeIsoControls(
      input({
        incidents: [a, noise],
        closed: [
          { incident: a, reviewState: 'approved' },
          { incident: noise, reviewState: null },
        ],
        exercisesCompleted: true,
      }),
    );
    expect(statuses(controls)).toEqual({
      'A.5.24': 'evidenced',
      'A.5.25': 'evidenced',
      'A.5.26': 'evidenced',
      'A.5.27': 'evidenced',
      'A.5.28': 'evidenced',
      'A.6.8': 'evidenced',
    });
    expect(controls.find((c) => c.control === 'A.5.24')!.evidence).toContainEqual({
      item: 'policy versions first loaded in the period',
      value: '0',
    });
  });

  it('calls out the gaps in words', () => {
    const closedHigh = incident('A');
    const closedCritical = incident('B', { severity: 'critical', highestSeverity: 'critical' });
    const untriaged = incident('C', {
      phase: 'identify',
      triageDecision: null,
      triageStartedAt: null,
      closedAt: null,
    });
    const practice = incident('X', { exerciseId: 'x', triageDecision: null, triageStartedAt: null });
    const controls = computeIsoControls(
      input({
        incidents: [closedHigh, closedCritical, untriaged, practice],
        clocks: [
          {
            incidentId: 'C',
            name: 'acknowledge',
            dueAt: t('2026-04-07T10:00:00Z'),
            metAt: null,
            stoppedAt: null,
            breaches: 0,
          },
        ],
        closed: [
          { incident: closedHigh, reviewState: 'draft' },
          { incident: closedCritical, reviewState: null },
        ],
        evidence: { attached: 0, packagesExported: 0 },
        signals: 0,
      }),
    );
    expect(statuses(controls)).toEqual({
      'A.5.24': 'partial',
      'A.5.25': 'partial',
      'A.5.26': 'partial',
      'A.5.27': 'gap',
      'A.5.28': 'gap',
      'A.6.8': 'partial',
    });
    const gaps = Object.fromEntries(controls.map((c) => [c.control, c.gaps]));
    expect(gaps['A.5.24']).toEqual(['no exercise completed in the period']);
    expect(gaps['A.5.25']).toEqual(['1 incident opened in the period without a triage decision']);
    expect(gaps['A.5.26']).toEqual(['1 response clock breached: INC-C acknowledge']);
    expect(gaps['A.5.27']).toEqual([
      '1 high incident closed without an approved review',
      '1 critical incident closed without an approved review',
    ]);
    expect(gaps['A.5.28']).toEqual([
      'no evidence attached to or exported from the 3 incidents of the period',
    ]);
    expect(gaps['A.6.8']).toEqual(['no signals received in the period']);
  });
});
