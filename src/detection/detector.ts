/**
 * The detector: feeds stored signals through the policy's rules and returns the firings they
 * complete. Windows live in a {@link WindowStore}; the detector itself keeps no state between
 * calls, so any number of instances may share one store, and a replay with a fresh store gives
 * the same firings.
 *
 * Per signal and matching rule it writes one hit, then reads the group's last firing, and only
 * counts when the group is out of cooldown. Resolved signals never count toward windows and
 * never fire a rule that selects only firing signals; a resolved signal that has a sender
 * correlation key never fires at all, even for a match rule that selects resolved signals: the
 * caller records it on the incident that shares its `sender:` key (see
 * {@link senderCorrelationKey}). Idempotency is the caller's: it observes each stored signal once.
 */
import {
  chooseSeverity,
  correlationKeysOf,
  entityText,
  groupOf,
  type SignalGroup,
  selects,
} from './detection-eval.ts';
import { renderTitle } from './detection-title.ts';
import type {
  DetectionRule,
  Detector,
  DetectorOptions,
  DistinctRule,
  Firing,
  RateRule,
  StoredSignal,
  ThresholdRule,
  WindowStore,
} from './detection-types.ts';

export { senderCorrelationKey } from './detection-eval.ts';
export { createMemoryWindowStore, type MemoryWindowStore } from './detection-memory-store.ts';
export { maxReachMs, ruleReachMs, rulesFromPolicy } from './detection-rules.ts';

/** Most signal ids listed on one firing. */
export const MAX_FIRING_SIGNALS = 100;

/** A window that reached its rule's condition: the range counted and what it counted. */
interface Completed {
  from: number;
  to: number;
  count: number;
}

type WindowRule = ThresholdRule | DistinctRule;

/**
 * Whether some window containing the signal's instant `t` reaches the threshold. One count
 * over `(t - window, t + window)`, every hit that could share a window with `t`, settles the
 * usual case (in order, below threshold); only when it reaches the threshold is the window
 * ending at `t` counted, and, for a signal that arrived out of order (senders retry, several
 * nodes ingest at once), each window starting at a hit at or before `t`: any window holding
 * `t` can slide right to start at its first hit without losing one, so these are all it takes.
 */
async function completeWindow(rule: WindowRule, groupKey: string, t: number, store: WindowStore) {
  const count = (from: number, to: number) =>
    rule.kind === 'distinct'
      ? store.countDistinct(rule.id, groupKey, new Date(from), new Date(to))
      : store.countHits(rule.id, groupKey, new Date(from), new Date(to));
  const w = rule.windowMs;
  if ((await count(t - w, t + w - 1)) < rule.threshold) return null;
  const ending = await count(t - w, t);
  if (ending >= rule.threshold) return { from: t - w, to: t, count: ending };
  for (const start of await store.hitInstants(rule.id, groupKey, new Date(t - w), new Date(t))) {
    const holding = await count(start - 1, start + w - 1);
    if (holding >= rule.threshold) return { from: start - 1, to: start + w - 1, count: holding };
  }
  return null;
}

/** Whether the window ending at `t` reaches max(minimum, factor × the baseline's count scaled to the window). */
async function completeRate(rule: RateRule, groupKey: string, t: number, store: WindowStore) {
  const from = t - rule.windowMs;
  const count = await store.countHits(rule.id, groupKey, new Date(from), new Date(t));
  if (count < rule.minimum) return null;
  const baseline = await store.countHits(rule.id, groupKey, new Date(from - rule.baselineMs), new Date(from));
  const expected = rule.factor * baseline * (rule.windowMs / rule.baselineMs);
  return count >= Math.max(rule.minimum, expected) ? { from, to: t, count } : null;
}

function inCooldown(rule: DetectionRule, last: Date | null, t: number): boolean {
  return last !== null && Math.abs(t - last.getTime()) < rule.cooldownMs;
}

