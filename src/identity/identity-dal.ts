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
    async countUsers(db: Executor): Promise<number> {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async insertUser(trx: Transaction<VigilDatabase>, user: User): Promise<void> {
      await trx
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          display_name: user.displayName,
          role: user.role,
          created_at: toDbInstant(user.createdAt),
          disabled_at: null,
        })
        .execute();
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
    ): Promise<{ tokenId: string; user: User } | null> {
      const at = toDbInstant(now);
      const row = await db
        .selectFrom('api_tokens as t')
        .innerJoin('users as u', 'u.id', 't.user_id')
        .select([
          't.id as token_id',
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
      return row ? { tokenId: row.token_id, user: toUser(row) } : null;
    },
  };
}

export type IdentityDal = ReturnType<typeof createIdentityDal>;
