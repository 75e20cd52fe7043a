/** Types of the tamper-evident audit log. */

/** Who did something: a signed-in user, or a named part of Vigil itself. */
export type Actor =
  | {
      type: 'user';
      userId: string;
      email: string;
      /**
       * The credential that made the change (`token:ID` or `session:ID`), so
       * every write by an API token is bound into the chain; absent for
       * changes no request made.
       */
      credential?: string | undefined;
    }
  | { type: 'system'; name: string };

/** What a use case hands the audit log inside its transaction. */
export interface AuditEntryInput {
  actor: Actor;
  /** Dotted verb, e.g. `incident.declared`. */
  action: string;
  subject: { type: string; id: string };
  /** The change itself; stored as canonical JSON and digested. */
  detail: Record<string, unknown>;
  at: Date;
}

/** One stored entry, as the chain sees it. */
export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  detail: string;
  digest: string;
  prevHash: string;
  hash: string;
  /** `token:ID` or `session:ID` for a change a request made; null otherwise (and in entries older than it). */
  credential: string | null;
}

export type AuditBreakReason =
  | 'sequence_gap'
  | 'detail_digest_mismatch'
  | 'previous_hash_mismatch'
  | 'entry_hash_mismatch'
  | 'head_mismatch';

/** The answer of `vigil audit verify` and `GET /api/v1/audit/verify`. */
export interface AuditVerification {
  ok: boolean;
  /** Entries read. */
  entries: number;
  /** Sequence number of the first entry that is missing, altered or out of place; null when ok. */
  firstBrokenEntry: number | null;
  reason: AuditBreakReason | null;
  /** Hash of the last entry read: publish it to anchor the chain outside the database. */
  headHash: string;
}
