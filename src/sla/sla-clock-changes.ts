/**
 * How an incident's clocks change when something happens to it: a severity
 * change, a customer update sent, a phase change. Pure: the instant of the
 * event arrives as an argument.
 */
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import type { Policy } from '../policy/policy-types.ts';
import { clockSpecsFor, clockState, meetClock, type SlaClock, startClock, stopClock } from './sla-clock.ts';
import { dueAfter, severitySla } from './sla-targets.ts';

/** One clock whose due time moved, for the timeline. */
export interface DueChange {
  name: SlaClock['name'];
  oldDueAt: Date | null;
  newDueAt: Date | null;
}

/**
 * Recomputes the unmet, unbreached clocks as if the incident had been opened
 * at `at` with `severity` (in or out of hours judged at `at`). An upgrade
 * never moves a due time later; a downgrade may. A clock that is already
 * breached stays as it is: the breach happened and was escalated.
 *
 * @param upgrade true when the new severity is more severe than the old.
 * @param customerUpdatesActive false once the incident reached the phase where the cadence ends.
 */
export function clocksAfterSeverityChange(
  clocks: readonly SlaClock[],
  input: { policy: Policy; calendar: BusinessCalendar; severity: string; upgrade: boolean; at: Date },
  customerUpdatesActive: boolean,
): { clocks: SlaClock[]; changes: DueChange[] } {
  const { policy, calendar, severity, upgrade, at } = input;
  const specs = clockSpecsFor(policy, severity, !calendar.isBusinessTime(at));
  const fraction = policy.slaRules.atRiskFraction;
  const changes: DueChange[] = [];
  const result: SlaClock[] = [];
  for (const clock of clocks) {
    const open = !clock.metAt && !clock.stoppedAt && clockState(clock, at) !== 'breached';
    const spec = specs[clock.name];
    if (!open) {
      result.push(clock);
    } else if (!spec) {
      result.push(stopClock(clock, at));
      changes.push({ name: clock.name, oldDueAt: clock.dueAt, newDueAt: null });
    } else {
      const fresh = startClock(clock.name, spec, at, calendar, fraction);
      const keepOld = upgrade && fresh.dueAt.getTime() >= clock.dueAt.getTime();
      const next = keepOld ? clock : { ...fresh, breaches: clock.breaches };
      result.push(next);
      if (!keepOld) changes.push({ name: clock.name, oldDueAt: clock.dueAt, newDueAt: next.dueAt });
    }
  }
  const cadence = specs.customerUpdate;
  if (cadence && customerUpdatesActive && !clocks.some((c) => c.name === 'customerUpdate')) {
    const started = startClock('customerUpdate', cadence, at, calendar, fraction);
    result.push(started);
    changes.push({ name: 'customerUpdate', oldDueAt: null, newDueAt: started.dueAt });
  }
  return { clocks: result, changes };
}

/**
 * A customer update was sent at `at`: the current period is met, and unless
 * the cadence has ended the next period starts from `at` with the policy's
 * `every` interval. The returned clock replaces the stored one.
 */
export function clockAfterCustomerUpdate(
  clock: SlaClock,
  input: { policy: Policy; calendar: BusinessCalendar; severity: string; at: Date },
  customerUpdatesActive: boolean,
): { closedPeriod: SlaClock; next: SlaClock } {
  const { policy, calendar, severity, at } = input;
  const closedPeriod = meetClock(clock, at);
  const cadence = severitySla(policy, severity).customerUpdate;
  if (!cadence || !customerUpdatesActive) return { closedPeriod, next: closedPeriod };
  const breachedNow = clockState(closedPeriod, at) === 'breached' ? 1 : 0;
  const spec = { within: cadence.every, clock: cadence.clock };
  const next = startClock('customerUpdate', spec, at, calendar, policy.slaRules.atRiskFraction);
  return { closedPeriod, next: { ...next, breaches: clock.breaches + breachedNow } };
}

/**
 * A phase change at `at`: for severities whose customer updates follow
 * milestones, the next update falls due within the policy's milestone window
 * unless the cadence already makes it due sooner.
 */
export function clockAfterMilestone(
  clock: SlaClock,
  input: { policy: Policy; calendar: BusinessCalendar; severity: string; at: Date },
): SlaClock {
  const { policy, calendar, severity, at } = input;
  const cadence = severitySla(policy, severity).customerUpdate;
  if (!cadence?.onPhaseChange || clock.metAt || clock.stoppedAt) return clock;
  const milestoneDue = dueAfter(policy.slaRules.milestoneUpdate, at, calendar);
  if (milestoneDue.getTime() >= clock.dueAt.getTime()) return clock;
  const fresh = startClock(
    'customerUpdate',
    policy.slaRules.milestoneUpdate,
    at,
    calendar,
    policy.slaRules.atRiskFraction,
  );
  return { ...fresh, breaches: clock.breaches };
}
