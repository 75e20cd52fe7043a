import type { Kysely } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';

/** A lease as stored: who holds it and until when. */
export interface EngineLease {
  name: string;
  holder: string;
  acquiredAt: Date;
  expiresAt: Date;
}

/** Queries of `engine_leases`: the row that elects one engine per database. */
export function createEngineLeaseDal() {
  return {
    /**
     * Takes the lease `name` for `holder` until `expiresAt`, or renews it,
     * in ONE statement: insert the row, or, when it exists, overwrite it only
     * if `holder` already holds it or it expired before `now`. An upsert
     * (`ON CONFLICT ... DO UPDATE ... WHERE`) rather than insert-then-update,
     * because two engines starting together both see no row and would race on
     * the primary key; the database settles that race itself. The affected
     * row count says whether we hold the lease. A renewal keeps the original
     * `acquired_at`, so the row shows how long the leader has led.
     *
     * @param now the caller's clock (UTC); `expiresAt` is an instant, not a duration.
     * @returns true when `holder` holds the lease until `expiresAt`.
     */
    async acquire(
      db: Kysely<VigilDatabase>,
      lease: { name: string; holder: string; now: Date; expiresAt: Date },
    ): Promise<boolean> {
      const now = toDbInstant(lease.now);
      const result = await db
        .insertInto('engine_leases')
        .values({
          name: lease.name,
          holder: lease.holder,
          acquired_at: now,
          expires_at: toDbInstant(lease.expiresAt),
        })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet((eb) => ({
              holder: eb.ref('excluded.holder'),
              acquired_at: eb
                .case()
                .when('engine_leases.holder', '=', lease.holder)
                .then(eb.ref('engine_leases.acquired_at'))
                .else(eb.ref('excluded.acquired_at'))
                .end(),
              expires_at: eb.ref('excluded.expires_at'),
            }))
            .where((eb) =>
              eb.or([
                eb('engine_leases.holder', '=', lease.holder),
                eb('engine_leases.expires_at', '<', now),
              ]),
            ),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** Gives the lease up if `holder` holds it, so another engine need not wait for it to expire. */
    async release(db: Kysely<VigilDatabase>, name: string, holder: string): Promise<boolean> {
      const result = await db
        .deleteFrom('engine_leases')
        .where('name', '=', name)
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /** The stored lease, or null when no engine holds or held it. */
    async read(db: Kysely<VigilDatabase>, name: string): Promise<EngineLease | null> {
      const row = await db
        .selectFrom('engine_leases')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      if (!row) return null;
      return {
        name: row.name,
        holder: row.holder,
        acquiredAt: fromDbInstant(row.acquired_at),
        expiresAt: fromDbInstant(row.expires_at),
      };
    },
  };
}

export type EngineLeaseDal = ReturnType<typeof createEngineLeaseDal>;
