import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { UsersTable, VigilDatabase } from '../platform/db/schema.ts';
import type { Role, User } from './identity-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role as Role,
    createdAt: fromDbInstant(row.created_at),
  };
}

/** Queries of users and API tokens. */
export function createIdentityDal() {
  return {
    /** How many admins exist: none means Vigil has never been started (policy people may exist already). */
    async countAdmins(db: Executor): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Administrators who can still act: the last one may not be demoted or switched off. */
    async countEnabledAdmins(db: Executor): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('role', '=', 'admin')
        .where('disabled_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * Inserts the user unless one with the same email exists; true when this
     * call stored it. Two writers racing on one address both get here: the
     * unique index lets one in, and the other (on PostgreSQL, after waiting
     * for the first to commit) inserts nothing instead of failing.
     */
    async insertUserIfNew(trx: Transaction<VigilDatabase>, user: User): Promise<boolean> {
      const result = await trx
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          display_name: user.displayName,
          role: user.role,
          created_at: toDbInstant(user.createdAt),
          disabled_at: null,
        })
        .onConflict((oc) => oc.column('email').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Every user, oldest first (email breaks ties, so the order is stable). */
    async listUsers(db: Executor): Promise<User[]> {
      const rows = await db.selectFrom('users').selectAll().orderBy('created_at').orderBy('email').execute();
      return rows.map(toUser);
    },

    /** The user with exactly this (already normalised) email, if any. */
    async findUserByEmail(db: Executor, email: string): Promise<User | null> {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return row ? toUser(row) : null;
    },

    /**
     * Makes the user an admin unless they are one already; true when this
     * call changed them. On PostgreSQL a concurrent promotion makes this
     * wait, then re-read the row and change nothing.
     */
    async promoteToAdmin(trx: Transaction<VigilDatabase>, userId: string): Promise<boolean> {
      const result = await trx
        .updateTable('users')
        .set({ role: 'admin' })
        .where('id', '=', userId)
        .where('role', '<>', 'admin')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async insertToken(
      trx: Transaction<VigilDatabase>,
      token: { id: string; userId: string; name: string; tokenHash: string; createdAt: Date },
    ): Promise<void> {
      await trx
        .insertInto('api_tokens')
        .values({
          id: token.id,
          user_id: token.userId,
          name: token.name,
          token_hash: token.tokenHash,
          created_at: toDbInstant(token.createdAt),
          expires_at: null,
          revoked_at: null,
        })
        .execute();
    },

    /** The enabled user holding an unrevoked, unexpired token with this hash, if any. */
    async findActiveToken(
      db: Executor,
      tokenHash: string,
      now: Date,
    ): Promise<{ tokenId: string; scopes: string; lastUsedAt: string | null; user: User } | null> {
      const at = toDbInstant(now);
      const row = await db
        .selectFrom('api_tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select([
          't.id as token_id',
          't.scopes',
          't.last_used_at',
          'u.id',
          'u.email',
          'u.display_name',
          'u.role',
          'u.created_at',
          'u.disabled_at',
        ])
        .where('t.token_hash', '=', tokenHash)
        .where('t.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', at)]))
        .where('u.disabled_at', 'is', null)
        .executeTakeFirst();
      return row
        ? { tokenId: row.token_id, scopes: row.scopes, lastUsedAt: row.last_used_at, user: toUser(row) }
        : null;
    },
  };
}

export type IdentityDal = ReturnType<typeof createIdentityDal>;
