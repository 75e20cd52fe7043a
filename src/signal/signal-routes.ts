import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { IngestThrottle } from '../http/rate-limit-hooks.ts';
import type { IngestPrincipal, IngestTokenService } from '../identity/ingest-token-service.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Forbidden, NotFound, Unauthenticated, ValidationFailed } from '../platform/errors.ts';
import { pagerDutyAcceptedBody, pagerDutyInvalidBody } from './adapters/adapter-registry.ts';
import type { SignalDal } from './signal-dal.ts';
import { incidentLinksOf } from './signal-incident-links.ts';
import type { IngestReceipt, SignalIngestService } from './signal-ingest-service.ts';
import { SIGNAL_KINDS, SIGNAL_SOURCES, SIGNAL_STATUSES, type StoredSignalRecord } from './signal-types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on ingestion routes by their own authentication. */
    ingestPrincipal?: IngestPrincipal;
  }
}

/** The ingestion path for one source: authenticated by ingest tokens, not by people's API tokens. */
export const INGEST_PATH = /^\/api\/v1\/signals\/[^/?]+$/;

const IngestReceiptSchema = z.object({
  source: z.enum(SIGNAL_SOURCES),
  received: z.number().int(),
  stored: z.number().int(),
  duplicates: z.number().int(),
  signalIds: z.array(z.string()),
  incidents: z.array(z.object({ id: z.string(), reference: z.string(), opened: z.boolean() })),
});

const SignalSchema = z.object({
  id: z.string(),
  source: z.enum(SIGNAL_SOURCES),
  kind: z.enum(SIGNAL_KINDS),
  severityHint: z.string(),
  status: z.enum(SIGNAL_STATUSES),
  occurredAt: z.string(),
  receivedAt: z.string(),
  dedupKey: z.string(),
  correlationKey: z.string().nullable(),
  entities: z.record(z.string(), z.union([z.string(), z.number()]).optional()),
  summary: z.string(),
  raw: z.unknown(),
});

function signalJson(s: StoredSignalRecord) {
  return {
    id: s.id,
    source: s.source,
    kind: s.kind,
    severityHint: s.severityHint,
    status: s.status,
    occurredAt: s.occurredAt.toISOString(),
    receivedAt: s.receivedAt.toISOString(),
    dedupKey: s.dedupKey,
    correlationKey: s.correlationKey ?? null,
    entities: s.entities,
    summary: s.summary,
    raw: s.raw,
  };
}

function receiptJson(r: IngestReceipt) {
  const { signals: _signals, ...rest } = r;
  return rest;
}

/** The token of an ingestion request: `Authorization: Bearer …`, or `?token=…` for senders that cannot set headers. */
function ingestToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new Unauthenticated('the Authorization header must be "Bearer <token>"');
    return match[1]!;
  }
  const query = request.query as { token?: unknown } | undefined;
  if (typeof query?.token === 'string' && query.token.length > 0) return query.token;
  throw new Unauthenticated('an ingest token is required: Authorization: Bearer <token>, or ?token=<token>');
}

const CURSOR = /^\d{1,18}$/;

/** A replay without `until` runs to the end of the stored signals. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

const ListQuery = z
  .object({
    source: z.enum(SIGNAL_SOURCES).optional(),
    kind: z.enum(SIGNAL_KINDS).optional(),
    status: z.enum(SIGNAL_STATUSES).optional(),
    principal: z.string().max(500).optional(),
    clientIp: z.string().max(100).optional(),
    entity: z
      .string()
      .max(600)
      .regex(/^[A-Za-z][A-Za-z0-9_]*:.+$/, 'name:value, e.g. database:ordersdb')
      .optional()
      .describe('Any entity, as name:value'),
    incident: z.uuid().optional().describe('Signals linked to this incident'),
    from: z.iso.datetime({ offset: true }).optional().describe('occurredAt at or after'),
    to: z.iso.datetime({ offset: true }).optional().describe('occurredAt before'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().regex(CURSOR, 'a cursor from a previous page').optional(),
  })
  .strict();

/**
 * Ingestion (`POST /api/v1/signals/{source}`, `POST /v2/enqueue` for
 * PagerDuty Events v2 senders) in a scope of its own: bodies are read as
 * text up to the ingest limit and handed to the source's adapter, and the
 * caller is an ingest token. Reading (`GET /api/v1/signals`) and replaying
 * detection are ordinary API routes.
 */
