/**
 * The background engine as the composition root assembles it: its modules,
 * in the order one cycle runs them.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { BreachDal } from '../breach/breach-dal.ts';
import { createBreachDeadlineModule } from '../breach/breach-deadline-module.ts';
import type { BreachService } from '../breach/breach-service.ts';
import type { createEngineMessages } from '../communication/communication-notices.ts';
import { createDeliveryRecorder } from '../communication/communication-records.ts';
import { createDeliveryDelayAlert } from '../communication/delivery-delay-alert.ts';
import type { createWebhookChannel } from '../communication/webhook-channel.ts';
import { createEngine, type EngineOptions } from '../engine/engine.ts';
import type { Engine } from '../engine/engine-types.ts';
import { createExerciseCadenceModule } from '../exercise/exercise-cadence-module.ts';
import type { ExerciseService } from '../exercise/exercise-service.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import { createEscalationDirectory } from '../incident/incident-escalation-directory.ts';
import type { OutboxDal } from '../outbox/outbox-dal.ts';
import { createOutboxDeliveryModule } from '../outbox/outbox-delivery-module.ts';
import type { Mailer } from '../outbox/outbox-mailer.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database } from '../platform/db/database.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { RetentionDal } from '../retention/retention-dal.ts';
import { createRetentionModule } from '../retention/retention-module.ts';
import type { RetentionPurgeService } from '../retention/retention-purge-service.ts';
import { createTelemetryPurgeModule } from '../retention/retention-telemetry.ts';
import { createActionReminderModule } from '../review/action-reminder-module.ts';
import type { ReviewDal } from '../review/review-dal.ts';
import { createExerciseReleaseModule } from '../signal/exercise-release-module.ts';
import type { ExerciseReplay } from '../signal/signal-exercise-replay.ts';
import { createSlaModule } from '../sla/sla-module.ts';
import type { TimelineService } from '../timeline/timeline-service.ts';

export function createVigilEngine(deps: {
  database: Database;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  incidentDeps: IncidentDeps;
  timeline: TimelineService;
  outbox: OutboxService;
  outboxDal: OutboxDal;
  audit: AuditService;
  engineMessages: ReturnType<typeof createEngineMessages>;
  breachDal: BreachDal;
  breaches: BreachService;
  reviewDal: ReviewDal;
  exercises: ExerciseService;
  exerciseReplay: ExerciseReplay;
  mailer: Mailer | undefined;
  webhookChannel: ReturnType<typeof createWebhookChannel> | undefined;
  telemetryPurge: Parameters<typeof createTelemetryPurgeModule>[0];
  retentionDal: RetentionDal;
  retentionPurge: RetentionPurgeService;
  /** Told of every cycle (the `/metrics` cycle histogram). */
  onCycle?: EngineOptions['onCycle'];
}): Engine {
  const {
    database,
    clock,
    logger,
    policy,
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
  } = deps;
  return createEngine({
    db: database,
    clock,
    logger: logger.child({ component: 'engine' }),
    holderId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    ...(deps.onCycle ? { onCycle: deps.onCycle } : {}),
    modules: [
      createSlaModule({
        db: database.kysely,
        slaDal: incidentDeps.slaDal,
        timeline,
        outbox,
        audit,
        directory: createEscalationDirectory(incidentDeps),
        messages: engineMessages,
        clock,
      }),
      createBreachDeadlineModule({
        db: database.kysely,
        dal: breachDal,
        breaches,
        incident: incidentDeps,
        outbox,
        timeline,
        audit,
        clock,
      }),
      createActionReminderModule({
        db: database.kysely,
        dal: reviewDal,
        incident: incidentDeps,
        outbox,
        audit,
        clock,
      }),
      createExerciseCadenceModule({ db: database.kysely, exercises, outbox, policy: policy }),
      createExerciseReleaseModule({ replay: exerciseReplay }),
      // After the clock modules, so an escalation goes out in the cycle that recorded it.
      createOutboxDeliveryModule({
        db: database.kysely,
        dal: outboxDal,
        mailer,
        webhooks: webhookChannel,
        recorder: createDeliveryRecorder({ timeline, audit }),
        clock,
      }),
      createTelemetryPurgeModule(telemetryPurge, {
        keep: policy.retention.telemetry.keep,
        timeZone: policy.time.timeZone,
      }),
      createRetentionModule({
        db: database.kysely,
        dal: retentionDal,
        purge: retentionPurge,
        timeZone: policy.time.timeZone,
      }),
      createDeliveryDelayAlert({
        db: database.kysely,
        dal: outboxDal,
        outbox,
        audit,
        policy: policy,
        logger: logger.child({ component: 'outbox' }),
      }),
    ],
  });
}
