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
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
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
}) {
  const { db, clock, calendar, identity, incidentDeps } = deps;
  const detectionUser = await identity.ensureSystemUser('detection@vigil.invalid', 'Vigil detection');
  const signalDal = createSignalDal();
  const detectionRules = rulesFromPolicy(deps.policy);
  const detector = createDetector(detectionRules, {
    severityOrder: deps.policy.severities.map((s) => s.id),
    isBusinessTime: (at) => calendar.isBusinessTime(at),
  });
  const windows = createLiveWindows({ dal: signalDal, detector });
  const intake = createIncidentDetectionService({
    ...incidentDeps,
    signalLinks: createIncidentSignalDal(),
    detectionUser: { userId: detectionUser.id, email: detectionUser.email },
  });
  const signals = createSignalIngestService({ db, dal: signalDal, detector, windows, intake, clock });
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
