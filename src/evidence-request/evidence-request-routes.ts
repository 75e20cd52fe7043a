/**
 * `/api/v1/evidence-requests`: the staff side of evidence requests. List and
 * read them, move them along, and answer them with links (shares).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { UserEmail } from '../identity/user-email.ts';
import type { EvidenceRequestService } from './evidence-request-service.ts';
import {
  type EvidenceRequest,
  type EvidenceShare,
  REQUEST_STATUSES,
  SHARE_REPORT_FORMATS,
  SHARE_REPORT_KINDS,
  type ShareTarget,
} from './evidence-request-types.ts';
import type { ShareService } from './evidence-share-service.ts';

const Loose = z.object({}).passthrough();
const Params = z.object({ id: z.string().min(1).max(100) }).strict();
const ShareParams = z.object({ id: z.string().min(1).max(100), sid: z.uuid() }).strict();
const Instant = z.iso.datetime({ offset: true });

const ShareBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('package'),
      incidentId: z.string().min(1).max(100),
      expiresAt: Instant.optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('report'),
      report: z.enum(SHARE_REPORT_KINDS),
      from: Instant,
      to: Instant,
      format: z.enum(SHARE_REPORT_FORMATS).default('html'),
      expiresAt: Instant.optional(),
    })
    .strict(),
]);

const iso = (d: Date | null) => d?.toISOString() ?? null;

function requestJson(r: EvidenceRequest, now: Date) {
  const { sourceIpHash: _hidden, ...rest } = r;
  const open = r.status === 'received' || r.status === 'in_progress';
  return {
    ...rest,
    dueAt: r.dueAt.toISOString(),
    receivedAt: r.receivedAt.toISOString(),
    answeredAt: iso(r.answeredAt),
    updatedAt: r.updatedAt.toISOString(),
    overdue: open && r.dueAt.getTime() < now.getTime(),
  };
}

function targetJson(t: ShareTarget) {
  return t.kind === 'package' ? t : { ...t, from: t.from.toISOString(), to: t.to.toISOString() };
}

/** A share without its token hash: the hash is for lookups, not for anyone to see. */
function shareJson(s: EvidenceShare) {
  return {
    id: s.id,
    requestId: s.requestId,
    ...targetJson(s.target),
    recipientEmail: s.recipientEmail,
    expiresAt: s.expiresAt.toISOString(),
    revokedAt: iso(s.revokedAt),
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    lastDownloadedAt: iso(s.lastDownloadedAt),
    downloadCount: s.downloadCount,
  };
}

/** Where the recipient will reach this server: the configured public URL, else the caller's origin. */
function originOf(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

export function registerEvidenceRequestRoutes(
  app: FastifyInstance,
  deps: {
    requests: EvidenceRequestService;
    shares: Pick<ShareService, 'create' | 'revoke'>;
    now: () => Date;
    /** VIGIL_PUBLIC_URL: the origin share links name; default: the caller's. */
    publicUrl?: string | undefined;
  },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { requests, shares, now } = deps;
  const tags = ['evidence requests'];

  api.get(
    '/api/v1/evidence-requests',
    {
      schema: {
        tags,
        summary: 'Evidence requests, newest first',
        querystring: z
          .object({
            status: z.enum(REQUEST_STATUSES).optional(),
            overdue: z.enum(['true', 'false']).optional(),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(Loose) }), ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const { status, overdue } = request.query;
      const items = await requests.list({ status, overdue: overdue === 'true' });
      const at = now();
      return { items: items.map((r) => requestJson(r, at)) };
    },
  );

  api.get(
    '/api/v1/evidence-requests/:id',
    {
      schema: {
        tags,
        summary: 'One evidence request (by id or reference) with its shares',
        params: Params,
        response: { 200: Loose, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const found = await requests.get(request.params.id);
      return { ...requestJson(found.request, now()), shares: found.shares.map(shareJson) };
    },
  );

  api.patch(
    '/api/v1/evidence-requests/:id',
    {
      schema: {
        tags,
        summary: 'Change the owner or status (received, in_progress, answered, declined with a reason)',
        params: Params,
        body: z
          .object({
            owner: UserEmail.optional(),
            status: z.enum(REQUEST_STATUSES).optional(),
            declineReason: z.string().trim().min(1).max(5_000).optional(),
          })
          .strict(),
        response: { 200: Loose, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const { owner, status, declineReason } = request.body;
      const updated = await requests.update(requirePrincipal(request), request.params.id, {
        ownerEmail: owner,
        status,
        declineReason,
      });
      return requestJson(updated, now());
    },
  );

  api.post(
    '/api/v1/evidence-requests/:id/shares',
    {
      schema: {
        tags,
        summary:
          'Share a package or report with the requester by an expiring link (its URL is shown only here)',
        params: Params,
        body: ShareBody,
        response: { 201: Loose, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const target: ShareTarget =
        body.kind === 'package'
          ? { kind: 'package', incidentId: body.incidentId }
          : {
              kind: 'report',
              report: body.report,
              from: new Date(body.from),
              to: new Date(body.to),
              format: body.format,
            };
      const expiresAt = body.expiresAt === undefined ? undefined : new Date(body.expiresAt);
      const created = await shares.create(
        requirePrincipal(request),
        request.params.id,
        { target, expiresAt },
        originOf(request, deps.publicUrl),
      );
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...shareJson(created.share), url: created.url });
    },
  );

  api.delete(
    '/api/v1/evidence-requests/:id/shares/:sid',
    {
      schema: {
        tags,
        summary: 'Revoke a share: its link stops working at once',
        params: ShareParams,
        response: { 200: Loose, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      shareJson(await shares.revoke(requirePrincipal(request), request.params.id, request.params.sid)),
  );
}
