import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { actorOf } from '../incident/incident-context.ts';
import type { EvidencePackageService } from './evidence-package-service.ts';

const IdParams = z.object({ id: z.string().min(1).max(100).describe('UUID or INC-<n>') }).strict();

/** `GET /api/v1/incidents/:id/evidence-package`: the incident's evidence package as a ZIP. */
export function registerEvidencePackageRoutes(
  app: FastifyInstance,
  deps: { packages: Pick<EvidencePackageService, 'build'> },
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/incidents/:id/evidence-package',
    {
      // A HEAD would build a package and record an export without handing one out.
      exposeHeadRoute: false,
      schema: {
        tags: ['evidence'],
        summary: 'The incident’s evidence package: a ZIP that `vigil verify-package` checks offline',
        description:
          'Byte-identical for the same incident state. The ETag is the SHA-256 of the ZIP; the export is recorded in the audit log (evidence.package_exported).',
        params: IdParams,
        response: {
          200: z.unknown().describe('The ZIP (application/zip)'),
          ...problemResponses(401, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const built = await deps.packages.build(actorOf(principal), request.params.id);
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${built.fileName}"`)
        .header('content-length', built.sizeBytes)
        .header('etag', `"${built.sha256}"`)
        .header('cache-control', 'no-store')
        .send(built.stream());
    },
  );
}
