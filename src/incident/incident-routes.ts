import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { IncidentService } from './incident-service.ts';
import type { Incident } from './incident-types.ts';

const Instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant with an offset or Z');

const IncidentSchema = z
  .object({
    id: z.uuid(),
    reference: z.string().describe('Human reference, INC-<n>'),
    title: z.string(),
    description: z.string(),
    severity: z.string(),
    phase: z.string(),
    openedAt: Instant,
    declaredAt: Instant,
    declaredBy: z.object({ userId: z.string(), email: z.string() }),
    outOfHours: z.boolean(),
    policyVersion: z.string().describe('Content hash of the policy the incident was opened under'),
    updatedAt: Instant,
  })
  .meta({ id: 'Incident' });

function declareBody(severityIds: readonly string[]) {
  return z
    .object({
      title: z.string().trim().min(1).max(200),
      severity: z.enum(severityIds as [string, ...string[]]),
      description: z.string().trim().min(1).max(20_000),
      openedAt: Instant.optional().describe('When handling began, if earlier than now; never in the future'),
    })
    .strict();
}

const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

function toJson(incident: Incident): z.infer<typeof IncidentSchema> {
  return {
    ...incident,
    openedAt: incident.openedAt.toISOString(),
    declaredAt: incident.declaredAt.toISOString(),
    updatedAt: incident.updatedAt.toISOString(),
  };
}

/** `/api/v1/incidents`: declare, list newest first, show one. */
export function registerIncidentRoutes(
  app: FastifyInstance,
  deps: { incidents: IncidentService; severityIds: readonly string[] },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { incidents } = deps;

  api.post(
    '/api/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Declare an incident',
        body: declareBody(deps.severityIds),
        response: { 201: IncidentSchema, ...problemResponses(400, 401, 413, 415) },
      },
    },
    async (request, reply) => {
      const { openedAt, ...rest } = request.body;
      const incident = await incidents.declare(requirePrincipal(request), {
        ...rest,
        openedAt: openedAt === undefined ? undefined : new Date(openedAt),
      });
      return reply.code(201).header('location', `/api/v1/incidents/${incident.id}`).send(toJson(incident));
    },
  );

  api.get(
    '/api/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'List incidents, newest opened first',
        querystring: ListQuery,
        response: {
          200: z.object({ items: z.array(IncidentSchema), nextCursor: z.string().nullable() }),
          ...problemResponses(400, 401),
        },
      },
    },
    async (request) => {
      const page = await incidents.list(request.query);
      return { items: page.items.map(toJson), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Show one incident by id or reference',
        params: z.object({ id: z.string().min(1).max(100).describe('UUID or INC-<n>') }).strict(),
        response: { 200: IncidentSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => toJson(await incidents.get(request.params.id)),
  );
}
