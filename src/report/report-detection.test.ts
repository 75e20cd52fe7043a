import { describe, expect, it } from 'vitest';
import { computeDetectionFigures, openingRule, triageOutcome } from './report-detection.ts';
import type { IncidentRow, SignalLinkRow } from './report-types.ts';

const t = (iso: string) => new Date(iso);

function incident(id: string, openedAt: string, extra: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id,
    reference: `INC-${id}`,
    title: id,
    severity: 'high',
    highestSeverity: 'high',
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

const link = (
  incidentId: string,
  signalId: string,
  ruleId: string | null,
  source: string,
  at: string,
): SignalLinkRow => ({
  incidentId,
  signalId,
  ruleId,
  source,
  linkedAt: t(at),
});

describe('openingRule and triageOutcome', () => {
  it('takes the rule of the earliest rule-made link, by time then signal id', () => {
    expect(
      openingRule([
        link('a', '9', 'late-rule', 's', '2026-04-07T10:00:00Z'),
        link('a', '10', 'second', 's', '2026-04-07T09:00:00Z'),
        link('a', '2', 'first', 's', '2026-04-07T09:00:00Z'),
        link('a', '1', null, 's', '2026-04-07T08:00:00Z'),
      ]),
    ).toBe('first');
    expect(openingRule([link('a', '1', null, 's', '2026-04-07T08:00:00Z')])).toBeNull();
  });

  it('counts moving on to contain without a decision as confirmed', () => {
    expect(triageOutcome(incident('a', '2026-04-07T08:00:00Z'))).toBe('untriaged');
    expect(
      triageOutcome(incident('a', '2026-04-07T08:00:00Z', { triageStartedAt: t('2026-04-07T09:00:00Z') })),
    ).toBe('confirmed');
    expect(triageOutcome(incident('a', '2026-04-07T08:00:00Z', { triageDecision: 'duplicate' }))).toBe(
      'duplicate',
    );
  });
});

describe('computeDetectionFigures', () => {
  /*
   * Hand computation. London is UTC+1 from 29 March, so 2026-03-31T23:30Z is April locally.
   * M1 manual (March 10), M2 manual fed by a resolve notice from alertmanager (no rule): April.
   * R1 brute (confirmed), R2 brute (false positive), R3 brute (duplicate), R4 brute (untriaged),
   * R5 spray (confirmed by moving on), X exercise (brute, false positive: left out).
   * brute: opened 4, confirmed 1, fp 1, dup 1, untriaged 1, noise (1+1)/4 = 0.5; spray: 1, noise 0.
   * Months: 2026-03 manual 1; 2026-04 manual 1, detection 5 (brute 4, spray 1).
   * Sources: sql-audit feeds R1..R5 (5), alertmanager feeds M2 and R5 (2).
   */
  const incidents = [
    incident('M1', '2026-03-10T10:00:00Z'),
    incident('M2', '2026-03-31T23:30:00Z'),
    incident('R1', '2026-04-02T10:00:00Z', { triageDecision: 'confirmed' }),
    incident('R2', '2026-04-03T10:00:00Z', { triageDecision: 'false_positive' }),
    incident('R3', '2026-04-04T10:00:00Z', { triageDecision: 'duplicate' }),
    incident('R4', '2026-04-05T10:00:00Z'),
    incident('R5', '2026-04-06T10:00:00Z', { triageStartedAt: t('2026-04-06T11:00:00Z') }),
    incident('X', '2026-04-06T10:00:00Z', { exerciseId: 'x', triageDecision: 'false_positive' }),
  ];
  const links = [
    link('M2', '1', null, 'alertmanager', '2026-04-01T00:00:00Z'),
    ...['R1', 'R2', 'R3', 'R4'].map((id, i) =>
      link(id, String(10 + i), 'brute', 'sql-audit', '2026-04-02T10:00:00Z'),
    ),
    link('R5', '20', 'spray', 'sql-audit', '2026-04-06T10:00:00Z'),
    link('R5', '21', 'spray', 'alertmanager', '2026-04-06T10:05:00Z'),
    link('X', '30', 'brute', 'sql-audit', '2026-04-06T10:00:00Z'),
  ];
  const figures = computeDetectionFigures({
    incidents,
    links,
    ruleNames: new Map([['brute', 'Brute-force login']]),
    timeZone: 'Europe/London',
  });

  it('splits manual from detection, by month in the policy zone', () => {
    expect(figures).toMatchObject({ incidents: 7, manual: 2, detection: 5, excludedExercises: 1 });
    expect(figures.months).toEqual([
      { month: '2026-03', manual: 1, detection: 0, bySignalSource: {}, byRule: {} },
      {
        month: '2026-04',
        manual: 1,
        detection: 5,
        bySignalSource: { alertmanager: 2, 'sql-audit': 5 },
        byRule: { brute: 4, spray: 1 },
      },
    ]);
    expect(figures.signalSources).toEqual([
      { source: 'sql-audit', incidents: 5 },
      { source: 'alertmanager', incidents: 2 },
    ]);
  });

  it('shows each rule’s quality, noisiest first, named from the policy', () => {
    expect(figures.rules).toEqual([
      {
        ruleId: 'brute',
        ruleName: 'Brute-force login',
        opened: 4,
        confirmed: 1,
        falsePositive: 1,
        duplicate: 1,
        untriaged: 1,
        noiseShare: 0.5,
      },
      {
        ruleId: 'spray',
        ruleName: 'spray',
        opened: 1,
        confirmed: 1,
        falsePositive: 0,
        duplicate: 0,
        untriaged: 0,
        noiseShare: 0,
      },
    ]);
  });
});
