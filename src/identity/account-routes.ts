import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { CredentialService } from './credential-service.ts';
import { PASSWORD_MAX_LENGTH } from './password-rules.ts';
import type { TotpService } from './totp-service.ts';

const Password = z
  .string()
  .max(PASSWORD_MAX_LENGTH)
  .describe('The new password: long enough, not a common or breached one, not built from the email');
const Code = z
  .object({ code: z.string().trim().max(16).describe('The 6 digits the authenticator app shows') })
  .strict();
const UserIdParams = z.object({ id: z.uuid() });

/**
 * A person's own password and second factor (`/api/v1/me/...`), and an
 * admin setting anyone's password. Guarded by the authentication hook (bearer
 * token, or session cookie with its CSRF token).
 */
export function registerAccountRoutes(
  app: FastifyInstance,
  deps: { credentials: Pick<CredentialService, 'setPassword'>; totp: TotpService },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { credentials, totp } = deps;

  api.put(
    '/api/v1/me/password',
    {
      schema: {
        tags: ['account'],
        summary: 'Set your own password (with the current one, once you have one); ends your other sessions',
        body: z
          .object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH).optional(), password: Password })
          .strict(),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 415) },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      await credentials.setPassword(principal, {
        ...request.body,
        userId: principal.user.id,
        clientIp: request.ip,
      });
      return reply.code(204).send(null);
    },
  );

  api.put(
    '/api/v1/users/:id/password',
    {
      schema: {
        tags: ['users'],
        summary: "Set a user's password (admin); ends that user's sessions",
        params: UserIdParams,
        body: z.object({ password: Password }).strict(),
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404, 415) },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      await credentials.setPassword(principal, {
        userId: request.params.id,
        password: request.body.password,
        clientIp: request.ip,
      });
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/api/v1/me/totp',
    {
      schema: {
        tags: ['account'],
        summary: 'Start enrolling a TOTP second factor: the secret and otpauth URI, shown once',
        response: {
          201: z.object({ secret: z.string(), otpauthUri: z.string() }).passthrough(),
          ...problemResponses(401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const enrolment = await totp.enrol(requirePrincipal(request));
      return reply.code(201).header('cache-control', 'no-store').send(enrolment);
    },
  );

  api.post(
    '/api/v1/me/totp/confirm',
    {
      schema: {
        tags: ['account'],
        summary: 'Confirm enrolment with a current code; sign-in then needs a code',
        body: Code,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      await totp.confirm(requirePrincipal(request), request.body.code);
      return reply.code(204).send(null);
    },
  );

  api.delete(
    '/api/v1/me/totp',
    {
      schema: {
        tags: ['account'],
        summary: 'Turn the second factor off, with a current code',
        body: Code,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 409, 415) },
      },
    },
    async (request, reply) => {
      await totp.disable(requirePrincipal(request), request.body.code);
      return reply.code(204).send(null);
    },
  );
}
