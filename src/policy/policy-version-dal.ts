import type { Transaction } from 'kysely';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';

/** Queries of the stored policy versions. */
export function createPolicyVersionDal() {
  return {
    async exists(trx: Transaction<VigilDatabase>, version: string): Promise<boolean> {
      const row = await trx
        .selectFrom('policy_versions')
        .select('version')
        .where('version', '=', version)
        .executeTakeFirst();
      return row !== undefined;
    },

    async insert(
      trx: Transaction<VigilDatabase>,
      version: { version: string; source: string; content: string; firstLoadedAt: Date },
    ): Promise<void> {
      await trx
        .insertInto('policy_versions')
        .values({
          version: version.version,
          source: version.source,
          content: version.content,
          first_loaded_at: toDbInstant(version.firstLoadedAt),
        })
        // Two processes starting together on a new version both try; one row is enough.
        .onConflict((oc) => oc.column('version').doNothing())
        .execute();
    },
  };
}

export type PolicyVersionDal = ReturnType<typeof createPolicyVersionDal>;
