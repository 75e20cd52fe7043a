import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../http/problem.ts';
import type { AuditService } from './audit-service.ts';

const VerificationSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().int().describe('Entries read'),
    firstBrokenEntry: z.number().int().nullable().describe('Sequence number of the first broken entry'),
    reason: z.string().nullable(),
    headHash: z.string().describe('Hash of the last entry: publish it to anchor the chain'),
  })
  .meta({ id: 'AuditVerification' });

/** `/api/v1/audit`: verification of the hash chain. */
export function registerAuditRoutes(
  app: FastifyInstance,
  deps: { audit: Pick<AuditService, 'verify'> },
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Re-check the whole audit hash chain',
        response: { 200: VerificationSchema, ...problemResponses(401) },
      },
    },
    async () => deps.audit.verify(),
  );
}
