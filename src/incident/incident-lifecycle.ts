/**
 * The incident lifecycle as an explicit transition table, built from the
 * policy's ordered phases. Pure.
 *
 * - Forward, one phase at a time: identify → contain → ... → closed.
 * - Back to any earlier open phase (the work was not finished, e.g. a
 *   re-infection during recover), with a reason.
 * - From the last phase (closed), reopening to any other phase, with a reason.
 */
import { InvalidTransition, ValidationFailed } from '../platform/errors.ts';

export interface PhaseDefinition {
  id: string;
  checklist: readonly { id: string; text: string; mandatory: boolean }[];
}

export type TransitionKind = 'forward' | 'back' | 'reopen';

/** The phases an incident in `current` may move to, in policy order. */
export function allowedNextPhases(phases: readonly PhaseDefinition[], current: string): string[] {
  const ids = phases.map((p) => p.id);
  const index = ids.indexOf(current);
  if (index === -1) return [];
  const last = ids.length - 1;
  if (index === last) return ids.slice(0, last);
  return [...ids.slice(0, index), ids[index + 1]!];
}

/** What kind of move `from → to` is, or an InvalidTransition listing the allowed phases. */
export function classifyTransition(
  phases: readonly PhaseDefinition[],
  from: string,
  to: string,
): TransitionKind {
  const allowed = allowedNextPhases(phases, from);
  if (!allowed.includes(to)) {
    throw new InvalidTransition(`an incident in ${from} cannot move to ${to}`, allowed);
  }
  const ids = phases.map((p) => p.id);
  if (ids.indexOf(from) === ids.length - 1) return 'reopen';
  return ids.indexOf(to) > ids.indexOf(from) ? 'forward' : 'back';
}

/** Mandatory checklist items of `phase` not yet done (`done` holds `phase/item` keys). */
export function uncheckedMandatory(
  phases: readonly PhaseDefinition[],
  phase: string,
  done: ReadonlySet<string>,
): { id: string; text: string }[] {
  const definition = phases.find((p) => p.id === phase);
  return (definition?.checklist ?? [])
    .filter((item) => item.mandatory && !done.has(`${phase}/${item.id}`))
    .map(({ id, text }) => ({ id, text }));
}

/** A reason is required to go back or reopen, and to override unchecked items. */
export function requireReason(reason: string | undefined, why: string): string {
  const trimmed = reason?.trim();
  if (!trimmed) throw new ValidationFailed([{ field: 'body.reason', reason: `is required ${why}` }]);
  return trimmed;
}

/** Index of a phase in the lifecycle (for "at or after" comparisons); -1 when unknown. */
export function phaseIndex(phases: readonly PhaseDefinition[], phase: string): number {
  return phases.findIndex((p) => p.id === phase);
}
