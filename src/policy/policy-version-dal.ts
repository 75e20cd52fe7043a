import type { Transaction } from 'kysely';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';

/** Queries of the stored policy versions. */
export function createPolicyVersionDal() {
  return {
    /** Inserts the version unless it is stored already; true when this call stored it. */
    async insertIfNew(
      trx: Transaction<VigilDatabase>,
      version: {
        version: string;
        source: string;
        content: string;
        files: readonly { path: string; content: string }[];
        firstLoadedAt: Date;
      },
    ): Promise<boolean> {
      const result = await trx
        .insertInto('policy_versions')
        .values({
          version: version.version,
          source: version.source,
          content: version.content,
          files: JSON.stringify(version.files),
          first_loaded_at: toDbInstant(version.firstLoadedAt),
        })
        // Two processes starting together on a new version both try; one row is enough.
        .onConflict((oc) => oc.column('version').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
  };
}

export type PolicyVersionDal = ReturnType<typeof createPolicyVersionDal>;
