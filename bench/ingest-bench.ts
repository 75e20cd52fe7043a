/**
 * Ingestion, measured beside the baselines the signals issue names, in one run:
 *
 * - SQL audit NDJSON in batches of 1,000 records (about 2 KB each, built from the sample
 *   records with fresh ids, principals and addresses) through the real ingest service on a
 *   fresh SQLite file: parse, normalise, store with the raw record, detect, correlate. The
 *   baseline only splits the lines, JSON-parses each and inserts it into one SQLite table (WAL,
 *   one transaction per batch, a prepared statement): the floor of durable ingestion here.
 *   Runs alternate between the two so both see the same machine noise.
 * - Single PagerDuty events (`POST /v2/enqueue`, a fresh dedup key each) against a real Vigil
 *   HTTP server, beside a bare Fastify route that parses the same body and answers 202, both
 *   loaded by autocannon the same way.
 * - Latency from the request that completes a brute-force threshold (the tenth failed login of
 *   a fresh principal) to the incident being readable through the API.
 * - Memory over a soak of steady ingestion (`BENCH_SOAK_SECONDS`, default 300): the heap after
 *   each minute, after a forced collection when `--expose-gc` is on, and the resident set (RSS).
 *
 * Run alone with `npx tsx bench/ingest-bench.ts`, or from bench/run.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pino from 'pino';
import { VIGIL_VERSION } from '../src/app/version.ts';
import { createVigil, type Vigil } from '../src/app/vigil.ts';
import { type Clock, FakeClock, systemClock } from '../src/platform/clock.ts';
import { ADMIN_TOKEN } from '../test/support/test-vigil.ts';

const BATCH = 1_000;
const BATCHES_PER_ROUND = 10;
const ROUNDS = 5;
/** Rounds run first and not counted: the JIT, statement caches and Vigil's window warm-up settle. */
const WARMUP_ROUNDS = 1;
const HTTP_SECONDS = 8;
const CONNECTIONS = 50;
const LATENCY_SAMPLES = 200;

