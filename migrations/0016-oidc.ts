import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/**
 * Single sign-on over OpenID Connect: which provider identity stands for
 * which Vigil user, and the short-lived state of sign-ins under way.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('oidc_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The ID token's `iss`; for Entra ID it names the tenant, so (issuer, subject) is unique across tenants.
    .addColumn('issuer', 'text', (c) => c.notNull())
    // Entra's `oid` when present (stable across the tenant's apps), else `sub`.
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('tenant', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('oidc_identities_issuer_subject', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('oidc_identities_by_user').on('oidc_identities').column('user_id').execute();

  await db.schema
    .createTable('oidc_login_states')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // SHA-256 of the `vigil_oidc` cookie's secret; the secret itself stays in the browser.
    .addColumn('handle_hash', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    // Set by the callback that used it: a state is good for one callback only.
    .addColumn('consumed_at', 'text')
    .execute();
  await db.schema
    .createIndex('oidc_login_states_by_expiry')
    .on('oidc_login_states')
    .column('expires_at')
    .execute();
}
