/**
 * The audit segment of an evidence package (pure): which entries of the
 * chain belong to an incident, and how a verifier checks them without the
 * rest of the chain.
 *
 * The segment holds the entries that changed the incident. Reads and
 * exports are access records: they say who looked, not what happened, and
 * leaving them out is what lets two exports with no change in between give
 * the same bytes.
 */
import { computeEntryHash } from '../audit/audit-chain.ts';
import type { AuditRecord } from '../audit/audit-types.ts';
import { sha256Hex } from '../platform/crypto.ts';

/** Action suffixes of access records, and the export record itself. */
const ACCESS_SUFFIXES = ['.read', '.viewed', '.exported', '.downloaded'] as const;
export const PACKAGE_EXPORTED_ACTION = 'evidence.package_exported';

/** True for an entry that records access (a read, a view, a download, an export), not a change. */
export function isAccessRecord(action: string): boolean {
  return action === PACKAGE_EXPORTED_ACTION || ACCESS_SUFFIXES.some((suffix) => action.endsWith(suffix));
}

/** Audit subjects of one type whose entries belong to the incident. */
export interface SubjectGroup {
  type: string;
  ids: readonly string[];
}

/**
 * The subjects whose entries belong to an incident. Most use cases write
 * under `incident/<id>`; a few write under the row they act on: the action
 * reminder under `action/<id>`, the delivery-delay alert under `outbox/<id>`.
 */
export function packageSubjects(
  incidentId: string,
  related: { actionIds: readonly string[]; outboxIds: readonly string[] },
): SubjectGroup[] {
  return [
    { type: 'incident', ids: [incidentId] },
    { type: 'action', ids: [...related.actionIds] },
    { type: 'outbox', ids: [...related.outboxIds] },
  ].filter((g) => g.ids.length > 0);
}

/**
 * The segment: entries about `subjects` that are not access records, once
 * each, in chain order.
 *
 * @example
 * selectSegment(entries, packageSubjects(incident.id, { actionIds, outboxIds }))
 */
export function selectSegment(
  entries: readonly AuditRecord[],
  subjects: readonly SubjectGroup[],
): AuditRecord[] {
  const wanted = new Set(subjects.flatMap((g) => g.ids.map((id) => `${g.type}\u0000${id}`)));
  const bySeq = new Map<number, AuditRecord>();
  for (const entry of entries) {
    if (isAccessRecord(entry.action)) continue;
    if (!wanted.has(`${entry.subjectType}\u0000${entry.subjectId}`)) continue;
    bySeq.set(entry.seq, entry);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** One thing wrong with the segment, naming the entry by its sequence number. */
export interface SegmentIssue {
  /** Null when the problem is the segment as a whole. */
  seq: number | null;
  reason: string;
}

const TEXT_FIELDS = [
  'at',
  'actor',
  'action',
  'subjectType',
  'subjectId',
  'detail',
  'digest',
  'prevHash',
  'hash',
];

/** The entry's shape problem, or null when every field is there with its type. */
function shapeProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return 'is not an object';
  const entry = value as Record<string, unknown>;
  if (!Number.isSafeInteger(entry.seq)) return 'has no integer seq';
  const missing = TEXT_FIELDS.filter((f) => typeof entry[f] !== 'string');
  return missing.length > 0 ? `lacks text field(s) ${missing.join(', ')}` : null;
}

/**
 * Checks a segment as a verifier can without the rest of the chain: each
 * entry's digest is the SHA-256 of its detail and its hash is recomputed
 * from its fields; sequence numbers strictly increase; where two entries
 * are neighbours in the chain (consecutive seqs), the later one's
 * `prevHash` is the earlier one's hash. Gaps are expected (other incidents'
 * entries lie between) and are not errors.
 */
export function checkSegment(entries: readonly unknown[]): SegmentIssue[] {
  const issues: SegmentIssue[] = [];
  let previous: AuditRecord | null = null;
  entries.forEach((value, index) => {
    const problem = shapeProblem(value);
    if (problem) {
      const seq = (value as { seq?: unknown } | null)?.seq;
      issues.push({ seq: typeof seq === 'number' ? seq : null, reason: `entry ${index + 1} ${problem}` });
      return;
    }
    const entry = value as AuditRecord;
    issues.push(...entryIssues(entry, previous));
    previous = entry;
  });
  return issues;
}

function entryIssues(entry: AuditRecord, previous: AuditRecord | null): SegmentIssue[] {
  const issues: SegmentIssue[] = [];
  const { seq } = entry;
  const digest = sha256Hex(entry.detail);
  if (digest !== entry.digest) {
    issues.push({
      seq,
      reason: `detail does not match its digest (digest ${entry.digest}, detail hashes to ${digest})`,
    });
  }
  const hash = computeEntryHash(entry);
  if (hash !== entry.hash) {
    issues.push({ seq, reason: `hash does not match the entry (stored ${entry.hash}, computed ${hash})` });
  }
  if (previous && seq <= previous.seq) {
    issues.push({ seq, reason: `seq does not increase (follows seq ${previous.seq})` });
  } else if (previous && seq === previous.seq + 1 && entry.prevHash !== previous.hash) {
    issues.push({
      seq,
      reason: `prevHash ${entry.prevHash} is not the hash of seq ${previous.seq} (${previous.hash})`,
    });
  }
  return issues;
}
