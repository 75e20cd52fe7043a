/**
 * The one query evidence packages make themselves: the audit entries about
 * a set of subjects. The audit DAL reads the chain in sequence order for
 * verification; this reads it by subject, over the `audit_log_subject`
 * index, for one incident's segment.
 */
import type { Kysely, Transaction } from 'kysely';
import { auditRecordOf } from '../audit/audit-dal.ts';
import type { AuditRecord } from '../audit/audit-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { SubjectGroup } from './evidence-package-segment.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** Ids per `IN (...)` list: far below SQLite's and PostgreSQL's limits on bound parameters. */
const IDS_PER_QUERY = 500;

export function createEvidencePackageDal() {
  return {
    /** Every entry whose subject is one of `groups`, access records included, in chain order. */
    async listAuditBySubjects(db: Executor, groups: readonly SubjectGroup[]): Promise<AuditRecord[]> {
      const found: AuditRecord[] = [];
      for (const group of groups) {
        for (let i = 0; i < group.ids.length; i += IDS_PER_QUERY) {
          const ids = group.ids.slice(i, i + IDS_PER_QUERY);
          const rows = await db
            .selectFrom('audit_log')
            .selectAll()
            .where('subject_type', '=', group.type)
            .where('subject_id', 'in', ids)
            .orderBy('seq')
            .execute();
          for (const r of rows) found.push(auditRecordOf(r));
        }
      }
      return found.sort((a, b) => a.seq - b.seq);
    },
  };
}

export type EvidencePackageDal = ReturnType<typeof createEvidencePackageDal>;
