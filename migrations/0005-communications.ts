import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Communications drafted on incidents, and what the outbox needs to send
 * and keep them: the channel (email or webhook), the rendered bodies as
 * sent, the receiving server's answer, and the communication a row belongs to.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await ctx
    .withSequenceKey(db.schema.createTable('communications'), 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('template', 'text')
    // Free-form subject and body (template language, validated when drafted) when no template is named.
    .addColumn('subject', 'text')
    .addColumn('body', 'text')
    // JSON: the drafted values (whatHappened, whatWeAreDoing, ...), chosen customers, extra internal recipients.
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('customer_ids', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('queued_at', 'text')
    .addColumn('queued_by', 'text')
    .execute();
  await db.schema
    .createIndex('communications_by_incident')
    .on('communications')
    .columns(['incident_id', 'seq'])
    .execute();

  await db.schema
    .alterTable('outbox')
    .addColumn('channel', 'text', (c) => c.notNull().defaultTo('email'))
    .execute();
  await db.schema.alterTable('outbox').addColumn('communication_id', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('body_text', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('body_html', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('response', 'text').execute();
  await db.schema.createIndex('outbox_by_communication').on('outbox').columns(['communication_id']).execute();
}
