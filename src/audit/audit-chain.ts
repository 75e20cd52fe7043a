import { canonicalJson, sha256Hex } from '../platform/crypto.ts';
import type { Actor, AuditBreakReason, AuditRecord, AuditVerification } from './audit-types.ts';

/** `prev_hash` of entry 1. migrations/0001-foundation.ts seeds the head row with the same value. */
export const GENESIS_HASH = '0'.repeat(64);

/** `user:EMAIL` or `system:NAME`: readable by an auditor, stable across renames of nothing. */
export function formatActor(actor: Actor): string {
  return actor.type === 'user' ? `user:${actor.email}` : `system:${actor.name}`;
}

/** The fields an entry's hash covers: everything but the hash itself. */
export type HashedFields = Omit<AuditRecord, 'hash'>;

/**
 * SHA-256 over the canonical JSON of every field of the entry, including its
 * sequence number and the previous entry's hash. Changing, removing or
 * moving any entry therefore changes a hash that a later entry (or the head
 * row) commits to. The credential joins the hashed fields only when there is
 * one, so entries written before it existed keep their hashes.
 */
export function computeEntryHash(fields: HashedFields): string {
  return sha256Hex(
    canonicalJson({
      seq: fields.seq,
      at: fields.at,
      actor: fields.actor,
      action: fields.action,
      subjectType: fields.subjectType,
      subjectId: fields.subjectId,
      digest: fields.digest,
      prevHash: fields.prevHash,
      ...(fields.credential ? { credential: fields.credential } : {}),
    }),
  );
}

/** Builds the next entry of the chain from the current head. */
export function chainEntry(
  head: { seq: number; hash: string },
  entry: {
    at: string;
    actor: string;
    action: string;
    subjectType: string;
    subjectId: string;
    detail: unknown;
    credential?: string | null | undefined;
  },
): AuditRecord {
  const detail = canonicalJson(entry.detail);
  const fields: HashedFields = {
    seq: head.seq + 1,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    detail,
    digest: sha256Hex(detail),
    prevHash: head.hash,
    credential: entry.credential ?? null,
  };
  return { ...fields, hash: computeEntryHash(fields) };
}

/**
 * Checks entries one at a time, in sequence order, so that a log of any
 * size is verified in batches without holding it in memory.
 *
 * @example
 * const verifier = new ChainVerifier();
 * for (const record of records) if (!verifier.accept(record)) break;
 * const result = verifier.finish(head);
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private previousHash = GENESIS_HASH;
  private count = 0;
  private broken: { seq: number; reason: AuditBreakReason } | null = null;

  /** Checks the next entry; false once the chain is broken (stop reading). */
  accept(record: AuditRecord): boolean {
    if (this.broken) return false;
    this.count += 1;
    const reason = this.check(record);
    if (reason) {
      // A gap means the expected entry is the one that went missing.
      this.broken = { seq: reason === 'sequence_gap' ? this.expectedSeq : record.seq, reason };
      return false;
    }
    this.expectedSeq = record.seq + 1;
    this.previousHash = record.hash;
    return true;
  }

  /** The verdict, comparing the last entry with the head row. */
  finish(head: { seq: number; hash: string }): AuditVerification {
    if (!this.broken && (head.seq !== this.expectedSeq - 1 || head.hash !== this.previousHash)) {
      // Entries after the last one read were removed (or the head was edited).
      this.broken = { seq: Math.min(this.expectedSeq, head.seq), reason: 'head_mismatch' };
    }
    return {
      ok: this.broken === null,
      entries: this.count,
      firstBrokenEntry: this.broken?.seq ?? null,
      reason: this.broken?.reason ?? null,
      headHash: this.previousHash,
    };
  }

  private check(record: AuditRecord): AuditBreakReason | null {
    if (record.seq !== this.expectedSeq) return 'sequence_gap';
    if (sha256Hex(record.detail) !== record.digest) return 'detail_digest_mismatch';
    if (record.prevHash !== this.previousHash) return 'previous_hash_mismatch';
    if (computeEntryHash(record) !== record.hash) return 'entry_hash_mismatch';
    return null;
  }
}
