/**
 * The engine module that keeps corrective and preventive actions moving:
 * the owner is reminded a week and a day before an action's target date,
 * and once it is overdue the owner and the incident's owner hear of it,
 * by email through the outbox, once each (the dedup key names the action,
 * the event and the target date, so a new target date reminds again).
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { AuditService } from '../audit/audit-service.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import { plainTextBody } from '../outbox/plain-text.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { ENGINE_ACTOR } from '../sla/sla-escalation.ts';
import type { ReviewDal } from './review-dal.ts';
import { localDate } from './review-service.ts';
import type { CorrectiveAction } from './review-types.ts';

/** Days before the target date on which the owner is reminded. */
export const REMINDER_DAYS = [7, 1] as const;

/** What is due for an action on `today` (`YYYY-MM-DD`): a reminder N days ahead, the overdue escalation, or nothing. */
export function actionEvent(
  action: Pick<CorrectiveAction, 'dueDate'>,
  today: string,
): { kind: 'reminder'; daysLeft: number } | { kind: 'overdue' } | null {
  if (action.dueDate < today) return { kind: 'overdue' };
  const daysLeft = DateTime.fromISO(action.dueDate).diff(DateTime.fromISO(today), 'days').days;
  const due = REMINDER_DAYS.filter((d) => daysLeft <= d);
  return due.length > 0 ? { kind: 'reminder', daysLeft: Math.min(...due) } : null;
}

export function createActionReminderModule(deps: {
  db: Kysely<VigilDatabase>;
  dal: Pick<ReviewDal, 'listActions'>;
  incident: Pick<IncidentDeps, 'dal' | 'details' | 'policy'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  audit: Pick<AuditService, 'append'>;
}): EngineModule {
  const { db, dal, incident: incidentDeps, outbox, audit } = deps;
  const zone = incidentDeps.policy.policy.time.timeZone;

  return {
    name: 'action-reminders',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      const today = localDate(now, zone);
      const horizon = DateTime.fromISO(today)
        .plus({ days: Math.max(...REMINDER_DAYS) })
        .toISODate()!;
      const open = [
        ...(await dal.listActions(db, { status: 'open' })),
        ...(await dal.listActions(db, { status: 'in_progress' })),
      ].filter((a) => a.dueDate <= horizon);
      let processed = 0;
      for (const action of open) {
        const event = actionEvent(action, today);
        if (!event) continue;
        const incident = action.incidentId ? await incidentDeps.dal.findById(db, action.incidentId) : null;
        const reference = incident?.incident.reference;
        const recipients = new Set([action.owner]);
        if (event.kind === 'overdue' && incident) {
          const owner = (await incidentDeps.details.listRoles(db, [incident.incident.id])).find(
            (a) => a.role === 'owner',
          );
          if (owner) recipients.add(owner.person.email.toLowerCase());
        }
        const label =
          event.kind === 'overdue'
            ? 'overdue'
            : `due in ${event.daysLeft} day${event.daysLeft === 1 ? '' : 's'}`;
        const subject = `${reference ? `[${reference}] ` : ''}Action ${label}: ${action.title}`;
        const text = plainTextBody([
          `The ${action.kind} action "${action.title}"${reference ? ` from incident ${reference}` : ''} is ${label} (target date ${action.dueDate}).`,
          `Owner: ${action.owner}. Status: ${action.status.replace('_', ' ')}.`,
          event.kind === 'overdue'
            ? 'Finish it, set a new target date, or, as its owner, close it as won\u2019t do with the reason.'
            : 'Mark it done when it is, or agree a new target date.',
        ]);
        const queued = await db.transaction().execute(async (trx) => {
          let any = false;
          for (const recipient of recipients) {
            const key = event.kind === 'overdue' ? 'overdue' : `reminder-${event.daysLeft}`;
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
        });
        if (queued) processed += 1;
      }
      return { processed };
    },
  };
}
