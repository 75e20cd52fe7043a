import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { LoadedPolicy } from './policy-loader.ts';
import type { PolicyVersionDal } from './policy-version-dal.ts';

/**
 * `GET /api/v1/policy` and `/api/v1/policy/versions`: the policy in force
 * and every version Vigil has run under, so people can read the rules their
 * clocks and checklists come from without access to the server's files.
 */
export function registerPolicyRoutes(
  app: FastifyInstance,
  deps: {
    policy: LoadedPolicy;
    loadedAt: Date;
    db: Kysely<VigilDatabase>;
    dal: Pick<PolicyVersionDal, 'list'>;
  },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['policy'];
  const { policy } = deps;

  api.get(
    '/api/v1/policy',
    {
      schema: {
        tags,
        summary: 'The policy in force',
        description:
          '`{version, source, loadedAt, policy}`: the content hash incidents record as `policyVersion`, the file it was read from (`built-in` for the default), when this server loaded it, and the parsed policy as JSON.',
        response: { 200: z.object({}).passthrough(), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return {
        version: policy.version,
        source: policy.source,
        loadedAt: deps.loadedAt.toISOString(),
        policy: policy.policy,
      };
    },
  );

  api.get(
    '/api/v1/policy/versions',
    {
      schema: {
        tags,
        summary: 'Every policy version Vigil has run under, newest first',
        description:
          '`{items: [{version, source, firstLoadedAt, files, current}]}`; `files` are the runbook and template files each version covers; `current` marks the one in force on this server.',
        response: { 200: z.object({}).passthrough(), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const versions = await deps.dal.list(deps.db);
      return {
        items: versions.map((v) => ({
          ...v,
          firstLoadedAt: v.firstLoadedAt.toISOString(),
          current: v.version === policy.version,
        })),
      };
    },
  );
}
