import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here.
type Json = Record<string, any>;

/** One sample of the exposition: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the Prometheus text exposition format strictly enough to catch a
 * malformed line: every line is a comment (`# HELP`, `# TYPE`) or a sample.
 */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  // prom-client prints an event-loop statistic with no samples yet as `Nan` (Prometheus reads it as NaN).
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|Nan|\+Inf|-Inf)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of one sample; undefined when absent. */
function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

const sqlAuditVector = readFileSync(
  new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
  'utf8',
);

/** `/metrics`: the Prometheus exposition moves with ingestion, detection, clocks, outbox and the engine. */
describeEachDatabase('metrics', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t.stop());

  async function secret(path: string, payload: Json): Promise<string> {
    const res = await t.api({ method: 'POST', url: path, payload });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as Json;
    return (body.secret ?? body.token) as string;
  }

  async function scrape(token: string): Promise<Sample[]> {
    const res = await t.vigil.http.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(res.body);
  }

  const ingest = (token: string, body: string) =>
    t.vigil.http.inject({
      method: 'POST',
      url: '/api/v1/signals/sql-audit',
      payload: body,
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
    });

  it('needs a read-scoped token: none is 401, an ingest token is refused', async () => {
    t = await startTestVigil(dialect);
    expect((await t.vigil.http.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const ingestOnly = await secret('/api/v1/tokens', { name: 'sender', scopes: ['ingest'] });
    const refused = await t.vigil.http.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${ingestOnly}` },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    const read = await secret('/api/v1/tokens', { name: 'prometheus', scopes: ['read'] });
    const samples = await scrape(read);
    // prom-client's process metrics come along in the per-Vigil registry.
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'vigil_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'vigil_db_pool_waiting_queries')).toBe(0);
  });

  it('counts signals, duplicates, answers and firings; reads clocks and the outbox at scrape time', async () => {
    // The morning after the vector's night: the brute-force rule fires on it.
    t = await startTestVigil(dialect, { now: '2024-05-14T03:00:00Z' });
    const sender = await secret('/api/v1/ingest-tokens', { name: 'sql', source: 'sql-audit' });
    const prometheus = await secret('/api/v1/tokens', { name: 'prometheus', scopes: ['read'] });
    const before = await scrape(prometheus);
    expect(sampleValue(before, 'vigil_signals_ingested_total')).toBeUndefined();
    expect(sampleValue(before, 'vigil_sla_clocks', { state: 'pending' })).toBe(0);

    const first = await ingest(sender, sqlAuditVector);
    expect(first.statusCode, first.body).toBe(202);
    const receipt = first.json() as Json;
    expect((await ingest(sender, sqlAuditVector)).statusCode).toBe(202);
    expect((await ingest(sender, '{"not": "an audit record"}\n')).statusCode).toBe(400);

    const after = await scrape(prometheus);
    const ingested = (outcome: string) =>
      sampleValue(after, 'vigil_signals_ingested_total', { source: 'sql-audit', outcome });
    expect(ingested('stored')).toBe(receipt.stored);
    expect(ingested('duplicate')).toBe(receipt.received);
    expect(sampleValue(after, 'vigil_ingest_requests_total', { route: 'signals', code: '202' })).toBe(2);
    expect(sampleValue(after, 'vigil_ingest_requests_total', { route: 'signals', code: '400' })).toBe(1);
    const opened = receipt.incidents.filter((i: Json) => i.opened).length;
    expect(opened).toBeGreaterThan(0);
    expect(sampleValue(after, 'vigil_detection_incidents_total', { outcome: 'opened' })).toBe(opened);
    expect(
      sampleValue(after, 'vigil_rule_firings_total', { rule: 'brute-force-login' }),
    ).toBeGreaterThanOrEqual(1);

    const clocks = (samples: Sample[]) =>
      Object.fromEntries(
        ['pending', 'at_risk', 'breached'].map((state) => [
          state,
          sampleValue(samples, 'vigil_sla_clocks', { state }) ?? -1,
        ]),
      );
    const running = clocks(after);
    const total = running.pending! + running.at_risk! + running.breached!;
    expect(total).toBeGreaterThan(0);
    // A month later nothing was acknowledged: every running clock is breached.
    t.clock.advance(30 * 24 * 3600_000);
    const later = await scrape(prometheus);
    expect(clocks(later)).toEqual({ pending: 0, at_risk: 0, breached: total });

    // The engine escalates the breaches; without SMTP the escalation emails wait in the outbox,
    // and the oldest one's age grows with the clock.
    await t.vigil.engine.runCycle();
    const escalated = await scrape(prometheus);
    expect(sampleValue(escalated, 'vigil_engine_rows_processed_total', { module: 'sla' })).toBeGreaterThan(0);
    expect(sampleValue(escalated, 'vigil_outbox_pending_messages')).toBeGreaterThan(0);
    t.clock.advance(3600_000);
    expect(sampleValue(await scrape(prometheus), 'vigil_outbox_oldest_pending_age_seconds')).toBe(3600);
  });

  it('times engine cycles and reports leadership', async () => {
    t = await startTestVigil(dialect);
    const prometheus = await secret('/api/v1/tokens', { name: 'prometheus', scopes: ['read'] });
    expect(sampleValue(await scrape(prometheus), 'vigil_engine_leader')).toBe(0);
    await t.vigil.engine.runCycle();
    await t.vigil.engine.runCycle();
    const samples = await scrape(prometheus);
    expect(sampleValue(samples, 'vigil_engine_leader')).toBe(1);
    expect(sampleValue(samples, 'vigil_engine_cycle_duration_seconds_count')).toBe(2);
    expect(sampleValue(samples, 'vigil_engine_cycle_duration_seconds_sum')).toBeGreaterThan(0);
  });
});