export function registerSignalRoutes(
  app: FastifyInstance,
  deps: {
    ingest: SignalIngestService;
    tokens: Pick<IngestTokenService, 'authenticate'>;
    dal: SignalDal;
    db: Kysely<VigilDatabase>;
    ingestBodyLimit: number;
    /** Requests per second per ingest token (VIGIL_INGEST_RATE_LIMIT); none: unlimited. */
    throttle?: IngestThrottle | undefined;
  },
): void {
  const { ingest, tokens, dal, db, ingestBodyLimit, throttle } = deps;

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: ingestBodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    const api = scope.withTypeProvider<ZodTypeProvider>();

    api.post(
      '/api/v1/signals/:source',
      {
        bodyLimit: ingestBodyLimit,
        schema: {
          tags: ['signals'],
          summary: 'Submit signals in a source’s own format (202 once durably stored)',
          description:
            'Authenticated by an ingest token (bearer header or ?token=). A batch is all-or-nothing. Sources: ' +
            SIGNAL_SOURCES.join(', '),
          params: z.object({ source: z.string().min(1).max(50) }).strict(),
          querystring: z.object({ token: z.string().max(200).optional() }).strict(),
          security: [{ bearerAuth: [] }, { ingestQueryToken: [] }],
          response: { 202: IngestReceiptSchema, ...problemResponses(400, 401, 403, 404, 413, 415, 429) },
        },
        onRequest: async (request, reply) => {
          const { source } = request.params as { source: string };
          request.ingestPrincipal = await tokens.authenticate(ingestToken(request), source);
          // Vigil's own security events enter only through the internal port: none can be forged.
          if (source === 'vigil') throw new Forbidden('vigil signals are recorded by Vigil itself only');
          if (throttle && !(await throttle.check(request, reply, request.ingestPrincipal.tokenId)))
            return reply;
        },
      },
      async (request, reply) => {
        const body = typeof request.body === 'string' ? request.body : '';
        if (body.trim() === '') throw new ValidationFailed([{ field: 'body', reason: 'is empty' }]);
        const receipt = await ingest.ingest(request.params.source, body, request.headers['content-type']);
        return reply.code(202).send(receiptJson(receipt));
      },
    );

    api.post(
      '/v2/enqueue',
      {
        bodyLimit: 512 * 1024,
        schema: {
          tags: ['signals'],
          summary: 'PagerDuty Events API v2 compatible: trigger, acknowledge, resolve',
          description:
            'The routing_key is a Vigil ingest token (for pagerduty or every source). Answers 202 {status, message, dedup_key} or 400 {status, message, errors} as PagerDuty does; token problems are 401/403 problem documents.',
          security: [],
        },
      },
      async (request, reply) => {
        const body = typeof request.body === 'string' ? request.body : '';
        let routingKey: unknown;
        try {
          routingKey = (JSON.parse(body) as { routing_key?: unknown } | null)?.routing_key;
        } catch {
          return reply
            .code(400)
            .send(pagerDutyInvalidBody([{ field: '(body)', reason: 'is not valid JSON' }]));
        }
        if (typeof routingKey !== 'string' || routingKey === '') {
          return reply
            .code(400)
            .send(pagerDutyInvalidBody([{ field: 'routing_key', reason: "'routing_key' is required" }]));
        }
        request.ingestPrincipal = await tokens.authenticate(routingKey, 'pagerduty');
        if (throttle && !(await throttle.check(request, reply, request.ingestPrincipal.tokenId)))
          return reply;
        try {
          const receipt = await ingest.ingest('pagerduty', body, request.headers['content-type']);
          return reply.code(202).send(pagerDutyAcceptedBody(receipt.signals[0]!));
        } catch (error) {
          if (!(error instanceof ValidationFailed)) throw error;
          const issues = error.issues.map((i) => ({
            field: i.field.replace(/^body\./, ''),
            reason: i.reason,
          }));
          return reply.code(400).send(pagerDutyInvalidBody(issues));
        }
      },
    );
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/signals',
    {
      schema: {
        tags: ['signals'],
        summary: 'Stored signals, newest first, by source, kind, status, entity, incident and time',
        querystring: ListQuery,
        response: {
          200: z.object({
            items: z.array(
              SignalSchema.extend({
                incidents: z.array(
                  z.object({ incidentId: z.string(), reference: z.string(), ruleId: z.string().nullable() }),
                ),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
          ...problemResponses(400, 401),
        },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const q = request.query;
      const [entityName, ...rest] = q.entity?.split(':') ?? [];
      const items = await dal.list(db, {
        source: q.source,
        kind: q.kind,
        status: q.status,
        principal: q.principal,
        clientIp: q.clientIp,
        entity: entityName ? { name: entityName, value: rest.join(':') } : undefined,
        incidentId: q.incident,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        beforeSeq: q.cursor ? Number(q.cursor) : undefined,
        limit: q.limit,
      });
      const nextCursor = items.length === q.limit ? String(items.at(-1)!.seq) : null;
      const links = await incidentLinksOf(
        db,
        items.map((s) => s.id),
      );
      return {
        items: items.map((s) => ({ ...signalJson(s), incidents: links.get(s.id) ?? [] })),
        nextCursor,
      };
    },
  );

  api.get(
    '/api/v1/signals/:id',
    {
      schema: {
        tags: ['signals'],
        summary: 'One stored signal, with its raw record',
        params: z.object({ id: z.string().regex(/^[1-9]\d{0,17}$/, 'a signal id (a number)') }).strict(),
        response: { 200: SignalSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const found = await dal.findById(db, request.params.id);
      if (!found) throw new NotFound('signal', request.params.id);
      return signalJson(found);
    },
  );

  api.post(
    '/api/v1/detection/replay',
    {
      schema: {
        tags: ['signals'],
        summary: 'Re-run detection over stored signals (backfill); same firings find the same incidents',
        body: z
          .object({
            since: z.iso.datetime({ offset: true }),
            until: z.iso.datetime({ offset: true }).optional(),
          })
          .strict(),
        response: {
          200: z.object({
            signals: z.number().int(),
            incidents: z.array(z.object({ id: z.string(), reference: z.string(), opened: z.boolean() })),
          }),
          ...problemResponses(400, 401, 415),
        },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const until = new Date(request.body.until ?? END_OF_TIME);
      return ingest.replay(new Date(request.body.since), until);
    },
  );
}
