/**
 * The public side of evidence requests: `POST /trust/evidence-requests` (the
 * trust page's form, or JSON) and `GET /shared/:secret` (a link that answers
 * one). Neither needs a token. The form's answer never depends on what the
 * request names, so it cannot be used to learn whether an incident exists.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sendTooManyRequests } from '../http/rate-limit-hooks.ts';
import { createRateLimiter, type SlidingWindow } from '../http/rate-limiter.ts';
import type { Clock } from '../platform/clock.ts';
import { type FieldIssue, ValidationFailed } from '../platform/errors.ts';
import { renderNoticePage } from '../trust/trust-html.ts';
import { applyTrustHeaders } from '../trust/trust-routes.ts';
import { EVIDENCE_REQUEST_PATH } from '../trust/trust-types.ts';
import type { EvidenceRequestService } from './evidence-request-service.ts';
import type { RequestSubmission } from './evidence-request-types.ts';
import type { ShareService } from './evidence-share-service.ts';

export interface PublicRequestLimits {
  /** Per client address. */
  perClient: SlidingWindow;
  /** Across all clients, so a spread-out flood cannot fill the owner's inbox. */
  global: SlidingWindow;
}

export const DEFAULT_REQUEST_LIMITS: PublicRequestLimits = {
  perClient: { limit: 5, windowMs: 15 * 60_000 },
  global: { limit: 100, windowMs: 60 * 60_000 },
};

/** A form or JSON body is small; anything larger is refused before it is read. */
const REQUEST_BODY_LIMIT = 16 * 1024;

const Text = (max: number) => z.string().trim().max(max);
const Submission = z
  .object({
    name: Text(200).min(1),
    organisation: Text(200).min(1),
    email: z.email().max(320),
    need: Text(5_000).min(1),
    incident: Text(200).default(''),
    periodFrom: z.iso.date().optional(),
    periodTo: z.iso.date().optional(),
  })
  .strict();

/** Validates a submission; every problem is reported against its `body.<field>`. */
export function parseSubmission(body: unknown): RequestSubmission {
  const parsed = Submission.safeParse(body ?? {});
  if (!parsed.success) {
    const issues: FieldIssue[] = parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ field: `body.${key}`, reason: 'is not a known field' }))
        : [{ field: ['body', ...issue.path].join('.'), reason: issue.message }],
    );
    throw new ValidationFailed(issues);
  }
  const { periodFrom = null, periodTo = null, ...rest } = parsed.data;
  if (periodFrom && periodTo && periodTo < periodFrom) {
    throw new ValidationFailed([{ field: 'body.periodTo', reason: 'must not be before periodFrom' }]);
  }
  return { ...rest, periodFrom, periodTo };
}

/** A form body as fields; empty fields are left out, as if the browser had not sent them. */
function formFields(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) if (value.trim() !== '') fields[key] = value;
  return fields;
}

const isForm = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

const RECEIVED_PAGE = renderNoticePage({
  title: 'Request received',
  paragraphs: [
    'Thank you. Your request has been received and will be answered by email, within the time stated on the trust page.',
  ],
});

async function answerInvalid(request: FastifyRequest, reply: FastifyReply, error: ValidationFailed) {
  if (!isForm(request)) throw error;
  const page = renderNoticePage({
    title: 'Please correct your request',
    paragraphs: ['Nothing was sent. These fields need attention:'],
    items: error.issues.map((i) => `${i.field.replace(/^body\./, '')}: ${i.reason}`),
  });
  return applyTrustHeaders(reply).code(400).type('text/html; charset=utf-8').send(page);
}

export function registerEvidenceRequestPublicRoutes(
  app: FastifyInstance,
  deps: {
    requests: Pick<EvidenceRequestService, 'submit'>;
    shares: Pick<ShareService, 'open'>;
    clock: Clock;
    limits?: PublicRequestLimits | undefined;
  },
): void {
  const limits = deps.limits ?? DEFAULT_REQUEST_LIMITS;
  const perClient = createRateLimiter(limits.perClient);
  const global = createRateLimiter(limits.global);

  // Counted before the body is read, invalid attempts included, so probing costs the same as asking.
  async function rateLimit(request: FastifyRequest, reply: FastifyReply) {
    const now = deps.clock.now().getTime();
    const decision = perClient.attempt(request.ip, now);
    const verdict = decision.allowed ? global.attempt('*', now) : decision;
    if (verdict.allowed) return;
    return sendTooManyRequests(request, reply, verdict.retryAfterSeconds, 'evidence requests');
  }

  // Encapsulated so that the form parser exists for this one route only.
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, formFields(String(body))),
    );
    scope.post(
      EVIDENCE_REQUEST_PATH,
      {
        bodyLimit: REQUEST_BODY_LIMIT,
        onRequest: rateLimit,
        schema: {
          tags: ['trust'],
          summary: 'Ask for evidence (public; the trust page form posts here, JSON is accepted too)',
          security: [],
        },
      },
      async (request, reply) => {
        let submission: RequestSubmission;
        try {
          submission = parseSubmission(request.body);
        } catch (error) {
          if (error instanceof ValidationFailed) return answerInvalid(request, reply, error);
          throw error;
        }
        await deps.requests.submit(submission, request.ip);
        if (isForm(request)) {
          return applyTrustHeaders(reply).code(202).type('text/html; charset=utf-8').send(RECEIVED_PAGE);
        }
        return reply.code(202).header('cache-control', 'no-store').send({ status: 'received' });
      },
    );
  });

  app.get('/shared/:secret', { schema: { hide: true } }, async (request, reply) => {
    // The secret is in the URL: never let it leak onward in a Referer header, or sit in a cache.
    reply.headers({
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const { secret } = request.params as { secret: string };
    const file = await deps.shares.open(secret);
    const safeName = file.fileName.replace(/[^A-Za-z0-9._-]/g, '_');
    return reply
      .type(file.contentType)
      .header('content-disposition', `attachment; filename="${safeName}"`)
      .send(file.body);
  });
}
