/**
 * The SLA report's figures from plain rows: per severity, how each response
 * clock fared, the times to acknowledge, triage, contain and resolve, and
 * every breach. Pure: `now` arrives as an argument (it decides whether an
 * unmet clock is still running or already breached).
 *
 * Which incidents count: real incidents (no `exerciseId`) opened within the
 * range. Exercise incidents are counted only as `excludedExercises`.
 */
import { type DurationStats, durationStats, groupBy, share } from './report-stats.ts';
import type { ClockRow, IncidentRow, PhaseMoveRow } from './report-types.ts';

/** The clocks the SLA module keeps (see src/sla/sla-targets.ts), in report order. */
export const SLA_CLOCKS = ['acknowledge', 'triage', 'containment', 'customerUpdate'] as const;
export type SlaClockName = (typeof SLA_CLOCKS)[number];

/** The times measured from an incident's opening. */
export const SLA_TIMES = ['acknowledge', 'triage', 'contain', 'resolve'] as const;
export type SlaTimeName = (typeof SLA_TIMES)[number];

/**
 * How one clock of one incident fared:
 * - `met`: met by its due time (for the update cadence: it ended with no period late);
 * - `breached`: met late, or unmet at or after its due time (any late cadence period);
 * - `running`: unmet, not stopped, not yet due;
 * - `not_needed`: stopped unmet before its due time because it no longer applied
 *   (e.g. a false positive is never contained).
 */
export type ClockOutcome = 'met' | 'breached' | 'running' | 'not_needed';

export interface ClockFigures {
  met: number;
  breached: number;
  running: number;
  notNeeded: number;
  /** met / (met + breached), four decimals; null when no clock was met or breached. */
  shareMet: number | null;
}

export interface SeverityFigures {
  /** A severity id, or `all`. */
  severity: string;
  incidents: number;
  clocks: Record<SlaClockName, ClockFigures>;
  times: Record<SlaTimeName, DurationStats>;
}

export interface SlaBreach {
  reference: string;
  title: string;
  severity: string;
  clock: SlaClockName;
  /** The late period's due time; null when only earlier cadence periods were late (their due times are not kept). */
  dueAt: Date | null;
  metAt: Date | null;
  /** `met_late`, `still_breached` (unmet and running), `stopped_breached` (stopped unmet after its due time), `earlier_period`. */
  status: 'met_late' | 'still_breached' | 'stopped_breached' | 'earlier_period';
  /** Periods late (always 1 except for the update cadence). */
  periodsBreached: number;
}

export interface SlaFigures {
  /** How the times are measured, said in the document so that a reader of the JSON need not guess. */
  method: { times: 'wall-clock seconds from opening'; percentiles: 'nearest-rank' };
  severities: SeverityFigures[];
  total: SeverityFigures;
  breaches: SlaBreach[];
  excludedExercises: number;
}

export interface SlaInput {
  incidents: readonly IncidentRow[];
  clocks: readonly ClockRow[];
  phaseMoves: readonly PhaseMoveRow[];
  /** Severity ids in the policy's order. */
  severities: readonly string[];
  /** Phase ids in the policy's order. */
  phases: readonly string[];
  /** The phase whose reaching counts as resolved (the policy's `customerUpdatesUntil`, `review` by default). */
  resolvedPhase: string;
  now: Date;
}

/** True when the clock's current period is late at `now`; mirrors `clockState` in src/sla/sla-clock.ts. */
function currentLate(c: ClockRow, now: Date): boolean {
  if (c.metAt) return c.metAt.getTime() > c.dueAt.getTime();
  const at = c.stoppedAt ? Math.min(now.getTime(), c.stoppedAt.getTime()) : now.getTime();
  return at >= c.dueAt.getTime();
}

/** How a clock fared at `now`; see {@link ClockOutcome}. */
export function clockOutcome(c: ClockRow, now: Date): ClockOutcome {
  if (c.breaches > 0 || currentLate(c, now)) return 'breached';
  if (c.metAt) return 'met';
  if (!c.stoppedAt) return 'running';
  // The cadence ends by stopping; ending with no late period is the promise kept.
  return c.name === 'customerUpdate' ? 'met' : 'not_needed';
}

function breachOf(incident: IncidentRow, c: ClockRow, now: Date): SlaBreach | null {
  const late = currentLate(c, now);
  if (!late && c.breaches === 0) return null;
  const status: SlaBreach['status'] = !late
    ? 'earlier_period'
    : c.metAt
      ? 'met_late'
      : c.stoppedAt
        ? 'stopped_breached'
        : 'still_breached';
  return {
    reference: incident.reference,
    title: incident.title,
    severity: incident.severity,
    clock: c.name as SlaClockName,
    dueAt: late ? c.dueAt : null,
    metAt: late ? c.metAt : null,
    status,
    periodsBreached: c.breaches + (late ? 1 : 0),
  };
}

