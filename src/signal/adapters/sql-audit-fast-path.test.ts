import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readVector } from '../../../test/fixtures/signals/signal-vectors.ts';
import { readAuditEvent, readAuditEventFast } from './sql-audit-adapter.ts';

/**
 * The SQL audit adapter reads a record without its zod schema when plain checks vouch for every
 * column (see column-check.ts). That shortcut must never accept what the schema refuses, nor
 * read anything differently: these properties hold it to the schema's answer, column by column.
 */

const rows = () =>
  readVector('sql-audit-failed-logins.jsonl')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const resourceSpecificRow: Record<string, unknown> = {
  Type: 'SQLSecurityAuditEvents',
  EventTime: '2024-05-14T02:10:31.2170042Z',
  ActionId: 'DBAF ',
  ActionName: 'DATABASE AUTHENTICATION FAILED',
  Succeeded: 'False',
  ServerPrincipalName: 'sqladmin',
  TargetServerPrincipalName: 'sa',
  ClientIp: '203.0.113.45',
  DatabaseName: 'ordersdb',
  ResponseRows: 0,
  SequenceGroupId: 'f00d',
  SequenceNumber: 2,
};

/** Values a sender might put in any column: the right types, the wrong ones, and odd edges. */
const columnValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('true', 'false', 'True', 'FALSE', '', ' DBAF ', 'SQLSecurityAuditEvents'),
  fc.constantFrom('2024-05-14T02:10:31.2170042Z', '3/22/2019 1:36:33 PM', '2024-02-30T00:00:00Z', 'soon'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant({}),
  fc.constant([]),
);

/** A sample row (either layout) with some of its columns, or new ones, replaced. */
const mutatedRow = fc
  .tuple(
    fc.constantFrom(...rows(), resourceSpecificRow),
    fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            ...Object.keys(rows()[0]!),
            ...Object.keys(resourceSpecificRow),
            'Category',
            'Type',
            'event_id_g',
            'EventId',
          ),
          fc.string({ maxLength: 8 }),
        ),
        columnValue,
      ),
      { maxLength: 6 },
    ),
  )
  .map(([row, changes]) => {
    const copy: Record<string, unknown> = { ...row };
    for (const [key, value] of changes) {
      if (value === undefined) delete copy[key];
      else copy[key] = value;
    }
    return copy;
  });

describe('sql-audit fast path', () => {
  it('reads every sample record, in both layouts, exactly as the schema does', () => {
    for (const row of [...rows(), resourceSpecificRow]) {
      const fast = readAuditEventFast(row);
      const reference = readAuditEvent(row);
      expect(fast).toBeDefined();
      expect(reference.ok).toBe(true);
      if (reference.ok) expect(fast).toEqual(reference.event);
    }
  });

  it('never accepts what the schema refuses, and reads what it accepts identically', () => {
    let taken = 0;
    fc.assert(
      fc.property(mutatedRow, (row) => {
        const fast = readAuditEventFast(row);
        if (fast === undefined) return;
        taken += 1;
        const reference = readAuditEvent(row);
        expect(reference.ok).toBe(true);
        if (reference.ok) expect(fast).toEqual(reference.event);
      }),
      { numRuns: 2_000 },
    );
    // The property means nothing if the shortcut was never taken.
    expect(taken).toBeGreaterThan(100);
  });

  it('leaves what is not an object, or not quite a record, to the schema', () => {
    for (const value of [null, 'text', 42, [rows()[0]], {}])
      expect(readAuditEventFast(value)).toBeUndefined();
    expect(readAuditEventFast({ ...rows()[0]!, event_time_t: 'yesterday' })).toBeUndefined();
    expect(readAuditEventFast({ ...rows()[0]!, response_rows_d: '12' })).toBeUndefined();
    expect(readAuditEventFast({ ...rows()[0]!, Category: 'Other' })).toBeUndefined();
  });
});
