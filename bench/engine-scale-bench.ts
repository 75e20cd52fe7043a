/**
 * The engine at 10,000 and 100,000 open incidents: does a cycle cost grow with the work that is
 * due, or with everything stored? A real Vigil (the composition root, the built-in policy, a
 * fresh SQLite file per count) is seeded with the incidents-at-scale data (`seed` of
 * bench/incident-scale-bench.ts: open incidents with their clocks as the engine would have left
 * them at `NOW`), then two kinds of cycle are timed at each count:
 *
 * - **nothing due**: the lease renewal and every module's "anything due?" query;
 * - **100 clocks due**: before each timed cycle the fake clock is moved to the instant at which
 *   exactly the next 100 clock checks have fallen due (found with the SLA DAL's own `listDue`),
 *   so every timed cycle records about 100 at-risk or breach events with their timeline entries,
 *   outbox messages and audit entries, whatever the number of incidents stored.
 *
 * The growth factor from 10,000 to 100,000 is the claim under test: close to 1 for both rows
 * means the cost follows the due items, not the stored ones.
 *
 * A third row times an idle cycle after `BREACH_RECORDS` confirmed breaches are recorded on
 * seeded incidents through the breach service: `breach-deadlines` lists only records whose stored
 * next check is due, so a breach record costs an idle cycle nothing once its warnings are planned.
 *
 * Run alone with `npx tsx bench/engine-scale-bench.ts`, or import `runEngineScaleBench` from
 * bench/run.ts.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path, { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { VIGIL_VERSION } from '../src/app/version.ts';
import { createVigil, type Vigil } from '../src/app/vigil.ts';
import type { CycleReport } from '../src/engine/engine-types.ts';
import { FakeClock } from '../src/platform/clock.ts';
import { nextCheckAt } from '../src/sla/sla-clock.ts';
import { ADMIN_TOKEN, NOW, seed } from './incident-scale-bench.ts';

const COUNTS = [10_000, 100_000] as const;
/** Clock checks made due before each timed "due" cycle. */
const DUE_PER_CYCLE = 100;
const IDLE_WARMUPS = 20;
const IDLE_RUNS = 200;
const DUE_WARMUPS = 2;
/**
 * Few, because each run moves signal time on and uses up running clocks: at 10,000 incidents a
 * hundred checks span hours of signal time, and many more runs would drain the seeded state.
 */
const DUE_RUNS = 20;
const BREACH_RECORDS = 100;
const BREACH_RUNS = 30;

interface CountResult {
  incidents: number;
  seedMs: number;
  runningClocks: number;
  /** Sorted ascending, ms. */
  idle: number[];
  /** Sorted ascending, ms. */
  due: number[];
  /** Events recorded per due cycle (SLA module), sorted ascending. */
  dueProcessed: number[];
  /** Per due cycle: ms per recorded event, sorted ascending. */
  perEvent: number[];
  /** Signal time the due runs spanned, ms. */
  dueSpanMs: number;
  /** Idle cycles with `BREACH_RECORDS` breaches recorded, sorted ascending, ms. */
  withBreaches: number[];
}

const median = (sorted: readonly number[]): number => sorted[Math.floor(sorted.length / 2)]!;
const p95 = (sorted: readonly number[]): number => sorted[Math.ceil(sorted.length * 0.95) - 1]!;

const failed = (report: CycleReport) =>
  report.modules.filter((m) => m.failed > 0 || m.error !== undefined).map((m) => m.name);

/** One timed cycle; throws if the engine did not lead or a module failed. */
async function timedCycle(vigil: Vigil): Promise<{ ms: number; report: CycleReport }> {
  const began = performance.now();
  const report = await vigil.engine.runCycle();
  const ms = performance.now() - began;
  if (!report.leader || report.modules.length === 0 || failed(report).length > 0) {
    throw new Error(`the engine cycle failed: ${JSON.stringify(report)}`);
  }
  return { ms, report };
}