const since = (incident: IncidentRow, at: Date | null | undefined) =>
  at ? Math.max(0, at.getTime() - incident.openedAt.getTime()) : null;

/** The instants each time is measured to, for one incident; null where it has not happened. */
export function milestones(
  incident: IncidentRow,
  clocks: readonly ClockRow[],
  moves: readonly PhaseMoveRow[],
  input: Pick<SlaInput, 'phases' | 'resolvedPhase'>,
): Record<SlaTimeName, number | null> {
  const clock = (name: SlaClockName) => clocks.find((c) => c.name === name);
  const resolvedIndex = Math.max(0, input.phases.indexOf(input.resolvedPhase));
  const resolvedAt = moves
    .filter((m) => input.phases.indexOf(m.to) >= resolvedIndex)
    .map((m) => m.at)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  // A false positive or a duplicate was dismissed, not resolved: it would flatter the time to resolve.
  const dismissed = incident.triageDecision === 'false_positive' || incident.triageDecision === 'duplicate';
  return {
    acknowledge: since(incident, incident.acknowledgedAt ?? clock('acknowledge')?.metAt),
    triage: since(incident, clock('triage')?.metAt ?? incident.triageDecidedAt ?? incident.triageStartedAt),
    contain: since(incident, clock('containment')?.metAt),
    resolve: dismissed ? null : since(incident, resolvedAt),
  };
}

function figuresFor(
  severity: string,
  incidents: readonly IncidentRow[],
  byIncident: (id: string) => { clocks: ClockRow[]; moves: PhaseMoveRow[] },
  input: SlaInput,
): SeverityFigures {
  const clocks = {} as Record<SlaClockName, ClockFigures>;
  for (const name of SLA_CLOCKS) {
    const counts = { met: 0, breached: 0, running: 0, not_needed: 0 };
    for (const i of incidents) {
      const c = byIncident(i.id).clocks.find((x) => x.name === name);
      if (c) counts[clockOutcome(c, input.now)] += 1;
    }
    clocks[name] = {
      met: counts.met,
      breached: counts.breached,
      running: counts.running,
      notNeeded: counts.not_needed,
      shareMet: share(counts.met, counts.met + counts.breached),
    };
  }
  const samples: Record<SlaTimeName, number[]> = { acknowledge: [], triage: [], contain: [], resolve: [] };
  for (const i of incidents) {
    const { clocks: own, moves } = byIncident(i.id);
    const m = milestones(i, own, moves, input);
    for (const name of SLA_TIMES) if (m[name] !== null) samples[name].push(m[name]);
  }
  const times = {} as Record<SlaTimeName, DurationStats>;
  for (const name of SLA_TIMES) times[name] = durationStats(samples[name]);
  return { severity, incidents: incidents.length, clocks, times };
}

/**
 * The SLA report's figures. Severities are grouped by each incident's
 * current severity, in the policy's order (an unknown one after them).
 * Breaches are listed by incident opening, then clock order.
 */
export function computeSlaFigures(input: SlaInput): SlaFigures {
  const real = input.incidents.filter((i) => i.exerciseId === null);
  const ordered = [...real].sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  // Grouped once: a long period holds thousands of incidents, each looked up per clock and severity.
  const clocksOf = groupBy(input.clocks, (c) => c.incidentId);
  const movesOf = groupBy(input.phaseMoves, (m) => m.incidentId);
  const byIncident = (id: string) => ({ clocks: clocksOf.get(id) ?? [], moves: movesOf.get(id) ?? [] });
  const known = [...input.severities, ...new Set(real.map((i) => i.severity))].filter(
    (s, index, all) => all.indexOf(s) === index,
  );
  const breaches: SlaBreach[] = [];
  for (const incident of ordered) {
    const own = byIncident(incident.id).clocks;
    for (const name of SLA_CLOCKS) {
      const c = own.find((x) => x.name === name);
      const breach = c ? breachOf(incident, c, input.now) : null;
      if (breach) breaches.push(breach);
    }
  }
  return {
    method: { times: 'wall-clock seconds from opening', percentiles: 'nearest-rank' },
    severities: known.map((s) =>
      figuresFor(
        s,
        ordered.filter((i) => i.severity === s),
        byIncident,
        input,
      ),
    ),
    total: figuresFor('all', ordered, byIncident, input),
    breaches,
    excludedExercises: input.incidents.length - real.length,
  };
}
