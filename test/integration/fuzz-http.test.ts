/**
 * Fuzzing over HTTP: every route of the OpenAPI document that takes a body,
 * path parameters or a query string gets fast-check-generated junk with an
 * admin token (wrong types, missing and extra fields, huge strings, awkward
 * Unicode, deep nesting, non-JSON, wrong content types), and so do the
 * ingestion routes with an ingest token. Whatever arrives: never a 5xx; a
 * 4xx is a problem document with a title and the status, a 400 names the
 * field; and a refused request changes nothing (every table's row count and
 * the audit chain head). Seeds are fixed; fast-check prints the seed and the
 * shrunk request on failure.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_SOURCES } from '../../src/signal/signal-types.ts';
import {
  isNdjsonSample,
  SOURCE_SAMPLES,
  sampleBody,
  sampleRecords,
} from '../fixtures/signals/source-samples.ts';
import { type DatabaseSnapshot, snapshotter } from '../support/database-snapshot.ts';
import { jsonMutations, mutated } from '../support/json-mutations.ts';
import {
  type JsonSchema,
  junkText,
  nearlyValid,
  pathSegment,
  queryArbitrary,
  type SchemaComponents,
} from '../support/openapi-arbitrary.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

/** Fixed, so every run sends the same requests; VIGIL_FUZZ_SEED explores others (fast-check prints the seed). */
const SEED = Number(process.env.VIGIL_FUZZ_SEED ?? 0x11_04);
/** Requests per route (VIGIL_FUZZ_RUNS for a longer hunt); ~90 routes stay well under a minute per database. */
const RUNS_PER_ROUTE = Number(process.env.VIGIL_FUZZ_RUNS ?? 20);
const BODY_LIMIT = 64 * 1024;
/** Routes fuzzed in their own suites below, with an ingest token instead of the admin's. */
const INGEST_ROUTES = new Set(['POST /api/v1/signals/{source}', 'POST /v2/enqueue']);

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

interface FuzzRequest {
  url: string;
  payload?: string;
  contentType?: string;
  /** Sent as `Authorization` when set (ingestion); the admin's token otherwise. */
  authorization?: string;
}

/** The public trust form, which documents no body (it takes a form or JSON), and the hidden share links. */
const UNDOCUMENTED_INPUT: Operation[] = [
  { method: 'POST', path: '/trust/evidence-requests', requestBody: { content: { 'application/json': {} } } },
  { method: 'GET', path: '/shared/{secret}', parameters: [{ name: 'secret', in: 'path' }] },
];
const TRUST_FORM = 'POST /trust/evidence-requests';

/** The operations worth fuzzing: those that take a body, path parameters or a query string. */
function fuzzedOperations(doc: { paths: Record<string, Record<string, Operation>> }): Operation[] {
  const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => ({ ...operation, method: method.toUpperCase(), path }))
      .filter((op) => !INGEST_ROUTES.has(`${op.method} ${op.path}`))
      .filter((op) => op.requestBody !== undefined || (op.parameters ?? []).length > 0),
  );
  return [...documented, ...UNDOCUMENTED_INPUT];
}

/** A form body: known and unknown fields with junk values. */
const formBody = fc
  .dictionary(
    fc.oneof(fc.constantFrom('name', 'organisation', 'email', 'need', 'periodFrom', 'periodTo'), fc.string()),
    junkText(),
    { maxKeys: 8 },
  )
  .map((fields) => ({
    payload: new URLSearchParams(fields).toString(),
    contentType: 'application/x-www-form-urlencoded',
  }));

const CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/problem+json',
  '',
];

/** A junk body: mutated nearly-valid JSON most often, else any JSON, non-JSON, or the wrong content type. */
function bodyArbitrary(schema: JsonSchema | undefined, components: SchemaComponents) {
  const near = nearlyValid(schema ?? {}, components);
  const json = (value: unknown) => ({
    payload: JSON.stringify(value) ?? 'null',
    contentType: 'application/json',
  });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(near, jsonMutations({ hugeLength: BODY_LIMIT * 2, maxDepth: 200 }))
        .map(([value, mutations]) => json(mutated(value, mutations))),
    },
    { weight: 1, arbitrary: near.map(json) },
    { weight: 1, arbitrary: fc.jsonValue().map(json) },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: 'binary', maxLength: 200 })
        .map((payload) => ({ payload, contentType: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(near, fc.constantFrom(...CONTENT_TYPES))
        .map(([value, contentType]) => ({ payload: JSON.stringify(value) ?? '', contentType })),
    },
  );
}

