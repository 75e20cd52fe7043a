import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

/**
 * The console's first run (`POST /api/v1/demo`) and the policy pages'
 * routes (`GET /api/v1/policy`, `/api/v1/policy/versions`).
 */
describeEachDatabase('first-run demo and the policy in force', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t.stop());

  /** A user of `role` and a token of theirs (admin scope: the role alone decides). */
  async function tokenFor(role: string): Promise<string> {
    const email = `${role.replace('_', '.')}@example.com`;
    expect(
      (await t.api({ method: 'POST', url: '/api/v1/users', payload: { email, name: role, role } }))
        .statusCode,
    ).toBe(201);
    const created = await t.api({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { name: `${role} token`, scopes: ['admin'], owner: email },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json().secret as string;
  }

  it('loads the demo through detection once, opening realistic incidents, and refuses a second time', async () => {
    t = await startTestVigil(dialect, { now: '2026-11-27T10:00:00Z' });
    const res = await t.api({ method: 'POST', url: '/api/v1/demo', payload: {} });
    expect(res.statusCode, res.body).toBe(200);
    const outcome = res.json() as Json;
    expect(outcome.files.map((f: Json) => f.source)).toEqual(['sql-audit', 'defender', 'alertmanager']);
    expect(outcome.files.every((f: Json) => f.stored === f.received && f.stored > 0)).toBe(true);
    const titles = outcome.incidents.map((i: Json) => i.title).join('\n');
    expect(titles).toMatch(/Brute-force login against svc_dbadmin/);
    expect(titles).toMatch(/Resource anomaly/);
    expect(outcome.incidents.length).toBeGreaterThanOrEqual(2);

    // The incidents are real: on the board, opened by detection at the (fake) present.
    const list = (await t.api({ method: 'GET', url: '/api/v1/incidents' })).json() as Json;
    const references = list.items.map((i: Json) => i.reference).sort();
    expect(references).toEqual(outcome.incidents.map((i: Json) => i.reference).sort());
    // The signal times were moved to just before now, so nothing is late on arrival.
    const signals = (await t.api({ method: 'GET', url: '/api/v1/signals?limit=200' })).json() as Json;
    const latest = Math.max(...signals.items.map((s: Json) => Date.parse(s.occurredAt)));
    expect(latest).toBeLessThanOrEqual(Date.parse('2026-11-27T10:00:00Z'));
    expect(latest).toBeGreaterThan(Date.parse('2026-11-27T09:50:00Z'));
    // Each listed signal names the incidents it is linked to and the rule that linked it.
    const rules = new Set(signals.items.flatMap((s: Json) => s.incidents.map((l: Json) => l.ruleId)));
    expect(rules).toContain('brute-force-login');
    expect(rules).toContain('resource-anomaly');
    const failed = signals.items.find((s: Json) => s.kind === 'auth_failure' && s.incidents.length > 0);
    expect(failed.incidents[0].reference).toMatch(/^INC-\d+$/);

    const again = await t.api({ method: 'POST', url: '/api/v1/demo', payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/empty installation/);
    const audit = await t.vigil.database.kysely
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'demo.loaded')
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail).incidents).toEqual(outcome.incidents.map((i: Json) => i.reference));
  });

  it('lets only an administrator load the demo, and only into an installation without incidents', async () => {
    t = await startTestVigil(dialect);
    for (const role of ['incident_manager', 'responder', 'viewer']) {
      const res = await t.vigil.http.inject({
        method: 'POST',
        url: '/api/v1/demo',
        payload: {},
        headers: { authorization: `Bearer ${await tokenFor(role)}` },
      });
      expect(res.statusCode, `${role}: ${res.body}`).toBe(403);
    }
    const declared = await t.api({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: { title: 'A real incident', description: 'Declared by hand.', severity: 'low' },
    });
    expect(declared.statusCode, declared.body).toBe(201);
    const res = await t.api({ method: 'POST', url: '/api/v1/demo', payload: {} });
    expect(res.statusCode).toBe(409);
    const signals = (await t.api({ method: 'GET', url: '/api/v1/signals' })).json() as Json;
    expect(signals.items).toEqual([]);
    const bad = await t.api({ method: 'POST', url: '/api/v1/demo', payload: { everything: true } });
    expect(bad.statusCode).toBe(400);
  });

  it('shows the policy in force and its version history to every human role', async () => {
    t = await startTestVigil(dialect, { now: '2026-11-27T10:00:00Z' });
    const policy = (await t.api({ method: 'GET', url: '/api/v1/policy' })).json() as Json;
    expect(policy.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(policy.source).toBe('built-in');
    expect(policy.loadedAt).toBe('2026-11-27T10:00:00.000Z');
    expect(policy.policy.time.timeZone).toBe('Europe/London');
    expect(policy.policy.severities.map((s: Json) => s.id)).toEqual(['critical', 'high', 'medium', 'low']);

    const versions = (await t.api({ method: 'GET', url: '/api/v1/policy/versions' })).json() as Json;
    expect(versions.items).toHaveLength(1);
    expect(versions.items[0]).toMatchObject({
      version: policy.version,
      source: 'built-in',
      firstLoadedAt: '2026-11-27T10:00:00.000Z',
      current: true,
    });
    expect(versions.items[0].files.length).toBeGreaterThan(0);

    for (const role of ['viewer', 'responder', 'communications', 'auditor']) {
      const res = await t.vigil.http.inject({
        method: 'GET',
        url: '/api/v1/policy',
        headers: { authorization: `Bearer ${await tokenFor(role)}` },
      });
      expect(res.statusCode, `${role}: ${res.body}`).toBe(200);
    }
    expect((await t.vigil.http.inject({ method: 'GET', url: '/api/v1/policy/versions' })).statusCode).toBe(
      401,
    );
  });
});
