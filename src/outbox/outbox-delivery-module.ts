/**
 * The outbox delivery module: delivers due outbox messages by email or to
 * an outgoing webhook, at least once. Each message is claimed with a
 * compare-and-set in its own short transaction, sent outside any
 * transaction (a database transaction is never held across network I/O),
 * then, in one transaction, marked sent (with the server's answer) or
 * failed and recorded by the {@link DeliveryRecorder}; or left for a retry
 * with backoff. A crash between claim and mark leaves the row pending and
 * due again when the claim lapses, so it is sent again with the same
 * `Message-ID`, letting a receiver drop the repeat.
 */
import type { Kysely, Transaction } from 'kysely';
import { drainDue } from '../engine/engine.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { DueOutboxMessage, OutboxDal } from './outbox-dal.ts';
import { isPermanentMailFailure, type Mailer } from './outbox-mailer.ts';
import { afterFailure, CLAIM_MS, errorText, MAX_DELIVERY_ATTEMPTS } from './outbox-retry.ts';
import type { OutboxChannel } from './outbox-types.ts';
import { plainTextBody } from './plain-text.ts';

/** Delivers a webhook-channel message; rejects with `{ permanent: true }` when retrying cannot help. */
export interface WebhookChannel {
  send(message: DueOutboxMessage, now: Date): Promise<{ response: string }>;
}

/** The final outcome of one message, for whoever keeps the record of what was sent. */
export type DeliveryOutcome =
  | { kind: 'sent'; at: Date; response: string; messageId: string }
  | { kind: 'failed'; at: Date; error: string; messageId: string };

/** Records final outcomes in the transaction that marks the row (e.g. on the incident's timeline). */
export interface DeliveryRecorder {
  record(trx: Transaction<VigilDatabase>, message: DueOutboxMessage, outcome: DeliveryOutcome): Promise<void>;
}

/** What the delivery module uses, narrowed to the methods it calls. */
export interface OutboxDeliveryDeps {
  db: Kysely<VigilDatabase>;
  dal: Pick<OutboxDal, 'listDue' | 'claim' | 'markSent' | 'markRetry' | 'markFailed'>;
  /** Email delivery; without it email messages wait in the outbox. */
  mailer?: Pick<Mailer, 'send'> | undefined;
  /** Webhook delivery; without it webhook messages wait in the outbox. */
  webhooks?: WebhookChannel | undefined;
  recorder?: DeliveryRecorder | undefined;
  /** Stamps `sent_at` and retries after the send (which takes time), and measures the time budget. */
  clock: Clock;
}

export interface OutboxDeliveryOptions {
  /** Messages claimed per query (default 50). */
  batchSize?: number;
  /** Stop starting new messages after this many ms of one run (default 2000). */
  budgetMs?: number;
  /** Attempts before a message is marked failed (default {@link MAX_DELIVERY_ATTEMPTS}). */
  maxAttempts?: number;
}

/** The module's name in engine reports and logs. */
export const OUTBOX_MODULE_NAME = 'outbox';

/** The `Message-ID` of an outbox message: stable across retries, so a receiver can drop a repeat. */
export function outboxMessageId(outboxId: string): string {
  return `<outbox-${outboxId}@vigil>`;
}

/**
 * The plain-text body of a message queued without one (only rows queued
 * before templates existed): its subject and payload, field by field.
 */
export function fallbackText(message: Pick<DueOutboxMessage, 'subject' | 'payload'>): string {
  const lines = Object.entries(message.payload).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return plainTextBody([message.subject, '', ...lines]);
}

/** True when an error says the message can never be delivered: a 5xx SMTP reply, or a webhook's own verdict. */
function isPermanent(error: unknown): boolean {
  return isPermanentMailFailure(error) || (error as { permanent?: unknown } | null)?.permanent === true;
}

/**
 * Creates the delivery module.
 *
 * @example
 * const outboxModule = createOutboxDeliveryModule({ db, dal: createOutboxDal(), mailer, clock });
 * createEngine({ db: database, clock, logger, holderId, modules: [sla, outboxModule] });
 */
export function createOutboxDeliveryModule(
  deps: OutboxDeliveryDeps,
  options: OutboxDeliveryOptions = {},
): EngineModule {
  const { db, dal, mailer, webhooks, recorder, clock } = deps;
  const batchSize = options.batchSize ?? 50;
  const budgetMs = options.budgetMs ?? 2_000;
  const maxAttempts = options.maxAttempts ?? MAX_DELIVERY_ATTEMPTS;
  const channels: OutboxChannel[] = [
    ...(mailer ? ['email' as const] : []),
    ...(webhooks ? ['webhook' as const] : []),
  ];

  async function transmit(due: DueOutboxMessage, now: Date): Promise<{ response: string }> {
    if (due.channel === 'webhook') return webhooks!.send(due, now);
    return mailer!.send({
      messageId: outboxMessageId(due.id),
      to: due.recipient,
      subject: due.subject,
      text: due.bodyText ?? fallbackText(due),
      html: due.bodyHtml ?? undefined,
    });
  }

  /** Claims, sends, marks; false when another engine claimed the row first. */
  async function deliver(due: DueOutboxMessage, now: Date): Promise<boolean> {
    const won = await db
      .transaction()
      .execute((trx) => dal.claim(trx, due.id, due.nextAttemptAt, new Date(now.getTime() + CLAIM_MS)));
    if (!won) return false;
    const attempts = due.attempts + 1;
    const messageId = outboxMessageId(due.id);
    let receipt: { response: string };
    try {
      receipt = await transmit(due, now);
    } catch (error) {
      // An outage delays a message, never drops it; only a permanent refusal or the last attempt gives up.
      const text = errorText(error);
      const at = clock.now();
      const decision = isPermanent(error)
        ? ({ kind: 'fail' } as const)
        : afterFailure(due.id, attempts, at, maxAttempts);
      if (decision.kind === 'retry') {
        await dal.markRetry(db, due.id, attempts, decision.at, text);
        return true;
      }
      await db.transaction().execute(async (trx) => {
        if (await dal.markFailed(trx, due.id, attempts, text)) {
          await recorder?.record(trx, due, { kind: 'failed', at, error: text, messageId });
        }
      });
      return true;
    }
    const at = clock.now();
    const response = errorText(receipt.response);
    await db.transaction().execute(async (trx) => {
      if (await dal.markSent(trx, due.id, attempts, at, response)) {
        await recorder?.record(trx, due, { kind: 'sent', at, response, messageId });
      }
    });
    return true;
  }

  return {
    name: OUTBOX_MODULE_NAME,
    runOnce(now: Date): Promise<ModuleRunResult> {
      return drainDue({
        clock,
        batchSize,
        budgetMs,
        listDue: (limit) => dal.listDue(db, now, limit, channels),
        act: (due) => deliver(due, now),
        keyOf: (due) => due.id,
      });
    },
  };
}
