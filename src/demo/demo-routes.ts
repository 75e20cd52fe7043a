import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { actorOf } from '../identity/principal-actor.ts';
import type { DemoService } from './demo-service.ts';

/** `POST /api/v1/demo`: the first-run demo data. */
export function registerDemoRoutes(app: FastifyInstance, deps: { demo: DemoService }): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/demo',
    {
      schema: {
        tags: ['demo'],
        summary: 'Load the demo signals into an empty installation',
        description:
          'Ingests the signal files shipped in demo/signals/ (a SQL audit log with a brute-force login, a Defender alert, an Alertmanager alert), with their times moved to the present, through the normal ingestion path; detection opens the incidents. 409 once any incident exists. Audited as `demo.loaded`.',
        body: z.object({}).strict().optional(),
        response: {
          200: z.object({}).passthrough(),
          ...problemResponses(400, 401, 403, 409),
        },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      return deps.demo.load(actorOf(principal));
    },
  );
}
