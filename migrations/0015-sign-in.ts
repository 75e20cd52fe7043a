import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Local sign-in: a password (argon2id) per user with its lockout counters and
 * optional TOTP second factor, and browser sessions. Sessions store only the
 * SHA-256 of their cookie value, so a copy of the database lets nobody in.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('local_credentials')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_set_at', 'text', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_failed_at', 'text')
    .addColumn('locked_until', 'text')
    // Base32, stored as is: codes can only be checked with the secret itself.
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled_at', 'text')
    // Seconds / 30: about 59 million today, so a 32-bit integer lasts for two thousand years.
    .addColumn('totp_last_step', 'integer')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('absolute_expires_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('ended_reason', 'text')
    .addColumn('client_ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .execute();
  // Sign-out everywhere ends a user's open sessions: find them without a scan.
  await db.schema
    .createIndex('sessions_by_user_open')
    .on('sessions')
    .columns(['user_id', 'ended_at'])
    .execute();
}
