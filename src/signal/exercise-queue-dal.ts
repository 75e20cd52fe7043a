import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { NormalizedSignal } from './signal-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A live exercise's signal waiting for (or past) its release instant. */
export interface QueuedExerciseSignal {
  seq: number;
  exerciseId: string;
  incident: { id: string; reference: string };
  position: number;
  releaseAt: Date;
  signal: NormalizedSignal;
  releasedAt: Date | null;
  signalId: string | null;
}

type QueueRow = {
  seq: number | string;
  exercise_id: string;
  incident_id: string;
  incident_reference: string;
  position: number | string;
  release_at: string;
  signal: string;
  released_at: string | null;
  signal_id: string | null;
};

function fromRow(r: QueueRow): QueuedExerciseSignal {
  const parsed = JSON.parse(r.signal) as NormalizedSignal & { occurredAt: string };
  return {
    seq: Number(r.seq),
    exerciseId: r.exercise_id,
    incident: { id: r.incident_id, reference: r.incident_reference },
    position: Number(r.position),
    releaseAt: fromDbInstant(r.release_at),
    signal: { ...parsed, occurredAt: fromDbInstant(parsed.occurredAt) },
    releasedAt: r.released_at === null ? null : fromDbInstant(r.released_at),
    signalId: r.signal_id,
  };
}

/** Queries of the exercise signal queue (live exercises replayed at real speed). */
export function createExerciseQueueDal() {
  return {
    async insert(
      trx: Transaction<VigilDatabase>,
      rows: readonly Omit<QueuedExerciseSignal, 'seq' | 'releasedAt' | 'signalId'>[],
    ): Promise<void> {
      // 500 rows of 6 parameters stay under every driver's parameter limit.
      for (let start = 0; start < rows.length; start += 500) {
        await trx
          .insertInto('exercise_signal_queue')
          .values(
            rows.slice(start, start + 500).map((r) => ({
              exercise_id: r.exerciseId,
              incident_id: r.incident.id,
              incident_reference: r.incident.reference,
              position: r.position,
              release_at: toDbInstant(r.releaseAt),
              signal: JSON.stringify({ ...r.signal, occurredAt: toDbInstant(r.signal.occurredAt) }),
            })),
          )
          .execute();
      }
    },

    /** Unreleased rows due at `now`, earliest first, at most `limit`. */
    async listDue(db: Executor, now: Date, limit: number): Promise<QueuedExerciseSignal[]> {
      const rows = await db
        .selectFrom('exercise_signal_queue')
        .selectAll()
        .where('released_at', 'is', null)
        .where('release_at', '<=', toDbInstant(now))
        .orderBy('release_at')
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },

    /** Released rows of an incident's replay from `from` on: the context its detection windows need. */
    async listReleasedSince(db: Executor, incidentId: string, from: Date): Promise<QueuedExerciseSignal[]> {
      const rows = await db
        .selectFrom('exercise_signal_queue')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .where('release_at', '>=', toDbInstant(from))
        .where('released_at', 'is not', null)
        .orderBy('release_at')
        .orderBy('seq')
        .execute();
      return rows.map(fromRow);
    },

    /**
     * Marks one row released with the signal it became; false when another
     * engine released it first (compare-and-set on `released_at`).
     */
    async markReleased(
      trx: Transaction<VigilDatabase>,
      seq: number,
      releasedAt: Date,
      signalId: string | null,
    ): Promise<boolean> {
      const result = await trx
        .updateTable('exercise_signal_queue')
        .set({ released_at: toDbInstant(releasedAt), signal_id: signalId })
        .where('seq', '=', seq)
        .where('released_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** How far an incident's replay has come. */
    async progress(
      db: Executor,
      incidentId: string,
    ): Promise<{ scheduled: number; released: number; nextReleaseAt: Date | null }> {
      const row = await db
        .selectFrom('exercise_signal_queue')
        .select((eb) => [
          eb.fn.countAll<number | string>().as('scheduled'),
          eb.fn.count<number | string>('released_at').as('released'),
        ])
        .where('incident_id', '=', incidentId)
        .executeTakeFirstOrThrow();
      const next = await db
        .selectFrom('exercise_signal_queue')
        .select('release_at')
        .where('incident_id', '=', incidentId)
        .where('released_at', 'is', null)
        .orderBy('release_at')
        .limit(1)
        .executeTakeFirst();
      return {
        scheduled: Number(row.scheduled),
        released: Number(row.released),
        nextReleaseAt: next ? fromDbInstant(next.release_at) : null,
      };
    },
  };
}

export type ExerciseQueueDal = ReturnType<typeof createExerciseQueueDal>;
