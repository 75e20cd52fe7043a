/**
 * Incidents at scale: a real Vigil (the composition root, the built-in policy, a fresh SQLite
 * file) holding 10,000 open incidents and their response clocks, measured on the two paths the
 * scale issue names:
 *
 * - one engine cycle when no clock is due (the lease renewal and the SLA module's `listDue`);
 * - the first page of breached incidents through the HTTP API (`GET
 *   /api/v1/incidents?breached=true&limit=50`, so routing, authentication, validation and
 *   serialisation are included), with the service call alone and the unfiltered first page for
 *   context.
 *
 * The incidents are seeded in a few large transactions through the real DALs, with the clocks
 * the policy starts, met or left running as a response would have left them, and at-risk and
 * breach events recorded as the engine would have recorded them, so nothing is due at the
 * measured instant.
 *
 * Run alone with `npx tsx bench/incident-scale-bench.ts`, or import `runIncidentScaleBench`
 * from bench/run.ts.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path, { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { VIGIL_VERSION } from '../src/app/version.ts';
import { createVigil, type Vigil } from '../src/app/vigil.ts';
import { formatActor } from '../src/audit/audit-chain.ts';
import type { IncidentChanges } from '../src/incident/incident-dal.ts';
import type { Incident } from '../src/incident/incident-types.ts';
import { FakeClock } from '../src/platform/clock.ts';
import { toDbInstant } from '../src/platform/db/instant-codec.ts';
import {
  clockState,
  meetClock,
  nextCheckAt,
  type SlaClock,
  startClock,
  startIncidentClocks,
  stopClock,
} from '../src/sla/sla-clock.ts';
import { nextClockEvent } from '../src/sla/sla-escalation.ts';
import { type SlaTargetName, severitySla } from '../src/sla/sla-targets.ts';
import { seededRandom } from '../test/support/seeded-random.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The measured instant: a Friday morning, inside the policy's business hours (London). */
export const NOW = Date.parse('2026-11-27T10:00:00Z');
const INCIDENT_COUNT = 10_000;
const SPREAD_MS = 90 * DAY;
/** Incidents per seeding transaction. */
const SEED_BATCH = 1_000;
const SEVERITY_MIX: readonly [string, number][] = [
  ['critical', 0.05],
  ['high', 0.2],
  ['medium', 0.45],
  ['low', 0.3],
];
/** Share of incidents planned with a breached clock (a few young ones cannot be breached yet). */
const BREACHED_SHARE = 0.04;
const PAGE = 50;
export const ADMIN_TOKEN = 'vgl_bench-admin-token-0123456789abcdef';

const CYCLE_WARMUPS = 20;
const CYCLE_RUNS = 200;
const LIST_WARMUPS = 50;
const LIST_RUNS = 500;

/** Targets of the scale issue, judged on the p95. */
const TARGET_CYCLE_MS = 50;
const TARGET_BREACHED_PAGE_MS = 20;

function pickWeighted<T>(random: () => number, choices: readonly [T, number][]): T {
  let r = random() * choices.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [choice, weight] of choices) {
    r -= weight;
    if (r < 0) return choice;
  }
  return choices[choices.length - 1]![0];
}

/** The clock as the engine would have left it at `now`: every at-risk and breach event already recorded. */
function asEngineLeftIt(clock: SlaClock, now: number): SlaClock {
  let current = clock;
  for (let at = nextCheckAt(current); at && at.getTime() <= now; at = nextCheckAt(current)) {
    current = nextClockEvent(current, at).next;
  }
  return current;
}

type Stage = 'acknowledge' | 'triage' | 'containment';
/**
 * The clock this incident breaches: a stage unmet past its due time (`late: false`) or met late,
 * or an earlier customer-update period missed (the running period counts one breach).
 */
type Breach = { clock: SlaTargetName; late: boolean } | null;

/**
 * Meets the acknowledge, triage and containment clocks in turn, each at a random instant well
 * before its due time, until one would be met after `NOW` (the response is still under way).
 * The breached stage is left unmet (the response stalled there) or met late.
 */
