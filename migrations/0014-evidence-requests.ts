import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Evidence requests from customers and auditors (received through the public
 * trust page) and the expiring, revocable links that answer them. A link's
 * secret is never stored: only its SHA-256.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await ctx
    .withSequenceKey(db.schema.createTable('evidence_requests'), 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    // `ER-<year>-<seq>`; set just after the insert, once the sequence number is known.
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('requester_name', 'text', (c) => c.notNull())
    .addColumn('requester_organisation', 'text', (c) => c.notNull())
    .addColumn('requester_email', 'text', (c) => c.notNull())
    .addColumn('need', 'text', (c) => c.notNull())
    // As the requester wrote it; never resolved against incidents on the public path.
    .addColumn('incident_hint', 'text', (c) => c.notNull())
    // YYYY-MM-DD as given, or null.
    .addColumn('period_from', 'text')
    .addColumn('period_to', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('owner_email', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('decline_reason', 'text')
    // SHA-256 of the client address: lets abuse be grouped without keeping the address.
    .addColumn('source_ip_hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidence_requests_by_status_due')
    .on('evidence_requests')
    .columns(['status', 'due_at'])
    .execute();

  await db.schema
    .createTable('evidence_shares')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('request_id', 'text', (c) => c.notNull().references('evidence_requests.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('report_kind', 'text')
    .addColumn('report_from', 'text')
    .addColumn('report_to', 'text')
    .addColumn('report_format', 'text')
    .addColumn('recipient_email', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_downloaded_at', 'text')
    .addColumn('download_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('evidence_shares_by_request')
    .on('evidence_shares')
    .column('request_id')
    .execute();
}
