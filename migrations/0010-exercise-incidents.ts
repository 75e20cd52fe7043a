import type { Kysely } from 'kysely';

/** Incidents opened by a live exercise name it: they are practice, kept out of metrics and registers. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('exercise_id', 'text').execute();
}
