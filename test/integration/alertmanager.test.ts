import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import {
  describeWithAlertmanager,
  type RunningAlertmanager,
  startAlertmanager,
} from '../support/alertmanager.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

/** Alertmanager works on its own timers (seconds here): poll Vigil until it has what we expect. */
const patience = { timeout: 20_000, interval: 200 };

/**
 * A real Alertmanager, fed alerts through its v2 API as Prometheus would,
 * delivers to a real Vigil HTTP listener on 127.0.0.1: firing, repeats,
 * resolution, and a second Alertmanager with a wrong token that gets 401.
 *
 * Vigil runs in-process (`startTestVigil` plus a real listener) rather than
 * as a `vigil serve` child: the request log is at hand to count what
 * Alertmanager sent and check that tokens stay out of it, and the suite
 * starts in milliseconds. Only SQLite: the storage and detection paths are
 * the same as in signals-api, which runs on both databases; what is new
 * here is the sender.
 */
describeWithAlertmanager('a real Alertmanager delivers to Vigil', () => {
  let t: TestVigil;
  let vigilUrl: string;
  const logLines: string[] = [];
  const managers: RunningAlertmanager[] = [];

  beforeAll(async () => {
    // Alertmanager stamps alerts with the real time; Vigil's receipt time follows suit.
    t = await startTestVigil('sqlite', { now: new Date().toISOString(), logLines });
    await t.vigil.http.listen({ port: 0, host: '127.0.0.1' });
    vigilUrl = `http://127.0.0.1:${(t.vigil.http.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const manager of managers.splice(0)) await manager.stop();
    await t?.stop();
  });

  async function api(method: string, path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${vigilUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Json;
  }

  async function alertmanager(bearerToken: string): Promise<RunningAlertmanager> {
    const manager = await startAlertmanager({
      url: `${vigilUrl}/api/v1/signals/alertmanager`,
      bearerToken,
    });
    managers.push(manager);
    return manager;
  }

  const stored = async (query = ''): Promise<Json[]> =>
    (await api('GET', `/api/v1/signals?source=alertmanager&limit=500${query}`)).items as Json[];

  /** Requests to the Alertmanager ingest path that Vigil answered with `statusCode`, from its request log. */
  function deliveries(statusCode: number): number {
    const entries = logLines.map((line) => JSON.parse(line) as Json);
    const ingestRequests = new Set(
      entries.filter((e) => e.req?.url === '/api/v1/signals/alertmanager').map((e) => e.reqId),
    );
    return entries.filter((e) => ingestRequests.has(e.reqId) && e.res?.statusCode === statusCode).length;
  }

  it('stores a firing and then a resolved alert once each, and links the resolution to the incident', async () => {
    const created = await api('POST', '/api/v1/ingest-tokens', {
      name: 'alertmanager',
      source: 'alertmanager',
    });
    const [good, bad] = await Promise.all([
      alertmanager(created.token),
      alertmanager('vgi_not-a-token-of-this-vigil'),
    ]);

    const startsAt = new Date(Date.now() - 60_000).toISOString();
    // No default rule looks at generic alerts: this one is stored but opens nothing.
    const errorRate = {
      labels: { alertname: 'HighErrorRate', severity: 'critical', service: 'orders-api', job: 'orders' },
      annotations: { summary: 'orders-api: 12% of requests fail' },
      startsAt,
      generatorURL: 'http://prometheus.example/graph?g0.expr=errors',
    };
    // `vigil_kind` makes it a resource anomaly, which the default policy's resource-anomaly rule opens.
    const diskFull = {
      labels: {
        alertname: 'DiskAlmostFull',
        severity: 'warning',
        service: 'orders-db',
        instance: 'db-1:9100',
        vigil_kind: 'resource_anomaly',
      },
      annotations: { summary: 'orders-db data volume 93% full' },
      startsAt,
    };
    await good.pushAlerts([errorRate, diskFull]);
    await bad.pushAlerts([{ ...errorRate, labels: { ...errorRate.labels, service: 'payments-api' } }]);

    const firing = await vi.waitFor(async () => {
      const items = await stored('&status=firing');
      expect(items).toHaveLength(2);
      return items;
    }, patience);
    const errorSignal = firing.find((s) => s.entities.alertType === 'HighErrorRate')!;
    const diskSignal = firing.find((s) => s.entities.alertType === 'DiskAlmostFull')!;
    expect(errorSignal).toMatchObject({
      kind: 'generic_alert',
      severityHint: 'critical',
      summary: 'orders-api: 12% of requests fail',
      occurredAt: startsAt,
      entities: { service: 'orders-api', application: 'orders-api', job: 'orders', receiver: 'vigil' },
    });
    expect(diskSignal).toMatchObject({
      kind: 'resource_anomaly',
      severityHint: 'medium',
      entities: { service: 'orders-db', instance: 'db-1:9100' },
    });

    // Alertmanager re-sends each still-firing group every repeat_interval (2 s): Vigil stores nothing new.
    await vi.waitFor(async () => {
      const counts = await good.webhookCounts();
      expect(counts.attempted).toBeGreaterThanOrEqual(4);
      expect(counts.failed).toBe(0);
    }, patience);
    expect(await stored()).toHaveLength(2);

    // The Alertmanager with a wrong token was refused (401) and left no trace in the store.
    await vi.waitFor(
      async () => expect((await bad.webhookCounts()).failed).toBeGreaterThanOrEqual(1),
      patience,
    );
    expect(bad.logs()).toContain('401');
    expect((await stored()).some((s) => s.entities.service === 'payments-api')).toBe(false);
    expect(deliveries(401)).toBeGreaterThanOrEqual(1);
    expect(deliveries(202)).toBeGreaterThanOrEqual(4);
    expect(logLines.some((line) => line.includes(created.token))).toBe(false);

    const incidents = (await api('GET', '/api/v1/incidents?limit=200')).items as Json[];
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]!;
    expect(incident.title).toContain('orders-db data volume 93% full');
    const linked = await stored(`&incident=${incident.id}`);
    expect(linked.map((s) => s.id)).toEqual([diskSignal.id]);

    const endsAt = new Date().toISOString();
    await good.pushAlerts([
      { ...errorRate, endsAt },
      { ...diskFull, endsAt },
    ]);
    const resolved = await vi.waitFor(async () => {
      const items = await stored('&status=resolved');
      expect(items).toHaveLength(2);
      return items;
    }, patience);
    for (const fired of [errorSignal, diskSignal]) {
      const end = resolved.find((s) => s.entities.fingerprint === fired.entities.fingerprint)!;
      expect(end.correlationKey).toBe(fired.correlationKey);
      expect(end.dedupKey).not.toBe(fired.dedupKey);
      expect(end.entities).toMatchObject({ alertType: fired.entities.alertType, endsAt });
      expect(end.occurredAt).toBe(endsAt);
    }
    const all = await stored();
    expect(all).toHaveLength(4);
    expect(new Set(all.map((s) => s.dedupKey)).size).toBe(4);

    // The resolution is recorded on the incident the firing opened, as a suggestion only.
    // Vigil links it in the same transaction that stored it.
    const timeline = (await api('GET', `/api/v1/incidents/${incident.id}/timeline?kind=signal_linked`))
      .items as Json[];
    const resolution = timeline.find((e) => e.data.resolved === true);
    expect(resolution, 'a signal_linked entry with data.resolved').toBeDefined();
    expect(resolution!.data.signals[0].entities.alertType).toBe('DiskAlmostFull');
    expect((await api('GET', `/api/v1/incidents/${incident.id}`)).phase).toBe('identify');
  });
});
