import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { OutboxDal } from './outbox-dal.ts';

const OutboxHealthSchema = z.object({
  pending: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  oldestPendingAt: z.string().nullable(),
  /** Milliseconds the oldest pending message has waited. */
  oldestPendingAgeMs: z.number().int().nullable(),
  /** True when the oldest pending message has waited longer than the policy allows. */
  delayed: z.boolean(),
  deliveryAlertAfterMs: z.number().int(),
});

/** `GET /api/v1/outbox`: how delivery stands, for operators and monitoring. */
export function registerOutboxRoutes(
  app: FastifyInstance,
  deps: { db: Kysely<VigilDatabase>; dal: Pick<OutboxDal, 'health'>; clock: Clock; alertAfterMs: number },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/api/v1/outbox',
    {
      schema: {
        tags: ['communications'],
        summary: 'Messages pending, sent and failed, and whether delivery is delayed',
        response: { 200: OutboxHealthSchema, ...problemResponses(401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const { counts, oldestPending } = await deps.dal.health(deps.db);
      const age = oldestPending ? deps.clock.now().getTime() - oldestPending.createdAt.getTime() : null;
      return {
        ...counts,
        oldestPendingAt: oldestPending?.createdAt.toISOString() ?? null,
        oldestPendingAgeMs: age,
        delayed: age !== null && age >= deps.alertAfterMs,
        deliveryAlertAfterMs: deps.alertAfterMs,
      };
    },
  );
}
