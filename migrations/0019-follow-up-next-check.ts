import { type Kysely, sql } from 'kysely';

/**
 * When the breach-deadline and action-reminder modules next need to look at
 * a breach record or a corrective action, so that an engine cycle reads only
 * the rows that are due instead of every breach ever recorded and every open
 * action (the way `sla_clocks.next_check_at` works). Null: nothing will ever
 * be due again until the row changes.
 *
 * Backfill: existing breach records and open or in-progress actions are made
 * due at once (their last update), so the first cycle after the upgrade
 * looks at each one, sends what the old module would have sent (the outbox
 * dedup keys are unchanged, so nothing is sent twice), and stores the real
 * next instant. Done, won't-do and closed rows stay null.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('breach_records').addColumn('next_check_at', 'text').execute();
  await sql`update breach_records set next_check_at = updated_at`.execute(db);
  await db.schema
    .createIndex('breach_records_by_next_check')
    .on('breach_records')
    .column('next_check_at')
    .execute();

  await db.schema.alterTable('corrective_actions').addColumn('next_check_at', 'text').execute();
  await sql`update corrective_actions set next_check_at = updated_at where status in ('open', 'in_progress')`.execute(
    db,
  );
  await db.schema
    .createIndex('corrective_actions_by_next_check')
    .on('corrective_actions')
    .column('next_check_at')
    .execute();
}
