import type { Kysely } from 'kysely';

/**
 * Access control: API tokens carry scopes (`read`, `write`, `admin`,
 * `ingest`, `ingest:SOURCE`) and their last use; audit entries name the
 * credential (`token:ID`, `session:ID`) of the request that made them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Tokens issued before scopes existed keep the full power of their owner's role.
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('["admin"]'))
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('last_used_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('revoked_by', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('credential', 'text').execute();
}
