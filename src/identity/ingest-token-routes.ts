import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { SIGNAL_SOURCES } from '../signal/signal-types.ts';
import type { IngestToken, IngestTokenService } from './ingest-token-service.ts';

const TokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
});

function tokenJson(t: IngestToken) {
  return { ...t, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null };
}

/** `/api/v1/ingest-tokens`: tokens monitoring systems use to submit signals. */
export function registerIngestTokenRoutes(app: FastifyInstance, deps: { tokens: IngestTokenService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { tokens } = deps;
  const tags = ['signals'];

  api.post(
    '/api/v1/ingest-tokens',
    {
      schema: {
        tags,
        summary: 'Create an ingest token (shown once) for one source, or every source',
        body: z
          .object({
            name: z.string().trim().min(1).max(200).describe('Who uses it, e.g. "Azure action group prod"'),
            // `vigil` is Vigil's own, internal source: no token may submit to it.
            source: z.enum(SIGNAL_SOURCES).exclude(['vigil']).optional().describe('Omit for every source'),
          })
          .strict(),
        response: {
          201: TokenSchema.extend({ token: z.string().describe('The secret: shown only now') }),
          ...problemResponses(400, 401, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const created = await tokens.create(requirePrincipal(request), request.body, request.ip);
      return reply.code(201).send({ ...tokenJson(created), token: created.token });
    },
  );

  api.get(
    '/api/v1/ingest-tokens',
    {
      schema: {
        tags,
        summary: 'Ingest tokens (never their secrets)',
        response: { 200: z.object({ items: z.array(TokenSchema) }), ...problemResponses(401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return { items: (await tokens.list()).map(tokenJson) };
    },
  );

  api.delete(
    '/api/v1/ingest-tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an ingest token at once',
        params: z.object({ id: z.uuid() }).strict(),
        response: { 200: TokenSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => tokenJson(await tokens.revoke(requirePrincipal(request), request.params.id)),
  );
}
