import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { UserEmail } from '../identity/user-email.ts';
import type { IncidentPeopleService } from './incident-people-service.ts';
import type { IncidentPhaseService } from './incident-phase-service.ts';
import type { IncidentResponseService } from './incident-response-service.ts';
import { IdParams } from './incident-routes.ts';
import { ComponentImpactSchema, IncidentSchema, Instant, incidentJson } from './incident-schemas.ts';
import { INCIDENT_ROLES, TRIAGE_DECISIONS } from './incident-types.ts';
import type { IncidentUpdateService } from './incident-update-service.ts';

const Reason = z.string().trim().min(1).max(5_000);
const answers = { 200: IncidentSchema, ...problemResponses(400, 401, 404, 409, 413, 415) };

/** The actions that run an incident: acknowledge, triage, roles, phases, checklist, severity, handover. */
export function registerIncidentActionRoutes(
  app: FastifyInstance,
  deps: {
    response: IncidentResponseService;
    phases: IncidentPhaseService;
    people: IncidentPeopleService;
    updates: IncidentUpdateService;
  },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { response, phases, people, updates } = deps;
  const tags = ['incidents'];

  api.post(
    '/api/v1/incidents/:id/acknowledge',
    { schema: { tags, summary: 'Acknowledge the incident', params: IdParams, response: answers } },
    async (request) => incidentJson(await response.acknowledge(requirePrincipal(request), request.params.id)),
  );

  api.post(
    '/api/v1/incidents/:id/triage',
    {
      schema: {
        tags,
        summary:
          'Record the triage decision (confirmed begins technical triage; false_positive closes; duplicate merges)',
        params: IdParams,
        body: z
          .object({
            decision: z.enum(TRIAGE_DECISIONS),
            reason: Reason,
            duplicateOf: z.string().min(1).max(100).optional(),
          })
          .strict(),
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await response.triage(requirePrincipal(request), request.params.id, request.body)),
  );

  const RoleBody = z.object({ role: z.enum(INCIDENT_ROLES), user: UserEmail }).strict();
  api.post(
    '/api/v1/incidents/:id/roles',
    {
      schema: {
        tags,
        summary: 'Assign a role to a user',
        params: IdParams,
        body: RoleBody,
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await people.assignRole(requirePrincipal(request), request.params.id, request.body)),
  );
  api.delete(
    '/api/v1/incidents/:id/roles',
    {
      schema: {
        tags,
        summary: 'Remove a technical responder',
        params: IdParams,
        body: z.object({ role: z.literal('responder'), user: UserEmail }).strict(),
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await people.removeResponder(requirePrincipal(request), request.params.id, request.body)),
  );

  api.post(
    '/api/v1/incidents/:id/phase',
    {
      schema: {
        tags,
        summary: 'Move to another phase (409 lists the allowed phases)',
        params: IdParams,
        body: z
          .object({
            phase: z.string().min(1).max(100),
            reason: Reason.optional(),
            override: z.literal(true).optional(),
          })
          .strict(),
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await phases.changePhase(requirePrincipal(request), request.params.id, request.body)),
  );

  api.post(
    '/api/v1/incidents/:id/checklist',
    {
      schema: {
        tags,
        summary: 'Tick or untick a checklist item of the current phase',
        params: IdParams,
        body: z
          .object({
            item: z.string().min(1).max(100),
            done: z.boolean(),
            phase: z.string().min(1).max(100).optional(),
          })
          .strict(),
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await phases.setChecklistItem(requirePrincipal(request), request.params.id, request.body)),
  );

  api.post(
    '/api/v1/incidents/:id/classification',
    {
      schema: {
        tags,
        summary: 'Set the category and the affected components with their impact',
        params: IdParams,
        body: z
          .object({
            category: z.string().min(1).max(100).optional(),
            components: z.array(ComponentImpactSchema).max(50).optional(),
            reason: Reason.optional(),
          })
          .strict(),
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await response.classify(requirePrincipal(request), request.params.id, request.body)),
  );

  api.post(
    '/api/v1/incidents/:id/severity',
    {
      schema: {
        tags,
        summary: 'Change the severity, with a reason; clocks follow the severity-change rule',
        params: IdParams,
        body: z.object({ severity: z.string().min(1).max(100), reason: Reason }).strict(),
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await response.changeSeverity(requirePrincipal(request), request.params.id, request.body)),
  );

  api.post(
    '/api/v1/incidents/:id/handover',
    {
      schema: {
        tags,
        summary: 'Hand command to a named person, or to the next in the succession list',
        params: IdParams,
        body: z.object({ to: UserEmail.optional(), reason: Reason }).strict(),
        response: answers,
      },
    },
    async (request) =>
      incidentJson(await people.handover(requirePrincipal(request), request.params.id, request.body)),
  );

  api.post(
    '/api/v1/incidents/:id/customer-updates',
    {
      schema: {
        tags,
        summary: 'Record a customer update that was sent; it meets the current period of the update cadence',
        params: IdParams,
        body: z
          .object({
            summary: z.string().trim().min(1).max(5_000).describe('What the customers were told'),
            sentAt: Instant.optional().describe('When it was sent, if not now'),
          })
          .strict(),
        response: answers,
      },
    },
    async (request) => {
      const { summary, sentAt } = request.body;
      const input = { summary, sentAt: sentAt === undefined ? undefined : new Date(sentAt) };
      return incidentJson(
        await updates.recordCustomerUpdate(requirePrincipal(request), request.params.id, input),
      );
    },
  );
}
