import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';

/** A version as listed: where it came from, when Vigil first ran under it, and the runbook and template files it covers. */
export interface StoredPolicyVersion {
  version: string;
  source: string;
  firstLoadedAt: Date;
  files: string[];
}

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

    /** Every stored version, newest first, without its text (the list a person picks from). */
    async list(db: Kysely<VigilDatabase>): Promise<StoredPolicyVersion[]> {
      const rows = await db
        .selectFrom('policy_versions')
        .select(['version', 'source', 'first_loaded_at', 'files'])
        .orderBy('first_loaded_at', 'desc')
        .orderBy('version')
        .execute();
      return rows.map((r) => ({
        version: r.version,
        source: r.source,
        firstLoadedAt: fromDbInstant(r.first_loaded_at),
        files: r.files ? (JSON.parse(r.files) as { path: string }[]).map((f) => f.path) : [],
      }));
    },
  };
}

export type PolicyVersionDal = ReturnType<typeof createPolicyVersionDal>;
