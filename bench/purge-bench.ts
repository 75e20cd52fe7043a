/**
 * The telemetry purge at volume, beside its baseline:
 *
 * - PostgreSQL (`BENCH_PURGE_DATABASE_URL`, default the test database in its own schema
 *   `bench_purge`): one day's partition filled with `BENCH_PURGE_ROWS` signals (default
 *   5,000,000, raw records of about 1.3 KB) by INSERT ... SELECT generate_series, then purged
 *   through the real purge code (move evidence, digest, audit entry, detach, drop) while
 *   a probe stores one signal every 20 ms and records the slowest (how long ingestion waited).
 *   The baseline is the unpartitioned table of before migration 0018 (sequence key, unique dedup
 *   key) filled the same way (`BENCH_PURGE_BASELINE_ROWS`, default the same count) and emptied by
 *   one `DELETE ... WHERE received_at < cutoff`. WAL written and table size after are shown:
 *   the DELETE leaves its table as large as before until a vacuum.
 * - SQLite: `BENCH_PURGE_SQLITE_ROWS` signals (default 200,000) purged in the bounded batches
 *   of the engine module, with the same ingest probe between batches.
 *
 * Run alone with `npx tsx bench/purge-bench.ts`, or from bench/run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { createAuditDal } from '../src/audit/audit-dal.ts';
import { createAuditService } from '../src/audit/audit-service.ts';
import { systemClock } from '../src/platform/clock.ts';
import { type Database, openDatabase } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrator.ts';
import type { VigilDatabase } from '../src/platform/db/schema.ts';
import { duration } from '../src/policy/policy-duration.ts';
import { purgeTelemetry } from '../src/retention/retention-telemetry.ts';
import { createSignalDal } from '../src/signal/signal-dal.ts';
import { createSignalPartitionDal } from '../src/signal/signal-partition-dal.ts';

const PG_URL =
  process.env.BENCH_PURGE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test?schema=bench_purge';
const ROWS = Number(process.env.BENCH_PURGE_ROWS ?? 5_000_000);
const BASELINE_ROWS = Number(process.env.BENCH_PURGE_BASELINE_ROWS ?? ROWS);
const SQLITE_ROWS = Number(process.env.BENCH_PURGE_SQLITE_ROWS ?? 200_000);
const DAY = '2026-01-01';
/** 31 days after the filled day: all of it is past a 30-day period. */
const NOW = new Date('2026-02-01T12:00:00.000Z');
const RULES = { keep: duration('30 days'), timeZone: 'UTC' };
const PROBE_EVERY_MS = 20;

