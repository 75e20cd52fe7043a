import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * A live exercise replayed at real speed: the parsed signal file waits here,
 * each record with the instant it is due, until the engine releases it into
 * the exercise's incident. Rows outlive a restart, so a replay paced over
 * hours resumes where it was.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await ctx
    .withSequenceKey(db.schema.createTable('exercise_signal_queue'), 'seq')
    .addColumn('exercise_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('incident_reference', 'text', (c) => c.notNull())
    // Order within the file: records due at the same instant are released in this order.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('release_at', 'text', (c) => c.notNull())
    // The normalized signal as parsed at scheduling time (JSON; occurredAt as ISO text).
    .addColumn('signal', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .addColumn('signal_id', 'text')
    .execute();
  // The release module's only question: what is due and not yet released.
  await db.schema
    .createIndex('exercise_signal_queue_due')
    .on('exercise_signal_queue')
    .column('release_at')
    .where(sql.ref('released_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('exercise_signal_queue_by_incident')
    .on('exercise_signal_queue')
    .columns(['incident_id', 'release_at'])
    .execute();
}
