import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const valid = { title: 'Suspicious login', severity: 'medium', description: 'One odd login' };

/** Everything a client can get wrong, each answered with a 4xx problem that names the field and writes nothing. */
describeEachDatabase('bad input', (dialect) => {
  let t: TestVigil;

  beforeAll(async () => {
    t = await startTestVigil(dialect, { bodyLimit: 4096 });
  });
  afterAll(async () => t.stop());

  async function nothingWritten<T>(action: () => Promise<T>): Promise<T> {
    const before = await t.vigil.audit.verify();
    const listBefore = (await t.api({ method: 'GET', url: '/api/v1/incidents?limit=200' })).json();
    const result = await action();
    const after = await t.vigil.audit.verify();
    const listAfter = (await t.api({ method: 'GET', url: '/api/v1/incidents?limit=200' })).json();
    expect(after.entries).toBe(before.entries);
    expect(listAfter.items).toHaveLength(listBefore.items.length);
    return result;
  }

  function expectProblem(
    res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
    status: number,
  ) {
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const body = res.json() as { status: number; type: string; title: string; detail: string };
    expect(body.status).toBe(status);
    expect(body.type).toMatch(/^urn:vigil:problem:/);
    expect(body.detail.length).toBeGreaterThan(0);
    return body as { errors?: { field: string; reason: string }[]; detail: string };
  }

  const post = (payload: string, contentType = 'application/json') =>
    t.api({ method: 'POST', url: '/api/v1/incidents', payload, headers: { 'content-type': contentType } });

  it('malformed JSON: 400 naming the body', async () => {
    const body = expectProblem(await nothingWritten(() => post('{"title": "x",')), 400);
    expect(body.errors?.[0]?.field).toBe('body');
  });

  it.each([
    ['text/plain', 'hello'],
    ['application/xml', '<incident/>'],
    ['application/x-www-form-urlencoded', 'title=x'],
  ])('wrong content type %s: 415', async (contentType, payload) => {
    expectProblem(await nothingWritten(() => post(payload, contentType)), 415);
  });

  it('no content type at all: 415', async () => {
    const res = await nothingWritten(() =>
      t.vigil.http.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: Buffer.from(JSON.stringify(valid)),
        headers: { authorization: 'Bearer vgl_test-admin-token-0123456789abcdef', 'content-type': '' },
      }),
    );
    expect([400, 415]).toContain(res.statusCode);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
  });

  it.each([
    ['body.title', { ...valid, title: 5 }],
    ['body.severity', { ...valid, severity: 'apocalyptic' }],
    ['body.title', { ...valid, title: '   ' }],
    ['body.openedAt', { ...valid, openedAt: 'yesterday' }],
    ['body.openedAt', { ...valid, openedAt: '2026-04-07T09:00:00' }],
    ['body.description', { ...valid, description: ['a'] }],
    ['body.surprise', { ...valid, surprise: true }],
    ['body.severity', { title: 'only a title' }],
  ])('a wrong %s: 400 naming it', async (field, payload) => {
    const body = expectProblem(await nothingWritten(() => post(JSON.stringify(payload))), 400);
    expect(body.errors?.map((e) => e.field)).toContain(field);
  });

  it('reports every missing field at once', async () => {
    const body = expectProblem(await nothingWritten(() => post('{}')), 400);
    expect(body.errors?.map((e) => e.field).sort()).toEqual([
      'body.description',
      'body.severity',
      'body.title',
    ]);
  });

  it.each(['null', '[]', '"a string"', '42'])(
    'a JSON body that is not an object (%s): 400',
    async (payload) => {
      expectProblem(await nothingWritten(() => post(payload)), 400);
    },
  );

  it('an openedAt in the future: 400 naming openedAt', async () => {
    const future = new Date(t.clock.now().getTime() + 60_000).toISOString();
    const body = expectProblem(
      await nothingWritten(() => post(JSON.stringify({ ...valid, openedAt: future }))),
      400,
    );
    expect(body.errors?.map((e) => e.field)).toEqual(['body.openedAt']);
  });

  it('a body over the limit: 413', async () => {
    const huge = JSON.stringify({ ...valid, description: 'x'.repeat(10_000) });
    expectProblem(await nothingWritten(() => post(huge)), 413);
  });

  it('a prototype-poisoning body: 400', async () => {
    expectProblem(await nothingWritten(() => post('{"__proto__": {"admin": true}, "title": "x"}')), 400);
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['limit=201', 'query.limit'],
    ['cursor=not-a-cursor', 'query.cursor'],
    ['colour=red', 'query.colour'],
  ])('a bad list query (%s): 400 naming %s', async (query, field) => {
    const res = await t.api({ method: 'GET', url: `/api/v1/incidents?${query}` });
    expect(expectProblem(res, 400).errors?.map((e) => e.field)).toContain(field);
  });

  it('an unknown route: 404 problem', async () => {
    expectProblem(await t.api({ method: 'GET', url: '/api/v1/nothing-here' }), 404);
  });

  it('a wrong method: 404 problem, never 5xx', async () => {
    expectProblem(await t.api({ method: 'DELETE', url: '/api/v1/incidents' }), 404);
  });

  describe('authentication', () => {
    it.each([
      ['no header', {}],
      ['an unknown token', { authorization: 'Bearer vgl_wrong' }],
      ['a Basic header', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('%s: 401 with a Bearer challenge', async (_name, headers) => {
      const res = await nothingWritten(() =>
        t.vigil.http.inject({ method: 'POST', url: '/api/v1/incidents', payload: valid, headers }),
      );
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
    });

    it('protects reads as well as writes', async () => {
      for (const url of ['/api/v1/incidents', '/api/v1/audit/verify', '/api/v1/unknown']) {
        expectProblem(await t.vigil.http.inject({ method: 'GET', url }), 401);
      }
    });

    it('leaves the OpenAPI document and its viewer public', async () => {
      const doc = await t.vigil.http.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(doc.statusCode).toBe(200);
      const ui = await t.vigil.http.inject({ method: 'GET', url: '/api/docs' });
      expect(ui.statusCode).toBeLessThan(400);
    });
  });
});