function respond(clocks: readonly SlaClock[], random: () => number, breach: Breach): SlaClock[] {
  let after = clocks[0]!.startedAt.getTime();
  let stalled = false;
  return clocks.map((clock) => {
    if (clock.name === 'customerUpdate' || stalled) return clock;
    const due = clock.dueAt.getTime();
    let metAt = after + random() * 0.8 * Math.max(0, due - after);
    if (breach?.clock === clock.name) {
      if (!breach.late) {
        stalled = true;
        return clock;
      }
      metAt = Math.max(after, due + MINUTE + random() * Math.min(NOW - due, 4 * HOUR));
    }
    if (metAt > NOW) {
      stalled = true;
      return clock;
    }
    after = metAt;
    return meetClock(clock, new Date(metAt));
  });
}

/** A breach for about BREACHED_SHARE of incidents, on a clock that fell due over an hour ago. */
function chooseBreach(clocks: readonly SlaClock[], random: () => number): Breach {
  if (random() >= BREACHED_SHARE) return null;
  const eligible = clocks.filter((c) => c.dueAt.getTime() <= NOW - HOUR);
  if (eligible.length === 0) return null;
  const wanted = pickWeighted<SlaTargetName>(random, [
    ['acknowledge', 0.2],
    ['triage', 0.2],
    ['containment', 0.4],
    ['customerUpdate', 0.2],
  ]);
  return { clock: (eligible.find((c) => c.name === wanted) ?? eligible[0]!).name, late: random() < 0.3 };
}

interface SeedContext {
  vigil: Vigil;
  adminId: string;
  adminEmail: string;
  ownerId: string;
  categoryIds: readonly string[];
}

interface SeedPlan {
  incident: Omit<Incident, 'reference'>;
  changes: IncidentChanges;
  clocks: SlaClock[];
}

const metAt = (clocks: readonly SlaClock[], name: Stage): number | null =>
  clocks.find((c) => c.name === name)?.metAt?.getTime() ?? null;

/** Phase from the clocks met; once contained, one of the later open phases. */
function phaseOf(clocks: readonly SlaClock[], random: () => number): string {
  if (metAt(clocks, 'containment') !== null) {
    return pickWeighted(random, [
      ['eradicate', 0.3],
      ['recover', 0.3],
      ['review', 0.4],
    ]);
  }
  return metAt(clocks, 'triage') !== null ? 'contain' : 'identify';
}

/** What shapes an incident's customer-update clock. */
interface CadenceInput {
  clock: SlaClock;
  severity: string;
  phase: string;
  containedAt: number | null;
  breach: Breach;
}

/**
 * The customer-update clock of an open incident: the period running since the last update, at
 * most three hours ago (shorter than every cadence, so it is not breached), counting one missed
 * period when the incident breaches its cadence; stopped when the incident reached review, where
 * the cadence ends.
 */
function customerUpdateClock(ctx: SeedContext, input: CadenceInput, random: () => number): SlaClock {
  const { policy, calendar } = ctx.vigil.incidentDeps.policy;
  const { clock, containedAt } = input;
  const cadence = severitySla(policy, input.severity).customerUpdate;
  const opened = clock.startedAt.getTime();
  const reviewAt =
    input.phase === 'review' && containedAt !== null ? containedAt + random() * (NOW - containedAt) : null;
  const lastUpdate = Math.max(opened, (reviewAt ?? NOW) - random() * 3 * HOUR);
  const every = cadence && { within: cadence.every, clock: cadence.clock };
  const period =
    !every || lastUpdate === opened
      ? clock
      : startClock('customerUpdate', every, new Date(lastUpdate), calendar, policy.slaRules.atRiskFraction);
  const counted = input.breach?.clock === 'customerUpdate' ? { ...period, breaches: 1 } : period;
  return reviewAt === null ? counted : stopClock(counted, new Date(reviewAt));
}

