import type { FastifyInstance } from 'fastify';
import { createAuditDal } from '../audit/audit-dal.ts';
import { registerAuditRoutes } from '../audit/audit-routes.ts';
import { createAuditService } from '../audit/audit-service.ts';
import { createBreachDal } from '../breach/breach-dal.ts';
import { registerBreachRoutes } from '../breach/breach-routes.ts';
import { createBreachService } from '../breach/breach-service.ts';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import { createCommunicationDal } from '../communication/communication-dal.ts';
import { createEngineMessages, createIncidentNotices } from '../communication/communication-notices.ts';
import { registerCommunicationRoutes } from '../communication/communication-routes.ts';
import { createCommunicationService } from '../communication/communication-service.ts';
import { registerTemplateRoutes } from '../communication/template-routes.ts';
import { createWebhookChannel } from '../communication/webhook-channel.ts';
import { registerComplianceRoutes } from '../compliance/compliance-routes.ts';
import { createComplianceService } from '../compliance/compliance-service.ts';
import { createCustomerDal } from '../customer/customer-dal.ts';
import { registerCustomerRoutes } from '../customer/customer-routes.ts';
import { createCustomerService } from '../customer/customer-service.ts';
import { registerDemoRoutes } from '../demo/demo-routes.ts';
import { createDemoService } from '../demo/demo-service.ts';
import { createEvidencePackageDal } from '../evidence/evidence-package-dal.ts';
import { registerEvidencePackageRoutes } from '../evidence/evidence-package-routes.ts';
import { createEvidencePackageService, DEFAULT_MAIL_FROM } from '../evidence/evidence-package-service.ts';
import { registerEvidenceRoutes } from '../evidence/evidence-routes.ts';
import { registerExerciseRoutes } from '../exercise/exercise-routes.ts';
import { createExerciseService } from '../exercise/exercise-service.ts';
import { registerConsoleRoutes } from '../http/console-routes.ts';
import { registerHealthRoutes } from '../http/health-routes.ts';
import { createIngestThrottle, createSignInThrottle, DEFAULT_INGEST_RATE } from '../http/rate-limit-hooks.ts';
import { buildHttpServer } from '../http/server.ts';
import { registerAccountRoutes } from '../identity/account-routes.ts';
import { registerApiTokenRoutes } from '../identity/api-token-routes.ts';
import { createApiTokenService } from '../identity/api-token-service.ts';
import { createIdentityDal } from '../identity/identity-dal.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { registerIngestTokenRoutes } from '../identity/ingest-token-routes.ts';
import { createIngestTokenService } from '../identity/ingest-token-service.ts';
import { registerOidcRoutes } from '../identity/oidc-routes.ts';
import { registerSignInRoutes } from '../identity/sign-in-routes.ts';
import { createUserAdminService } from '../identity/user-admin-service.ts';
import { registerUserRoutes } from '../identity/user-routes.ts';
import { registerIncidentActionRoutes } from '../incident/incident-action-routes.ts';
import { holdsIncidentRole, type IncidentDeps } from '../incident/incident-context.ts';
import { createIncidentCustomerDal } from '../incident/incident-customer-dal.ts';
import { registerIncidentCustomerRoutes } from '../incident/incident-customer-routes.ts';
import { createIncidentCustomerService } from '../incident/incident-customer-service.ts';
import { createIncidentDal } from '../incident/incident-dal.ts';
import { createIncidentDetailDal } from '../incident/incident-detail-dal.ts';
import { createIncidentEventFeed } from '../incident/incident-events-dal.ts';
import { registerIncidentEventRoutes } from '../incident/incident-events-routes.ts';
import { createIncidentPeopleService } from '../incident/incident-people-service.ts';
import { createIncidentPhaseService } from '../incident/incident-phase-service.ts';
import { createIncidentResponseService } from '../incident/incident-response-service.ts';
import { registerIncidentRoutes } from '../incident/incident-routes.ts';
import { createIncidentService } from '../incident/incident-service.ts';
import { createIncidentUpdateService } from '../incident/incident-update-service.ts';
import { createVigilMetrics } from '../metrics/metrics-registry.ts';
import { registerMetricsRoutes } from '../metrics/metrics-routes.ts';
import { createOutboxDal } from '../outbox/outbox-dal.ts';
import { createSmtpMailer, type Mailer } from '../outbox/outbox-mailer.ts';
import { registerOutboxRoutes } from '../outbox/outbox-routes.ts';
import { createOutboxService } from '../outbox/outbox-service.ts';
import { createWebhookSender } from '../outbox/webhook-sender.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import { wallMilliseconds } from '../policy/policy-duration.ts';
import { registerPolicyRoutes } from '../policy/policy-routes.ts';
import { createPolicyVersionDal } from '../policy/policy-version-dal.ts';
import { createPolicyVersionService } from '../policy/policy-version-service.ts';
import { createReportDal } from '../report/report-dal.ts';
import { registerReportRoutes } from '../report/report-routes.ts';
import { createReportService } from '../report/report-service.ts';
import { registerRetentionRoutes } from '../retention/retention-routes.ts';
import { createReviewDal } from '../review/review-dal.ts';
import { registerReviewRoutes } from '../review/review-routes.ts';
import { createReviewService } from '../review/review-service.ts';
import { INGEST_PATH, registerSignalRoutes } from '../signal/signal-routes.ts';
import { createSlaDal } from '../sla/sla-dal.ts';
import { createTimelineDal } from '../timeline/timeline-dal.ts';
import { createTimelineService } from '../timeline/timeline-service.ts';
import { registerTrustRoutes } from '../trust/trust-routes.ts';
import { webhookEnvKey } from './config.ts';
import {
  activePolicy,
  breachSummaryPort,
  customerDirectory,
  databaseReadiness,
  liveExerciseRunner,
  loadPolicy,
  openMigratedDatabase,
  peopleDirectory,
  securityEventSignals,
} from './vigil-adapters.ts';
import { createVigilEngine } from './vigil-engine.ts';
import { createEvidenceKeeping } from './vigil-evidence.ts';
import { createEvidenceRequests } from './vigil-evidence-requests.ts';
import { createSignIn } from './vigil-sign-in.ts';
import { createSignals } from './vigil-signals.ts';

