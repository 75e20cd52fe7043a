import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { incidentDriver } from '../support/incident-driver.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

/** Tabletop exercises on the policy's cadence, and the compliance status that sums everything up. */
describeEachDatabase('exercises and compliance status', (dialect) => {
  let t: TestVigil;
  let sink: SmtpSink;
  afterEach(async () => {
    await t.stop();
    await sink.stop();
  });

  async function start() {
    sink = await startSmtpSink();
    // Vigil first runs the policy on Tuesday 7 April 2026: the first exercise is due a year later.
    t = await startTestVigil(dialect, {
      now: '2026-04-07T09:00:00Z',
      smtp: { url: sink.url, from: 'Vigil <vigil@test.example>' },
    });
  }
  const status = async () =>
    (await t.api({ method: 'GET', url: '/api/v1/compliance/status' })).json() as Json;

  it('moves the exercise cadence from on track to warning to overdue, emails the owner, and resets on completion', async () => {
    await start();
    expect((await status()).exercises).toMatchObject({
      state: 'on_track',
      lastCompletedOn: null,
      nextDueAt: '2027-04-07T09:00:00.000Z',
    });
    t.clock.set('2027-03-10T09:00:00Z');
    await t.vigil.engine.runCycle();
    expect((await status()).exercises.state).toBe('warning');
    t.clock.set('2027-04-08T09:00:00Z');
    await t.vigil.engine.runCycle();
    await t.vigil.engine.runCycle();
    expect((await status()).exercises.state).toBe('overdue');
    const subjects = sink.messages.filter((m) => m.subject?.startsWith('Tabletop')).map((m) => m.subject);
    expect(subjects).toEqual([
      'Tabletop exercise due by 7 April 2027, 10:00 BST',
      'Tabletop exercise overdue since 7 April 2027, 10:00 BST',
    ]);

    const planned = await t.api({
      method: 'POST',
      url: '/api/v1/exercises',
      payload: {
        title: 'Brute force on the orders database',
        scenario: 'Ten failed logins for sqladmin, then a success and a bulk read.',
        scheduledFor: '2027-04-12',
        facilitator: 'cto@example.com',
        participants: ['cpo@example.com', 'head-of-engineering@example.com'],
      },
    });
    expect(planned.statusCode, planned.body).toBe(201);
    const id = (planned.json() as Json).id;
    t.clock.set('2027-04-12T15:00:00Z');
    const done = await t.api({
      method: 'POST',
      url: `/api/v1/exercises/${id}/complete`,
      payload: { findings: 'The runbook missed the DPO.' },
    });
    expect(done.json()).toMatchObject({ status: 'completed', completedOn: '2027-04-12' });
    expect(
      (
        await t.api({
          method: 'POST',
          url: `/api/v1/exercises/${id}/complete`,
          payload: { findings: 'again' },
        })
      ).statusCode,
    ).toBe(409);
    const action = await t.api({
      method: 'POST',
      url: `/api/v1/exercises/${id}/actions`,
      payload: {
        title: 'Add the DPO to the runbook',
        kind: 'preventive',
        owner: 'cpo@example.com',
        dueDate: '2027-05-01',
      },
    });
    expect(action.json()).toMatchObject({ exerciseId: id, incidentId: null });
    const list = (await t.api({ method: 'GET', url: '/api/v1/exercises' })).json() as Json;
    expect(list.cadence).toMatchObject({
      state: 'on_track',
      lastCompletedOn: '2027-04-12',
      nextDueAt: '2028-04-11T23:00:00.000Z',
    });
  });

  it('names what is off track: breached clocks, overdue actions, breach deadlines running', async () => {
    await start();
    const d = incidentDriver(t);
    expect((await status()).onTrack).toBe(true);
    const incident = await d.declare({ title: 'Exposed key', severity: 'critical', description: 'x' });
    await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/actions`,
      payload: { title: 'Scan logs', kind: 'preventive', owner: 'cto@example.com', dueDate: '2026-04-08' },
    });
    await t.api({
      method: 'PUT',
      url: `/api/v1/incidents/${incident.id}/breach`,
      payload: { status: 'suspected', role: 'controller' },
    });
    t.clock.set('2026-04-09T09:00:00Z');
    const s = await status();
    expect(s.onTrack).toBe(false);
    expect(s.incidents.breachedClocks.map((i: Json) => i.reference)).toEqual([incident.reference]);
    expect(s.actions.overdue.map((a: Json) => a.title)).toEqual(['Scan logs']);
    expect(s.breaches.running).toContainEqual(
      expect.objectContaining({
        reference: incident.reference,
        regime: 'uk-gdpr',
        obligation: 'regulator',
        state: 'at_risk',
      }),
    );
  });

  it('runs an exercise live: an exercise incident, replayed signals, no real incident and no customer email', async () => {
    await start();
    const d = incidentDriver(t);
    const exercise = (
      await t.api({
        method: 'POST',
        url: '/api/v1/exercises',
        payload: {
          title: 'Brute force drill',
          scenario: 'Replay of a brute-force night.',
          scheduledFor: '2026-04-07',
          facilitator: 'cto@example.com',
        },
      })
    ).json() as Json;
    const signals = readFileSync(
      new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
      'utf8',
    );
    const ran = await t.api({
      method: 'POST',
      url: `/api/v1/exercises/${exercise.id}/run`,
      payload: { source: 'sql-audit', signals, contentType: 'application/x-ndjson' },
    });
    expect(ran.statusCode, ran.body).toBe(201);
    const run = ran.json() as Json;
    expect(run).toMatchObject({ stored: 35 });
    expect(run.firings).toBeGreaterThanOrEqual(1);

    const incident = await d.get(run.incidentId);
    expect(incident).toMatchObject({
      exercise: true,
      exerciseId: exercise.id,
      title: '[EXERCISE] Brute force drill',
    });
    const linked = await d.timeline(run.incidentId, 'signal_linked');
    expect(linked.some((e) => e.data.rule === 'Brute-force login')).toBe(true);
    // No real incident: only the exercise's one exists, and the list can tell them apart.
    const real = (await t.api({ method: 'GET', url: '/api/v1/incidents?exercise=false' })).json() as Json;
    expect(real.items).toEqual([]);
    const practice = (await t.api({ method: 'GET', url: '/api/v1/incidents?exercise=true' })).json() as Json;
    expect(practice.items.map((i: Json) => i.id)).toEqual([run.incidentId]);

    // Its customer messages go to the facilitator, never to a customer.
    await d.act(run.incidentId, 'handover', { to: 'admin@localhost', reason: 'the admin plays the owner' });
    const draft = (
      await t.api({
        method: 'POST',
        url: `/api/v1/incidents/${run.incidentId}/communications`,
        payload: {
          audience: 'customers',
          template: 'customer_update',
          whatWeAreDoing: 'Practising.',
          whatYouShouldDo: 'Nothing.',
        },
      })
    ).json() as Json;
    await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${run.incidentId}/communications/${draft.id}/approve`,
    });
    const sent = await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${run.incidentId}/communications/${draft.id}/send`,
    });
    expect(sent.statusCode, sent.body).toBe(200);
    await t.vigil.engine.runCycle();
    const delivered = sink.messages.filter(
      (m) => m.subject?.includes(incident.reference) && m.subject?.includes('Update'),
    );
    expect(delivered.map((m) => (m.to as { text: string }).text)).toEqual(['cto@example.com']);

    // Practice does not count against the policy.
    t.clock.set('2026-04-08T09:00:00Z');
    expect((await status()).incidents.breachedClocks).toEqual([]);
  });
});