function planIncident(ctx: SeedContext, random: () => number, n: number): SeedPlan {
  const { policy, calendar, version } = ctx.vigil.incidentDeps.policy;
  const openedAt = NOW - Math.floor(random() * SPREAD_MS);
  const severity = pickWeighted(random, SEVERITY_MIX);
  const started = startIncidentClocks(policy, calendar, severity, new Date(openedAt));
  const breach = chooseBreach(started, random);
  const responded = respond(started, random, breach);
  const phase = phaseOf(responded, random);
  const containedAt = metAt(responded, 'containment');
  const clocks = responded
    .map((clock) =>
      clock.name === 'customerUpdate'
        ? customerUpdateClock(ctx, { clock, severity, phase, containedAt, breach }, random)
        : clock,
    )
    .map((clock) => asEngineLeftIt(clock, NOW));
  const acknowledgedAt = metAt(clocks, 'acknowledge');
  const triagedAt = metAt(clocks, 'triage');
  const declaredAt = Math.min(NOW, openedAt + Math.floor(random() * 10 * MINUTE));
  const updatedAt = Math.max(declaredAt, ...clocks.map((c) => c.metAt?.getTime() ?? 0));
  const incident: Omit<Incident, 'reference'> = {
    id: randomUUID(),
    title: `Suspicious activity on service account svc-${n % 997}`,
    description: `Seeded incident ${n} for the scale benchmark.`,
    severity,
    highestSeverity: severity,
    phase,
    category: triagedAt === null ? null : ctx.categoryIds[n % ctx.categoryIds.length]!,
    openedAt: new Date(openedAt),
    declaredAt: new Date(declaredAt),
    declaredBy: { userId: ctx.adminId, email: ctx.adminEmail },
    outOfHours: !calendar.isBusinessTime(new Date(openedAt)),
    exerciseId: null,
    evidencePurgedAt: null,
    policyVersion: version,
    updatedAt: new Date(updatedAt),
    ownerId: ctx.ownerId,
    acknowledgedAt: null,
    acknowledgedBy: null,
    triage: null,
    triageStartedAt: null,
    duplicateOf: null,
    closedAt: null,
  };
  const changes: IncidentChanges = {
    ...(acknowledgedAt === null
      ? {}
      : { acknowledged_at: toDbInstant(new Date(acknowledgedAt)), acknowledged_by: ctx.ownerId }),
    ...(triagedAt === null
      ? {}
      : {
          triage_decision: 'confirmed',
          triage_reason: 'Confirmed from the alert evidence',
          triage_decided_at: toDbInstant(new Date(triagedAt)),
          triage_started_at: toDbInstant(new Date(triagedAt)),
        }),
  };
  return { incident, changes, clocks };
}

/** Writes the plans through the real DALs, SEED_BATCH incidents per transaction. */
async function insertPlans(ctx: SeedContext, plans: readonly SeedPlan[]): Promise<void> {
  const { db, dal, details, slaDal } = ctx.vigil.incidentDeps;
  const by = formatActor({ type: 'user', userId: ctx.adminId, email: ctx.adminEmail });
  for (let start = 0; start < plans.length; start += SEED_BATCH) {
    await db.transaction().execute(async (trx) => {
      for (const { incident, changes, clocks } of plans.slice(start, start + SEED_BATCH)) {
        const seq = await dal.insert(trx, incident);
        await dal.setReference(trx, incident.id, `INC-${seq}`);
        if (Object.keys(changes).length > 0) await dal.update(trx, incident.id, changes);
        await details.addRole(trx, {
          incidentId: incident.id,
          role: 'owner',
          userId: ctx.ownerId,
          at: incident.declaredAt,
          by,
        });
        await slaDal.insert(trx, incident.id, clocks);
      }
    });
  }
}

const isBreached = (clocks: readonly SlaClock[]): boolean =>
  clocks.some((c) => c.breaches > 0 || clockState(c, new Date(NOW)) === 'breached');

interface SeedSummary {
  ms: number;
  breached: number;
  runningClocks: number;
  clocks: number;
}

