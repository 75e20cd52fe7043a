import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type FieldIssue } from '../platform/errors.ts';
import { redactUrl } from '../platform/logger.ts';
import { PROBLEM_MEDIA_TYPE, type Problem, problemType } from './problem.ts';

/**
 * Fastify's own client-error codes, and the problem each becomes (a 400 names the part at fault).
 * `detail` replaces Fastify's message where that message would repeat the path, which may hold a
 * credential and is logged.
 */
const FASTIFY_CLIENT_ERRORS: Record<
  string,
  { status: number; slug: string; title: string; field?: string; detail?: string }
> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, slug: 'body-too-large', title: 'Request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    slug: 'unsupported-media-type',
    title: 'Unsupported media type',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    slug: 'malformed-request',
    title: 'Malformed request',
    field: 'headers.content-length',
  },
  // The router's own refusals, which reach us only through `frameworkErrors` (see answerFrameworkError).
  FST_ERR_BAD_URL: {
    status: 400,
    slug: 'malformed-request',
    title: 'Malformed request',
    field: 'url',
    detail: 'the path does not decode: a malformed percent-encoding',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    slug: 'uri-too-long',
    title: 'URI too long',
    field: 'url',
    detail: 'a path segment is longer than 100 characters',
  },
};

const DOMAIN_STATUS: Record<DomainError['kind'], { status: number; slug: string; title: string }> = {
  not_found: { status: 404, slug: 'not-found', title: 'Not found' },
  validation_failed: { status: 400, slug: 'validation-failed', title: 'Validation failed' },
  conflict: { status: 409, slug: 'conflict', title: 'Conflict' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  unauthenticated: { status: 401, slug: 'unauthenticated', title: 'Authentication required' },
  invalid_transition: { status: 409, slug: 'invalid-transition', title: 'Transition not allowed' },
  unprocessable: { status: 422, slug: 'unprocessable', title: 'Unprocessable request' },
  // The same problem type as Fastify's own body limit: a client handles one kind of 413.
  payload_too_large: { status: 413, slug: 'body-too-large', title: 'Request body too large' },
  gone: { status: 410, slug: 'gone', title: 'Gone' },
};

export async function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: Problem,
): Promise<void> {
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="vigil"');
  // The URL as logs show it: a credential in the path or query is never echoed back.
  const body: Problem = { ...problem, instance: redactUrl(request.url), requestId: request.id };
  // A string payload bypasses the route's response serializer, which only knows the success shapes.
  await reply.code(problem.status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(body));
}

/** Zod's issues, as `{field, reason}` with the request part first: `body.title`, `query.limit`. */
function fieldIssues(error: FastifyError): FieldIssue[] {
  const part = error.validationContext ?? 'body';
  const prefix = part === 'querystring' ? 'query' : part;
  const issues: FieldIssue[] = [];
  for (const v of error.validation ?? []) {
    const path = v.instancePath.split('/').filter(Boolean).join('.');
    const at = path ? `${prefix}.${path}` : prefix;
    const unknown = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: string[] }).keys : undefined;
    if (unknown) {
      for (const key of unknown) issues.push({ field: `${at}.${key}`, reason: 'is not a known field' });
    } else {
      issues.push({ field: at, reason: v.message ?? 'is invalid' });
    }
  }
  return issues;
}

/** Fastify reports unparseable JSON as a SyntaxError with status 400, or with its own codes. */
function isMalformedJson(error: FastifyError): boolean {
  return (
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    (error instanceof SyntaxError && error.statusCode === 400)
  );
}

function toProblem(error: FastifyError): Problem | null {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = fieldIssues(error);
    const detail = errors.map((e) => `${e.field} ${e.reason}`).join('; ');
    return {
      type: problemType('validation-failed'),
      title: 'Validation failed',
      status: 400,
      detail,
      errors,
    };
  }
  if (error instanceof DomainError) {
    const known = DOMAIN_STATUS[error.kind];
    const problem: Problem = {
      type: problemType(known.slug),
      title: known.title,
      status: known.status,
      detail: error.message,
    };
    if ('issues' in error) problem.errors = [...(error.issues as FieldIssue[])];
    if ('allowed' in error) problem.allowed = [...(error.allowed as string[])];
    return problem;
  }
  const fastifyKnown = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
  if (fastifyKnown) {
    const { slug, field, detail = error.message, ...known } = fastifyKnown;
    const problem: Problem = { type: problemType(slug), ...known, detail };
    if (field) problem.errors = [{ field, reason: detail }];
    return problem;
  }
  if (isMalformedJson(error)) {
    const errors = [{ field: 'body', reason: `is not valid JSON: ${error.message}` }];
    return {
      type: problemType('malformed-json'),
      title: 'Malformed JSON body',
      status: 400,
      detail: error.message,
      errors,
    };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      type: problemType('bad-request'),
      title: 'Bad request',
      status: error.statusCode,
      detail: error.message,
    };
  }
  return null;
}

async function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const problem = toProblem(error);
  if (problem) {
    request.log.info({ status: problem.status, problemType: problem.type }, problem.detail);
    return sendProblem(request, reply, problem);
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(request, reply, {
    type: problemType('internal-error'),
    title: 'Internal server error',
    status: 500,
    detail: 'The server failed to handle the request; it has been logged with this request id.',
  });
}

/**
 * Fastify's `frameworkErrors` option: the router refuses a URL it cannot
 * decode (`%zz`) or a path parameter over its length limit before any route
 * or error handler runs, and would answer in its own JSON shape; this makes
 * those answers problem documents like every other.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  void answerError(error, request, reply);
}

/**
 * The one place where errors become HTTP answers. A client's mistake is a
 * 4xx problem document naming the field; anything else is our fault, is
 * logged in full, and answers a 500 that reveals nothing.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(answerError);

  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(request, reply, {
      type: problemType('not-found'),
      title: 'Not found',
      status: 404,
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
}
