import { type Kysely, sql } from 'kysely';

/**
 * Retention and legal hold: holds on incidents (who, when, why, and who
 * released them), the windows of telemetry an incident's owner marked as its
 * evidence, the day of the last daily purge pass, and the incident tombstone
 * column. Indexes serve the purge's NOT EXISTS checks and its due-incident scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('legal_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('placed_at', 'text', (c) => c.notNull())
    .addColumn('placed_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .addColumn('released_by', 'text')
    .addColumn('release_reason', 'text')
    .execute();
  // At most one active hold per incident; the partial index also finds it.
  await db.schema
    .createIndex('legal_holds_active')
    .on('legal_holds')
    .column('incident_id')
    .unique()
    .where(sql.ref('released_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('evidence_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('from_at', 'text', (c) => c.notNull())
    .addColumn('to_at', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // Null: every source.
    .addColumn('source', 'text')
    // JSON `{key: value}` as given; null: any entities.
    .addColumn('entity', 'text')
    // `"key":value` as the signal's entities JSON spells it, so SQL can match it on both engines.
    .addColumn('entity_needle', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidence_windows_by_range')
    .on('evidence_windows')
    .columns(['from_at', 'to_at'])
    .execute();
  await db.schema
    .createIndex('evidence_windows_by_incident')
    .on('evidence_windows')
    .column('incident_id')
    .execute();

  await db.schema
    .createTable('retention_runs')
    // The policy-time-zone day (YYYY-MM-DD) of a daily pass: its primary key makes the claim.
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();

  await db.schema.alterTable('incidents').addColumn('evidence_purged_at', 'text').execute();
  // The daily scan for incidents whose evidence is due reads only closed, unpurged incidents.
  await db.schema
    .createIndex('incidents_evidence_due')
    .on('incidents')
    .column('closed_at')
    .where(sql.ref('evidence_purged_at'), 'is', null)
    .execute();
}
