import type { Kysely, Transaction } from 'kysely';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { ChainVerifier, chainEntry, formatActor } from './audit-chain.ts';
import type { AuditDal } from './audit-dal.ts';
import type { AuditEntryInput, AuditRecord, AuditVerification } from './audit-types.ts';

const VERIFY_BATCH = 1000;

/**
 * The audit log: other services call `append` inside their own transaction,
 * so the change and its audit entry commit together or not at all.
 */
export function createAuditService(deps: { db: Kysely<VigilDatabase>; dal: AuditDal }) {
  const { db, dal } = deps;

  /**
   * Rows past the head that no committed append accounts for were added by
   * hand. Reading max(seq) before the head keeps concurrent appends legal:
   * each commits its row and its head update together.
   */
  async function checkNothingBeyondHead(verdict: AuditVerification): Promise<AuditVerification> {
    const maxSeq = await dal.maxSeq(db);
    const latest = await dal.readHead(db);
    if (maxSeq <= latest.seq) return verdict;
    return { ...verdict, ok: false, firstBrokenEntry: latest.seq + 1, reason: 'head_mismatch' };
  }

  return {
    /** Appends one entry, chained to the current head, within `trx`. */
    async append(trx: Transaction<VigilDatabase>, input: AuditEntryInput): Promise<void> {
      const head = await dal.lockHead(trx);
      const record = chainEntry(head, {
        at: toDbInstant(input.at),
        actor: formatActor(input.actor),
        action: input.action,
        subjectType: input.subject.type,
        subjectId: input.subject.id,
        detail: input.detail,
        credential: input.actor.type === 'user' ? input.actor.credential : null,
      });
      await dal.insert(trx, record);
    },

    /** Entries with seq > `after`, in order, at most `limit`. */
    entries(after: number, limit: number): Promise<AuditRecord[]> {
      return dal.listAfter(db, after, limit);
    },

    /**
     * Re-reads the whole chain in batches and names the first entry that
     * was edited, deleted or moved. The head is read first: entries appended
     * while verifying lie beyond it and are not judged.
     */
    async verify(): Promise<AuditVerification> {
      const head = await dal.readHead(db);
      const verifier = new ChainVerifier();
      let after = 0;
      for (;;) {
        const batch = await dal.listAfter(db, after, VERIFY_BATCH);
        const inScope = batch.filter((r) => r.seq <= head.seq);
        for (const record of inScope) {
          if (!verifier.accept(record)) return verifier.finish(head);
        }
        if (batch.length < VERIFY_BATCH || inScope.length < batch.length) break;
        after = batch[batch.length - 1]!.seq;
      }
      const verdict = verifier.finish(head);
      return verdict.ok ? checkNothingBeyondHead(verdict) : verdict;
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
