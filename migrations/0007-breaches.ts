import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Personal data breaches: the record on an incident with every version
 * kept, its risk assessments (the latest decides, the earlier ones stay),
 * and the reports and notices sent for each obligation of each regime.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('breach_records')
    .addColumn('incident_id', 'text', (c) => c.primaryKey().references('incidents.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    // JSON of the record's current fields.
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('breach_record_versions')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('breach_record_versions_pk', ['incident_id', 'version'])
    .execute();

  await ctx
    .withSequenceKey(db.schema.createTable('breach_assessments'), 'seq')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('breach_assessments_by_incident')
    .on('breach_assessments')
    .columns(['incident_id', 'seq'])
    .execute();

  await ctx
    .withSequenceKey(db.schema.createTable('breach_submissions'), 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('regime', 'text', (c) => c.notNull())
    .addColumn('obligation', 'text', (c) => c.notNull())
    // draft, approved, submitted.
    .addColumn('status', 'text', (c) => c.notNull())
    // JSON: the report as drafted from the record (and edited), or the notice sent.
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('follows_up', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('submitted_at', 'text')
    .addColumn('submitted_by', 'text')
    .addColumn('method', 'text')
    .addColumn('reference', 'text')
    .addColumn('delay_reasons', 'text')
    .addColumn('late', 'integer')
    .execute();
  await db.schema
    .createIndex('breach_submissions_by_incident')
    .on('breach_submissions')
    .columns(['incident_id', 'seq'])
    .execute();
}
