/**
 * The small adapters the composition root hands to domains: the policy in
 * force as incidents see it, people and customers looked up for incidents,
 * the breach summary the incident view shows, a live exercise's two halves;
 * and the two steps every start takes first (load the policy, open and
 * migrate the database); and the port that turns Vigil's own security events
 * into `vigil` signals.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { BreachService } from '../breach/breach-service.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import type { CustomerDal } from '../customer/customer-dal.ts';
import type { LiveExerciseRunner } from '../exercise/exercise-routes.ts';
import type { Readiness } from '../http/health-routes.ts';
import type { IdentityDal } from '../identity/identity-dal.ts';
import type { SecurityEvent, SecurityEvents } from '../identity/identity-types.ts';
import type {
  ActivePolicy,
  CustomerDirectory,
  IncidentDeps,
  PeopleDirectory,
} from '../incident/incident-context.ts';
import type { IncidentService } from '../incident/incident-service.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrateToLatest, pendingMigrations } from '../platform/db/migrator.ts';
import {
  type LoadedPolicy,
  loadDefaultPolicy,
  loadPolicyFile,
  requireValidPolicy,
} from '../policy/policy-loader.ts';
import type { ExerciseReplay } from '../signal/signal-exercise-replay.ts';
import type { SignalIngestService } from '../signal/signal-ingest-service.ts';

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

/** What the readiness probe asks of the database: does it answer, and is every migration applied. */
export function databaseReadiness(database: Database): Readiness {
  return {
    pingDatabase: async () => {
      await sql`select 1`.execute(database.kysely);
    },
    pendingMigrations: () => pendingMigrations(database),
  };
}

export function activePolicy(loaded: LoadedPolicy, calendar: BusinessCalendar): ActivePolicy {
  const { policy } = loaded;
  return {
    policy,
    version: loaded.version,
    calendar,
    categoryIds: policy.categories.map((c) => c.id),
    componentIds: policy.components.map((c) => c.id),
    runbookSteps: (category, phase) => loaded.runbooks[category]?.phases[phase] ?? null,
  };
}

export function peopleDirectory(identityDal: IdentityDal): PeopleDirectory {
  return {
    async findByEmail(executor, email) {
      const user = await identityDal.findUserByEmail(executor, email);
      return user ? { userId: user.id, email: user.email, name: user.displayName } : null;
    },
  };
}

export function customerDirectory(customerDal: CustomerDal): CustomerDirectory {
  return { findByIds: (executor, ids) => customerDal.findRefs(executor, ids) };
}

/** The incident view's breach summary, read from the breach service. */
export function breachSummaryPort(
  breaches: Pick<BreachService, 'find'>,
): NonNullable<IncidentDeps['breachSummary']> {
  return {
    async summaryFor(_db, incident, now) {
      const view = await breaches.find(incident, now);
      if (!view) return null;
      return {
        status: view.record.status,
        role: view.record.role,
        clocks: view.clocks,
        obligations: view.obligations.map((o) => ({
          regime: o.regime,
          obligation: o.obligation,
          name: o.name,
          dueAt: o.dueAt,
          metAt: o.metAt,
          state: o.state,
        })),
      };
    },
  };
}

/**
 * A live exercise: its incident from the incident domain, its signal file
 * replayed by the signal domain. The file is parsed first, so a bad file
 * opens nothing.
 */
export function liveExerciseRunner(
  incidents: Pick<IncidentService, 'declareExercise'>,
  replay: Pick<ExerciseReplay, 'parse' | 'replayNow' | 'schedule'>,
): LiveExerciseRunner {
  return async (principal, exercise, input) => {
    const signals = replay.parse({
      source: input.source,
      body: input.signals,
      contentType: input.contentType,
    });
    const incident = await incidents.declareExercise(
      principal,
      { title: `[EXERCISE] ${input.title}`, severity: input.severity, description: exercise.scenario },
      exercise.id,
    );
    const target = { exerciseId: exercise.id, incident: { id: incident.id, reference: incident.reference } };
    const opened = { incidentId: incident.id, reference: incident.reference };
    if (input.speed.mode === 'compressed') {
      return { ...opened, speed: 'compressed', ...(await replay.replayNow(target, signals)) };
    }
    const queued = await replay.schedule(target, signals, input.speed.speedup);
    return {
      ...opened,
      speed: 'real',
      speedup: input.speed.speedup,
      scheduled: queued.scheduled,
      firstReleaseAt: queued.firstReleaseAt?.toISOString() ?? null,
      lastReleaseAt: queued.lastReleaseAt?.toISOString() ?? null,
    };
  };
}

/**
 * Vigil watching itself: each security event (failed sign-in, lockout,
 * sign-in, role change, token creation) becomes a `vigil` signal, so the
 * policy's detection rules see Vigil's accounts as they see a database's.
 * Callers record after their own commit; a failure here is logged and
 * swallowed, so it never changes a sign-in's answer. Each event gets a
 * random id: two identical failures in the same millisecond are two signals.
 */
export function securityEventSignals(
  signals: Pick<SignalIngestService, 'ingest'>,
  logger: { error(object: object, message: string): void },
): SecurityEvents {
  return {
    async record(event: SecurityEvent) {
      const body = JSON.stringify({
        id: randomUUID(),
        kind: event.kind,
        principal: event.principal,
        clientIp: event.clientIp,
        at: event.at.toISOString(),
        detail: event.detail ?? {},
      });
      try {
        await signals.ingest('vigil', body, 'application/json');
      } catch (error) {
        // The event itself is on the audit chain already; only its signal is lost.
        logger.error(
          { err: error, kind: event.kind },
          'self-watching: a security event could not become a signal',
        );
      }
    },
  };
}
