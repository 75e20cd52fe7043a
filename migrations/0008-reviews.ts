import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/** Post-incident reviews (one per incident, versioned) and corrective and preventive actions. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('reviews')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    // JSON of the review's content: summary, root cause, impact, lessons, customer summary, ...
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .addColumn('approved_at', 'text')
    .addColumn('approved_by', 'text')
    .execute();

  await ctx
    .withSequenceKey(db.schema.createTable('corrective_actions'), 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('exercise_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    // YYYY-MM-DD in the policy's time zone: dates sort as text.
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('wont_do_reason', 'text')
    .addColumn('signed_off_by', 'text')
    .addColumn('links', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .execute();
  await db.schema
    .createIndex('corrective_actions_open_by_due')
    .on('corrective_actions')
    .columns(['status', 'due_date'])
    .execute();
  await db.schema
    .createIndex('corrective_actions_by_incident')
    .on('corrective_actions')
    .columns(['incident_id'])
    .execute();
}
