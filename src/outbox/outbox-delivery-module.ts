/**
 * The outbox delivery module: sends due outbox messages by email, at least
 * once. Each message is claimed with a compare-and-set in its own short
 * transaction, sent outside any transaction (a database transaction is
 * never held across network I/O), then marked sent, retried later with
 * backoff, or failed after the maximum attempts. A crash between claim and
 * mark leaves the row pending and due again when the claim lapses, so it
 * is sent again with the same `Message-ID`, letting a receiver drop the repeat.
 */
import type { Kysely } from 'kysely';
import { drainDue } from '../engine/engine.ts';
import type { EngineModule, ModuleRunResult } from '../engine/engine-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { DueOutboxMessage, OutboxDal } from './outbox-dal.ts';
import type { Mailer } from './outbox-mailer.ts';
import { afterFailure, CLAIM_MS, errorText, MAX_DELIVERY_ATTEMPTS } from './outbox-retry.ts';

/** What the delivery module uses, narrowed to the methods it calls. */
export interface OutboxDeliveryDeps {
  db: Kysely<VigilDatabase>;
  dal: Pick<OutboxDal, 'listDue' | 'claim' | 'markSent' | 'markRetry' | 'markFailed'>;
  mailer: Pick<Mailer, 'send'>;
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

const CLOCK_LABELS: Record<string, string> = {
  acknowledge: 'acknowledge',
  triage: 'triage',
  containment: 'containment',
  customerUpdate: 'customer update',
};

const REASON_LINES: Record<string, string> = {
  incident_owner: 'You are told because you own this incident.',
  next_in_succession: 'You are told because you are next in the succession list after the incident owner.',
};

/**
 * The plain-text body of a message, from its subject and payload. An
 * `sla.escalation` names the incident, its severity, the breached clock,
 * its due time (UTC) and why the recipient is told; any other kind lists
 * its payload. Pure; to be replaced by templates.
 */
export function renderMessageText(message: Pick<DueOutboxMessage, 'kind' | 'subject' | 'payload'>): string {
  const p = message.payload;
  const field = (key: string): string => (p[key] === undefined || p[key] === null ? '-' : String(p[key]));
  if (message.kind === 'sla.escalation') {
    const clock = CLOCK_LABELS[field('clock')] ?? field('clock');
    const greeting = p.recipientName ? `Hello ${field('recipientName')},` : 'Hello,';
    return [
      greeting,
      '',
      `The ${clock} target of incident ${field('reference')} has been breached.`,
      '',
      `Incident:  ${field('reference')}: ${field('title')}`,
      `Severity:  ${field('severity')}`,
      `Clock:     ${clock}`,
      `Due:       ${field('dueAt')} (UTC)`,
      `Breached:  ${field('breachedAt')} (UTC)`,
      '',
      REASON_LINES[field('reason')] ?? `You are told as: ${field('reason')}.`,
      '',
      '-- Vigil',
      '',
    ].join('\n');
  }
  const lines = Object.entries(p).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return [message.subject, '', ...lines, '', '-- Vigil', ''].join('\n');
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
  const { db, dal, mailer, clock } = deps;
  const batchSize = options.batchSize ?? 50;
  const budgetMs = options.budgetMs ?? 2_000;
  const maxAttempts = options.maxAttempts ?? MAX_DELIVERY_ATTEMPTS;

  /** Claims, sends, marks; false when another engine claimed the row first. */
  async function deliver(due: DueOutboxMessage, now: Date): Promise<boolean> {
    const won = await db
      .transaction()
      .execute((trx) => dal.claim(trx, due.id, due.nextAttemptAt, new Date(now.getTime() + CLAIM_MS)));
    if (!won) return false;
    const attempts = due.attempts + 1;
    try {
      await mailer.send({
        messageId: outboxMessageId(due.id),
        to: due.recipient,
        subject: due.subject,
        text: renderMessageText(due),
      });
    } catch (error) {
      // The server refused or could not be reached: an outage delays a message, never drops it.
      const decision = afterFailure(attempts, clock.now(), maxAttempts);
      const text = errorText(error);
      if (decision.kind === 'fail') await dal.markFailed(db, due.id, attempts, text);
      else await dal.markRetry(db, due.id, attempts, decision.at, text);
      return true;
    }
    await dal.markSent(db, due.id, attempts, clock.now());
    return true;
  }

  return {
    name: OUTBOX_MODULE_NAME,
    runOnce(now: Date): Promise<ModuleRunResult> {
      return drainDue({
        clock,
        batchSize,
        budgetMs,
        listDue: (limit) => dal.listDue(db, now, limit),
        act: (due) => deliver(due, now),
        keyOf: (due) => due.id,
      });
    },
  };
}
