/**
 * The ISO/IEC 27001:2022 control report: for each Annex A control on
 * incident management (5.24 to 5.28) and event reporting (6.8), the
 * evidence Vigil holds for the period, a status and the gaps in words.
 * Pure: it reads figures the other reports computed and a few counts.
 *
 * Statuses: `evidenced` (the evidence is there and shows no shortfall),
 * `partial` (evidence exists but something fell short), `gap` (the evidence
 * the control needs is missing). A quiet period is not a gap: no incidents
 * means nothing to assess, and no policy change means the policy held.
 */
import type { DetectionFigures } from './report-detection.ts';
import { triageOutcome } from './report-detection.ts';
import type { ActionFigures, ExerciseFigures } from './report-follow-up.ts';
import type { SlaFigures } from './report-sla.ts';
import type { IncidentRow, ReportRange } from './report-types.ts';

export type ControlStatus = 'evidenced' | 'partial' | 'gap';

export interface ControlFinding {
  control: string;
  name: string;
  /** What the control asks for, in Vigil's own words. */
  description: string;
  status: ControlStatus;
  evidence: { item: string; value: string }[];
  gaps: string[];
}

export interface IsoInput {
  range: ReportRange;
  policy: {
    currentVersion: string;
    versions: readonly { version: string; firstLoadedAt: Date }[];
    roles: readonly string[];
    reviewSeverities: readonly string[];
  };
  /** Real and exercise incidents opened in the period. */
  incidents: readonly IncidentRow[];
  /** Real incidents closed in the period, with their review's state (null: none written). */
  closed: readonly { incident: IncidentRow; reviewState: string | null }[];
  reviewsApproved: number;
  sla: SlaFigures;
  detection: DetectionFigures;
  actions: ActionFigures;
  exercises: ExerciseFigures;
  evidence: { attached: number; packagesExported: number };
  signals: { received: number; bySource: readonly { source: string; count: number }[] };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const fromGaps = (gaps: readonly string[], severe: boolean): ControlStatus =>
  gaps.length === 0 ? 'evidenced' : severe ? 'gap' : 'partial';

function planning(input: IsoInput): ControlFinding {
  const { range, policy, exercises } = input;
  const inEffect = policy.versions.filter((v) => v.firstLoadedAt.getTime() < range.to.getTime());
  const changed = inEffect.filter((v) => v.firstLoadedAt.getTime() >= range.from.getTime());
  const gaps: string[] = [];
  if (inEffect.length === 0) gaps.push('no policy version was recorded before the end of the period');
  if (exercises.completed === 0) gaps.push('no exercise completed in the period');
  return {
    control: 'A.5.24',
    name: 'Incident management planning and preparation',
    description:
      'A written, versioned response process with named roles and people in command, kept ready and rehearsed.',
    status: fromGaps(gaps, inEffect.length === 0),
    evidence: [
      { item: 'policy version in force now', value: policy.currentVersion },
      { item: 'policy versions recorded by the end of the period', value: String(inEffect.length) },
      { item: 'policy versions first loaded in the period', value: String(changed.length) },
      { item: 'response roles defined', value: policy.roles.join(', ') },
      { item: 'exercises completed in the period', value: String(exercises.completed) },
      { item: 'last exercise completed', value: exercises.lastCompletedOn ?? 'never' },
    ],
    gaps,
  };
}

function assessment(input: IsoInput): ControlFinding {
  const real = input.incidents.filter((i) => i.exerciseId === null);
  const outcomes = { confirmed: 0, false_positive: 0, duplicate: 0, untriaged: 0 };
  for (const i of real) outcomes[triageOutcome(i)] += 1;
  const gaps =
    outcomes.untriaged > 0
      ? [`${plural(outcomes.untriaged, 'incident')} opened in the period without a triage decision`]
      : [];
  return {
    control: 'A.5.25',
    name: 'Assessment and decision on information security events',
    description:
      'Each reported event is looked at and a recorded decision says whether it is an incident, a false alarm or a repeat.',
    status: fromGaps(gaps, real.length > 0 && outcomes.untriaged === real.length),
    evidence: [
      { item: 'incidents opened in the period', value: String(real.length) },
      { item: 'confirmed', value: String(outcomes.confirmed) },
      { item: 'false positives', value: String(outcomes.false_positive) },
      { item: 'duplicates', value: String(outcomes.duplicate) },
      { item: 'awaiting a decision', value: String(outcomes.untriaged) },
    ],
    gaps,
  };
}

function response(input: IsoInput): ControlFinding {
  const { total, breaches } = input.sla;
  const met = Object.values(total.clocks).reduce((n, c) => n + c.met, 0);
  const breached = Object.values(total.clocks).reduce((n, c) => n + c.breached, 0);
  const gaps =
    breaches.length > 0
      ? [
          `${plural(breaches.length, 'response clock')} breached: ${breaches.map((b) => `${b.reference} ${b.clock}`).join(', ')}`,
        ]
      : [];
  return {
    control: 'A.5.26',
    name: 'Response to information security incidents',
    description:
      'Incidents are handled by the documented process: a timeline of what was done and by whom, within the response times promised.',
    status: fromGaps(gaps, false),
    evidence: [
      { item: 'incidents with a timeline', value: String(total.incidents) },
      { item: 'response clocks met on time', value: String(met) },
      { item: 'response clocks breached', value: String(breached) },
    ],
    gaps,
  };
}

function learning(input: IsoInput): ControlFinding {
  const missing = new Map<string, number>();
  for (const { incident, reviewState } of input.closed) {
    // A false positive or a duplicate closes at triage with nothing to learn; the close gate skips it too.
    const dismissed = triageOutcome(incident) === 'false_positive' || triageOutcome(incident) === 'duplicate';
    if (dismissed || !input.policy.reviewSeverities.includes(incident.highestSeverity)) continue;
    if (reviewState === 'approved') continue;
    missing.set(incident.highestSeverity, (missing.get(incident.highestSeverity) ?? 0) + 1);
  }
  const gaps = [...missing.entries()].map(
    ([severity, n]) => `${plural(n, `${severity} incident`)} closed without an approved review`,
  );
  const overdue = input.actions.overdueCount;
  const actionGap = overdue > 0 ? [`${plural(overdue, 'corrective action')} overdue`] : [];
  return {
    control: 'A.5.27',
    name: 'Learning from information security incidents',
    description:
      'What incidents teach is written down in reviews and turned into owned, dated actions that get done.',
    status: fromGaps([...gaps, ...actionGap], gaps.length > 0),
    evidence: [
      { item: 'incidents closed in the period', value: String(input.closed.length) },
      { item: 'reviews approved in the period', value: String(input.reviewsApproved) },
      { item: 'actions open now', value: String(input.actions.openCount) },
      { item: 'actions overdue now', value: String(overdue) },
      { item: 'actions completed in the period', value: String(input.actions.doneInPeriod) },
    ],
    gaps: [...gaps, ...actionGap],
  };
}

function collection(input: IsoInput): ControlFinding {
  const { attached, packagesExported } = input.evidence;
  const real = input.incidents.filter((i) => i.exerciseId === null).length;
  const none = real > 0 && attached === 0 && packagesExported === 0;
  const gaps = none
    ? [`no evidence attached to or exported from the ${plural(real, 'incident')} of the period`]
    : [];
  return {
    control: 'A.5.28',
    name: 'Collection of evidence',
    description:
      'Evidence is gathered and kept so that its integrity can be shown: hashed attachments and verifiable packages.',
    status: fromGaps(gaps, true),
    evidence: [
      { item: 'attachments added to the vault', value: String(attached) },
      { item: 'evidence packages exported', value: String(packagesExported) },
    ],
    gaps,
  };
}

function reporting(input: IsoInput): ControlFinding {
  const { signals, detection } = input;
  const gaps: string[] = [];
  if (signals.received === 0) gaps.push('no signals received in the period');
  return {
    control: 'A.6.8',
    name: 'Information security event reporting',
    description:
      'People and systems have a working way to report events quickly: monitored signals and manual declarations.',
    status: fromGaps(gaps, signals.received === 0 && detection.incidents === 0),
    evidence: [
      { item: 'signals received', value: String(signals.received) },
      ...signals.bySource.map((s) => ({ item: `signals from ${s.source}`, value: String(s.count) })),
      { item: 'incidents declared by a person', value: String(detection.manual) },
      { item: 'incidents opened by detection', value: String(detection.detection) },
    ],
    gaps,
  };
}

/** The six controls in Annex A order. */
export function computeIsoControls(input: IsoInput): ControlFinding[] {
  return [planning, assessment, response, learning, collection, reporting].map((f) => f(input));
}
