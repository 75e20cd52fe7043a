import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAuditDal } from '../../src/audit/audit-dal.ts';
import { type AuditService, createAuditService } from '../../src/audit/audit-service.ts';
import { type Database, openDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrator.ts';
import { describeEachDatabase, type ScratchDatabase, scratchDatabase } from '../support/test-databases.ts';

const T0 = new Date('2026-04-07T09:00:00Z');

/** Another process appending to the same database, as a second server would. */
async function runWriter(url: string, actor: string, count: number): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'test/support/append-audit-entries.ts', url, actor, String(count)],
    { timeout: 60_000 },
  );
}

async function appendMany(
  database: Database,
  audit: AuditService,
  count: number,
  actor = 'tester',
): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await database.kysely.transaction().execute((trx) =>
      audit.append(trx, {
        actor: { type: 'system', name: actor },
        action: 'test.appended',
        subject: { type: 'test', id: `${actor}-${i}` },
        detail: { i, note: `entry ${i}` },
        at: new Date(T0.getTime() + i * 1000),
      }),
    );
  }
}

describeEachDatabase('audit hash chain', (dialect) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let audit: AuditService;

  beforeEach(async () => {
    scratch = scratchDatabase(dialect);
    database = await openDatabase(scratch.url);
    const report = await migrateToLatest(database);
    expect(report.error).toBeUndefined();
    audit = createAuditService({ db: database.kysely, dal: createAuditDal(database.dialect) });
    await appendMany(database, audit, 5);
  });

  afterEach(async () => {
    await database.close();
    await scratch.drop();
  });

  it('verifies an untouched chain', async () => {
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: true, entries: 5, firstBrokenEntry: null, reason: null });
    expect(result.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies an empty chain', async () => {
    const other = scratchDatabase(dialect);
    const empty = await openDatabase(other.url);
    try {
      await migrateToLatest(empty);
      const result = await createAuditService({
        db: empty.kysely,
        dal: createAuditDal(empty.dialect),
      }).verify();
      expect(result).toMatchObject({ ok: true, entries: 0, firstBrokenEntry: null });
    } finally {
      await empty.close();
      await other.drop();
    }
  });

  it('names an entry whose actor was edited by hand', async () => {
    await sql`update audit_log set actor = 'user:mallory@example.com' where seq = 3`.execute(database.kysely);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      firstBrokenEntry: 3,
      reason: 'entry_hash_mismatch',
    });
  });

  it('names an entry whose recorded change was edited by hand', async () => {
    await sql`update audit_log set detail = '{"i":1,"note":"nothing happened"}' where seq = 2`.execute(
      database.kysely,
    );
    expect(await audit.verify()).toMatchObject({
      ok: false,
      firstBrokenEntry: 2,
      reason: 'detail_digest_mismatch',
    });
  });

  it('names an entry whose time was edited even when its hash was recomputed naively', async () => {
    await sql`update audit_log set at = '2020-01-01T00:00:00.000Z', hash = ${'f'.repeat(64)} where seq = 4`.execute(
      database.kysely,
    );
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenEntry: 4 });
  });

  it('names a deleted entry in the middle', async () => {
    await sql`delete from audit_log where seq = 2`.execute(database.kysely);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenEntry: 2, reason: 'sequence_gap' });
  });

  it('names a deleted last entry through the head row', async () => {
    await sql`delete from audit_log where seq = 5`.execute(database.kysely);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenEntry: 5, reason: 'head_mismatch' });
  });

  it('names reordered entries', async () => {
    await sql`update audit_log set seq = 100 where seq = 2`.execute(database.kysely);
    await sql`update audit_log set seq = 2 where seq = 3`.execute(database.kysely);
    await sql`update audit_log set seq = 3 where seq = 100`.execute(database.kysely);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      firstBrokenEntry: 2,
      reason: 'previous_hash_mismatch',
    });
  });

  it('names a forged entry appended past the head', async () => {
    await sql`insert into audit_log (seq, at, actor, action, subject_type, subject_id, detail, digest, prev_hash, hash)
      select 6, at, actor, action, subject_type, subject_id, detail, digest, hash, hash from audit_log where seq = 5`.execute(
      database.kysely,
    );
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenEntry: 6, reason: 'head_mismatch' });
  });

  it('keeps the chain whole under concurrent writer processes', async () => {
    const writers = ['writer-a', 'writer-b', 'writer-c'].map((actor) => runWriter(scratch.url, actor, 30));
    await Promise.all([...writers, appendMany(database, audit, 20, 'in-process')]);
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: true, entries: 115, firstBrokenEntry: null });
  });

  it('rolls the entry back with the change when the transaction fails', async () => {
    await expect(
      database.kysely.transaction().execute(async (trx) => {
        await audit.append(trx, {
          actor: { type: 'system', name: 'tester' },
          action: 'test.doomed',
          subject: { type: 'test', id: 'doomed' },
          detail: {},
          at: T0,
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 5 });
  });
});