/** Checks one answer; returns whether the request was refused. */
function expectSafeAnswer(res: LightMyRequestResponse, pagerDutyShaped = false, form = false): boolean {
  expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500);
  if (res.statusCode < 400) return false;
  if (form && res.statusCode === 400 && String(res.headers['content-type']).includes('text/html')) {
    // A browser's form post is answered with a page listing the fields, not a problem document.
    expect(res.body).toContain('These fields need attention');
    return true;
  }
  if (pagerDutyShaped && res.statusCode === 400) {
    const body = res.json() as { status: string; message: string; errors: unknown[] };
    expect(body.status).toBe('invalid event');
    expect(body.errors.length).toBeGreaterThan(0);
    for (const error of body.errors) expect(error).toMatch(/^'[^']+'|\S/);
    return true;
  }
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const problem = res.json() as { title?: unknown; status?: unknown; errors?: { field: string }[] };
  expect(typeof problem.title === 'string' && problem.title.length > 0, res.body).toBe(true);
  expect(problem.status).toBe(res.statusCode);
  if (res.statusCode === 400) {
    expect(
      problem.errors?.length ?? 0,
      `a 400 that names no field: ${res.body.slice(0, 300)}`,
    ).toBeGreaterThan(0);
    for (const issue of problem.errors ?? []) expect(issue.field).toMatch(/^\S/);
  }
  return true;
}

