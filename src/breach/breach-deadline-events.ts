/**
 * What the breach-deadline module owes an incident at an instant (pure):
 * for each obligation still running, the latest warning or the missed
 * deadline that has passed, and the next instant anything falls due, which
 * is stored so that a cycle reads only the breaches with something due.
 */
import type { Obligation } from './breach-obligations.ts';

/** A warning (`24 hours left`) or the missed deadline of one obligation. */
export interface DeadlineEvent {
  obligation: Obligation & { dueAt: Date };
  /** The instant the event fell due (UTC): a warning instant or the due time. */
  at: Date;
  /** What happened, as the message and timeline say it: `4 hours left`, `deadline missed`. */
  what: string;
  /** The deadline itself has passed (an escalation rather than a warning). */
  missed: boolean;
}

const WATCHED: ReadonlySet<Obligation['state']> = new Set(['pending', 'at_risk', 'breached']);

/**
 * The obligations the module watches: ours, required, started and not yet met. Which they are
 * depends only on what is recorded, never on the instant, so the next check can be stored.
 */
function watched(obligations: readonly Obligation[]): (Obligation & { dueAt: Date })[] {
  return obligations.filter(
    (o): o is Obligation & { dueAt: Date } => WATCHED.has(o.state) && !o.metAt && o.dueAt !== null,
  );
}

/** Every event instant of an obligation, earliest first: its warnings, then its due time. */
function eventsOf(o: Obligation & { dueAt: Date }): Omit<DeadlineEvent, 'obligation'>[] {
  return [
    ...o.warnings.map((w) => ({ at: w.at, what: `${w.left} left`, missed: false })),
    { at: o.dueAt, what: 'deadline missed', missed: true },
  ];
}

/**
 * The latest event at or before `now` of each watched obligation, in obligation order. Only the
 * latest matters: a look that finds several passed (after downtime) sends one.
 */
export function dueDeadlineEvents(obligations: readonly Obligation[], now: Date): DeadlineEvent[] {
  return watched(obligations).flatMap((obligation) => {
    const passed = eventsOf(obligation).filter((e) => e.at.getTime() <= now.getTime());
    const latest = passed.at(-1);
    return latest ? [{ obligation, ...latest }] : [];
  });
}

/** The earliest event instant after `now` of any watched obligation; null when none is left. */
export function nextDeadlineCheck(obligations: readonly Obligation[], now: Date): Date | null {
  let next: Date | null = null;
  for (const o of watched(obligations)) {
    for (const e of eventsOf(o)) {
      if (e.at.getTime() > now.getTime() && (next === null || e.at.getTime() < next.getTime())) next = e.at;
    }
  }
  return next;
}
