/**
 * Vigil's Alertmanager endpoint beside a real Prometheus Alertmanager (Debian's package) on the
 * same machine, fed the same alerts the same way.
 *
 * - Both servers run as child processes on 127.0.0.1, so each one's resident memory is its own:
 *   Alertmanager with a receiver that sends nothing and clustering off; `vigil serve` (the
 *   package's bin, the built-in policy, a fresh SQLite file, no SMTP), with an ingest token for
 *   the `alertmanager` source.
 * - Alert number n is the same for both: labels (a distinct `instance` and `bench_id` each, so
 *   both must store new state for every alert), annotations, `startsAt` and `generatorURL`.
 *   Alertmanager takes them through its own API, `POST /api/v2/alerts` (a JSON array, as
 *   Prometheus sends them); Vigil through `POST /api/v1/signals/alertmanager` in the webhook v4
 *   body Alertmanager itself would send, with `status`, `endsAt` and a `fingerprint` added.
 * - autocannon, the same connections, duration and alerts per request for both; runs alternate
 *   between the servers so both meet the same spells of this shared machine.
 *
 * Run alone with `npx tsx bench/alertmanager-bench.ts`, or import `runAlertmanagerBench` from
 * bench/run.ts. Without the Alertmanager binary it says so and measures nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path, { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { ALERTMANAGER_BIN, type ChildServer, startAlertmanager, startVigilServe } from './bench-servers.ts';

const ALERTS_PER_REQUEST = [1, 10] as const;
const CONNECTIONS = 50;
const SECONDS = 8;
const WARMUP_SECONDS = 2;
const ROUNDS = 2;
const ADMIN_TOKEN = 'vgl_bench-admin-token-0123456789abcdef';

type Side = 'alertmanager' | 'vigil';

/** Alert number `n`, as Prometheus would post it to Alertmanager. */
function postableAlert(n: number, startsAt: string) {
  return {
    labels: {
      alertname: 'NodeFilesystemAlmostFull',
      instance: `node-${n}.example.internal:9100`,
      job: 'node',
      service: `svc-${n % 50}`,
      severity: 'warning',
      bench_id: String(n),
    },
    annotations: {
      summary: `Filesystem on node-${n} has less than 10% space left`,
      description: `/var on node-${n}.example.internal is 91.3% full and filling.`,
      runbook_url: 'https://runbooks.example.com/node/filesystem-almost-full',
    },
    startsAt,
    generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=node_filesystem_avail_bytes+%3C+0.1',
  };
}

/** The same alerts in the webhook v4 body Alertmanager sends to its receivers. */
function webhookBody(alerts: ReturnType<typeof postableAlert>[]): string {
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="NodeFilesystemAlmostFull"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'vigil',
    groupLabels: { alertname: 'NodeFilesystemAlmostFull' },
    commonLabels: { alertname: 'NodeFilesystemAlmostFull', job: 'node', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: alerts.map((alert) => ({
      ...alert,
      status: 'firing',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: Number(alert.labels.bench_id).toString(16).padStart(16, '0'),
    })),
  });
}

interface Target {
  side: Side;
  server: ChildServer;
  url: string;
  headers: Record<string, string>;
  /** Alerts numbered from here on are new to this server. */
  next: number;
  /** Alerts in answers with a 2xx status so far, warm-ups included. */
  accepted: number;
  body(alerts: ReturnType<typeof postableAlert>[]): string;
  /** Alerts the server holds (its own count). */
  stored(): Promise<number>;
}

