/**
 * The engine: background work as named modules run in cycles (GoAlert's
 * shape). Any number of Vigil processes may run an engine on one database;
 * a lease row elects the one that acts, and every module claims its rows
 * with a compare-and-set, so even two engines that both believe they lead
 * never act twice on the same event.
 */
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import { createEngineLeaseDal } from './engine-lease-dal.ts';
import type {
  CycleReport,
  Engine,
  EngineModule,
  ModuleFailure,
  ModuleReport,
  ModuleRunResult,
} from './engine-types.ts';

/** The lease row's name: one engine leads per database. */
export const ENGINE_LEASE_NAME = 'engine';

/** What {@link createEngine} needs. */
export interface EngineOptions {
  db: Database;
  clock: Clock;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Unique per process, e.g. `<hostname>:<pid>:<random>`; names the lease holder. */
  holderId: string;
  /** Run in this order every cycle. */
  modules: readonly EngineModule[];
  /**
   * How long a lease lasts without renewal, in ms (default 20 s). If the
   * leader dies, another engine takes over within `leaseMs + intervalMs`.
   */
  leaseMs?: number;
  /** Pause between the end of one cycle and the start of the next, in ms (default 5 s). */
  intervalMs?: number;
  /**
   * Told of every finished cycle with its wall duration in seconds (measured
   * on the monotonic timer, not the injected clock, so a FakeClock still
   * reports real work); feeds the `/metrics` cycle histogram.
   */
  onCycle?: (report: CycleReport, seconds: number) => void;
}

type EngineLogger = EngineOptions['logger'];

/** This engine's side of the lease: takes or renews it, and remembers until when it holds it. */
function createLeaseKeeper(db: Database, logger: EngineLogger, holderId: string, leaseMs: number) {
  const dal = createEngineLeaseDal();
  let expiresAt: Date | null = null;
  const holdsAt = (now: Date): boolean => expiresAt !== null && now.getTime() < expiresAt.getTime();
  return {
    holdsAt,

    /** One conditional upsert; a failure (database down) leaves us not leading. */
    async take(now: Date): Promise<boolean> {
      const wasLeader = holdsAt(now);
      const until = new Date(now.getTime() + leaseMs);
      expiresAt = null;
      const held = await dal.acquire(db.kysely, {
        name: ENGINE_LEASE_NAME,
        holder: holderId,
        now,
        expiresAt: until,
      });
      if (held) expiresAt = until;
      if (held && !wasLeader)
        logger.info({ holderId, expiresAt: until }, 'engine: acquired the lease, leading');
      if (!held && wasLeader) logger.warn({ holderId }, 'engine: lost the lease to another engine');
      return held;
    },

    async release(): Promise<void> {
      expiresAt = null;
      try {
        await dal.release(db.kysely, ENGINE_LEASE_NAME, holderId);
      } catch (error) {
        // Not fatal: the lease simply expires and another engine waits it out.
        logger.warn({ err: error, holderId }, 'engine: could not release the lease');
      }
    },
  };
}

/** Runs one module, turning its failures into log lines and a report: one broken module must not starve the others. */
async function runModule(module: EngineModule, now: Date, logger: EngineLogger): Promise<ModuleReport> {
  try {
    const result = await module.runOnce(now);
    for (const failure of result.failures ?? []) {
      logger.error({ err: failure.error, module: module.name, key: failure.key }, 'engine: a row failed');
    }
    return { name: module.name, processed: result.processed, failed: result.failures?.length ?? 0 };
  } catch (error) {
    logger.error({ err: error, module: module.name }, 'engine: module failed');
    const message = error instanceof Error ? error.message : String(error);
    return { name: module.name, processed: 0, failed: 0, error: message };
  }
}

/**
 * Creates an engine. Nothing runs until `start()` (production) or
 * `runCycle()` (tests, with a FakeClock).
 *
 * @example
 * const engine = createEngine({ db: database, clock, logger, holderId, modules: [slaModule] });
 * engine.start();
 * // ... on shutdown, before closing the database:
 * await engine.stop();
 */
