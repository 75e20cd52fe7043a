import { type Migration, Migrator, sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { createMigrationContext } from '../../migrations/migration-context.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { toDbInstant } from '../../src/platform/db/instant-codec.ts';
import { digestSignalRows } from '../../src/retention/signal-digest.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { createIngestToken, ingestNote } from '../support/note-signals.ts';
import { describeEachDatabase, scratchDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const POSTGRES_ONLY = '(postgres only: SQLite has no partitions and purges in batches)';

/** Telemetry stored by UTC day of receipt on PostgreSQL (migration 0018): a due day is dropped whole. */
describeEachDatabase('signal day partitions', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t?.stop());
  const db = () => t.vigil.database.kysely;

  const ingestToken = () => createIngestToken(t, 'partitions');
  const ingest = (token: string, id: string, service: string) =>
    ingestNote(t, token, { id, service, at: '2026-03-02T09:00:00Z' });
  const dayPartitions = async () =>
    (
      await sql<{ name: string }>`select c.relname as name from pg_inherits i
        join pg_class c on c.oid = i.inhrelid where i.inhparent = 'signals'::regclass`.execute(db())
    ).rows
      .map((r) => r.name)
      .sort();
  const stored = async () =>
    (
      await sql<{ seq: number; shelf: string; received_at: string; dedup_key: string; summary: string }>`
        select seq, shelf, received_at, dedup_key, summary from signals order by seq`.execute(db())
    ).rows;
  const purgeEntries = async () =>
    (
      await db()
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'retention.purged')
        .orderBy('seq')
        .execute()
    ).map((e) => ({ ...e, detail: JSON.parse(e.detail) as Json }));
  const signalPurgeModule = async () =>
    (await t.vigil.engine.runCycle()).modules.find((m) => m.name === 'signal-purge');

  it.skipIf(dialect !== 'postgres')(
    `drops a due day's partition, keeps its evidence, audits what went, and dedup holds across days ${POSTGRES_ONLY}`,
    async () => {
      t = await startTestVigil(dialect, { now: '2026-03-02T10:00:00Z' });
      // The engine makes today's partition and the next two days' before anything is ingested.
      expect(await signalPurgeModule()).toMatchObject({ failed: 0 });
      expect(await dayPartitions()).toEqual(
        expect.arrayContaining(['signals_d20260302', 'signals_d20260303', 'signals_d20260304']),
      );
      const token = await ingestToken();
      for (const [id, service] of [
        ['plain-1', 'billing'],
        ['linked', 'billing'],
        ['windowed', 'orders'],
        ['plain-2', 'payments'],
      ])
        await ingest(token, id!, service!);
      expect((await stored()).map((s) => s.shelf)).toEqual(Array(4).fill('2026-03-02'));

      const d = incidentDriver(t);
      const incident = await d.declare({ title: 'Orders job', severity: 'medium', description: 'x' });
      const linked = (await stored()).find((s) => s.summary === 'note linked')!;
      await db()
        .insertInto('incident_signals')
        .values({
          incident_id: incident.id,
          signal_id: String(linked.seq),
          rule_id: null,
          linked_at: toDbInstant(t.clock.now()),
        })
        .execute();
      const window = await t.api({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/evidence-windows`,
        payload: {
          from: '2026-03-02T09:59:00Z',
          to: '2026-03-02T10:01:00Z',
          reason: 'the orders job’s notes',
          source: 'generic',
          entity: { service: 'orders' },
        },
      });
      expect(window.statusCode, window.body).toBe(201);

      // The next day a sender retries: still a duplicate, though the original is on another day's shelf.
      t.clock.set('2026-03-03T08:00:00Z');
      await ingest(token, 'plain-1', 'billing');
      await ingest(token, 'next-day', 'billing');
      expect((await stored()).map((s) => [s.summary, s.shelf])).toEqual([
        ['note plain-1', '2026-03-02'],
        ['note linked', '2026-03-02'],
        ['note windowed', '2026-03-02'],
        ['note plain-2', '2026-03-02'],
        ['note next-day', '2026-03-03'],
      ]);
      const goingRows = (await stored()).filter((s) => s.summary.startsWith('note plain'));
      const expected = digestSignalRows(goingRows);

      // 30 days on (London): 2 March is wholly past the period, 3 March is not.
      t.clock.set('2026-04-02T12:00:00Z');
      expect(await signalPurgeModule()).toMatchObject({ failed: 0, processed: 2 });
      const partitions = await dayPartitions();
      expect(partitions).not.toContain('signals_d20260302');
      expect(partitions).toEqual(expect.arrayContaining(['signals_d20260303', 'signals_kept']));
      // Detached in the purge's transaction, then dropped: the table is gone too.
      const gone = await sql<{
        t: string | null;
      }>`select to_regclass('signals_d20260302')::text as t`.execute(db());
      expect(gone.rows[0]!.t).toBeNull();
      expect((await stored()).map((s) => [s.summary, s.shelf])).toEqual([
        ['note linked', 'kept'],
        ['note windowed', 'kept'],
        ['note next-day', '2026-03-03'],
      ]);
      const [entry, ...more] = await purgeEntries();
      expect(more).toEqual([]);
      expect(entry).toMatchObject({ actor: 'system:retention', subject_type: 'signals' });
      // Built by PostgreSQL, the digest equals the one the application computes from the same rows.
      expect(entry!.detail).toMatchObject({
        day: '2026-03-02',
        keptAsEvidence: 2,
        removed: { signals: expected },
        firstSeq: goingRows[0]!.seq,
        lastSeq: goingRows[1]!.seq,
        receivedBefore: '2026-03-03T00:00:00.000Z',
      });
      // Kept evidence is still served, and its key still dedups a retry after the purge.
      expect((await t.api({ method: 'GET', url: `/api/v1/signals/${linked.seq}` })).statusCode).toBe(200);
      await ingest(token, 'linked', 'billing');
      expect(await stored()).toHaveLength(3);
      expect((await t.api({ method: 'GET', url: '/api/v1/audit/verify' })).json()).toMatchObject({
        ok: true,
      });
    },
  );

  it.skipIf(dialect !== 'postgres')(
    `keeps a day without its partition in the DEFAULT partition and purges it in batches ${POSTGRES_ONLY}`,
    async () => {
      // No engine cycle yet: 2 March has no partition, so its signals go to the DEFAULT one.
      t = await startTestVigil(dialect, { now: '2026-03-02T10:00:00Z' });
      const token = await ingestToken();
      await ingest(token, 'early', 'billing');
      // The engine cannot make 2 March's partition now (the default holds its rows), and says nothing of it.
      expect(await signalPurgeModule()).toMatchObject({ failed: 0 });
      expect(await dayPartitions()).toEqual(expect.arrayContaining(['signals_d20260303', 'signals_default']));
      expect(await dayPartitions()).not.toContain('signals_d20260302');
      await ingest(token, 'later', 'billing');
      t.clock.set('2026-04-02T12:00:00Z');
      expect(await signalPurgeModule()).toMatchObject({ failed: 0, processed: 2 });
      expect(await stored()).toEqual([]);
      expect((await purgeEntries()).map((e) => e.detail.removed.signals.count)).toEqual([2]);
    },
  );
  it.skipIf(dialect !== 'postgres')(
    `moves the signals stored before migration 0018 into day partitions, keeping their ids ${POSTGRES_ONLY}`,
    async () => {
      const scratch = scratchDatabase(dialect);
      const database = await openDatabase(scratch.url);
      try {
        const ctx = createMigrationContext('postgres');
        const all: Record<string, Migration> = {};
        for (const { name, module } of migrations) all[name] = { up: (db) => module.up(db, ctx) };
        const migrator = new Migrator({
          db: database.kysely,
          provider: { getMigrations: async () => all },
          migrationTableSchema: database.schema!,
        });
        expect((await migrator.migrateTo('0017-access-control')).error).toBeUndefined();
        const row = (n: number, receivedAt: string) => sql`(${'generic'}, ${'generic_alert'}, ${'info'},
          ${'firing'}, ${receivedAt}, ${receivedAt}, ${`generic:old-${n}`}, ${'{}'}, ${`old ${n}`}, ${'{}'})`;
        await sql`insert into signals (source, kind, severity_hint, status, occurred_at, received_at, dedup_key,
            entities, summary, raw)
          values ${sql.join([row(1, '2026-03-01T23:59:59.999Z'), row(2, '2026-03-02T00:00:00.000Z'), row(3, '2026-03-02T08:00:00.000Z')])}`.execute(
          database.kysely,
        );
        await sql`delete from signals where dedup_key = 'generic:old-3'`.execute(database.kysely);
        expect((await migrator.migrateToLatest()).error).toBeUndefined();

        const after = await sql<{ seq: number; shelf: string; summary: string }>`
          select seq, shelf, summary from signals order by seq`.execute(database.kysely);
        expect(after.rows).toEqual([
          { seq: 1, shelf: '2026-03-01', summary: 'old 1' },
          { seq: 2, shelf: '2026-03-02', summary: 'old 2' },
        ]);
        const parts = await sql<{ name: string }>`select c.relname as name from pg_inherits i
          join pg_class c on c.oid = i.inhrelid where i.inhparent = 'signals'::regclass order by 1`.execute(
          database.kysely,
        );
        expect(parts.rows.map((r) => r.name)).toEqual([
          'signals_d20260301',
          'signals_d20260302',
          'signals_default',
          'signals_kept',
        ]);
        // Numbering goes on after the highest number ever handed out (3, since deleted), never reusing one.
        const next = await sql<{
          seq: number;
        }>`insert into signals (shelf, source, kind, severity_hint, status,
            occurred_at, received_at, dedup_key, entities, summary, raw)
          values ('2026-03-02', 'generic', 'generic_alert', 'info', 'firing', '2026-03-02T09:00:00.000Z',
            '2026-03-02T09:00:00.000Z', 'generic:new', '{}', 'new', '{}') returning seq`.execute(
          database.kysely,
        );
        expect(next.rows[0]!.seq).toBe(4);
      } finally {
        await database.close();
        await scratch.drop();
      }
    },
  );
});
