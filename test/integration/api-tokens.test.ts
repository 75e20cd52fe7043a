import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const failedLogins = readFileSync(
  new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
  'utf8',
);

/** API tokens: shown once, stored hashed, scoped, expiring, revocable, and named in the audit chain. */
describeEachDatabase('API tokens', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t.stop());

  const create = (payload: Json, token?: string) =>
    t.api({
      method: 'POST',
      url: '/api/v1/tokens',
      payload,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
  const call = (token: string, method: string, url: string, payload?: unknown) =>
    t.vigil.http.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as Json }),
    });
  const declare = { title: 'Token-made', severity: 'low', description: 'x' };

  it('shows the secret once, stores only its hash, and records the token in the audit chain', async () => {
    t = await startTestVigil(dialect, { now: '2026-04-07T10:00:00Z' });
    const created = await create({
      name: 'deploy bot',
      scopes: ['write'],
      expiresAt: '2026-07-01T00:00:00Z',
    });
    expect(created.statusCode, created.body).toBe(201);
    const token = created.json() as Json;
    expect(token).toMatchObject({
      name: 'deploy bot',
      owner: 'admin@localhost',
      scopes: ['write'],
      expiresAt: '2026-07-01T00:00:00.000Z',
      lastUsedAt: null,
    });
    expect(token.secret).toMatch(/^vgl_/);
    const row = await t.vigil.database.kysely
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', token.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(token.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(token.secret);
    const listed = (await t.api({ method: 'GET', url: '/api/v1/tokens' })).json() as Json;
    expect(JSON.stringify(listed)).not.toContain(token.secret);

    // A write with the token: the audit entry names the token that made it.
    t.clock.set('2026-04-07T10:05:00Z');
    const declared = await call(token.secret, 'POST', '/api/v1/incidents', declare);
    expect(declared.statusCode, declared.body).toBe(201);
    const entry = await t.vigil.database.kysely
      .selectFrom('audit_log')
      .select(['actor', 'credential'])
      .where('action', '=', 'incident.declared')
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ actor: 'user:admin@localhost', credential: `token:${token.id}` });
    const after = (await t.api({ method: 'GET', url: '/api/v1/tokens' })).json() as Json;
    expect(after.items.find((i: Json) => i.id === token.id).lastUsedAt).toBe('2026-04-07T10:05:00.000Z');
    expect((await t.api({ method: 'GET', url: '/api/v1/audit/verify' })).json()).toMatchObject({ ok: true });
  });

  it('lets each scope do only its part: read, write, ingest, ingest for one source', async () => {
    t = await startTestVigil(dialect, { now: '2026-04-07T10:00:00Z' });
    const secret = async (scopes: string[]) =>
      ((await create({ name: scopes.join(' '), scopes })).json() as Json).secret;
    const read = await secret(['read']);
    const write = await secret(['write']);
    const ingest = await secret(['ingest']);
    const sqlOnly = await secret(['ingest:sql-audit']);

    expect((await call(read, 'GET', '/api/v1/incidents')).statusCode).toBe(200);
    expect((await call(read, 'POST', '/api/v1/incidents', declare)).statusCode).toBe(403);
    expect((await call(write, 'POST', '/api/v1/incidents', declare)).statusCode).toBe(201);
    // Neither read nor write may mint tokens: only an admin-scoped credential changes who can do what.
    expect((await create({ name: 'escalate', scopes: ['admin'] }, write)).statusCode).toBe(403);
    expect(
      (await call(write, 'POST', '/api/v1/users', { email: 'x@example.com', name: 'X' })).statusCode,
    ).toBe(403);

    // An ingest token cannot read incidents; it can submit signals.
    expect((await call(ingest, 'GET', '/api/v1/incidents')).statusCode).toBe(403);
    const submit = (token: string, source: string) =>
      t.vigil.http.inject({
        method: 'POST',
        url: `/api/v1/signals/${source}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        payload: source === 'sql-audit' ? failedLogins : '{"title":"x","severity":"low","source":"cron"}',
      });
    expect((await submit(sqlOnly, 'sql-audit')).statusCode).toBe(202);
    expect((await submit(sqlOnly, 'generic')).statusCode).toBe(403);
    expect((await submit(read, 'sql-audit')).statusCode).toBe(403);
    // An ingest token of the older kind (vgi_) is no API token at all.
    const legacy = await t.api({ method: 'POST', url: '/api/v1/ingest-tokens', payload: { name: 'azure' } });
    expect((await call((legacy.json() as Json).token, 'GET', '/api/v1/incidents')).statusCode).toBe(401);
  });

  it('expires, revokes, and keeps other people’s tokens out of reach', async () => {
    t = await startTestVigil(dialect, { now: '2026-04-07T10:00:00Z' });
    const past = await create({ name: 'old', scopes: ['read'], expiresAt: '2026-04-07T09:00:00Z' });
    expect(past.statusCode).toBe(400);
    expect((past.json() as Json).errors[0].field).toBe('body.expiresAt');
    const badScope = await create({ name: 'x', scopes: ['root'] });
    expect(badScope.statusCode).toBe(400);
    expect((badScope.json() as Json).errors[0].field).toMatch(/^body\.scopes/);
    expect(await t.vigil.database.kysely.selectFrom('api_tokens').select('id').execute()).toHaveLength(1);

    const brief = (
      await create({ name: 'brief', scopes: ['read'], expiresAt: '2026-04-07T11:00:00Z' })
    ).json() as Json;
    expect((await call(brief.secret, 'GET', '/api/v1/incidents')).statusCode).toBe(200);
    t.clock.set('2026-04-07T11:00:01Z');
    expect((await call(brief.secret, 'GET', '/api/v1/incidents')).statusCode).toBe(401);

    const kept = (await create({ name: 'kept', scopes: ['read'] })).json() as Json;
    const revoked = await t.api({ method: 'DELETE', url: `/api/v1/tokens/${kept.id}` });
    expect(revoked.statusCode).toBe(200);
    expect((revoked.json() as Json).revokedAt).toBe('2026-04-07T11:00:01.000Z');
    expect((await call(kept.secret, 'GET', '/api/v1/incidents')).statusCode).toBe(401);
    expect((await t.api({ method: 'DELETE', url: `/api/v1/tokens/${kept.id}` })).statusCode).toBe(409);

    // A responder sees and revokes only their own tokens; an admin's token is "not found" to them.
    await t.api({
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'rita@example.com', name: 'Rita', role: 'responder' },
    });
    const rita = (
      await create({ name: 'rita', scopes: ['admin'], owner: 'rita@example.com' })
    ).json() as Json;
    const mine = (await call(rita.secret, 'GET', '/api/v1/tokens')).json() as Json;
    expect(mine.items.map((i: Json) => i.owner)).toEqual(['rita@example.com']);
    const admins = (await t.api({ method: 'GET', url: '/api/v1/tokens' })).json() as Json;
    const adminToken = admins.items.find((i: Json) => i.owner === 'admin@localhost');
    expect((await call(rita.secret, 'DELETE', `/api/v1/tokens/${adminToken.id}`)).statusCode).toBe(404);
    expect(
      (await create({ name: 'for admin', scopes: ['read'], owner: 'admin@localhost' }, rita.secret))
        .statusCode,
    ).toBe(403);
  });
});
