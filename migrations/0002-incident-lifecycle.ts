import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Incidents that run the process: lifecycle and triage columns, roles,
 * checklists, the timeline, SLA clocks, the outbox of messages to send, and
 * the engine's lease.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  // SQLite adds one column per ALTER TABLE statement.
  const added: [string, 'text' | 'integer'][] = [
    ['owner_id', 'text'],
    ['acknowledged_at', 'text'],
    ['acknowledged_by', 'text'],
    ['triage_decision', 'text'],
    ['triage_reason', 'text'],
    ['triage_decided_at', 'text'],
    ['triage_started_at', 'text'],
    ['duplicate_of', 'text'],
    ['highest_severity', 'text'],
    ['category', 'text'],
    ['closed_at', 'text'],
  ];
  for (const [name, type] of added) {
    await db.schema.alterTable('incidents').addColumn(name, type).execute();
  }
  await (db as Kysely<{ incidents: { highest_severity: string | null; severity: string } }>)
    .updateTable('incidents')
    .set((eb) => ({ highest_severity: eb.ref('severity') }))
    .execute();
  // Runbooks are versioned with the policy; their exact text is kept beside the policy's (JSON [{path, content}]).
  await db.schema.alterTable('policy_versions').addColumn('files', 'text').execute();

  await db.schema.createIndex('incidents_phase').on('incidents').columns(['phase', 'opened_at']).execute();
  await db.schema.createIndex('incidents_owner').on('incidents').columns(['owner_id', 'opened_at']).execute();

  await db.schema
    .createTable('incident_roles')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_roles_pk', ['incident_id', 'role', 'user_id'])
    .execute();

  await db.schema
    .createTable('incident_components')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('component', 'text', (c) => c.notNull())
    .addColumn('confidentiality', 'text', (c) => c.notNull())
    .addColumn('integrity', 'text', (c) => c.notNull())
    .addColumn('availability', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_components_pk', ['incident_id', 'component'])
    .execute();

  await db.schema
    .createTable('checklist_items')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('checklist_items_pk', ['incident_id', 'phase', 'item'])
    .execute();

  await ctx
    .withSequenceKey(db.schema.createTable('timeline_entries'), 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('timeline_by_incident')
    .on('timeline_entries')
    .columns(['incident_id', 'seq'])
    .execute();

  await db.schema
    .createTable('sla_clocks')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('at_risk_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('met_at', 'text')
    .addColumn('stopped_at', 'text')
    .addColumn('at_risk_noted_at', 'text')
    .addColumn('escalated_at', 'text')
    .addColumn('breaches', 'integer', (c) => c.notNull())
    .addColumn('next_check_at', 'text')
    .addPrimaryKeyConstraint('sla_clocks_pk', ['incident_id', 'name'])
    .execute();
  // The engine's one question, "which clocks need me now?", is a range scan of this index.
  await db.schema.createIndex('sla_clocks_next_check').on('sla_clocks').columns(['next_check_at']).execute();

  await ctx
    .withSequenceKey(db.schema.createTable('outbox'), 'seq')
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('dedup_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('engine_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
