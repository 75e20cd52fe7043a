/**
 * The engine module that keeps corrective and preventive actions moving:
 * the owner is reminded a week and a day before an action's target date,
 * and once it is overdue the owner and the incident's owner hear of it,
 * by email through the outbox, once each (the dedup key names the action,
 * the event and the target date, so a new target date reminds again).
 *
 * A cycle reads only the actions that are due: each open or in-progress
 * action stores its `next_check_at` (the start of the next day that begins
 * a reminder or the escalation, in the policy's time zone), every change to
 * an action makes it due at once (review-dal.ts), and the module claims each
 * due action with a compare-and-set, acts, and stores the next instant, as
 * the SLA clocks do. The time zone comes from the policy, which can change
 * between starts, so the module's first run in a process marks every
 * followed action due once.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import { drainDue } from '../engine/engine.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import { plainTextBody } from '../outbox/plain-text.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { ENGINE_ACTOR } from '../sla/sla-escalation.ts';
import { actionEvent, nextActionCheck } from './action-reminder-dates.ts';
import type { DueAction, ReviewDal } from './review-dal.ts';
import { localDate } from './review-service.ts';
import type { CorrectiveAction } from './review-types.ts';

export { actionEvent, REMINDER_DAYS } from './action-reminder-dates.ts';

type ActionEvent = NonNullable<ReturnType<typeof actionEvent>>;

/** What the action-reminder module uses, narrowed to the methods it calls. */
export interface ActionReminderDeps {
  db: Kysely<VigilDatabase>;
  dal: Pick<
    ReviewDal,
    'findAction' | 'listDueActions' | 'claimDueAction' | 'scheduleActionCheck' | 'markFollowedActionsDue'
  >;
  incident: Pick<IncidentDeps, 'dal' | 'details' | 'policy'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  audit: Pick<AuditService, 'append'>;
  /** Measures the module's time budget; messages are stamped with the cycle's `now`. */
  clock: Clock;
}

export interface ActionReminderOptions {
  /** Actions claimed per query (default 100). */
  batchSize?: number;
  /** Stop starting new actions after this many ms of one run (default 2000). */
  budgetMs?: number;
}

export function createActionReminderModule(
  deps: ActionReminderDeps,
  options: ActionReminderOptions = {},
): EngineModule {
  const { db, dal, incident: incidentDeps, outbox, audit, clock } = deps;
  const zone = incidentDeps.policy.policy.time.timeZone;
  const batchSize = options.batchSize ?? 100;
  const budgetMs = options.budgetMs ?? 2_000;
  let lookedAtAll = false;

  /** Queues the event's messages; true when any is new (an overdue escalation is then also audited). */
  async function remind(
    trx: Transaction<VigilDatabase>,
    action: CorrectiveAction,
    event: ActionEvent,
    now: Date,
  ): Promise<boolean> {
    const incident = action.incidentId ? await incidentDeps.dal.findById(trx, action.incidentId) : null;
    const reference = incident?.incident.reference;
    const recipients = new Set([action.owner]);
    if (event.kind === 'overdue' && incident) {
      const owner = (await incidentDeps.details.listRoles(trx, [incident.incident.id])).find(
        (a) => a.role === 'owner',
      );
      if (owner) recipients.add(owner.person.email.toLowerCase());
    }
    const label =
      event.kind === 'overdue' ? 'overdue' : `due in ${event.daysLeft} day${event.daysLeft === 1 ? '' : 's'}`;
    const subject = `${reference ? `[${reference}] ` : ''}Action ${label}: ${action.title}`;
    const text = plainTextBody([
      `The ${action.kind} action "${action.title}"${reference ? ` from incident ${reference}` : ''} is ${label} (target date ${action.dueDate}).`,
      `Owner: ${action.owner}. Status: ${action.status.replace('_', ' ')}.`,
      event.kind === 'overdue'
        ? 'Finish it, set a new target date, or, as its owner, close it as won\u2019t do with the reason.'
        : 'Mark it done when it is, or agree a new target date.',
    ]);
    const key = event.kind === 'overdue' ? 'overdue' : `reminder-${event.daysLeft}`;
    let any = false;
    for (const recipient of recipients) {
      any =
        (await outbox.enqueue(trx, {
          dedupKey: `action:${action.id}:${key}:${action.dueDate}:${recipient}`,
          createdAt: now,
          kind: event.kind === 'overdue' ? 'action.overdue' : 'action.reminder',
          incidentId: action.incidentId,
          recipient,
          subject,
          bodyText: text,
          bodyHtml: null,
          payload: { actionId: action.id, dueDate: action.dueDate, event: key },
        })) || any;
    }
    if (any && event.kind === 'overdue') {
      await audit.append(trx, {
        actor: ENGINE_ACTOR,
        action: 'action.overdue_escalated',
        subject: { type: 'action', id: action.id },
        detail: {
          title: action.title,
          owner: action.owner,
          dueDate: action.dueDate,
          notified: [...recipients],
        },
        at: now,
      });
    }
    return any;
  }

  /**
   * Looks at one due action in its own transaction: the compare-and-set first, then the action is
   * read under it, its event sent, and the next instant stored. Returns whether a message was
   * queued, or null when the claim was lost.
   */
  function look(due: DueAction, now: Date): Promise<boolean | null> {
    return db.transaction().execute(async (trx) => {
      if (!(await dal.claimDueAction(trx, due.id, due.nextCheckAt))) return null;
      const action = await dal.findAction(trx, due.id);
      // Done or won't do (made due by the change that closed it): never due again; the claim left it null.
      if (!action || (action.status !== 'open' && action.status !== 'in_progress')) return false;
      const today = localDate(now, zone);
      const event = actionEvent(action, today);
      const queued = event ? await remind(trx, action, event, now) : false;
      await dal.scheduleActionCheck(trx, action.id, nextActionCheck(action.dueDate, today, zone));
      return queued;
    });
  }

  return {
    name: 'action-reminders',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      if (!lookedAtAll) {
        await dal.markFollowedActionsDue(db, now);
        lookedAtAll = true;
      }
      let queued = 0;
      const result = await drainDue({
        clock,
        batchSize,
        budgetMs,
        listDue: (limit) => dal.listDueActions(db, now, limit),
        act: async (due) => {
          const sent = await look(due, now);
          if (sent) queued += 1;
          // An action looked at counts as progress for the drain: it is no longer due at `now`.
          return sent !== null;
        },
        keyOf: (due) => due.id,
      });
      // Reported as before: the actions that were reminded or escalated, not the ones looked at.
      return { ...result, processed: queued };
    },
  };
}
