import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { OidcLoginStatesTable, VigilDatabase } from '../platform/db/schema.ts';
import type { Role } from './identity-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A sign-in under way, as stored between the redirect to the provider and its callback. */
export interface OidcLoginState {
  id: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  expiresAt: Date;
  consumedAt: Date | null;
}

function toLoginState(row: OidcLoginStatesTable): OidcLoginState {
  return {
    id: row.id,
    state: row.state,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    returnTo: row.return_to,
    expiresAt: fromDbInstant(row.expires_at),
    consumedAt: row.consumed_at === null ? null : fromDbInstant(row.consumed_at),
  };
}

/** A user as single sign-on needs to see them. */
export interface OidcUserRow {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
}

/** Queries of sign-ins under way and of provider identities linked to users. */
export function createOidcDal() {
  return {
    async insertLoginState(
      trx: Executor,
      row: Omit<OidcLoginState, 'consumedAt'> & { handleHash: string; createdAt: Date },
    ): Promise<void> {
      await trx
        .insertInto('oidc_login_states')
        .values({
          id: row.id,
          handle_hash: row.handleHash,
          state: row.state,
          nonce: row.nonce,
          code_verifier: row.codeVerifier,
          return_to: row.returnTo,
          created_at: toDbInstant(row.createdAt),
          expires_at: toDbInstant(row.expiresAt),
          consumed_at: null,
        })
        .execute();
    },

    /** Removes sign-ins that expired before `before`: they can never complete. */
    async deleteExpiredLoginStates(trx: Executor, before: Date): Promise<void> {
      await trx.deleteFrom('oidc_login_states').where('expires_at', '<', toDbInstant(before)).execute();
    },

    async findLoginState(db: Executor, handleHash: string): Promise<OidcLoginState | null> {
      const row = await db
        .selectFrom('oidc_login_states')
        .selectAll()
        .where('handle_hash', '=', handleHash)
        .executeTakeFirst();
      return row ? toLoginState(row) : null;
    },

    /** Marks the state used; false when another callback used it first (compare-and-set). */
    async consumeLoginState(trx: Executor, id: string, at: Date): Promise<boolean> {
      const result = await trx
        .updateTable('oidc_login_states')
        .set({ consumed_at: toDbInstant(at) })
        .where('id', '=', id)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** The user linked to this provider identity, if any. */
    async findLinkedUser(db: Executor, issuer: string, subject: string): Promise<OidcUserRow | null> {
      const row = await db
        .selectFrom('oidc_identities as i')
        .innerJoin('users as u', 'u.id', 'i.user_id')
        .select(['u.id', 'u.email', 'u.role', 'u.disabled_at'])
        .where('i.issuer', '=', issuer)
        .where('i.subject', '=', subject)
        .executeTakeFirst();
      return row
        ? { id: row.id, email: row.email, role: row.role as Role, disabled: row.disabled_at !== null }
        : null;
    },

    async findUserByEmail(db: Executor, email: string): Promise<OidcUserRow | null> {
      const row = await db
        .selectFrom('users')
        .select(['id', 'email', 'role', 'disabled_at'])
        .where('email', '=', email)
        .executeTakeFirst();
      return row
        ? { id: row.id, email: row.email, role: row.role as Role, disabled: row.disabled_at !== null }
        : null;
    },

    /** Whether the user is already linked to some identity of this issuer. */
    async hasIdentityAt(db: Executor, userId: string, issuer: string): Promise<boolean> {
      const row = await db
        .selectFrom('oidc_identities')
        .select('id')
        .where('user_id', '=', userId)
        .where('issuer', '=', issuer)
        .executeTakeFirst();
      return row !== undefined;
    },

    async insertIdentity(
      trx: Executor,
      row: { id: string; issuer: string; subject: string; tenant: string | null; userId: string; at: Date },
    ): Promise<void> {
      const at = toDbInstant(row.at);
      await trx
        .insertInto('oidc_identities')
        .values({
          id: row.id,
          issuer: row.issuer,
          subject: row.subject,
          tenant: row.tenant,
          user_id: row.userId,
          first_seen_at: at,
          last_seen_at: at,
        })
        .execute();
    },

    async touchIdentity(trx: Executor, issuer: string, subject: string, at: Date): Promise<void> {
      await trx
        .updateTable('oidc_identities')
        .set({ last_seen_at: toDbInstant(at) })
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .execute();
    },

    async setUserRole(trx: Executor, userId: string, role: Role): Promise<void> {
      await trx.updateTable('users').set({ role }).where('id', '=', userId).execute();
    },
  };
}

export type OidcDal = ReturnType<typeof createOidcDal>;
