/**
 * A window store in memory: the live windows of a running server (warmed from the stored
 * signals at start, pruned as time passes), and `vigil rules test` and the tests. Hits are kept
 * sorted by instant per rule and group, so counts are two binary searches.
 */
import type { WindowHit, WindowStore } from './detection-types.ts';

/** A window store in memory that can forget what no window reaches any more. */
export interface MemoryWindowStore extends WindowStore {
  /**
   * Drops each rule's hits before `hitsBefore(ruleId)`, and firings before `firingsBefore`
   * (older than any cooldown), then groups left empty: memory stays bounded by each rule's reach.
   */
  prune(hitsBefore: (ruleId: string) => Date, firingsBefore: Date): void;
  /** Hits held, for tests and measurements. */
  size(): number;
}

interface Hit {
  at: number;
  signalId: string;
  distinctValue: string | null;
}

interface Group {
  /** Sorted by `at`; equal instants keep their arrival order. */
  hits: Hit[];
  signalIds: Set<string>;
  lastFiring: number | null;
}

/** Index of the first hit whose instant is greater than `at`. */
function upperBound(hits: readonly Hit[], at: number): number {
  let low = 0;
  let high = hits.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (hits[middle]!.at <= at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A new, empty in-memory window store.
 *
 * @example
 * const store = createMemoryWindowStore();
 * for (const signal of signals) firings.push(...(await detector.observe(signal, store)));
 */
export function createMemoryWindowStore(): MemoryWindowStore {
  /**
   * Groups by rule, then by group key. Two levels rather than one joined key: each signal asks
   * for its group several times, and a joined key would be a new string to hash every time.
   */
  const groups = new Map<string, Map<string, Group>>();

  function group(ruleId: string, groupKey: string): Group {
    let ofRule = groups.get(ruleId);
    if (ofRule === undefined) {
      ofRule = new Map();
      groups.set(ruleId, ofRule);
    }
    let found = ofRule.get(groupKey);
    if (found === undefined) {
      found = { hits: [], signalIds: new Set(), lastFiring: null };
      ofRule.set(groupKey, found);
    }
    return found;
  }

  /** The hits in `(from, to]`. */
  function range(ruleId: string, groupKey: string, from: Date, to: Date): Hit[] {
    const { hits } = group(ruleId, groupKey);
    return hits.slice(upperBound(hits, from.getTime()), upperBound(hits, to.getTime()));
  }

  return {
    async addHit(hit: WindowHit): Promise<void> {
      const target = group(hit.ruleId, hit.groupKey);
      if (target.signalIds.has(hit.signalId)) return;
      target.signalIds.add(hit.signalId);
      const at = hit.at.getTime();
      target.hits.splice(upperBound(target.hits, at), 0, {
        at,
        signalId: hit.signalId,
        distinctValue: hit.distinctValue,
      });
    },
    async countHits(ruleId, groupKey, from, to) {
      // Counted from the two bounds, not from a copy of the range: every signal a rule counts asks.
      const { hits } = group(ruleId, groupKey);
      return Math.max(0, upperBound(hits, to.getTime()) - upperBound(hits, from.getTime()));
    },
    async countDistinct(ruleId, groupKey, from, to) {
      const values = new Set<string>();
      for (const hit of range(ruleId, groupKey, from, to)) {
        if (hit.distinctValue !== null) values.add(hit.distinctValue);
      }
      return values.size;
    },
    async hitInstants(ruleId, groupKey, from, to) {
      return range(ruleId, groupKey, from, to).map((hit) => hit.at);
    },
    async hitSignalIds(ruleId, groupKey, from, to, limit) {
      const hits = range(ruleId, groupKey, from, to);
      return hits.slice(Math.max(0, hits.length - limit)).map((hit) => hit.signalId);
    },
    async lastFiring(ruleId, groupKey) {
      const last = group(ruleId, groupKey).lastFiring;
      return last === null ? null : new Date(last);
    },
    async recordFiring(ruleId, groupKey, at) {
      const target = group(ruleId, groupKey);
      // Keep the latest: a late signal's firing must not shorten the cooldown of a newer one.
      if (target.lastFiring === null || at.getTime() > target.lastFiring) target.lastFiring = at.getTime();
    },
    prune(hitsBefore, firingsBefore) {
      const firingLimit = firingsBefore.getTime();
      for (const [ruleId, ofRule] of groups) {
        const hitLimit = hitsBefore(ruleId).getTime();
        for (const [key, target] of ofRule) {
          // Hits are sorted: everything before the first hit at or after the limit goes.
          const keepFrom = upperBound(target.hits, hitLimit - 1);
          if (keepFrom > 0) {
            for (const hit of target.hits.slice(0, keepFrom)) target.signalIds.delete(hit.signalId);
            target.hits.splice(0, keepFrom);
          }
          if (target.lastFiring !== null && target.lastFiring < firingLimit) target.lastFiring = null;
          if (target.hits.length === 0 && target.lastFiring === null) ofRule.delete(key);
        }
        if (ofRule.size === 0) groups.delete(ruleId);
      }
    },
    size() {
      let total = 0;
      for (const ofRule of groups.values()) for (const target of ofRule.values()) total += target.hits.length;
      return total;
    },
  };
}
