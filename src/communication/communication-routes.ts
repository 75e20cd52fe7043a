import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { UserEmail } from '../identity/user-email.ts';
import { IdParams } from '../incident/incident-routes.ts';
import type { CommunicationService } from './communication-service.ts';
import {
  COMMUNICATION_AUDIENCES,
  type CommunicationView,
  type RenderedMessage,
} from './communication-types.ts';

const text = (max: number) => z.string().max(max);

const DraftBody = z
  .object({
    audience: z.enum(COMMUNICATION_AUDIENCES),
    template: z.string().min(1).max(100).optional().describe('A policy template id, e.g. customer_update'),
    subject: text(300).optional().describe('Free-form subject (template language), instead of a template'),
    body: text(50_000).optional().describe('Free-form body (template language), instead of a template'),
    customerIds: z
      .array(z.uuid())
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'name each customer once')
      .optional()
      .describe('Customers to tell (audience customers); default: every affected customer'),
    recipients: z
      .array(UserEmail)
      .max(100)
      .optional()
      .describe('Extra internal recipients beyond the people holding a role on the incident'),
    whatHappened: text(20_000).optional().describe('Default: the incident description'),
    whatWeAreDoing: text(20_000).optional(),
    whatYouShouldDo: text(20_000).optional(),
    nextUpdateAt: text(200).optional().describe('Overrides the next update time the cadence gives'),
  })
  .strict();

const CommunicationParams = IdParams.extend({ cid: z.uuid() }).strict();

const DeliverySchema = z.object({
  outboxId: z.string(),
  channel: z.enum(['email', 'webhook']),
  recipient: z.string(),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  messageId: z.string(),
  subject: z.string(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  sentAt: z.string().nullable(),
  response: z.string().nullable(),
  lastError: z.string().nullable(),
});

const CommunicationSchema = z.object({
  id: z.string(),
  incidentId: z.string(),
  audience: z.enum(COMMUNICATION_AUDIENCES),
  template: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string().nullable(),
  values: z.record(z.string(), z.string()),
  customerIds: z.array(z.string()),
  recipients: z.array(z.string()),
  status: z.enum(['draft', 'approved', 'queued', 'sent', 'failed']),
  approvers: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  approvedAt: z.string().nullable(),
  approvedBy: z.string().nullable(),
  queuedAt: z.string().nullable(),
  queuedBy: z.string().nullable(),
  deliveries: z.array(DeliverySchema),
});

const PreviewSchema = z.object({
  communicationId: z.string(),
  messages: z.array(
    z.object({
      recipient: z.string(),
      recipientName: z.string(),
      subject: z.string(),
      text: z.string(),
      html: z.string(),
    }),
  ),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function communicationJson(c: CommunicationView) {
  const values = Object.fromEntries(
    Object.entries(c.values).filter(([, v]) => typeof v === 'string'),
  ) as Record<string, string>;
  return {
    ...c,
    values,
    createdAt: c.createdAt.toISOString(),
    approvedAt: iso(c.approvedAt),
    queuedAt: iso(c.queuedAt),
    deliveries: c.deliveries.map((d) => ({ ...d, sentAt: iso(d.sentAt) })),
  };
}

function previewJson(p: { communicationId: string; messages: RenderedMessage[] }) {
  return p;
}

/** `/api/v1/incidents/{id}/communications`: draft, list, preview, approve and send messages. */
export function registerCommunicationRoutes(
  app: FastifyInstance,
  deps: { communications: CommunicationService },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { communications } = deps;
  const tags = ['communications'];
  const one = { 200: CommunicationSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415) };

  api.post(
    '/api/v1/incidents/:id/communications',
    {
      schema: {
        tags,
        summary: 'Draft a message to customers or staff, from a template or free-form',
        params: IdParams,
        body: DraftBody,
        response: { 201: CommunicationSchema, ...problemResponses(400, 401, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const created = await communications.draft(requirePrincipal(request), request.params.id, request.body);
      return reply.code(201).send(communicationJson(created));
    },
  );

  api.get(
    '/api/v1/incidents/:id/communications',
    {
      schema: {
        tags,
        summary: 'List the incident’s communications with their status and deliveries',
        params: IdParams,
        response: {
          200: z.object({ items: z.array(CommunicationSchema) }),
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return { items: (await communications.list(request.params.id)).map(communicationJson) };
    },
  );

  api.get(
    '/api/v1/incidents/:id/communications/:cid',
    { schema: { tags, summary: 'One communication', params: CommunicationParams, response: one } },
    async (request) => {
      requirePrincipal(request);
      return communicationJson(await communications.get(request.params.id, request.params.cid));
    },
  );

  api.put(
    '/api/v1/incidents/:id/communications/:cid',
    {
      schema: {
        tags,
        summary: 'Rewrite a draft (an approval is withdrawn; 409 once queued)',
        params: CommunicationParams,
        body: DraftBody,
        response: one,
      },
    },
    async (request) =>
      communicationJson(
        await communications.revise(
          requirePrincipal(request),
          request.params.id,
          request.params.cid,
          request.body,
        ),
      ),
  );

  api.post(
    '/api/v1/incidents/:id/communications/:cid/preview',
    {
      schema: {
        tags,
        summary: 'Render the message for each recipient, as text and HTML',
        params: CommunicationParams,
        response: { 200: PreviewSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return previewJson(await communications.preview(request.params.id, request.params.cid));
    },
  );

  api.post(
    '/api/v1/incidents/:id/communications/:cid/approve',
    {
      schema: {
        tags,
        summary: 'Approve a draft (the incident’s communications lead or owner, as the policy says)',
        params: CommunicationParams,
        response: one,
      },
    },
    async (request) =>
      communicationJson(
        await communications.approve(requirePrincipal(request), request.params.id, request.params.cid),
      ),
  );

  api.post(
    '/api/v1/incidents/:id/communications/:cid/send',
    {
      schema: {
        tags,
        summary: 'Queue the message for delivery (409 while a needed approval is missing)',
        params: CommunicationParams,
        response: one,
      },
    },
    async (request) =>
      communicationJson(
        await communications.send(requirePrincipal(request), request.params.id, request.params.cid),
      ),
  );
}