describeEachDatabase('fuzzing every request', (dialect) => {
  let t: TestVigil;
  let doc: { paths: Record<string, Record<string, Operation>>; components?: { schemas?: SchemaComponents } };
  let snapshot: () => Promise<DatabaseSnapshot>;
  let current: DatabaseSnapshot;
  let incident: { id: string; reference: string };
  let ingestToken: string;

  beforeAll(async () => {
    t = await startTestVigil(dialect, { bodyLimit: BODY_LIMIT });
    doc = (await t.vigil.http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const declared = await t.api({
      method: 'POST',
      url: '/api/v1/incidents',
      payload: { title: 'Fuzz target', severity: 'low', description: 'Junk is sent at this incident.' },
    });
    expect(declared.statusCode, declared.body).toBe(201);
    incident = declared.json();
    const token = await t.api({ method: 'POST', url: '/api/v1/ingest-tokens', payload: { name: 'fuzz' } });
    expect(token.statusCode, token.body).toBe(201);
    ingestToken = (token.json() as { token: string }).token;
    snapshot = await snapshotter(t.vigil.database);
    current = await snapshot();
  });
  afterAll(async () => t?.stop());

  /** Sends one request and checks the answer; a refusal must leave the database as it was. */
  async function sendChecked(request: FuzzRequest, pagerDutyShaped = false): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {};
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    if (request.authorization !== undefined) headers.authorization = request.authorization;
    const [method, url] = request.url.split(' ', 2) as [string, string];
    const res = await t.api({ method: method as 'POST', url, payload: request.payload, headers });
    const before = current;
    // Taken before any assertion, so that a failing case (and fast-check's shrinking) starts from the truth.
    current = await snapshot();
    const form = request.contentType === 'application/x-www-form-urlencoded' && request.url === TRUST_FORM;
    const refused = expectSafeAnswer(res, pagerDutyShaped, form);
    if (refused) await expectNothingChanged(before, current, request.url, res);
    return res;
  }

  /**
   * A refusal leaves the database as it was. The one deliberate exception: a failed sign-in is
   * recorded on the audit chain (docs/security.md), and nothing but those audit entries changes.
   */
  async function expectNothingChanged(
    before: DatabaseSnapshot,
    after: DatabaseSnapshot,
    url: string,
    res: LightMyRequestResponse,
  ): Promise<void> {
    const what = `${res.statusCode} to ${url.slice(0, 80)} changed the database: ${res.body.slice(0, 200)}`;
    if (!url.startsWith('POST /auth/login')) {
      expect(after, what).toEqual(before);
      return;
    }
    const { audit_log: _a, audit_head: _h, ...rowsAfter } = after.rows;
    const { audit_log: _b, audit_head: _i, ...rowsBefore } = before.rows;
    expect(rowsAfter, what).toEqual(rowsBefore);
    const appended = await t.vigil.database.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('seq', '>', before.auditSeq)
      .execute();
    for (const entry of appended) expect(entry.action, what).toMatch(/^auth\.(sign_in_failed|locked_out)$/);
  }

  /** A path parameter: the real incident for incident routes (so bodies reach the services), or junk. */
  function pathValue(route: string, name: string): fc.Arbitrary<string> {
    const junk = fc.oneof(fc.uuid(), junkText()).map(pathSegment);
    const raw = fc.constantFrom('%zz', '%E0%A4%A', '..%2F..', '%00');
    if (name === 'id' && route.startsWith('/api/v1/incidents/')) {
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(incident.id, incident.reference) },
        { weight: 2, arbitrary: junk },
        { weight: 1, arbitrary: raw },
      );
    }
    return fc.oneof({ weight: 4, arbitrary: junk }, { weight: 1, arbitrary: raw });
  }

  function requestArbitrary(op: Operation): fc.Arbitrary<FuzzRequest> {
    const components = doc.components?.schemas ?? {};
    const params = op.parameters ?? [];
    const pathNames = params.filter((p) => p.in === 'path').map((p) => p.name);
    const query = params.filter((p) => p.in === 'query');
    const path = fc
      .tuple(...pathNames.map((name) => pathValue(op.path, name)))
      .map((values) =>
        pathNames.reduce((url, name, i) => url.replace(`{${name}}`, values[i] as string), op.path),
      );
    const search = query.length > 0 ? queryArbitrary(query, components) : fc.constant('');
    const schema = op.requestBody?.content?.['application/json']?.schema;
    const json = op.requestBody ? bodyArbitrary(schema, components) : fc.constant({});
    const body = `${op.method} ${op.path}` === TRUST_FORM ? fc.oneof(json, formBody) : json;
    return fc
      .tuple(path, search, body)
      .map(([p, q, b]) => ({ url: `${op.method} ${p}${q ? `?${q}` : ''}`, ...b }));
  }

  it('fuzzes every route that takes input: no 5xx, problem documents, nothing written on refusal', async () => {
    const operations = fuzzedOperations(doc);
    expect(operations.length).toBeGreaterThan(60);
    const outcomes: Record<string, number> = {};
    for (const op of operations) {
      const isTrustForm = `${op.method} ${op.path}` === TRUST_FORM;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async (request) => {
          // The public form allows a few requests per address per 15 minutes: move past the window.
          if (isTrustForm) t.clock.advance(16 * 60_000);
          const res = await sendChecked(request);
          outcomes[String(res.statusCode)] = (outcomes[String(res.statusCode)] ?? 0) + 1;
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE },
      );
    }
    console.info(`[fuzz-http ${dialect}] seed ${SEED}, answers by status: ${JSON.stringify(outcomes)}`);
    // The junk reached past the schemas: some requests were refused by services (404, 409, 422), some accepted.
    expect(outcomes['400']).toBeGreaterThan(0);
    expect(Object.keys(outcomes).filter((status) => status.startsWith('2')).length).toBeGreaterThan(0);
    expect((outcomes['404'] ?? 0) + (outcomes['409'] ?? 0) + (outcomes['422'] ?? 0)).toBeGreaterThan(0);
  }, 120_000);

  it('fuzzes ingestion for every source: no 5xx, problem documents, nothing stored on refusal', async () => {
    const source = fc.constantFrom(...SIGNAL_SOURCES);
    const mutatedSample = fc
      .tuple(source, fc.nat(), fc.nat(), jsonMutations({ hugeLength: 100_000 }))
      .map(([from, pick, at, mutations]) => {
        const samples = SOURCE_SAMPLES[from];
        const name = samples[pick % samples.length] as string;
        const records = sampleRecords(name);
        const target = at % records.length;
        const body = sampleBody(
          name,
          records.map((r, i) => (i === target ? mutated(r, mutations) : r)),
        );
        const contentType = isNdjsonSample(name) ? 'application/x-ndjson' : 'application/json';
        return { source: from, payload: body, contentType };
      });
    const junk = fc.record({
      source: fc.oneof(source, junkText().map(pathSegment)),
      payload: fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      ),
      contentType: fc.constantFrom('application/json', 'application/x-ndjson', 'text/plain', ''),
    });
    const outcomes = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: mutatedSample }, { weight: 1, arbitrary: junk }),
        async (r) => {
          const res = await sendChecked({
            url: `POST /api/v1/signals/${r.source}`,
            payload: r.payload,
            contentType: r.contentType,
            authorization: `Bearer ${ingestToken}`,
          });
          outcomes[res.statusCode === 202 ? 'accepted' : 'refused']++;
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 120_000);

  it('fuzzes /v2/enqueue: PagerDuty-shaped 400s, problem documents otherwise, nothing stored on refusal', async () => {
    const samples = SOURCE_SAMPLES.pagerduty;
    const event = fc
      .tuple(fc.constantFrom(...samples), jsonMutations({ hugeLength: 100_000 }), fc.boolean())
      .map(([name, mutations, keepKey]) => {
        const record = sampleRecords(name)[0] as Record<string, unknown>;
        const changed = mutated(keepKey ? { ...record, routing_key: ingestToken } : record, mutations);
        return JSON.stringify(changed) ?? '';
      });
    const junk = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    const outcomes = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 3, arbitrary: event }, { weight: 1, arbitrary: junk }),
        async (payload) => {
          const res = await sendChecked(
            { url: 'POST /v2/enqueue', payload, contentType: 'application/json' },
            true,
          );
          outcomes[res.statusCode === 202 ? 'accepted' : 'refused']++;
        },
      ),
      { seed: SEED, numRuns: 120 },
    );
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 120_000);

  describe('regressions the fuzzing found', () => {
    it.each([
      [
        'a NUL in a path parameter (PostgreSQL failed the query: 500)',
        'GET /api/v1/evidence-requests/%00',
        'params.id',
      ],
      ['a NUL in an incident id an authorization check looks up', 'GET /api/v1/incidents/%00', 'params.id'],
      ['a NUL in a query value', 'GET /api/v1/signals?principal=a%00b', 'query.principal'],
      ['a URL that does not decode (Fastify answered in its own JSON)', 'GET /api/v1/incidents/%zz', 'url'],
    ])('%s: 400 naming the field', async (_name, request, field) => {
      const res = await sendChecked({ url: request });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    });

    it('a NUL in a JSON body (PostgreSQL failed the insert: 500): 400 naming the field', async () => {
      const payload = JSON.stringify({ title: 'a\u0000b', severity: 'low', description: 'x' });
      const res = await sendChecked({
        url: 'POST /api/v1/incidents',
        payload,
        contentType: 'application/json',
      });
      expect(res.statusCode).toBe(400);
      expect((res.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
        'body.title',
      ]);
    });

    it('a path parameter over 100 characters (Fastify answered in its own JSON): 414 problem', async () => {
      const res = await sendChecked({
        url: `PATCH /api/v1/users/${'x'.repeat(101)}`,
        payload: '{}',
        contentType: 'application/json',
      });
      expect(res.statusCode).toBe(414);
      expect((res.json() as { type: string }).type).toBe('urn:vigil:problem:uri-too-long');
    });

    it('a NUL a sender escaped in an ingested event (PostgreSQL failed the insert: 500): stored as U+FFFD', async () => {
      const event = {
        source: 'nul\u0000test',
        type: 't',
        severity: 'info',
        title: 'odd\u0000title',
        timestamp: '2026-04-07T09:00:00Z',
      };
      const res = await sendChecked({
        url: 'POST /api/v1/signals/generic',
        payload: JSON.stringify(event),
        contentType: 'application/json',
        authorization: `Bearer ${ingestToken}`,
      });
      expect(res.statusCode, res.body).toBe(202);
      const [id] = (res.json() as { signalIds: string[] }).signalIds;
      const stored = (await t.api({ method: 'GET', url: `/api/v1/signals/${id}` })).json() as {
        summary: string;
      };
      expect(stored.summary).toBe('odd\ufffdtitle');
    });
  });
});
