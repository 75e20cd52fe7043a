import { afterEach, expect, it } from 'vitest';
import { EMAIL, signInDriver } from '../support/sign-in-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

interface IncidentItem {
  id: string;
  title: string;
  severity: string;
}

/** Vigil's own sign-in and token events become `vigil` signals that the policy's rules watch. */
describeEachDatabase('Vigil watches itself', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t?.stop());
  const { login, user } = signInDriver(() => t);

  async function start() {
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z', selfWatching: true });
  }

  async function incidents(): Promise<IncidentItem[]> {
    const list = await t.api({ method: 'GET', url: '/api/v1/incidents' });
    expect(list.statusCode, list.body).toBe(200);
    return list.json().items as IncidentItem[];
  }

  async function vigilSignals(query = '') {
    const page = await t.api({ method: 'GET', url: `/api/v1/signals?source=vigil&limit=500${query}` });
    expect(page.statusCode, page.body).toBe(200);
    return page.json().items as Array<{ source: string; kind: string; entities: Record<string, unknown> }>;
  }

  it('opens an incident naming the account after 10 failed sign-ins in 5 minutes, linked to vigil signals', async () => {
    await start();
    await user();
    for (let i = 1; i <= 10; i++) {
      const answer = await login({ email: EMAIL, password: `wrong guess ${i}` });
      // The fifth failure locks the account; later attempts are refused (429) but still count.
      expect([401, 429]).toContain(answer.statusCode);
      t.clock.advance(20_000);
    }
    const failures = await vigilSignals('&kind=auth_failure');
    expect(failures.filter((s) => s.entities.event === 'sign_in_failed')).toHaveLength(10);
    expect(failures.every((s) => s.entities.principal === EMAIL && s.entities.application === 'vigil')).toBe(
      true,
    );

    const found = (await incidents()).filter((i) => i.title.includes(EMAIL));
    expect(found).toHaveLength(1);
    const linked = await t.api({ method: 'GET', url: `/api/v1/signals?incident=${found[0]!.id}&limit=500` });
    const items = linked.json().items as Array<{ source: string }>;
    // The lockout (an auth_failure too) and the failures that tripped the threshold, at least.
    expect(items.length).toBeGreaterThanOrEqual(10);
    expect(new Set(items.map((s) => s.source))).toEqual(new Set(['vigil']));
    const audit = await t.vigil.database.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'auth.sign_in_failed')
      .execute();
    expect(audit).toHaveLength(10);
  });

  it('opens a high incident for a lockout, and a brute force on the same account joins it', async () => {
    await start();
    await user();
    for (let i = 1; i <= 5; i++) await login({ email: EMAIL, password: `wrong guess ${i}` });
    const afterLock = await incidents();
    expect(afterLock).toHaveLength(1);
    expect(afterLock[0]).toMatchObject({
      title: `Vigil account ${EMAIL} locked out after repeated failed sign-ins`,
      severity: 'high',
    });
    const [lockout] = await vigilSignals(`&incident=${afterLock[0]!.id}`);
    expect(lockout?.entities).toMatchObject({ event: 'locked_out', principal: EMAIL });

    for (let i = 6; i <= 10; i++) {
      t.clock.advance(15_000);
      await login({ email: EMAIL, password: `wrong guess ${i}` });
    }
    // The brute-force firing correlates on the principal: it joins the open incident.
    expect((await incidents()).map((i) => i.id)).toEqual([afterLock[0]!.id]);
  });

  it('reports a new ingest token as a vigil permission_change by its creator', async () => {
    await start();
    const created = await t.api({
      method: 'POST',
      url: '/api/v1/ingest-tokens',
      payload: { name: 'prod alerts' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const signals = await vigilSignals('&kind=permission_change');
    expect(signals).toHaveLength(1);
    expect(signals[0]!.entities).toMatchObject({
      event: 'token_created',
      principal: 'admin@localhost',
      application: 'vigil',
      tokenId: created.json().id,
      name: 'prod alerts',
    });
  });

  it('refuses vigil signals from every ingest token (403) and stores nothing', async () => {
    await start();
    const token = (
      await t.api({ method: 'POST', url: '/api/v1/ingest-tokens', payload: { name: 'every source' } })
    ).json().token as string;
    const before = await vigilSignals();
    const forged = JSON.stringify({
      id: 'forged-1',
      kind: 'signed_in',
      principal: 'admin@localhost',
      clientIp: '203.0.113.9',
      at: '2026-04-07T09:00:00Z',
    });
    const answer = await t.vigil.http.inject({
      method: 'POST',
      url: '/api/v1/signals/vigil',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: forged,
    });
    expect(answer.statusCode).toBe(403);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.json()).toMatchObject({ type: 'urn:vigil:problem:forbidden' });
    expect(await vigilSignals()).toEqual(before);
    // Nor can a token be made for the vigil source alone.
    const scoped = await t.api({
      method: 'POST',
      url: '/api/v1/ingest-tokens',
      payload: { name: 'forger', source: 'vigil' },
    });
    expect(scoped.statusCode).toBe(400);
  });
});
