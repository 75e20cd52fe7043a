import { describe, expect, it } from 'vitest';
import {
  CONTEXT,
  expectStableKeys,
  parseIssues,
  parseOk,
  readVector,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import type { NormalizedSignal } from '../signal-types.ts';
import { sqlAuditAdapter } from './sql-audit-adapter.ts';

const STREAM = 'sql-audit-failed-logins.jsonl';
const lines = () =>
  readVector(STREAM)
    .split('\n')
    .filter((line) => line.trim() !== '');
const rows = () => lines().map((line) => JSON.parse(line) as Record<string, unknown>);

function countBy(signals: NormalizedSignal[], key: (signal: NormalizedSignal) => string) {
  const counts: Record<string, number> = {};
  for (const signal of signals) counts[key(signal)] = (counts[key(signal)] ?? 0) + 1;
  return counts;
}

describe('sql-audit adapter', () => {
  it('classifies the 35 records of the storyline', () => {
    const signals = parseOk(sqlAuditAdapter, readVector(STREAM));
    expect(signals).toHaveLength(35);
    expect(countBy(signals, (signal) => signal.kind)).toEqual({
      auth_failure: 19,
      auth_success: 5,
      permission_change: 2,
      schema_change: 2,
      backup_restore: 1,
      data_access: 6,
    });
    const failures = signals.filter((signal) => signal.kind === 'auth_failure');
    expect(countBy(failures, (signal) => `${signal.entities.principal}@${signal.entities.clientIp}`)).toEqual(
      {
        'sqladmin@203.0.113.45': 18,
        'orders_app@198.51.100.11': 1,
      },
    );
    expect(signals.every((signal) => signal.status === 'firing' && signal.source === 'sql-audit')).toBe(true);
  });

  it('normalizes the entities of a failed login', () => {
    const signal = parseOk(sqlAuditAdapter, readVector(STREAM))[2]!;
    expect(signal).toMatchObject({
      kind: 'auth_failure',
      severityHint: 'low',
      entities: {
        principal: 'sqladmin',
        clientIp: '203.0.113.45',
        database: 'ordersdb',
        server: 'sql-orders-prod',
        application: 'sqlcmd',
        actionId: 'DBAF',
        outcome: 'failure',
        errorCode: 18456,
      },
    });
    expect(signal.occurredAt.toISOString()).toBe('2024-05-14T02:10:31.217Z');
    expect(signal.dedupKey).toMatch(/^sql-audit:\d{4}-\d\d-\d\dT[\d:.]+Z:seq:[0-9a-f-]{36}:1$/);
    expect(signal.raw).toEqual(rows()[2]);
  });

  it('flags the privileged role change, the drop and the bulk read', () => {
    const signals = parseOk(sqlAuditAdapter, readVector(STREAM));
    const byStatement = (text: string) =>
      signals.find((signal) => signal.entities.statement?.startsWith(text));
    expect(byStatement('ALTER ROLE [db_owner]')).toMatchObject({
      kind: 'permission_change',
      severityHint: 'high',
      entities: { targetPrincipal: 'svc_sync' },
    });
    expect(byStatement('GRANT SELECT')).toMatchObject({ kind: 'permission_change', severityHint: 'medium' });
    expect(byStatement('DROP TABLE')).toMatchObject({ kind: 'schema_change', severityHint: 'high' });
    expect(byStatement('SELECT * FROM [dbo].[Customers]')).toMatchObject({
      kind: 'data_access',
      entities: { rows: 248113 },
    });
    expect(byStatement('BACKUP DATABASE')).toMatchObject({ kind: 'backup_restore' });
  });

  it('classifies BATCH COMPLETED statements when only the default audit groups are on', () => {
    const base = rows()[1]!;
    const batch = (statement: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ ...base, statement_s: statement, response_rows_d: 0, ...extra });
    const body = [
      batch('GRANT CONTROL ON DATABASE::[ordersdb] TO [x]'),
      batch('ALTER ROLE [db_owner] ADD MEMBER [svc_sync]'),
      batch('  drop view dbo.v'),
      batch("RESTORE DATABASE [x] FROM URL = N'u'"),
      batch('SELECT 1'),
      batch('SELECT 1', { action_id_s: 'LGO ', sequence_number_d: 2 }),
    ]
      .map((line, index) =>
        line.replace(/"sequence_group_id_g":"[^"]+"/, `"sequence_group_id_g":"g-${index}"`),
      )
      .join('\n');
    expect(parseOk(sqlAuditAdapter, body).map((signal) => [signal.kind, signal.severityHint])).toEqual([
      ['permission_change', 'high'],
      ['permission_change', 'high'],
      ['schema_change', 'high'],
      ['backup_restore', 'medium'],
      ['generic_alert', 'info'],
      ['generic_alert', 'info'],
    ]);
  });

  it('trims blank-padded action ids and truncates statements to 2000 characters', () => {
    const row = { ...rows()[28]!, action_id_s: 'DR  ', statement_s: `DROP TABLE t -- ${'x'.repeat(5000)}` };
    const [signal] = parseOk(sqlAuditAdapter, JSON.stringify(row));
    expect(signal?.kind).toBe('schema_change');
    expect(signal?.entities.statement).toHaveLength(2000);
  });

  it('reads the resource-specific SQLSecurityAuditEvents layout', () => {
    const row = {
      Type: 'SQLSecurityAuditEvents',
      EventTime: '2024-05-14T02:10:31.2170042Z',
      ActionId: 'DBAF',
      ActionName: 'DATABASE AUTHENTICATION FAILED',
      Succeeded: false,
      ServerPrincipalName: 'sqladmin',
      ClientIp: '203.0.113.45',
      DatabaseName: 'ordersdb',
      EventId: '5f3e1a2b-0000-4000-8000-000000000001',
    };
    const [signal] = parseOk(sqlAuditAdapter, JSON.stringify([row]));
    expect(signal).toMatchObject({
      kind: 'auth_failure',
      dedupKey: 'sql-audit:2024-05-14T02:10:31.217Z:event:5f3e1a2b-0000-4000-8000-000000000001',
      entities: { principal: 'sqladmin', clientIp: '203.0.113.45', outcome: 'failure' },
    });
  });

  it('accepts a JSON array and NDJSON with blank lines alike', () => {
    const fromArray = parseOk(sqlAuditAdapter, JSON.stringify(rows()));
    const withBlanks = `\n${lines().join('\n\n')}\r\n\n`;
    const fromNdjson = parseOk(sqlAuditAdapter, withBlanks, {
      ...CONTEXT,
      contentType: 'application/x-ndjson',
    });
    expect(fromArray.map((signal) => signal.dedupKey)).toEqual(fromNdjson.map((signal) => signal.dedupKey));
  });

  it('keeps dedup keys stable and distinct, hashing records without sequence ids', () => {
    expectStableKeys(sqlAuditAdapter, readVector(STREAM));
    const row = rows()[0]!;
    delete row.sequence_group_id_g;
    const [first] = parseOk(sqlAuditAdapter, JSON.stringify(row));
    const [other] = parseOk(sqlAuditAdapter, JSON.stringify({ ...row, session_id_d: 72 }));
    expect(first?.dedupKey).toMatch(/^sql-audit:2024-05-14T02:09:58\.104Z:sha256:[0-9a-f]{64}$/);
    expect(other?.dedupKey).not.toBe(first?.dedupKey);
  });

  it('refuses the whole batch for one bad record, naming every issue', () => {
    const all = rows();
    delete all[3]!.event_time_t;
    all[7]!.response_rows_d = 'many';
    all[9]!.event_time_t = '2024-02-30T00:00:00Z';
    const issues = parseIssues(sqlAuditAdapter, all.map((row) => JSON.stringify(row)).join('\n'));
    expect(issues).toEqual([
      { record: 3, field: 'event_time_t', reason: 'required' },
      expect.objectContaining({ record: 7, field: 'response_rows_d' }),
      expect.objectContaining({
        record: 9,
        field: 'event_time_t',
        reason: expect.stringContaining('timestamp'),
      }),
    ]);
  });

  it('refuses invalid JSON, lines that are not JSON, other categories and too many records', () => {
    expect(parseIssues(sqlAuditAdapter, '[{"a":1},')[0]?.field).toBe('(body)');
    const broken = `${lines()[0]}\n{"Category":\n${lines()[1]}`;
    expect(parseIssues(sqlAuditAdapter, broken)).toEqual([
      expect.objectContaining({ record: 1, field: '(record)', reason: expect.stringContaining('line 2') }),
    ]);
    const other = { ...rows()[0], Category: 'SQLInsights' };
    expect(parseIssues(sqlAuditAdapter, JSON.stringify(other))).toEqual([
      expect.objectContaining({ record: 0, field: 'Category' }),
    ]);
    const many = Array.from({ length: 10_001 }, () => '{}').join('\n');
    expect(parseIssues(sqlAuditAdapter, many)).toEqual([expect.objectContaining({ field: '(body)' })]);
    expect(parseIssues(sqlAuditAdapter, `[${Array.from({ length: 10_001 }, () => '{}').join(',')}]`)).toEqual(
      [expect.objectContaining({ field: '(body)', reason: expect.stringContaining('10000') })],
    );
  });

  it('accepts exactly 10,000 records and lists at most 100 issues', () => {
    const row = lines()[0]!;
    const full = Array.from({ length: 10_000 }, (_, index) =>
      row.replace('"sequence_number_d":1', `"sequence_number_d":${index}`),
    );
    expect(parseOk(sqlAuditAdapter, full.join('\n'))).toHaveLength(10_000);
    const issues = parseIssues(
      sqlAuditAdapter,
      Array.from({ length: 500 }, () => '{"Category": 1}').join('\n'),
    );
    expect(issues).toHaveLength(100);
    expect(issues[99]).toEqual({
      field: '(body)',
      reason: expect.stringMatching(/^\d+ more issues not listed$/),
    });
  });
});