/** Cycles with nothing due; throws unless each one processed nothing. */
async function idleCycles(vigil: Vigil, warmups: number, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < warmups + runs; i++) {
    const { ms, report } = await timedCycle(vigil);
    if (report.modules.some((m) => m.processed > 0)) {
      throw new Error(`the engine cycle was not idle: ${JSON.stringify(report)}`);
    }
    if (i >= warmups) samples.push(ms);
  }
  return samples.sort((a, b) => a - b);
}

/**
 * Moves the clock to the next check of the `DUE_PER_CYCLE`-th clock to fall due, so that exactly
 * that many (ties aside) are due; untimed.
 */
async function makeClocksDue(vigil: Vigil, clock: FakeClock): Promise<void> {
  const { db, slaDal } = vigil.incidentDeps;
  const farFuture = new Date(clock.now().getTime() + 365 * 24 * 3_600_000);
  const next = await slaDal.listDue(db, farFuture, DUE_PER_CYCLE);
  const last = next.at(-1);
  const at = last && nextCheckAt(last.clock);
  if (!at || next.length < DUE_PER_CYCLE) throw new Error('fewer running clocks than a due cycle needs');
  clock.set(at);
}

/** Cycles with about `DUE_PER_CYCLE` clock events due each. */
async function dueCycles(
  vigil: Vigil,
  clock: FakeClock,
): Promise<Pick<CountResult, 'due' | 'dueProcessed' | 'perEvent' | 'dueSpanMs'>> {
  const due: number[] = [];
  const dueProcessed: number[] = [];
  const perEvent: number[] = [];
  const from = clock.now().getTime();
  for (let i = 0; i < DUE_WARMUPS + DUE_RUNS; i++) {
    await makeClocksDue(vigil, clock);
    const { ms, report } = await timedCycle(vigil);
    const sla = report.modules.find((m) => m.name === 'sla')?.processed ?? 0;
    if (sla < DUE_PER_CYCLE / 2) throw new Error(`a due cycle recorded only ${sla} clock events`);
    if (i < DUE_WARMUPS) continue;
    due.push(ms);
    dueProcessed.push(sla);
    perEvent.push(ms / sla);
  }
  const ascending = (values: number[]) => values.sort((a, b) => a - b);
  return {
    due: ascending(due),
    dueProcessed: ascending(dueProcessed),
    perEvent: ascending(perEvent),
    dueSpanMs: clock.now().getTime() - from,
  };
}

/** Records `BREACH_RECORDS` confirmed personal data breaches, aware of 0-29 days ago, on seeded incidents. */
async function recordBreaches(vigil: Vigil, now: Date): Promise<void> {
  const principal = await vigil.identity.authenticate(ADMIN_TOKEN);
  const { db } = vigil.incidentDeps;
  const incidents = await db.selectFrom('incidents').select('id').limit(BREACH_RECORDS).execute();
  for (const [n, { id }] of incidents.entries()) {
    await vigil.breaches.setRecord(principal, id, {
      status: 'confirmed',
      role: 'controller',
      awarenessAt: new Date(now.getTime() - (n % 30) * 24 * 3_600_000),
      nature: ['confidentiality'],
      dataCategories: ['contact details'],
      peopleCategories: ['customers'],
      approxPeople: 120,
      approxRecords: 120,
      likelyConsequences: 'Phishing aimed at the customers concerned.',
      measuresTaken: 'Credentials rotated.',
      measuresProposed: 'Customers told to expect no such e-mail.',
      contactPoint: 'dpo@example.com',
      determinations: [],
    });
  }
}

