import type { Transaction } from 'kysely';
import type { Actor } from '../audit/audit-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { clockState, meetClock, type SlaClock, stopClock } from '../sla/sla-clock.ts';
import type { SlaTargetName } from '../sla/sla-targets.ts';
import { type IncidentDeps, recordIncidentEvent } from './incident-context.ts';

/**
 * Applies `change` to each of the incident's clocks, saves the ones that
 * changed, and puts every newly met clock on the timeline; all inside the
 * caller's transaction.
 */
export async function updateClocks(
  deps: Pick<IncidentDeps, 'slaDal' | 'timeline' | 'audit'>,
  trx: Transaction<VigilDatabase>,
  target: { incidentId: string; actor: Actor; at: Date },
  change: (clock: SlaClock) => SlaClock,
): Promise<SlaClock[]> {
  const clocks = await deps.slaDal.listForIncident(trx, target.incidentId);
  const result: SlaClock[] = [];
  for (const clock of clocks) {
    const next = change(clock);
    result.push(next);
    if (next === clock) continue;
    await deps.slaDal.save(trx, target.incidentId, next);
    if (!clock.metAt && next.metAt) await recordClockMet(deps, trx, target, next);
  }
  return result;
}

/** Puts a met clock (or a met period of the update cadence) on the timeline and the audit chain. */
export async function recordClockMet(
  deps: Pick<IncidentDeps, 'timeline' | 'audit'>,
  trx: Transaction<VigilDatabase>,
  target: { incidentId: string; actor: Actor; at: Date },
  clock: SlaClock,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const late = clockState(clock, target.at) === 'breached';
  await recordIncidentEvent(deps, trx, {
    ...target,
    kind: 'clock_met',
    action: 'sla.clock_met',
    summary: `${clock.name} target met${late ? ' late' : ''} (due ${clock.dueAt.toISOString()})`,
    data: {
      clock: clock.name,
      dueAt: clock.dueAt.toISOString(),
      metAt: clock.metAt?.toISOString(),
      late,
      ...extra,
    },
  });
}

/** Meets the named clocks at `at` (first time only). */
export function meet(names: readonly SlaTargetName[], at: Date): (clock: SlaClock) => SlaClock {
  return (clock) => (names.includes(clock.name) ? meetClock(clock, at) : clock);
}

/** Stops the named clocks (all when `names` is undefined) that are still unmet. */
export function stop(at: Date, names?: readonly SlaTargetName[]): (clock: SlaClock) => SlaClock {
  return (clock) => (!names || names.includes(clock.name) ? stopClock(clock, at) : clock);
}
