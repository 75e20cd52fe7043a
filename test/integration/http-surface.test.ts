import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

interface OpenApiDocument {
  openapi: string;
  paths: Record<
    string,
    Record<string, { security?: unknown[]; requestBody?: unknown; responses: Record<string, unknown> }>
  >;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
}

describeEachDatabase('HTTP surface', (dialect) => {
  let t: TestVigil;
  const logLines: string[] = [];

  beforeAll(async () => {
    t = await startTestVigil(dialect, { logLines });
  });
  afterAll(async () => t.stop());

  it('describes every route, its schemas and bearer security in OpenAPI 3', async () => {
    const res = await t.vigil.http.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = res.json() as OpenApiDocument;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Incident', 'Problem']));
    const declare = doc.paths['/api/v1/incidents']?.post;
    expect(declare?.requestBody).toBeDefined();
    expect(Object.keys(declare?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '413', '415']),
    );
    expect(doc.paths['/api/v1/incidents/{id}']?.get).toBeDefined();
    expect(doc.paths['/api/v1/audit/verify']?.get).toBeDefined();
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
  });

  it('answers the probes', async () => {
    expect((await t.vigil.http.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.vigil.http.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      status: 'ready',
    });
  });

  it('logs structured lines with request ids and never a token', async () => {
    await t.api({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: { title: 'x', severity: 'low', description: 'y' },
    });
    await t.vigil.http.inject({
      method: 'GET',
      url: '/api/v1/incidents',
      headers: {
        authorization: 'Bearer vgl_a-wrong-token-that-must-not-be-logged',
        'x-request-id': 'trace-123',
      },
    });
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some((e) => e.requestId === 'trace-123')).toBe(true);
    const all = logLines.join('\n');
    expect(all).not.toContain(ADMIN_TOKEN);
    expect(all).not.toContain('vgl_a-wrong-token-that-must-not-be-logged');
  });

  it('echoes the request id on every answer', async () => {
    const res = await t.vigil.http.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'abc-1' },
    });
    expect(res.headers['x-request-id']).toBe('abc-1');
    const generated = await t.vigil.http.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id!' },
    });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports not ready, as a 503 problem, once the database is gone', async () => {
    await t.vigil.database.close();
    const res = await t.vigil.http.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ type: 'urn:vigil:problem:not-ready' });
  });
});
