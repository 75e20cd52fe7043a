import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { createAuditDal } from '../audit/audit-dal.ts';
import { registerAuditRoutes } from '../audit/audit-routes.ts';
import { type AuditService, createAuditService } from '../audit/audit-service.ts';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import { registerHealthRoutes } from '../http/health-routes.ts';
import { buildHttpServer } from '../http/server.ts';
import { createIdentityDal } from '../identity/identity-dal.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import { createIncidentDal } from '../incident/incident-dal.ts';
import { registerIncidentRoutes } from '../incident/incident-routes.ts';
import { createIncidentService, type IncidentService } from '../incident/incident-service.ts';
import type { Clock } from '../platform/clock.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrateToLatest, pendingMigrations } from '../platform/db/migrator.ts';
import { calendarConfigFromPolicy } from '../policy/policy-calendar.ts';
import {
  type LoadedPolicy,
  loadDefaultPolicy,
  loadPolicyFile,
  requireValidPolicy,
} from '../policy/policy-loader.ts';
import { createPolicyVersionDal } from '../policy/policy-version-dal.ts';
import { createPolicyVersionService } from '../policy/policy-version-service.ts';

export interface VigilOptions {
  databaseUrl: string;
  /** Policy file; undefined for the built-in default. */
  policyPath: string | undefined;
  clock: Clock;
  logger: Logger;
  bodyLimit: number;
  version: string;
}

/** A running Vigil: its parts, for the serve command and for tests. */
export interface Vigil {
  database: Database;
  policy: LoadedPolicy;
  calendar: BusinessCalendar;
  audit: AuditService;
  identity: IdentityService;
  incidents: IncidentService;
  http: FastifyInstance;
  /** Stops the HTTP server (finishing in-flight requests), then closes the database. */
  close(): Promise<void>;
}

/** Loads the policy; a policy with any error throws PolicyInvalidError listing every issue. */
export async function loadPolicy(policyPath: string | undefined): Promise<LoadedPolicy> {
  return requireValidPolicy(policyPath ? await loadPolicyFile(policyPath) : await loadDefaultPolicy());
}

/** Opens the database and applies pending migrations; a failed migration throws, naming it. */
export async function openMigratedDatabase(databaseUrl: string): Promise<Database> {
  const database = await openDatabase(databaseUrl);
  const report = await migrateToLatest(database);
  if (report.error) {
    await database.close();
    throw new Error(`migration ${report.error.migration ?? '(unknown)'} failed: ${report.error.message}`);
  }
  return database;
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
  const identity = createIdentityService({ db, dal: createIdentityDal(), audit, clock });
  const policyVersions = createPolicyVersionService({ db, dal: createPolicyVersionDal(), audit, clock });
  await policyVersions.register(policy);

  const severityIds = policy.policy.severities.map((s) => s.id);
  const incidents = createIncidentService({
    db,
    dal: createIncidentDal(),
    audit,
    clock,
    policy: {
      version: policy.version,
      severityIds,
      initialPhase: policy.policy.lifecycle.phases[0]!.id,
      isBusinessTime: (t) => calendar.isBusinessTime(t),
    },
  });

  const http = await buildHttpServer({
    logger,
    bodyLimit: options.bodyLimit,
    identity,
    version: options.version,
    routes: [
      (app) =>
        registerHealthRoutes(app, {
          pingDatabase: async () => {
            await sql`select 1`.execute(db);
          },
          pendingMigrations: () => pendingMigrations(database),
        }),
      (app) => registerAuditRoutes(app, { audit }),
      (app) => registerIncidentRoutes(app, { incidents, severityIds }),
    ],
  });

  return {
    database,
    policy,
    calendar,
    audit,
    identity,
    incidents,
    http,
    async close() {
      await http.close();
      await database.close();
    },
  };
}
