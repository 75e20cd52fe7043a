/**
 * Servers the side-by-side benches start as child processes, so that each one's memory is its
 * own (read from /proc, not guessed from the bench process that also runs the load generator):
 * a real Prometheus Alertmanager with a receiver that sends nothing, and a real `vigil serve` on
 * a fresh SQLite file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const ALERTMANAGER_BIN = process.env.VIGIL_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const VIGIL_BIN = path.resolve(import.meta.dirname, '../bin/vigil.js');

export interface ChildServer {
  url: string;
  pid: number;
  /** Resident memory now (`VmRSS`), MiB. */
  rssMiB(): number;
  /** The most resident memory so far (`VmHWM`), MiB. */
  peakRssMiB(): number;
  /** Everything it printed so far. */
  logs(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** A field of /proc/PID/status in kB, as MiB (Linux only, as our machines are). */
function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
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

/** Wraps a started child: collects its output and knows how to stop it. */
function childServer(child: ChildProcess, url: string, output: () => string): ChildServer {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const pid = child.pid!;
  return {
    url,
    pid,
    rssMiB: () => statusMiB(pid, 'VmRSS'),
    peakRssMiB: () => statusMiB(pid, 'VmHWM'),
    logs: output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

function collectOutput(child: ChildProcess): () => string {
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return () => output;
}

/**
 * Alertmanager's configuration for the bench: every alert routed to a receiver with no
 * integrations, so it stores, groups and runs its notification pipeline but sends nothing
 * (Vigil, in turn, delivers nothing either: it has no SMTP server configured).
 */
const BLACKHOLE_CONFIG = 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n';

/** Starts Alertmanager on a free port of 127.0.0.1, clustering off, storage under `dir`; waits until ready. */
export async function startAlertmanager(dir: string): Promise<ChildServer> {
  const configFile = path.join(dir, 'alertmanager.yml');
  fs.writeFileSync(configFile, BLACKHOLE_CONFIG);
  const port = await freePort();
  const child = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'alertmanager-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // An empty address turns high availability off: no gossip port, no waiting for peers.
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = collectOutput(child);
  const server = childServer(child, `http://127.0.0.1:${port}`, output);
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited with ${child.exitCode}:\n${output()}`);
    const ready = await fetch(`${server.url}/-/ready`).catch(() => null);
    if (ready?.ok) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`Alertmanager was not ready within 15 s:\n${output()}`);
}

/**
 * Starts `vigil serve --port 0` as an operator would (the package's bin, the built-in policy),
 * on `sqlite:<dir>/vigil.db`, with a preset admin token; resolves once it prints its URL. The
 * bench's own `VIGIL_*` variables are not passed on.
 */
export function startVigilServe(dir: string, adminToken: string): Promise<ChildServer> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VIGIL_') || key === 'PORT') delete env[key];
  const child = spawn(process.execPath, [VIGIL_BIN, 'serve', '--port', '0'], {
    env: {
      ...env,
      VIGIL_DATABASE_URL: `sqlite:${path.join(dir, 'vigil.db')}`,
      VIGIL_EVIDENCE_DIR: path.join(dir, 'evidence'),
      VIGIL_ADMIN_TOKEN: adminToken,
      VIGIL_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil serve did not start:\n${output()}`)), 60_000);
    child.stdout?.on('data', () => {
      const match = /is listening on (http:\/\/\S+)/.exec(output());
      if (!match) return;
      clearTimeout(timer);
      resolve(childServer(child, match[1]!, output));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited with ${code} before listening:\n${output()}`));
    });
  });
}
