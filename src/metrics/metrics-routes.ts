/**
 * `GET /metrics`: the Prometheus text exposition, and the hook that counts
 * ingestion answers. The path sits outside `/api/` where Prometheus looks
 * by default, so the route authenticates its bearer token itself and asks
 * the one permission table what it needs (`metrics:read`: a `read`-scoped
 * token of an admin, incident manager or auditor). Prometheus sends the token
 * from `authorization.credentials_file` (docs/operations.md).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IdentityService } from '../identity/identity-service.ts';
import { ROUTE_PERMISSIONS } from '../identity/permission-table.ts';
import { grantFor } from '../identity/permissions.ts';
import { Forbidden, Unauthenticated } from '../platform/errors.ts';
import type { VigilMetrics } from './metrics-registry.ts';

/** The ingestion routes whose answers are counted, as Fastify names them, with the label each gets. */
const INGEST_ROUTES: Readonly<Record<string, string>> = {
  '/api/v1/signals/:source': 'signals',
  '/v2/enqueue': 'pagerduty',
};

async function requireMetricsReader(
  request: FastifyRequest,
  identity: Pick<IdentityService, 'authenticate'>,
): Promise<void> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new Unauthenticated('an Authorization: Bearer token is required');
  const principal = await identity.authenticate(match[1]!);
  const permission = ROUTE_PERMISSIONS['GET /metrics']!.permission;
  const scopes = principal.credential.kind === 'token' ? principal.credential.scopes : null;
  if (grantFor(principal.user.role, scopes, permission) === null)
    throw new Forbidden(
      `the ${principal.user.role} role with this token may not do this (needs ${permission})`,
    );
}

/** Registers `/metrics` and the ingestion-answer counter; call before the ingestion routes register. */
export function registerMetricsRoutes(
  app: FastifyInstance,
  deps: { metrics: VigilMetrics; identity: Pick<IdentityService, 'authenticate'> },
): void {
  const { metrics, identity } = deps;
  app.addHook('onResponse', async (request, reply) => {
    const route = INGEST_ROUTES[request.routeOptions.url ?? ''];
    if (route) metrics.countIngestAnswer(route, reply.statusCode);
  });

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format)',
        description: 'Requires permission `metrics:read` (a `read`-scoped API token is enough).',
        produces: ['text/plain'],
      },
      onRequest: (request) => requireMetricsReader(request, identity),
    },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}
