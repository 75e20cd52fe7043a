import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { PolicyVersionDal } from './policy-version-dal.ts';

/**
 * Keeps the exact text of every policy version Vigil has run under, so an
 * incident's recorded `policyVersion` (a content hash) can always be shown
 * to an auditor as the rules that applied.
 */
export function createPolicyVersionService(deps: {
  db: Kysely<VigilDatabase>;
  dal: PolicyVersionDal;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
}) {
  const { db, dal, audit, clock } = deps;
  return {
    /** Stores the version if it is new (and audits that); returns whether it was new. */
    async register(policy: {
      version: string;
      source: string;
      text: string;
      files: readonly { path: string; content: string }[];
    }): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const now = clock.now();
        const stored = {
          version: policy.version,
          source: policy.source,
          content: policy.text,
          files: policy.files,
          firstLoadedAt: now,
        };
        // Two processes starting together on a new version both get here; only the one whose insert lands audits it.
        if (!(await dal.insertIfNew(trx, stored))) return false;
        await audit.append(trx, {
          actor: { type: 'system', name: 'policy' },
          action: 'policy.version_registered',
          subject: { type: 'policy', id: policy.version },
          detail: {
            source: policy.source,
            bytes: Buffer.byteLength(policy.text),
            files: policy.files.map((f) => f.path),
          },
          at: now,
        });
        return true;
      });
    },
  };
}

export type PolicyVersionService = ReturnType<typeof createPolicyVersionService>;
