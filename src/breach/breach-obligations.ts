/**
 * The legal obligations that follow an incident: one per obligation of every
 * policy regime that applies, each with its due time and state.
 *
 * Pure: the state is derived from the recorded instants, the submissions made
 * and `now`, so a reader always sees the truth even before the engine runs.
 * Nothing pauses a legal clock: no phase, approval or severity is an input,
 * so none of them can move a due time. Only the start instants can.
 */
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import { wallMilliseconds } from '../policy/policy-duration.ts';
import type {
  BreachObligationSpec,
  BreachRegime,
  ObligationAudience,
  ObligationStart,
  Policy,
  RegimeTrigger,
} from '../policy/policy-types.ts';
import { applicableRegimes, legalDueAt } from './breach-regimes.ts';
import type { BreachAssessment, BreachRecord, Submission } from './breach-types.ts';

/**
 * `pending`, `at_risk`, `met`, `breached` as for SLA clocks (met late stays `breached`);
 * `not_started` while its start instant is unrecorded; `not_required` when the assessment rules
 * it out; `information` when it is someone else's obligation (a processor's view of the controller's).
 */
export type ObligationState =
  | 'pending'
  | 'at_risk'
  | 'met'
  | 'breached'
  | 'not_required'
  | 'not_started'
  | 'information';

export interface Obligation {
  regime: string;
  regimeName: string;
  authority: string;
  obligation: string;
  name: string;
  audience: ObligationAudience;
  startsFrom: ObligationStart;
  /** Null until the instant the clock starts from is recorded. */
  dueAt: Date | null;
  /** The earliest submission for this regime and obligation. */
  metAt: Date | null;
  state: ObligationState;
  /** Met after its due time. */
  late: boolean;
  /** The at-risk instants (dueAt minus each `warnBefore`, none before the clock starts), earliest first. */
  warnings: { at: Date; left: string }[];
  /** Why the obligation is not_required, information or not_started. */
  reason: string | null;
  content: string[];
  followsUp: string | null;
}

/** Everything the obligations of one incident depend on. */
export interface BreachObligationsInput {
  policy: Policy;
  calendar: BusinessCalendar;
  /** The triggers the incident meets; `personal_data_breach` also needs a live breach record. */
  appliesTo: ReadonlySet<RegimeTrigger>;
  record: BreachRecord | null;
  /** The latest assessment, or null while none is recorded. */
  assessment: BreachAssessment | null;
  /** When the incident's significance, major classification or materiality was determined. */
  determinedAt: Date | null;
  submissions: readonly Submission[];
  now: Date;
}

type Start = { at: Date | null; waitingFor: string };

/** The instant a clock of `regime` counted from `from` starts, with what it waits for while null. */
function startInstant(
  from: ObligationStart,
  spec: BreachObligationSpec,
  regime: BreachRegime,
  input: BreachObligationsInput,
): Start {
  const { record } = input;
  const confirmedAt = record?.status === 'confirmed' ? record.confirmedAt : null;
  switch (from) {
    case 'confirmation':
      return { at: confirmedAt, waitingFor: 'the breach to be confirmed' };
    // Awareness defaults to confirmation but is usually recorded earlier, while still suspected.
    case 'awareness':
      return { at: record?.awarenessAt ?? confirmedAt, waitingFor: 'awareness to be recorded' };
    case 'determination':
      return { at: input.determinedAt, waitingFor: 'the determination to be recorded' };
    case 'submission':
      return {
        at: firstSubmission(input.submissions, regime.id, spec.followsUp ?? ''),
        waitingFor: `the first "${spec.followsUp}" report to be submitted`,
      };
  }
}

function firstSubmission(
  submissions: readonly Submission[],
  regime: string,
  obligation: string,
): Date | null {
  let first: Date | null = null;
  for (const submission of submissions) {
    if (submission.regime !== regime || submission.obligation !== obligation) continue;
    if (first === null || submission.submittedAt.getTime() < first.getTime()) first = submission.submittedAt;
  }
  return first;
}

/** The due instant: `within` after the start, or the cap's due time when that comes first. */
function dueInstant(
  start: Date | null,
  spec: BreachObligationSpec,
  regime: BreachRegime,
  input: BreachObligationsInput,
): Date | null {
  if (start === null) return null;
  const due = legalDueAt(start, spec.within, spec.clock, input.calendar);
  const cap = spec.notLaterThan;
  const capStart = cap ? startInstant(cap.from, spec, regime, input).at : null;
  if (!cap || capStart === null) return due;
  const capDue = legalDueAt(capStart, cap.within, cap.clock, input.calendar);
  return capDue.getTime() < due.getTime() ? capDue : due;
}

