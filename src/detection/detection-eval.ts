/**
 * The pure parts of detection: whether a rule selects a signal, which group a signal falls in,
 * the firing's severity and its correlation keys. Deterministic; no store, no clock.
 */
import { SEVERITY_HINTS, type SeverityHint } from '../signal/signal-types.ts';
import type { DetectionRule, SeverityRule, SignalSelector, StoredSignal } from './detection-types.ts';

/** An entity's value as text (numbers in decimal), or undefined when absent or empty. */
export function entityText(signal: StoredSignal, name: string): string | undefined {
  if (!Object.hasOwn(signal.entities, name)) return undefined;
  const value = signal.entities[name];
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function hintRank(hint: SeverityHint): number {
  return SEVERITY_HINTS.indexOf(hint);
}

function numericEntity(signal: StoredSignal, name: string): number | undefined {
  const text = entityText(signal, name);
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** True when the signal meets every condition of the selector. */
export function selects(select: SignalSelector, signal: StoredSignal): boolean {
  if (!select.statuses.includes(signal.status)) return false;
  if (select.sources !== null && !select.sources.includes(signal.source)) return false;
  if (select.kinds !== null && !select.kinds.includes(signal.kind)) return false;
  if (select.minSeverity !== null && hintRank(signal.severityHint) > hintRank(select.minSeverity))
    return false;
  // for...in, not Object.entries: every rule asks this of every signal, and most selectors are empty.
  for (const name in select.entities) {
    const value = entityText(signal, name);
    if (value === undefined || !select.entities[name]!.includes(value)) return false;
  }
  for (const name in select.atLeast) {
    const value = numericEntity(signal, name);
    if (value === undefined || value < select.atLeast[name]!) return false;
  }
  return true;
}

/** Percent-encodes the characters that separate a group key's parts, so that keys never collide. */
function escapeKeyPart(text: string): string {
  return text.replace(/[%,=]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A rule's group for a signal: its values by name and their stable text. */
export interface SignalGroup {
  key: string;
  values: Record<string, string>;
}

/** The key of the one group of a rule without groupBy (threshold, distinct and rate rules). */
export const WHOLE_RULE_GROUP = '*';

/**
 * The signal's group for the rule, or null when the signal lacks a groupBy entity. Without
 * groupBy, a match rule groups by the sender's correlation key when there is one, else by the
 * dedup key (so each signal is its own group); other kinds have one group for everything.
 *
 * @example groupOf(rule, signal); // { key: 'principal=sqladmin', values: { principal: 'sqladmin' } }
 */
export function groupOf(rule: DetectionRule, signal: StoredSignal): SignalGroup | null {
  if (rule.groupBy.length === 0) {
    if (rule.kind !== 'match') return { key: WHOLE_RULE_GROUP, values: {} };
    const [name, value] =
      signal.correlationKey !== undefined && signal.correlationKey !== ''
        ? ['correlationKey', signal.correlationKey]
        : ['dedupKey', signal.dedupKey];
    return { key: `${name}=${escapeKeyPart(value)}`, values: { [name]: value } };
  }
  const values: Record<string, string> = {};
  const parts: string[] = [];
  for (const name of rule.groupBy) {
    const value = entityText(signal, name);
    if (value === undefined) return null;
    values[name] = value;
    parts.push(`${escapeKeyPart(name)}=${escapeKeyPart(value)}`);
  }
  return { key: parts.join(','), values };
}

/** `sender:<source>:<key>` for a signal with a sender correlation key (already prefixed with its source), else null. */
export function senderCorrelationKey(signal: Pick<StoredSignal, 'source' | 'correlationKey'>): string | null {
  const key = signal.correlationKey;
  if (key === undefined || key === '') return null;
  return key.startsWith(`${signal.source}:`) ? `sender:${key}` : `sender:${signal.source}:${key}`;
}

/**
 * The keys by which a firing may join an open incident: the rule and group first, then each
 * correlateOn entity the signal has, then the sender's key.
 */
export function correlationKeysOf(rule: DetectionRule, groupKey: string, signal: StoredSignal): string[] {
  const keys = [`rule:${rule.id}:${groupKey}`];
  for (const name of rule.correlateOn) {
    const value = entityText(signal, name);
    if (value !== undefined) keys.push(`entity:${name}:${value}`);
  }
  const sender = senderCorrelationKey(signal);
  if (sender !== null) keys.push(sender);
  return [...new Set(keys)];
}

/** A `*` glob as an anchored regular expression; every other character is literal. */
function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[\\^$.+?()[\]{}|/-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

const globCache = new Map<string, RegExp>();

function globMatches(pattern: string, value: string): boolean {
  let regex = globCache.get(pattern);
  if (regex === undefined) {
    regex = globRegExp(pattern);
    if (globCache.size < 1000) globCache.set(pattern, regex);
  }
  return regex.test(value);
}

/** The first byEntity mapping that matches: exact values before globs, otherwise in written order. */
function byEntitySeverity(severity: SeverityRule, signal: StoredSignal): string | null {
  for (const exact of [true, false]) {
    for (const mapping of severity.byEntity) {
      if (mapping.pattern.includes('*') === exact) continue;
      const value = entityText(signal, mapping.entity);
      if (value === undefined) continue;
      if (exact ? value === mapping.pattern : globMatches(mapping.pattern, value)) return mapping.severity;
    }
  }
  return null;
}

/** The more severe of two severity ids by the policy's order (first listed = most severe). */
export function moreSevere(order: readonly string[], a: string, b: string): string {
  const rank = (id: string) => {
    const index = order.indexOf(id);
    return index < 0 ? Number.POSITIVE_INFINITY : index;
  };
  return rank(b) < rank(a) ? b : a;
}

/**
 * The severity of a firing: see {@link SeverityRule} for the order of the steps.
 *
 * @param outOfHours true when the firing instant is outside business time.
 */
export function chooseSeverity(
  severity: SeverityRule,
  signal: StoredSignal,
  order: readonly string[],
  outOfHours: boolean,
): string {
  let chosen = byEntitySeverity(severity, signal) ?? severity.default;
  if (severity.fromSignal) {
    const hint = signal.severityHint === 'info' ? 'low' : signal.severityHint;
    if (order.includes(hint)) chosen = moreSevere(order, chosen, hint);
  }
  if (outOfHours && severity.outOfHours !== null) chosen = moreSevere(order, chosen, severity.outOfHours);
  return chosen;
}
