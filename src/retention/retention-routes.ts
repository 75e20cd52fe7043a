import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { IdParams } from '../incident/incident-routes.ts';
import { Forbidden } from '../platform/errors.ts';
import { SIGNAL_SOURCES } from '../signal/signal-types.ts';
import type { PurgeFailure, RetentionPurgeService } from './retention-purge-service.ts';
import type { LegalHoldView, RetentionService } from './retention-service.ts';
import type {
  DueIncident,
  EvidenceWindow,
  IncidentPurge,
  LegalHold,
  PurgeReport,
  RetentionPreview,
} from './retention-types.ts';

const Loose = z.object({}).passthrough();
const Instant = z.iso.datetime({ offset: true }).describe('ISO 8601 instant with an offset or Z');
const Reason = z.string().trim().min(1).max(2_000);

const WindowBody = z
  .object({
    from: Instant,
    to: Instant,
    reason: Reason,
    source: z.enum(SIGNAL_SOURCES).optional(),
    entity: z
      .record(z.string().min(1).max(100), z.union([z.string().min(1).max(1_000), z.number()]))
      .refine((e) => Object.keys(e).length === 1, {
        error: 'must name exactly one entity, e.g. {"database": "ordersdb"}',
      })
      .optional()
      .describe('one entity the signals must carry, e.g. {"principal": "sqladmin"}'),
  })
  .strict();

const ReasonBody = z.object({ reason: Reason }).strict();

const iso = (d: Date | null) => d?.toISOString() ?? null;

function holdJson(h: LegalHold) {
  return { ...h, placedAt: h.placedAt.toISOString(), releasedAt: iso(h.releasedAt) };
}

function holdViewJson(v: LegalHoldView) {
  return {
    ...v,
    evidencePurgedAt: iso(v.evidencePurgedAt),
    active: v.active ? holdJson(v.active) : null,
    history: v.history.map(holdJson),
  };
}

function windowJson(w: EvidenceWindow) {
  return { ...w, from: w.from.toISOString(), to: w.to.toISOString(), createdAt: w.createdAt.toISOString() };
}

function dueJson(d: DueIncident) {
  return {
    ...d,
    closedAt: d.closedAt.toISOString(),
    dueAt: d.dueAt.toISOString(),
    hold: d.hold ? holdJson(d.hold) : null,
  };
}

function purgeJson(p: IncidentPurge) {
  return { ...p, closedAt: p.closedAt.toISOString(), dueAt: p.dueAt.toISOString() };
}

function previewJson(p: RetentionPreview) {
  return {
    at: p.at.toISOString(),
    telemetry: {
      ...p.telemetry,
      cutoff: p.telemetry.cutoff.toISOString(),
      oldestDueReceivedAt: iso(p.telemetry.oldestDueReceivedAt),
    },
    evidence: { ...p.evidence, due: p.evidence.due.map(dueJson), held: p.evidence.held.map(dueJson) },
  };
}

function reportJson(r: PurgeReport & { failures: PurgeFailure[] }) {
  return {
    at: r.at.toISOString(),
    dryRun: r.dryRun,
    telemetry: { ...r.telemetry, cutoff: r.telemetry.cutoff.toISOString() },
    incidents: r.incidents.map(purgeJson),
    held: r.held.map(dueJson),
    failures: r.failures.map((f) => ({
      incidentId: f.incidentId,
      reference: f.reference,
      error: f.error instanceof Error ? f.error.message : String(f.error),
    })),
  };
}

/** Legal holds and evidence windows on incidents, and `/api/v1/retention` (preview and run). */
export function registerRetentionRoutes(
  app: FastifyInstance,
  deps: { retention: RetentionService; purge: RetentionPurgeService },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { retention, purge } = deps;
  const tags = ['retention'];
  const writes = problemResponses(400, 401, 403, 404, 409, 413, 415);

  api.post(
    '/api/v1/incidents/:id/legal-hold',
    {
      schema: {
        tags,
        summary:
          'Place a legal hold: nothing of the incident is purged until it is released (admin or primary owner)',
        params: IdParams,
        body: ReasonBody,
        response: { 201: Loose, ...writes },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          holdJson(
            await retention.placeHold(requirePrincipal(request), request.params.id, request.body.reason),
          ),
        ),
  );
  api.delete(
    '/api/v1/incidents/:id/legal-hold',
    {
      schema: {
        tags,
        summary: 'Release the legal hold (admin or primary owner)',
        params: IdParams,
        body: ReasonBody,
        response: { 200: Loose, ...writes },
      },
    },
    async (request) =>
      holdJson(
        await retention.releaseHold(requirePrincipal(request), request.params.id, request.body.reason),
      ),
  );
  api.get(
    '/api/v1/incidents/:id/legal-hold',
    {
      schema: {
        tags,
        summary: 'The active legal hold, if any, and every hold placed on the incident',
        params: IdParams,
        response: { 200: Loose, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return holdViewJson(await retention.holds(request.params.id));
    },
  );

  api.post(
    '/api/v1/incidents/:id/evidence-windows',
    {
      schema: {
        tags,
        summary: 'Keep the signals received in a window as the incident’s evidence (its owner or an admin)',
        params: IdParams,
        body: WindowBody,
        response: { 201: Loose, ...writes },
      },
    },
    async (request, reply) => {
      const { from, to, reason, source, entity } = request.body;
      const window = await retention.addWindow(requirePrincipal(request), request.params.id, {
        from: new Date(from),
        to: new Date(to),
        reason,
        source,
        entity,
      });
      return reply.code(201).send(windowJson(window));
    },
  );
  api.get(
    '/api/v1/incidents/:id/evidence-windows',
    {
      schema: {
        tags,
        summary: 'The incident’s evidence windows',
        params: IdParams,
        response: {
          200: z.object({ items: z.array(Loose) }).passthrough(),
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request) => {
      requirePrincipal(request);
      const { incident, windows } = await retention.listWindows(request.params.id);
      return { incidentId: incident.id, reference: incident.reference, items: windows.map(windowJson) };
    },
  );

  api.get(
    '/api/v1/retention/preview',
    {
      schema: {
        tags,
        summary: 'What a purge would remove now and why: telemetry due, incidents due, incidents held',
        response: { 200: Loose, ...problemResponses(401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return previewJson(await purge.preview());
    },
  );
  api.post(
    '/api/v1/retention/run',
    {
      schema: {
        tags,
        summary: 'Run a purge pass now (admin); with dryRun=true, report what would go and change nothing',
        querystring: z.object({ dryRun: z.enum(['true', 'false']).default('false') }).strict(),
        response: { 200: Loose, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      if (principal.user.role !== 'admin') throw new Forbidden('a purge is run by an admin');
      return reportJson(await purge.run({ dryRun: request.query.dryRun === 'true' }));
    },
  );
}
