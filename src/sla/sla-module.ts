/**
 * The SLA engine module: records each response clock's at-risk and breach
 * events exactly once, and escalates breaches to the incident owner and the
 * next person in the succession list through the outbox.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import { drainDue } from '../engine/engine.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { TimelineService } from '../timeline/timeline-service.ts';
import { nextCheckAt } from './sla-clock.ts';
import type { SlaDal, StoredClock } from './sla-dal.ts';
import {
  type ClockEvent,
  clockEventWrites,
  type EngineMessages,
  type EscalationRecipient,
  type IncidentSummary,
  nextClockEvent,
} from './sla-escalation.ts';

export type { EngineMessages, EscalationRecipient, IncidentSummary } from './sla-escalation.ts';

/** Who is told when an incident's clock is breached: the owner and the next person in the succession list after the owner. */
export interface EscalationDirectory {
  escalationRecipients(trx: Transaction<VigilDatabase>, incidentId: string): Promise<EscalationRecipient[]>;
  /** Who is reminded that a customer update is due: the communications lead, else the owner. */
  updateReminderRecipients(
    trx: Transaction<VigilDatabase>,
    incidentId: string,
  ): Promise<{ email: string; name: string }[]>;
  incidentSummary(trx: Transaction<VigilDatabase>, incidentId: string): Promise<IncidentSummary | null>;
}

/** What the SLA module uses, narrowed to the methods it calls. */
export interface SlaModuleDeps {
  db: Kysely<VigilDatabase>;
  slaDal: SlaDal;
  timeline: Pick<TimelineService, 'record'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  audit: Pick<AuditService, 'append'>;
  directory: EscalationDirectory;
  messages: EngineMessages;
  /** Measures the module's time budget; events are stamped with the cycle's `now`. */
  clock: Clock;
}

export interface SlaModuleOptions {
  /** Clocks claimed per query (default 100). */
  batchSize?: number;
  /** Stop starting new clocks after this many ms of one run (default 2000). */
  budgetMs?: number;
}

/** The module's name in engine reports and logs. */
export const SLA_MODULE_NAME = 'sla';

/**
 * Creates the SLA module. Each due clock is handled in its own transaction:
 * the clock is advanced with a compare-and-set on the `next_check_at` that
 * was read, and only the transaction that wins it writes the timeline
 * entries, outbox messages and audit entry. Two engines, or an engine and a
 * request that met the clock meanwhile, therefore never fire twice.
 *
 * @example
 * const sla = createSlaModule({ db, slaDal, timeline, outbox, audit, directory, clock });
 * createEngine({ db: database, clock, logger, holderId, modules: [sla] });
 */
export function createSlaModule(deps: SlaModuleDeps, options: SlaModuleOptions = {}): EngineModule {
  const { db, slaDal, timeline, outbox, audit, directory, messages, clock } = deps;
  const batchSize = options.batchSize ?? 100;
  const budgetMs = options.budgetMs ?? 2_000;

  /** Writes the event's records; nothing for a closed or vanished incident (its clocks should have stopped). */
  async function recordEvent(
    trx: Transaction<VigilDatabase>,
    due: StoredClock,
    event: ClockEvent,
    now: Date,
  ): Promise<void> {
    const incident = await directory.incidentSummary(trx, due.incidentId);
    if (!incident || incident.closed) return;
    const recipients = event === 'breached' ? await directory.escalationRecipients(trx, due.incidentId) : [];
    const reminderRecipients =
      event === 'at_risk' && due.clock.name === 'customerUpdate'
        ? await directory.updateReminderRecipients(trx, due.incidentId)
        : [];
    const writes = clockEventWrites({
      incidentId: due.incidentId,
      clock: due.clock,
      event,
      now,
      incident,
      recipients,
      reminderRecipients,
      messages,
    });
    for (const entry of writes.timeline) await timeline.record(trx, entry);
    for (const message of writes.outbox) await outbox.enqueue(trx, message);
    await audit.append(trx, writes.audit);
  }

  /**
   * Handles one due clock; false when someone else changed it first, or when
   * it had no event after all (then it is only re-saved, and not counted, so
   * that a stale row can never keep the drain loop busy).
   */
  async function handle(due: StoredClock, now: Date): Promise<boolean> {
    const expected = nextCheckAt(due.clock);
    // Only a clock that still needs a check can be compared-and-set; listDue never returns others.
    if (!expected) return false;
    const { event, next } = nextClockEvent(due.clock, now);
    return db.transaction().execute(async (trx) => {
      // The compare-and-set comes first: it takes the row lock (PostgreSQL) before
      // anything is read, and losing it means another writer already handled this event.
      const won = await slaDal.saveIfUnchanged(trx, due.incidentId, expected, next);
      if (won && event) await recordEvent(trx, due, event, now);
      return won && event !== null;
    });
  }

  return {
    name: SLA_MODULE_NAME,
    runOnce(now: Date): Promise<ModuleRunResult> {
      return drainDue({
        clock,
        batchSize,
        budgetMs,
        listDue: (limit) => slaDal.listDue(db, now, limit),
        act: (due) => handle(due, now),
        keyOf: (due) => `${due.incidentId}:${due.clock.name}`,
      });
    },
  };
}
