/**
 * Due instants of an incident's response clocks, computed from the policy.
 * Pure: the opening instant arrives as an argument and nothing reads the clock.
 */
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import { businessMilliseconds, wallMilliseconds } from '../policy/policy-duration.ts';
import type {
  ClockSpec,
  CustomerUpdateTarget,
  Policy,
  SeveritySla,
  SlaTarget,
} from '../policy/policy-types.ts';

/** The response clocks every incident has. */
export type SlaTargetName = 'acknowledge' | 'triage' | 'containment' | 'customerUpdate';

export const SLA_TARGET_NAMES: readonly SlaTargetName[] = [
  'acknowledge',
  'triage',
  'containment',
  'customerUpdate',
];

/** When each response clock of one incident falls due. */
export interface SlaDueTargets {
  severity: string;
  /** The instant the clocks start from (UTC). */
  openedAt: Date;
  /** True when `openedAt` lies outside business time, which selects any out-of-hours targets. */
  outOfHours: boolean;
  /** Due instants (UTC); `null` where the policy sets no such target (e.g. no customer updates for low). */
  targets: Record<SlaTargetName, Date | null>;
}

/**
 * The instant at which `spec.within` has elapsed since `from`, on the spec's clock.
 *
 * A `wall` clock adds elapsed time. A `business` clock adds business time, so
 * an instant outside business hours starts counting at the next opening and a
 * day means one business day of the calendar's length.
 *
 * @param from the instant the clock starts (UTC).
 * @example
 * dueAfter({ within: duration('1 hour'), clock: 'business' }, fridayAt1630London, calendar);
 * // Monday 09:30 London: 30 minutes on Friday, 30 on Monday
 */
export function dueAfter(spec: ClockSpec, from: Date, calendar: BusinessCalendar): Date {
  if (spec.clock === 'wall') return new Date(from.getTime() + wallMilliseconds(spec.within));
  return calendar.addBusinessDuration(from, businessMilliseconds(spec.within, calendar.businessDayMs));
}

/** The clock spec that applies: the out-of-hours variant when there is one and it is needed. */
export function selectClockSpec(target: SlaTarget | CustomerUpdateTarget, outOfHours: boolean): ClockSpec {
  if (outOfHours && target.outOfHours) return target.outOfHours;
  return { within: target.within, clock: target.clock };
}

/**
 * The response targets of `severity`.
 *
 * @throws RangeError naming the known severities when `severity` is not one of them.
 */
export function severitySla(policy: Policy, severity: string): SeveritySla {
  const sla = Object.hasOwn(policy.slas, severity) ? policy.slas[severity] : undefined;
  if (!sla) {
    const known = policy.severities.map((s) => s.id).join(', ');
    throw new RangeError(`unknown severity "${severity}"; the policy defines: ${known}`);
  }
  return sla;
}

/**
 * When each response clock of an incident of `severity` opened at `openedAt`
 * falls due. The customer-update target is the first update only; later ones
 * follow the policy's `every` from each update sent.
 *
 * @param openedAt when the incident was opened (UTC); all clocks start here.
 * @throws RangeError when `severity` is not in the policy.
 */
export function computeSlaTargets(
  policy: Policy,
  calendar: BusinessCalendar,
  severity: string,
  openedAt: Date,
): SlaDueTargets {
  const sla = severitySla(policy, severity);
  const outOfHours = !calendar.isBusinessTime(openedAt);
  const due = (target: SlaTarget | CustomerUpdateTarget | null): Date | null =>
    target === null ? null : dueAfter(selectClockSpec(target, outOfHours), openedAt, calendar);
  return {
    severity,
    openedAt,
    outOfHours,
    targets: {
      acknowledge: due(sla.acknowledge),
      triage: due(sla.triage),
      containment: due(sla.containment),
      customerUpdate: due(sla.customerUpdate),
    },
  };
}