export { loadPolicy, openMigratedDatabase } from './vigil-adapters.ts';
export type { Vigil, VigilOptions } from './vigil-types.ts';

import type { Vigil, VigilOptions } from './vigil-types.ts';

/**
 * The composition root: the only place that constructs services and hands
 * each the narrow dependencies it uses. Order matters: a bad policy stops
 * start-up before the database is touched.
 */
export async function createVigil(options: VigilOptions): Promise<Vigil> {
  const { clock, logger } = options;
  const policy = await loadPolicy(options.policyPath);
  const calendar = createBusinessCalendar(calendarConfigFromPolicy(policy.policy));
  const database = await openMigratedDatabase(options.databaseUrl);
  const db = database.kysely;
  const metrics = createVigilMetrics({ database, clock, isLeader: () => engine.isLeader() });

  const audit = createAuditService({ db, dal: createAuditDal(database.dialect) });
  const identityDal = createIdentityDal();
  const identity = createIdentityService({ db, dal: identityDal, audit, clock });
  const policyVersionDal = createPolicyVersionDal();
  const policyLoadedAt = clock.now();
  const policyVersions = createPolicyVersionService({ db, dal: policyVersionDal, audit, clock });
  await policyVersions.register(policy);
  const command = policy.policy.command;
  await identity.ensurePolicyPeople([command.primaryOwner, ...command.succession]);

  const timeline = createTimelineService({ db, dal: createTimelineDal() });
  const outboxDal = createOutboxDal();
  const outbox = createOutboxService({ db, dal: outboxDal });
  const customerDal = createCustomerDal();
  const customers = createCustomerService({ db, dal: customerDal, audit, clock });
  const mailer: Mailer | undefined = options.smtp ? createSmtpMailer(options.smtp) : undefined;
  const templates = policy.templates;
  const engineMessages = createEngineMessages(policy.policy, templates);
  const incidentParts = {
    db,
    dal: createIncidentDal(),
    details: createIncidentDetailDal(),
    slaDal: createSlaDal(),
    timeline,
    audit,
    clock,
    policy: activePolicy(policy, calendar),
    people: peopleDirectory(identityDal),
    customers: customerDirectory(customerDal),
    customerLinks: createIncidentCustomerDal(),
  };
  const incidentDeps: IncidentDeps = {
    ...incidentParts,
    notices: createIncidentNotices({
      policy: policy.policy,
      templates,
      outbox,
      incident: incidentParts,
      messages: engineMessages,
    }),
  };
  const reviewDal = createReviewDal();
  const reviews = createReviewService({ incident: incidentDeps, dal: reviewDal });
  const reports = createReportService({
    db,
    dal: createReportDal(),
    clock,
    policy: policy.policy,
    policyVersion: policy.version,
  });
  incidentDeps.reviewGate = reviews;
  const exercises = createExerciseService({ db, audit, clock, policy: policy.policy });
  const breachDal = createBreachDal();
  const breaches = createBreachService({ incident: incidentDeps, dal: breachDal });
  incidentDeps.breachSummary = breachSummaryPort(breaches);
  const communications = createCommunicationService({
    incident: incidentDeps,
    dal: createCommunicationDal(),
    outbox,
    templates,
    customers: customerDal,
    breachNotices: breaches,
    exerciseFacilitator: (executor, exerciseId) => exercises.facilitatorOf(executor, exerciseId),
  });
  const endpoints = options.webhooks ?? {};
  const webhookChannel =
    policy.policy.communications.webhooks.length > 0
      ? createWebhookChannel({
          webhooks: policy.policy.communications.webhooks,
          endpoints: (id) => endpoints[webhookEnvKey(id)],
          sender: createWebhookSender(),
        })
      : undefined;
  const alertAfterMs = wallMilliseconds(policy.policy.communications.deliveryAlertAfter);
  const { signalDal, signals, exerciseReplay } = await createSignals({
    db,
    clock,
    policy: policy.policy,
    calendar,
    identity,
    incidentDeps,
    metrics,
  });
  // Vigil watching itself: sign-in and token events become `vigil` signals, after their commits.
  const securityEvents =
    options.selfWatching === false
      ? undefined
      : securityEventSignals(signals, logger.child({ component: 'self-watching' }));
  const ingestTokens = createIngestTokenService({ db, audit, clock, securityEvents, apiTokens: identity });
  const apiTokens = createApiTokenService({ db, audit, clock, securityEvents });
  const incidents = createIncidentService(incidentDeps);
  const response = createIncidentResponseService(incidentDeps);
  const phases = createIncidentPhaseService(incidentDeps);
  const people = createIncidentPeopleService(incidentDeps);
  const updates = createIncidentUpdateService(incidentDeps);
  const affectedCustomers = createIncidentCustomerService(incidentDeps);
  const severityIds = policy.policy.severities.map((s) => s.id);
  const { evidence, retentionDal, telemetryPurge, retentionPurge, retention } = await createEvidenceKeeping({
    db,
    clock,
    audit,
    policy: policy.policy,
    incidentDeps,
    signalDal,
    evidenceDir: options.evidenceDir,
    evidenceS3: options.evidenceS3,
  });

  const engine = createVigilEngine({
    database,
    clock,
    logger,
    policy: policy.policy,
    incidentDeps,
    timeline,
    outbox,
    outboxDal,
    audit,
    engineMessages,
    breachDal,
    breaches,
    reviewDal,
    exercises,
    exerciseReplay,
    mailer,
    webhookChannel,
    telemetryPurge,
    retentionDal,
    retentionPurge,
    onCycle: metrics.observeCycle,
  });

  const evidencePackages = createEvidencePackageService({
    db,
    audit,
    clock,
    incident: incidentDeps,
    reviews,
    breaches,
    outbox: outboxDal,
    dal: createEvidencePackageDal(),
    attachments: { list: (id) => evidence.listForIncident(db, id), open: (sha) => evidence.store.open(sha) },
    mailFrom: options.smtp?.from ?? DEFAULT_MAIL_FROM,
  });

  const { sessions, credentials, totp, oidc } = createSignIn({
    db,
    audit,
    clock,
    users: identityDal,
    signIn: options.signIn ?? {},
    oidc: options.oidc,
    securityEvents,
  });

  const evidenceRequests = createEvidenceRequests({
    db,
    audit,
    outbox,
    clock,
    calendar,
    policy: policy.policy,
    incidents,
    packages: evidencePackages,
    reports,
    publicUrl: options.publicUrl,
  });
  const throttle = createSignInThrottle(clock, options.rateLimits?.signIn);
  const ingestRate = options.rateLimits?.ingest;
  const apiRoutes: ReadonlyArray<(app: FastifyInstance) => void> = [
    (app) => registerConsoleRoutes(app),
    (app) => registerAuditRoutes(app, { audit }),
    (app) =>
      registerUserRoutes(app, {
        identity,
        admin: createUserAdminService({ db, dal: identityDal, audit, clock, securityEvents }),
      }),
    (app) => oidc && registerOidcRoutes(app, { oidc, sessionCookie: sessions.sessionCookie, throttle }),
    (app) => registerSignInRoutes(app, { credentials, sessions, throttle }),
    (app) => registerAccountRoutes(app, { credentials, totp }),
    (app) => registerIncidentRoutes(app, { incidents, severityIds }),
    (app) => registerIncidentActionRoutes(app, { response, phases, people, updates }),
    (app) => registerIncidentEventRoutes(app, { feed: createIncidentEventFeed(db), incidents }),
    (app) => registerCustomerRoutes(app, { customers }),
    (app) => registerIncidentCustomerRoutes(app, { affected: affectedCustomers }),
    (app) => registerCommunicationRoutes(app, { communications }),
    (app) => registerTemplateRoutes(app, { templates }),
    (app) => registerBreachRoutes(app, { breaches }),
    (app) => registerReviewRoutes(app, { reviews }),
    (app) => registerEvidenceRoutes(app, { evidence }),
    (app) => registerEvidencePackageRoutes(app, { packages: evidencePackages }),
    (app) =>
      registerExerciseRoutes(app, {
        exercises,
        reviews,
        runLive: liveExerciseRunner(incidents, exerciseReplay),
      }),
    (app) => registerReportRoutes(app, { reports }),
    (app) =>
      registerComplianceRoutes(app, {
        compliance: createComplianceService({
          incidents,
          reviews,
          exercises,
          breaches,
          policy: policy.policy,
          clock,
        }),
      }),
    (app) => registerOutboxRoutes(app, { db, dal: outboxDal, clock, alertAfterMs }),
    (app) => registerIngestTokenRoutes(app, { tokens: ingestTokens }),
    (app) => registerApiTokenRoutes(app, { tokens: apiTokens }),
    (app) => registerRetentionRoutes(app, { retention, purge: retentionPurge }),
    (app) => registerTrustRoutes(app, { policy }),
    (app) => registerPolicyRoutes(app, { policy, loadedAt: policyLoadedAt, db, dal: policyVersionDal }),
    (app) => registerDemoRoutes(app, { demo: createDemoService({ db, signals, audit, clock }) }),
    ...evidenceRequests.routes,
    (app) =>
      registerSignalRoutes(app, {
        ingest: signals,
        tokens: ingestTokens,
        dal: signalDal,
        db,
        ingestBodyLimit: options.ingestBodyLimit ?? 32 * 1024 * 1024,
        throttle: createIngestThrottle(
          clock,
          ingestRate === undefined ? DEFAULT_INGEST_RATE : (ingestRate ?? undefined),
        ),
      }),
  ];
  const http = await buildHttpServer({
    clock,
    assignments: (idOrReference, userId) => holdsIncidentRole(incidentDeps, idOrReference, userId),
    logger,
    bodyLimit: options.bodyLimit,
    identity,
    version: options.version,
    tokenExempt: (method, path) => method === 'POST' && INGEST_PATH.test(path),
    trustProxy: options.trustProxy,
    sessions,
    routes: [
      (app) => registerHealthRoutes(app, databaseReadiness(database)),
      (app) => registerMetricsRoutes(app, { metrics, identity }),
      // An engine-only node answers its health probes and metrics, nothing else.
      ...(options.role === 'engine' ? [] : apiRoutes),
    ],
  });
  return {
    database,
    policy,
    calendar,
    audit,
    identity,
    timeline,
    outbox,
    incidents,
    response,
    phases,
    people,
    customers,
    affectedCustomers,
    communications,
    signals,
    ingestTokens,
    breaches,
    reviews,
    exercises,
    evidence,
    reports,
    evidencePackages,
    incidentDeps,
    engine,
    http,
    async close() {
      await http.close();
      // Waits for a running cycle and releases the lease, so another process takes over at once.
      await engine.stop();
      mailer?.close();
      await database.close();
    },
  };
}