/** Counts the signal for a windowed rule and returns the completed window, if any. */
async function observeWindowed(
  rule: Exclude<DetectionRule, { kind: 'match' }>,
  group: SignalGroup,
  signal: StoredSignal,
  store: WindowStore,
): Promise<Completed | null> {
  const distinctValue = rule.kind === 'distinct' ? (entityText(signal, rule.distinct) ?? null) : null;
  // A signal without the counted entity says nothing about how many distinct values there are.
  if (rule.kind === 'distinct' && distinctValue === null) return null;
  const t = signal.occurredAt.getTime();
  await store.addHit({
    ruleId: rule.id,
    groupKey: group.key,
    at: signal.occurredAt,
    signalId: signal.id,
    distinctValue,
  });
  if (inCooldown(rule, await store.lastFiring(rule.id, group.key), t)) return null;
  return rule.kind === 'rate'
    ? completeRate(rule, group.key, t, store)
    : completeWindow(rule, group.key, t, store);
}

/**
 * A detector for `rules`.
 *
 * @param options.severityOrder the policy's severity ids, most severe first.
 * @param options.isBusinessTime whether an instant is business time (for `outOfHours`).
 * @example
 * const detector = createDetector(rulesFromPolicy(policy), {
 *   severityOrder: policy.severities.map((s) => s.id),
 *   isBusinessTime: (at) => calendar.isBusinessTime(at),
 * });
 * const firings = await detector.observe(storedSignal, store);
 */
export function createDetector(rules: readonly DetectionRule[], options: DetectorOptions): Detector {
  function firingOf(
    rule: DetectionRule,
    group: SignalGroup,
    signal: StoredSignal,
    count: number,
    signalIds: string[],
  ): Firing {
    const values: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(signal.entities)) {
      values[name] = typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
    }
    Object.assign(values, group.values, {
      ruleName: rule.name,
      count: String(count),
      summary: signal.summary,
    });
    const outOfHours = !options.isBusinessTime(signal.occurredAt);
    return {
      ruleId: rule.id,
      ruleName: rule.name,
      severity: chooseSeverity(rule.severity, signal, options.severityOrder, outOfHours),
      title: renderTitle(rule.title, values),
      groupKey: group.key,
      groupValues: { ...group.values },
      at: new Date(signal.occurredAt.getTime()),
      signalIds,
      count,
      correlationKeys: correlationKeysOf(rule, group.key, signal),
      maxCorrelationMs: rule.maxCorrelationMs,
      category: rule.category,
      owner: rule.owner,
      responders: [...rule.responders],
      suggestsBreach: rule.suggestsBreach,
    };
  }

  /** Observes a signal the rule selects (the caller checked, see `observe`). */
  async function observeRule(rule: DetectionRule, signal: StoredSignal, store: WindowStore) {
    const group = groupOf(rule, signal);
    if (group === null) return null;
    const t = signal.occurredAt.getTime();
    if (rule.kind === 'match') {
      if (signal.status === 'resolved' && signal.correlationKey) return null;
      if (inCooldown(rule, await store.lastFiring(rule.id, group.key), t)) return null;
      await store.recordFiring(rule.id, group.key, signal.occurredAt);
      return firingOf(rule, group, signal, 1, [signal.id]);
    }
    if (signal.status === 'resolved') return null;
    const completed = await observeWindowed(rule, group, signal, store);
    if (completed === null) return null;
    const ids = await store.hitSignalIds(
      rule.id,
      group.key,
      new Date(completed.from),
      new Date(completed.to),
      MAX_FIRING_SIGNALS,
    );
    await store.recordFiring(rule.id, group.key, signal.occurredAt);
    return firingOf(rule, group, signal, completed.count, ids);
  }

  return {
    rules,
    async observe(signal, store) {
      // An instant that is not a number cannot be placed in any window.
      if (!(signal.occurredAt instanceof Date) || Number.isNaN(signal.occurredAt.getTime())) return [];
      const firings: Firing[] = [];
      for (const rule of rules) {
        // Most rules select few kinds: deciding that before the (async) rest saves an await per rule.
        if (!selects(rule.select, signal)) continue;
        const firing = await observeRule(rule, signal, store);
        if (firing !== null) firings.push(firing);
      }
      return firings;
    },
  };
}
