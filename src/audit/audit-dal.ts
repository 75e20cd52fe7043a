import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DialectName } from '../platform/db/database.ts';
import type { AuditLogTable, VigilDatabase } from '../platform/db/schema.ts';
import type { AuditRecord } from './audit-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A stored row as the chain sees it. */
export function auditRecordOf(r: Selectable<AuditLogTable>): AuditRecord {
  return {
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    detail: r.detail,
    digest: r.digest,
    prevHash: r.prev_hash,
    hash: r.hash,
    credential: r.credential,
  };
}

/** Queries of the audit log. Appends must run inside the caller's transaction. */
export function createAuditDal(dialect: DialectName) {
  return {
    /**
     * Reads the head row and locks it until the transaction ends. On
     * PostgreSQL `FOR UPDATE` serialises concurrent appenders across
     * processes; SQLite has no row locks, but allows one writer at a time.
     */
    async lockHead(trx: Transaction<VigilDatabase>): Promise<{ seq: number; hash: string }> {
      let query = trx.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1);
      if (dialect === 'postgres') query = query.forUpdate();
      return query.executeTakeFirstOrThrow();
    },

    async insert(trx: Transaction<VigilDatabase>, record: AuditRecord): Promise<void> {
      await trx
        .insertInto('audit_log')
        .values({
          seq: record.seq,
          at: record.at,
          actor: record.actor,
          action: record.action,
          subject_type: record.subjectType,
          subject_id: record.subjectId,
          detail: record.detail,
          digest: record.digest,
          prev_hash: record.prevHash,
          hash: record.hash,
          credential: record.credential,
        })
        .execute();
      await trx
        .updateTable('audit_head')
        .set({ seq: record.seq, hash: record.hash })
        .where('id', '=', 1)
        .execute();
    },

    async readHead(db: Executor): Promise<{ seq: number; hash: string }> {
      return db
        .selectFrom('audit_head')
        .select(['seq', 'hash'])
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
    },

    async maxSeq(db: Executor): Promise<number> {
      const row = await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.max('seq').as('max'))
        .executeTakeFirst();
      return Number(row?.max ?? 0);
    },

    /** Entries with seq > `afterSeq`, in order, at most `limit`. */
    async listAfter(db: Executor, afterSeq: number, limit: number): Promise<AuditRecord[]> {
      const rows = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(auditRecordOf);
    },
  };
}

export type AuditDal = ReturnType<typeof createAuditDal>;
