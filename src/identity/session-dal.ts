import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Role, User } from './identity-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

export type SessionMethod = 'password' | 'oidc';

export interface StoredSession {
  id: string;
  userId: string;
  method: SessionMethod;
  createdAt: Date;
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
}

export interface NewSession extends StoredSession {
  tokenHash: string;
  clientIp: string;
  userAgent: string | null;
}

/** Queries of `sessions`. */
export function createSessionDal() {
  return {
    async insert(trx: Transaction<VigilDatabase>, s: NewSession): Promise<void> {
      await trx
        .insertInto('sessions')
        .values({
          id: s.id,
          token_hash: s.tokenHash,
          user_id: s.userId,
          method: s.method,
          created_at: toDbInstant(s.createdAt),
          last_seen_at: toDbInstant(s.lastSeenAt),
          absolute_expires_at: toDbInstant(s.absoluteExpiresAt),
          ended_at: null,
          ended_reason: null,
          client_ip: s.clientIp,
          user_agent: s.userAgent,
        })
        .execute();
    },

    /** The session with this token hash that has not been ended, and its enabled user. */
    async findOpen(db: Executor, tokenHash: string): Promise<{ session: StoredSession; user: User } | null> {
      const row = await db
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select([
          's.id as session_id',
          's.method',
          's.created_at as session_created_at',
          's.last_seen_at',
          's.absolute_expires_at',
          'u.id',
          'u.email',
          'u.display_name',
          'u.role',
          'u.created_at',
        ])
        .where('s.token_hash', '=', tokenHash)
        .where('s.ended_at', 'is', null)
        .where('u.disabled_at', 'is', null)
        .executeTakeFirst();
      if (!row) return null;
      return {
        session: {
          id: row.session_id,
          userId: row.id,
          method: row.method as SessionMethod,
          createdAt: fromDbInstant(row.session_created_at),
          lastSeenAt: fromDbInstant(row.last_seen_at),
          absoluteExpiresAt: fromDbInstant(row.absolute_expires_at),
        },
        user: {
          id: row.id,
          email: row.email,
          displayName: row.display_name,
          role: row.role as Role,
          createdAt: fromDbInstant(row.created_at),
        },
      };
    },

    async touch(db: Executor, sessionId: string, at: Date): Promise<void> {
      await db
        .updateTable('sessions')
        .set({ last_seen_at: toDbInstant(at) })
        .where('id', '=', sessionId)
        .where('ended_at', 'is', null)
        .execute();
    },

    /** Ends one open session; false when it was already ended. */
    async end(db: Executor, sessionId: string, at: Date, reason: string): Promise<boolean> {
      const result = await db
        .updateTable('sessions')
        .set({ ended_at: toDbInstant(at), ended_reason: reason })
        .where('id', '=', sessionId)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Ends every open session of a user (but `keep`, when given); returns how many. */
    async endAllOfUser(
      trx: Transaction<VigilDatabase>,
      userId: string,
      at: Date,
      reason: string,
      keep?: string,
    ): Promise<number> {
      let query = trx
        .updateTable('sessions')
        .set({ ended_at: toDbInstant(at), ended_reason: reason })
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null);
      if (keep) query = query.where('id', '<>', keep);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type SessionDal = ReturnType<typeof createSessionDal>;
