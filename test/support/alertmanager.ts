import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';

/**
 * A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`, 0.25)
 * for integration tests: one webhook receiver, short group timers, no
 * cluster. `VIGIL_ALERTMANAGER_BIN` points at another binary (or at a
 * missing one, to see the suite skip).
 */
export const ALERTMANAGER_BIN = process.env.VIGIL_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** Why the binary cannot run, or null when it can. */
function missingReason(): string | null {
  try {
    fs.accessSync(ALERTMANAGER_BIN, fs.constants.X_OK);
    return null;
  } catch {
    return `${ALERTMANAGER_BIN} is not installed (apt-get install prometheus-alertmanager)`;
  }
}

/**
 * Declares a suite that needs Alertmanager. Without the binary it is
 * skipped, with the reason printed and in its name; on CI (CI=true) a
 * missing binary fails the file instead, as a missing PostgreSQL does.
 */
export function describeWithAlertmanager(name: string, suite: () => void): void {
  const reason = missingReason();
  if (reason && process.env.CI === 'true') {
    throw new Error(`CI=true but ${reason}: the Alertmanager suite must run on CI (.ci/run installs it)`);
  }
  if (reason) console.warn(`\n[vigil] Alertmanager suite is SKIPPED: ${reason}.\n`);
  describe.skipIf(reason !== null)(reason ? `${name} (skipped: ${reason})` : name, suite);
}

/** Where the webhook receiver sends, and how it authenticates. */
export interface WebhookTarget {
  /** e.g. `http://127.0.0.1:4123/api/v1/signals/alertmanager` */
  url: string;
  /** Sent as `Authorization: Bearer <token>` through `http_config.authorization`. */
  bearerToken: string;
}

/**
 * The configuration the tests run with: every alert goes, grouped by
 * alertname and service, to one webhook that also hears resolutions. The
 * timers are seconds instead of the usual minutes and hours, so a repeat
 * (after `repeat_interval`) and a resolution (at the next `group_interval`)
 * arrive within a test's patience.
 */
export function alertmanagerConfig(target: WebhookTarget): string {
  return [
    'route:',
    '  receiver: vigil',
    '  group_by: [alertname, service]',
    '  group_wait: 1s',
    '  group_interval: 1s',
    '  repeat_interval: 2s',
    'receivers:',
    '  - name: vigil',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(target.url)}`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    '            type: Bearer',
    `            credentials: ${JSON.stringify(target.bearerToken)}`,
    '',
  ].join('\n');
}

/** An alert as Alertmanager's v2 API takes it (`POST /api/v2/alerts`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  /** In the past: the alert is resolved. */
  endsAt?: string;
  generatorURL?: string;
}

/** Webhook deliveries as Alertmanager counts them (its `/metrics`). */
export interface WebhookCounts {
  attempted: number;
  failed: number;
}

export interface RunningAlertmanager {
  url: string;
  config: string;
  /** Pushes alerts as Prometheus would; Alertmanager groups and delivers them on its own timers. */
  pushAlerts(alerts: PostableAlert[]): Promise<void>;
  webhookCounts(): Promise<WebhookCounts>;
  /** Everything it logged so far (its logs go to stderr). */
  logs(): string;
  /** SIGTERM, wait for the exit, remove its configuration and storage. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Polls `/-/ready` every 100 ms until it answers 200, the process exits, or `timeoutMs` passes. */
async function waitUntilReady(
  url: string,
  child: ChildProcess,
  logs: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited with ${child.exitCode}:\n${logs()}`);
    const ready = await fetch(`${url}/-/ready`).catch(() => null);
    if (ready?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Alertmanager was not ready within ${timeoutMs} ms:\n${logs()}`);
}

/** Sums a counter's series whose labels include `integration="webhook"`. */
function webhookCounter(metrics: string, name: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes('integration="webhook"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/**
 * Starts Alertmanager on a free port of 127.0.0.1 with `alertmanagerConfig(target)`,
 * its storage in a temporary folder, clustering off, and waits until it is ready.
 */
export async function startAlertmanager(target: WebhookTarget): Promise<RunningAlertmanager> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-alertmanager-'));
  const config = alertmanagerConfig(target);
  const configFile = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns high availability off: no gossip port, no waiting for peers.
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = exitOf(child);

  async function stop(): Promise<void> {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }

  try {
    await waitUntilReady(url, child, () => output, 15_000);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    config,
    async pushAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    async webhookCounts() {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      return {
        attempted: webhookCounter(metrics, 'alertmanager_notifications_total'),
        failed: webhookCounter(metrics, 'alertmanager_notifications_failed_total'),
      };
    },
    logs: () => output,
    stop,
  };
}
