import { afterAll, beforeAll, expect, it } from 'vitest';
import { openMigratedDatabase } from '../../src/app/vigil.ts';
import { createAuditDal } from '../../src/audit/audit-dal.ts';
import { createAuditService } from '../../src/audit/audit-service.ts';
import { createIdentityDal } from '../../src/identity/identity-dal.ts';
import { createIdentityService } from '../../src/identity/identity-service.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { describeEachDatabase, scratchDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

interface UserJson {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: string;
}

interface ProblemJson {
  status: number;
  type: string;
  detail: string;
  errors?: { field: string; reason: string }[];
}

describeEachDatabase('users API', (dialect) => {
  let t: TestVigil;

  beforeAll(async () => {
    t = await startTestVigil(dialect);
  });
  afterAll(async () => t.stop());

  const createUser = (payload: Record<string, unknown>) =>
    t.api({ method: 'POST', url: '/api/v1/users', payload });
  const listUsers = async () =>
    (await t.api({ method: 'GET', url: '/api/v1/users' })).json() as { items: UserJson[] };

  async function auditActions(): Promise<{ actor: string; action: string; detail: string }[]> {
    return t.vigil.database.kysely
      .selectFrom('audit_log')
      .select(['actor', 'action', 'detail'])
      .orderBy('seq')
      .execute();
  }

  /** Runs `action` and checks it added no user and no audit entry. */
  async function nothingWritten<T>(action: () => Promise<T>): Promise<T> {
    const [users, entries] = [(await listUsers()).items.length, (await t.vigil.audit.verify()).entries];
    const result = await action();
    expect((await listUsers()).items).toHaveLength(users);
    expect((await t.vigil.audit.verify()).entries).toBe(entries);
    return result;
  }

  it('creates a user with a lower-case email and the default role, audited as the caller', async () => {
    const res = await createUser({ email: 'Grace.Hopper@Example.COM', name: '  Grace Hopper ' });
    expect(res.statusCode).toBe(201);
    const user = res.json() as UserJson;
    expect(user).toMatchObject({
      email: 'grace.hopper@example.com',
      name: 'Grace Hopper',
      role: 'responder',
    });
    expect(user.createdAt).toBe('2026-04-07T09:30:00.000Z');

    const last = (await auditActions()).at(-1);
    expect(last).toMatchObject({ actor: 'user:admin@localhost', action: 'user.created' });
    expect(JSON.parse(last!.detail)).toMatchObject({ email: 'grace.hopper@example.com', role: 'responder' });
    expect((await t.vigil.audit.verify()).ok).toBe(true);
    expect(await t.vigil.identity.findUserByEmail('GRACE.hopper@example.com')).toMatchObject({ id: user.id });
    expect(await t.vigil.identity.findUserByEmail('nobody@example.com')).toBeNull();
  });

  it('lists users oldest first, with the role given', async () => {
    t.clock.advance(60_000);
    const res = await createUser({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      role: 'incident_manager',
    });
    expect(res.statusCode).toBe(201);
    const { items } = await listUsers();
    const emails = items.map((u) => u.email);
    expect(emails.indexOf('grace.hopper@example.com')).toBeLessThan(emails.indexOf('ada@example.com'));
    expect(items.find((u) => u.email === 'ada@example.com')).toMatchObject({
      name: 'Ada Lovelace',
      role: 'incident_manager',
    });
    expect(items.find((u) => u.email === 'admin@localhost')?.role).toBe('admin');
  });

  it('refuses an email already in use, in any case: 409 and nothing written', async () => {
    const res = await nothingWritten(() => createUser({ email: 'ADA@example.com', name: 'Another Ada' }));
    expect(res.statusCode).toBe(409);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const problem = res.json() as ProblemJson;
    expect(problem.type).toBe('urn:vigil:problem:conflict');
    expect(problem.detail).toContain('ada@example.com');
  });

  it.each([
    ['body.email', { email: 'not-an-email', name: 'X' }],
    ['body.email', { name: 'No Email' }],
    ['body.name', { email: 'x@example.com', name: '   ' }],
    ['body.name', { email: 'x@example.com', name: 'n'.repeat(201) }],
    ['body.role', { email: 'x@example.com', name: 'X', role: 'overlord' }],
    ['body.password', { email: 'x@example.com', name: 'X', password: 'hunter2' }],
  ])('a wrong %s: 400 naming it, nothing written', async (field, payload) => {
    const res = await nothingWritten(() => createUser(payload));
    expect(res.statusCode).toBe(400);
    expect((res.json() as ProblemJson).errors?.map((e) => e.field)).toContain(field);
  });

  it('answers 401 without a token, to reads and writes alike', async () => {
    const write = await nothingWritten(() =>
      t.vigil.http.inject({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email: 'sneaky@example.com', name: 'Sneaky' },
      }),
    );
    expect(write.statusCode).toBe(401);
    const read = await t.vigil.http.inject({ method: 'GET', url: '/api/v1/users' });
    expect(read.statusCode).toBe(401);
    expect(read.headers['www-authenticate']).toContain('Bearer');
  });

  it('ensurePolicyPeople creates each missing person once, even when two start-ups race', async () => {
    const people = [
      { email: 'Chief@Example.com', title: 'Chief Product Officer' },
      { email: 'chief@example.com', title: 'Listed twice' },
      { email: 'deputy@example.com', title: 'Head of Engineering', name: 'Dee Puty' },
      { email: 'ada@example.com', title: 'Already a user' },
    ];
    const before = (await t.vigil.audit.verify()).entries;
    const [first, second] = await Promise.all([
      t.vigil.identity.ensurePolicyPeople(people),
      t.vigil.identity.ensurePolicyPeople(people),
    ]);
    expect([...first, ...second].sort()).toEqual(['chief@example.com', 'deputy@example.com']);
    expect(await t.vigil.identity.ensurePolicyPeople(people)).toEqual([]);

    const after = await t.vigil.audit.verify();
    expect(after).toMatchObject({ ok: true, entries: before + 2 });
    const added = (await auditActions()).slice(-2);
    expect(added.every((e) => e.actor === 'system:policy' && e.action === 'user.created')).toBe(true);

    const { items } = await listUsers();
    expect(items.find((u) => u.email === 'chief@example.com')).toMatchObject({
      name: 'Chief Product Officer',
      role: 'incident_manager',
    });
    expect(items.find((u) => u.email === 'deputy@example.com')?.name).toBe('Dee Puty');
    expect(items.find((u) => u.email === 'ada@example.com')?.name).toBe('Ada Lovelace');
  });

  it('changes a role and switches an account off, audited, and never loses the last administrator', async () => {
    const created = (
      await createUser({ email: 'ops.lee@example.com', name: 'Lee', role: 'responder' })
    ).json() as UserJson;
    const token = (
      await t.api({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: 'lee', scopes: ['read'], owner: 'ops.lee@example.com' },
      })
    ).json() as { secret: string };
    const patch = (id: string, payload: Record<string, unknown>) =>
      t.api({ method: 'PATCH', url: `/api/v1/users/${id}`, payload });

    const promoted = await patch(created.id, { role: 'incident_manager' });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ role: 'incident_manager', disabledAt: null });
    const entries = await auditActions();
    expect(entries.at(-1)).toMatchObject({ action: 'user.role_changed', actor: 'user:admin@localhost' });
    expect(JSON.parse(entries.at(-1)!.detail)).toEqual({
      email: 'ops.lee@example.com',
      from: 'responder',
      to: 'incident_manager',
    });

    // Switched off: the token stops at once; switched on, it works again.
    const asLee = () =>
      t.vigil.http.inject({
        method: 'GET',
        url: '/api/v1/incidents',
        headers: { authorization: `Bearer ${token.secret}` },
      });
    expect((await asLee()).statusCode).toBe(200);
    expect((await patch(created.id, { disabled: true })).json()).toMatchObject({
      disabledAt: expect.any(String),
    });
    expect((await asLee()).statusCode).toBe(401);
    await patch(created.id, { disabled: false });
    expect((await asLee()).statusCode).toBe(200);
    expect((await auditActions()).slice(-2).map((e) => e.action)).toEqual(['user.disabled', 'user.enabled']);

    // The last administrator stays one; bad input names its field; nothing changes either way.
    const admin = (await listUsers()).items.find((u) => u.email === 'admin@localhost')!;
    const last = await nothingWritten(() => patch(admin.id, { role: 'viewer' }));
    expect(last.statusCode).toBe(409);
    expect((last.json() as ProblemJson).detail).toContain('last administrator');
    const bad = await nothingWritten(() => patch(created.id, { role: 'overlord' }));
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as ProblemJson).errors?.[0]?.field).toBe('body.role');
    expect((await nothingWritten(() => patch(created.id, {}))).statusCode).toBe(400);
    expect((await patch('00000000-0000-4000-8000-000000000000', { role: 'viewer' })).statusCode).toBe(404);
  });
});

