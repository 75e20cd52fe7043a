/**
 * Tabletop exercises: planned with a scenario, a date, a facilitator and
 * participants; completed with findings, which may turn into actions. The
 * policy's cadence (see exercise-cadence.ts) is judged from the last
 * completed one.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf } from '../incident/incident-context.ts';
import type { Clock } from '../platform/clock.ts';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { ExercisesTable, VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.ts';
import type { Policy } from '../policy/policy-types.ts';
import { localDate } from '../review/review-service.ts';
import { type ExerciseCadence, exerciseCadence } from './exercise-cadence.ts';

export interface Exercise {
  id: string;
  title: string;
  scenario: string;
  scheduledFor: string;
  facilitator: string;
  participants: string[];
  status: 'planned' | 'completed';
  findings: string | null;
  completedOn: string | null;
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
}

function exerciseOf(r: Selectable<ExercisesTable>): Exercise {
  return {
    id: r.id,
    title: r.title,
    scenario: r.scenario,
    scheduledFor: r.scheduled_for,
    facilitator: r.facilitator,
    participants: JSON.parse(r.participants) as string[],
    status: r.status as Exercise['status'],
    findings: r.findings,
    completedOn: r.completed_on,
    createdAt: fromDbInstant(r.created_at),
    createdBy: r.created_by,
    updatedAt: fromDbInstant(r.updated_at),
  };
}

export function createExerciseService(deps: {
  db: Kysely<VigilDatabase>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  policy: Policy;
}) {
  const { db, audit, clock, policy } = deps;
  const zone = policy.time.timeZone;

  async function find(id: string): Promise<Exercise> {
    const row = await db.selectFrom('exercises').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound('exercise', id);
    return exerciseOf(row);
  }

  return {
    async create(
      principal: Principal,
      input: {
        title: string;
        scenario: string;
        scheduledFor: string;
        facilitator: string;
        participants: string[];
      },
    ): Promise<Exercise> {
      const now = clock.now();
      const exercise: Exercise = {
        id: randomUUID(),
        ...input,
        status: 'planned',
        findings: null,
        completedOn: null,
        createdAt: now,
        createdBy: formatActor(actorOf(principal)),
        updatedAt: now,
      };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('exercises')
          .values({
            id: exercise.id,
            title: exercise.title,
            scenario: exercise.scenario,
            scheduled_for: exercise.scheduledFor,
            facilitator: exercise.facilitator,
            participants: JSON.stringify(exercise.participants),
            status: 'planned',
            findings: null,
            completed_on: null,
            created_at: toDbInstant(now),
            created_by: exercise.createdBy,
            updated_at: toDbInstant(now),
          })
          .execute();
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'exercise.planned',
          subject: { type: 'exercise', id: exercise.id },
          detail: {
            title: exercise.title,
            scheduledFor: exercise.scheduledFor,
            facilitator: exercise.facilitator,
          },
          at: now,
        });
      });
      return exercise;
    },

    /** Newest planned date first. */
    async list(): Promise<Exercise[]> {
      const rows = await db
        .selectFrom('exercises')
        .selectAll()
        .orderBy('scheduled_for', 'desc')
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(exerciseOf);
    },

    get: find,

    /** The facilitator of an exercise, read through the caller's executor (inside its transaction). */
    async facilitatorOf(
      executor: Kysely<VigilDatabase> | Transaction<VigilDatabase>,
      id: string,
    ): Promise<string | null> {
      const row = await executor
        .selectFrom('exercises')
        .select('facilitator')
        .where('id', '=', id)
        .executeTakeFirst();
      return row?.facilitator ?? null;
    },

    /** Records that the exercise took place, with its findings; 409 when already completed. */
    async complete(
      principal: Principal,
      id: string,
      input: { findings: string; completedOn?: string | undefined; participants?: string[] | undefined },
    ): Promise<Exercise> {
      const now = clock.now();
      const completedOn = input.completedOn ?? localDate(now, zone);
      if (completedOn > localDate(now, zone)) {
        throw new ValidationFailed([{ field: 'body.completedOn', reason: 'must not be in the future' }]);
      }
      return db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('exercises').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw new NotFound('exercise', id);
        if (row.status === 'completed') throw new Conflict(`exercise ${id} is already completed`);
        const participants = input.participants ?? (JSON.parse(row.participants) as string[]);
        await trx
          .updateTable('exercises')
          .set({
            status: 'completed',
            findings: input.findings,
            completed_on: completedOn,
            participants: JSON.stringify(participants),
            updated_at: toDbInstant(now),
          })
          .where('id', '=', id)
          .execute();
        await audit.append(trx, {
          actor: actorOf(principal),
          action: 'exercise.completed',
          subject: { type: 'exercise', id },
          detail: { title: row.title, completedOn, participants },
          at: now,
        });
        return exerciseOf({
          ...row,
          status: 'completed',
          findings: input.findings,
          completed_on: completedOn,
          participants: JSON.stringify(participants),
          updated_at: toDbInstant(now),
        });
      });
    },

    /** Where the policy's cadence stands now. */
    async cadence(): Promise<ExerciseCadence> {
      const last = await db
        .selectFrom('exercises')
        .select((eb) => eb.fn.max('completed_on').as('last'))
        .where('status', '=', 'completed')
        .executeTakeFirst();
      const first = await db
        .selectFrom('policy_versions')
        .select((eb) => eb.fn.min('first_loaded_at').as('since'))
        .executeTakeFirst();
      const now = clock.now();
      return exerciseCadence({
        every: policy.exercises.every,
        warnBefore: policy.exercises.warnBefore,
        timeZone: zone,
        lastCompletedOn: (last?.last as string | null | undefined) ?? null,
        since: first?.since ? fromDbInstant(first.since as string) : now,
        now,
      });
    },
  };
}

export type ExerciseService = ReturnType<typeof createExerciseService>;
