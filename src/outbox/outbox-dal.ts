import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction, Updateable } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { OutboxTable, VigilDatabase } from '../platform/db/schema.ts';
import type { NewOutboxMessage, OutboxChannel, OutboxMessage, OutboxStatus } from './outbox-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A pending message due for delivery, as read before claiming it. */
export interface DueOutboxMessage {
  id: string;
  kind: string;
  channel: OutboxChannel;
  incidentId: string | null;
  communicationId: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
  recipient: string;
  subject: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** The stored `next_attempt_at`: the claim compares-and-sets on it. */
  nextAttemptAt: Date;
}

/**
 * Updates a claimed message, but only while it is still pending with the
 * attempt count its claim set: a sender whose claim lapsed and was taken
 * over changes nothing. True when this call changed the row.
 */
async function updateClaimed(
  db: Executor,
  id: string,
  attempts: number,
  set: Updateable<OutboxTable>,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('attempts', '=', attempts)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Queries of the outbox. */
export function createOutboxDal() {
  return {
    /** Queues a message unless one with the same dedup key exists; true when this call queued it. */
    async insertIfNew(trx: Transaction<VigilDatabase>, message: NewOutboxMessage): Promise<boolean> {
      const result = await trx
        .insertInto('outbox')
        .values({
          id: randomUUID(),
          dedup_key: message.dedupKey,
          created_at: toDbInstant(message.createdAt),
          kind: message.kind,
          incident_id: message.incidentId,
          recipient: message.recipient,
          subject: message.subject,
          payload: JSON.stringify(message.payload),
          status: 'pending',
          attempts: 0,
          next_attempt_at: toDbInstant(message.createdAt),
          channel: message.channel ?? 'email',
          communication_id: message.communicationId ?? null,
          body_text: message.bodyText ?? null,
          body_html: message.bodyHtml ?? null,
        })
        .onConflict((oc) => oc.column('dedup_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Pending messages on `channels` with `next_attempt_at <= now`, oldest first, at most `limit`. */
    async listDue(
      db: Executor,
      now: Date,
      limit: number,
      channels: readonly OutboxChannel[] = ['email', 'webhook'],
    ): Promise<DueOutboxMessage[]> {
      if (channels.length === 0) return [];
      const rows = await db
        .selectFrom('outbox')
        .select([
          'id',
          'kind',
          'channel',
          'incident_id',
          'communication_id',
          'body_text',
          'body_html',
          'recipient',
          'subject',
          'payload',
          'attempts',
          'next_attempt_at',
        ])
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', toDbInstant(now))
        .where('channel', 'in', channels)
        .orderBy('next_attempt_at')
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        channel: r.channel as OutboxChannel,
        incidentId: r.incident_id,
        communicationId: r.communication_id,
        bodyText: r.body_text,
        bodyHtml: r.body_html,
        recipient: r.recipient,
        subject: r.subject,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        attempts: r.attempts,
        nextAttemptAt: fromDbInstant(r.next_attempt_at),
      }));
    },

    /**
     * Claims a due message with a compare-and-set on the `next_attempt_at`
     * that was read: counts the attempt and pushes `next_attempt_at` to
     * `claimUntil`, so a sender that dies before marking the row leaves it
     * due again then. True when this call won the row.
     */
    async claim(db: Executor, id: string, expectedNextAttemptAt: Date, claimUntil: Date): Promise<boolean> {
      const result = await db
        .updateTable('outbox')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: toDbInstant(claimUntil) }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', toDbInstant(expectedNextAttemptAt))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Marks a claimed message sent. `attempts` is the count the claim set: a
     * sender whose claim lapsed and was taken over changes nothing (false).
     */
    async markSent(
      db: Executor,
      id: string,
      attempts: number,
      sentAt: Date,
      response: string | null,
    ): Promise<boolean> {
      return updateClaimed(db, id, attempts, {
        status: 'sent',
        sent_at: toDbInstant(sentAt),
        last_error: null,
        response,
      });
    },

    /** Leaves a claimed message pending, due again at `nextAttemptAt`, with the error that stopped it. */
    async markRetry(
      db: Executor,
      id: string,
      attempts: number,
      nextAttemptAt: Date,
      lastError: string,
    ): Promise<boolean> {
      return updateClaimed(db, id, attempts, {
        next_attempt_at: toDbInstant(nextAttemptAt),
        last_error: lastError,
      });
    },

    /** Gives up on a claimed message: `failed`, kept with its last error for people to see. */
    async markFailed(db: Executor, id: string, attempts: number, lastError: string): Promise<boolean> {
      return updateClaimed(db, id, attempts, {
        status: 'failed',
        last_error: lastError,
        response: lastError,
      });
    },

    async list(
      db: Executor,
      filter: { incidentId?: string; kind?: string; communicationIds?: readonly string[] } = {},
    ): Promise<OutboxMessage[]> {
      let query = db.selectFrom('outbox').selectAll().orderBy('seq');
      if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
      if (filter.kind) query = query.where('kind', '=', filter.kind);
      if (filter.communicationIds) {
        if (filter.communicationIds.length === 0) return [];
        query = query.where('communication_id', 'in', filter.communicationIds);
      }
      const rows = await query.execute();
      return rows.map((r) => ({
        id: r.id,
        dedupKey: r.dedup_key,
        createdAt: fromDbInstant(r.created_at),
        kind: r.kind,
        incidentId: r.incident_id,
        recipient: r.recipient,
        subject: r.subject,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        status: r.status as OutboxStatus,
        attempts: r.attempts,
        nextAttemptAt: fromDbInstant(r.next_attempt_at),
        sentAt: fromDbInstantOrNull(r.sent_at),
        lastError: r.last_error,
        channel: r.channel as OutboxChannel,
        communicationId: r.communication_id,
        bodyText: r.body_text,
        bodyHtml: r.body_html,
        response: r.response,
      }));
    },

    /** How the outbox stands: messages per status, and when the oldest still pending was queued. */
    async health(db: Executor): Promise<{
      counts: Record<OutboxStatus, number>;
      oldestPending: { id: string; createdAt: Date } | null;
    }> {
      const rows = await db
        .selectFrom('outbox')
        .select((eb) => ['status', eb.fn.countAll<number | string>().as('n')])
        .groupBy('status')
        .execute();
      const counts: Record<OutboxStatus, number> = { pending: 0, sent: 0, failed: 0 };
      for (const r of rows) counts[r.status as OutboxStatus] = Number(r.n);
      const oldest = await db
        .selectFrom('outbox')
        .select(['id', 'created_at'])
        .where('status', '=', 'pending')
        .orderBy('created_at')
        .orderBy('seq')
        .limit(1)
        .executeTakeFirst();
      return {
        counts,
        oldestPending: oldest ? { id: oldest.id, createdAt: fromDbInstant(oldest.created_at) } : null,
      };
    },
  };
}

export type OutboxDal = ReturnType<typeof createOutboxDal>;
