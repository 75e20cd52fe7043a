import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { IncidentCustomerService } from './incident-customer-service.ts';
import { IdParams } from './incident-routes.ts';
import { IncidentSchema, incidentJson } from './incident-schemas.ts';

const AffectedCustomersBody = z
  .object({
    customerIds: z
      .array(z.uuid())
      .min(1)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, 'name each customer once'),
    reason: z.string().trim().min(1).max(5_000).describe('Why; recorded on the timeline'),
  })
  .strict();

const answers = { 200: IncidentSchema, ...problemResponses(400, 401, 404, 409, 413, 415) };

/** `/api/v1/incidents/{id}/affected-customers`: link and unlink the customers an incident affects. */
export function registerIncidentCustomerRoutes(
  app: FastifyInstance,
  deps: { affected: IncidentCustomerService },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { affected } = deps;
  const tags = ['incidents'];

  api.post(
    '/api/v1/incidents/:id/affected-customers',
    {
      schema: {
        tags,
        summary: 'Link affected customers, with a reason (409 names any already linked)',
        params: IdParams,
        body: AffectedCustomersBody,
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await affected.link(requirePrincipal(request), request.params.id, request.body)),
  );

  api.delete(
    '/api/v1/incidents/:id/affected-customers',
    {
      schema: {
        tags,
        summary: 'Unlink affected customers, with a reason (404 names any not linked)',
        params: IdParams,
        body: AffectedCustomersBody,
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await affected.unlink(requirePrincipal(request), request.params.id, request.body)),
  );
}
