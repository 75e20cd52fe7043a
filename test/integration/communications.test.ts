import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createSmtpMailer } from '../../src/outbox/outbox-mailer.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const FROM = 'Vigil <vigil@test.example>';
const SMTP_AUTH = { user: 'vigil-mailer', password: 's3cret pass' };
const base = {
  description: 'Orders API keys were exposed in a public log.',
  category: 'unauthorised_access',
};
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const to = (mail: { to?: unknown }) => (mail.to as { text: string }).text;
/** Mail to Acme's contacts only: the incident's own clocks also breach as the fake clock moves. */
const toAcme = (mails: SmtpSink['messages']) => mails.filter((m) => to(m).endsWith('@acme.example'));

/** Customer and internal communications through a real, authenticating SMTP server. */
describeEachDatabase('communications', (dialect) => {
  let t: TestVigil;
  let sink: SmtpSink;
  let d: ReturnType<typeof incidentDriver>;

  beforeEach(async () => {
    sink = await startSmtpSink({ auth: SMTP_AUTH });
    // Tuesday 10:00 BST, in business hours.
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z', smtp: { url: sink.url, from: FROM } });
    d = incidentDriver(t);
  });
  afterEach(async () => {
    await t.stop();
    await sink.stop();
  });

  const comms = (incident: string, rest = '') => `/api/v1/incidents/${incident}/communications${rest}`;
  const post = (url: string, payload?: Json) =>
    t.api({ method: 'POST', url, ...(payload ? { payload } : {}) });

  /** A high incident affecting Acme, whose security contact and DPO get customer messages. */
  async function incidentAffectingAcme(severity = 'high'): Promise<Json> {
    const customer = (
      await post('/api/v1/customers', {
        name: 'Acme Ltd',
        contacts: [
          { name: 'Sam Lee', email: 'sam@acme.example', role: 'security' },
          { name: 'Dee Diaz', email: 'dee@acme.example', role: 'dpo' },
        ],
      })
    ).json() as Json;
    const incident = await d.declare({ ...base, title: 'Leaked API keys', severity });
    await d.act(incident.id, 'affected-customers', {
      customerIds: [customer.id],
      reason: 'their keys were in the log',
    });
    return incident;
  }

  const draftUpdate = {
    audience: 'customers',
    template: 'customer_update',
    whatWeAreDoing: 'We revoked the exposed keys and are reviewing access logs.',
    whatYouShouldDo: 'Rotate your <b>API keys</b> & tokens today.',
  };

  it('needs the communications lead to approve a customer update, then delivers it to every contact', async () => {
    const incident = await incidentAffectingAcme();
    const created = await post(comms(incident.id), draftUpdate);
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json() as Json;
    expect(draft).toMatchObject({
      status: 'draft',
      approvers: ['communications_lead', 'owner'],
      deliveries: [],
    });

    const early = await post(comms(incident.id, `/${draft.id}/send`));
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toContain('approval');
    const notTheLead = await post(comms(incident.id, `/${draft.id}/approve`));
    expect(notTheLead.statusCode).toBe(403);
    expect(await t.vigil.outbox.list({ incidentId: incident.id, kind: 'communication.customers' })).toEqual(
      [],
    );

    await d.act(incident.id, 'roles', { role: 'communications_lead', user: 'admin@localhost' });
    const approved = await post(comms(incident.id, `/${draft.id}/approve`));
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', approvedBy: 'user:admin@localhost' });

    const preview = (await post(comms(incident.id, `/${draft.id}/preview`))).json() as Json;
    expect(preview.messages.map((m: Json) => m.recipient).sort()).toEqual([
      'dee@acme.example',
      'sam@acme.example',
    ]);
    const sam = preview.messages.find((m: Json) => m.recipient === 'sam@acme.example');
    expect(sam.subject).toContain(incident.reference);
    expect(sam.text).toContain('Hello Sam Lee');
    expect(sam.text).toContain('Rotate your <b>API keys</b> & tokens today.');
    expect(sam.html).toContain('Rotate your &lt;b&gt;API keys&lt;/b&gt; &amp; tokens today.');
    expect(sam.html).not.toContain('<b>');

    const before = (await d.get(incident.id)).sla.customerUpdate;
    t.clock.set('2026-04-07T10:00:00Z');
    const sent = await post(comms(incident.id, `/${draft.id}/send`));
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json().status).toBe('queued');
    // Sending through Vigil meets the cadence and restarts it from now.
    const after = (await d.get(incident.id)).sla.customerUpdate;
    expect(after.dueAt).not.toBe(before.dueAt);
    expect(after.startedAt).toBe('2026-04-07T10:00:00.000Z');
    expect((await post(comms(incident.id, `/${draft.id}/send`))).statusCode).toBe(409);

    await t.vigil.engine.runCycle();
    expect(sink.authenticatedUsers.length).toBeGreaterThan(0);
    expect(toAcme(sink.messages).map(to).sort()).toEqual(['dee@acme.example', 'sam@acme.example']);
    const view = (await t.api({ method: 'GET', url: comms(incident.id, `/${draft.id}`) })).json() as Json;
    expect(view.status).toBe('sent');
    for (const delivery of view.deliveries) {
      const mail = sink.messages.find((m) => to(m) === delivery.recipient)!;
      expect(mail.messageId).toBe(delivery.messageId);
      expect(mail.subject).toBe(delivery.subject);
      expect(mail.subject).toContain(incident.reference);
      expect(mail.text?.trim()).toBe(delivery.text.trim());
      expect(mail.html).toContain('&lt;b&gt;API keys&lt;/b&gt;');
      expect(delivery.response).toMatch(/^250/);
    }

    // Every word sent is on the timeline, with hashes of the bodies as sent.
    const records = (await d.timeline(incident.id, 'communication')).filter(
      (e) => String(e.summary).includes('delivered') && e.data.communicationId === draft.id,
    );
    expect(records).toHaveLength(2);
    for (const record of records) {
      const delivery = view.deliveries.find((x: Json) => x.recipient === record.data.recipient);
      expect(record.data).toMatchObject({
        messageId: delivery.messageId,
        textSha256: sha256(delivery.text),
        htmlSha256: sha256(delivery.html),
        communicationId: draft.id,
      });
    }
    const verified = (await t.api({ method: 'GET', url: '/api/v1/audit/verify' })).json() as Json;
    expect(verified.ok).toBe(true);
  });

  it('marks a recipient the server refuses with 550 failed and delivers to the others', async () => {
    const incident = await incidentAffectingAcme();
    await d.act(incident.id, 'roles', { role: 'communications_lead', user: 'admin@localhost' });
    sink.unknownRecipients.add('dee@acme.example');
    const draft = (await post(comms(incident.id), draftUpdate)).json() as Json;
    await post(comms(incident.id, `/${draft.id}/approve`));
    await post(comms(incident.id, `/${draft.id}/send`));
    await t.vigil.engine.runCycle();

    const view = (await t.api({ method: 'GET', url: comms(incident.id, `/${draft.id}`) })).json() as Json;
    expect(view.status).toBe('failed');
    const byRecipient = Object.fromEntries(view.deliveries.map((x: Json) => [x.recipient, x]));
    expect(byRecipient['sam@acme.example']).toMatchObject({ status: 'sent', attempts: 1 });
    // A permanent refusal is not retried.
    expect(byRecipient['dee@acme.example']).toMatchObject({ status: 'failed', attempts: 1 });
    expect(byRecipient['dee@acme.example'].lastError).toContain('550');
    expect(toAcme(sink.messages).map(to)).toEqual(['sam@acme.example']);
    const failures = (await d.timeline(incident.id, 'communication')).filter((e) =>
      String(e.summary).includes('failed for good'),
    );
    expect(failures.map((e) => e.data.recipient)).toEqual(['dee@acme.example']);

    t.clock.advance(2 * 60 * 60_000);
    await t.vigil.engine.runCycle();
    expect(toAcme(sink.messages)).toHaveLength(1);
  });

  it('sends internal messages without approval, free-form with variables checked when drafted', async () => {
    const incident = await d.declare({ ...base, title: 'Leaked API keys', severity: 'high' });
    const before = (await d.timeline(incident.id)).length;
    const unknown = await post(comms(incident.id), {
      audience: 'internal',
      subject: 'Status of {{reference}}',
      body: 'We are in {{phase}}. {{customerName}} is affected.',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().errors).toEqual([expect.objectContaining({ field: 'body.body' })]);
    expect(unknown.json().errors[0].reason).toContain('{{customerName}}');
    expect((await d.timeline(incident.id)).length).toBe(before);

    const draft = (
      await post(comms(incident.id), {
        audience: 'internal',
        subject: 'Status of {{reference}}',
        body: 'We are in {{phase}} on {{title}}.',
        recipients: ['Support.Lead@example.com'],
      })
    ).json() as Json;
    expect(draft.approvers).toEqual([]);
    const sent = await post(comms(incident.id, `/${draft.id}/send`));
    expect(sent.statusCode, sent.body).toBe(200);
    await t.vigil.engine.runCycle();
    // The incident's people (its owner) and the extra recipient.
    expect(sink.messages.map(to).sort()).toEqual(['cpo@example.com', 'support.lead@example.com']);
    expect(sink.messages[0]!.subject).toBe(`Status of ${incident.reference}`);
    expect(sink.messages[0]!.text).toContain('We are in Identify on Leaked API keys.');
    // An internal message does not count as a customer update.
    expect((await d.get(incident.id)).sla.customerUpdate.metAt ?? null).toBeNull();
  });

  it('refuses bad drafts with the field named, and writes nothing', async () => {
    const incident = await d.declare({ ...base, title: 'Leaked API keys', severity: 'high' });
    const before = (await d.timeline(incident.id)).length;
    const noCustomers = await post(comms(incident.id), draftUpdate);
    expect(noCustomers.statusCode).toBe(409);
    expect(noCustomers.json().detail).toContain('no affected customers');

    const withAcme = await incidentAffectingAcme();
    const cases: [Json, string][] = [
      [{ ...draftUpdate, template: 'internal_update' }, 'body.template'],
      [{ ...draftUpdate, template: 'escalation' }, 'body.template'],
      [{ ...draftUpdate, template: 'no_such_template' }, 'body.template'],
      [{ ...draftUpdate, whatWeAreDoing: undefined }, 'body.whatWeAreDoing'],
      [{ ...draftUpdate, customerIds: ['7d9c7d1e-1111-4222-8333-944445555666'] }, 'body.customerIds'],
      [{ ...draftUpdate, subject: 'x' }, 'body.template'],
      [{ audience: 'customers' }, 'body.subject'],
      [{ ...draftUpdate, audience: 'everyone' }, 'body.audience'],
      [{ ...draftUpdate, recipients: ['not-an-email'] }, 'body.recipients.0'],
    ];
    const auditBefore = (await t.vigil.audit.verify()).entries;
    for (const [payload, field] of cases) {
      const res = await post(comms(withAcme.id), payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: Json) => e.field)).toContain(field);
    }
    expect((await t.vigil.audit.verify()).entries).toBe(auditBefore);
    expect((await t.api({ method: 'GET', url: comms(withAcme.id) })).json().items).toEqual([]);
    expect((await d.timeline(incident.id)).length).toBe(before);
    expect((await post(comms('INC-999'), draftUpdate)).statusCode).toBe(404);
    const missing = await post(comms(withAcme.id, '/7d9c7d1e-1111-4222-8333-944445555666/send'));
    expect(missing.statusCode).toBe(404);
  });

  it('lets a revision withdraw the approval, so the changed words need approving again', async () => {
    const incident = await incidentAffectingAcme();
    await d.act(incident.id, 'roles', { role: 'communications_lead', user: 'admin@localhost' });
    const draft = (await post(comms(incident.id), draftUpdate)).json() as Json;
    await post(comms(incident.id, `/${draft.id}/approve`));
    const revised = await t.api({
      method: 'PUT',
      url: comms(incident.id, `/${draft.id}`),
      payload: { ...draftUpdate, whatYouShouldDo: 'Nothing for now.' },
    });
    expect(revised.statusCode, revised.body).toBe(200);
    expect(revised.json()).toMatchObject({ status: 'draft', approvedBy: null });
    expect((await post(comms(incident.id, `/${draft.id}/send`))).statusCode).toBe(409);
  });

  it('reminds the communications lead when a customer update is at risk, and escalates its breach', async () => {
    const incident = await incidentAffectingAcme();
    await d.act(incident.id, 'roles', { role: 'communications_lead', user: 'admin@localhost' });
    const cadence = (await d.get(incident.id)).sla.customerUpdate;
    t.clock.set(cadence.atRiskAt);
    await t.vigil.engine.runCycle();
    const reminders = sink.messages.filter((m) => to(m) === 'admin@localhost');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.subject).toContain(incident.reference);
    expect(reminders[0]!.text).toContain('at risk');

    t.clock.set(cadence.dueAt);
    await t.vigil.engine.runCycle();
    const escalations = (
      await t.vigil.outbox.list({ incidentId: incident.id, kind: 'sla.escalation' })
    ).filter((m) => m.payload.clock === 'customerUpdate');
    expect(escalations.map((m) => m.recipient).sort()).toEqual(['cpo@example.com', 'cto@example.com']);
    expect(escalations.every((m) => m.status === 'sent')).toBe(true);
    const mail = sink.messages.find((m) => m.messageId === `<outbox-${escalations[0]!.id}@vigil>`)!;
    expect(mail.subject).toContain('customer update');
  });

  it('prompts a customer update at each phase change of a medium incident', async () => {
    const incident = await d.declare({ ...base, title: 'Odd permission change', severity: 'medium' });
    await d.act(incident.id, 'roles', { role: 'communications_lead', user: 'admin@localhost' });
    await d.act(incident.id, 'phase', { phase: 'contain', override: true, reason: 'moving on for the test' });
    const prompts = await t.vigil.outbox.list({
      incidentId: incident.id,
      kind: 'communication.update_reminder',
    });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({ recipient: 'admin@localhost', payload: { reason: 'milestone' } });
    expect(prompts[0]!.bodyText).toContain('Contain');
  });

  it('keeps the Message-ID when a sender dies after sending but before recording it', async () => {
    const incident = await incidentAffectingAcme();
    await d.act(incident.id, 'roles', { role: 'communications_lead', user: 'admin@localhost' });
    const draft = (await post(comms(incident.id), draftUpdate)).json() as Json;
    await post(comms(incident.id, `/${draft.id}/approve`));
    await post(comms(incident.id, `/${draft.id}/send`));
    const [row] = await t.vigil.outbox.list({ communicationIds: [draft.id] });

    // Another sender claims the row, sends it, and dies before marking it sent.
    const db = t.vigil.database.kysely;
    const { createOutboxDal } = await import('../../src/outbox/outbox-dal.ts');
    const dal = createOutboxDal();
    const claimed = await db
      .transaction()
      .execute((trx) => dal.claim(trx, row!.id, row!.nextAttemptAt, new Date('2026-04-07T09:02:00.000Z')));
    expect(claimed).toBe(true);
    const dying = createSmtpMailer({ url: sink.url, from: FROM });
    await dying.send({
      messageId: `<outbox-${row!.id}@vigil>`,
      to: row!.recipient,
      subject: row!.subject,
      text: row!.bodyText!,
    });
    dying.close();

    t.clock.set('2026-04-07T09:02:00Z');
    await t.vigil.engine.runCycle();
    const copies = sink.messages.filter((m) => to(m) === row!.recipient);
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((m) => m.messageId))).toEqual(new Set([`<outbox-${row!.id}@vigil>`]));
  });

  it('raises an internal alert when delivery stalls, and delivers everything once the server is back', async () => {
    sink.rejecting = true;
    const incident = await d.declare({ ...base, title: 'During an outage', severity: 'high' });
    const draft = (
      await post(comms(incident.id), {
        audience: 'internal',
        subject: 'Heads up',
        body: 'Working on {{reference}}.',
      })
    ).json() as Json;
    await post(comms(incident.id, `/${draft.id}/send`));
    await t.vigil.engine.runCycle();
    expect((await t.api({ method: 'GET', url: '/api/v1/outbox' })).json()).toMatchObject({
      pending: 1,
      delayed: false,
    });

    t.clock.set('2026-04-07T09:31:00Z');
    await t.vigil.engine.runCycle();
    const health = (await t.api({ method: 'GET', url: '/api/v1/outbox' })).json() as Json;
    expect(health.delayed).toBe(true);
    const alerts = await t.vigil.outbox.list({ kind: 'outbox.delivery_delayed' });
    expect(alerts.map((a) => a.recipient)).toEqual(['cpo@example.com']);
    t.clock.set('2026-04-07T09:35:00Z');
    await t.vigil.engine.runCycle();
    expect(await t.vigil.outbox.list({ kind: 'outbox.delivery_delayed' })).toHaveLength(1);

    sink.rejecting = false;
    t.clock.set('2026-04-07T11:00:00Z');
    await t.vigil.engine.runCycle();
    const watched = [...(await t.vigil.outbox.list({ communicationIds: [draft.id] })), ...alerts];
    expect(watched).toHaveLength(2);
    for (const row of watched) {
      const copies = sink.messages.filter((m) => m.messageId === `<outbox-${row.id}@vigil>`);
      expect(copies.map(to)).toEqual(['cpo@example.com']);
    }
    expect((await t.api({ method: 'GET', url: '/api/v1/outbox' })).json()).toMatchObject({
      pending: 0,
      delayed: false,
    });
  });
});
