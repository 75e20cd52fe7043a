/**
 * Live exercises replay a signal file through the real adapters and rules
 * into the exercise's incident, either all at once (compressed) or paced as
 * the file was recorded (real speed, optionally sped up).
 *
 * Exercise signals are stored under keys of their own
 * (`exercise:<exercise>:<incident>:<key>`), so they never deduplicate
 * against, or count in the windows of, real signals; detection runs in
 * fresh in-memory windows, and every firing is linked to the exercise's
 * incident instead of opening or joining a real one.
 *
 * A paced replay is durable: the parsed file waits in `exercise_signal_queue`
 * with each record's release instant, and the release module hands what is
 * due to {@link ExerciseReplay.releaseDue} every engine cycle, so a restart
 * resumes the replay instead of losing it.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Detector } from '../detection/detection-types.ts';
import { createMemoryWindowStore, maxReachMs } from '../detection/detector.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { takeTransactionLock } from '../platform/db/transaction-lock.ts';
import type { ExerciseQueueDal, QueuedExerciseSignal } from './exercise-queue-dal.ts';
import type { SignalDal } from './signal-dal.ts';
import { firingSignals, type IncidentIntake, parseSignalBody } from './signal-ingest-service.ts';
import { EXERCISE_KEY_PREFIX, type NormalizedSignal, type StoredSignalRecord } from './signal-types.ts';

/** The exercise and the incident its replay feeds. */
export interface ExerciseReplayTarget {
  exerciseId: string;
  incident: { id: string; reference: string };
}

/** A signal file to replay: its source format and content. */
export interface ExerciseSignalFile {
  source: string;
  body: string;
  contentType: string | undefined;
}

/** Most queued records one engine cycle releases. */
const RELEASE_BATCH = 1_000;

/**
 * When each record of a file is due in a paced replay: the first record's
 * occurrence is `start`, later ones keep their recorded gaps divided by
 * `speedup`. Pure; exported for tests.
 */
export function releaseSchedule(
  signals: readonly NormalizedSignal[],
  start: Date,
  speedup: number,
): { position: number; releaseAt: Date }[] {
  if (signals.length === 0) return [];
  const first = Math.min(...signals.map((s) => s.occurredAt.getTime()));
  return signals
    .map((s, position) => ({
      position,
      releaseAt: new Date(start.getTime() + Math.round((s.occurredAt.getTime() - first) / speedup)),
    }))
    .sort((a, b) => a.releaseAt.getTime() - b.releaseAt.getTime() || a.position - b.position);
}

