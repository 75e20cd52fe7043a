/**
 * Reports: reads the rows a report needs (report-dal.ts), computes the
 * figures with the pure report functions and renders them as JSON, CSV or
 * HTML. `renderReport` is the port other domains use to share a report.
 * Reports only read: no transaction, no audit entry.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Policy } from '../policy/policy-types.ts';
import { localDate } from '../review/review-dates.ts';
import { reportCsv } from './report-csv.ts';
import type { ReportDal } from './report-dal.ts';
import { computeDetectionFigures } from './report-detection.ts';
import { REPORT_TITLES, type ReportDocument, reportJson } from './report-documents.ts';
import { computeActionFigures, computeExerciseFigures } from './report-follow-up.ts';
import { reportHtml } from './report-html.ts';
import { computeIsoControls } from './report-iso27001.ts';
import { checkRange, parseReportRange } from './report-range.ts';
import { computeSlaFigures } from './report-sla.ts';
import type { ReportFormat, ReportHeader, ReportKind, ReportRange } from './report-types.ts';

/** A rendered report, ready to send or store. */
export interface RenderedReport {
  contentType: string;
  body: string;
}

export interface ReportDeps {
  db: Kysely<VigilDatabase>;
  dal: ReportDal;
  clock: Clock;
  policy: Policy;
  /** The version (SHA-256) of the policy in force. */
  policyVersion: string;
}

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

export function createReportService(deps: ReportDeps) {
  const { db, dal, clock, policy } = deps;
  const zone = policy.time.timeZone;
  const ruleNames = new Map(policy.detection.rules.map((r) => [r.id, r.name]));

  function header(kind: ReportKind, range: ReportRange, now: Date): ReportHeader {
    return { title: REPORT_TITLES[kind], from: range.from, to: range.to, generatedAt: now, timeZone: zone };
  }

  async function sla(range: ReportRange, now: Date) {
    return computeSlaFigures({
      incidents: await dal.incidentsOpened(db, range),
      clocks: await dal.clocks(db, range),
      phaseMoves: await dal.phaseMoves(db, range),
      severities: policy.severities.map((s) => s.id),
      phases: policy.lifecycle.phases.map((p) => p.id),
      resolvedPhase: policy.slaRules.customerUpdatesUntil,
      now,
    });
  }

  async function detection(range: ReportRange) {
    return computeDetectionFigures({
      incidents: await dal.incidentsOpened(db, range),
      links: await dal.signalLinks(db, range),
      ruleNames,
      timeZone: zone,
    });
  }

  async function actions(range: ReportRange, now: Date) {
    return computeActionFigures({
      actions: await dal.actions(db, range),
      range,
      today: localDate(now, zone),
    });
  }

  async function exercises(range: ReportRange) {
    return computeExerciseFigures({ exercises: await dal.exercises(db), range, timeZone: zone });
  }

  async function iso27001(range: ReportRange, now: Date) {
    const controls = computeIsoControls({
      range,
      policy: {
        currentVersion: deps.policyVersion,
        versions: await dal.policyVersions(db),
        roles: policy.roles.map((r) => r.id),
        reviewSeverities: policy.reviews.requiredForSeverities,
      },
      incidents: await dal.incidentsOpened(db, range),
      closed: await dal.closedWithReviews(db, range),
      reviewsApproved: await dal.reviewsApproved(db, range),
      sla: await sla(range, now),
      detection: await detection(range),
      actions: await actions(range, now),
      exercises: await exercises(range),
      evidence: {
        attached: await dal.incidentAuditCount(db, range, 'evidence.attached'),
        packagesExported: await dal.incidentAuditCount(db, range, 'evidence.package_exported'),
      },
      signals: await signalCounts(range),
    });
    const summary = { evidenced: 0, partial: 0, gap: 0 };
    for (const c of controls) summary[c.status] += 1;
    return { controls, summary };
  }

  async function signalCounts(range: ReportRange) {
    const bySource = await dal.signalsReceived(db, range);
    return { received: bySource.reduce((n, s) => n + s.count, 0), bySource };
  }

  /** Reads and computes one report for `[range.from, range.to)`. */
  async function build(kind: ReportKind, range: ReportRange): Promise<ReportDocument> {
    checkRange(range);
    const now = clock.now();
    switch (kind) {
      case 'sla':
        return { kind: 'sla', header: header('sla', range, now), figures: await sla(range, now) };
      case 'detection':
        return {
          kind: 'detection',
          header: header('detection', range, now),
          figures: await detection(range),
        };
      case 'actions':
        return { kind: 'actions', header: header('actions', range, now), figures: await actions(range, now) };
      case 'exercises':
        return {
          kind: 'exercises',
          header: header('exercises', range, now),
          figures: await exercises(range),
        };
      case 'iso27001':
        return {
          kind: 'iso27001',
          header: header('iso27001', range, now),
          figures: await iso27001(range, now),
        };
    }
  }

  return {
    build,

    /**
     * The period named by a query's `from` and `to` (dates in the policy's
     * time zone, or ISO instants); see report-range.ts.
     */
    parseRange: (query: { from?: string | undefined; to?: string | undefined }) =>
      parseReportRange(query, zone),

    /**
     * One report over `[range.from, range.to)` in `format`. The port other
     * domains use to share a report.
     *
     * @throws ValidationFailed when the range is empty, reversed or longer than five years.
     */
    async renderReport(kind: ReportKind, range: ReportRange, format: ReportFormat): Promise<RenderedReport> {
      const doc = await build(kind, range);
      const body = format === 'csv' ? reportCsv(doc) : format === 'html' ? reportHtml(doc) : reportJson(doc);
      return { contentType: CONTENT_TYPES[format], body };
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
