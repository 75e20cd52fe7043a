import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const vector = (name: string) =>
  readFileSync(new URL(`../fixtures/signals/vectors/${name}`, import.meta.url), 'utf8');

/** Ingestion over HTTP: ingest tokens, storage, idempotency, detection into incidents, PagerDuty compatibility. */
describeEachDatabase('signals API', (dialect) => {
  let t: TestVigil;
  const logLines: string[] = [];

  beforeEach(async () => {
    logLines.length = 0;
    // The morning after the samples' night.
    t = await startTestVigil(dialect, { now: '2024-05-14T03:00:00Z', logLines });
  });
  afterEach(async () => t.stop());

  async function token(source?: string): Promise<string> {
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/ingest-tokens',
      payload: { name: `test ${source ?? 'all'}`, ...(source ? { source } : {}) },
    });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as Json).token as string;
  }

  const ingest = (
    source: string,
    body: string,
    auth: string | null,
    contentType = 'application/json',
    query = '',
  ) =>
    t.vigil.http.inject({
      method: 'POST',
      url: `/api/v1/signals/${source}${query}`,
      payload: body,
      headers: { 'content-type': contentType, ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    });

  const signalCount = async () =>
    ((await t.api({ method: 'GET', url: '/api/v1/signals?limit=500' })).json() as Json).items
      .length as number;

  it('stores the SQL audit stream once, opens one brute-force incident, and a replay changes nothing', async () => {
    const sqlToken = await token('sql-audit');
    const body = vector('sql-audit-failed-logins.jsonl');
    const first = await ingest('sql-audit', body, sqlToken, 'application/x-ndjson');
    expect(first.statusCode, first.body).toBe(202);
    const receipt = first.json() as Json;
    expect(receipt).toMatchObject({ source: 'sql-audit', received: 35, stored: 35, duplicates: 0 });
    const opened = receipt.incidents.filter((i: Json) => i.opened);
    const incidents = await Promise.all(
      opened.map(
        async (i: Json) => (await t.api({ method: 'GET', url: `/api/v1/incidents/${i.id}` })).json() as Json,
      ),
    );
    const bruteForce = incidents.filter((i) => /brute/i.test(i.title));
    expect(bruteForce).toHaveLength(1);
    expect(bruteForce[0]!.title).toContain('sqladmin');
    expect(bruteForce[0]!.phase).toBe('identify');
    expect(bruteForce[0]!.acknowledgedAt).toBeNull();
    expect(incidents.some((i) => i.title.includes('orders_app'))).toBe(false);
    // Its clocks run from the moment the rule fired (the tenth failure), not from receipt.
    expect(Date.parse(bruteForce[0]!.openedAt)).toBeLessThan(Date.parse('2024-05-14T02:13:00Z'));
    const linked = (
      await t.api({ method: 'GET', url: `/api/v1/signals?incident=${bruteForce[0]!.id}&limit=500` })
    ).json() as Json;
    expect(linked.items.length).toBeGreaterThanOrEqual(10);
    expect(linked.items.every((s: Json) => s.entities.principal === 'sqladmin')).toBe(true);

    const incidentsBefore = (
      await t.api({ method: 'GET', url: '/api/v1/incidents?limit=200' })
    ).json() as Json;
    const again = await ingest('sql-audit', body, sqlToken, 'application/x-ndjson');
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ received: 35, stored: 0, duplicates: 35, incidents: [] });
    expect(await signalCount()).toBe(35);
    const incidentsAfter = (
      await t.api({ method: 'GET', url: '/api/v1/incidents?limit=200' })
    ).json() as Json;
    expect(incidentsAfter.items).toHaveLength(incidentsBefore.items.length);

    // Backfill over the stored signals finds the same incidents and opens none.
    const replay = await t.api({
      method: 'POST',
      url: '/api/v1/detection/replay',
      payload: { since: '2024-05-14T00:00:00Z' },
    });
    expect(replay.statusCode, replay.body).toBe(200);
    expect((replay.json() as Json).signals).toBe(35);
    expect((replay.json() as Json).incidents.every((i: Json) => !i.opened)).toBe(true);
    const incidentsReplayed = (
      await t.api({ method: 'GET', url: '/api/v1/incidents?limit=200' })
    ).json() as Json;
    expect(incidentsReplayed.items).toHaveLength(incidentsBefore.items.length);
  });

  it('authenticates ingestion by ingest credentials only, by header or query, and keeps tokens out of the logs', async () => {
    const body = vector('generic-event.json');
    expect((await ingest('generic', body, null)).statusCode).toBe(401);
    expect((await ingest('generic', body, 'vgi_not-a-token')).statusCode).toBe(401);
    expect((await ingest('generic', body, 'vgl_not-a-token')).statusCode).toBe(401);
    // A person's everyday API token is no ingest credential: only an ingest scope makes one.
    expect((await ingest('generic', body, 'vgl_test-admin-token-0123456789abcdef')).statusCode).toBe(403);
    const sqlOnly = await token('sql-audit');
    const wrongSource = await ingest('generic', body, sqlOnly);
    expect(wrongSource.statusCode).toBe(403);
    expect(wrongSource.headers['content-type']).toContain('application/problem+json');

    const all = await token();
    const viaQuery = await ingest('generic', body, null, 'application/json', `?token=${all}`);
    expect(viaQuery.statusCode, viaQuery.body).toBe(202);
    expect(logLines.some((line) => line.includes(all))).toBe(false);
    expect(logLines.some((line) => line.includes('/api/v1/signals/generic'))).toBe(true);

    const list = (await t.api({ method: 'GET', url: '/api/v1/ingest-tokens' })).json() as Json;
    expect(list.items).toHaveLength(2);
    expect(JSON.stringify(list)).not.toContain(all);
    const allId = list.items.find((i: Json) => i.source === null).id;
    expect((await t.api({ method: 'DELETE', url: `/api/v1/ingest-tokens/${allId}` })).statusCode).toBe(200);
    expect((await ingest('generic', body, all)).statusCode).toBe(401);
  });

  it('refuses malformed and oversized bodies with the record and field named, storing nothing', async () => {
    const all = await token();
    const lines = vector('sql-audit-failed-logins.jsonl').trimEnd().split('\n');
    const broken = JSON.parse(lines[3]!) as Json;
    broken.event_time_t = 'yesterday-ish';
    lines[3] = JSON.stringify(broken);
    const res = await ingest('sql-audit', lines.join('\n'), all, 'application/x-ndjson');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((res.json() as Json).errors.map((e: Json) => e.field)).toContain('records[3].event_time_t');
    expect(await signalCount()).toBe(0);

    expect((await ingest('generic', '{"title": ', all)).statusCode).toBe(400);
    expect((await ingest('no-such-source', '{}', all)).statusCode).toBe(404);
    expect((await ingest('generic', '', all)).statusCode).toBe(400);
    const huge = `[${'{"x":"'.concat('y'.repeat(1024), '"},').repeat(40 * 1024)}{}]`;
    expect((await ingest('generic', huge, all)).statusCode).toBe(413);
    expect(await signalCount()).toBe(0);
  });

  it('speaks PagerDuty Events v2 at /v2/enqueue, with the routing key as the ingest token', async () => {
    const pd = await token('pagerduty');
    const trigger = JSON.parse(vector('pagerduty-events-v2-trigger.json')) as Json;
    trigger.routing_key = pd;
    const enqueue = (payload: unknown) =>
      t.vigil.http.inject({
        method: 'POST',
        url: '/v2/enqueue',
        payload: JSON.stringify(payload),
        headers: { 'content-type': 'application/json' },
      });
    const accepted = await enqueue(trigger);
    expect(accepted.statusCode, accepted.body).toBe(202);
    expect(accepted.json()).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: trigger.dedup_key,
    });

    const invalid = await enqueue({ routing_key: pd, event_action: 'trigger', payload: { summary: 'x' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    expect((invalid.json() as Json).errors.length).toBeGreaterThan(0);
    expect((await enqueue({ ...trigger, routing_key: 'vgi_wrong' })).statusCode).toBe(401);

    const resolve = JSON.parse(vector('pagerduty-events-v2-resolve.json')) as Json;
    const resolved = await enqueue({ ...resolve, routing_key: pd, dedup_key: trigger.dedup_key });
    expect(resolved.statusCode, resolved.body).toBe(202);
    const stored = (await t.api({ method: 'GET', url: '/api/v1/signals?source=pagerduty' })).json() as Json;
    expect(stored.items.map((s: Json) => s.status).sort()).toEqual(['firing', 'resolved']);
  });

  it('purges unlinked raw signals after the telemetry period and keeps the incident’s evidence', async () => {
    const all = await token();
    const res = await ingest(
      'sql-audit',
      vector('sql-audit-failed-logins.jsonl'),
      all,
      'application/x-ndjson',
    );
    const incident = (res.json() as Json).incidents[0];
    expect(await signalCount()).toBe(35);
    t.clock.set('2024-06-13T02:59:00Z'); // 30 days minus a minute after receipt
    await t.vigil.engine.runCycle();
    expect(await signalCount()).toBe(35);
    // PostgreSQL purges whole UTC days (docs/signals.md): the receipt day goes once all of it is past the period.
    t.clock.set(dialect === 'postgres' ? '2024-06-14T00:00:01Z' : '2024-06-13T03:01:00Z');
    await t.vigil.engine.runCycle();
    // The signals an incident links are its evidence now (kept with it); the rest of the stream went.
    const linked = new Set<string>();
    for (const i of (res.json() as Json).incidents as Json[]) {
      const page = await t.api({ method: 'GET', url: `/api/v1/signals?incident=${i.id}&limit=500` });
      for (const s of (page.json() as Json).items as Json[]) linked.add(s.id);
    }
    expect(linked.size).toBeGreaterThan(0);
    expect(linked.size).toBeLessThan(35);
    expect(await signalCount()).toBe(linked.size);
    const timeline = (
      await t.api({ method: 'GET', url: `/api/v1/incidents/${incident.id}/timeline?kind=signal_linked` })
    ).json() as Json;
    expect(timeline.items.length).toBeGreaterThan(0);
    expect(timeline.items[0].data.signals[0].summary.length).toBeGreaterThan(0);
  });

  it('filters stored signals by source, kind, entity and time', async () => {
    const all = await token();
    await ingest('sql-audit', vector('sql-audit-failed-logins.jsonl'), all, 'application/x-ndjson');
    await ingest('generic', vector('generic-event.json'), all);
    const get = async (query: string) =>
      ((await t.api({ method: 'GET', url: `/api/v1/signals?${query}` })).json() as Json).items as Json[];
    expect((await get('source=generic')).map((s) => s.source)).toEqual(['generic']);
    const failures = await get('kind=auth_failure&limit=500');
    expect(failures.length).toBe(19);
    expect((await get('principal=sqladmin&kind=auth_failure&limit=500')).length).toBe(18);
    expect((await get('entity=database:ordersdb&limit=500')).length).toBeGreaterThan(0);
    expect(
      (await get('from=2024-05-14T02:14:00Z&to=2024-05-14T02:15:00Z&limit=500')).every(
        (s) => s.occurredAt >= '2024-05-14T02:14:00' && s.occurredAt < '2024-05-14T02:15:00',
      ),
    ).toBe(true);
    const page = (await t.api({ method: 'GET', url: '/api/v1/signals?limit=10' })).json() as Json;
    expect(page.items).toHaveLength(10);
    const next = (
      await t.api({ method: 'GET', url: `/api/v1/signals?limit=10&cursor=${page.nextCursor}` })
    ).json() as Json;
    expect(next.items[0].id).not.toBe(page.items[9].id);
    const bad = await t.api({ method: 'GET', url: '/api/v1/signals?kind=nonsense' });
    expect(bad.statusCode).toBe(400);
  });

  /** `count` failed logins for `principal`, a second apart from `start`, as SQL audit NDJSON. */
  function failedLogins(principal: string, start: string, count: number, first = 0): string {
    const template = vector('sql-audit-failed-logins.jsonl')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json)
      .find((row) => String(row.action_id_s).trim() === 'DBAF')!;
    return Array.from({ length: count }, (_, i) => {
      const at = new Date(Date.parse(start) + (first + i) * 1000).toISOString();
      return JSON.stringify({
        ...template,
        event_time_t: at,
        sequence_group_id_g: `00000000-0000-4000-8000-${String(first + i).padStart(12, '0')}`,
        server_principal_name_s: principal,
      });
    }).join('\n');
  }

  it('keeps detection windows and cooldowns across a restart', async () => {
    const all = await token();
    const nine = await ingest(
      'sql-audit',
      failedLogins('victim', '2024-05-14T02:30:00Z', 9),
      all,
      'application/x-ndjson',
    );
    expect((nine.json() as Json).incidents).toEqual([]);

    const second = await t.another();
    try {
      const tenth = await second.signals.ingest(
        'sql-audit',
        failedLogins('victim', '2024-05-14T02:30:00Z', 1, 9),
        'application/x-ndjson',
      );
      expect(tenth.incidents).toHaveLength(1);
      expect(tenth.incidents[0]!.opened).toBe(true);
    } finally {
      await second.close();
    }
    const third = await t.another();
    try {
      // Within the rule's cooldown: more failures join nothing new and open nothing.
      const more = await third.signals.ingest(
        'sql-audit',
        failedLogins('victim', '2024-05-14T02:30:00Z', 10, 10),
        'application/x-ndjson',
      );
      expect(more.stored).toBe(10);
      expect(more.incidents.filter((i) => i.opened)).toEqual([]);
    } finally {
      await third.close();
    }
  });

  it('commits concurrent bodies together and answers each with its own receipt', async () => {
    const all = await token();
    const bodies = Array.from({ length: 12 }, (_, i) =>
      failedLogins(`user${i}`, '2024-05-14T02:40:00Z', 3, i * 3),
    );
    // Two copies of the first body race each other: its records are stored once.
    const answers = await Promise.all(
      [...bodies, bodies[0]!].map((body) => ingest('sql-audit', body, all, 'application/x-ndjson')),
    );
    expect(answers.every((a) => a.statusCode === 202)).toBe(true);
    const receipts = answers.map((a) => a.json() as Json);
    expect(receipts.reduce((n, r) => n + r.stored, 0)).toBe(36);
    const [first, copy] = [receipts[0]!, receipts[12]!];
    expect(first.stored + copy.stored).toBe(3);
    expect(first.duplicates + copy.duplicates).toBe(3);
    expect(await signalCount()).toBe(36);
  });
});
