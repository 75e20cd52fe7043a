/**
 * The engine module that notices an outbox that is not draining (an SMTP
 * outage, a dead webhook): when the oldest pending message has waited
 * longer than the policy's `communications.deliveryAlertAfter`, it logs an
 * error, writes an audit entry, and queues an internal alert to the
 * primary owner by email and to every outgoing webhook (which often still
 * work when mail does not). One alert per stuck message: the alert's dedup
 * key names it, so a long outage alerts once, and again only if a newer
 * message gets stuck after the first was delivered.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit-service.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { OutboxDal } from '../outbox/outbox-dal.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import { plainTextBody } from '../outbox/plain-text.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { wallMilliseconds } from '../policy/policy-duration.ts';
import type { Policy } from '../policy/policy-types.ts';
import { ENGINE_ACTOR } from '../sla/sla-escalation.ts';
import { formatInstant } from './message-values.ts';

export const DELIVERY_DELAYED_KIND = 'outbox.delivery_delayed';

export function createDeliveryDelayAlert(deps: {
  db: Kysely<VigilDatabase>;
  dal: Pick<OutboxDal, 'health'>;
  outbox: Pick<OutboxService, 'enqueue'>;
  audit: Pick<AuditService, 'append'>;
  policy: Policy;
  logger: Pick<Logger, 'error'>;
}): EngineModule {
  const { db, dal, outbox, audit, policy, logger } = deps;
  const limitMs = wallMilliseconds(policy.communications.deliveryAlertAfter);
  const owner = policy.command.primaryOwner;

  return {
    name: 'delivery-delay-alert',
    async runOnce(now: Date): Promise<ModuleRunResult> {
      const { counts, oldestPending } = await dal.health(db);
      if (!oldestPending || now.getTime() - oldestPending.createdAt.getTime() < limitMs)
        return { processed: 0 };
      const waited = Math.round((now.getTime() - oldestPending.createdAt.getTime()) / 60_000);
      const since = formatInstant(oldestPending.createdAt, policy.time.timeZone);
      const subject = `[Vigil] ${counts.pending} message(s) undelivered for ${waited} minutes`;
      const text = plainTextBody([
        `Vigil has ${counts.pending} message(s) waiting to be delivered; the oldest has waited since ${since}.`,
        'They are kept and will be delivered when the mail server or webhook answers again;',
        'check the SMTP settings (VIGIL_SMTP_URL) and the server, and the outbox at GET /api/v1/outbox.',
      ]);
      const dedup = `${DELIVERY_DELAYED_KIND}:${oldestPending.id}`;
      const queued = await db.transaction().execute(async (trx) => {
        const first = await outbox.enqueue(trx, {
          dedupKey: `${dedup}:${owner.email}`,
          createdAt: now,
          kind: DELIVERY_DELAYED_KIND,
          incidentId: null,
          recipient: owner.email.toLowerCase(),
          subject,
          bodyText: text,
          bodyHtml: null,
          payload: { oldestOutboxId: oldestPending.id, pending: counts.pending },
        });
        if (!first) return false;
        for (const hook of policy.communications.webhooks) {
          await outbox.enqueue(trx, {
            dedupKey: `${dedup}:webhook:${hook.id}`,
            createdAt: now,
            kind: DELIVERY_DELAYED_KIND,
            channel: 'webhook',
            incidentId: null,
            recipient: `webhook:${hook.id}`,
            subject,
            bodyText: text,
            bodyHtml: null,
            payload: {
              event: DELIVERY_DELAYED_KIND,
              facts: [
                { name: 'Pending', value: String(counts.pending) },
                { name: 'Oldest since', value: since },
              ],
            },
          });
        }
        await audit.append(trx, {
          actor: ENGINE_ACTOR,
          action: DELIVERY_DELAYED_KIND,
          subject: { type: 'outbox', id: oldestPending.id },
          detail: {
            pending: counts.pending,
            oldestCreatedAt: oldestPending.createdAt.toISOString(),
            waitedMinutes: waited,
          },
          at: now,
        });
        return true;
      });
      if (queued) logger.error({ pending: counts.pending, waitedMinutes: waited }, 'outbox delivery delayed');
      return { processed: queued ? 1 : 0 };
    },
  };
}
