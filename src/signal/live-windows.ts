/**
 * The live detection windows of a running Vigil. Windows are counted in
 * memory, where a count costs a binary search instead of a query; the
 * stored signals are their durable record. At start (and after any failed
 * batch) they are rebuilt by replaying the signals that occurred within
 * the rules' reach through the detector, with its firings discarded, and
 * the last firing of each rule and group (its cooldown) is read from
 * `detection_firings`, which every firing updates in its batch's
 * transaction. So windows survive restarts, and a restart never re-fires
 * what already fired.
 *
 * One process holds the windows of its database: the SQLite deployment is
 * one process; several PostgreSQL nodes each count the signals they
 * received (see docs/signals.md).
 */
import type { Transaction } from 'kysely';
import type { Detector, WindowStore } from '../detection/detection-types.ts';
import {
  createMemoryWindowStore,
  type MemoryWindowStore,
  maxReachMs,
  ruleReachMs,
} from '../detection/detector.ts';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { SignalDal } from './signal-dal.ts';

/** Signals replayed per query while warming up. */
const WARM_BATCH = 2_000;
/** How often ingestion drops what no window reaches any more. */
const PRUNE_EVERY_MS = 10_000;
/**
 * How late a signal may arrive (its occurrence before now) and still meet the hits of its
 * window: log exports and retries lag behind the wall. Windows keep this much more than their
 * rule's reach, and warming reads it back.
 */
const LATE_DELIVERY_MS = 60 * 60_000;

/** A store over `memory` whose firings are also written to `detection_firings` through `trx`. */
export function recordingStore(memory: MemoryWindowStore, trx: Transaction<VigilDatabase>): WindowStore {
  return {
    addHit: (hit) => memory.addHit(hit),
    countHits: (ruleId, groupKey, from, to) => memory.countHits(ruleId, groupKey, from, to),
    countDistinct: (ruleId, groupKey, from, to) => memory.countDistinct(ruleId, groupKey, from, to),
    hitSignalIds: (ruleId, groupKey, from, to, limit) =>
      memory.hitSignalIds(ruleId, groupKey, from, to, limit),
    lastFiring: (ruleId, groupKey) => memory.lastFiring(ruleId, groupKey),
    async recordFiring(ruleId, groupKey, at) {
      await memory.recordFiring(ruleId, groupKey, at);
      const lastAt = toDbInstant((await memory.lastFiring(ruleId, groupKey)) ?? at);
      await trx
        .insertInto('detection_firings')
        .values({ rule_id: ruleId, group_key: groupKey, last_at: lastAt })
        .onConflict((oc) => oc.columns(['rule_id', 'group_key']).doUpdateSet({ last_at: lastAt }))
        .execute();
    },
  };
}

export interface LiveWindows {
  /**
   * The window store for one batch inside `trx`: counts in memory, firings
   * also written to `detection_firings` through `trx`. Warms up first when needed.
   */
  storeFor(trx: Transaction<VigilDatabase>, now: Date): Promise<WindowStore>;
  /** Forgets the windows (a batch whose hits were counted did not commit); the next batch rebuilds them. */
  invalidate(): void;
  /** Hits held in memory. */
  size(): number;
}

export function createLiveWindows(deps: {
  dal: Pick<SignalDal, 'firstSeqReceivedFrom' | 'listOccurredFromSeq'>;
  detector: Detector;
}): LiveWindows {
  const { dal, detector } = deps;
  const reachMs = maxReachMs(detector.rules);
  const cooldownMs = Math.max(0, ...detector.rules.map((r) => r.cooldownMs));
  const reachByRule = new Map(detector.rules.map((r) => [r.id, ruleReachMs(r)]));
  let memory: MemoryWindowStore | null = null;
  let prunedAt = 0;

  async function warm(trx: Transaction<VigilDatabase>, now: Date): Promise<MemoryWindowStore> {
    const fresh = createMemoryWindowStore();
    if (reachMs > 0) {
      const occurredFrom = new Date(now.getTime() - reachMs - LATE_DELIVERY_MS);
      const receivedFrom = new Date(occurredFrom.getTime() - LATE_DELIVERY_MS);
      // Found once: signals are stored in receipt order, so everything after it was received later.
      let fromSeq = await dal.firstSeqReceivedFrom(trx, receivedFrom);
      while (fromSeq !== null) {
        const batch = await dal.listOccurredFromSeq(trx, { fromSeq, occurredFrom, limit: WARM_BATCH });
        if (batch.length === 0) break;
        // Firings found while warming already happened (or will be found by a backfill): only the hits matter.
        for (const signal of batch) await detector.observe(signal, fresh);
        fromSeq = batch.at(-1)!.seq + 1;
      }
    }
    // The stored firings are the truth about cooldowns, whatever the replay concluded.
    const firings = await trx
      .selectFrom('detection_firings')
      .selectAll()
      .where('last_at', '>=', toDbInstant(new Date(now.getTime() - cooldownMs)))
      .execute();
    for (const f of firings) await fresh.recordFiring(f.rule_id, f.group_key, fromDbInstant(f.last_at));
    return fresh;
  }

  return {
    async storeFor(trx, now) {
      memory ??= await warm(trx, now);
      // Forgetting as ingestion goes keeps memory bounded by the rules' reach on every process.
      if (now.getTime() - prunedAt >= PRUNE_EVERY_MS) {
        memory.prune(
          (ruleId) => new Date(now.getTime() - (reachByRule.get(ruleId) ?? reachMs) - LATE_DELIVERY_MS),
          new Date(now.getTime() - cooldownMs),
        );
        prunedAt = now.getTime();
      }
      return recordingStore(memory, trx);
    },
    invalidate() {
      memory = null;
    },
    size() {
      return memory?.size() ?? 0;
    },
  };
}
