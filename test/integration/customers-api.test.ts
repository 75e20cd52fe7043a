import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

interface CustomerJson {
  id: string;
  name: string;
  contacts: { name: string; email: string; role: string }[];
  createdAt: string;
  createdBy: string;
}

interface ProblemJson {
  status: number;
  type: string;
  detail: string;
  errors?: { field: string; reason: string }[];
}

const acme = {
  name: 'Acme Ltd',
  contacts: [
    { name: 'Sam Secure', email: 'Sam.Secure@Acme.example', role: 'security' },
    { name: 'Dana Privacy', email: 'dpo@acme.example', role: 'dpo' },
  ],
};
const globex = { name: 'Globex', contacts: [{ name: 'Gil', email: 'gil@globex.example', role: 'primary' }] };

describeEachDatabase('customers API', (dialect) => {
  let t: TestVigil;
  let d: ReturnType<typeof incidentDriver>;

  beforeAll(async () => {
    t = await startTestVigil(dialect);
    d = incidentDriver(t);
  });
  afterAll(async () => t.stop());

  const createCustomer = (payload: Record<string, unknown>) =>
    t.api({ method: 'POST', url: '/api/v1/customers', payload });
  const listCustomers = async () =>
    (await t.api({ method: 'GET', url: '/api/v1/customers' })).json() as { items: CustomerJson[] };
  const affect = (method: 'POST' | 'DELETE', id: string, payload: Record<string, unknown>) =>
    t.api({ method, url: `/api/v1/incidents/${id}/affected-customers`, payload });
  const fields = (body: unknown) => (body as ProblemJson).errors?.map((e) => e.field) ?? [];

  /** Runs `action` and checks it added no customer and no audit entry. */
  async function nothingWritten<T>(action: () => Promise<T>): Promise<T> {
    const [customers, entries] = [
      (await listCustomers()).items.length,
      (await t.vigil.audit.verify()).entries,
    ];
    const result = await action();
    expect((await listCustomers()).items).toHaveLength(customers);
    expect((await t.vigil.audit.verify()).entries).toBe(entries);
    return result;
  }

  const declare = () =>
    d.declare({
      title: 'Customer data exposed',
      description: 'test',
      severity: 'high',
      category: 'unauthorised_access',
    });

  it('creates a customer with lower-case emails, audited as the caller, and gets it back', async () => {
    const res = await createCustomer(acme);
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json() as CustomerJson;
    expect(created).toMatchObject({
      name: 'Acme Ltd',
      createdAt: '2026-04-07T09:30:00.000Z',
      createdBy: 'user:admin@localhost',
      contacts: [
        { name: 'Sam Secure', email: 'sam.secure@acme.example', role: 'security' },
        { name: 'Dana Privacy', email: 'dpo@acme.example', role: 'dpo' },
      ],
    });
    const got = await t.api({ method: 'GET', url: `/api/v1/customers/${created.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);

    const last = await t.vigil.database.kysely
      .selectFrom('audit_log')
      .select(['actor', 'action', 'subject_id'])
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toEqual({
      actor: 'user:admin@localhost',
      action: 'customer.created',
      subject_id: created.id,
    });
    expect((await t.vigil.audit.verify()).ok).toBe(true);
  });

  it('lists customers by name and answers 404 for an unknown id', async () => {
    expect((await createCustomer(globex)).statusCode).toBe(201);
    expect((await listCustomers()).items.map((c) => c.name)).toEqual(['Acme Ltd', 'Globex']);
    const missing = await t.api({ method: 'GET', url: `/api/v1/customers/${randomUUID()}` });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses a name already in use, in any case: 409 and nothing written', async () => {
    const res = await nothingWritten(() => createCustomer({ ...globex, name: 'ACME ltd' }));
    expect(res.statusCode).toBe(409);
    expect((res.json() as ProblemJson).type).toBe('urn:vigil:problem:conflict');
  });

  it.each([
    ['body.contacts', { name: 'NoContacts' }],
    ['body.contacts', { name: 'EmptyContacts', contacts: [] }],
    ['body.contacts.0.email', { name: 'BadEmail', contacts: [{ name: 'X', email: 'nope', role: 'dpo' }] }],
    [
      'body.contacts.0.role',
      { name: 'BadRole', contacts: [{ name: 'X', email: 'x@x.example', role: 'ceo' }] },
    ],
    ['body.name', { name: '  ', contacts: globex.contacts }],
    ['body.tier', { ...globex, name: 'Extra', tier: 'gold' }],
  ])('a wrong %s: 400 naming it, nothing written', async (field, payload) => {
    const res = await nothingWritten(() => createCustomer(payload));
    expect(res.statusCode).toBe(400);
    expect(fields(res.json())).toContain(field);
  });

  it('links affected customers with a reason, on the view and the timeline; refuses linking twice', async () => {
    const incident = await declare();
    const { items } = await listCustomers();
    const ids = items.map((c) => c.id);
    t.clock.advance(60_000);
    const res = await affect('POST', incident.reference, {
      customerIds: ids,
      reason: 'their tenants share db-3',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().affectedCustomers).toEqual(items.map((c) => ({ id: c.id, name: c.name })));
    expect((await d.get(incident.id)).affectedCustomers).toHaveLength(2);
    const [entry] = await d.timeline(incident.id, 'customers_linked');
    expect(entry).toMatchObject({
      actor: 'user:admin@localhost',
      data: { customerIds: ids, reason: 'their tenants share db-3' },
    });
    const list = (await t.api({ method: 'GET', url: '/api/v1/incidents' })).json();
    expect(list.items[0]).not.toHaveProperty('affectedCustomers');

    const again = await affect('POST', incident.id, { customerIds: [ids[1]], reason: 'again' });
    expect(again.statusCode).toBe(409);
    expect((again.json() as ProblemJson).detail).toContain(ids[1]);
    expect(await d.timeline(incident.id, 'customers_linked')).toHaveLength(1);
  });

  it('unlinks only with a reason, and only what is linked', async () => {
    const incident = await declare();
    const [first, second] = (await listCustomers()).items;
    await affect('POST', incident.id, { customerIds: [first!.id, second!.id], reason: 'shared cluster' });

    const noReason = await affect('DELETE', incident.id, { customerIds: [first!.id] });
    expect(noReason.statusCode).toBe(400);
    expect(fields(noReason.json())).toContain('body.reason');
    const blank = await affect('DELETE', incident.id, { customerIds: [first!.id], reason: ' ' });
    expect(blank.statusCode).toBe(400);

    const res = await affect('DELETE', incident.id, {
      customerIds: [first!.id],
      reason: 'not on db-3 after all',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().affectedCustomers).toEqual([{ id: second!.id, name: second!.name }]);
    const [entry] = await d.timeline(incident.id, 'customers_unlinked');
    expect(entry).toMatchObject({ data: { customerIds: [first!.id], reason: 'not on db-3 after all' } });

    const notLinked = await affect('DELETE', incident.id, { customerIds: [first!.id], reason: 'twice' });
    expect(notLinked.statusCode).toBe(404);
  });

  it('refuses an unknown customer id naming its position, and changes nothing', async () => {
    const incident = await declare();
    const [known] = (await listCustomers()).items;
    const before = (await t.vigil.audit.verify()).entries;
    const res = await affect('POST', incident.id, { customerIds: [randomUUID(), known!.id], reason: 'why' });
    expect(res.statusCode).toBe(400);
    expect(fields(res.json())).toEqual(['body.customerIds.0']);
    expect((await d.get(incident.id)).affectedCustomers).toEqual([]);
    expect((await t.vigil.audit.verify()).entries).toBe(before);
    expect(await d.timeline(incident.id, 'customers_linked')).toHaveLength(0);
  });

  it('answers 401 without a token', async () => {
    const write = await nothingWritten(() =>
      t.vigil.http.inject({
        method: 'POST',
        url: '/api/v1/customers',
        payload: { ...globex, name: 'Sneaky' },
      }),
    );
    expect(write.statusCode).toBe(401);
    expect((await t.vigil.http.inject({ method: 'GET', url: '/api/v1/customers' })).statusCode).toBe(401);
    const link = await t.vigil.http.inject({
      method: 'POST',
      url: '/api/v1/incidents/INC-1/affected-customers',
      payload: { customerIds: [randomUUID()], reason: 'x' },
    });
    expect(link.statusCode).toBe(401);
  });
});