/** Seeds `count` open incidents (bench/console-bench.ts seeds fewer); Vigil's clock must be at NOW. */
export async function seed(vigil: Vigil, count = INCIDENT_COUNT): Promise<SeedSummary> {
  const began = performance.now();
  const principal = await vigil.identity.authenticate(ADMIN_TOKEN);
  const { policy } = vigil.incidentDeps.policy;
  const owner = await vigil.incidentDeps.people.findByEmail(
    vigil.incidentDeps.db,
    policy.command.primaryOwner.email.toLowerCase(),
  );
  if (!owner) throw new Error('the primary owner of the built-in policy is not a user');
  const ctx: SeedContext = {
    vigil,
    adminId: principal.user.id,
    adminEmail: principal.user.email,
    ownerId: owner.userId,
    categoryIds: vigil.incidentDeps.policy.categoryIds,
  };
  const random = seededRandom(20261127);
  const plans = Array.from({ length: count }, (_, n) => planIncident(ctx, random, n + 1));
  await insertPlans(ctx, plans);
  const clocks = plans.flatMap((p) => p.clocks);
  return {
    ms: performance.now() - began,
    breached: plans.filter((p) => isBreached(p.clocks)).length,
    runningClocks: clocks.filter((c) => nextCheckAt(c) !== null).length,
    clocks: clocks.length,
  };
}

interface Timing {
  label: string;
  runs: number;
  /** Sorted ascending, ms. */
  samples: number[];
  targetMs?: number;
}

interface Measured {
  label: string;
  call: () => Promise<unknown>;
  targetMs?: number;
}

/**
 * Times each call `runs` times after `warmups` untimed rounds. The calls take turns, one of each
 * per round, so that all of them meet the same slow and fast spells of this shared machine.
 */
async function time(measured: readonly Measured[], warmups: number, runs: number): Promise<Timing[]> {
  for (let i = 0; i < warmups; i++) for (const m of measured) await m.call();
  const samples = measured.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [k, m] of measured.entries()) {
      const began = performance.now();
      await m.call();
      samples[k]!.push(performance.now() - began);
    }
  }
  return measured.map((m, k) => ({
    label: m.label,
    runs,
    samples: samples[k]!.sort((a, b) => a - b),
    ...(m.targetMs === undefined ? {} : { targetMs: m.targetMs }),
  }));
}

const median = (sorted: readonly number[]): number => sorted[Math.floor(sorted.length / 2)]!;
const p95 = (sorted: readonly number[]): number => sorted[Math.ceil(sorted.length * 0.95) - 1]!;
const ms = (n: number): string => n.toFixed(2);

/** One engine cycle; throws unless it led and processed nothing, so only the "nothing due" path is timed. */
async function idleCycle(vigil: Vigil): Promise<void> {
  const report = await vigil.engine.runCycle();
  const busy = report.modules.some((m) => m.processed > 0 || m.failed > 0 || m.error !== undefined);
  if (!report.leader || report.modules.length === 0 || busy) {
    throw new Error(`the engine cycle was not idle: ${JSON.stringify(report)}`);
  }
}

interface Summary {
  sla: Record<string, { state: string; breaches: number } | null>;
}

/**
 * One GET through the HTTP stack, as timed: the server's work up to the last byte of the
 * answer. Parsing the answer is the client's work, so the timed call does not parse it.
 */
