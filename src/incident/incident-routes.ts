import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { mayUse } from '../http/authorization.ts';
import { problemResponses } from '../http/problem.ts';
import { UserEmail } from '../identity/user-email.ts';
import { TIMELINE_KINDS, type TimelineKind } from '../timeline/timeline-types.ts';
import {
  ComponentImpactSchema,
  IncidentSchema,
  IncidentSummarySchema,
  Instant,
  incidentJson,
  summaryJson,
  TimelineEntrySchema,
  timelineJson,
} from './incident-schemas.ts';
import type { IncidentService } from './incident-service.ts';

const IdParams = z.object({ id: z.string().min(1).max(100).describe('UUID or INC-<n>') }).strict();

function declareBody(severityIds: readonly string[]) {
  return z
    .object({
      title: z.string().trim().min(1).max(200),
      severity: z.enum(severityIds as [string, ...string[]]),
      description: z.string().trim().min(1).max(20_000),
      openedAt: Instant.optional().describe('When handling began, if earlier than now; never in the future'),
      category: z.string().min(1).max(100).optional().describe('A category id of the policy'),
      components: z
        .array(ComponentImpactSchema)
        .max(50)
        .optional()
        .describe('Affected components and impact'),
    })
    .strict();
}

const booleanFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
    phase: z.string().max(100).optional(),
    severity: z.string().max(100).optional(),
    owner: UserEmail.optional().describe("The owner's email"),
    breached: booleanFlag
      .optional()
      .describe('Only incidents with (true) or without (false) a breached clock'),
    outOfHours: booleanFlag.optional(),
    exercise: booleanFlag.optional().describe('Only exercise incidents (true) or only real ones (false)'),
    open: booleanFlag.optional().describe('Only open incidents (true) or only closed ones (false)'),
    openedFrom: Instant.optional().describe('Opened at or after this instant'),
    openedTo: Instant.optional().describe('Opened before this instant'),
  })
  .strict();

const TimelineQuery = z
  .object({
    kind: z
      .string()
      .max(500)
      .optional()
      .describe(`Comma-separated kinds: ${TIMELINE_KINDS.join(', ')}`)
      .refine(
        (v) => !v || v.split(',').every((k) => (TIMELINE_KINDS as readonly string[]).includes(k.trim())),
        {
          message: `must be a comma-separated list of ${TIMELINE_KINDS.join(', ')}`,
        },
      ),
  })
  .strict();

const TimelineBody = z
  .object({
    kind: z.enum(['note', 'decision']),
    text: z.string().trim().min(1).max(20_000).describe('The note, or what was decided'),
    rationale: z.string().trim().min(1).max(20_000).optional().describe('Why (decisions)'),
    alternatives: z
      .array(z.string().trim().min(1).max(2_000))
      .max(20)
      .optional()
      .describe('Options considered (decisions)'),
  })
  .strict();

/** `/api/v1/incidents`: declare, list with filters, show one, and the timeline. */
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
      return reply
        .code(201)
        .header('location', `/api/v1/incidents/${incident.id}`)
        .send(incidentJson(incident));
    },
  );

  api.get(
    '/api/v1/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'List incidents, newest opened first, with filters',
        querystring: ListQuery,
        response: {
          200: z.object({ items: z.array(IncidentSummarySchema), nextCursor: z.string().nullable() }),
          ...problemResponses(400, 401),
        },
      },
    },
    async (request) => {
      const { limit, cursor, owner, openedFrom, openedTo, ...rest } = request.query;
      const filter = {
        ...rest,
        ownerEmail: owner?.toLowerCase(),
        openedFrom: openedFrom ? new Date(openedFrom) : undefined,
        openedTo: openedTo ? new Date(openedTo) : undefined,
      };
      const page = await incidents.list({ limit, cursor, filter });
      return { items: page.items.map(summaryJson), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/api/v1/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Show one incident by id or reference',
        params: IdParams,
        response: { 200: IncidentSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const view = incidentJson(await incidents.get(request.params.id));
      // Breach details are for those who may read them; a viewer sees the incident without them.
      return mayUse(request, 'breaches:read') ? view : { ...view, breach: null };
    },
  );

  api.get(
    '/api/v1/incidents/:id/timeline',
    {
      schema: {
        tags: ['incidents'],
        summary: "The incident's timeline, oldest first",
        params: IdParams,
        querystring: TimelineQuery,
        response: {
          200: z.object({ items: z.array(TimelineEntrySchema) }),
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      const kinds = request.query.kind?.split(',').map((k) => k.trim() as TimelineKind);
      const entries = await incidents.timeline(request.params.id, kinds);
      const shown = mayUse(request, 'breaches:read') ? entries : entries.filter((e) => e.kind !== 'breach');
      return { items: shown.map(timelineJson) };
    },
  );

  api.post(
    '/api/v1/incidents/:id/timeline',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Add a note or a decision to the timeline',
        params: IdParams,
        body: TimelineBody,
        response: { 201: TimelineEntrySchema, ...problemResponses(400, 401, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const entry = await incidents.addTimelineEntry(
        requirePrincipal(request),
        request.params.id,
        request.body,
      );
      return reply.code(201).send(timelineJson(entry));
    },
  );
}

export { IdParams };