/** Why the obligation is not ours or not required, or null when it is ours and required. */
function exemption(
  spec: BreachObligationSpec,
  regime: BreachRegime,
  input: BreachObligationsInput,
): { state: 'information' | 'not_required'; reason: string } | null {
  const personalData = regime.appliesTo === 'personal_data_breach';
  if (personalData && input.record?.role === 'processor' && spec.audience !== 'customers') {
    const reason =
      "processor: the controller's obligation; ours is to tell the controller without undue delay";
    return { state: 'information', reason };
  }
  const { assessment } = input;
  if (assessment === null || spec.when === 'always') return null;
  if (spec.when === 'risk_to_rights' && !assessment.riskToRights) {
    return { state: 'not_required', reason: assessment.rationale };
  }
  if (spec.when === 'high_risk') {
    if (!assessment.highRisk) return { state: 'not_required', reason: assessment.rationale };
    if (assessment.exception !== null) return { state: 'not_required', reason: assessment.exception };
  }
  return null;
}

function warningsFor(start: Date, dueAt: Date, policy: Policy): Obligation['warnings'] {
  return policy.breachNotification.warnBefore
    .map((left) => ({ at: new Date(dueAt.getTime() - wallMilliseconds(left)), left: left.text }))
    .filter((warning) => warning.at.getTime() >= start.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The state of an obligation that is ours and required, mirroring the SLA clocks' `clockState`. */
function runningState(
  start: Date,
  dueAt: Date,
  metAt: Date | null,
  policy: Policy,
  now: Date,
): 'pending' | 'at_risk' | 'met' | 'breached' {
  if (metAt) return metAt.getTime() > dueAt.getTime() ? 'breached' : 'met';
  if (now.getTime() >= dueAt.getTime()) return 'breached';
  const longest = Math.max(...policy.breachNotification.warnBefore.map(wallMilliseconds));
  if (!Number.isFinite(longest)) return 'pending';
  // A deadline shorter than the longest warning is at risk from the moment it starts.
  const atRiskAt = Math.max(start.getTime(), dueAt.getTime() - longest);
  return now.getTime() >= atRiskAt ? 'at_risk' : 'pending';
}

function obligationOf(
  spec: BreachObligationSpec,
  regime: BreachRegime,
  input: BreachObligationsInput,
): Obligation {
  const start = startInstant(spec.from, spec, regime, input);
  const dueAt = dueInstant(start.at, spec, regime, input);
  const metAt = firstSubmission(input.submissions, regime.id, spec.id);
  const base = {
    regime: regime.id,
    regimeName: regime.name,
    authority: regime.authority,
    obligation: spec.id,
    name: spec.name,
    audience: spec.audience,
    startsFrom: spec.from,
    dueAt,
    metAt,
    content: [...spec.content],
    followsUp: spec.followsUp,
  };
  const exempt = exemption(spec, regime, input);
  if (exempt) return { ...base, ...exempt, late: false, warnings: [] };
  if (start.at === null || dueAt === null) {
    const state = metAt ? 'met' : 'not_started';
    return { ...base, state, late: false, warnings: [], reason: `waiting for ${start.waitingFor}` };
  }
  return {
    ...base,
    state: runningState(start.at, dueAt, metAt, input.policy, input.now),
    late: metAt !== null && metAt.getTime() > dueAt.getTime(),
    warnings: warningsFor(start.at, dueAt, input.policy),
    reason: null,
  };
}

/**
 * Every legal obligation of an incident, regime by regime in policy order, obligations in the
 * order the regime lists them.
 *
 * @param input.now the instant states are judged at (UTC); nothing here reads the clock.
 * @example
 * breachObligations({ policy, calendar, appliesTo: new Set(['personal_data_breach']), record,
 *   assessment: null, determinedAt: null, submissions: [], now });
 * // [{ regime: 'uk-gdpr', obligation: 'regulator', dueAt: awarenessAt + 72 h, state: 'pending', ... }, ...]
 */
export function breachObligations(input: BreachObligationsInput): Obligation[] {
  return applicableRegimes(input.policy, input.appliesTo, input.record).flatMap((regime) =>
    regime.obligations.map((spec) => obligationOf(spec, regime, input)),
  );
}