async function get(vigil: Vigil, url: string): Promise<string> {
  const response = await vigil.http.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${response.body}`);
  return response.body;
}

/** The same GET, with the answer parsed for checking (untimed). */
async function getJson(vigil: Vigil, url: string): Promise<{ items: Summary[] }> {
  return JSON.parse(await get(vigil, url));
}

/** Throws unless the breached page is full and every item shows a breached clock. */
function checkBreachedPage(page: { items: Summary[] }): void {
  if (page.items.length !== PAGE) throw new Error(`the breached page has ${page.items.length} items`);
  for (const item of page.items) {
    const clocks = Object.values(item.sla).filter((c) => c !== null);
    if (!clocks.some((c) => c.state === 'breached' || c.breaches > 0)) {
      throw new Error(`an item of the breached page has no breached clock: ${JSON.stringify(item.sla)}`);
    }
  }
}

async function measure(vigil: Vigil): Promise<Timing[]> {
  const breachedUrl = `/api/v1/incidents?breached=true&limit=${PAGE}`;
  const firstUrl = `/api/v1/incidents?limit=${PAGE}`;
  checkBreachedPage(await getJson(vigil, breachedUrl));
  const { db, slaDal } = vigil.incidentDeps;
  if ((await slaDal.listDue(db, new Date(NOW), 1)).length > 0) throw new Error('a clock is due at NOW');
  const cycle = await time(
    [{ label: 'engine cycle, nothing due', call: () => idleCycle(vigil), targetMs: TARGET_CYCLE_MS }],
    CYCLE_WARMUPS,
    CYCLE_RUNS,
  );
  const lists = await time(
    [
      { label: `GET ${breachedUrl}`, call: () => get(vigil, breachedUrl), targetMs: TARGET_BREACHED_PAGE_MS },
      {
        label: 'incidents.list, breached (service only)',
        call: () => vigil.incidents.list({ limit: PAGE, filter: { breached: true } }),
      },
      { label: `GET ${firstUrl} (unfiltered)`, call: () => get(vigil, firstUrl) },
      {
        label: 'incidents.list, unfiltered (service only)',
        call: () => vigil.incidents.list({ limit: PAGE }),
      },
    ],
    LIST_WARMUPS,
    LIST_RUNS,
  );
  checkBreachedPage(await getJson(vigil, breachedUrl));
  return [...cycle, ...lists];
}

const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

function report(timings: readonly Timing[], seeded: SeedSummary): string[] {
  const rows = timings.map(
    (t) =>
      `| ${t.label} | ${t.runs} | ${ms(median(t.samples))} | ${ms(p95(t.samples))} | ` +
      `${ms(t.samples[t.samples.length - 1]!)} | ${t.targetMs === undefined ? '-' : `< ${t.targetMs}`} |`,
  );
  const verdicts = timings
    .filter((t) => t.targetMs !== undefined)
    .map(
      (t) =>
        `- ${verdict(p95(t.samples) < t.targetMs!)}: ${t.label} under ${t.targetMs} ms (p95): ` +
        `${ms(p95(t.samples))} ms.`,
    );
  return [
    `| call (${INCIDENT_COUNT.toLocaleString('en-GB')} open incidents, SQLite) | runs | median ms | p95 ms | max ms | target, p95 ms |`,
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    ...verdicts,
    '',
    `Seeded ${INCIDENT_COUNT.toLocaleString('en-GB')} open incidents and ${seeded.clocks.toLocaleString('en-GB')} ` +
      `clocks in ${(seeded.ms / 1000).toFixed(1)} s (${INCIDENT_COUNT / SEED_BATCH} transactions); ` +
      `${seeded.breached} incidents (${((100 * seeded.breached) / INCIDENT_COUNT).toFixed(1)}%) have a breached clock; ` +
      `${seeded.runningClocks.toLocaleString('en-GB')} clocks still running, none due at ${new Date(NOW).toISOString()}.`,
  ];
}

/** Runs the incidents-at-scale benchmark and returns a markdown report (table, verdicts, seeding and machine lines). */
export async function runIncidentScaleBench(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-scale-bench-'));
  const vigil = await createVigil({
    databaseUrl: `sqlite:${path.join(dir, 'vigil.db')}`,
    policyPath: undefined,
    clock: new FakeClock(new Date(NOW)),
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    version: VIGIL_VERSION,
  });
  try {
    await vigil.identity.bootstrapAdmin({ email: 'admin@localhost', presetToken: ADMIN_TOKEN });
    const seeded = await seed(vigil);
    const timings = await measure(vigil);
    const cpus = os.cpus();
    return [
      ...report(timings, seeded),
      '',
      `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}; ` +
        `${CYCLE_RUNS} cycles after ${CYCLE_WARMUPS} warm-ups, ${LIST_RUNS} list calls after ${LIST_WARMUPS} ` +
        `warm-ups each; run on ${new Date().toISOString().slice(0, 10)}.`,
    ].join('\n');
  } finally {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await runIncidentScaleBench());
}
