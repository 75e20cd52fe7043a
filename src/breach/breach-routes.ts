import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import { IdParams } from '../incident/incident-routes.ts';
import type { BreachService, BreachView } from './breach-service.ts';
import { BREACH_NATURES, BREACH_ROLES, BREACH_STATUSES, REGIME_TRIGGERS } from './breach-types.ts';

const Instant = z.iso.datetime({ offset: true });
const Text = (max: number) => z.string().trim().max(max);

const RecordBody = z
  .object({
    status: z.enum(BREACH_STATUSES),
    role: z.enum(BREACH_ROLES).describe('controller, or processor for a customer (the controller)'),
    awarenessAt: Instant.optional().describe('When the organisation became aware; default: the first record'),
    confirmedAt: Instant.optional().describe('For a confirmed breach; default: now'),
    nature: z.array(z.enum(BREACH_NATURES)).max(3).default([]),
    dataCategories: z.array(Text(200)).max(50).default([]),
    peopleCategories: z.array(Text(200)).max(50).default([]),
    approxPeople: z.number().int().min(0).nullable().default(null),
    approxRecords: z.number().int().min(0).nullable().default(null),
    likelyConsequences: Text(10_000).default(''),
    measuresTaken: Text(10_000).default(''),
    measuresProposed: Text(10_000).default(''),
    contactPoint: Text(500).default(''),
    determinations: z
      .array(z.enum(REGIME_TRIGGERS.filter((t) => t !== 'personal_data_breach') as [string, ...string[]]))
      .max(3)
      .default([])
      .describe(
        'Other regimes’ triggers this incident meets (NIS2 significant, DORA major ICT, SEC material)',
      ),
    determinedAt: Instant.optional().describe('When those determinations were made'),
  })
  .strict();

const AssessmentBody = z
  .object({
    riskToRights: z.boolean(),
    highRisk: z.boolean(),
    rationale: Text(10_000).min(1),
    consulted: z.array(Text(200)).max(20).default([]).describe('e.g. leadership, legal'),
    exception: Text(2_000).min(1).optional().describe('Why people need not be told despite a high risk'),
  })
  .strict();

const SubmissionParams = IdParams.extend({ sid: z.uuid() }).strict();

const clock = (c: { dueAt: Date | null; metAt: Date | null; state: string } | null) =>
  c ? { dueAt: c.dueAt?.toISOString() ?? null, metAt: c.metAt?.toISOString() ?? null, state: c.state } : null;

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** A breach view as JSON: instants as ISO text. */
export function breachJson(v: BreachView) {
  const record = (r: BreachView['record']) => ({
    ...r,
    awarenessAt: iso(r.awarenessAt),
    confirmedAt: iso(r.confirmedAt),
    determinedAt: iso(r.determinedAt),
  });
  return {
    incidentId: v.incidentId,
    reference: v.reference,
    title: v.title,
    version: v.version,
    record: record(v.record),
    versions: v.versions.map((x) => ({
      version: x.version,
      at: x.at.toISOString(),
      by: x.by,
      record: record(x.record),
    })),
    assessment: v.assessment ? { ...v.assessment, decidedAt: v.assessment.decidedAt.toISOString() } : null,
    assessments: v.assessments.map((a) => ({ ...a, decidedAt: a.decidedAt.toISOString() })),
    clocks: { customer: clock(v.clocks.customer), regulator: clock(v.clocks.regulator) },
    obligations: v.obligations.map((o) => ({
      ...o,
      dueAt: iso(o.dueAt),
      metAt: iso(o.metAt),
      warnings: o.warnings.map((w) => ({ at: w.at.toISOString(), left: w.left })),
    })),
    submissions: v.submissions.map((s) => ({
      ...s,
      createdAt: s.createdAt.toISOString(),
      approvedAt: iso(s.approvedAt),
      submittedAt: iso(s.submittedAt),
    })),
  };
}

