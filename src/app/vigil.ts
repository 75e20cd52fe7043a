import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { createAuditDal } from '../audit/audit-dal.ts';
import { registerAuditRoutes } from '../audit/audit-routes.ts';
import { type AuditService, createAuditService } from '../audit/audit-service.ts';
import { createBreachDal } from '../breach/breach-dal.ts';
import { createBreachDeadlineModule } from '../breach/breach-deadline-module.ts';
import { registerBreachRoutes } from '../breach/breach-routes.ts';
import { type BreachService, createBreachService } from '../breach/breach-service.ts';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import { createCommunicationDal } from '../communication/communication-dal.ts';
import { createEngineMessages, createIncidentNotices } from '../communication/communication-notices.ts';
import { createDeliveryRecorder } from '../communication/communication-records.ts';
import { registerCommunicationRoutes } from '../communication/communication-routes.ts';
import {
  type CommunicationService,
  createCommunicationService,
} from '../communication/communication-service.ts';
import { createDeliveryDelayAlert } from '../communication/delivery-delay-alert.ts';
import { createWebhookChannel } from '../communication/webhook-channel.ts';
import { registerComplianceRoutes } from '../compliance/compliance-routes.ts';
import { createComplianceService } from '../compliance/compliance-service.ts';
import { createCustomerDal } from '../customer/customer-dal.ts';
import { registerCustomerRoutes } from '../customer/customer-routes.ts';
import { type CustomerService, createCustomerService } from '../customer/customer-service.ts';
import { createDetector, rulesFromPolicy } from '../detection/detector.ts';
import { createEngine } from '../engine/engine.ts';
import type { Engine } from '../engine/engine-types.ts';
import { createExerciseCadenceModule } from '../exercise/exercise-cadence-module.ts';
import { registerExerciseRoutes } from '../exercise/exercise-routes.ts';
import { createExerciseService, type ExerciseService } from '../exercise/exercise-service.ts';
import { registerHealthRoutes } from '../http/health-routes.ts';
import { buildHttpServer } from '../http/server.ts';
import { createIdentityDal } from '../identity/identity-dal.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import { registerIngestTokenRoutes } from '../identity/ingest-token-routes.ts';
import { createIngestTokenService, type IngestTokenService } from '../identity/ingest-token-service.ts';
import { registerUserRoutes } from '../identity/user-routes.ts';
import { registerIncidentActionRoutes } from '../incident/incident-action-routes.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import { createIncidentCustomerDal } from '../incident/incident-customer-dal.ts';
import { registerIncidentCustomerRoutes } from '../incident/incident-customer-routes.ts';
import {
  createIncidentCustomerService,
  type IncidentCustomerService,
} from '../incident/incident-customer-service.ts';
import { createIncidentDal } from '../incident/incident-dal.ts';
import { createIncidentDetailDal } from '../incident/incident-detail-dal.ts';
import { createIncidentDetectionService } from '../incident/incident-detection-service.ts';
import { createEscalationDirectory } from '../incident/incident-escalation-directory.ts';
import {
  createIncidentPeopleService,
  type IncidentPeopleService,
} from '../incident/incident-people-service.ts';
import { createIncidentPhaseService, type IncidentPhaseService } from '../incident/incident-phase-service.ts';
import {
  createIncidentResponseService,
  type IncidentResponseService,
} from '../incident/incident-response-service.ts';
import { registerIncidentRoutes } from '../incident/incident-routes.ts';
import { createIncidentService, type IncidentService } from '../incident/incident-service.ts';
import { createIncidentSignalDal } from '../incident/incident-signal-dal.ts';
import { createIncidentUpdateService } from '../incident/incident-update-service.ts';
import { createOutboxDal } from '../outbox/outbox-dal.ts';
import { createOutboxDeliveryModule } from '../outbox/outbox-delivery-module.ts';
import { createSmtpMailer, type Mailer, type SmtpSettings } from '../outbox/outbox-mailer.ts';
import { registerOutboxRoutes } from '../outbox/outbox-routes.ts';
import { createOutboxService, type OutboxService } from '../outbox/outbox-service.ts';
import { createWebhookSender } from '../outbox/webhook-sender.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import { pendingMigrations } from '../platform/db/migrator.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import { wallMilliseconds } from '../policy/policy-duration.ts';
import type { LoadedPolicy } from '../policy/policy-loader.ts';
import { createPolicyVersionDal } from '../policy/policy-version-dal.ts';
import { createPolicyVersionService } from '../policy/policy-version-service.ts';
import { createActionReminderModule } from '../review/action-reminder-module.ts';
import { createReviewDal } from '../review/review-dal.ts';
import { registerReviewRoutes } from '../review/review-routes.ts';
import { createReviewService, type ReviewService } from '../review/review-service.ts';
import { createLiveWindows } from '../signal/live-windows.ts';
import { createSignalDal } from '../signal/signal-dal.ts';
import { createSignalIngestService, type SignalIngestService } from '../signal/signal-ingest-service.ts';
import { createSignalPurgeModule } from '../signal/signal-purge-module.ts';
import { INGEST_PATH, registerSignalRoutes } from '../signal/signal-routes.ts';
import { createSlaDal } from '../sla/sla-dal.ts';
import { createSlaModule } from '../sla/sla-module.ts';
import { createTimelineDal } from '../timeline/timeline-dal.ts';
import { createTimelineService, type TimelineService } from '../timeline/timeline-service.ts';
import { type WebhookEndpoint, webhookEnvKey } from './config.ts';
import {
  activePolicy,
  breachSummaryPort,
  customerDirectory,
  liveExerciseRunner,
  loadPolicy,
  openMigratedDatabase,
  peopleDirectory,
} from './vigil-adapters.ts';

