/** What `createVigil` takes, and the running Vigil it gives: for the serve command and for tests. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { BreachService } from '../breach/breach-service.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import type { CommunicationService } from '../communication/communication-service.ts';
import type { CustomerService } from '../customer/customer-service.ts';
import type { Engine } from '../engine/engine-types.ts';
import type { EvidencePackageService } from '../evidence/evidence-package-service.ts';
import type { EvidenceS3Settings } from '../evidence/evidence-s3-store.ts';
import type { EvidenceService } from '../evidence/evidence-service.ts';
import type { ExerciseService } from '../exercise/exercise-service.ts';
import type { SignInLimits } from '../http/rate-limit-hooks.ts';
import type { TokenBucket } from '../http/rate-limiter.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IngestTokenService } from '../identity/ingest-token-service.ts';
import type { OidcSettings } from '../identity/oidc-types.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import type { IncidentCustomerService } from '../incident/incident-customer-service.ts';
import type { IncidentPeopleService } from '../incident/incident-people-service.ts';
import type { IncidentPhaseService } from '../incident/incident-phase-service.ts';
import type { IncidentResponseService } from '../incident/incident-response-service.ts';
import type { IncidentService } from '../incident/incident-service.ts';
import type { SmtpSettings } from '../outbox/outbox-mailer.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { LoadedPolicy } from '../policy/policy-loader.ts';
import type { ReportService } from '../report/report-service.ts';
import type { ReviewService } from '../review/review-service.ts';
import type { SignalIngestService } from '../signal/signal-ingest-service.ts';
import type { TimelineService } from '../timeline/timeline-service.ts';
import type { ServeRole, SignInConfig, WebhookEndpoint } from './config.ts';

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
  /** Where the evidence vault keeps attachment content; default `./data/evidence`. */
  evidenceDir?: string | undefined;
  /** An S3-compatible bucket for evidence instead of `evidenceDir` (several nodes on PostgreSQL). */
  evidenceS3?: EvidenceS3Settings | undefined;
  /** Single sign-on over OpenID Connect; without it `/auth/oidc/*` answers 404. */
  oidc?: OidcSettings | undefined;
  /** Session timeouts and password rules; defaults: 30 min idle, 12 h absolute, 12 characters. */
  signIn?: Partial<SignInConfig> | undefined;
  /** Trust X-Forwarded-* from a reverse proxy (client address, https); default false. */
  trustProxy?: boolean | undefined;
  /** Where people reach Vigil, for links it sends out (VIGIL_PUBLIC_URL); default: each request's own address. */
  publicUrl?: string | undefined;
  /** Vigil's own sign-in and token events become `vigil` signals (self-watching); default true. */
  selfWatching?: boolean | undefined;
  /** Sign-in limits per client and per account; ingestion per token (`null`: off). Defaults: docs/security.md. */
  rateLimits?: { signIn?: SignInLimits | undefined; ingest?: TokenBucket | null | undefined } | undefined;
  /**
   * What this process serves (`vigil serve --role`): `all` (default) the API and the engine, `api`
   * the API only, `engine` the engine with only the health probes over HTTP. The caller starts
   * the engine; this decides which routes exist.
   */
  role?: ServeRole | undefined;
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
  /** The evidence vault: attachments by SHA-256, every read audited. */
  evidence: EvidenceService;
  /** Evidence packages of incidents (ZIP, verified offline); `build` is the port for sharing them. */
  evidencePackages: EvidencePackageService;
  /** Reports (SLA, detection, actions, exercises, ISO 27001); `renderReport` is the port for sharing them. */
  reports: ReportService;
  /** Everything incident use cases share; the engine's modules build on it too. */
  incidentDeps: IncidentDeps;
  /** The background engine; `vigil serve` starts it, tests drive `runCycle()` with a fake clock. */
  engine: Engine;
  http: FastifyInstance;
  /** Stops the HTTP server (finishing in-flight requests) and the engine, then closes the database. */
  close(): Promise<void>;
}
