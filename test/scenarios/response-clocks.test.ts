import { afterAll, beforeAll, expect, it } from 'vitest';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const base = { description: 'scenario', category: 'unauthorised_access' };

/** The response clocks across hours, holidays, severity changes, handovers and restarts. */
describeEachDatabase('response clocks', (dialect) => {
  let t: TestVigil;
  let d: ReturnType<typeof incidentDriver>;

  beforeAll(async () => {
    t = await startTestVigil(dialect, { now: '2026-04-04T02:00:00Z' });
    d = incidentDriver(t);
  });
  afterAll(async () => t.stop());

  it('gives a critical incident opened out of hours its out-of-hours targets', async () => {
    t.clock.set('2026-04-04T02:00:00Z'); // Saturday, 03:00 BST
    const incident = await d.declare({ ...base, title: 'Saturday night', severity: 'critical' });
    expect(incident.outOfHours).toBe(true);
    expect(incident.sla.acknowledge.dueAt).toBe('2026-04-04T03:00:00.000Z');
    expect(incident.sla.triage.dueAt).toBe('2026-04-04T03:30:00.000Z');
    expect(incident.sla.containment.dueAt).toBe('2026-04-04T06:00:00.000Z');
  });

  it('runs a high incident across the Easter bank-holiday weekend in business time', async () => {
    t.clock.set('2026-04-02T15:30:00Z'); // Thursday 16:30 BST, before Good Friday
    const incident = await d.declare({ ...base, title: 'Before Easter', severity: 'high' });
    // 30 business minutes on Thursday, then nothing until Tuesday 09:00 BST.
    expect(incident.sla.acknowledge.dueAt).toBe('2026-04-07T08:30:00.000Z');
    expect(incident.sla.triage.dueAt).toBe('2026-04-07T09:30:00.000Z');
    t.clock.set('2026-04-06T12:00:00Z'); // Easter Monday
    await t.vigil.engine.runCycle();
    expect(await d.timeline(incident.id, 'clock_breached')).toHaveLength(0);
    t.clock.set('2026-04-07T08:31:00Z');
    expect((await d.states(incident.id)).acknowledge).toBe('breached');
    await t.vigil.engine.runCycle();
    expect(await d.timeline(incident.id, 'clock_breached')).toHaveLength(1);
    expect(await t.vigil.outbox.list({ incidentId: incident.id })).toHaveLength(2);
  });

  it('moves due times earlier on an upgrade and later on a downgrade, recording both', async () => {
    t.clock.set('2026-04-07T09:00:00Z'); // Tuesday 10:00 BST
    const incident = await d.declare({ ...base, title: 'Changing severity', severity: 'medium' });
    expect(incident.sla.acknowledge.dueAt).toBe('2026-04-07T13:00:00.000Z');
    t.clock.set('2026-04-07T09:30:00Z');
    const up = await d.act(incident.id, 'severity', {
      severity: 'critical',
      reason: 'data left the building',
    });
    expect(up.sla.acknowledge.dueAt).toBe('2026-04-07T09:45:00.000Z');
    expect(up.sla.customerUpdate.dueAt).toBe('2026-04-07T13:30:00.000Z');
    expect(up.highestSeverity).toBe('critical');
    t.clock.set('2026-04-07T09:40:00Z');
    const down = await d.act(incident.id, 'severity', { severity: 'low', reason: 'the data was public' });
    expect(down.sla.acknowledge.dueAt).toBe('2026-04-08T09:40:00.000Z');
    expect(down.sla.customerUpdate.stoppedAt).toBe('2026-04-07T09:40:00.000Z');
    expect(down.highestSeverity).toBe('critical');
    const changes = await d.timeline(incident.id, 'severity_changed');
    expect(changes.map((c) => [c.data.from, c.data.to, c.data.reason])).toEqual([
      ['medium', 'critical', 'data left the building'],
      ['critical', 'low', 'the data was public'],
    ]);
    expect(changes[0]!.data.clocks).toContainEqual({
      clock: 'acknowledge',
      oldDueAt: '2026-04-07T13:00:00.000Z',
      newDueAt: '2026-04-07T09:45:00.000Z',
    });
    expect((await d.act(incident.id, 'severity', { severity: 'low', reason: 'again' }, 409)).status).toBe(
      409,
    );
    expect((await d.act(incident.id, 'severity', { severity: 'low' }, 400)).errors[0].field).toBe(
      'body.reason',
    );
  });

  it('never moves a due time later on an upgrade', async () => {
    t.clock.set('2026-04-13T09:00:00Z'); // Monday 10:00 BST
    const incident = await d.declare({ ...base, title: 'Creeping', severity: 'low' });
    expect(incident.sla.acknowledge.dueAt).toBe('2026-04-14T09:00:00.000Z');
    t.clock.set('2026-04-13T15:00:00Z'); // Monday 16:00 BST: 4 business hours would end Tuesday 12:00
    const up = await d.act(incident.id, 'severity', { severity: 'medium', reason: 'more hosts' });
    expect(up.sla.acknowledge.dueAt).toBe('2026-04-14T09:00:00.000Z');
    expect(up.sla.customerUpdate).not.toBeNull();
  });

  it('hands command to the next in succession, or to a named person, as a recorded decision', async () => {
    t.clock.set('2026-04-07T10:00:00Z');
    const incident = await d.declare({ ...base, title: 'Handover', severity: 'high' });
    await d.act(incident.id, 'acknowledge');
    const first = await d.act(incident.id, 'handover', { reason: 'the CPO is on a flight' });
    expect(first.owner.email).toBe('cto@example.com');
    await d.call('POST', '/api/v1/users', { email: 'dana@example.com', name: 'Dana' }, 201);
    const second = await d.act(incident.id, 'handover', {
      to: 'dana@example.com',
      reason: 'Dana knows the database',
    });
    expect(second.owner.email).toBe('dana@example.com');
    expect(second.sla.acknowledge.state).toBe('met');
    const handovers = await d.timeline(incident.id, 'handover');
    expect(handovers.map((h) => [h.data.from, h.data.to, h.data.reason])).toEqual([
      ['cpo@example.com', 'cto@example.com', 'the CPO is on a flight'],
      ['cto@example.com', 'dana@example.com', 'Dana knows the database'],
    ]);
    expect(
      (await d.act(incident.id, 'handover', { to: 'nobody@example.com', reason: 'x' }, 400)).errors[0].field,
    ).toBe('body.to');
    const roles = await d.act(incident.id, 'roles', { role: 'responder', user: 'cto@example.com' });
    expect(roles.roles.responders.map((p: { email: string }) => p.email)).toEqual(['cto@example.com']);
    const removed = await d.call(
      'DELETE',
      `/api/v1/incidents/${incident.id}/roles`,
      { role: 'responder', user: 'cto@example.com' },
      200,
    );
    expect(removed.roles.responders).toEqual([]);
  });

  it('closes a false positive with its reason and merges a duplicate, keeping both timelines', async () => {
    t.clock.set('2026-04-07T10:30:00Z');
    const noise = await d.declare({ ...base, title: 'Noise', severity: 'low' });
    const closed = await d.act(noise.id, 'triage', {
      decision: 'false_positive',
      reason: 'a scheduled pen test',
    });
    expect(closed).toMatchObject({ phase: 'closed', triage: { decision: 'false_positive' } });
    expect(closed.sla.containment.stoppedAt).toBe('2026-04-07T10:30:00.000Z');

    const original = await d.declare({ ...base, title: 'Original', severity: 'high' });
    const copy = await d.declare({ ...base, title: 'Copy', severity: 'high' });
    const merged = await d.act(copy.id, 'triage', {
      decision: 'duplicate',
      reason: 'same alert',
      duplicateOf: original.reference,
    });
    expect(merged).toMatchObject({ phase: 'closed', duplicateOf: original.id });
    expect((await d.timeline(original.id, 'merged'))[0]!.data.duplicate).toBe(copy.id);
    expect((await d.timeline(copy.id)).map((e) => e.kind)).toContain('declared');
    expect(
      (await d.act(copy.id, 'triage', { decision: 'duplicate', reason: 'x', duplicateOf: original.id }, 409))
        .status,
    ).toBe(409);
  });

  it('shows an incident recorded after the fact as it truly stands, and escalates it once', async () => {
    t.clock.set('2026-04-07T12:00:00Z');
    const late = await d.declare({
      ...base,
      title: 'Recorded late',
      severity: 'critical',
      openedAt: '2026-04-07T09:00:00Z',
    });
    expect(late.sla.acknowledge.state).toBe('breached');
    expect(late.sla.containment.state).toBe('at_risk');
    await t.vigil.engine.runCycle();
    await t.vigil.engine.runCycle();
    expect(await d.timeline(late.id, 'clock_breached')).toHaveLength(2);
    const breached = await d.call(
      'GET',
      '/api/v1/incidents?breached=true&severity=critical&limit=200',
      undefined,
      200,
    );
    expect(breached.items.map((i: { id: string }) => i.id)).toContain(late.id);
    const calm = await d.call('GET', '/api/v1/incidents?breached=false&limit=200', undefined, 200);
    expect(calm.items.map((i: { id: string }) => i.id)).not.toContain(late.id);
    const night = await d.call('GET', '/api/v1/incidents?outOfHours=true&limit=200', undefined, 200);
    expect(night.items.every((i: { outOfHours: boolean }) => i.outOfHours)).toBe(true);
    const owned = await d.call(
      'GET',
      '/api/v1/incidents?owner=cpo@example.com&phase=identify&limit=200',
      undefined,
      200,
    );
    expect(owned.items.length).toBeGreaterThan(0);
    expect(
      owned.items.every(
        (i: { owner: { email: string }; phase: string }) =>
          i.owner.email === 'cpo@example.com' && i.phase === 'identify',
      ),
    ).toBe(true);
  });

  it('fires what fell due while the engine was down exactly once after a restart', async () => {
    t.clock.set('2026-04-08T09:00:00Z'); // Wednesday 10:00 BST
    const a = await d.declare({ ...base, title: 'Down A', severity: 'critical' });
    const b = await d.declare({ ...base, title: 'Down B', severity: 'critical' });
    t.clock.set('2026-04-08T14:00:00Z'); // every clock of both is past due
    const restarted = await t.another();
    try {
      await restarted.engine.runCycle();
    } finally {
      await restarted.close();
    }
    const again = await t.another();
    try {
      await again.engine.runCycle();
    } finally {
      await again.close();
    }
    for (const incident of [a, b]) {
      expect(await d.timeline(incident.id, 'clock_breached')).toHaveLength(4);
      expect(await d.timeline(incident.id, 'escalation')).toHaveLength(4);
      expect(await t.vigil.outbox.list({ incidentId: incident.id })).toHaveLength(8);
    }
    expect(await t.vigil.audit.verify()).toMatchObject({ ok: true });
  });

  it('classifies the category and components, refusing unknown ones and writing nothing', async () => {
    const incident = await d.declare({ title: 'Unclassified', severity: 'low', description: 'x' });
    expect(incident).toMatchObject({ category: null, components: [], runbook: null });
    const classified = await d.act(incident.id, 'classification', {
      category: 'service_degradation',
      components: [{ component: 'api', confidentiality: 'none', integrity: 'low', availability: 'high' }],
      reason: 'latency alerts',
    });
    expect(classified.category).toBe('service_degradation');
    expect(classified.components).toEqual([
      { component: 'api', confidentiality: 'none', integrity: 'low', availability: 'high' },
    ]);
    expect(classified.runbook).toEqual(expect.any(String));
    const refused = await d.act(
      incident.id,
      'classification',
      {
        category: 'alien',
        components: [
          { component: 'mainframe', confidentiality: 'none', integrity: 'none', availability: 'none' },
        ],
      },
      400,
    );
    expect(refused.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.category',
      'body.components.0.component',
    ]);
    expect((await d.get(incident.id)).category).toBe('service_degradation');
    expect(await d.timeline(incident.id, 'classification')).toHaveLength(1);
  });

  it.skipIf(dialect !== 'postgres')(
    'never double-escalates with two engines on one PostgreSQL (postgres only: one SQLite file belongs to one process)',
    async () => {
      t.clock.set('2026-04-09T09:00:00Z');
      const incident = await d.declare({ ...base, title: 'Two engines', severity: 'critical' });
      t.clock.set('2026-04-09T14:00:00Z');
      const second = await t.another();
      try {
        await Promise.all([
          t.vigil.engine.runCycle(),
          second.engine.runCycle(),
          t.vigil.engine.runCycle(),
          second.engine.runCycle(),
        ]);
        await second.engine.runCycle();
        await t.vigil.engine.runCycle();
      } finally {
        await second.close();
      }
      expect(await d.timeline(incident.id, 'clock_breached')).toHaveLength(4);
      expect(await t.vigil.outbox.list({ incidentId: incident.id })).toHaveLength(8);
    },
  );

  it('restarts the customer-update cadence from each update sent, and keeps a late period counted', async () => {
    t.clock.set('2026-04-15T09:00:00Z'); // Wednesday 10:00 BST
    const incident = await d.declare({ ...base, title: 'Cadence', severity: 'critical' });
    expect(incident.sla.customerUpdate.dueAt).toBe('2026-04-15T13:00:00.000Z');
    t.clock.set('2026-04-15T11:30:00Z');
    const first = await d.act(incident.id, 'customer-updates', {
      summary: 'We are investigating',
      sentAt: '2026-04-15T11:00:00Z',
    });
    expect(first.sla.customerUpdate).toMatchObject({
      startedAt: '2026-04-15T11:00:00.000Z',
      dueAt: '2026-04-15T15:00:00.000Z',
      state: 'pending',
      breaches: 0,
    });
    t.clock.set('2026-04-15T15:30:00Z');
    expect((await d.states(incident.id)).customerUpdate).toBe('breached');
    const late = await d.act(incident.id, 'customer-updates', { summary: 'Contained' });
    expect(late.sla.customerUpdate).toMatchObject({
      dueAt: '2026-04-15T19:30:00.000Z',
      state: 'pending',
      breaches: 1,
    });
    const met = await d.timeline(incident.id, 'clock_met');
    expect(met.filter((e) => e.data.clock === 'customerUpdate').map((e) => e.data.late)).toEqual([
      false,
      true,
    ]);
    expect((await d.timeline(incident.id, 'communication')).map((e) => e.data.summary)).toEqual([
      'We are investigating',
      'Contained',
    ]);
    const breached = await d.call('GET', '/api/v1/incidents?breached=true&limit=200', undefined, 200);
    expect(breached.items.map((i: { id: string }) => i.id)).toContain(incident.id);
    const future = await d.act(
      incident.id,
      'customer-updates',
      { summary: 'x', sentAt: '2026-04-16T00:00:00Z' },
      400,
    );
    expect(future.errors[0].field).toBe('body.sentAt');
  });

  it("brings a medium incident's next customer update forward at a phase change", async () => {
    t.clock.set('2026-04-16T09:00:00Z'); // Thursday 10:00 BST
    const incident = await d.declare({ ...base, title: 'Milestones', severity: 'medium' });
    expect(incident.sla.customerUpdate.dueAt).toBe('2026-04-21T09:00:00.000Z');
    t.clock.set('2026-04-16T10:00:00Z');
    const moved = await d.act(incident.id, 'phase', { phase: 'contain' });
    // 4 business hours from 11:00 BST.
    expect(moved.sla.customerUpdate.dueAt).toBe('2026-04-16T14:00:00.000Z');
  });
});
