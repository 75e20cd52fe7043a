import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: event payloads are read loosely; the timeline route's schema is tested elsewhere.
type Json = Record<string, any>;

interface SseEvent {
  event: string;
  data: Json;
}

/** A streaming client of `/api/v1/events` over real HTTP: collects events and tells when the stream ends. */
async function openStream(base: string, token: string, query = '') {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/events${query}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  const ended = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return true;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as Json });
        cut = buffer.indexOf('\n\n');
      }
    }
  })();
  /** Waits (up to 5 s) for an event matching `test`. */
  async function next(test: (e: SseEvent) => boolean): Promise<SseEvent> {
    for (let waited = 0; waited < 5_000; waited += 50) {
      const found = events.find(test);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no matching event; got ${JSON.stringify(events)}`);
  }
  return { events, next, ended, close: () => abort.abort() };
}

describeEachDatabase('live events', (dialect) => {
  let t: TestVigil;
  let base: string;
  const tokens = new Map<string, string>();
  let incident: Json;

  beforeAll(async () => {
    t = await startTestVigil(dialect, { now: '2026-04-07T10:00:00Z' });
    for (const role of ['viewer', 'ingest']) {
      const email = `${role}@example.com`;
      const user = await t.api({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email, name: role, role },
      });
      expect(user.statusCode, user.body).toBe(201);
      const created = await t.api({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: `${role} token`, scopes: ['admin'], owner: email },
      });
      expect(created.statusCode, created.body).toBe(201);
      tokens.set(role, (created.json() as Json).secret);
    }
    incident = await incidentDriver(t).declare({ title: 'Watched', severity: 'low', description: 'x' });
    base = await t.vigil.http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t.stop());

  it('streams a newly declared incident and a new note to a listening console', async () => {
    const stream = await openStream(base, ADMIN_TOKEN, `?incident=${incident.reference}`);
    await stream.next((e) => e.event === 'ready');
    t.clock.advance(1_000);
    const declared = await incidentDriver(t).declare({ title: 'Fresh', severity: 'high', description: 'y' });
    const seen = await stream.next((e) => e.event === 'incident' && e.data.id === declared.id);
    expect(seen.data).toEqual({
      id: declared.id,
      reference: declared.reference,
      updatedAt: declared.updatedAt,
    });

    t.clock.advance(1_000);
    await incidentDriver(t).act(incident.id, 'timeline', { kind: 'note', text: 'Firewall rule added' }, 201);
    const note = await stream.next((e) => e.event === 'timeline' && e.data.kind === 'note');
    expect(note.data.summary).toContain('Firewall rule added');
    // Only the watched incident's timeline is streamed, never the other one's.
    expect(stream.events.filter((e) => e.event === 'timeline').every((e) => e.data.kind === 'note')).toBe(
      true,
    );
    stream.close();
  });

  it('keeps breach entries from a viewer and shows them to those who may read breaches', async () => {
    const viewer = await openStream(base, tokens.get('viewer')!, `?incident=${incident.id}`);
    const admin = await openStream(base, ADMIN_TOKEN, `?incident=${incident.id}`);
    await viewer.next((e) => e.event === 'ready');
    await admin.next((e) => e.event === 'ready');
    // A breach entry written as the breach service writes one; the route's filter is what is tested.
    await t.vigil.database.kysely
      .insertInto('timeline_entries')
      .values({
        id: randomUUID(),
        incident_id: incident.id,
        at: '2026-04-07T10:00:05.000Z',
        kind: 'breach',
        actor: 'user:admin@localhost',
        summary: 'Personal data breach recorded',
        data: '{}',
      })
      .execute();
    await incidentDriver(t).act(incident.id, 'timeline', { kind: 'note', text: 'After the breach' }, 201);
    await admin.next((e) => e.event === 'timeline' && e.data.kind === 'breach');
    await viewer.next((e) => e.event === 'timeline' && e.data.summary.includes('After the breach'));
    expect(viewer.events.some((e) => e.event === 'timeline' && e.data.kind === 'breach')).toBe(false);
    viewer.close();
    admin.close();
  });

  it('refuses the unauthenticated, the unpermitted, a non-stream request and an unknown incident', async () => {
    const accept = { accept: 'text/event-stream' };
    expect((await fetch(`${base}/api/v1/events`, { headers: accept })).status).toBe(401);
    const ingest = await fetch(`${base}/api/v1/events`, {
      headers: { ...accept, authorization: `Bearer ${tokens.get('ingest')}` },
    });
    expect(ingest.status).toBe(403);
    const plain = await t.api({ method: 'GET', url: '/api/v1/events' });
    expect(plain.statusCode).toBe(400);
    expect((plain.json() as Json).errors).toEqual([
      { field: 'headers.accept', reason: 'must accept text/event-stream' },
    ]);
    const unknown = await t.api({ method: 'GET', url: '/api/v1/events?incident=INC-999', headers: accept });
    expect(unknown.statusCode).toBe(404);
  });

  it('lists only open incidents with open=true', async () => {
    await incidentDriver(t).act(incident.id, 'triage', { decision: 'false_positive', reason: 'A test' });
    const open = (await t.api({ method: 'GET', url: '/api/v1/incidents?open=true' })).json() as Json;
    const closed = (await t.api({ method: 'GET', url: '/api/v1/incidents?open=false' })).json() as Json;
    expect(open.items.map((i: Json) => i.id)).not.toContain(incident.id);
    expect(open.items.length).toBeGreaterThan(0);
    expect(closed.items.map((i: Json) => i.id)).toEqual([incident.id]);
  });

  it('ends open streams when the server closes, without hanging the close', async () => {
    const stream = await openStream(base, ADMIN_TOKEN);
    await stream.next((e) => e.event === 'ready');
    const started = performance.now();
    const closing = t.vigil.http.close();
    expect(await stream.ended).toBe(true);
    // The stream ends as soon as the close begins, not when a poll or keep-alive happens to run.
    expect(performance.now() - started).toBeLessThan(1_000);
    // A hung close would time the test out. (Node waits for a client's unused spare connection up to
    // the client's own keep-alive timeout, which is why this is not also timed tightly.)
    await closing;
  });
});
