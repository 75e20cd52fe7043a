import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { UserEmail } from '../identity/user-email.ts';
import { IdParams } from '../incident/incident-routes.ts';
import { reviewMarkdown, reviewPdf } from './review-export.ts';
import type { ReviewService, ReviewView } from './review-service.ts';
import { ACTION_KINDS, ACTION_LINK_KINDS, ACTION_STATUSES, type CorrectiveAction } from './review-types.ts';

const Text = (max: number) => z.string().trim().max(max);
const LocalDate = z.iso.date().describe('YYYY-MM-DD');

const ReviewBody = z
  .object({
    summary: Text(20_000).min(1),
    rootCause: Text(20_000).min(1),
    impact: Text(20_000).min(1),
    lessons: Text(20_000).min(1),
    customerSummary: Text(20_000).min(1),
    contributingFactors: z.array(Text(2_000).min(1)).max(50).optional(),
    whys: z.array(Text(2_000).min(1)).max(10).optional().describe('A "five whys" chain, first why first'),
    impactDetail: z
      .object({
        customers: Text(5_000).nullable().optional(),
        data: Text(5_000).nullable().optional(),
        services: Text(5_000).nullable().optional(),
        duration: Text(500).nullable().optional(),
      })
      .strict()
      .optional(),
    annotations: z
      .array(z.object({ timelineEntryId: z.string().min(1).max(100), note: Text(5_000).min(1) }).strict())
      .max(500)
      .optional(),
  })
  .strict();

const ActionBody = z
  .object({
    title: Text(500).min(1),
    kind: z.enum(ACTION_KINDS),
    owner: UserEmail,
    dueDate: LocalDate,
    links: z
      .array(z.object({ kind: z.enum(ACTION_LINK_KINDS), ref: Text(1_000).min(1) }).strict())
      .max(20)
      .optional(),
  })
  .strict();

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function actionJson(a: CorrectiveAction) {
  return {
    ...a,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    doneAt: iso(a.doneAt),
  };
}

function reviewJson(v: ReviewView) {
  const r = v.review;
  return {
    incidentId: v.incidentId,
    reference: v.reference,
    required: v.required,
    review: r
      ? {
          ...r,
          updatedAt: r.updatedAt.toISOString(),
          submittedAt: iso(r.submittedAt),
          approvedAt: iso(r.approvedAt),
        }
      : null,
    actions: v.actions.map(actionJson),
  };
}

const Loose = z.object({}).passthrough();

/** `/api/v1/incidents/{id}/review`, its actions, and `/api/v1/actions`. */
export function registerReviewRoutes(app: FastifyInstance, deps: { reviews: ReviewService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { reviews } = deps;
  const tags = ['reviews'];
  const answers = { 200: Loose, ...problemResponses(400, 401, 403, 404, 409, 413, 415) };

  api.get(
    '/api/v1/incidents/:id/review',
    {
      schema: {
        tags,
        summary: 'The post-incident review, whether it is required, and the actions',
        params: IdParams,
        response: answers,
      },
    },
    async (request) => {
      requirePrincipal(request);
      return reviewJson(await reviews.get(request.params.id));
    },
  );
  api.put(
    '/api/v1/incidents/:id/review',
    {
      schema: {
        tags,
        summary: 'Write the review (an approved one goes back to draft)',
        params: IdParams,
        body: ReviewBody,
        response: answers,
      },
    },
    async (request) =>
      reviewJson(await reviews.put(requirePrincipal(request), request.params.id, request.body)),
  );
  api.post(
    '/api/v1/incidents/:id/review/submit',
    { schema: { tags, summary: 'Send the draft for review', params: IdParams, response: answers } },
    async (request) => reviewJson(await reviews.submit(requirePrincipal(request), request.params.id)),
  );
  api.post(
    '/api/v1/incidents/:id/review/approve',
    {
      schema: {
        tags,
        summary: 'Approve the review (the policy’s review approver on the incident)',
        params: IdParams,
        response: answers,
      },
    },
    async (request) => reviewJson(await reviews.approve(requirePrincipal(request), request.params.id)),
  );
  api.get(
    '/api/v1/incidents/:id/review/export',
    {
      schema: {
        tags,
        summary: 'The review as Markdown (default) or PDF',
        params: IdParams,
        querystring: z.object({ format: z.enum(['markdown', 'pdf']).default('markdown') }).strict(),
      },
    },
    async (request, reply) => {
      requirePrincipal(request);
      const doc = await reviews.document(request.params.id);
      const name = `${doc.incident.reference}-review`;
      if (request.query.format === 'pdf') {
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${name}.pdf"`)
          .send(await reviewPdf(doc));
      }
      return reply.type('text/markdown; charset=utf-8').send(reviewMarkdown(doc));
    },
  );

  api.post(
    '/api/v1/incidents/:id/actions',
    {
      schema: {
        tags,
        summary: 'Add a corrective or preventive action with an owner and a target date',
        params: IdParams,
        body: ActionBody,
        response: { 201: Loose, ...problemResponses(400, 401, 404, 413, 415) },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          actionJson(await reviews.addAction(requirePrincipal(request), request.params.id, request.body)),
        ),
  );

  api.get(
    '/api/v1/actions',
    {
      schema: {
        tags,
        summary: 'Actions by target date, by owner, status or overdue',
        querystring: z
          .object({
            owner: UserEmail.optional(),
            status: z.enum(ACTION_STATUSES).optional(),
            overdue: z.enum(['true', 'false']).optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(Loose) }), ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const q = request.query;
      const items = await reviews.listActions({
        owner: q.owner,
        status: q.status,
        overdue: q.overdue === 'true',
      });
      return { items: items.map(actionJson) };
    },
  );

  api.patch(
    '/api/v1/actions/:aid',
    {
      schema: {
        tags,
        summary: "Move an action on (won't do needs a reason, from its owner)",
        params: z.object({ aid: z.uuid() }).strict(),
        body: z
          .object({
            status: z.enum(ACTION_STATUSES).optional(),
            wontDoReason: Text(5_000).optional(),
            owner: UserEmail.optional(),
            dueDate: LocalDate.optional(),
          })
          .strict(),
        response: { 200: Loose, ...problemResponses(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request) =>
      actionJson(await reviews.updateAction(requirePrincipal(request), request.params.aid, request.body)),
  );
}