interface Run {
  alertsPerSecond: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** One autocannon run of `seconds` against `target`, `perRequest` fresh alerts per request. */
async function load(target: Target, perRequest: number, seconds: number, startsAt: string): Promise<Run> {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', ...target.headers },
    requests: [
      {
        setupRequest: (req) => {
          const alerts = Array.from({ length: perRequest }, () => postableAlert(target.next++, startsAt));
          return { ...req, body: target.body(alerts) };
        },
      },
    ],
  });
  const accepted = result['2xx'] * perRequest;
  target.accepted += accepted;
  return {
    alertsPerSecond: accepted / (result.duration || seconds),
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The alerts Alertmanager holds, in every state (the `alertmanager_alerts` gauge of its `/metrics`). */
async function alertmanagerHeld(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('alertmanager_alerts{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function alertmanagerTarget(dir: string): Promise<Target> {
  const server = await startAlertmanager(dir);
  return {
    side: 'alertmanager',
    server,
    url: `${server.url}/api/v2/alerts`,
    headers: {},
    next: 0,
    accepted: 0,
    body: (alerts) => JSON.stringify(alerts),
    stored: () => alertmanagerHeld(server.url),
  };
}

async function vigilTarget(dir: string): Promise<Target> {
  const server = await startVigilServe(dir, ADMIN_TOKEN);
  const created = await fetch(`${server.url}/api/v1/ingest-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench alertmanager', source: 'alertmanager' }),
  });
  if (created.status !== 201) throw new Error(`ingest token: ${created.status} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  const db = path.join(dir, 'vigil.db');
  return {
    side: 'vigil',
    server,
    url: `${server.url}/api/v1/signals/alertmanager`,
    headers: { authorization: `Bearer ${token}` },
    next: 0,
    accepted: 0,
    body: webhookBody,
    // Read beside the running server (WAL lets a reader in): the signals it committed.
    stored: async () => {
      const sqlite = new Database(db, { readonly: true });
      try {
        return (
          sqlite.prepare("select count(*) as n from signals where source = 'alertmanager'").get() as {
            n: number;
          }
        ).n;
      } finally {
        sqlite.close();
      }
    },
  };
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (n: number): string => n.toFixed(1);
const count = (n: number): string => Math.round(n).toLocaleString('en-GB');

interface SizeResult {
  perRequest: number;
  runs: Record<Side, Run[]>;
}

async function measureSize(
  targets: readonly Target[],
  perRequest: number,
  startsAt: string,
): Promise<SizeResult> {
  for (const target of targets) await load(target, perRequest, WARMUP_SECONDS, startsAt);
  const runs: Record<Side, Run[]> = { alertmanager: [], vigil: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) runs[target.side].push(await load(target, perRequest, SECONDS, startsAt));
  }
  return { perRequest, runs };
}

function throughputTable(results: readonly SizeResult[]): string[] {
  const rows = results.flatMap(({ perRequest, runs }) => {
    const am = median(runs.alertmanager.map((r) => r.alertsPerSecond));
    const vigil = median(runs.vigil.map((r) => r.alertsPerSecond));
    const line = (label: string, side: Side, rate: number, ratio: string) =>
      `| ${perRequest} | ${label} | ${count(rate)} | ${median(runs[side].map((r) => r.p99))} | ${ratio} | ` +
      `${runs[side].reduce((n, r) => n + r.non2xx + r.errors, 0)} |`;
    return [
      line('Alertmanager `POST /api/v2/alerts`', 'alertmanager', am, '1.00'),
      line('Vigil `POST /api/v1/signals/alertmanager`', 'vigil', vigil, (vigil / am).toFixed(2)),
    ];
  });
  return [
    '| alerts per request | server | alerts accepted/s | p99 ms | ratio to Alertmanager | non-2xx or errors |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
}

interface Memory {
  idle: number;
  loaded: number;
  peak: number;
  stored: number;
  sent: number;
}

function memoryTable(memory: Record<Side, Memory>, vigilDiskMiB: number): string[] {
  const row = (label: string, m: Memory, extra: string) =>
    `| ${label} | ${mib(m.idle)} | ${mib(m.loaded)} | ${mib(m.peak)} | ${count(m.stored)} of ${count(m.sent)} | ` +
    `${mib(((m.loaded - m.idle) / m.stored) * 100_000)} | ${extra} |`;
  return [
    '| server | RSS idle MiB | RSS after the load MiB | peak RSS MiB | alerts held (its own count) of accepted | RSS growth per 100,000 alerts held, MiB | where they are kept |',
    '|---|---|---|---|---|---|---|',
    row('Alertmanager 0.25 (Go)', memory.alertmanager, 'memory only'),
    row(
      'Vigil (`vigil serve`, Node)',
      memory.vigil,
      `SQLite, ${mib(vigilDiskMiB)} MiB on disk (database and WAL)`,
    ),
  ];
}

const DURABILITY = [
  'Durability differs, and the comparison favours Alertmanager: it keeps alerts in memory only (its',
  '`--storage.path` snapshots silences and the notification log, not alerts), so after a restart it',
  'knows an alert again only when Prometheus re-sends it. Vigil answers 202 only after the signals',
  'are committed to SQLite (WAL, `synchronous = NORMAL`: a commit survives a crash of the process,',
  'the last ones may be lost on a power failure) together with the raw alert as received.',
];

function diskMiB(dir: string): number {
  return (
    fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('vigil.db'))
      .reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0) /
    2 ** 20
  );
}

/** Runs the side-by-side bench; returns a markdown report (or why it could not run). */
export async function runAlertmanagerBench(): Promise<string> {
  try {
    fs.accessSync(ALERTMANAGER_BIN, fs.constants.X_OK);
  } catch {
    return `Skipped: ${ALERTMANAGER_BIN} is not installed (apt-get install prometheus-alertmanager).`;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-am-bench-'));
  const targets: Target[] = [];
  try {
    targets.push(await alertmanagerTarget(dir), await vigilTarget(dir));
    const idle = Object.fromEntries(targets.map((t) => [t.side, t.server.rssMiB()])) as Record<Side, number>;
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const results: SizeResult[] = [];
    for (const perRequest of ALERTS_PER_REQUEST)
      results.push(await measureSize(targets, perRequest, startsAt));
    const memory = {} as Record<Side, Memory>;
    for (const t of targets) {
      memory[t.side] = {
        idle: idle[t.side],
        loaded: t.server.rssMiB(),
        peak: t.server.peakRssMiB(),
        stored: await t.stored(),
        sent: t.accepted,
      };
    }
    const cpus = os.cpus();
    return [
      `autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run after a ${WARMUP_SECONDS} s warm-up, ${ROUNDS} runs per server alternating (median); every alert new to the server it is sent to:`,
      '',
      ...throughputTable(results),
      '',
      'Memory of each server process (`VmRSS` and `VmHWM` of /proc/PID/status), idle after start and after all the runs above. Each holds every alert it accepted, warm-ups included, and a few more: requests cut off at the end of a run were still stored:',
      '',
      ...memoryTable(memory, diskMiB(dir)),
      '',
      ...DURABILITY,
      '',
      `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores shared by both servers and the load generator, Node ${process.version}; run on ${new Date().toISOString().slice(0, 10)}.`,
    ].join('\n');
  } finally {
    for (const t of targets) await t.server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await runAlertmanagerBench());
}
