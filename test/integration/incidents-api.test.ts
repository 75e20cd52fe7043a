import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  IncidentSchema,
  IncidentSummarySchema,
  TimelineEntrySchema,
} from '../../src/incident/incident-schemas.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const valid = {
  title: 'Brute force on the SQL server',
  severity: 'high',
  description: 'Failed logins spiking',
};

describeEachDatabase('incidents API', (dialect) => {
  let t: TestVigil;

  beforeAll(async () => {
    // Tuesday 7 April 2026, 10:30 in London (BST): business time.
    t = await startTestVigil(dialect, { now: '2026-04-07T09:30:00Z' });
  });
  afterAll(async () => t.stop());
  beforeEach(() => t.clock.set('2026-04-07T09:30:00Z'));

  it('declares an incident and answers 201 with it', async () => {
    const res = await t.api({ method: 'POST', url: '/api/v1/incidents', payload: valid });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      ...valid,
      phase: 'identify',
      openedAt: '2026-04-07T09:30:00.000Z',
      declaredAt: '2026-04-07T09:30:00.000Z',
      outOfHours: false,
      policyVersion: t.vigil.policy.version,
      declaredBy: { email: 'admin@localhost' },
    });
    expect(body.reference).toMatch(/^INC-\d+$/);
    expect(res.headers.location).toBe(`/api/v1/incidents/${body.id}`);

    const shown = await t.api({ method: 'GET', url: `/api/v1/incidents/${body.id}` });
    expect(shown.json()).toEqual(body);
    const byReference = await t.api({ method: 'GET', url: `/api/v1/incidents/${body.reference}` });
    expect(byReference.json()).toEqual(body);
  });

  it('records an incident opened after the fact, out of hours', async () => {
    // Saturday 4 April 2026, 23:00 BST.
    const res = await t.api({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: { ...valid, openedAt: '2026-04-04T23:00:00+01:00' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ openedAt: '2026-04-04T22:00:00.000Z', outOfHours: true });
  });

  it('appends an audit entry in the same transaction as the incident', async () => {
    const before = await t.vigil.audit.verify();
    await t.api({ method: 'POST', url: '/api/v1/incidents', payload: valid });
    const after = await t.api({ method: 'GET', url: '/api/v1/audit/verify' });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ ok: true, entries: before.entries + 1, firstBrokenEntry: null });
  });

  it('lists newest opened first with cursor pagination', async () => {
    for (const hour of ['01', '02', '03']) {
      t.clock.set(`2026-04-08T${hour}:00:00Z`);
      await t.api({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { ...valid, title: `page test ${hour}` },
      });
    }
    t.clock.set('2026-04-08T04:00:00Z');
    const first = await t.api({ method: 'GET', url: '/api/v1/incidents?limit=2' });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((i: { title: string }) => i.title)).toEqual(['page test 03', 'page test 02']);
    expect(page1.nextCursor).toEqual(expect.any(String));

    const second = await t.api({
      method: 'GET',
      url: `/api/v1/incidents?limit=2&cursor=${page1.nextCursor}`,
    });
    const page2 = second.json();
    expect(page2.items[0].title).toBe('page test 01');
    const all = await t.api({ method: 'GET', url: '/api/v1/incidents?limit=200' });
    const openedAt = all.json().items.map((i: { openedAt: string }) => i.openedAt);
    expect([...openedAt].sort().reverse()).toEqual(openedAt);
    expect(all.json().nextCursor).toBeNull();
  });

  it('answers 404 problem+json for an unknown incident', async () => {
    const res = await t.api({ method: 'GET', url: '/api/v1/incidents/INC-999999' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, type: 'urn:vigil:problem:not-found' });
  });

  it('answers exactly the documented shapes (responses are not re-validated at run time)', async () => {
    const created = (await t.api({ method: 'POST', url: '/api/v1/incidents', payload: valid })).json();
    expect(IncidentSchema.parse(created)).toEqual(created);
    expect(Object.keys(created).sort()).toEqual(Object.keys(IncidentSchema.shape).sort());
    const list = (await t.api({ method: 'GET', url: '/api/v1/incidents?limit=5' })).json();
    for (const item of list.items) {
      expect(IncidentSummarySchema.parse(item)).toEqual(item);
      expect(Object.keys(item).sort()).toEqual(Object.keys(IncidentSummarySchema.shape).sort());
    }
    const timeline = (await t.api({ method: 'GET', url: `/api/v1/incidents/${created.id}/timeline` })).json();
    for (const entry of timeline.items) expect(TimelineEntrySchema.parse(entry)).toEqual(entry);
  });
});
