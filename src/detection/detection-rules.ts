/**
 * Turns the policy's detection rules into the form the detector runs: durations in
 * milliseconds, defaults filled in, lists normalized.
 */
import { wallMilliseconds } from '../policy/policy-duration.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { PolicyDetectionRule, PolicyRuleSeverity, PolicySignalSelect } from './detection-schema.ts';
import type { DetectionRule, SeverityByEntity, SeverityRule, SignalSelector } from './detection-types.ts';

function selectorOf(select: PolicySignalSelect | undefined): SignalSelector {
  const entities: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(select?.entities ?? {})) {
    entities[name] = (Array.isArray(value) ? value : [value]).map(String);
  }
  return {
    sources: select?.sources ?? null,
    kinds: select?.kinds ?? null,
    statuses: select?.statuses ?? ['firing'],
    entities,
    minSeverity: select?.minSeverity ?? null,
    atLeast: { ...(select?.atLeast ?? {}) },
  };
}

function severityOf(spec: PolicyRuleSeverity): SeverityRule {
  if (typeof spec === 'string') return { default: spec, fromSignal: false, byEntity: [], outOfHours: null };
  const byEntity: SeverityByEntity[] = Object.entries(spec.byEntity ?? {}).flatMap(([entity, patterns]) =>
    Object.entries(patterns).map(([pattern, severity]) => ({ entity, pattern, severity })),
  );
  return {
    default: spec.default,
    fromSignal: spec.fromSignal ?? false,
    byEntity,
    outOfHours: spec.outOfHours ?? null,
  };
}

/**
 * One policy rule as the detector runs it.
 *
 * @param defaultOwner the email used when the rule names no owner (the policy's primary owner).
 */
export function ruleFromPolicy(rule: PolicyDetectionRule, defaultOwner: string | null): DetectionRule {
  const base = {
    id: rule.id,
    name: rule.name,
    select: selectorOf(rule.select),
    groupBy: rule.groupBy ?? [],
    severity: severityOf(rule.severity),
    title: rule.title,
    cooldownMs: wallMilliseconds(rule.cooldown),
    correlateOn: rule.correlateOn ?? [],
    maxCorrelationMs: wallMilliseconds(rule.maxCorrelation),
    category: rule.category ?? null,
    owner: rule.owner ?? defaultOwner,
    responders: rule.responders ?? [],
    suggestsBreach: rule.suggestsBreach ?? false,
  };
  switch (rule.kind) {
    case 'match':
      return { ...base, kind: 'match' };
    case 'threshold':
      return {
        ...base,
        kind: 'threshold',
        windowMs: wallMilliseconds(rule.window),
        threshold: rule.threshold,
      };
    case 'distinct':
      return {
        ...base,
        kind: 'distinct',
        windowMs: wallMilliseconds(rule.window),
        threshold: rule.threshold,
        distinct: rule.distinct,
      };
    case 'rate':
      return {
        ...base,
        kind: 'rate',
        windowMs: wallMilliseconds(rule.window),
        baselineMs: wallMilliseconds(rule.baseline),
        factor: rule.factor,
        minimum: rule.minimum,
      };
  }
}

/**
 * The detection rules of a validated policy, in the order written; rules without an owner get
 * the policy's primary owner.
 *
 * @example
 * const detector = createDetector(rulesFromPolicy(policy), {
 *   severityOrder: policy.severities.map((s) => s.id),
 *   isBusinessTime: (at) => calendar.isBusinessTime(at),
 * });
 */
export function rulesFromPolicy(policy: Policy): DetectionRule[] {
  const owner = policy.command.primaryOwner.email;
  return policy.detection.rules.map((rule) => ruleFromPolicy(rule, owner));
}

/**
 * How far back from a signal a rule's counts look: its window plus, for a
 * rate rule, the baseline before it. Zero for a match rule, which counts nothing.
 */
export function ruleReachMs(rule: DetectionRule): number {
  return ('windowMs' in rule ? rule.windowMs : 0) + ('baselineMs' in rule ? rule.baselineMs : 0);
}

/** The longest reach among `rules`: what any window can ask about. */
export function maxReachMs(rules: readonly DetectionRule[]): number {
  return Math.max(0, ...rules.map(ruleReachMs));
}