export function createEngine(options: EngineOptions): Engine {
  const { db, clock, logger, holderId, modules } = options;
  const leaseMs = options.leaseMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 5_000;
  // A lease shorter than the pause between renewals would lapse every cycle.
  if (leaseMs <= intervalMs)
    throw new Error(`engine leaseMs (${leaseMs}) must exceed intervalMs (${intervalMs})`);
  const lease = createLeaseKeeper(db, logger, holderId, leaseMs);
  let started = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Cycles run one after another: each call chains onto the previous one.
  let queue: Promise<unknown> = Promise.resolve();

  async function cycle(): Promise<CycleReport> {
    const at = clock.now();
    if (stopped || !(await lease.take(at))) return { at, leader: false, modules: [] };
    const reports: ModuleReport[] = [];
    for (const module of modules) {
      const now = clock.now();
      // A cycle that outlived its lease stops: another engine may lead by now.
      // Correctness does not depend on this (modules compare-and-set); it saves duplicate work.
      if (!lease.holdsAt(now)) break;
      reports.push(await runModule(module, now, logger));
    }
    return { at, leader: true, modules: reports };
  }

  async function measuredCycle(): Promise<CycleReport> {
    const started = performance.now();
    const report = await cycle();
    options.onCycle?.(report, (performance.now() - started) / 1000);
    return report;
  }

  function runCycle(): Promise<CycleReport> {
    const run = queue.then(measuredCycle);
    queue = run.catch(() => undefined);
    return run;
  }

  async function tick(): Promise<void> {
    timer = undefined;
    try {
      const report = await runCycle();
      if (report.modules.some((m) => m.processed > 0)) logger.debug({ report }, 'engine: cycle done');
    } catch (error) {
      // A database outage fails the cycle, not the process; the next cycle retries.
      logger.error({ err: error }, 'engine: cycle failed');
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  }

  return {
    runCycle,
    start() {
      if (started || stopped) return;
      started = true;
      timer = setTimeout(() => void tick(), 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await queue;
      await lease.release();
    },
    isLeader: () => lease.holdsAt(clock.now()),
  };
}

/** How a module drains its due rows; see {@link drainDue}. */
export interface DrainOptions<T> {
  /** Measures the time budget. */
  clock: Clock;
  /** Rows claimed per query (e.g. 100). */
  batchSize: number;
  /** Stop starting new rows once this many ms have passed (e.g. 2000), leaving the rest to the next cycle. */
  budgetMs: number;
  /** The due rows, earliest first, at most `limit`. */
  listDue(limit: number): Promise<readonly T[]>;
  /** Acts on one row in its own transaction; false when another engine or a request got there first. */
  act(row: T): Promise<boolean>;
  /** Names a row in failure reports. */
  keyOf(row: T): string;
}

/**
 * The loop every module shares: claim a batch of due rows, act on each,
 * and go on while batches come back full, until the time budget is spent.
 * A row that throws is reported and left due for the next cycle; a batch
 * with a failure or without any progress ends the run, so a poisoned row or
 * a stale listing can never spin the loop (a FakeClock never spends the budget).
 */
export async function drainDue<T>(options: DrainOptions<T>): Promise<ModuleRunResult> {
  const { clock, batchSize, budgetMs } = options;
  const deadline = clock.now().getTime() + budgetMs;
  const outOfTime = () => clock.now().getTime() >= deadline;
  const failures: ModuleFailure[] = [];
  let processed = 0;
  for (;;) {
    const rows = await options.listDue(batchSize);
    let progressed = 0;
    let failed = 0;
    for (const row of rows) {
      try {
        if (await options.act(row)) progressed += 1;
      } catch (error) {
        failed += 1;
        failures.push({ key: options.keyOf(row), error });
      }
      if (outOfTime()) break;
    }
    processed += progressed;
    if (rows.length < batchSize || failed > 0 || progressed === 0 || outOfTime()) break;
  }
  return failures.length > 0 ? { processed, failures } : { processed };
}
