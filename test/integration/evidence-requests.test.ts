import { createHash } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const REQUEST = {
  name: 'Ada Auditor',
  organisation: 'Acme Assurance',
  email: 'Ada@Acme.example',
  need: 'Evidence of how the March incident was handled, for our ISO 27001 audit.',
};

/** Customers' and auditors' evidence requests: public intake, staff handling, and links that answer them. */
describeEachDatabase('evidence requests', (dialect) => {
  let t: TestVigil;
  afterEach(async () => {
    await t.stop();
  });

  // Thursday 30 April 2026, 10:30 in London; Monday 4 May is a bank holiday.
  const start = async () => {
    t = await startTestVigil(dialect, {
      now: '2026-04-30T09:30:00Z',
      publicUrl: 'https://vigil.example.com',
    });
  };
  const submit = (payload: Json, remoteAddress = '203.0.113.7') =>
    t.vigil.http.inject({ method: 'POST', url: '/trust/evidence-requests', payload, remoteAddress });
  const submitForm = (fields: Record<string, string>, remoteAddress = '203.0.113.8') =>
    t.vigil.http.inject({
      method: 'POST',
      url: '/trust/evidence-requests',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
      remoteAddress,
    });
  const list = async (query = '') =>
    ((await t.api({ method: 'GET', url: `/api/v1/evidence-requests${query}` })).json() as Json)
      .items as Json[];
  const auditActions = async (action: string) =>
    t.vigil.database.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
  const outboxOf = (kind: string) => t.vigil.outbox.list({ kind });

  async function received(): Promise<Json> {
    expect((await submit(REQUEST)).statusCode).toBe(202);
    const [request] = await list();
    return request!;
  }

  it('stores a public submission, due ten business days later (skipping the bank holiday), and emails the owner', async () => {
    await start();
    const answer = await submit({
      ...REQUEST,
      incident: 'INC-1',
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
    });
    expect(answer.statusCode).toBe(202);
    expect(answer.json()).toEqual({ status: 'received' });

    const [request, ...others] = await list();
    expect(others).toEqual([]);
    expect(request).toMatchObject({
      reference: 'ER-2026-0001',
      requesterName: 'Ada Auditor',
      organisation: 'Acme Assurance',
      email: 'ada@acme.example',
      incidentHint: 'INC-1',
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
      status: 'received',
      ownerEmail: 'cpo@example.com',
      receivedAt: '2026-04-30T09:30:00.000Z',
      // 6.5 h on Thursday, then eight business days of 8 h, and 1.5 h on Friday 15 May.
      dueAt: '2026-05-15T09:30:00.000Z',
      overdue: false,
    });
    expect(request).not.toHaveProperty('sourceIpHash');
    const stored = await t.vigil.database.kysely
      .selectFrom('evidence_requests')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(stored.source_ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain('203.0.113.7');

    const mails = await outboxOf('evidence_request.received');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ recipient: 'cpo@example.com', incidentId: null });
    expect(mails[0]!.subject).toBe(
      'Evidence request ER-2026-0001 from Acme Assurance, due 15 May 2026, 10:30 BST',
    );
    expect(mails[0]!.bodyText).toContain('Incident as they named it: INC-1.');
    expect(await auditActions('evidence_request.received')).toHaveLength(1);

    t.clock.set('2026-05-15T09:31:00Z');
    expect((await list('?overdue=true')).map((r) => r.reference)).toEqual(['ER-2026-0001']);
    expect(await list('?status=answered')).toEqual([]);
  });

  it('answers identically whether or not the named incident exists, for JSON and for the form', async () => {
    await start();
    const incident = await incidentDriver(t).declare({
      title: 'Exposed key',
      severity: 'high',
      description: 'x',
    });
    const real = await submit({ ...REQUEST, incident: incident.reference });
    const unknown = await submit({ ...REQUEST, incident: 'INC-99999' }, '203.0.113.9');
    expect(real.statusCode).toBe(202);
    expect([unknown.statusCode, unknown.body, unknown.headers['content-type']]).toEqual([
      real.statusCode,
      real.body,
      real.headers['content-type'],
    ]);
    const formReal = await submitForm({ ...REQUEST, incident: incident.reference });
    const formUnknown = await submitForm(
      { ...REQUEST, incident: 'INC-99999', periodFrom: '' },
      '203.0.113.10',
    );
    expect(formReal.statusCode).toBe(202);
    expect(formReal.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(formReal.headers['content-security-policy']).toContain("default-src 'none'");
    expect(formReal.body).toContain('Request received');
    expect(formUnknown.body).toBe(formReal.body);
    expect((await list()).map((r) => r.incidentHint).sort()).toEqual(
      [incident.reference, incident.reference, 'INC-99999', 'INC-99999'].sort(),
    );
  });

  it('refuses bad input with a 400 naming the field and stores nothing', async () => {
    await start();
    const bad = await submit({ ...REQUEST, email: 'not-an-address' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.json() as Json).errors.map((e: Json) => e.field)).toEqual(['body.email']);

    const reversed = await submit(
      { ...REQUEST, periodFrom: '2026-03-31', periodTo: '2026-03-01' },
      '203.0.113.20',
    );
    expect((reversed.json() as Json).errors).toEqual([
      { field: 'body.periodTo', reason: 'must not be before periodFrom' },
    ]);
    const extra = await submit({ ...REQUEST, admin: true }, '203.0.113.21');
    expect((extra.json() as Json).errors).toEqual([{ field: 'body.admin', reason: 'is not a known field' }]);

    const form = await submitForm({ name: 'Ada', organisation: 'Acme', email: 'ada@acme.example' });
    expect(form.statusCode).toBe(400);
    expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(form.body).toContain('<li>need: ');

    const huge = await submit({ ...REQUEST, need: 'x'.repeat(20_000) }, '203.0.113.22');
    expect(huge.statusCode).toBe(413);
    const plain = await t.vigil.http.inject({
      method: 'POST',
      url: '/trust/evidence-requests',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
      remoteAddress: '203.0.113.23',
    });
    expect(plain.statusCode).toBe(415);

    expect(await list()).toEqual([]);
    expect(await outboxOf('evidence_request.received')).toEqual([]);
    expect(await auditActions('evidence_request.received')).toEqual([]);
  });

  it('rate-limits each client address with a 429 and Retry-After', async () => {
    await start();
    for (let i = 0; i < 5; i += 1) expect((await submit(REQUEST)).statusCode).toBe(202);
    const limited = await submit(REQUEST);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.headers['retry-after']).toBe('900');
    expect((await submit(REQUEST, '198.51.100.1')).statusCode).toBe(202);
    t.clock.set('2026-04-30T09:45:01Z');
    expect((await submit(REQUEST)).statusCode).toBe(202);
    expect(await list()).toHaveLength(7);
  });

  it('shares a report by a link whose secret is shown once, stored as a hash, emailed, and audited on download', async () => {
    await start();
    const request = await received();
    const created = await t.api({
      method: 'POST',
      url: `/api/v1/evidence-requests/${request.id}/shares`,
      payload: { kind: 'report', report: 'sla', from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const share = created.json() as Json;
    expect(share).toMatchObject({
      kind: 'report',
      report: 'sla',
      format: 'html',
      recipientEmail: 'ada@acme.example',
      // The policy's 14 days.
      expiresAt: '2026-05-14T09:30:00.000Z',
      downloadCount: 0,
    });
    // The link names the public address (VIGIL_PUBLIC_URL), not the one the staff member used.
    expect(share.url).toMatch(/^https:\/\/vigil\.example\.com\/shared\//);
    const secret = /\/shared\/([A-Za-z0-9_-]{43})$/.exec(share.url)![1]!;
    const row = await t.vigil.database.kysely
      .selectFrom('evidence_shares')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(secret);

    const detail = (
      await t.api({ method: 'GET', url: `/api/v1/evidence-requests/${request.reference}` })
    ).json() as Json;
    expect(detail.status).toBe('answered');
    expect(detail.answeredAt).toBe('2026-04-30T09:30:00.000Z');
    expect(detail.shares).toHaveLength(1);
    expect(JSON.stringify(detail)).not.toContain(secret);
    expect(JSON.stringify(detail)).not.toContain(row.token_hash);
    const mails = await outboxOf('evidence_request.shared');
    expect(mails.map((m) => m.recipient)).toEqual(['ada@acme.example']);
    expect(mails[0]!.bodyText).toContain(share.url);

    t.clock.set('2026-05-01T12:00:00Z');
    const download = await t.vigil.http.inject({ method: 'GET', url: `/shared/${secret}` });
    expect(download.statusCode, download.body).toBe(200);
    expect(download.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(download.headers['content-disposition']).toBe(
      'attachment; filename="sla-report-2026-01-01-2026-04-01.html"',
    );
    expect(download.headers['referrer-policy']).toBe('no-referrer');
    const after = await t.vigil.database.kysely
      .selectFrom('evidence_shares')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect([Number(after.download_count), after.last_downloaded_at]).toEqual([1, '2026-05-01T12:00:00.000Z']);
    const audited = await auditActions('evidence.share_downloaded');
    expect(audited).toHaveLength(1);
    expect(JSON.parse(audited[0]!.detail)).toMatchObject({
      shareId: share.id,
      recipient: 'ada@acme.example',
    });
    expect((await t.vigil.audit.verify()).ok).toBe(true);
  });

  it("shares an incident's evidence package through a link", async () => {
    await start();
    const incident = await incidentDriver(t).declare({
      title: 'Exposed key',
      severity: 'high',
      description: 'x',
    });
    const request = await received();
    const created = await t.api({
      method: 'POST',
      url: `/api/v1/evidence-requests/${request.id}/shares`,
      payload: { kind: 'package', incidentId: incident.reference },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ kind: 'package', incidentId: incident.id });
    const download = await t.vigil.http.inject({
      method: 'GET',
      url: new URL((created.json() as Json).url).pathname,
    });
    expect(download.statusCode, download.body).toBe(200);
    expect(download.headers['content-type']).toBe('application/zip');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="${incident.reference}-evidence.zip"`,
    );
    expect(download.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const audited = await auditActions('evidence.share_downloaded');
    expect(JSON.parse(audited[0]!.detail)).toMatchObject({ kind: 'package', incidentId: incident.id });
  });

  it('answers an expired, a revoked and an unknown link with the same 404', async () => {
    await start();
    const request = await received();
    const makeShare = async (expiresAt?: string) => {
      const res = await t.api({
        method: 'POST',
        url: `/api/v1/evidence-requests/${request.id}/shares`,
        payload: {
          kind: 'report',
          report: 'actions',
          from: '2026-01-01T00:00:00Z',
          to: '2026-04-01T00:00:00Z',
          expiresAt,
        },
      });
      expect(res.statusCode, res.body).toBe(201);
      const json = res.json() as Json;
      return { id: json.id as string, path: new URL(json.url).pathname };
    };
    const soon = await makeShare('2026-04-30T10:30:00Z');
    const revoked = await makeShare();
    expect((await t.vigil.http.inject({ method: 'GET', url: revoked.path })).statusCode).toBe(200);
    const revoke = await t.api({
      method: 'DELETE',
      url: `/api/v1/evidence-requests/${request.id}/shares/${revoked.id}`,
    });
    expect(revoke.statusCode).toBe(200);
    expect((revoke.json() as Json).revokedAt).toBe('2026-04-30T09:30:00.000Z');
    const again = await t.api({
      method: 'DELETE',
      url: `/api/v1/evidence-requests/${request.id}/shares/${revoked.id}`,
    });
    expect(again.statusCode).toBe(409);
    t.clock.set('2026-04-30T11:00:00Z');

    const shape = async (path: string) => {
      const res = await t.vigil.http.inject({ method: 'GET', url: path });
      const { type, title, status, detail } = res.json() as Json;
      return { code: res.statusCode, contentType: res.headers['content-type'], type, title, status, detail };
    };
    const unknown = await shape('/shared/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.code).toBe(404);
    expect(await shape(soon.path)).toEqual(unknown);
    expect(await shape(revoked.path)).toEqual(unknown);
    // The answer never echoes the link's secret (nor do the logs: see logger.test.ts).
    const refused = await t.vigil.http.inject({ method: 'GET', url: soon.path });
    expect(refused.body).not.toContain(soon.path.split('/').at(-1));
    expect((refused.json() as Json).instance).toBe('/shared/[redacted]');
    expect(await auditActions('evidence.share_downloaded')).toHaveLength(1);
  });

  it('validates status transitions, refusing illegal ones with 409', async () => {
    await start();
    const request = await received();
    const patch = (payload: Json) =>
      t.api({ method: 'PATCH', url: `/api/v1/evidence-requests/${request.id}`, payload });
    const started = await patch({ status: 'in_progress', owner: 'cto@example.com' });
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ status: 'in_progress', ownerEmail: 'cto@example.com' });
    const back = await patch({ status: 'received' });
    expect(back.statusCode).toBe(409);
    expect((back.json() as Json).allowed).toEqual(['answered', 'declined']);
    const noReason = await patch({ status: 'declined' });
    expect(noReason.statusCode).toBe(400);
    expect((noReason.json() as Json).errors[0].field).toBe('body.declineReason');
    const declined = await patch({
      status: 'declined',
      declineReason: 'We cannot share other customers’ data.',
    });
    expect(declined.json()).toMatchObject({
      status: 'declined',
      declineReason: 'We cannot share other customers’ data.',
    });
    expect((await patch({ status: 'answered' })).statusCode).toBe(409);
    const share = await t.api({
      method: 'POST',
      url: `/api/v1/evidence-requests/${request.id}/shares`,
      payload: { kind: 'report', report: 'sla', from: '2026-01-01T00:00:00Z', to: '2026-04-01T00:00:00Z' },
    });
    expect(share.statusCode).toBe(409);
    expect(await auditActions('evidence_request.updated')).toHaveLength(2);
    expect((await t.api({ method: 'GET', url: '/api/v1/evidence-requests/ER-2026-0099' })).statusCode).toBe(
      404,
    );
  });

  it('needs a token for the staff API and refuses a package share for an unknown incident', async () => {
    await start();
    const request = await received();
    const anonymous = await t.vigil.http.inject({ method: 'GET', url: '/api/v1/evidence-requests' });
    expect(anonymous.statusCode).toBe(401);
    const unknown = await t.api({
      method: 'POST',
      url: `/api/v1/evidence-requests/${request.id}/shares`,
      payload: { kind: 'package', incidentId: 'INC-4242' },
    });
    expect(unknown.statusCode).toBe(404);
    const past = await t.api({
      method: 'POST',
      url: `/api/v1/evidence-requests/${request.id}/shares`,
      payload: {
        kind: 'report',
        report: 'sla',
        from: '2026-01-01T00:00:00Z',
        to: '2026-04-01T00:00:00Z',
        expiresAt: '2026-04-01T00:00:00Z',
      },
    });
    expect((past.json() as Json).errors).toEqual([
      { field: 'body.expiresAt', reason: 'must be in the future' },
    ]);
    expect(await t.vigil.database.kysely.selectFrom('evidence_shares').selectAll().execute()).toEqual([]);
  });
});
