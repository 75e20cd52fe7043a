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

const EntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    subjectType: z.string(),
    subjectId: z.string(),
    detail: z.string().describe('Canonical JSON; its SHA-256 is `digest`'),
    digest: z.string(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

/** `/api/v1/audit`: verification of the hash chain, and its entries by sequence number. */
export function registerAuditRoutes(
  app: FastifyInstance,
  deps: { audit: Pick<AuditService, 'verify' | 'entries'> },
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/audit/entries',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit entries in sequence order, complete with their chain fields',
        description:
          'For checking an evidence package’s audit segment against the live chain: an entry whose hash here differs from the package’s was changed in one of them. Pages by `after` (the last seq read).',
        querystring: z
          .object({
            after: z.coerce.number().int().min(0).default(0).describe('Entries with a larger seq'),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(EntrySchema) }), ...problemResponses(400, 401) },
      },
    },
    async (request) => ({ items: await deps.audit.entries(request.query.after, request.query.limit) }),
  );

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
