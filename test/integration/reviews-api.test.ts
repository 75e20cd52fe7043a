import { afterEach, expect, it } from 'vitest';
import { incidentDriver } from '../support/incident-driver.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const review = {
  summary: 'An exposed key let an outsider read the orders table.',
  rootCause: 'A deploy script printed secrets into a public log.',
  impact: 'Orders of 40 customers were readable for two hours.',
  lessons: 'Secrets never reach logs; scan logs for secrets.',
  customerSummary: 'A configuration mistake exposed some order data briefly; it is fixed.',
  contributingFactors: ['no secret scanning', 'public log bucket'],
  whys: ['The key was in the log', 'The script echoed its environment', 'Nobody reviewed the script'],
};

/** Post-incident reviews gate closing; actions are tracked and chased by email. */
describeEachDatabase('reviews and actions', (dialect) => {
  let t: TestVigil;
  let d: ReturnType<typeof incidentDriver>;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await t.stop();
    await sink?.stop();
    sink = undefined;
  });

  async function start(options: { smtp?: boolean } = {}) {
    if (options.smtp) sink = await startSmtpSink();
    t = await startTestVigil(dialect, {
      now: '2026-04-07T09:00:00Z',
      ...(sink ? { smtp: { url: sink.url, from: 'Vigil <vigil@test.example>' } } : {}),
    });
    d = incidentDriver(t);
  }

  const phase = (id: string, to: string) =>
    t.api({
      method: 'POST',
      url: `/api/v1/incidents/${id}/phase`,
      payload: { phase: to, override: true, reason: 'for the test' },
    });

  async function toReview(id: string) {
    for (const p of ['contain', 'eradicate', 'recover', 'review'])
      expect((await phase(id, p)).statusCode).toBe(200);
  }

  it('will not close a high incident without an approved review, and closes it once approved', async () => {
    await start();
    const incident = await d.declare({ title: 'Exposed key', severity: 'high', description: 'x' });
    await toReview(incident.id);
    const refused = await phase(incident.id, 'closed');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('needs a post-incident review approved by its owner');
    expect(refused.json().detail).toContain('it has no review');

    const url = `/api/v1/incidents/${incident.id}/review`;
    const written = await t.api({ method: 'PUT', url, payload: review });
    expect(written.statusCode, written.body).toBe(200);
    expect(written.json()).toMatchObject({ required: true, review: { state: 'draft', version: 1 } });
    expect((await phase(incident.id, 'closed')).json().detail).toContain('its review is draft');
    expect((await t.api({ method: 'POST', url: `${url}/approve` })).statusCode).toBe(409);
    expect((await t.api({ method: 'POST', url: `${url}/submit` })).json().review.state).toBe('in_review');
    // The admin is not the incident's owner until the owner hands over.
    expect((await t.api({ method: 'POST', url: `${url}/approve` })).statusCode).toBe(403);
    await d.act(incident.id, 'handover', { to: 'admin@localhost', reason: 'the CTO runs the review' });
    const approved = await t.api({ method: 'POST', url: `${url}/approve` });
    expect(approved.json().review).toMatchObject({ state: 'approved', approvedBy: 'user:admin@localhost' });
    expect((await phase(incident.id, 'closed')).statusCode).toBe(200);

    const markdown = await t.api({ method: 'GET', url: `${url}/export` });
    expect(markdown.headers['content-type']).toContain('text/markdown');
    expect(markdown.body).toContain(`# Post-incident review: ${incident.reference}`);
    expect(markdown.body).toContain('Nobody reviewed the script');
    const pdf = await t.api({ method: 'GET', url: `${url}/export?format=pdf` });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('lets a medium incident close without a review, but not one that was ever high', async () => {
    await start();
    const medium = await d.declare({ title: 'Odd grant', severity: 'medium', description: 'x' });
    await toReview(medium.id);
    expect((await phase(medium.id, 'closed')).statusCode).toBe(200);

    const downgraded = await d.declare({ title: 'Scare', severity: 'high', description: 'x' });
    await d.act(downgraded.id, 'severity', { severity: 'medium', reason: 'smaller than feared' });
    await toReview(downgraded.id);
    const refused = await phase(downgraded.id, 'closed');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain('its highest severity was high');
  });

  it('reminds an action’s owner before its date and escalates it when overdue, by real email', async () => {
    await start({ smtp: true });
    const incident = await d.declare({ title: 'Exposed key', severity: 'high', description: 'x' });
    const created = await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/actions`,
      payload: {
        title: 'Scan logs for secrets',
        kind: 'preventive',
        owner: 'cto@example.com',
        dueDate: '2026-04-20',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const action = created.json() as Json;
    const mails = () =>
      sink!.messages.filter((m) => m.subject?.includes('Scan logs for secrets')).map((m) => m.subject);

    await t.vigil.engine.runCycle();
    expect(mails()).toEqual([]);
    t.clock.set('2026-04-13T09:00:00Z'); // 7 days before
    await t.vigil.engine.runCycle();
    expect(mails()).toEqual([`[${incident.reference}] Action due in 7 days: Scan logs for secrets`]);
    t.clock.set('2026-04-19T09:00:00Z');
    await t.vigil.engine.runCycle();
    t.clock.set('2026-04-21T09:00:00Z'); // the day after its date
    await t.vigil.engine.runCycle();
    await t.vigil.engine.runCycle();
    const overdue = sink!.messages.filter((m) => m.subject?.includes('overdue'));
    expect(overdue.map((m) => (m.to as { text: string }).text).sort()).toEqual([
      'cpo@example.com',
      'cto@example.com',
    ]);
    expect(mails()).toHaveLength(4);

    const listed = (await t.api({ method: 'GET', url: '/api/v1/actions?overdue=true' })).json() as Json;
    expect(listed.items.map((a: Json) => a.id)).toEqual([action.id]);
    const byOwner = (
      await t.api({ method: 'GET', url: '/api/v1/actions?owner=someone@example.com' })
    ).json() as Json;
    expect(byOwner.items).toEqual([]);
  });

  it("closes an action as won't do only with a reason from its owner", async () => {
    await start();
    const incident = await d.declare({ title: 'x', severity: 'medium', description: 'y' });
    const action = (
      await t.api({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/actions`,
        payload: {
          title: 'Rewrite the deploy tool',
          kind: 'corrective',
          owner: 'admin@localhost',
          dueDate: '2026-05-01',
        },
      })
    ).json() as Json;
    const url = `/api/v1/actions/${action.id}`;
    expect((await t.api({ method: 'PATCH', url, payload: { status: 'wont_do' } })).statusCode).toBe(400);
    const closed = await t.api({
      method: 'PATCH',
      url,
      payload: { status: 'wont_do', wontDoReason: 'The tool is retired next month.' },
    });
    expect(closed.json()).toMatchObject({ status: 'wont_do', signedOffBy: 'user:admin@localhost' });
    expect((await t.api({ method: 'PATCH', url, payload: { status: 'done' } })).statusCode).toBe(409);

    const other = (
      await t.api({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/actions`,
        payload: {
          title: 'Add alerting',
          kind: 'preventive',
          owner: 'cto@example.com',
          dueDate: '2026-05-01',
        },
      })
    ).json() as Json;
    const refused = await t.api({
      method: 'PATCH',
      url: `/api/v1/actions/${other.id}`,
      payload: { status: 'wont_do', wontDoReason: 'no' },
    });
    expect(refused.statusCode).toBe(403);
    const past = await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/actions`,
      payload: { title: 'Late', kind: 'preventive', owner: 'cto@example.com', dueDate: '2026-01-01' },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().errors[0].field).toBe('body.dueDate');
  });
});