const vectorsDir = fileURLToPath(new URL('../test/fixtures/signals/vectors/', import.meta.url));
const sampleRows = readFileSync(path.join(vectorsDir, 'sql-audit-failed-logins.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Record<string, unknown>);
/**
 * The batch mix: the sample's logins (failed and successful) and small reads, so that every
 * record is parsed and stored and about half are counted by the login rules; the sample's few
 * permission changes, schema changes and bulk read would open an incident for nearly every
 * copy, which no real stream does.
 */
const mixRows = sampleRows.filter((r) => {
  const action = String(r.action_id_s).trim();
  return action === 'DBAF' || action === 'DBAS' || (action === 'BCM' && Number(r.response_rows_d) < 10_000);
});
const pdTrigger = JSON.parse(
  readFileSync(path.join(vectorsDir, 'pagerduty-events-v2-trigger.json'), 'utf8'),
) as Record<string, unknown>;

let counter = 0;

/** A batch of SQL audit rows: the sample's shapes, each with a fresh sequence id, principal and address. */
function auditBatch(size: number, at: Date, spacingMs = 1): string {
  const lines: string[] = [];
  for (let i = 0; i < size; i += 1) {
    counter += 1;
    const row = { ...mixRows[counter % mixRows.length]! };
    const stamp = new Date(at.getTime() + i * spacingMs).toISOString();
    row.sequence_group_id_g = randomUUID();
    row.sequence_number_d = 1;
    row.event_time_t = stamp;
    row.TimeGenerated = stamp;
    row.server_principal_name_s = `user${counter % 5_000}`;
    row.client_ip_s = `198.51.${(counter >> 8) % 256}.${counter % 256}`;
    lines.push(JSON.stringify(row));
  }
  return lines.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function openVigil(dir: string, name: string, clock: Clock = systemClock): Promise<Vigil> {
  const vigil = await createVigil({
    databaseUrl: `sqlite:${path.join(dir, `${name}.db`)}`,
    policyPath: undefined,
    clock,
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    version: VIGIL_VERSION,
  });
  await vigil.identity.bootstrapAdmin({ email: 'admin@localhost', presetToken: ADMIN_TOKEN });
  return vigil;
}

/** The baseline: split, parse, insert each line into one table, one transaction per batch. */
function baselineStore(dir: string) {
  const db = new Database(path.join(dir, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 10000');
  db.exec('create table raw_signals (id integer primary key, received_at text not null, body text not null)');
  const insert = db.prepare('insert into raw_signals (received_at, body) values (?, ?)');
  const insertBatch = db.transaction((rows: unknown[], at: string) => {
    for (const row of rows) insert.run(at, JSON.stringify(row));
  });
  return {
    ingest(body: string) {
      const rows = body.split('\n').map((line) => JSON.parse(line) as unknown);
      insertBatch(rows, new Date().toISOString());
    },
    close: () => db.close(),
  };
}

export async function batchIngest(dir: string): Promise<string> {
  const vigil = await openVigil(dir, 'batch');
  const baseline = baselineStore(dir);
  const vigilRates: number[] = [];
  const baseRates: number[] = [];
  try {
    const start = Date.parse('2026-11-27T09:00:00Z');
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round += 1) {
      const bodies = Array.from({ length: BATCHES_PER_ROUND }, (_, i) =>
        auditBatch(BATCH, new Date(start + (round * BATCHES_PER_ROUND + i) * 60_000)),
      );
      const baseBodies = Array.from({ length: BATCHES_PER_ROUND }, (_, i) =>
        auditBatch(BATCH, new Date(start + i)),
      );
      let t0 = performance.now();
      for (const body of baseBodies) baseline.ingest(body);
      const baseRate = (BATCH * BATCHES_PER_ROUND) / ((performance.now() - t0) / 1000);
      t0 = performance.now();
      for (const body of bodies) await vigil.signals.ingest('sql-audit', body, 'application/x-ndjson');
      const vigilRate = (BATCH * BATCHES_PER_ROUND) / ((performance.now() - t0) / 1000);
      if (round < WARMUP_ROUNDS) continue;
      baseRates.push(baseRate);
      vigilRates.push(vigilRate);
    }
  } finally {
    baseline.close();
    await vigil.close();
  }
  const v = median(vigilRates);
  const b = median(baseRates);
  return [
    `SQL audit NDJSON, ${BATCHES_PER_ROUND} batches of ${BATCH} records per round, ${ROUNDS} rounds alternating after ${WARMUP_ROUNDS} uncounted (median of rounds):`,
    '',
    '| path | records/s | ratio to baseline | target |',
    '|---|---|---|---|',
    `| baseline: parse each line, insert into one SQLite table (WAL, one transaction per batch) | ${Math.round(b)} | 1.00 | |`,
    `| Vigil end to end: parse, normalise, store with raw, detect, correlate | ${Math.round(v)} | ${(v / b).toFixed(2)} | ≥ 0.60 |`,
  ].join('\n');
}

async function load(url: string, body: () => string): Promise<{ rps: number; p99: number; non2xx: number }> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: HTTP_SECONDS,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx };
}

async function singleEvents(dir: string): Promise<string> {
  const vigil = await openVigil(dir, 'http');
  const bare = Fastify({ logger: false });
  bare.post('/v2/enqueue', async (request, reply) => {
    if (typeof request.body !== 'object' || request.body === null)
      return reply.code(400).send({ status: 'invalid event' });
    return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: 'x' });
  });
  try {
    const token = (
      await vigil.ingestTokens.create(
        {
          user: (await vigil.identity.findUserByEmail('admin@localhost'))!,
          credential: { kind: 'token', tokenId: 'bench', scopes: ['admin'] },
        },
        { name: 'bench', source: 'pagerduty' },
      )
    ).token;
    await vigil.http.listen({ host: '127.0.0.1', port: 0 });
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const vigilUrl = `http://127.0.0.1:${(vigil.http.server.address() as AddressInfo).port}/v2/enqueue`;
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as AddressInfo).port}/v2/enqueue`;
    const event = () => {
      counter += 1;
      return JSON.stringify({ ...pdTrigger, routing_key: token, dedup_key: `bench/${counter}` });
    };
    await load(bareUrl, event); // warm-up
    const rows: { bare: Awaited<ReturnType<typeof load>>; vigil: Awaited<ReturnType<typeof load>> }[] = [];
    for (let round = 0; round < 2; round += 1) {
      rows.push({ bare: await load(bareUrl, event), vigil: await load(vigilUrl, event) });
    }
    const b = median(rows.map((r) => r.bare.rps));
    const v = median(rows.map((r) => r.vigil.rps));
    const errors = rows.reduce((n, r) => n + r.vigil.non2xx + r.bare.non2xx, 0);
    return [
      `Single PagerDuty events, autocannon ${CONNECTIONS} connections, ${HTTP_SECONDS} s per run, 2 alternating runs (median), a fresh dedup key per request; non-2xx answers: ${errors}:`,
      '',
      '| server | req/s | p99 ms | ratio to baseline | target |',
      '|---|---|---|---|---|',
      `| bare Fastify route: parse the body, answer 202 | ${Math.round(b)} | ${median(rows.map((r) => r.bare.p99))} | 1.00 | |`,
      `| Vigil \`POST /v2/enqueue\`: token, parse, store durably, detect, 202 | ${Math.round(v)} | ${median(rows.map((r) => r.vigil.p99))} | ${(v / b).toFixed(2)} | ≥ 0.40 |`,
    ].join('\n');
  } finally {
    await bare.close();
    await vigil.close();
  }
}

