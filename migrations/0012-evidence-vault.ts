import type { Kysely } from 'kysely';

/**
 * The evidence vault's items: one row per attachment of an incident, naming
 * its content by SHA-256 (the bytes live in the evidence store, not here).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('evidence_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    // Lower-case hex; several items may name the same content.
    .addColumn('sha256', 'text', (c) => c.notNull())
    // bigint: a policy may allow attachments past 2 GiB; SQLite stores it as its 64-bit integer.
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    // Set by retention when the content is removed; the row stays as the record that it existed.
    .addColumn('purged_at', 'text')
    .execute();
  await db.schema
    .createIndex('evidence_items_by_incident')
    .on('evidence_items')
    .column('incident_id')
    .execute();
  await db.schema.createIndex('evidence_items_by_sha256').on('evidence_items').column('sha256').execute();
}
