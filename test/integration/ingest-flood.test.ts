/**
 * A flood from one sender does not starve the others. Sender A (autocannon
 * in a process of its own, as a runaway sender elsewhere would be) floods a
 * real listening Vigil far above its ingest rate limit over many concurrent
 * connections, while sender B (another ingest token) sends at a steady pace,
 * each alert as it happens, without waiting for the previous answer. A is
 * answered 429 with Retry-After and held to its rate; B gets 202 for every
 * request and completes at least 80% of what it completed alone in a window
 * as long. The limiter reads the injected clock; here the fake clock follows
 * real time, so token buckets refill as they would in production.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

/** Per ingest token: 40 requests a second after a burst of 40. */
const LIMIT = { perSecond: 40, burst: 40 };
const WINDOW_MS = 4_000;
/** A's concurrent connections, each sending as fast as it is answered. */
const FLOOD_CONNECTIONS = 16;
/** B's steady pace: a request every 40 ms (25 a second), within its own limit. */
const B_INTERVAL_MS = 40;
/** Generous, for a loaded two-core machine: what matters is that B is not starved. */
const MIN_SHARE_UNDER_FLOOD = 0.8;
const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

interface SteadyResult {
  /** 202s answered within the window. */
  completedInWindow: number;
  statuses: number[];
}

/** The parts of autocannon's `--json` report used here. */
interface FloodResult {
  requests: { total: number };
  statusCodeStats: Record<string, { count: number }>;
}

describeEachDatabase('ingest flood', (dialect) => {
  let t: TestVigil;
  let address: string;
  let tokenA: string;
  let tokenB: string;
  let followRealTime: NodeJS.Timeout;
  let flooder: ChildProcess | undefined;
  let sequence = 0;

  beforeAll(async () => {
    t = await startTestVigil(dialect, { rateLimits: { ingest: LIMIT } });
    const token = async (name: string) => {
      const res = await t.api({
        method: 'POST',
        url: '/api/v1/ingest-tokens',
        payload: { name, source: 'generic' },
      });
      expect(res.statusCode, res.body).toBe(201);
      return (res.json() as { token: string }).token;
    };
    tokenA = await token('sender A (floods)');
    tokenB = await token('sender B (steady)');
    const fakeStart = t.clock.now().getTime();
    const realStart = performance.now();
    // The limiter's buckets refill with the injected clock: keep it on real time.
    followRealTime = setInterval(() => t.clock.set(new Date(fakeStart + performance.now() - realStart)), 5);
    address = await t.vigil.http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    clearInterval(followRealTime);
    if (flooder && flooder.exitCode === null) flooder.kill();
    await t?.stop();
  });

  const event = (id: string) =>
    JSON.stringify({
      id,
      source: 'flood-test',
      type: 'heartbeat',
      severity: 'info',
      title: `event ${id}`,
      timestamp: t.clock.now().toISOString(),
    });

  const post = (token: string, body: string) =>
    fetch(`${address}/api/v1/signals/generic`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });

  /** B: one request every B_INTERVAL_MS for the window, each sent on time whatever the last one's fate. */
  async function steady(): Promise<SteadyResult> {
    const start = performance.now();
    const end = start + WINDOW_MS;
    const result: SteadyResult = { completedInWindow: 0, statuses: [] };
    const inFlight: Promise<void>[] = [];
    for (let at = start; at < end; at += B_INTERVAL_MS) {
      const wait = at - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sequence++;
      inFlight.push(
        post(tokenB, event(`b-${sequence}`)).then(async (res) => {
          await res.arrayBuffer();
          result.statuses.push(res.status);
          if (res.status === 202 && performance.now() <= end) result.completedInWindow++;
        }),
      );
    }
    await Promise.all(inFlight);
    return result;
  }

  /** A: autocannon in its own process, as many requests as the connections are answered, for `seconds`. */
  function flood(seconds: number): Promise<FloodResult> {
    const args = [AUTOCANNON, '--json', '-c', String(FLOOD_CONNECTIONS), '-d', String(seconds), '-m', 'POST'];
    args.push('-H', `authorization=Bearer ${tokenA}`, '-H', 'content-type=application/json');
    args.push('-b', event('a-flood'), `${address}/api/v1/signals/generic`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    flooder = child;
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) reject(new Error(`autocannon exited with ${code}`));
        else resolve(JSON.parse(output) as FloodResult);
      });
    });
  }

  it('holds the flooding sender to its rate with 429s while the steady sender keeps its throughput', async () => {
    const alone = await steady();
    expect(alone.statuses.filter((status) => status !== 202)).toEqual([]);

    const floodSeconds = WINDOW_MS / 1000 + 2;
    const floodStart = performance.now();
    const flooding = flood(floodSeconds);
    // Let the flood reach full speed (and A's burst drain) before B's window starts.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const underFlood = await steady();
    // A sample of A's answers during the flood: a 429 problem document with Retry-After.
    const sample = await post(tokenA, event('a-sample'));
    const floodResult = await flooding;
    const elapsedSeconds = (performance.now() - floodStart) / 1000;

    const count = (status: string) => floodResult.statusCodeStats[status]?.count ?? 0;
    console.info(
      `[ingest-flood ${dialect}] B alone ${alone.completedInWindow} in ${WINDOW_MS} ms; under flood ` +
        `${underFlood.completedInWindow} (${Math.round((100 * underFlood.completedInWindow) / alone.completedInWindow)}%); ` +
        `A ${floodResult.requests.total} requests: ${count('202')} accepted, ${count('429')} refused`,
    );
    // B: every request stored, none refused, and not starved.
    expect(underFlood.statuses.filter((status) => status !== 202)).toEqual([]);
    expect(underFlood.completedInWindow).toBeGreaterThanOrEqual(
      Math.floor(alone.completedInWindow * MIN_SHARE_UNDER_FLOOD),
    );
    // A: far above its limit, refused with 429 and Retry-After, and held to burst + rate × time.
    expect(sample.status).toBe(429);
    expect(Number(sample.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(sample.headers.get('content-type')).toContain('application/problem+json');
    const allowed = LIMIT.burst + Math.ceil(LIMIT.perSecond * elapsedSeconds);
    expect(floodResult.requests.total).toBeGreaterThan(3 * allowed);
    expect(count('202') + count('429')).toBe(floodResult.requests.total);
    expect(count('202')).toBeLessThanOrEqual(allowed);
    expect(count('429')).toBeGreaterThan(count('202'));
  }, 60_000);
});