export function createExerciseReplay(deps: {
  db: Kysely<VigilDatabase>;
  dal: SignalDal;
  queue: ExerciseQueueDal;
  detector: Detector;
  intake: Pick<IncidentIntake, 'applyFiringTo'>;
  clock: Clock;
}) {
  const { db, dal, queue, detector, intake, clock } = deps;
  const reachMs = maxReachMs(detector.rules);

  /**
   * Stores `signals` as the exercise's and runs detection over them after
   * `context` (earlier released records of the same replay, whose firings
   * were applied when they were released): only firings the new records
   * cause are linked to the incident.
   */
  async function storeAndDetect(
    trx: Transaction<VigilDatabase>,
    target: ExerciseReplayTarget,
    signals: readonly NormalizedSignal[],
    receivedAt: Date,
    context: readonly StoredSignalRecord[],
  ): Promise<{ stored: (StoredSignalRecord | null)[]; firings: number }> {
    // Signals are stored one transaction at a time across nodes (see transaction-lock.ts).
    await takeTransactionLock(trx, 'ingestion');
    const entries = signals.map((s) => ({
      signal: {
        ...s,
        dedupKey: `${EXERCISE_KEY_PREFIX}${target.exerciseId}:${target.incident.id}:${s.dedupKey}`,
      },
      receivedAt,
    }));
    const stored = await dal.insertNew(trx, entries);
    const fresh = stored.filter((s): s is StoredSignalRecord => s !== null);
    const store = createMemoryWindowStore();
    for (const signal of context) await detector.observe(signal, store);
    const known = new Map([...context, ...fresh].map((s) => [s.id, s]));
    let firings = 0;
    for (const signal of fresh) {
      for (const firing of await detector.observe(signal, store)) {
        const refs = await firingSignals(dal, trx, firing, known);
        await intake.applyFiringTo(trx, target.incident, firing, refs, receivedAt);
        firings += 1;
      }
    }
    return { stored, firings };
  }

  /** The stored signals earlier releases of an incident's replay produced, within the rules' reach of `from`. */
  async function releasedContext(
    trx: Transaction<VigilDatabase>,
    incidentId: string,
    from: Date,
  ): Promise<StoredSignalRecord[]> {
    const earlier = await queue.listReleasedSince(trx, incidentId, new Date(from.getTime() - reachMs));
    const context: StoredSignalRecord[] = [];
    for (const row of earlier) {
      const signal = row.signalId ? await dal.findById(trx, row.signalId) : null;
      if (signal) context.push(signal);
    }
    return context;
  }

  /** Releases one incident's due rows in one transaction; the count released. */
  async function releaseGroup(rows: readonly QueuedExerciseSignal[], now: Date): Promise<number> {
    const target = { exerciseId: rows[0]!.exerciseId, incident: rows[0]!.incident };
    return db.transaction().execute(async (trx) => {
      const context = await releasedContext(trx, target.incident.id, rows[0]!.releaseAt);
      const { stored } = await storeAndDetect(
        trx,
        target,
        rows.map((r) => r.signal),
        now,
        context,
      );
      for (const [i, row] of rows.entries()) {
        if (!(await queue.markReleased(trx, row.seq, now, stored[i]?.id ?? null))) {
          // Another engine released it: roll this group back, it is already done.
          throw new Error(`exercise signal ${row.seq} was released concurrently`);
        }
      }
      return rows.length;
    });
  }

  return {
    /**
     * Parses a file with its source's adapter before anything is opened or
     * stored: 404 for an unknown source, 400 naming each bad record.
     */
    parse(file: ExerciseSignalFile): NormalizedSignal[] {
      return parseSignalBody(file.source, file.body, file.contentType, clock.now()).signals;
    },

    /** Compressed speed: the whole file at once, in one transaction. */
    async replayNow(
      target: ExerciseReplayTarget,
      signals: readonly NormalizedSignal[],
    ): Promise<{ stored: number; firings: number }> {
      const receivedAt = clock.now();
      return db.transaction().execute(async (trx) => {
        const { stored, firings } = await storeAndDetect(trx, target, signals, receivedAt, []);
        return { stored: stored.filter((s) => s !== null).length, firings };
      });
    },

    /**
     * Real speed: the parsed file is queued; each record is released when its recorded offset from the
     * first record, divided by `speedup`, has passed. A released record's
     * occurrence time is its release instant, so the incident reads as if
     * the attack were happening now.
     */
    async schedule(
      target: ExerciseReplayTarget,
      signals: readonly NormalizedSignal[],
      speedup: number,
    ): Promise<{ scheduled: number; firstReleaseAt: Date | null; lastReleaseAt: Date | null }> {
      const now = clock.now();
      const plan = releaseSchedule(signals, now, speedup);
      await db.transaction().execute((trx) =>
        queue.insert(
          trx,
          plan.map(({ position, releaseAt }) => ({
            exerciseId: target.exerciseId,
            incident: target.incident,
            position,
            releaseAt,
            signal: { ...signals[position]!, occurredAt: releaseAt },
          })),
        ),
      );
      return {
        scheduled: plan.length,
        firstReleaseAt: plan[0]?.releaseAt ?? null,
        lastReleaseAt: plan.at(-1)?.releaseAt ?? null,
      };
    },

    /** Releases every queued record due at `now`, one incident per transaction. */
    async releaseDue(now: Date): Promise<{ released: number; failures: { key: string; error: unknown }[] }> {
      const due = await queue.listDue(db, now, RELEASE_BATCH);
      const byIncident = new Map<string, QueuedExerciseSignal[]>();
      for (const row of due) {
        const list = byIncident.get(row.incident.id) ?? [];
        list.push(row);
        byIncident.set(row.incident.id, list);
      }
      let released = 0;
      const failures: { key: string; error: unknown }[] = [];
      for (const [incidentId, rows] of byIncident) {
        try {
          released += await releaseGroup(rows, now);
        } catch (error) {
          failures.push({ key: `exercise-replay:${incidentId}`, error });
        }
      }
      return { released, failures };
    },

    /** How far an exercise incident's paced replay has come. */
    progress(incidentId: string) {
      return queue.progress(db, incidentId);
    },
  };
}

export type ExerciseReplay = ReturnType<typeof createExerciseReplay>;