export { loadPolicy, openMigratedDatabase } from './vigil-adapters.ts';

export interface VigilOptions {
  databaseUrl: string;
  /** Policy file; undefined for the built-in default. */
  policyPath: string | undefined;
  clock: Clock;
  logger: Logger;
  bodyLimit: number;
  /** Largest signal body; default 32 MiB. */
  ingestBodyLimit?: number | undefined;
  version: string;
  /** Outbox delivery by email; without it messages stay pending in the outbox. */
  smtp?: SmtpSettings | undefined;
  /** Outgoing webhook endpoints keyed as {@link webhookEnvKey} keys them; without one a webhook's messages fail. */
  webhooks?: Record<string, WebhookEndpoint> | undefined;
}

/** A running Vigil: its parts, for the serve command and for tests. */
export interface Vigil {
  database: Database;
  policy: LoadedPolicy;
  calendar: BusinessCalendar;
  audit: AuditService;
  identity: IdentityService;
  timeline: TimelineService;
  outbox: OutboxService;
  incidents: IncidentService;
  response: IncidentResponseService;
  phases: IncidentPhaseService;
  people: IncidentPeopleService;
  customers: CustomerService;
  affectedCustomers: IncidentCustomerService;
  communications: CommunicationService;
  signals: SignalIngestService;
  ingestTokens: IngestTokenService;
  breaches: BreachService;
  reviews: ReviewService;
  exercises: ExerciseService;
  /** Everything incident use cases share; the engine's modules build on it too. */
  incidentDeps: IncidentDeps;
  /** The background engine; `vigil serve` starts it, tests drive `runCycle()` with a fake clock. */
  engine: Engine;
  http: FastifyInstance;
  /** Stops the HTTP server (finishing in-flight requests) and the engine, then closes the database. */
  close(): Promise<void>;
}

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

  const audit = createAuditService({ db, dal: createAuditDal(database.dialect) });
  const identityDal = createIdentityDal();
  const identity = createIdentityService({ db, dal: identityDal, audit, clock });
  const policyVersions = createPolicyVersionService({ db, dal: createPolicyVersionDal(), audit, clock });
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
  const detectionUser = await identity.ensureSystemUser('detection@vigil.invalid', 'Vigil detection');
  const signalDal = createSignalDal();
  const detectionRules = rulesFromPolicy(policy.policy);
  const detector = createDetector(detectionRules, {
    severityOrder: policy.policy.severities.map((s) => s.id),
    isBusinessTime: (at) => calendar.isBusinessTime(at),
  });
  const windows = createLiveWindows({ dal: signalDal, detector });
  const signals = createSignalIngestService({
    db,
    dal: signalDal,
    detector,
    windows,
    intake: createIncidentDetectionService({
      ...incidentDeps,
      signalLinks: createIncidentSignalDal(),
      detectionUser: { userId: detectionUser.id, email: detectionUser.email },
    }),
    clock,
  });
  const ingestTokens = createIngestTokenService({ db, audit, clock });
  const incidents = createIncidentService(incidentDeps);
  const response = createIncidentResponseService(incidentDeps);
  const phases = createIncidentPhaseService(incidentDeps);
  const people = createIncidentPeopleService(incidentDeps);
  const updates = createIncidentUpdateService(incidentDeps);
  const affectedCustomers = createIncidentCustomerService(incidentDeps);
  const severityIds = policy.policy.severities.map((s) => s.id);

  const engine = createEngine({
    db: database,
    clock,
    logger: logger.child({ component: 'engine' }),
    holderId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    modules: [
      createSlaModule({
        db,
        slaDal: incidentDeps.slaDal,
        timeline,
        outbox,
        audit,
        directory: createEscalationDirectory(incidentDeps),
        messages: engineMessages,
        clock,
      }),
      createBreachDeadlineModule({
        db,
        dal: breachDal,
        breaches,
        incident: incidentDeps,
        outbox,
        timeline,
        audit,
      }),
      createActionReminderModule({ db, dal: reviewDal, incident: incidentDeps, outbox, audit }),
      createExerciseCadenceModule({ db, exercises, outbox, policy: policy.policy }),
      // After the clock modules, so an escalation goes out in the cycle that recorded it.
      createOutboxDeliveryModule({
        db,
        dal: outboxDal,
        mailer,
        webhooks: webhookChannel,
        recorder: createDeliveryRecorder({ timeline, audit }),
        clock,
      }),
      createSignalPurgeModule(
        { db, dal: signalDal, clock },
        { keep: policy.policy.retention.telemetry.keep, timeZone: policy.policy.time.timeZone },
      ),
      createDeliveryDelayAlert({
        db,
        dal: outboxDal,
        outbox,
        audit,
        policy: policy.policy,
        logger: logger.child({ component: 'outbox' }),
      }),
    ],
  });

  const http = await buildHttpServer({
    logger,
    bodyLimit: options.bodyLimit,
    identity,
    version: options.version,
    tokenExempt: (method, path) => method === 'POST' && INGEST_PATH.test(path),
    routes: [
      (app) =>
        registerHealthRoutes(app, {
          pingDatabase: async () => {
            await sql`select 1`.execute(db);
          },
          pendingMigrations: () => pendingMigrations(database),
        }),
      (app) => registerAuditRoutes(app, { audit }),
      (app) => registerUserRoutes(app, { identity }),
      (app) => registerIncidentRoutes(app, { incidents, severityIds }),
      (app) => registerIncidentActionRoutes(app, { response, phases, people, updates }),
      (app) => registerCustomerRoutes(app, { customers }),
      (app) => registerIncidentCustomerRoutes(app, { affected: affectedCustomers }),
      (app) => registerCommunicationRoutes(app, { communications }),
      (app) => registerBreachRoutes(app, { breaches }),
      (app) => registerReviewRoutes(app, { reviews }),
      (app) =>
        registerExerciseRoutes(app, {
          exercises,
          reviews,
          runLive: liveExerciseRunner(incidents, signals),
        }),
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
      (app) =>
        registerSignalRoutes(app, {
          ingest: signals,
          tokens: ingestTokens,
          dal: signalDal,
          db,
          ingestBodyLimit: options.ingestBodyLimit ?? 32 * 1024 * 1024,
        }),
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
