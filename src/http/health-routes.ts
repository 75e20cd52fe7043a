import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendProblem } from './error-handler.ts';
import { problemResponses, problemType } from './problem.ts';

export interface Readiness {
  /** Resolves when the database answers; rejects otherwise. */
  pingDatabase(): Promise<void>;
  pendingMigrations(): Promise<string[]>;
}

/** Liveness and readiness probes for load balancers and orchestrators (no token needed). */
export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  api.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The database is reachable and every migration is applied',
        security: [],
        response: { 200: z.object({ status: z.literal('ready') }), ...problemResponses(503) },
      },
    },
    async (request, reply) => {
      let pending: string[];
      try {
        await readiness.pingDatabase();
        pending = await readiness.pendingMigrations();
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: database unreachable');
        return sendProblem(request, reply, {
          type: problemType('not-ready'),
          title: 'Not ready',
          status: 503,
          detail: 'the database is unreachable',
        });
      }
      if (pending.length > 0) {
        return sendProblem(request, reply, {
          type: problemType('not-ready'),
          title: 'Not ready',
          status: 503,
          detail: `migrations not applied: ${pending.join(', ')}`,
        });
      }
      return { status: 'ready' as const };
    },
  );
}
