import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { IdentityService } from './identity-service.ts';
import { ROLES, type User } from './identity-types.ts';

const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string().describe('Lower case; unique'),
    name: z.string().describe('Display name'),
    role: z.enum(ROLES),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'User' });

const CreateUserBody = z
  .object({
    email: z.email().max(254).describe('Stored in lower case; must not be in use'),
    name: z.string().trim().min(1).max(200).describe('Display name'),
    role: z.enum(ROLES).optional().describe('Default responder'),
  })
  .strict();

function toJson(user: User): z.infer<typeof UserSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.displayName,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
  };
}

/** `/api/v1/users`: list the people Vigil knows, and add one. */
export function registerUserRoutes(
  app: FastifyInstance,
  deps: { identity: Pick<IdentityService, 'createUser' | 'listUsers'> },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { identity } = deps;

  api.get(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users, oldest first',
        response: { 200: z.object({ items: z.array(UserSchema) }), ...problemResponses(401) },
      },
    },
    async () => ({ items: (await identity.listUsers()).map(toJson) }),
  );

  api.post(
    '/api/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Add a user',
        body: CreateUserBody,
        response: { 201: UserSchema, ...problemResponses(400, 401, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const user = await identity.createUser(requirePrincipal(request), request.body);
      return reply.code(201).send(toJson(user));
    },
  );
}
