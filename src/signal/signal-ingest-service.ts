/**
 * Ingestion: a sender's body becomes normalized signals (the source's
 * adapter, before anything is written), then, by group commit, in one
 * transaction with whatever other bodies arrived meanwhile, the new ones
 * are stored, fed to the detection rules, and every firing opens or joins
 * an incident. Each body is answered (202) only after that transaction
 * commits, so an acknowledged signal is durable; a body is all-or-nothing:
 * one bad record refuses the whole body and stores nothing.
 */
import type { Kysely, Transaction } from 'kysely';
import { senderCorrelationKey } from '../detection/detection-eval.ts';
import type { Detector, Firing, WindowStore } from '../detection/detection-types.ts';
import { createMemoryWindowStore, maxReachMs } from '../detection/detector.ts';
import type { DetectedFiring, IntakeOutcome, SignalRef } from '../incident/incident-detection-service.ts';
import type { Clock } from '../platform/clock.ts';
import { createGroupCommitter } from '../platform/db/group-commit.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { takeTransactionLock } from '../platform/db/transaction-lock.ts';
import { NotFound, ValidationFailed } from '../platform/errors.ts';
import { findSignalAdapter } from './adapters/adapter-registry.ts';
import { type LiveWindows, recordingStore } from './live-windows.ts';
import type { SignalDal } from './signal-dal.ts';
import {
  type AdapterIssue,
  isExerciseSignal,
  type NormalizedSignal,
  type SignalSource,
  type StoredSignalRecord,
} from './signal-types.ts';

/** Where firings and resolved signals land: the incident domain's detection intake. */
export interface IncidentIntake {
  applyFiring(
    trx: Transaction<VigilDatabase>,
    firing: DetectedFiring,
    signals: readonly SignalRef[],
    now: Date,
  ): Promise<IntakeOutcome>;
  applyResolved(trx: Transaction<VigilDatabase>, signal: SignalRef, now: Date): Promise<IntakeOutcome | null>;
  applyFiringTo(
    trx: Transaction<VigilDatabase>,
    incident: { id: string; reference: string },
    firing: DetectedFiring,
    signals: readonly SignalRef[],
    now: Date,
  ): Promise<IntakeOutcome>;
}

type TouchedIncident = { id: string; reference: string; opened: boolean };

/** What one accepted body did. */
export interface IngestReceipt {
  source: SignalSource;
  /** Records in the body. */
  received: number;
  /** Records stored now; the rest were already stored (a sender's retry). */
  stored: number;
  duplicates: number;
  /** Incidents opened or joined because of this body's signals, once each, in order. */
  incidents: TouchedIncident[];
  /** The stored signals' ids, in body order (duplicates left out). */
  signalIds: string[];
  /** The signals as parsed (duplicates included), for answers that echo the sender's keys. */
  signals: NormalizedSignal[];
}

/** An adapter issue as a request field: `records[3].client_ip_s`, or `body` for the whole body. */
export function issueField(issue: AdapterIssue): string {
  const record = issue.record === undefined ? '' : `records[${issue.record}]`;
  if (issue.field === '(body)') return record || 'body';
  return record ? `${record}.${issue.field}` : `body.${issue.field}`;
}

/**
 * Parses a body with its source's adapter: 404 for an unknown source, 400
 * naming each bad record and field. Nothing is stored.
 */
export function parseSignalBody(
  source: string,
  body: string,
  contentType: string | undefined,
  receivedAt: Date,
): { source: SignalSource; signals: NormalizedSignal[] } {
  const adapter = findSignalAdapter(source);
  if (!adapter) throw new NotFound('signal source', source);
  const result = adapter.parse(body, { contentType, receivedAt });
  if (!result.ok) {
    throw new ValidationFailed(result.issues.map((i) => ({ field: issueField(i), reason: i.reason })));
  }
  return { source: adapter.source, signals: result.signals };
}

