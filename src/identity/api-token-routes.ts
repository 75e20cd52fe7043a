import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { ApiToken, ApiTokenService } from './api-token-service.ts';
import { parseScope, type TokenScope } from './permissions.ts';
import { UserEmail } from './user-email.ts';

const ScopeSchema = z
  .string()
  .refine((s) => parseScope(s) !== null, {
    message: 'one of read, write, admin, ingest, ingest:SOURCE',
  })
  .transform((s) => s as TokenScope);

const TokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    owner: z.string(),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable().describe('Recorded to the minute'),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

const iso = (d: Date | null) => d?.toISOString() ?? null;

function tokenJson(t: ApiToken) {
  return {
    id: t.id,
    name: t.name,
    owner: t.owner,
    scopes: t.scopes,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
  };
}

/** `/api/v1/tokens`: API tokens, shown once at creation, scoped, expiring, revocable. */
export function registerApiTokenRoutes(app: FastifyInstance, deps: { tokens: ApiTokenService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { tokens } = deps;
  const tags = ['tokens'];

  api.post(
    '/api/v1/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; its secret is in this answer only',
        body: z
          .object({
            name: z.string().trim().min(1).max(100),
            scopes: z.array(ScopeSchema).min(1).max(10),
            expiresAt: z.iso.datetime({ offset: true }).optional().describe('Default: never'),
            owner: UserEmail.optional().describe('Another user (administrators only)'),
          })
          .strict(),
        response: {
          201: TokenSchema.extend({ secret: z.string().describe('Shown once; store it now') }),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { token, secret } = await tokens.create(requirePrincipal(request), {
        name: b.name,
        scopes: [...new Set(b.scopes)],
        expiresAt: b.expiresAt ? new Date(b.expiresAt) : undefined,
        owner: b.owner,
        clientIp: request.ip,
      });
      return reply.code(201).send({ ...tokenJson(token), secret });
    },
  );

  api.get(
    '/api/v1/tokens',
    {
      schema: {
        tags,
        summary: 'Your API tokens (everyone’s for administrators), newest first; never their secrets',
        response: { 200: z.object({ items: z.array(TokenSchema) }), ...problemResponses(401, 403) },
      },
    },
    async (request) => ({ items: (await tokens.list(requirePrincipal(request))).map(tokenJson) }),
  );

  api.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API token at once',
        params: z.object({ id: z.uuid() }).strict(),
        response: { 200: TokenSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => tokenJson(await tokens.revoke(requirePrincipal(request), request.params.id)),
  );
}
