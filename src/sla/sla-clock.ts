/**
 * The response clocks of one incident, as pure data and pure functions.
 *
 * A clock runs from `startedAt` to `dueAt`; it turns at risk at `atRiskAt`
 * (the policy's fraction of the allowed time, counted in the clock's own kind
 * of time) and is met when its condition is first satisfied. Its state is
 * derived from these instants and `now`, so a reader always sees the truth
 * even if the engine has not yet run: an incident recorded after the fact
 * shows a passed due time as breached at once.
 */
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import { businessMilliseconds, wallMilliseconds } from '../policy/policy-duration.ts';
import type { ClockKind, ClockSpec, Policy } from '../policy/policy-types.ts';
import { dueAfter, type SlaTargetName, selectClockSpec, severitySla } from './sla-targets.ts';

export type ClockState = 'pending' | 'at_risk' | 'met' | 'breached';

export interface SlaClock {
  name: SlaTargetName;
  kind: ClockKind;
  startedAt: Date;
  atRiskAt: Date;
  dueAt: Date;
  metAt: Date | null;
  /** Set when the clock stopped unmet because it no longer applies (incident closed, cadence over). */
  stoppedAt: Date | null;
  /** When the engine recorded the at-risk event (once per period). */
  atRiskNotedAt: Date | null;
  /** When the engine escalated the breach (once per period). */
  escalatedAt: Date | null;
  /** Periods breached so far (the customer-update cadence has one period per update). */
  breaches: number;
}

/**
 * The state of a clock at `now`. A clock met late stays breached; a stopped
 * clock keeps the state it had when it stopped.
 */
export function clockState(clock: SlaClock, now: Date): ClockState {
  if (clock.metAt) return clock.metAt.getTime() > clock.dueAt.getTime() ? 'breached' : 'met';
  const at = clock.stoppedAt ? Math.min(now.getTime(), clock.stoppedAt.getTime()) : now.getTime();
  if (at >= clock.dueAt.getTime()) return 'breached';
  return at >= clock.atRiskAt.getTime() ? 'at_risk' : 'pending';
}

/** When the engine must next look at the clock, or null when it never needs to again. */
export function nextCheckAt(clock: SlaClock): Date | null {
  if (clock.metAt || clock.stoppedAt) return null;
  if (!clock.atRiskNotedAt && clock.atRiskAt.getTime() < clock.dueAt.getTime()) return clock.atRiskAt;
  if (!clock.escalatedAt) return clock.dueAt;
  return null;
}

/**
 * The instant at which `fraction` of the clock's allowed time has elapsed,
 * counted like the clock itself (business time for business clocks).
 */
export function atRiskAfter(spec: ClockSpec, from: Date, calendar: BusinessCalendar, fraction: number): Date {
  if (spec.clock === 'wall')
    return new Date(from.getTime() + Math.round(wallMilliseconds(spec.within) * fraction));
  const allowed = businessMilliseconds(spec.within, calendar.businessDayMs);
  return calendar.addBusinessDuration(from, Math.round(allowed * fraction));
}

/** A fresh clock for `spec`, started at `from`. */
export function startClock(
  name: SlaTargetName,
  spec: ClockSpec,
  from: Date,
  calendar: BusinessCalendar,
  atRiskFraction: number,
): SlaClock {
  return {
    name,
    kind: spec.clock,
    startedAt: from,
    atRiskAt: atRiskAfter(spec, from, calendar, atRiskFraction),
    dueAt: dueAfter(spec, from, calendar),
    metAt: null,
    stoppedAt: null,
    atRiskNotedAt: null,
    escalatedAt: null,
    breaches: 0,
  };
}

/**
 * The clock specs of a severity, for an incident judged in or out of hours
 * at `from`. The customer-update entry is the first update (`within`).
 */
export function clockSpecsFor(
  policy: Policy,
  severity: string,
  outOfHours: boolean,
): Partial<Record<SlaTargetName, ClockSpec>> {
  const sla = severitySla(policy, severity);
  const specs: Partial<Record<SlaTargetName, ClockSpec>> = {
    acknowledge: selectClockSpec(sla.acknowledge, outOfHours),
    triage: selectClockSpec(sla.triage, outOfHours),
    containment: selectClockSpec(sla.containment, outOfHours),
  };
  if (sla.customerUpdate) specs.customerUpdate = selectClockSpec(sla.customerUpdate, outOfHours);
  return specs;
}

/** Every clock of a new incident, all starting at `openedAt`. */
export function startIncidentClocks(
  policy: Policy,
  calendar: BusinessCalendar,
  severity: string,
  openedAt: Date,
): SlaClock[] {
  const specs = clockSpecsFor(policy, severity, !calendar.isBusinessTime(openedAt));
  return Object.entries(specs).map(([name, spec]) =>
    startClock(name as SlaTargetName, spec, openedAt, calendar, policy.slaRules.atRiskFraction),
  );
}

/**
 * Marks a clock met at `at` (the first time only). Met late is still met,
 * and `clockState` reports it as breached.
 */
export function meetClock(clock: SlaClock, at: Date): SlaClock {
  return clock.metAt || clock.stoppedAt ? clock : { ...clock, metAt: at };
}

/** Stops an unmet clock that no longer applies. */
export function stopClock(clock: SlaClock, at: Date): SlaClock {
  return clock.metAt || clock.stoppedAt ? clock : { ...clock, stoppedAt: at };
}
