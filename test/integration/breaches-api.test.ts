import { afterEach, expect, it } from 'vitest';
import { policyWithRegimes } from '../../src/policy/fixtures/policy-regimes.ts';
import { copyDefaultPolicyFolder } from '../../src/policy/fixtures/policy-variants.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const record = {
  role: 'controller',
  nature: ['confidentiality'],
  dataCategories: ['contact details', 'order history'],
  peopleCategories: ['customers'],
  approxPeople: 1200,
  approxRecords: 48000,
  likelyConsequences: 'Phishing aimed at the customers concerned.',
  measuresTaken: 'Access revoked; credentials rotated.',
  measuresProposed: 'Tell the people concerned; review access to the table.',
  contactPoint: 'dpo@example.com',
};

/** Personal data breaches over the API: the legal clocks, the assessment, reports and the register. */
describeEachDatabase('breaches API', (dialect) => {
  let t: TestVigil;
  let d: ReturnType<typeof incidentDriver>;
  afterEach(async () => t.stop());

  async function start(now: string, policyPath?: string) {
    t = await startTestVigil(dialect, { now, ...(policyPath ? { policyPath } : {}) });
    d = incidentDriver(t);
  }
  const put = (id: string, payload: Json) =>
    t.api({ method: 'PUT', url: `/api/v1/incidents/${id}/breach`, payload });
  const post = (url: string, payload?: Json) =>
    t.api({ method: 'POST', url, ...(payload ? { payload } : {}) });

  it('runs the 72-hour clocks in calendar hours from a Friday evening confirmation', async () => {
    // Friday 10 April 2026, 19:00 BST.
    await start('2026-04-10T18:00:00Z');
    const incident = await d.declare({
      title: 'Customer table read',
      severity: 'low',
      description: 'Bulk read',
    });
    const res = await put(incident.id, {
      ...record,
      status: 'confirmed',
      awarenessAt: '2026-04-10T17:30:00Z',
      confirmedAt: '2026-04-10T17:30:00Z',
    });
    expect(res.statusCode, res.body).toBe(200);
    const view = await d.get(incident.id);
    // Monday 13 April, 18:30 BST: the weekend counts.
    expect(view.breach.clocks.regulator).toMatchObject({
      dueAt: '2026-04-13T17:30:00.000Z',
      state: 'pending',
    });
    expect(view.breach.clocks.customer).toMatchObject({
      dueAt: '2026-04-13T17:30:00.000Z',
      state: 'pending',
    });

    // Awareness a day earlier moves the regulator clock only.
    await put(incident.id, { ...record, status: 'confirmed', awarenessAt: '2026-04-09T10:00:00Z' });
    const moved = await d.get(incident.id);
    expect(moved.breach.clocks.regulator.dueAt).toBe('2026-04-12T10:00:00.000Z');
    expect(moved.breach.clocks.customer.dueAt).toBe('2026-04-13T17:30:00.000Z');
    const breach = (
      await t.api({ method: 'GET', url: `/api/v1/incidents/${incident.id}/breach` })
    ).json() as Json;
    expect(breach.versions.map((v: Json) => v.version)).toEqual([1, 2]);
    expect((await d.timeline(incident.id, 'breach')).map((e) => e.summary)).toEqual([
      'breach record v1: confirmed, controller',
      'breach record v2: confirmed, controller',
    ]);

    // Nothing pauses a legal clock: a severity change leaves the due times where they were.
    await d.act(incident.id, 'severity', { severity: 'critical', reason: 'it is a breach' });
    expect((await d.get(incident.id)).breach.clocks.regulator.dueAt).toBe('2026-04-12T10:00:00.000Z');
  });

  it('needs the approver before a regulator report is submitted, and reasons when it is late', async () => {
    await start('2026-04-07T09:00:00Z');
    const incident = await d.declare({
      title: 'Leaked export',
      severity: 'high',
      description: 'An export was public',
    });
    await put(incident.id, { ...record, status: 'confirmed', awarenessAt: '2026-04-07T08:00:00Z' });
    let breach = (
      await post(`/api/v1/incidents/${incident.id}/breach/submissions`, {
        regime: 'uk-gdpr',
        obligation: 'regulator',
      })
    ).json() as Json;
    const draft = breach.submissions[0];
    expect(draft).toMatchObject({ status: 'draft', regime: 'uk-gdpr', obligation: 'regulator' });
    expect(draft.report.categories).toContain('contact details');
    expect(draft.report.approximate_numbers).toContain('1,200');
    expect(draft.report.contact_point).toContain('dpo@example.com');

    const base = `/api/v1/incidents/${incident.id}/breach/submissions/${draft.id}`;
    expect((await post(`${base}/submit`, { method: 'ICO online form' })).statusCode).toBe(409);
    // The admin holds no role on the incident; the policy names the owner as approver.
    expect((await post(`${base}/approve`)).statusCode).toBe(403);
    await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/handover`,
      payload: { to: 'admin@localhost', reason: 'the DPO runs this one' },
    });
    expect((await post(`${base}/approve`)).statusCode).toBe(200);

    // Four days later: past the 72 hours.
    t.clock.set('2026-04-11T09:00:00Z');
    const late = await post(`${base}/submit`, { method: 'ICO online form', reference: 'ICO-123' });
    expect(late.statusCode).toBe(422);
    expect(late.json().errors[0].field).toBe('body.delayReasons');
    const accepted = await post(`${base}/submit`, {
      method: 'ICO online form',
      reference: 'ICO-123',
      delayReasons: 'The scope took three days to establish.',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    breach = accepted.json() as Json;
    expect(breach.submissions[0]).toMatchObject({ status: 'submitted', late: true, reference: 'ICO-123' });
    expect(breach.clocks.regulator).toMatchObject({ metAt: '2026-04-11T09:00:00.000Z', state: 'breached' });
  });

  it('keeps a breach judged not notifiable in the register, with the decision', async () => {
    await start('2026-04-07T09:00:00Z');
    const incident = await d.declare({
      title: 'Misdirected email',
      severity: 'low',
      description: 'One email to the wrong person',
    });
    await put(incident.id, { ...record, approxPeople: 1, status: 'confirmed' });
    const assessed = await post(`/api/v1/incidents/${incident.id}/breach/assessment`, {
      riskToRights: false,
      highRisk: false,
      rationale: 'The recipient is a trusted partner and deleted the email.',
      consulted: ['legal'],
    });
    expect(assessed.statusCode, assessed.body).toBe(200);
    expect(assessed.json().clocks.regulator).toMatchObject({ state: 'not_required' });
    const register = (await t.api({ method: 'GET', url: '/api/v1/breaches' })).json() as Json;
    expect(register.items).toHaveLength(1);
    expect(register.items[0]).toMatchObject({
      reference: incident.reference,
      record: { status: 'confirmed' },
      assessment: { riskToRights: false, consulted: ['legal'] },
    });
  });

  it('refuses bad records with the field named and changes nothing', async () => {
    await start('2026-04-07T09:00:00Z');
    const incident = await d.declare({ title: 'x', severity: 'low', description: 'y' });
    const cases: [Json, string][] = [
      [{ ...record, status: 'confirmed', awarenessAt: '2026-05-01T00:00:00Z' }, 'body.awarenessAt'],
      [
        {
          ...record,
          status: 'confirmed',
          awarenessAt: '2026-04-07T08:00:00Z',
          confirmedAt: '2026-04-07T07:00:00Z',
        },
        'body.confirmedAt',
      ],
      [{ ...record, status: 'suspected', confirmedAt: '2026-04-07T08:00:00Z' }, 'body.confirmedAt'],
      [{ ...record, status: 'maybe' }, 'body.status'],
      [{ ...record, status: 'suspected', determinations: ['significant_incident'] }, 'body.determinedAt'],
    ];
    for (const [payload, field] of cases) {
      const res = await put(incident.id, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().errors.map((e: Json) => e.field)).toContain(field);
    }
    expect((await t.api({ method: 'GET', url: `/api/v1/incidents/${incident.id}/breach` })).statusCode).toBe(
      404,
    );
    expect((await d.get(incident.id)).breach).toBeNull();
    const noRecord = await post(`/api/v1/incidents/${incident.id}/breach/assessment`, {
      riskToRights: true,
      highRisk: false,
      rationale: 'x',
    });
    expect(noRecord.statusCode).toBe(409);
  });

  it('warns at 24, 12 and 4 hours left and escalates the missed deadline, once each', async () => {
    await start('2026-04-07T09:00:00Z');
    const incident = await d.declare({
      title: 'Leaked export',
      severity: 'low',
      description: 'An export was public',
    });
    await put(incident.id, { ...record, status: 'confirmed', awarenessAt: '2026-04-07T09:00:00Z' });
    const sent = async () =>
      (await t.vigil.outbox.list({ incidentId: incident.id, kind: 'breach.deadline' }))
        .filter((m) => m.payload.obligation === 'regulator')
        .map((m) => m.payload.event);
    // Due Friday 10 April 09:00 UTC.
    for (const [now, expected] of [
      ['2026-04-09T08:00:00Z', []],
      ['2026-04-09T09:00:00Z', ['24 hours left']],
      ['2026-04-09T10:00:00Z', ['24 hours left']],
      ['2026-04-09T21:00:00Z', ['24 hours left', '12 hours left']],
      ['2026-04-10T05:30:00Z', ['24 hours left', '12 hours left', '4 hours left']],
      ['2026-04-10T09:00:00Z', ['24 hours left', '12 hours left', '4 hours left', 'deadline missed']],
      ['2026-04-10T12:00:00Z', ['24 hours left', '12 hours left', '4 hours left', 'deadline missed']],
    ] as const) {
      t.clock.set(now);
      await t.vigil.engine.runCycle();
      expect(await sent(), now).toEqual(expected);
    }
    const recipients = (await t.vigil.outbox.list({ incidentId: incident.id, kind: 'breach.deadline' })).map(
      (m) => m.recipient,
    );
    expect(new Set(recipients)).toEqual(new Set(['cpo@example.com']));
    const escalations = (await d.timeline(incident.id, 'escalation')).filter(
      (e) => e.data.obligation === 'regulator',
    );
    expect(escalations).toHaveLength(1);
  });

  it('meets the customer clock when a breach notification is sent to customers through Vigil', async () => {
    await start('2026-04-07T09:00:00Z');
    const incident = await d.declare({
      title: 'Leaked export',
      severity: 'low',
      description: 'An export was public',
    });
    const customer = (
      await post('/api/v1/customers', {
        name: 'Acme Ltd',
        contacts: [{ name: 'Dee', email: 'dpo@acme.example', role: 'dpo' }],
      })
    ).json() as Json;
    await d.act(incident.id, 'affected-customers', {
      customerIds: [customer.id],
      reason: 'their orders were in the export',
    });
    await put(incident.id, { ...record, status: 'confirmed' });
    await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/handover`,
      payload: { to: 'admin@localhost', reason: 'the DPO runs this' },
    });
    const draft = (
      await post(`/api/v1/incidents/${incident.id}/communications`, {
        audience: 'customers',
        template: 'breach_notification',
        whatWeAreDoing: 'We revoked access and are contacting everyone affected.',
        whatYouShouldDo: 'Watch for phishing that mentions your orders.',
        // A low incident has no update cadence: the draft says when the next word comes.
        nextUpdateAt: 'Friday 10 April',
      })
    ).json() as Json;
    expect(draft.status, JSON.stringify(draft)).toBe('draft');
    await post(`/api/v1/incidents/${incident.id}/communications/${draft.id}/approve`);
    t.clock.set('2026-04-07T11:00:00Z');
    const sent = await post(`/api/v1/incidents/${incident.id}/communications/${draft.id}/send`);
    expect(sent.statusCode, sent.body).toBe(200);
    const view = await d.get(incident.id);
    expect(view.breach.clocks.customer).toMatchObject({ metAt: '2026-04-07T11:00:00.000Z', state: 'met' });
    expect(view.breach.clocks.regulator.metAt).toBeNull();
  });

  it('shows the three NIS2 deadlines on a significant incident when the policy enables NIS2', async () => {
    await start('2026-04-07T12:00:00Z', await copyDefaultPolicyFolder(policyWithRegimes('nis2')));
    const incident = await d.declare({
      title: 'Payments platform down',
      severity: 'critical',
      description: 'Outage',
    });
    await put(incident.id, {
      ...record,
      status: 'suspected',
      awarenessAt: '2026-04-07T10:00:00Z',
      determinations: ['significant_incident'],
      determinedAt: '2026-04-07T11:00:00Z',
    });
    const nis2 = async () =>
      ((await d.get(incident.id)).breach.obligations as Json[]).filter((o) => o.regime === 'nis2');
    const before = await nis2();
    expect(before.map((o) => [o.obligation, o.dueAt, o.state])).toEqual([
      ['early-warning', '2026-04-08T10:00:00.000Z', 'at_risk'],
      ['notification', '2026-04-10T10:00:00.000Z', 'pending'],
      ['final-report', null, 'not_started'],
    ]);

    // The final report's month runs from the notification's submission.
    await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/handover`,
      payload: { to: 'admin@localhost', reason: 'the CISO runs this' },
    });
    const drafted = (
      await post(`/api/v1/incidents/${incident.id}/breach/submissions`, {
        regime: 'nis2',
        obligation: 'notification',
      })
    ).json() as Json;
    const sid = drafted.submissions[0].id;
    await post(`/api/v1/incidents/${incident.id}/breach/submissions/${sid}/approve`);
    const submitted = await post(`/api/v1/incidents/${incident.id}/breach/submissions/${sid}/submit`, {
      method: 'CSIRT portal',
    });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const after = await nis2();
    expect(after.map((o) => [o.obligation, o.dueAt])).toEqual([
      ['early-warning', '2026-04-08T10:00:00.000Z'],
      ['notification', '2026-04-10T10:00:00.000Z'],
      ['final-report', '2026-05-07T12:00:00.000Z'],
    ]);
  });
});
