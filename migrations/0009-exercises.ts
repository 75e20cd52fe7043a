import type { Kysely } from 'kysely';

/** Tabletop exercises: planned, run, and completed with findings. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exercises')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('scenario', 'text', (c) => c.notNull())
    // YYYY-MM-DD in the policy's time zone.
    .addColumn('scheduled_for', 'text', (c) => c.notNull())
    .addColumn('facilitator', 'text', (c) => c.notNull())
    .addColumn('participants', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('findings', 'text')
    .addColumn('completed_on', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('exercises_by_completion')
    .on('exercises')
    .columns(['status', 'completed_on'])
    .execute();
}
