import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { IdParams } from '../incident/incident-routes.ts';
import { PayloadTooLarge, ValidationFailed } from '../platform/errors.ts';
import type { EvidenceService } from './evidence-service.ts';
import {
  DEFAULT_MEDIA_TYPE,
  EVIDENCE_DESCRIPTION_MAX,
  EVIDENCE_FILENAME_MAX,
  type EvidenceItem,
} from './evidence-types.ts';

const Loose = z.object({}).passthrough();
const ItemParams = z.object({ id: IdParams.shape.id, eid: z.uuid() }).strict();

/** Path separators and control characters: a name must never steer where a download is saved. */
function isSafeFilename(name: string): boolean {
  for (const c of name) {
    const code = c.charCodeAt(0);
    if (c === '/' || c === '\\' || code < 0x20 || code === 0x7f) return false;
  }
  return name !== '.' && name !== '..';
}

const UploadQuery = z
  .object({
    filename: z
      .string()
      .min(1)
      .max(EVIDENCE_FILENAME_MAX)
      .refine(isSafeFilename, 'must be a file name without path separators or control characters'),
    description: z.string().max(EVIDENCE_DESCRIPTION_MAX).default(''),
  })
  .strict();

/** `type/subtype` with optional parameters, printable ASCII only. */
const MEDIA_TYPE = /^[A-Za-z0-9][\w!#$&^.+-]*\/[\w!#$&^.+-]+(\s*;[\x20-\x7e]*)?$/;

function mediaTypeOf(header: string | undefined): string {
  const value = header?.trim();
  if (!value) return DEFAULT_MEDIA_TYPE;
  if (value.length > 255 || !MEDIA_TYPE.test(value)) {
    throw new ValidationFailed([
      {
        field: 'headers.content-type',
        reason: 'must be a media type such as text/plain (at most 255 characters)',
      },
    ]);
  }
  return value;
}

/**
 * `attachment` with an ASCII fallback name and the exact name in RFC 8187
 * UTF-8 form, so no name can break out of the header or the quotes.
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const exact = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** The SHA-256 in the `Repr-Digest` form of RFC 9530: `sha-256=:<base64>:`. */
export function reprDigest(sha256: string): string {
  return `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:`;
}

function itemJson(item: EvidenceItem) {
  const self = `/api/v1/incidents/${item.incidentId}/evidence/${item.id}`;
  return {
    ...item,
    addedAt: item.addedAt.toISOString(),
    purgedAt: item.purgedAt?.toISOString() ?? null,
    links: { self, content: `${self}/content`, incident: `/api/v1/incidents/${item.incidentId}` },
  };
}

/**
 * The upload in a scope of its own: the body is handed over as the raw
 * stream of whatever media type it has, while the rest of the API keeps
 * parsing JSON only. The route's bodyLimit is the policy's attachment size;
 * Fastify does not count a stream, so the store's cap enforces it as bytes
 * arrive and a declared Content-Length past it is refused before reading.
 */
function registerUploadRoute(app: FastifyInstance, evidence: EvidenceService): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/incidents/:id/evidence',
      {
        bodyLimit: evidence.maxBytes,
        schema: {
          tags: ['evidence'],
          summary: 'Attach a file: the raw bytes as the body, its Content-Type as the media type',
          params: IdParams,
          querystring: UploadQuery,
          response: { 201: Loose, ...problemResponses(400, 401, 404, 413) },
        },
        // Refused before the whole body was read: close the connection rather than read the rest.
        onError: async (_request, reply) => {
          reply.header('connection', 'close');
        },
      },
      async (request, reply) => {
        const principal = requirePrincipal(request);
        const declared = Number(request.headers['content-length'] ?? Number.NaN);
        if (declared > evidence.maxBytes) throw new PayloadTooLarge(evidence.maxBytes);
        const body = request.body as Readable | undefined;
        if (!body || declared === 0) {
          throw new ValidationFailed([{ field: 'body', reason: 'must hold the file’s bytes' }]);
        }
        const mediaType = mediaTypeOf(request.headers['content-type']);
        const { filename, description } = request.query;
        const item = await evidence.attach(principal, request.params.id, body, {
          filename,
          description,
          mediaType,
        });
        const json = itemJson(item);
        return reply.code(201).header('location', json.links.self).send(json);
      },
    );
  });
}

/** `/api/v1/incidents/{id}/evidence`: the vault's items and their content. */
export function registerEvidenceRoutes(app: FastifyInstance, deps: { evidence: EvidenceService }): void {
  const { evidence } = deps;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['evidence'];
  registerUploadRoute(app, evidence);

  api.get(
    '/api/v1/incidents/:id/evidence',
    {
      schema: {
        tags,
        summary: 'The incident’s attachments, oldest first',
        params: IdParams,
        response: { 200: Loose, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return { items: (await evidence.list(request.params.id)).map(itemJson) };
    },
  );
  api.get(
    '/api/v1/incidents/:id/evidence/:eid',
    {
      schema: {
        tags,
        summary: 'One attachment’s record: hash, size, media type, who added it and when',
        params: ItemParams,
        response: { 200: Loose, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return itemJson(await evidence.get(request.params.id, request.params.eid));
    },
  );
  api.get(
    '/api/v1/incidents/:id/evidence/:eid/content',
    {
      // A HEAD would record a custody read without handing out the bytes.
      exposeHeadRoute: false,
      schema: {
        tags,
        summary: 'Download the bytes (recorded in the audit log as a custody entry)',
        params: ItemParams,
        response: {
          200: z.unknown().describe('The bytes as stored, with the item’s media type'),
          ...problemResponses(400, 401, 404, 410),
        },
      },
    },
    async (request, reply) => {
      const { item, content } = await evidence.read(
        requirePrincipal(request),
        request.params.id,
        request.params.eid,
      );
      return reply
        .type(item.mediaType)
        .headers({
          'content-length': item.sizeBytes,
          'content-disposition': contentDisposition(item.filename),
          etag: `"${item.sha256}"`,
          'repr-digest': reprDigest(item.sha256),
          // The bytes are whatever was uploaded: never let a browser render them as our page.
          'x-content-type-options': 'nosniff',
          'cache-control': 'private, no-store',
        })
        .send(content);
    },
  );
}
