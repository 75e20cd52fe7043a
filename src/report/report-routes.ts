import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import type { ReportService } from './report-service.ts';
import { REPORT_FORMATS, REPORT_KINDS, type ReportFormat, type ReportKind } from './report-types.ts';

const SUMMARIES: Record<ReportKind, string> = {
  sla: 'Response clocks met per severity, median and p90 times to acknowledge, triage, contain and resolve, and breaches',
  detection: 'Incidents by source and detection rule, by month, and each rule’s detection quality',
  actions: 'Open and overdue corrective and preventive actions',
  exercises: 'Exercise history of the period',
  iso27001: 'ISO/IEC 27001:2022 Annex A 5.24–5.28 and 6.8: the evidence held for the period and the gaps',
};

const Query = z
  .object({
    from: z
      .string()
      .max(64)
      .optional()
      .describe('First day YYYY-MM-DD in the policy’s time zone (inclusive), or an ISO 8601 instant'),
    to: z
      .string()
      .max(64)
      .optional()
      .describe('Last day YYYY-MM-DD (inclusive, the whole day), or an ISO 8601 instant (exclusive)'),
    format: z
      .enum(REPORT_FORMATS)
      .optional()
      .describe('json (default), csv (the main table) or html (a printable page); or Accept: text/csv'),
  })
  .strict();

/** The format asked for: `?format` first, then an Accept header naming CSV, else JSON. */
function formatOf(query: ReportFormat | undefined, accept: string | undefined): ReportFormat {
  if (query) return query;
  return accept && /\btext\/csv\b/i.test(accept) ? 'csv' : 'json';
}

/** `GET /api/v1/reports/{sla,detection,actions,exercises,iso27001}?from&to[&format]`. */
export function registerReportRoutes(app: FastifyInstance, deps: { reports: ReportService }): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { reports } = deps;
  for (const kind of REPORT_KINDS) {
    api.get(
      `/api/v1/reports/${kind}`,
      {
        schema: {
          tags: ['reports'],
          summary: SUMMARIES[kind],
          querystring: Query,
          description:
            'Answers 200 with the report in the chosen format; 400 (problem+json naming the field) for a missing or bad from/to/format, a reversed or over-five-year period; 401 without a token.',
        },
      },
      async (request, reply) => {
        requirePrincipal(request);
        const range = reports.parseRange(request.query);
        const format = formatOf(request.query.format, request.headers.accept);
        const rendered = await reports.renderReport(kind, range, format);
        if (format !== 'json') {
          const day = (d: Date) => d.toISOString().slice(0, 10);
          const name = `vigil-${kind}-${day(range.from)}-${day(range.to)}.${format}`;
          reply.header('content-disposition', `inline; filename="${name}"`);
        }
        // The page is self-contained: nothing may load or run, only its own inline style applies.
        if (format === 'html')
          reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
        return reply.type(rendered.contentType).send(rendered.body);
      },
    );
  }
}
