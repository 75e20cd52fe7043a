import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cadenceJson } from '../exercise/exercise-routes.ts';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { actionJson } from '../review/review-routes.ts';
import type { ComplianceService, ComplianceStatus } from './compliance-service.ts';

export function complianceJson(s: ComplianceStatus) {
  return {
    ...s,
    generatedAt: s.generatedAt.toISOString(),
    actions: { open: s.actions.open, overdue: s.actions.overdue.map(actionJson) },
    exercises: cadenceJson(s.exercises),
    breaches: { running: s.breaches.running.map((r) => ({ ...r, dueAt: r.dueAt?.toISOString() ?? null })) },
  };
}

/** `GET /api/v1/compliance/status`. */
export function registerComplianceRoutes(
  app: FastifyInstance,
  deps: { compliance: ComplianceService },
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/compliance/status',
    {
      schema: {
        tags: ['compliance'],
        summary: 'What is on track against the policy and what is not',
        response: { 200: z.object({}).passthrough(), ...problemResponses(401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return complianceJson(await deps.compliance.status());
    },
  );
}
