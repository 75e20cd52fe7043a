import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { LocalCredentialsTable, VigilDatabase } from '../platform/db/schema.ts';
import type { Role, User } from './identity-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A user's local password credential, with its lockout counters and second factor. */
export interface LocalCredential {
  userId: string;
  passwordHash: string;
  passwordSetAt: Date;
  failedAttempts: number;
  lastFailedAt: Date | null;
  lockedUntil: Date | null;
  /** Set from enrolment on; in force only once `totpEnabledAt` is set. */
  totpSecret: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
}

function toCredential(row: LocalCredentialsTable): LocalCredential {
  return {
    userId: row.user_id,
    passwordHash: row.password_hash,
    passwordSetAt: fromDbInstant(row.password_set_at),
    failedAttempts: Number(row.failed_attempts),
    lastFailedAt: fromDbInstantOrNull(row.last_failed_at),
    lockedUntil: fromDbInstantOrNull(row.locked_until),
    totpSecret: row.totp_secret,
    totpEnabledAt: fromDbInstantOrNull(row.totp_enabled_at),
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
  };
}

/** Queries of `local_credentials` (and the read of `users` that sign-in starts with). */
export function createCredentialDal() {
  return {
    /** The enabled user with this (normalised) email and their credential, if either exists. */
    async findAccount(
      db: Executor,
      email: string,
    ): Promise<{ user: User; credential: LocalCredential | null } | null> {
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('email', '=', email)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      if (!user) return null;
      return {
        user: {
          id: user.id,
          email: user.email,
          displayName: user.display_name,
          role: user.role as Role,
          createdAt: fromDbInstant(user.created_at),
        },
        credential: await this.find(db, user.id),
      };
    },

    async find(db: Executor, userId: string): Promise<LocalCredential | null> {
      const row = await db
        .selectFrom('local_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row ? toCredential(row) : null;
    },

    /** Stores a new password hash, clearing the lockout (a second factor stays as it was). */
    async upsertPassword(
      trx: Transaction<VigilDatabase>,
      userId: string,
      hash: string,
      at: Date,
    ): Promise<void> {
      const reset = {
        password_hash: hash,
        password_set_at: toDbInstant(at),
        failed_attempts: 0,
        last_failed_at: null,
        locked_until: null,
      };
      await trx
        .insertInto('local_credentials')
        .values({ user_id: userId, ...reset, totp_secret: null, totp_enabled_at: null, totp_last_step: null })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(reset))
        .execute();
    },

    /**
     * Counts one more consecutive failure and returns the new count. The
     * increment happens in the database, so concurrent failures all count
     * (PostgreSQL's row lock orders them).
     */
    async recordFailure(trx: Transaction<VigilDatabase>, userId: string, at: Date): Promise<number> {
      const row = await trx
        .updateTable('local_credentials')
        .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1), last_failed_at: toDbInstant(at) }))
        .where('user_id', '=', userId)
        .returning('failed_attempts')
        .executeTakeFirstOrThrow();
      return Number(row.failed_attempts);
    },

    async setLockedUntil(trx: Transaction<VigilDatabase>, userId: string, until: Date | null): Promise<void> {
      await trx
        .updateTable('local_credentials')
        .set({ locked_until: until ? toDbInstant(until) : null })
        .where('user_id', '=', userId)
        .execute();
    },

    async resetFailures(trx: Transaction<VigilDatabase>, userId: string): Promise<void> {
      await trx
        .updateTable('local_credentials')
        .set({ failed_attempts: 0, last_failed_at: null, locked_until: null })
        .where('user_id', '=', userId)
        .where('failed_attempts', '>', 0)
        .execute();
    },

    /** Stores a not yet confirmed secret (replacing an earlier unconfirmed one). */
    async setPendingTotp(trx: Transaction<VigilDatabase>, userId: string, secret: string): Promise<void> {
      await trx
        .updateTable('local_credentials')
        .set({ totp_secret: secret, totp_enabled_at: null, totp_last_step: null })
        .where('user_id', '=', userId)
        .execute();
    },

    async enableTotp(trx: Transaction<VigilDatabase>, userId: string, at: Date): Promise<void> {
      await trx
        .updateTable('local_credentials')
        .set({ totp_enabled_at: toDbInstant(at) })
        .where('user_id', '=', userId)
        .execute();
    },

    async clearTotp(trx: Transaction<VigilDatabase>, userId: string): Promise<void> {
      await trx
        .updateTable('local_credentials')
        .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
        .where('user_id', '=', userId)
        .execute();
    },

    /**
     * Records `step` as the last accepted TOTP step unless it (or a later one)
     * was already accepted; false then. Checked and set in one statement, so
     * two requests with the same code cannot both succeed.
     */
    async acceptTotpStep(trx: Transaction<VigilDatabase>, userId: string, step: number): Promise<boolean> {
      const result = await trx
        .updateTable('local_credentials')
        .set({ totp_last_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type CredentialDal = ReturnType<typeof createCredentialDal>;
