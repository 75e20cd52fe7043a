/**
 * The small adapters the composition root hands to domains: the policy in
 * force as incidents see it, people and customers looked up for incidents,
 * the breach summary the incident view shows, a live exercise's two halves;
 * and the two steps every start takes first (load the policy, open and
 * migrate the database).
 */
import type { BreachService } from '../breach/breach-service.ts';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import type { CustomerDal } from '../customer/customer-dal.ts';
import type { LiveExerciseRunner } from '../exercise/exercise-routes.ts';
import type { IdentityDal } from '../identity/identity-dal.ts';
import type {
  ActivePolicy,
  CustomerDirectory,
  IncidentDeps,
  PeopleDirectory,
} from '../incident/incident-context.ts';
import type { IncidentService } from '../incident/incident-service.ts';
import { type Database, openDatabase } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrator.ts';
import {
  type LoadedPolicy,
  loadDefaultPolicy,
  loadPolicyFile,
  requireValidPolicy,
} from '../policy/policy-loader.ts';
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

/** A live exercise: its incident from the incident domain, its signal file replayed by the signal domain. */
export function liveExerciseRunner(
  incidents: Pick<IncidentService, 'declareExercise'>,
  signals: Pick<SignalIngestService, 'replayExercise'>,
): LiveExerciseRunner {
  return async (principal, exercise, input) => {
    const incident = await incidents.declareExercise(
      principal,
      { title: `[EXERCISE] ${input.title}`, severity: input.severity, description: exercise.scenario },
      exercise.id,
    );
    const replayed = await signals.replayExercise({
      exerciseId: exercise.id,
      incident: { id: incident.id, reference: incident.reference },
      source: input.source,
      body: input.signals,
      contentType: input.contentType,
    });
    return { incidentId: incident.id, reference: incident.reference, ...replayed };
  };
}