async function measureCount(incidents: number): Promise<CountResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-engine-bench-'));
  const clock = new FakeClock(new Date(NOW));
  const vigil = await createVigil({
    databaseUrl: `sqlite:${path.join(dir, 'vigil.db')}`,
    policyPath: undefined,
    clock,
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    version: VIGIL_VERSION,
  });
  try {
    await vigil.identity.bootstrapAdmin({ email: 'admin@localhost', presetToken: ADMIN_TOKEN });
    const seeded = await seed(vigil, incidents);
    // The first cycle of a day runs the daily retention pass and the first exercise-cadence
    // reminder: real work, but not the steady state measured here.
    await vigil.engine.runCycle();
    const idle = await idleCycles(vigil, IDLE_WARMUPS, IDLE_RUNS);
    const due = await dueCycles(vigil, clock);
    await recordBreaches(vigil, clock.now());
    // The first cycle sends the warnings the new breaches are owed; the timed ones find nothing new.
    await vigil.engine.runCycle();
    const withBreaches = await idleCycles(vigil, 2, BREACH_RUNS);
    return { incidents, seedMs: seeded.ms, runningClocks: seeded.runningClocks, idle, ...due, withBreaches };
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number): string => n.toFixed(2);
const count = (n: number): string => n.toLocaleString('en-GB');

function report(results: readonly CountResult[]): string {
  const [small, large] = [results[0]!, results[results.length - 1]!];
  const growth = (pick: (r: CountResult) => number[]) =>
    (median(pick(large)) / median(pick(small))).toFixed(2);
  const rows = results.flatMap((r) => [
    `| ${count(r.incidents)} | nothing due | ${r.idle.length} | - | ${fmt(median(r.idle))} | ${fmt(p95(r.idle))} | - |`,
    `| ${count(r.incidents)} | ${DUE_PER_CYCLE} clock checks due | ${r.due.length} | ` +
      `${median(r.dueProcessed)} (${r.dueProcessed[0]}-${r.dueProcessed.at(-1)}) | ${fmt(median(r.due))} | ` +
      `${fmt(p95(r.due))} | ${fmt(median(r.perEvent))} |`,
    `| ${count(r.incidents)} | nothing due, ${BREACH_RECORDS} breach records | ${r.withBreaches.length} | - | ` +
      `${fmt(median(r.withBreaches))} | ${fmt(p95(r.withBreaches))} | - |`,
  ]);
  const seeding = results.map(
    (r) =>
      `${count(r.incidents)} in ${(r.seedMs / 1000).toFixed(1)} s (${count(r.runningClocks)} clocks running; ` +
      `the due runs moved signal time by ${(r.dueSpanMs / 60_000).toFixed(0)} min)`,
  );
  return [
    '| open incidents (SQLite) | cycle | runs | clock events recorded, median (range) | median ms | p95 ms | ms per event, median |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Growth from ${count(small.incidents)} to ${count(large.incidents)} open incidents (ratio of medians): ` +
      `nothing due ${growth((r) => r.idle)}x, ${DUE_PER_CYCLE} due ${growth((r) => r.due)}x, ` +
      `per event ${growth((r) => r.perEvent)}x (1.00 = flat in the count; 10 = linear in all incidents).`,
    `With ${BREACH_RECORDS} breach records an idle cycle costs ` +
      `${fmt((median(small.withBreaches) - median(small.idle)) / BREACH_RECORDS)} ms more per record ` +
      `(${count(small.incidents)} incidents; close to 0: \`breach-deadlines\` reads only breach records due for a check).`,
    `Seeded ${seeding.join('; ')}.`,
  ].join('\n');
}

/** Runs the engine-at-scale benchmark; returns a markdown report. */
export async function runEngineScaleBench(): Promise<string> {
  const results: CountResult[] = [];
  for (const incidents of COUNTS) results.push(await measureCount(incidents));
  const cpus = os.cpus();
  return [
    report(results),
    '',
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}; ` +
      `${IDLE_RUNS} idle cycles after ${IDLE_WARMUPS} warm-ups, ${DUE_RUNS} due cycles after ${DUE_WARMUPS} ` +
      `warm-ups and ${BREACH_RUNS} cycles with breaches per count; run on ${new Date().toISOString().slice(0, 10)}.`,
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await runEngineScaleBench());
}
