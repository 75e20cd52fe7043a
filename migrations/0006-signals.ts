import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Signals as received (raw operational telemetry, purged after the policy's
 * telemetry period), each detection rule's last firing per group (its
 * cooldown survives restarts), the correlation keys that let a firing join an open incident, the links
 * between incidents and signals, and ingest tokens.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await ctx
    // The sequence is the signal's id: a second, random key would cost an index update per row.
    .withSequenceKey(db.schema.createTable('signals'), 'seq')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity_hint', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    // A record delivered twice (senders retry) is stored once: the unique key is the dedup.
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('correlation_key', 'text')
    // The entities people filter by most, copied out of `entities` so a filter needs no JSON.
    .addColumn('principal', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('entities', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .execute();
  // No index on received_at: signals are stored in receipt order, so the purge and the
  // detection warm-up find a receipt time by binary search over the sequence (the primary key),
  // and ingestion pays for one secondary index (the dedup key) instead of two.

  await db.schema
    .createTable('detection_firings')
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('detection_firings_pk', ['rule_id', 'group_key'])
    .execute();

  await ctx
    .withSequenceKey(db.schema.createTable('incident_correlations'), 'seq')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('incident_correlations_by_key')
    .on('incident_correlations')
    .columns(['key', 'seq'])
    .execute();

  // No foreign key to signals: the raw signal is purged after the telemetry period, the link stays.
  await db.schema
    .createTable('incident_signals')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('signal_id', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text')
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_signals_pk', ['incident_id', 'signal_id'])
    .execute();
  await db.schema
    .createIndex('incident_signals_by_signal')
    .on('incident_signals')
    .columns(['signal_id'])
    .execute();

  await db.schema
    .createTable('ingest_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // Null: the token may ingest from every source.
    .addColumn('source', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
}