/** The first start creates the people the policy names, then the admin: the two must not trip over each other. */
describeEachDatabase('first-start admin beside policy people', (dialect) => {
  async function freshIdentity() {
    const scratch = scratchDatabase(dialect);
    const database = await openMigratedDatabase(scratch.url);
    const db = database.kysely;
    const audit = createAuditService({ db, dal: createAuditDal(database.dialect) });
    const identity = createIdentityService({
      db,
      dal: createIdentityDal(),
      audit,
      clock: new FakeClock('2026-04-07T09:30:00Z'),
    });
    const actions = async () =>
      (await db.selectFrom('audit_log').select('action').orderBy('seq').execute()).map((r) => r.action);
    return {
      identity,
      audit,
      actions,
      async stop() {
        await database.close();
        await scratch.drop();
      },
    };
  }

  it('creates the admin although policy people already exist', async () => {
    const f = await freshIdentity();
    try {
      expect(await f.identity.ensurePolicyPeople([{ email: 'cpo@example.com', title: 'CPO' }])).toEqual([
        'cpo@example.com',
      ]);
      const result = await f.identity.bootstrapAdmin({ email: 'Admin@Localhost' });
      expect(result).toMatchObject({
        created: true,
        email: 'admin@localhost',
        generatedToken: expect.any(String),
      });
      const principal = await f.identity.authenticate(result.generatedToken!);
      expect(principal.user).toMatchObject({ email: 'admin@localhost', role: 'admin' });
      expect(await f.identity.bootstrapAdmin({ email: 'admin@localhost' })).toEqual({
        created: false,
        email: 'admin@localhost',
      });
    } finally {
      await f.stop();
    }
  });

  it('promotes a policy person named as the admin, once, when two start-ups race', async () => {
    const f = await freshIdentity();
    try {
      await f.identity.ensurePolicyPeople([{ email: 'cpo@example.com', title: 'CPO' }]);
      const token = 'vgl_promoted-admin-token-0123456789';
      const results = await Promise.all([
        f.identity.bootstrapAdmin({ email: 'CPO@example.com', presetToken: token }),
        f.identity.bootstrapAdmin({ email: 'cpo@example.com', presetToken: token }),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await f.identity.authenticate(token)).user).toMatchObject({
        email: 'cpo@example.com',
        role: 'admin',
        displayName: 'CPO',
      });
      expect(await f.identity.listUsers()).toHaveLength(1);
      expect(await f.actions()).toEqual(['user.created', 'user.role_changed', 'api_token.created']);
      expect((await f.audit.verify()).ok).toBe(true);
    } finally {
      await f.stop();
    }
  });
});
