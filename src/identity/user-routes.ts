import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { IdentityService } from './identity-service.ts';
import { ROLES, type User } from './identity-types.ts';
import { grantFor, PERMISSIONS, type Reach } from './permissions.ts';
import type { UserAdminService } from './user-admin-service.ts';

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
  deps: {
    identity: Pick<IdentityService, 'createUser' | 'listUsers'>;
    admin: Pick<UserAdminService, 'update'>;
  },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { identity } = deps;

  api.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['users'],
        summary: 'Who is calling: the user, their role, and the credential in use',
        response: {
          200: z.object({
            user: UserSchema,
            credential: z.object({
              kind: z.enum(['token', 'session']),
              scopes: z.array(z.string()).nullable().describe('A token’s scopes; null for a session'),
            }),
            permissions: z
              .record(z.string(), z.enum(['any', 'assigned']))
              .describe(
                'What the caller may do: each permission held, and whether on any incident or only assigned ones',
              ),
          }),
          ...problemResponses(401),
        },
      },
    },
    async (request) => {
      const { user, credential } = requirePrincipal(request);
      const scopes = credential.kind === 'token' ? credential.scopes : null;
      const permissions: Record<string, Reach> = {};
      for (const permission of PERMISSIONS) {
        const reach = grantFor(user.role, scopes, permission);
        if (reach) permissions[permission] = reach;
      }
      return {
        user: toJson(user),
        permissions,
        credential: {
          kind: credential.kind,
          scopes: credential.kind === 'token' ? [...credential.scopes] : null,
        },
      };
    },
  );

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

  api.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user’s role, or switch the account off or on',
        description:
          'A permission change: audited (user.role_changed, user.disabled, user.enabled) and reported as a `vigil` signal. Switching an account off stops its tokens and sessions at once. The last enabled administrator cannot be demoted or switched off (409).',
        params: z.object({ id: z.uuid() }).strict(),
        body: z
          .object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() })
          .strict()
          .refine((b) => b.role !== undefined || b.disabled !== undefined, {
            message: 'name a role, or disabled: true or false',
          }),
        response: {
          200: UserSchema.extend({ disabledAt: z.string().nullable() }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => {
      const user = await deps.admin.update(
        requirePrincipal(request),
        request.params.id,
        request.body,
        request.ip,
      );
      return { ...toJson(user), disabledAt: user.disabledAt?.toISOString() ?? null };
    },
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