async function thresholdLatency(dir: string): Promise<string> {
  const vigil = await openVigil(dir, 'latency');
  try {
    const token = (
      await vigil.ingestTokens.create(
        {
          user: (await vigil.identity.findUserByEmail('admin@localhost'))!,
          credential: { kind: 'token', tokenId: 'bench', scopes: ['admin'] },
        },
        { name: 'bench', source: 'sql-audit' },
      )
    ).token;
    await vigil.http.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(vigil.http.server.address() as AddressInfo).port}`;
    const failure = sampleRows.find((r) => r.action_id_s === 'DBAF')!;
    const post = (rows: Record<string, unknown>[]) =>
      fetch(`${base}/api/v1/signals/sql-audit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body: rows.map((r) => JSON.stringify(r)).join('\n'),
      });
    const samples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i += 1) {
      const principal = `victim${i}`;
      const at = Date.now();
      const rows = Array.from({ length: 10 }, (_, n) => ({
        ...failure,
        sequence_group_id_g: randomUUID(),
        event_time_t: new Date(at + n).toISOString(),
        server_principal_name_s: principal,
      }));
      await (await post(rows.slice(0, 9))).text();
      const t0 = performance.now();
      const answer = (await (await post(rows.slice(9))).json()) as { incidents: { id: string }[] };
      const incident = answer.incidents[0];
      if (!incident) throw new Error('the tenth failure opened no incident');
      const read = await fetch(`${base}/api/v1/incidents/${incident.id}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      if (read.status !== 200) throw new Error(`incident not readable: ${read.status}`);
      await read.text();
      samples.push(performance.now() - t0);
    }
    return [
      `Threshold to readable incident: the tenth failed login of a fresh principal posted, then the incident it opened read back, over HTTP on 127.0.0.1, ${LATENCY_SAMPLES} samples:`,
      '',
      '| p50 ms | p99 ms | max ms | target |',
      '|---|---|---|---|',
      `| ${percentile(samples, 50).toFixed(1)} | ${percentile(samples, 99).toFixed(1)} | ${Math.max(...samples).toFixed(1)} | p99 < 50 |`,
    ].join('\n');
  } finally {
    await vigil.close();
  }
}

/** One sample of the soak, taken each minute. */
interface SoakMark {
  minute: number;
  simulatedHours: number;
  heapMiB: number;
  rssMiB: number;
  windowHits: number;
}

/** First, largest and last of the samples, in MiB. */
function rssSummary(samples: readonly number[]): string {
  return [samples[0]!, Math.max(...samples), samples.at(-1)!].map((n) => n.toFixed(1)).join(' / ');
}

/**
 * Steady ingestion for `BENCH_SOAK_SECONDS` of wall time. Signal time (and Vigil's clock, a fake
 * one) runs about a hundred times faster than the wall, 10 ms between records, so that the soak
 * spans hours of signals: far more than any rule's reach (65 minutes for the rate rule), which is
 * what the windows may hold. Memory must level off once that reach is filled.
 */
export async function soak(dir: string): Promise<string> {
  const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 300);
  const clock = new FakeClock('2026-11-27T09:00:00Z');
  const vigil = await openVigil(dir, 'soak', clock);
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = () => {
    gc?.();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const marks: SoakMark[] = [];
  const started = performance.now();
  const startedAt = clock.now().getTime();
  const mark = (minute: number) =>
    marks.push({
      minute,
      simulatedHours: (clock.now().getTime() - startedAt) / 3_600_000,
      heapMiB: heap(),
      // Resident memory as the operating system sees it: heap, native buffers, SQLite's page cache.
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      windowHits: vigil.signals.windowHits(),
    });
  let records = 0;
  try {
    mark(0);
    let nextMark = 60_000;
    while (performance.now() - started < seconds * 1000) {
      await vigil.signals.ingest('sql-audit', auditBatch(200, clock.now(), 10), 'application/x-ndjson');
      clock.advance(2_000);
      records += 200;
      if (performance.now() - started >= nextMark) {
        mark(nextMark / 60_000);
        nextMark += 60_000;
      }
    }
    mark(Math.round((performance.now() - started) / 6_000) / 10);
  } finally {
    await vigil.close();
  }
  return [
    `Soak: ${seconds} s of steady SQL audit ingestion (batches of 200, 10 ms apart in signal time, which runs about 100x faster than the wall), ${records} records; heap after a forced collection${gc ? '' : ' (unavailable: run with --expose-gc)'}, and the hits the live windows hold:`,
    '',
    '| minute | signal time elapsed, h | heap MiB | RSS MiB | window hits |',
    '|---|---|---|---|---|',
    ...marks.map(
      (m) =>
        `| ${m.minute} | ${m.simulatedHours.toFixed(1)} | ${m.heapMiB.toFixed(1)} | ${m.rssMiB.toFixed(1)} | ${m.windowHits} |`,
    ),
    '',
    `Resident memory (RSS) of the process, first / max / last sample: ${rssSummary(marks.map((m) => m.rssMiB))} MiB.`,
  ].join('\n');
}

/** Runs every ingestion measurement; returns the markdown for docs/performance.md. */
export async function runIngestBench(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-ingest-bench-'));
  try {
    const parts = [
      await batchIngest(dir),
      await singleEvents(dir),
      await thresholdLatency(dir),
      await soak(dir),
    ];
    return parts.join('\n\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(await runIngestBench());
}
