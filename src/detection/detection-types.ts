/**
 * Types of detection: the rules of the policy's `detection` section as the detector runs them,
 * the firings it returns, and the window store it counts with.
 *
 * The detector is pure apart from the store: it reads no clock (time is each signal's
 * `occurredAt`), and the store is an interface so that the same rules run against the database
 * in production and against memory in `vigil rules test` and the tests.
 */
import type {
  NormalizedSignal,
  SeverityHint,
  SignalKind,
  SignalSource,
  SignalStatus,
} from '../signal/signal-types.ts';

/** A signal as the detector sees it: normalized and stored, with its storage id. */
export interface StoredSignal extends NormalizedSignal {
  id: string;
}

export const DETECTION_RULE_KINDS = ['match', 'threshold', 'distinct', 'rate'] as const;
/**
 * - `match`: every matching signal fires (subject to the cooldown of its group).
 * - `threshold`: at least N matching signals of a group within a sliding window.
 * - `distinct`: at least N distinct values of one entity per group within a sliding window.
 * - `rate`: the count within the window against the count of the baseline period before it.
 */
export type DetectionRuleKind = (typeof DETECTION_RULE_KINDS)[number];

/** Which signals a rule looks at. Every condition given must hold. */
export interface SignalSelector {
  /** Null: any source. */
  sources: readonly SignalSource[] | null;
  /** Null: any kind. */
  kinds: readonly SignalKind[] | null;
  /** `['firing']` unless the rule says otherwise; only `match` rules may select resolved signals. */
  statuses: readonly SignalStatus[];
  /** Entity name to the values it may have (exact text; numbers compared as their decimal text). */
  entities: Readonly<Record<string, readonly string[]>>;
  /** The signal's severityHint at least this severe; null: any. */
  minSeverity: SeverityHint | null;
  /** Entity name to a number the entity's numeric value must reach (e.g. `rows: 10000`). */
  atLeast: Readonly<Record<string, number>>;
}

/** One `byEntity` mapping: when entity `entity` matches `pattern`, use `severity`. */
export interface SeverityByEntity {
  entity: string;
  /** Exact text, or a glob where `*` stands for any characters (case-sensitive). */
  pattern: string;
  severity: string;
}

/**
 * How a firing's severity is chosen, in this order:
 * 1. the first `byEntity` match (exact patterns before globs, otherwise as written), else `default`;
 * 2. `fromSignal`: raised to the signal's severityHint (info counts as low);
 * 3. `outOfHours`: raised to at least this when the firing instant is outside business time.
 * "Raised" means the more severe of the two by the policy's order of severities.
 */
export interface SeverityRule {
  default: string;
  fromSignal: boolean;
  byEntity: readonly SeverityByEntity[];
  outOfHours: string | null;
}

interface RuleBase {
  id: string;
  name: string;
  select: SignalSelector;
  /** Entity names; a signal lacking any of them is not counted. Empty: one group for all signals (match rules: one per sender key). */
  groupBy: readonly string[];
  severity: SeverityRule;
  /** `{{name}}` template of the firing's title. */
  title: string;
  /** After a firing, the same rule and group does not fire again within this (milliseconds, either side). */
  cooldownMs: number;
  /** Entity names whose values let a firing join an open incident sharing one of them. */
  correlateOn: readonly string[];
  /** How long after an incident opened it may still absorb this rule's firings (milliseconds). */
  maxCorrelationMs: number;
  category: string | null;
  /** Email of the owner of what this rule opens; `rulesFromPolicy` fills in the policy's primary owner. */
  owner: string | null;
  responders: readonly string[];
  suggestsBreach: boolean;
}

export interface MatchRule extends RuleBase {
  kind: 'match';
}

export interface ThresholdRule extends RuleBase {
  kind: 'threshold';
  windowMs: number;
  threshold: number;
}

export interface DistinctRule extends RuleBase {
  kind: 'distinct';
  windowMs: number;
  threshold: number;
  /** The entity whose distinct values are counted. */
  distinct: string;
}

export interface RateRule extends RuleBase {
  kind: 'rate';
  windowMs: number;
  /** The period just before the window that gives the usual rate. */
  baselineMs: number;
  factor: number;
  minimum: number;
}

/** A rule of the policy as the detector runs it: durations in milliseconds, defaults filled in. */
export type DetectionRule = MatchRule | ThresholdRule | DistinctRule | RateRule;

/** What a rule concluded from the signals: an incident to open, or a firing to join an open one. */
export interface Firing {
  ruleId: string;
  ruleName: string;
  /** A policy severity id. */
  severity: string;
  /** Rendered, one line, at most 200 characters. */
  title: string;
  /** Stable text of the group values, e.g. `principal=sqladmin`. */
  groupKey: string;
  groupValues: Record<string, string>;
  /** occurredAt of the signal that completed the firing. */
  at: Date;
  /** The signals in the window that count toward it (at most 100, newest last), the completing one included. */
  signalIds: string[];
  count: number;
  /**
   * `rule:<ruleId>:<groupKey>` first, then `entity:<name>:<value>` for each correlateOn entity
   * the completing signal has, then `sender:<source>:<key>` when the signal has a sender
   * correlation key.
   */
  correlationKeys: string[];
  maxCorrelationMs: number;
  category: string | null;
  owner: string | null;
  responders: string[];
  suggestsBreach: boolean;
}

/** One signal counted by one rule for one group. */
export interface WindowHit {
  ruleId: string;
  groupKey: string;
  /** The signal's occurredAt. */
  at: Date;
  signalId: string;
  /** For `distinct` rules, the value of the counted entity; else null. */
  distinctValue: string | null;
}

/**
 * Where windows live. Ranges are `(from, to]`: from exclusive, to inclusive, on occurredAt.
 * Implementations must treat a repeated hit (same rule, group and signal) as one.
 */
export interface WindowStore {
  addHit(hit: WindowHit): Promise<void>;
  countHits(ruleId: string, groupKey: string, from: Date, to: Date): Promise<number>;
  /** Distinct non-null `distinctValue`s of the hits in the range. */
  countDistinct(ruleId: string, groupKey: string, from: Date, to: Date): Promise<number>;
  /** The instants (epoch ms) of the hits in the range `(from, to]`, earliest first. */
  hitInstants(ruleId: string, groupKey: string, from: Date, to: Date): Promise<number[]>;
  /** Ids of the newest `limit` hits in the range, oldest first (so the newest is last). */
  hitSignalIds(ruleId: string, groupKey: string, from: Date, to: Date, limit: number): Promise<string[]>;
  /** The latest `at` recorded for the rule and group, or null. */
  lastFiring(ruleId: string, groupKey: string): Promise<Date | null>;
  recordFiring(ruleId: string, groupKey: string, at: Date): Promise<void>;
}

/** What the detector needs from the policy besides the rules. */
export interface DetectorOptions {
  /** Severity ids, most severe first (the policy's order). */
  severityOrder: readonly string[];
  /** True when the instant is inside business hours (the policy's business calendar). */
  isBusinessTime: (at: Date) => boolean;
}

export interface Detector {
  /**
   * Feeds one stored signal (already deduplicated by the caller); returns the firings it
   * completes. Signals may arrive out of order by occurredAt.
   */
  observe(signal: StoredSignal, store: WindowStore): Promise<Firing[]>;
  rules: readonly DetectionRule[];
}