/** The columns of a signal as generate_series fills them: a day spread over `n` rows, ~1.3 KB raw each. */
function generatedRows(n: number): string {
  const at = `to_char(timestamp '${DAY}' + g * interval '${86_400_000 / n} milliseconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return `select 'generic', 'job.note', 'info', 'firing', ${at}, ${at}, 'generic:bench:' || g, null,
      'user' || (g % 1000), '10.0.' || (g % 250) || '.' || (g % 200), '{"service":"orders"}', 'note ' || g,
      '{"id":"' || g || '","type":"job.note","payload":"' || repeat(md5(g::text), 40) || '"}'
    from generate_series(1, ${n}) g`;
}
const COLUMNS = `source, kind, severity_hint, status, occurred_at, received_at, dedup_key, correlation_key,
  principal, client_ip, entities, summary, raw`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/**
 * Stores one signal every {@link PROBE_EVERY_MS} through the real insert
 * until stopped; returns the slowest store (ms): how long ingestion waited.
 */
function ingestProbe(db: Kysely<VigilDatabase>, receivedAt: Date): { stop(): Promise<number> } {
  const dal = createSignalDal();
  let running = true;
  let slowest = 0;
  let n = 0;
  const loop = (async () => {
    while (running) {
      n += 1;
      const started = performance.now();
      await db.transaction().execute((trx) =>
        dal.insertNew(trx, [
          {
            receivedAt,
            signal: {
              source: 'generic',
              kind: 'generic_alert',
              severityHint: 'info',
              status: 'firing',
              occurredAt: receivedAt,
              dedupKey: `generic:probe:${process.pid}:${n}`,
              entities: { service: 'probe' },
              summary: 'probe',
              raw: { n },
            },
          },
        ]),
      );
      slowest = Math.max(slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return slowest;
    },
  };
}

/** The real purge, as the engine runs it, over everything due at {@link NOW}. */
async function runPurge(database: Database) {
  const db = database.kysely;
  const deps = {
    db,
    dal: createSignalDal(),
    partitions: createSignalPartitionDal(),
    audit: createAuditService({ db, dal: createAuditDal(database.dialect) }),
    clock: systemClock,
  };
  const probe = ingestProbe(db, NOW);
  const started = performance.now();
  const pass = await purgeTelemetry(deps, RULES, NOW, {
    fromSeq: 0,
    batchSize: 2_000,
    budgetMs: Number.POSITIVE_INFINITY,
  });
  const ms = performance.now() - started;
  return { ms, pass, slowestInsertMs: await probe.stop() };
}

async function walBytes(db: Kysely<VigilDatabase>): Promise<bigint> {
  const { rows } = await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(db);
  const [hi, lo] = rows[0]!.lsn.split('/').map((h) => BigInt(`0x${h}`));
  return (hi! << 32n) + lo!;
}

async function relationBytes(db: Kysely<VigilDatabase>, table: string): Promise<number> {
  const { rows } = await sql<{
    n: string;
  }>`select pg_total_relation_size(${table}::regclass)::text as n`.execute(db);
  return Number(rows[0]!.n);
}

async function freshSchema(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema') ?? 'bench_purge';
  const client = new pg.Client({ connectionString: url.replace(/\?.*$/, '') });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}

async function postgresRows(): Promise<string[]> {
  await freshSchema(PG_URL);
  const database = await openDatabase(PG_URL);
  try {
    const report = await migrateToLatest(database);
    if (report.error) throw new Error(`migration ${report.error.migration}: ${report.error.message}`);
    const db = database.kysely;
    await createSignalPartitionDal().ensureDays(db, [DAY, NOW.toISOString().slice(0, 10)]);
    let started = performance.now();
    await sql
      .raw(`insert into signals (shelf, ${COLUMNS}) select '${DAY}', * from (${generatedRows(ROWS)}) r`)
      .execute(db);
    // A day due for purge is 30 days old: autovacuum has long marked its pages all-visible. Twice, as
    // a transaction of another client open during the first can keep the newest rows from that mark.
    for (let i = 0; i < 2; i += 1)
      await sql.raw(`vacuum analyze signals_d${DAY.replaceAll('-', '')}`).execute(db);
    const fillMs = performance.now() - started;
    const dayBytes = await relationBytes(db, `signals_d${DAY.replaceAll('-', '')}`);
    let wal = await walBytes(db);
    const purge = await runPurge(database);
    const purgeWal = Number((await walBytes(db)) - wal);

    await sql
      .raw(`create table bench_plain (seq bigint generated always as identity primary key,
      ${COLUMNS.replaceAll(',', ' text,').replace(/raw$/, 'raw text')}, unique (dedup_key))`)
      .execute(db);
    started = performance.now();
    await sql.raw(`insert into bench_plain (${COLUMNS}) ${generatedRows(BASELINE_ROWS)}`).execute(db);
    await sql.raw('vacuum analyze bench_plain').execute(db);
    const baselineFillMs = performance.now() - started;
    const plainBytes = await relationBytes(db, 'bench_plain');
    wal = await walBytes(db);
    started = performance.now();
    const cutoff = '2026-01-02T00:00:00.000Z';
    await sql.raw(`delete from bench_plain where received_at < '${cutoff}'`).execute(db);
    const deleteMs = performance.now() - started;
    const deleteWal = Number((await walBytes(db)) - wal);
    const plainAfter = await relationBytes(db, 'bench_plain');
    const perRow = (ms: number, n: number) => `${((ms / n) * 1000).toFixed(2)} µs`;
    return [
      `| PostgreSQL: one day of signals | rows | time | per row | WAL written | table size after | slowest insert meanwhile |`,
      '|---|---:|---:|---:|---:|---:|---:|',
      `| Vigil: day partition purged (evidence moved, digest, audit entry, DETACH; DROP after commit) | ${purge.pass.deleted.toLocaleString('en')} | ${seconds(purge.ms)} | ${perRow(purge.ms, ROWS)} | ${mb(purgeWal)} | 0 (was ${mb(dayBytes)}) | ${purge.slowestInsertMs.toFixed(0)} ms |`,
      `| Baseline: \`DELETE ... WHERE received_at < cutoff\` on the unpartitioned table | ${BASELINE_ROWS.toLocaleString('en')} | ${seconds(deleteMs)} | ${perRow(deleteMs, BASELINE_ROWS)} | ${mb(deleteWal)} | ${mb(plainAfter)} (was ${mb(plainBytes)}) | — |`,
      `| (filling the day: INSERT ... SELECT generate_series, partition / plain) | | ${seconds(fillMs)} / ${seconds(baselineFillMs)} | | | | |`,
    ];
  } finally {
    await database.close();
    await freshSchema(PG_URL);
  }
}

async function sqliteRows(): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-purge-bench-'));
  const database = await openDatabase(`sqlite:${path.join(dir, 'vigil.db')}`);
  try {
    const report = await migrateToLatest(database);
    if (report.error) throw new Error(`migration ${report.error.migration}: ${report.error.message}`);
    const sqliteRowsSql = `with recursive s(g) as (select 1 union all select g + 1 from s where g < ${SQLITE_ROWS})
      select 'generic', 'job.note', 'info', 'firing', strftime('%Y-%m-%dT%H:%M:%fZ', '${DAY}', '+' || (g * 86400.0 / ${SQLITE_ROWS}) || ' seconds') as at1,
        strftime('%Y-%m-%dT%H:%M:%fZ', '${DAY}', '+' || (g * 86400.0 / ${SQLITE_ROWS}) || ' seconds'), 'generic:bench:' || g, null,
        'user' || (g % 1000), '10.0.' || (g % 250) || '.' || (g % 200), '{"service":"orders"}', 'note ' || g,
        '{"id":"' || g || '","type":"job.note","payload":"' || hex(randomblob(640)) || '"}' from s`;
    await sql.raw(`insert into signals (${COLUMNS}) ${sqliteRowsSql}`).execute(database.kysely);
    const purge = await runPurge(database);
    return [
      '| SQLite: bounded batches of 2,000 | rows | time | rows per second | batches | slowest insert meanwhile |',
      '|---|---:|---:|---:|---:|---:|',
      `| Vigil: telemetry purge pass | ${purge.pass.deleted.toLocaleString('en')} | ${seconds(purge.ms)} | ${Math.round(purge.pass.deleted / (purge.ms / 1000)).toLocaleString('en')} | ${purge.pass.batches.length} | ${purge.slowestInsertMs.toFixed(0)} ms |`,
    ];
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both tables as markdown. */
export async function runPurgeBench(): Promise<string> {
  const pgPart = await postgresRows().catch((error: unknown) => [
    `PostgreSQL part not run: ${error instanceof Error ? error.message : String(error)}`,
  ]);
  return [...pgPart, '', ...(await sqliteRows())].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runPurgeBench());
