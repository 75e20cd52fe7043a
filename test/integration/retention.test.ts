import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { hashToken } from '../../src/identity/identity-service.ts';
import { toDbInstant } from '../../src/platform/db/instant-codec.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { createIngestToken, ingestNote } from '../support/note-signals.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const DAY = 24 * 60 * 60_000;

const breachRecord = {
  role: 'controller',
  nature: ['confidentiality'],
  dataCategories: ['contact details'],
  peopleCategories: ['customers'],
  approxPeople: 12,
  approxRecords: 40,
  likelyConsequences: 'Phishing aimed at the customers concerned.',
  measuresTaken: 'Access revoked.',
  measuresProposed: 'Tell the people concerned.',
  contactPoint: 'dpo@example.com',
  status: 'confirmed',
};

const review = {
  summary: 'An exposed key let an outsider read the orders table.',
  rootCause: 'A deploy script printed secrets into a public log.',
  impact: 'Orders of 40 customers were readable for two hours.',
  lessons: 'Secrets never reach logs.',
  customerSummary: 'A configuration mistake exposed some order data briefly.',
};

/** Retention: telemetry after 30 days, incident evidence 24 months after closing, legal holds, the daily pass. */
describeEachDatabase('retention and legal hold', (dialect) => {
  let t: TestVigil;
  let d: ReturnType<typeof incidentDriver>;
  afterEach(async () => t.stop());

  async function start(now: string) {
    t = await startTestVigil(dialect, { now });
    d = incidentDriver(t);
  }
  const db = () => t.vigil.database.kysely;
  const post = (url: string, payload?: Json, token?: string) =>
    t.api({
      method: 'POST',
      url,
      ...(payload ? { payload } : {}),
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });

  /** An API token for `email` (created with `role` if new): the API has no token route for other users yet. */
  async function tokenFor(email: string, role = 'responder'): Promise<string> {
    const user =
      (await t.vigil.identity.findUserByEmail(email)) ??
      ((await post('/api/v1/users', { email, name: email, role })).json() as Json);
    const token = `vgl_${randomUUID().replaceAll('-', '')}`;
    await db()
      .insertInto('api_tokens')
      .values({
        id: randomUUID(),
        user_id: user.id,
        name: 'test',
        token_hash: hashToken(token),
        created_at: toDbInstant(t.clock.now()),
        expires_at: null,
        revoked_at: null,
      })
      .execute();
    return token;
  }

  async function close(id: string) {
    for (const phase of ['contain', 'eradicate', 'recover', 'review', 'closed']) {
      const res = await post(`/api/v1/incidents/${id}/phase`, {
        phase,
        override: true,
        reason: 'for the test',
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    return (await d.get(id)).closedAt as string;
  }

  const retentionAudits = async () =>
    (
      await db()
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'retention.purged')
        .orderBy('seq')
        .execute()
    ).map((e) => ({ ...e, detail: JSON.parse(e.detail) as Json }));
  const countFor = async (table: 'timeline_entries' | 'reviews' | 'corrective_actions', id: string) =>
    (await db().selectFrom(table).select('incident_id').where('incident_id', '=', id).execute()).length;
  const verifyChain = async () =>
    (await t.api({ method: 'GET', url: '/api/v1/audit/verify' })).json() as Json;

  const ingestToken = () => createIngestToken(t, 'retention test');
  const ingest = (token: string, id: string, service: string) =>
    ingestNote(t, token, { id, service, at: t.clock.now() });
  const storedSignals = async () =>
    ((await t.api({ method: 'GET', url: '/api/v1/signals?limit=500' })).json() as Json).items as Json[];

  it('deletes raw signals after 30 days but keeps younger ones, linked ones and those in an evidence window', async () => {
    await start('2026-03-02T12:00:00Z');
    const token = await ingestToken();
    for (const [id, service] of [
      ['old-plain', 'billing'],
      ['old-linked', 'billing'],
      ['old-windowed', 'orders'],
      ['old-other-entity', 'payments'],
    ])
      await ingest(token, id!, service!);
    const byTitle = async () => new Map((await storedSignals()).map((s) => [s.summary as string, s]));
    const incident = await d.declare({ title: 'Orders job', severity: 'medium', description: 'x' });
    await db()
      .insertInto('incident_signals')
      .values({
        incident_id: incident.id,
        signal_id: (await byTitle()).get('note old-linked')!.id,
        rule_id: null,
        linked_at: toDbInstant(t.clock.now()),
      })
      .execute();
    const window = await post(`/api/v1/incidents/${incident.id}/evidence-windows`, {
      from: '2026-03-02T11:59:00Z',
      to: '2026-03-02T12:01:00Z',
      reason: 'the orders job’s notes show the attacker’s session',
      source: 'generic',
      entity: { service: 'orders' },
    });
    expect(window.statusCode, window.body).toBe(201);
    const windows = (
      await t.api({ method: 'GET', url: `/api/v1/incidents/${incident.id}/evidence-windows` })
    ).json() as Json;
    expect(windows.items).toEqual([
      expect.objectContaining({
        source: 'generic',
        entity: { service: 'orders' },
        createdBy: 'user:admin@localhost',
      }),
    ]);
    expect((await d.timeline(incident.id, 'note')).map((e) => e.summary)).toEqual([
      'signals received 2026-03-02T11:59:00.000Z to 2026-03-02T12:01:00.000Z (from generic, service=orders) kept as evidence',
    ]);

    t.clock.set('2026-03-04T12:00:00Z');
    await ingest(token, 'young', 'billing');

    // 31 days after the first receipts, 29 after the last.
    t.clock.set('2026-04-02T12:00:01Z');
    const preview = (await t.api({ method: 'GET', url: '/api/v1/retention/preview' })).json() as Json;
    expect(preview.telemetry).toMatchObject({ due: 2, oldestDueReceivedAt: '2026-03-02T12:00:00.000Z' });
    await t.vigil.engine.runCycle();
    expect([...(await byTitle()).keys()].sort()).toEqual([
      'note old-linked',
      'note old-windowed',
      'note young',
    ]);

    const [entry, ...more] = await retentionAudits();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actor: 'system:retention', subject_type: 'signals' });
    // The same rows give the same digest on SQLite and PostgreSQL (src/retention/signal-digest.ts).
    expect(entry!.detail.removed.signals).toEqual({
      count: 2,
      sha256: '70b3823ad3c0d9733854cc4b94303ac284d4b158b339a1e2e444b208f19799b9',
    });
    expect(entry!.detail.keep).toBe('30 days');
    expect(await verifyChain()).toMatchObject({ ok: true });
  });

  it('purges the evidence of an incident closed 24 months and a day ago, keeps a younger one, and the chain verifies', async () => {
    await start('2026-01-05T10:00:00Z');
    const x = await d.declare({
      title: 'Key in a public log',
      severity: 'medium',
      description: 'secret text',
    });
    const y = await d.declare({ title: 'Odd grant', severity: 'medium', description: 'kept' });
    expect(
      (await t.api({ method: 'PUT', url: `/api/v1/incidents/${x.id}/review`, payload: review })).statusCode,
    ).toBe(200);
    const action = await post(`/api/v1/incidents/${x.id}/actions`, {
      title: 'Scan logs for secrets',
      kind: 'preventive',
      owner: 'cto@example.com',
      dueDate: '2026-02-20',
    });
    expect(action.statusCode, action.body).toBe(201);
    const breach = await t.api({
      method: 'PUT',
      url: `/api/v1/incidents/${x.id}/breach`,
      payload: { ...breachRecord, awarenessAt: '2026-01-05T09:00:00Z', confirmedAt: '2026-01-05T09:30:00Z' },
    });
    expect(breach.statusCode, breach.body).toBe(200);
    const draft = await post(`/api/v1/incidents/${x.id}/communications`, {
      audience: 'internal',
      subject: 'Status of {{reference}}',
      body: 'We are in {{phase}}.',
      recipients: ['support.lead@example.com'],
    });
    expect(draft.statusCode, draft.body).toBe(201);
    expect((await post(`/api/v1/incidents/${x.id}/communications/${draft.json().id}/send`)).statusCode).toBe(
      200,
    );
    const attach = async (id: string, text: string, filename: string) => {
      const res = await t.api({
        method: 'POST',
        url: `/api/v1/incidents/${id}/evidence?filename=${filename}`,
        payload: text,
        headers: { 'content-type': 'text/plain' },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as Json;
    };
    const token = await ingestToken();
    await ingest(token, 'x-only', 'orders');
    await ingest(token, 'x-and-y', 'orders');
    await ingest(token, 'x-window', 'payments');
    await ingest(token, 'nobody', 'billing');
    const marked = await post(`/api/v1/incidents/${x.id}/evidence-windows`, {
      from: '2026-01-05T09:00:00Z',
      to: '2026-01-05T10:00:01Z',
      reason: 'payments notes around the leak',
      entity: { service: 'payments' },
    });
    expect(marked.statusCode, marked.body).toBe(201);
    const signalIds = new Map((await storedSignals()).map((s) => [s.summary as string, s.id as string]));
    const link = (incidentId: string, title: string) =>
      db()
        .insertInto('incident_signals')
        .values({
          incident_id: incidentId,
          signal_id: signalIds.get(title)!,
          rule_id: null,
          linked_at: toDbInstant(t.clock.now()),
        })
        .execute();
    await link(x.id, 'note x-only');
    await link(x.id, 'note x-and-y');
    await link(y.id, 'note x-and-y');
    const shared = await attach(x.id, 'the same log excerpt', 'shared.txt');
    const own = await attach(x.id, 'only the first incident has this', 'own.txt');
    const kept = await attach(y.id, 'the same log excerpt', 'copy.txt');
    const xClosedAt = await close(x.id);
    t.clock.set('2026-02-05T10:00:00Z');
    const yClosedAt = await close(y.id);
    const xTimeline = (await d.timeline(x.id)).length;
    const outboxOfX = async () =>
      (await db().selectFrom('outbox').select('seq').where('incident_id', '=', x.id).execute()).length;
    expect(await outboxOfX()).toBeGreaterThan(0);

    // A day past X's 24 months (X closed 5 January 2026); Y closed a month later: 23 months ago.
    t.clock.set('2028-01-06T10:00:01Z');
    const preview = (await t.api({ method: 'GET', url: '/api/v1/retention/preview' })).json() as Json;
    expect(preview.evidence.due).toEqual([
      expect.objectContaining({
        reference: x.reference,
        closedAt: xClosedAt,
        dueAt: '2028-01-05T10:00:00.000Z',
      }),
    ]);
    expect(preview.evidence.held).toEqual([]);

    const auditBefore = await db().selectFrom('audit_log').select('seq').execute();
    const dry = await post('/api/v1/retention/run?dryRun=true');
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().incidents.map((i: Json) => i.reference)).toEqual([x.reference]);
    expect(dry.json().incidents[0].removed.timeline_entries.count).toBe(xTimeline);
    expect((await d.timeline(x.id)).length).toBe(xTimeline);
    expect(await db().selectFrom('audit_log').select('seq').execute()).toHaveLength(auditBefore.length);

    const run = await post('/api/v1/retention/run?dryRun=false');
    expect(run.statusCode, run.body).toBe(200);
    const [purge] = run.json().incidents as Json[];
    expect(run.json().incidents).toHaveLength(1);
    expect(purge!.removed).toMatchObject({
      timeline_entries: { count: xTimeline },
      reviews: { count: 1 },
      corrective_actions: { count: 1 },
      breach_records: { count: 1 },
      communications: { count: 1 },
    });
    expect(purge!.removed.outbox.count).toBeGreaterThan(0);
    // X's own signals (linked, and in its window) went with it; the one Y links too stays as Y's evidence.
    expect(purge!.removed).toMatchObject({
      signals: { count: 2 },
      incident_signals: { count: 2 },
      evidence_windows: { count: 1 },
    });
    expect((await storedSignals()).map((s) => s.summary)).toEqual(['note x-and-y']);
    // Both attached in the same instant: the vault lists them in id order.
    expect(purge!.attachments).toHaveLength(2);
    expect(purge!.attachments).toEqual(
      expect.arrayContaining([
        { itemId: shared.id, sha256: shared.sha256, sizeBytes: shared.sizeBytes, contentRemoved: false },
        { itemId: own.id, sha256: own.sha256, sizeBytes: own.sizeBytes, contentRemoved: true },
      ]),
    );

    // The tombstone: reference, dates and classification stay; the free text went.
    const tombstone = await d.get(x.id);
    expect(tombstone).toMatchObject({
      reference: x.reference,
      title: `${x.reference} (evidence purged)`,
      description: '',
    });
    expect(tombstone.closedAt).toBe(xClosedAt);
    expect(tombstone.evidencePurgedAt).toBe(t.clock.now().toISOString());
    expect(await d.timeline(x.id)).toEqual([]);
    // A tombstone cannot be reopened: there is nothing left to work on.
    const reopened = await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${x.id}/phase`,
      payload: { phase: 'identify', reason: 'new information' },
    });
    expect(reopened.statusCode).toBe(409);
    expect((reopened.json() as Json).detail).toContain('evidence was purged');
    for (const table of ['timeline_entries', 'reviews', 'corrective_actions'] as const)
      expect(await countFor(table, x.id)).toBe(0);
    expect(await outboxOfX()).toBe(0);
    const items = (await t.api({ method: 'GET', url: `/api/v1/incidents/${x.id}/evidence` })).json() as Json;
    expect(items.items.every((i: Json) => i.purgedAt !== null)).toBe(true);
    const content = (id: string, eid: string) =>
      t.api({ method: 'GET', url: `/api/v1/incidents/${id}/evidence/${eid}/content` });
    expect((await content(y.id, kept.id)).body).toBe('the same log excerpt');
    expect(await t.vigil.evidence.store.has(own.sha256)).toBe(false);
    expect(await t.vigil.evidence.store.has(shared.sha256)).toBe(true);

    // The pass purged the unlinked telemetry first (its own entry), then X: one entry for X.
    const [telemetry, entry, ...more] = await retentionAudits();
    expect(telemetry).toMatchObject({
      subject_type: 'signals',
      detail: { removed: { signals: { count: 1 } } },
    });
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ subject_type: 'incident', subject_id: x.id, actor: 'system:retention' });
    expect(entry!.detail.removed.timeline_entries).toEqual({
      count: xTimeline,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(entry!.detail.removed).toEqual(purge!.removed);
    expect(entry!.detail.attachments).toEqual(purge!.attachments);
    expect(entry!.detail.tombstone.stripped).toEqual(['title', 'description', 'triage_reason']);
    expect(await verifyChain()).toMatchObject({ ok: true });

    // Y is 23 months closed: all of it is still there. A second pass removes nothing more.
    expect((await d.get(y.id)).title).toBe('Odd grant');
    expect((await d.timeline(y.id)).length).toBeGreaterThan(0);
    expect(yClosedAt).toBe('2026-02-05T10:00:00.000Z');
    expect((await post('/api/v1/retention/run')).json().incidents).toEqual([]);
    expect(await retentionAudits()).toHaveLength(2);
  });

  it('keeps an incident under legal hold past 24 months and purges it once released', async () => {
    await start('2026-01-05T10:00:00Z');
    const x = await d.declare({ title: 'Disputed access', severity: 'medium', description: 'x' });
    await close(x.id);
    const holdUrl = `/api/v1/incidents/${x.id}/legal-hold`;
    const responder = await tokenFor('dana@example.com');
    const refused = await post(holdUrl, { reason: 'I think we should' }, responder);
    expect(refused.statusCode).toBe(403);
    const placed = await post(holdUrl, { reason: 'litigation notice from a customer' });
    expect(placed.statusCode, placed.body).toBe(201);
    expect(placed.json()).toMatchObject({ placedBy: 'user:admin@localhost', releasedAt: null });
    expect((await post(holdUrl, { reason: 'again' })).statusCode).toBe(409);
    expect((await d.timeline(x.id, 'decision')).map((e) => e.summary)).toContain(
      `legal hold placed: nothing of ${x.reference} is purged until it is released`,
    );

    t.clock.set('2028-03-01T10:00:00Z');
    const preview = (await t.api({ method: 'GET', url: '/api/v1/retention/preview' })).json() as Json;
    expect(preview.evidence.due).toEqual([]);
    expect(preview.evidence.held).toEqual([
      expect.objectContaining({
        reference: x.reference,
        hold: expect.objectContaining({ reason: 'litigation notice from a customer' }),
      }),
    ]);
    const held = (await post('/api/v1/retention/run')).json() as Json;
    expect(held.incidents).toEqual([]);
    expect(held.held.map((h: Json) => h.reference)).toEqual([x.reference]);
    expect((await d.get(x.id)).title).toBe('Disputed access');

    // The policy's primary owner may release it, with a reason; then the next pass purges.
    const cpo = await tokenFor('cpo@example.com');
    const released = await t.api({
      method: 'DELETE',
      url: holdUrl,
      payload: { reason: 'the claim was settled' },
      headers: { authorization: `Bearer ${cpo}` },
    });
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json()).toMatchObject({
      releasedBy: 'user:cpo@example.com',
      releaseReason: 'the claim was settled',
    });
    const view = (await t.api({ method: 'GET', url: holdUrl })).json() as Json;
    expect(view).toMatchObject({ active: null, evidencePurgedAt: null });
    expect(view.history).toHaveLength(1);
    expect((await post('/api/v1/retention/run')).json().incidents.map((i: Json) => i.reference)).toEqual([
      x.reference,
    ]);
    expect((await d.get(x.id)).title).toBe(`${x.reference} (evidence purged)`);
    expect((await post(holdUrl, { reason: 'too late' })).statusCode).toBe(409);
    expect(await verifyChain()).toMatchObject({ ok: true });
  });

  it('refuses bad input naming the field, and unauthorised callers, changing nothing', async () => {
    await start('2026-01-05T10:00:00Z');
    const x = await d.declare({ title: 'Probe', severity: 'medium', description: 'x' });
    const windowUrl = `/api/v1/incidents/${x.id}/evidence-windows`;
    const good = { from: '2026-01-05T08:00:00Z', to: '2026-01-05T09:00:00Z', reason: 'the probe' };
    const cases: [Json, string][] = [
      [{ ...good, to: '2026-01-05T07:00:00Z' }, 'body.to'],
      [{ ...good, from: 'yesterday' }, 'body.from'],
      [{ ...good, from: '2026-01-06T08:00:00Z', to: '2026-01-06T09:00:00Z' }, 'body.from'],
      [{ ...good, reason: '  ' }, 'body.reason'],
      [{ ...good, source: 'carrier-pigeon' }, 'body.source'],
      [{ ...good, entity: { service: 'a', host: 'b' } }, 'body.entity'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(windowUrl, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().errors.map((e: Json) => e.field)).toContain(field);
    }
    const missing = await post(`/api/v1/incidents/${x.id}/legal-hold`, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('body.reason');
    const responder = await tokenFor('dana@example.com');
    expect((await post(windowUrl, good, responder)).statusCode).toBe(403);
    expect((await post('/api/v1/retention/run', undefined, responder)).statusCode).toBe(403);
    expect((await post('/api/v1/retention/run?dryRun=maybe')).statusCode).toBe(400);
    expect((await t.api({ method: 'GET', url: windowUrl })).json().items).toEqual([]);
    expect(
      (await t.api({ method: 'GET', url: `/api/v1/incidents/${x.id}/legal-hold` })).json().history,
    ).toEqual([]);
    expect(await d.timeline(x.id, 'note')).toEqual([]);
  });

  it('runs the daily pass once per policy day, across cycles and a restart', async () => {
    await start('2026-01-05T10:00:00Z');
    const x = await d.declare({ title: 'Daily', severity: 'medium', description: 'x' });
    await close(x.id);
    const retentionModule = async (engine = t.vigil.engine) =>
      (await engine.runCycle()).modules.find((m) => m.name === 'retention');
    // 5 January 2028, 08:00 London: the day's pass runs, two hours before X is due.
    t.clock.set('2028-01-05T08:00:00Z');
    expect(await retentionModule()).toMatchObject({ processed: 0, failed: 0 });
    expect((await d.get(x.id)).title).toBe('Daily');
    // Due at 10:00; later the same day neither this engine nor a restarted one runs it again.
    t.clock.set('2028-01-05T23:00:00Z');
    await retentionModule();
    await t.vigil.engine.stop();
    const restarted = await t.another();
    try {
      const report = await restarted.engine.runCycle();
      expect(report.leader).toBe(true);
      expect(report.modules.find((m) => m.name === 'retention')).toMatchObject({ processed: 0 });
      expect((await d.get(x.id)).title).toBe('Daily');
      // The next London day it runs and purges.
      t.clock.advance(1 * DAY);
      expect(await retentionModule(restarted.engine)).toMatchObject({ processed: 1 });
      expect((await d.get(x.id)).title).toBe(`${x.reference} (evidence purged)`);
    } finally {
      await restarted.close();
    }
    const days = await db().selectFrom('retention_runs').selectAll().orderBy('day').execute();
    expect(days.map((r) => [r.day, r.finished_at !== null])).toEqual([
      ['2028-01-05', true],
      ['2028-01-06', true],
    ]);
  });
});
