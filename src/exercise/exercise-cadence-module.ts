/**
 * The engine module that tells the primary owner when the next tabletop
 * exercise is coming due (from `warnBefore` ahead) and when it is overdue,
 * by email through the outbox, once for each due date.
 */
import type { Kysely } from 'kysely';
import { formatInstant } from '../communication/message-values.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import { plainTextBody } from '../outbox/plain-text.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { ExerciseService } from './exercise-service.ts';

export function createExerciseCadenceModule(deps: {
  db: Kysely<VigilDatabase>;
  exercises: Pick<ExerciseService, 'cadence'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  policy: Policy;
}): EngineModule {
  const { db, exercises, outbox, policy } = deps;
  const owner = policy.command.primaryOwner;
  return {
    name: 'exercise-cadence',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      const cadence = await exercises.cadence();
      if (cadence.state === 'on_track') return { processed: 0 };
      const due = formatInstant(cadence.nextDueAt, policy.time.timeZone);
      const subject =
        cadence.state === 'overdue'
          ? `Tabletop exercise overdue since ${due}`
          : `Tabletop exercise due by ${due}`;
      const text = plainTextBody([
        `The policy asks for a tabletop exercise every ${policy.exercises.every.text}; the next one is due by ${due}${cadence.state === 'overdue' ? ' and is now overdue' : ''}.`,
        cadence.lastCompletedOn
          ? `The last one was completed on ${cadence.lastCompletedOn}.`
          : 'No exercise has been completed yet.',
        'Plan one with POST /api/v1/exercises (or vigil exercise plan) and record its findings when it has run.',
      ]);
      const queued = await db.transaction().execute((trx) =>
        outbox.enqueue(trx, {
          dedupKey: `exercise:${cadence.state}:${cadence.nextDueAt.toISOString()}:${owner.email.toLowerCase()}`,
          createdAt: now,
          kind: `exercise.${cadence.state}`,
          incidentId: null,
          recipient: owner.email.toLowerCase(),
          subject,
          bodyText: text,
          bodyHtml: null,
          payload: { state: cadence.state, nextDueAt: cadence.nextDueAt.toISOString() },
        }),
      );
      return { processed: queued ? 1 : 0 };
    },
  };
}