/** What the incident domain is told about a stored signal. */
export function signalRef(s: StoredSignalRecord): SignalRef {
  return {
    id: s.id,
    source: s.source,
    kind: s.kind,
    status: s.status,
    occurredAt: s.occurredAt,
    summary: s.summary,
    senderKey: senderCorrelationKey(s),
    entities: s.entities,
  };
}

/** The signals a firing counts: from this batch, or read back when an earlier batch stored them. */
export async function firingSignals(
  dal: Pick<SignalDal, 'findById'>,
  trx: Transaction<VigilDatabase>,
  firing: Firing,
  fresh: ReadonlyMap<string, StoredSignalRecord>,
): Promise<SignalRef[]> {
  const refs: SignalRef[] = [];
  for (const id of firing.signalIds) {
    const known = fresh.get(id) ?? (await dal.findById(trx, id));
    if (known) refs.push(signalRef(known));
  }
  return refs;
}

/** One parsed body waiting for its group commit. */
interface PendingBody {
  source: SignalSource;
  signals: NormalizedSignal[];
  receivedAt: Date;
}

/** Most records one group commit writes; a larger body still goes in one transaction of its own. */
const MAX_GROUP_RECORDS = 5_000;

export function createSignalIngestService(deps: {
  db: Kysely<VigilDatabase>;
  dal: SignalDal;
  detector: Detector;
  windows: LiveWindows;
  intake: IncidentIntake;
  clock: Clock;
}) {
  const { db, dal, detector, windows, intake, clock } = deps;
  const reachMs = maxReachMs(detector.rules);

  /**
   * Observes stored signals in order inside `trx`; returns, per signal id,
   * the incidents its firings (or its resolution) touched.
   */
  async function detect(
    trx: Transaction<VigilDatabase>,
    stored: readonly StoredSignalRecord[],
    now: Date,
    store: WindowStore,
  ): Promise<Map<string, TouchedIncident[]>> {
    const touched = new Map<string, TouchedIncident[]>();
    const fresh = new Map(stored.map((s) => [s.id, s]));
    const note = (signalId: string, o: IntakeOutcome | null) => {
      if (!o) return;
      const list = touched.get(signalId) ?? [];
      list.push({ id: o.incidentId, reference: o.reference, opened: o.opened });
      touched.set(signalId, list);
    };
    for (const signal of stored) {
      if (signal.status === 'resolved')
        note(signal.id, await intake.applyResolved(trx, signalRef(signal), now));
      for (const firing of await detector.observe(signal, store)) {
        note(
          signal.id,
          await intake.applyFiring(trx, firing, await firingSignals(dal, trx, firing, fresh), now),
        );
      }
    }
    return touched;
  }

  /** One group commit: every waiting body's new signals stored and detected in one transaction. */
  async function commitGroup(bodies: readonly PendingBody[]): Promise<IngestReceipt[]> {
    const now = clock.now();
    try {
      return await db.transaction().execute((trx) => commitWithin(trx, bodies, now));
    } catch (error) {
      // The batch's hits were counted in memory but never stored: rebuild the windows.
      windows.invalidate();
      throw error;
    }
  }

  async function commitWithin(
    trx: Transaction<VigilDatabase>,
    bodies: readonly PendingBody[],
    now: Date,
  ): Promise<IngestReceipt[]> {
    {
      // One ingesting transaction at a time across nodes: sequence numbers follow commit order,
      // windows catch up exactly, and two nodes never open an incident for one correlation key.
      await takeTransactionLock(trx, 'ingestion');
      // Warm the windows (if needed) before this batch is stored, so that warming never sees it.
      const store = await windows.storeFor(trx, now);
      // One INSERT for every body of the group: their signals are stored in submission order.
      const entries = bodies.flatMap((body) =>
        body.signals.map((signal) => ({ signal, receivedAt: body.receivedAt })),
      );
      const results = await dal.insertNew(trx, entries);
      windows.noteStored(results.filter((s): s is StoredSignalRecord => s !== null));
      const storedPerBody: StoredSignalRecord[][] = [];
      let offset = 0;
      for (const body of bodies) {
        const own = results.slice(offset, offset + body.signals.length);
        storedPerBody.push(own.filter((s): s is StoredSignalRecord => s !== null));
        offset += body.signals.length;
      }
      const touched = await detect(trx, storedPerBody.flat(), now, store);
      return bodies.map((body, i) => {
        const stored = storedPerBody[i]!;
        const incidents = new Map<string, TouchedIncident>();
        for (const s of stored) {
          for (const incident of touched.get(s.id) ?? []) {
            const seen = incidents.get(incident.id);
            if (!seen) incidents.set(incident.id, incident);
            else if (incident.opened) seen.opened = true;
          }
        }
        return {
          source: body.source,
          received: body.signals.length,
          stored: stored.length,
          duplicates: body.signals.length - stored.length,
          incidents: [...incidents.values()],
          signalIds: stored.map((s) => s.id),
          signals: body.signals,
        };
      });
    }
  }

  const committer = createGroupCommitter(commitGroup, {
    maxItems: MAX_GROUP_RECORDS,
    weight: (body) => Math.max(1, body.signals.length),
  });

  return {
    /**
     * Parses `body` as `source`, then stores what is new and runs detection
     * in a group commit. 404 for an unknown source; 400 naming the record
     * and field for a malformed body (nothing stored).
     */
    async ingest(source: string, body: string, contentType: string | undefined): Promise<IngestReceipt> {
      const receivedAt = clock.now();
      const parsed = parseSignalBody(source, body, contentType, receivedAt);
      return committer.submit({ source: parsed.source, signals: parsed.signals, receivedAt });
    },

    /**
     * Re-runs detection over stored signals that occurred in [since, until):
     * their window hits and later firings are forgotten, then the signals
     * are observed again in storage order. A firing live ingestion already
     * applied finds its incident again; only what the rules now see
     * differently opens or joins anything.
     */
    /** Hits the live windows hold now: bounded by the rules' reach. */
    windowHits(): number {
      return windows.size();
    },

    async replay(since: Date, until: Date): Promise<{ signals: number; incidents: TouchedIncident[] }> {
      const now = clock.now();
      await committer.drain();
      // Fresh windows: the signals just before `since` give the context, with their firings
      // discarded; from `since` on, firings are applied (each finds its incident again if live
      // ingestion already applied it).
      const memory = createMemoryWindowStore();
      let afterSeq = 0;
      const contextFrom = new Date(since.getTime() - reachMs);
      for (;;) {
        const batch = await dal.listForReplay(db, { from: contextFrom, to: since, afterSeq, limit: 1_000 });
        if (batch.length === 0) break;
        for (const signal of batch) if (!isExerciseSignal(signal)) await detector.observe(signal, memory);
        afterSeq = batch.at(-1)!.seq;
      }
      await db
        .transaction()
        .execute((trx) =>
          trx.deleteFrom('detection_firings').where('last_at', '>=', toDbInstant(since)).execute(),
        );
      afterSeq = 0;
      let count = 0;
      const touched = new Map<string, TouchedIncident>();
      for (;;) {
        const batch = await dal.listForReplay(db, { from: since, to: until, afterSeq, limit: 1_000 });
        if (batch.length === 0) break;
        const found = await db.transaction().execute(async (trx) => {
          await takeTransactionLock(trx, 'ingestion');
          // A live exercise's signals were detected into its own incident when they were replayed.
          const real = batch.filter((signal) => !isExerciseSignal(signal));
          return detect(trx, real, now, recordingStore(memory, trx));
        });
        for (const list of found.values()) for (const i of list) if (!touched.has(i.id)) touched.set(i.id, i);
        count += batch.length;
        afterSeq = batch.at(-1)!.seq;
      }
      // The live windows' cooldowns may have changed.
      windows.invalidate();
      return { signals: count, incidents: [...touched.values()] };
    },
  };
}

export type SignalIngestService = ReturnType<typeof createSignalIngestService>;
