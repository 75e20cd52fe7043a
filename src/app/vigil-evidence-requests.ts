/**
 * Evidence requests from customers and auditors, as the composition root
 * assembles them: the requests, the single-recipient links that answer them
 * with a package or a report, and their staff and public routes.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import type { EvidencePackageService } from '../evidence/evidence-package-service.ts';
import { createEvidenceRequestDal } from '../evidence-request/evidence-request-dal.ts';
import { registerEvidenceRequestPublicRoutes } from '../evidence-request/evidence-request-public-routes.ts';
import { registerEvidenceRequestRoutes } from '../evidence-request/evidence-request-routes.ts';
import { createEvidenceRequestService } from '../evidence-request/evidence-request-service.ts';
import { createShareService } from '../evidence-request/evidence-share-service.ts';
import { SHARED_LINK_ACTOR, sharedArtifacts } from '../evidence-request/shared-artifacts.ts';
import type { IncidentService } from '../incident/incident-service.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { ReportService } from '../report/report-service.ts';

export function createEvidenceRequests(deps: {
  db: Kysely<VigilDatabase>;
  audit: AuditService;
  outbox: OutboxService;
  clock: Clock;
  calendar: BusinessCalendar;
  policy: Policy;
  incidents: Pick<IncidentService, 'get'>;
  packages: Pick<EvidencePackageService, 'build'>;
  reports: Pick<ReportService, 'renderReport'>;
  publicUrl: string | undefined;
}) {
  const { db, audit, outbox, clock, calendar, policy, incidents, packages, reports } = deps;
  const requestDeps = { db, dal: createEvidenceRequestDal(), audit, outbox, clock, calendar, policy };
  const requests = createEvidenceRequestService(requestDeps);
  const shares = createShareService({
    ...requestDeps,
    incidents: async (ref) => {
      const found = await incidents.get(ref);
      return { id: found.id, reference: found.reference };
    },
    artifacts: sharedArtifacts({
      buildPackage: (id) => packages.build(SHARED_LINK_ACTOR, id),
      renderReport: (kind, range, format) => reports.renderReport(kind, range, format),
    }),
  });
  const routes: ((app: FastifyInstance) => void)[] = [
    (app) =>
      registerEvidenceRequestRoutes(app, {
        requests,
        shares,
        now: () => clock.now(),
        publicUrl: deps.publicUrl,
      }),
    (app) => registerEvidenceRequestPublicRoutes(app, { requests, shares, clock }),
  ];
  return { requests, shares, routes };
}
