/**
 * Vigil's Prometheus metrics: one registry per running Vigil (tests start
 * many in one process, and prom-client's global registry would mix them),
 * built by the composition root. Counters move where the work happens
 * (ingest receipts, firings applied, engine cycles); gauges that describe
 * the database (clock states, outbox backlog) are read at scrape time, so
 * every node reports the shared truth without keeping it in memory.
 * docs/operations.md says what each metric means.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CycleReport } from '../engine/engine-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { IngestReceipt } from '../signal/signal-ingest-service.ts';
import {
  createMetricsDal,
  type MetricsDal,
  type OutboxBacklog,
  RUNNING_CLOCK_STATES,
} from './metrics-dal.ts';

/** What the metrics read: the database (aggregates, pool use), the clock, and whether this node leads. */
export interface MetricsSources {
  database: Pick<Database, 'kysely' | 'poolUse'>;
  clock: Clock;
  /** Read at scrape time; the engine is built after the metrics. */
  isLeader(): boolean;
}

/** Engine cycles take milliseconds when idle and up to the modules' budgets (seconds) when busy. */
const CYCLE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Builds one Vigil's registry and the hooks that feed it. Only the
 * composition root calls it; domains never see the registry.
 *
 * @example
 * const metrics = createVigilMetrics({ database, clock, isLeader: () => engine.isLeader() });
 * createVigilEngine({ ..., onCycle: metrics.observeCycle });
 * registerMetricsRoutes(app, { metrics, identity });
 */
export function createVigilMetrics(sources: MetricsSources) {
  const registry = new Registry();
  // First: a scrape collects every metric at once, and the pool is read before its own queries queue.
  registerPoolGauges(registry, sources);
  collectDefaultMetrics({ register: registry });
  const ingest = ingestCounters(registry);
  const engine = engineMetrics(registry, sources);
  const dal = createMetricsDal();
  registerClockGauge(registry, sources, dal);
  registerOutboxGauges(registry, sources, dal);

  return {
    registry,

    /** Counts one 202 answer's signals and the incidents they opened or joined. */
    countReceipt(receipt: IngestReceipt): void {
      ingest.signals.inc({ source: receipt.source, outcome: 'stored' }, receipt.stored);
      ingest.signals.inc({ source: receipt.source, outcome: 'duplicate' }, receipt.duplicates);
      for (const incident of receipt.incidents)
        ingest.incidents.inc({ outcome: incident.opened ? 'opened' : 'joined' });
    },

    countIngestAnswer(route: string, statusCode: number): void {
      ingest.answers.inc({ route, code: String(statusCode) });
    },

    countFiring(ruleId: string): void {
      ingest.firings.inc({ rule: ruleId });
    },

    /** The engine's `onCycle`: a cycle that did not lead did no work worth timing. */
    observeCycle(report: CycleReport, seconds: number): void {
      if (!report.leader) return;
      engine.cycleDuration.observe(seconds);
      for (const module of report.modules) {
        if (module.processed > 0) engine.rows.inc({ module: module.name }, module.processed);
        const failed = module.failed + (module.error === undefined ? 0 : 1);
        if (failed > 0) engine.failures.inc({ module: module.name }, failed);
      }
    },
  };
}

function ingestCounters(registry: Registry) {
  const registers = [registry];
  return {
    signals: new Counter({
      name: 'vigil_signals_ingested_total',
      help: 'Signal records in 202 answers, by source; outcome stored (new) or duplicate (already stored)',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    incidents: new Counter({
      name: 'vigil_detection_incidents_total',
      help: 'Incidents that ingested signals opened or joined (once per body and incident)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    answers: new Counter({
      name: 'vigil_ingest_requests_total',
      help: 'Answers to ingestion requests, by route and HTTP status code',
      labelNames: ['route', 'code'] as const,
      registers,
    }),
    firings: new Counter({
      name: 'vigil_rule_firings_total',
      help: 'Detection rule firings this node applied to an incident, by rule id',
      labelNames: ['rule'] as const,
      registers,
    }),
  };
}

function engineMetrics(registry: Registry, sources: MetricsSources) {
  const registers = [registry];
  new Gauge({
    name: 'vigil_engine_leader',
    help: '1 while this node holds the engine lease, else 0',
    registers,
    collect() {
      this.set(sources.isLeader() ? 1 : 0);
    },
  });
  return {
    cycleDuration: new Histogram({
      name: 'vigil_engine_cycle_duration_seconds',
      help: 'Wall time of the engine cycles this node ran while leading',
      buckets: CYCLE_BUCKETS,
      registers,
    }),
    rows: new Counter({
      name: 'vigil_engine_rows_processed_total',
      help: 'Rows engine modules acted on (clocks escalated, messages delivered, ...), by module',
      labelNames: ['module'] as const,
      registers,
    }),
    failures: new Counter({
      name: 'vigil_engine_failures_total',
      help: 'Rows that failed, or module runs that threw, by module',
      labelNames: ['module'] as const,
      registers,
    }),
  };
}

function registerClockGauge(registry: Registry, sources: MetricsSources, dal: MetricsDal): void {
  new Gauge({
    name: 'vigil_sla_clocks',
    help: 'Running response clocks (unmet, not stopped) by state: pending, at_risk, breached',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await dal.runningClocks(sources.database.kysely, sources.clock.now());
      for (const state of RUNNING_CLOCK_STATES) this.set({ state }, counts[state]);
    },
  });
}

export type VigilMetrics = ReturnType<typeof createVigilMetrics>;

function registerOutboxGauges(registry: Registry, sources: MetricsSources, dal: MetricsDal): void {
  // One query feeds both gauges: a scrape starts every collect() in registration order without
  // waiting, so the depth gauge starts the query and the age gauge, started next, awaits the same one.
  let backlog: Promise<OutboxBacklog> | null = null;
  new Gauge({
    name: 'vigil_outbox_pending_messages',
    help: 'Messages in the outbox not yet delivered (including those waiting to retry)',
    registers: [registry],
    async collect() {
      backlog = dal.outboxBacklog(sources.database.kysely);
      this.set((await backlog).pending);
    },
  });
  new Gauge({
    name: 'vigil_outbox_oldest_pending_age_seconds',
    help: 'How long the oldest undelivered message has waited; 0 when none waits',
    registers: [registry],
    async collect() {
      const { oldestPendingAt } = await (backlog ?? dal.outboxBacklog(sources.database.kysely));
      backlog = null;
      const age = oldestPendingAt ? (sources.clock.now().getTime() - oldestPendingAt.getTime()) / 1000 : 0;
      this.set(Math.max(0, age));
    },
  });
}

function registerPoolGauges(registry: Registry, sources: MetricsSources): void {
  const use = () => sources.database.poolUse();
  new Gauge({
    name: 'vigil_db_pool_connections',
    help: 'Open database connections (PostgreSQL pool; SQLite: always 1)',
    registers: [registry],
    collect() {
      this.set(use().total);
    },
  });
  new Gauge({
    name: 'vigil_db_pool_idle_connections',
    help: 'Open database connections not running a query',
    registers: [registry],
    collect() {
      this.set(use().idle);
    },
  });
  new Gauge({
    name: 'vigil_db_pool_waiting_queries',
    help: 'Queries waiting for a free pooled connection (sustained > 0: the pool is too small)',
    registers: [registry],
    collect() {
      this.set(use().waiting);
    },
  });
}
