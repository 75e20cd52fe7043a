import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import type { IdentityService } from '../identity/identity-service.ts';
import type { Clock } from '../platform/clock.ts';
import { installAuthentication, type TokenExemption } from './authentication.ts';
import { type IncidentAssignments, installAuthorization } from './authorization.ts';
import { answerFrameworkError, installErrorHandling } from './error-handler.ts';
import { installNulRefusal } from './nul-refusal.ts';
import { API_DOCS_CONTENT_SECURITY_POLICY, installResponseHeaders } from './security-headers.ts';
import type { SessionAuthenticator } from './session-authentication.ts';

export interface HttpServerOptions {
  logger: FastifyBaseLogger;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  identity: Pick<IdentityService, 'authenticate'>;
  version: string;
  /** Requests that authenticate by other means than people's API tokens (ingestion). */
  tokenExempt?: TokenExemption;
  /** Browser sessions: a `vigil_session` cookie (with its CSRF token) authenticates `/api/*` too. */
  sessions?: SessionAuthenticator | undefined;
  /**
   * Trust the reverse proxy's X-Forwarded-For/-Proto (client address, https
   * for the cookie's Secure flag). Off unless configured: a client reaching
   * Vigil directly could forge them.
   */
  trustProxy?: boolean | undefined;
  /** Whether a caller holds a role on an incident: responders change only those. */
  assignments: IncidentAssignments;
  /** The server's clock, sent as `x-vigil-time` on every answer. */
  clock?: Clock | undefined;
  /** Each domain's route registration, called in order. */
  routes: ReadonlyArray<(app: FastifyInstance) => void>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Sign-in and account bodies are a few short fields: anything larger is refused (413) unread. */
export const AUTH_BODY_LIMIT = 16 * 1024;

/**
 * Builds the Fastify server: zod schemas validate every request and document
 * it in OpenAPI, one error handler speaks problem+json, and a hook
 * authenticates `/api/*`. Domains only add routes.
 */
export async function buildHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    // Honour a caller's request id (a proxy's or a test's) when it is safe to log.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    trustProxy: options.trustProxy ?? false,
    frameworkErrors: answerFrameworkError,
  });
  app.setValidatorCompiler(validatorCompiler);
  // Responses are built by our own typed code (the zod schemas document them in OpenAPI);
  // re-validating every answer with zod cost a tenth of a list page's time, so answers are
  // serialised directly.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only: a text/plain body to a JSON route is a 415, not a string the schema then rejects.
  app.removeContentTypeParser('text/plain');
  // The request id, the server's time (x-vigil-time) and the security headers, in one hook.
  installResponseHeaders(app, options.clock);
  // Before any route exists, so every /auth/* route gets the small limit unless it names its own.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/auth/') && route.bodyLimit === undefined) route.bodyLimit = AUTH_BODY_LIMIT;
  });

  installErrorHandling(app);
  // Before authorization, which may look an incident id from the path up in the database.
  installNulRefusal(app);
  await registerOpenApi(app, options.version);
  installAuthentication(app, options.identity, options.tokenExempt, options.sessions);
  installAuthorization(app, { assignments: options.assignments });
  for (const register of options.routes) register(app);
  return app;
}

async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        version,
        description: 'Incident response that runs the published process. Errors are RFC 9457 problem+json.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer' },
          // Ingestion only: senders that cannot set headers (Azure action groups) put their ingest token here.
          ingestQueryToken: { type: 'apiKey', in: 'query', name: 'token' },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
    // Emits the schemas named with `.meta({ id })` (Incident, Problem, ...) under components.schemas.
    transformObject: jsonSchemaTransformObject,
  });
  // Its own onSend hook replaces the strict API policy with one the explorer can work under.
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: API_DOCS_CONTENT_SECURITY_POLICY });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
