/**
 * Signals in, incidents out, as the composition root assembles it: the
 * detector built from the policy's rules, the live windows, the incident
 * domain's detection intake acting as the detection user, ingestion, and
 * the live-exercise replay that shares the detector.
 */
import type { Kysely } from 'kysely';
import type { BusinessCalendar } from '../calendar/calendar-types.ts';
import { createDetector, rulesFromPolicy } from '../detection/detector.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import { createIncidentDetectionService } from '../incident/incident-detection-service.ts';
import { createIncidentSignalDal } from '../incident/incident-signal-dal.ts';
import type { VigilMetrics } from '../metrics/metrics-registry.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { isPostgres } from '../platform/db/transaction-lock.ts';
import type { Policy } from '../policy/policy-types.ts';
import { createExerciseQueueDal } from '../signal/exercise-queue-dal.ts';
import { createLiveWindows } from '../signal/live-windows.ts';
import { createSignalDal } from '../signal/signal-dal.ts';
import { createExerciseReplay } from '../signal/signal-exercise-replay.ts';
import { createSignalIngestService } from '../signal/signal-ingest-service.ts';

export async function createSignals(deps: {
  db: Kysely<VigilDatabase>;
  clock: Clock;
  policy: Policy;
  calendar: BusinessCalendar;
  identity: Pick<IdentityService, 'ensureSystemUser'>;
  incidentDeps: IncidentDeps;
  /** Told of each firing this node applies and of each 202 receipt (the `/metrics` counters). */
  metrics?: Pick<VigilMetrics, 'countFiring' | 'countReceipt'>;
}) {
  const { db, clock, calendar, identity, incidentDeps } = deps;
  const detectionUser = await identity.ensureSystemUser('detection@vigil.invalid', 'Vigil detection');
  const signalDal = createSignalDal();
  const detectionRules = rulesFromPolicy(deps.policy);
  const detector = createDetector(detectionRules, {
    severityOrder: deps.policy.severities.map((s) => s.id),
    isBusinessTime: (at) => calendar.isBusinessTime(at),
  });
  // On PostgreSQL other nodes may ingest into the same database: the windows catch up with them.
  const windows = createLiveWindows({ dal: signalDal, detector, shared: isPostgres(db) });
  const detectionIntake = createIncidentDetectionService({
    ...incidentDeps,
    signalLinks: createIncidentSignalDal(),
    detectionUser: { userId: detectionUser.id, email: detectionUser.email },
  });
  const metrics = deps.metrics;
  // Counted where this node applies a firing (never where windows merely catch up with other nodes).
  const intake: typeof detectionIntake = metrics
    ? {
        ...detectionIntake,
        applyFiring: (trx, firing, signals, now) => {
          metrics.countFiring(firing.ruleId);
          return detectionIntake.applyFiring(trx, firing, signals, now);
        },
      }
    : detectionIntake;
  const ingestion = createSignalIngestService({ db, dal: signalDal, detector, windows, intake, clock });
  const signals: typeof ingestion = metrics
    ? {
        ...ingestion,
        ingest: async (source, body, contentType) => {
          const receipt = await ingestion.ingest(source, body, contentType);
          metrics.countReceipt(receipt);
          return receipt;
        },
      }
    : ingestion;
  const exerciseReplay = createExerciseReplay({
    db,
    dal: signalDal,
    queue: createExerciseQueueDal(),
    detector,
    intake,
    clock,
  });
  return { signalDal, signals, exerciseReplay };
}
