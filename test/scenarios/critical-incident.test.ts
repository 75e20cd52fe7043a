import { afterAll, beforeAll, expect, it } from 'vitest';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const MIN = 60_000;

/**
 * A critical incident, in hours, walked through every phase with a fake
 * clock: each clock's state at each step, a breach and its escalation.
 */
describeEachDatabase('a critical incident from declaration to closure', (dialect) => {
  let t: TestVigil;
  let d: ReturnType<typeof incidentDriver>;
  let id: string;

  beforeAll(async () => {
    // Tuesday 7 April 2026, 10:00 BST (09:00 UTC): business time.
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z' });
    d = incidentDriver(t);
  });
  afterAll(async () => t.stop());

  it('declares with the primary owner in command and wall clocks from openedAt', async () => {
    const incident = await d.declare({
      title: 'Customer table read in bulk',
      severity: 'critical',
      description: 'Defender flagged an unusual export',
      category: 'data_exposure_risk',
      components: [
        { component: 'database', confidentiality: 'high', integrity: 'none', availability: 'none' },
      ],
    });
    id = incident.id;
    expect(incident.owner).toMatchObject({ email: 'cpo@example.com' });
    expect(incident.outOfHours).toBe(false);
    expect(incident.phase).toBe('identify');
    expect(incident.sla.acknowledge).toMatchObject({
      dueAt: '2026-04-07T09:15:00.000Z',
      state: 'pending',
      kind: 'wall',
    });
    expect(incident.sla.triage.dueAt).toBe('2026-04-07T09:30:00.000Z');
    expect(incident.sla.containment.dueAt).toBe('2026-04-07T13:00:00.000Z');
    expect(incident.sla.customerUpdate.dueAt).toBe('2026-04-07T13:00:00.000Z');
    expect(incident.runbook).toEqual(expect.any(String));
    expect(incident.components).toHaveLength(1);
  });

  it('turns the acknowledge clock at risk at 75% and the engine notes it once', async () => {
    t.clock.set('2026-04-07T09:12:00Z');
    expect(await d.states(id)).toEqual({
      acknowledge: 'at_risk',
      triage: 'pending',
      containment: 'pending',
      customerUpdate: 'pending',
    });
    await t.vigil.engine.runCycle();
    await t.vigil.engine.runCycle();
    expect(await d.timeline(id, 'clock_at_risk')).toHaveLength(1);
  });

  it('meets acknowledge on acknowledgement (the incident already has an owner)', async () => {
    t.clock.set('2026-04-07T09:13:00Z');
    const incident = await d.act(id, 'acknowledge');
    expect(incident.sla.acknowledge).toMatchObject({ state: 'met', metAt: '2026-04-07T09:13:00.000Z' });
    await d.act(id, 'acknowledge', {}, 409);
  });

  it('breaches triage when it is late, escalating to the owner and the next in succession', async () => {
    t.clock.set('2026-04-07T09:31:00Z');
    expect((await d.states(id)).triage).toBe('breached');
    await t.vigil.engine.runCycle();
    await t.vigil.engine.runCycle();
    expect(await d.timeline(id, 'clock_breached')).toHaveLength(1);
    const escalations = await d.timeline(id, 'escalation');
    expect(escalations).toHaveLength(1);
    const outbox = await t.vigil.outbox.list({ incidentId: id });
    expect(outbox.map((m) => m.recipient).sort()).toEqual(['cpo@example.com', 'cto@example.com']);
    expect(outbox.every((m) => m.kind === 'sla.escalation' && m.status === 'pending')).toBe(true);
  });

  it('keeps a clock met late marked breached', async () => {
    t.clock.set('2026-04-07T09:35:00Z');
    const incident = await d.act(id, 'triage', {
      decision: 'confirmed',
      reason: 'export by an unknown client',
    });
    expect(incident.sla.triage).toMatchObject({ state: 'breached', metAt: '2026-04-07T09:35:00.000Z' });
    expect(incident.triage).toMatchObject({ decision: 'confirmed', startedAt: '2026-04-07T09:35:00.000Z' });
  });

  it('refuses an illegal transition with 409 listing the allowed phases', async () => {
    const problem = await d.act(id, 'phase', { phase: 'recover' }, 409);
    expect(problem).toMatchObject({ type: 'urn:vigil:problem:invalid-transition', allowed: ['contain'] });
  });

  it('gates leaving contain on its mandatory checklist', async () => {
    t.clock.set('2026-04-07T10:00:00Z');
    await d.act(id, 'phase', { phase: 'contain' });
    expect(await d.states(id)).toEqual({
      acknowledge: 'met',
      triage: 'breached',
      containment: 'pending',
      customerUpdate: 'pending',
    });
    const refused = await d.act(id, 'phase', { phase: 'eradicate' }, 409);
    expect(refused.detail).toContain('access-restricted');
    for (const item of ['access-restricted', 'components-isolated', 'credentials-rotated']) {
      await d.act(id, 'checklist', { item, done: true });
    }
    expect((await d.act(id, 'phase', { phase: 'eradicate', override: true }, 400)).errors[0].field).toBe(
      'body.reason',
    );
    t.clock.set('2026-04-07T11:00:00Z');
    const moved = await d.act(id, 'phase', {
      phase: 'eradicate',
      override: true,
      reason: 'WAF rule pending vendor',
    });
    expect(moved.sla.containment).toMatchObject({ state: 'met', metAt: '2026-04-07T11:00:00.000Z' });
    expect(await d.states(id)).toEqual({
      acknowledge: 'met',
      triage: 'breached',
      containment: 'met',
      customerUpdate: 'pending',
    });
    const change = (await d.timeline(id, 'phase_changed')).at(-1)!;
    expect(change.data).toMatchObject({ override: true, uncheckedItems: ['malicious-traffic-blocked'] });
  });

  it('breaches the customer update, then stops the cadence at review', async () => {
    t.clock.set('2026-04-07T13:00:00Z');
    await t.vigil.engine.runCycle();
    expect((await d.states(id)).customerUpdate).toBe('breached');
    await d.act(id, 'checklist', { item: 'root-cause-removed', done: true });
    await d.act(id, 'phase', { phase: 'recover' });
    expect(await d.states(id)).toEqual({
      acknowledge: 'met',
      triage: 'breached',
      containment: 'met',
      customerUpdate: 'breached',
    });
    await d.act(id, 'checklist', { item: 'normal-operation-restored', done: true });
    await d.act(id, 'checklist', { item: 'heightened-monitoring', done: true });
    t.clock.advance(30 * MIN);
    const review = await d.act(id, 'phase', { phase: 'review' });
    expect(review.sla.customerUpdate.stoppedAt).toBe('2026-04-07T13:30:00.000Z');
    expect(await d.states(id)).toEqual({
      acknowledge: 'met',
      triage: 'breached',
      containment: 'met',
      customerUpdate: 'breached',
    });
  });

  it('closes once its post-incident review is approved, and reopens only with a reason', async () => {
    const refused = await d.act(id, 'phase', { phase: 'closed' }, 409);
    expect(refused.detail).toContain('needs a post-incident review');
    const review = {
      summary: 'Customer data was read through a stolen key.',
      rootCause: 'The key was committed to a public repository.',
      impact: 'Order history of 40 customers.',
      lessons: 'Scan repositories for secrets.',
      customerSummary: 'A key was exposed; it is revoked.',
    };
    await t.api({ method: 'PUT', url: `/api/v1/incidents/${id}/review`, payload: review });
    await d.act(id, 'review/submit');
    // The review approver is the incident's owner: the primary owner hands over to the admin, who approves.
    await d.act(id, 'handover', { to: 'admin@localhost', reason: 'the admin chairs the review' });
    await d.act(id, 'review/approve');
    const closed = await d.act(id, 'phase', { phase: 'closed' });
    expect(closed.closedAt).toEqual(expect.any(String));
    expect((await d.act(id, 'phase', { phase: 'recover' }, 400)).errors[0].field).toBe('body.reason');
    const reopened = await d.act(id, 'phase', { phase: 'recover', reason: 'exfiltration continued' });
    expect(reopened).toMatchObject({ phase: 'recover', closedAt: null });
    expect(await d.timeline(id, 'reopened')).toHaveLength(1);
  });

  it('keeps every step on the timeline and the audit chain intact', async () => {
    const kinds = (await d.timeline(id)).map((e) => e.kind);
    for (const kind of [
      'declared',
      'acknowledged',
      'triage',
      'phase_changed',
      'checklist',
      'clock_met',
      'clock_breached',
      'escalation',
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(await t.vigil.audit.verify()).toMatchObject({ ok: true });
  });
});