const BreachSchema = z
  .object({})
  .passthrough()
  .describe('The breach record, its versions, assessments, obligations and submissions');

/** `/api/v1/incidents/{id}/breach` and `/api/v1/breaches`: personal data breaches and their legal clocks. */
export function registerBreachRoutes(app: FastifyInstance, deps: { breaches: BreachService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { breaches } = deps;
  const tags = ['breaches'];
  const answers = { 200: BreachSchema, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) };

  api.put(
    '/api/v1/incidents/:id/breach',
    {
      schema: {
        tags,
        summary: 'Record or change the breach record (each change a new version)',
        params: IdParams,
        body: RecordBody,
        response: answers,
      },
    },
    async (request) => {
      const b = request.body;
      const at = (v: string | undefined) => (v ? new Date(v) : undefined);
      return breachJson(
        await breaches.setRecord(requirePrincipal(request), request.params.id, {
          ...b,
          awarenessAt: at(b.awarenessAt),
          confirmedAt: at(b.confirmedAt),
          determinedAt: at(b.determinedAt),
          determinations: b.determinations as never,
        }),
      );
    },
  );

  api.get(
    '/api/v1/incidents/:id/breach',
    {
      schema: {
        tags,
        summary: 'The breach record with its clocks and submissions',
        params: IdParams,
        response: answers,
      },
    },
    async (request) => {
      requirePrincipal(request);
      return breachJson(await breaches.get(request.params.id));
    },
  );

  api.post(
    '/api/v1/incidents/:id/breach/assessment',
    {
      schema: {
        tags,
        summary: 'Record the risk assessment (earlier ones stay in the history)',
        params: IdParams,
        body: AssessmentBody,
        response: answers,
      },
    },
    async (request) =>
      breachJson(
        await breaches.assess(requirePrincipal(request), request.params.id, {
          ...request.body,
          exception: request.body.exception ?? null,
        }),
      ),
  );

  api.post(
    '/api/v1/incidents/:id/breach/submissions',
    {
      schema: {
        tags,
        summary: 'Draft a report for one obligation from the breach record',
        params: IdParams,
        body: z
          .object({
            regime: z.string().min(1).max(100),
            obligation: z.string().min(1).max(100),
            followsUp: z.uuid().optional(),
          })
          .strict(),
        response: answers,
      },
    },
    async (request) =>
      breachJson(await breaches.draftSubmission(requirePrincipal(request), request.params.id, request.body)),
  );

  api.post(
    '/api/v1/incidents/:id/breach/submissions/:sid/approve',
    {
      schema: {
        tags,
        summary: 'Approve a report (the policy’s regulator-contact approver on the incident)',
        params: SubmissionParams,
        response: answers,
      },
    },
    async (request) =>
      breachJson(
        await breaches.approveSubmission(requirePrincipal(request), request.params.id, request.params.sid),
      ),
  );

  api.post(
    '/api/v1/incidents/:id/breach/submissions/:sid/submit',
    {
      schema: {
        tags,
        summary: 'Mark a report submitted (409 without approval; 422 late without reasons)',
        params: SubmissionParams,
        body: z
          .object({
            submittedAt: Instant.optional(),
            method: Text(200).min(1).describe('e.g. ICO online form'),
            reference: Text(200).optional().describe('The authority’s reference'),
            delayReasons: Text(10_000).optional(),
          })
          .strict(),
        response: answers,
      },
    },
    async (request) =>
      breachJson(
        await breaches.submit(requirePrincipal(request), request.params.id, request.params.sid, {
          ...request.body,
          submittedAt: request.body.submittedAt ? new Date(request.body.submittedAt) : undefined,
        }),
      ),
  );

  api.get(
    '/api/v1/breaches',
    {
      schema: {
        tags,
        summary: 'The breach register: every breach recorded, notified or not',
        response: { 200: z.object({ items: z.array(BreachSchema) }), ...problemResponses(401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return { items: (await breaches.register()).map(breachJson) };
    },
  );
}
