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
 * On PostgreSQL several nodes ingest into one database, each with its own
 * windows. Every transaction that stores signals holds the `ingestion`
 * lock (transaction-lock.ts), so signals are stored one transaction at a
 * time and their sequence numbers follow commit order; each node then
 * catches up, under that lock and before storing its own batch, with the
 * signals the other nodes stored since its last batch, observing them
 * with their firings discarded (the node that stored them applied those).
 * So every node's windows and cooldowns count every node's signals, and a
 * burst split across nodes fires exactly once. SQLite is one process and
 * needs no catch-up.
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
import { isExerciseSignal, type StoredSignalRecord } from './signal-types.ts';

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
    hitInstants: (ruleId, groupKey, from, to) => memory.hitInstants(ruleId, groupKey, from, to),
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
  /**
   * Notes signals this node just stored (and observes itself) in the batch's transaction, so a
   * later catch-up does not count them again.
   */
  noteStored(signals: readonly Pick<StoredSignalRecord, 'seq'>[]): void;
  /** Forgets the windows (a batch whose hits were counted did not commit); the next batch rebuilds them. */
  invalidate(): void;
  /** Hits held in memory. */
  size(): number;
}

export function createLiveWindows(deps: {
  dal: Pick<SignalDal, 'firstSeqReceivedFrom' | 'listOccurredFromSeq' | 'lastSeq'>;
  detector: Detector;
  /** True when other processes store signals in the same database (PostgreSQL): catch up before each batch. */
  shared: boolean;
}): LiveWindows {
  const { dal, detector, shared } = deps;
  const reachMs = maxReachMs(detector.rules);
  const cooldownMs = Math.max(0, ...detector.rules.map((r) => r.cooldownMs));
  const reachByRule = new Map(detector.rules.map((r) => [r.id, ruleReachMs(r)]));
  let memory: MemoryWindowStore | null = null;
  let prunedAt = 0;
  /** The highest sequence number these windows have observed (or deliberately passed over). */
  let observedSeq = 0;

  /** Observes stored signals from `fromSeq` on that occurred from `occurredFrom`, firings discarded. */
  async function observeStored(
    trx: Transaction<VigilDatabase>,
    store: MemoryWindowStore,
    fromSeq: number,
    occurredFrom: Date,
  ): Promise<void> {
    let next = fromSeq;
    for (;;) {
      const batch = await dal.listOccurredFromSeq(trx, { fromSeq: next, occurredFrom, limit: WARM_BATCH });
      if (batch.length === 0) return;
      // A live exercise's signals never count in real windows.
      for (const signal of batch) if (!isExerciseSignal(signal)) await detector.observe(signal, store);
      next = batch.at(-1)!.seq + 1;
    }
  }

  /** The other nodes' signals stored since this node's last batch (under the ingestion lock). */
  async function catchUp(
    trx: Transaction<VigilDatabase>,
    store: MemoryWindowStore,
    now: Date,
  ): Promise<void> {
    const last = await dal.lastSeq(trx);
    if (last <= observedSeq) return;
    await observeStored(trx, store, observedSeq + 1, new Date(now.getTime() - reachMs - LATE_DELIVERY_MS));
    observedSeq = last;
  }

  async function warm(trx: Transaction<VigilDatabase>, now: Date): Promise<MemoryWindowStore> {
    const fresh = createMemoryWindowStore();
    // Read first: under the ingestion lock nothing is stored meanwhile, so the warm-up sees exactly this much.
    observedSeq = await dal.lastSeq(trx);
    if (reachMs > 0) {
      const occurredFrom = new Date(now.getTime() - reachMs - LATE_DELIVERY_MS);
      const receivedFrom = new Date(occurredFrom.getTime() - LATE_DELIVERY_MS);
      // Found once: signals are stored in receipt order, so everything after it was received later.
      const fromSeq = await dal.firstSeqReceivedFrom(trx, receivedFrom);
      // Firings found while warming already happened (or will be found by a backfill): only the hits matter.
      if (fromSeq !== null) await observeStored(trx, fresh, fromSeq, occurredFrom);
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
      if (memory === null) memory = await warm(trx, now);
      else if (shared) await catchUp(trx, memory, now);
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
    noteStored(signals) {
      for (const signal of signals) if (signal.seq > observedSeq) observedSeq = signal.seq;
    },
    invalidate() {
      memory = null;
    },
    size() {
      return memory?.size() ?? 0;
    },
  };
}
