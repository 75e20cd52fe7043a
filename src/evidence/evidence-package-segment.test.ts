import { describe, expect, it } from 'vitest';
import { chainEntry, GENESIS_HASH } from '../audit/audit-chain.ts';
import type { AuditRecord } from '../audit/audit-types.ts';
import { checkSegment, isAccessRecord, packageSubjects, selectSegment } from './evidence-package-segment.ts';

/** A chain of `subjects.length` entries, seq 1.., each about the given `type/id` with the given action. */
function chain(entries: [string, string, string][]): AuditRecord[] {
  const records: AuditRecord[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  for (const [action, subjectType, subjectId] of entries) {
    const record = chainEntry(head, {
      at: `2026-04-07T09:00:0${records.length}.000Z`,
      actor: 'user:a@example.com',
      action,
      subjectType,
      subjectId,
      detail: { n: records.length },
    });
    records.push(record);
    head = record;
  }
  return records;
}

describe('isAccessRecord', () => {
  it.each([
    ['evidence.read', true],
    ['incident.viewed', true],
    ['evidence.package_exported', true],
    ['report.exported', true],
    ['share.downloaded', true],
    ['incident.declared', false],
    ['evidence.attached', false],
    ['retention.purged', false],
    ['communication.delivered', false],
  ])('%s is an access record: %s', (action, expected) => {
    expect(isAccessRecord(action)).toBe(expected);
  });
});

describe('selectSegment', () => {
  const log = chain([
    ['incident.declared', 'incident', 'i1'],
    ['incident.declared', 'incident', 'i2'],
    ['evidence.read', 'incident', 'i1'],
    ['action.overdue_escalated', 'action', 'a1'],
    ['delivery.delayed', 'outbox', 'o1'],
    ['action.overdue_escalated', 'action', 'a9'],
    ['evidence.package_exported', 'incident', 'i1'],
    ['user.role_changed', 'user', 'i1'],
    ['incident.acknowledged', 'incident', 'i1'],
  ]);

  it("keeps the incident's own changes and those of its actions and messages, in chain order, once each", () => {
    const subjects = packageSubjects('i1', { actionIds: ['a1'], outboxIds: ['o1'] });
    const shuffled = [...log].reverse().concat(log[0]!);
    expect(selectSegment(shuffled, subjects).map((e) => e.seq)).toEqual([1, 4, 5, 9]);
  });

  it('leaves out subject types with no ids', () => {
    expect(packageSubjects('i1', { actionIds: [], outboxIds: [] })).toEqual([
      { type: 'incident', ids: ['i1'] },
    ]);
    expect(
      selectSegment(log, packageSubjects('i1', { actionIds: [], outboxIds: [] })).map((e) => e.seq),
    ).toEqual([1, 9]);
  });
});

describe('checkSegment', () => {
  const log = chain([
    ['incident.declared', 'incident', 'i1'],
    ['incident.acknowledged', 'incident', 'i1'],
    ['incident.declared', 'incident', 'i2'],
    ['incident.triaged', 'incident', 'i1'],
  ]);
  /** Entries 1, 2 and 4: a gap (3 belongs to another incident) is expected. */
  const segment = () => [log[0]!, log[1]!, log[3]!].map((e) => ({ ...e }));

  it('accepts a segment with gaps between neighbours', () => {
    expect(checkSegment(segment())).toEqual([]);
    expect(checkSegment([])).toEqual([]);
  });

  it('names the entry whose detail was changed', () => {
    const s = segment();
    s[1]!.detail = '{"n":42}';
    expect(checkSegment(s)).toEqual([
      { seq: 2, reason: expect.stringContaining('detail does not match its digest') },
    ]);
  });

  it('names the entry whose fields no longer give its hash', () => {
    const s = segment();
    s[2]!.actor = 'user:mallory@example.com';
    expect(checkSegment(s)).toEqual([{ seq: 4, reason: expect.stringContaining('hash does not match') }]);
  });

  it('checks prevHash only between neighbours in the chain', () => {
    const s = segment();
    s[1]!.prevHash = 'f'.repeat(64);
    const issues = checkSegment(s);
    expect(issues.map((i) => i.seq)).toEqual([2, 2]);
    expect(issues[1]!.reason).toContain('is not the hash of seq 1');
  });

  it('refuses sequence numbers that do not increase, and entries missing fields', () => {
    const s = segment();
    expect(checkSegment([s[1], s[0]]).map((i) => i.reason)).toEqual([
      expect.stringContaining('seq does not increase'),
    ]);
    const { hash: _dropped, ...noHash } = s[0]!;
    expect(checkSegment([noHash, 'x'])).toEqual([
      { seq: 1, reason: 'entry 1 lacks text field(s) hash' },
      { seq: null, reason: 'entry 2 is not an object' },
    ]);
  });
});
