import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { NewOutboxMessage, OutboxMessage, OutboxStatus } from './outbox-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

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
        })
        .onConflict((oc) => oc.column('dedup_key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async list(db: Executor, filter: { incidentId?: string; kind?: string } = {}): Promise<OutboxMessage[]> {
      let query = db.selectFrom('outbox').selectAll().orderBy('seq');
      if (filter.incidentId) query = query.where('incident_id', '=', filter.incidentId);
      if (filter.kind) query = query.where('kind', '=', filter.kind);
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
      }));
    },
  };
}

export type OutboxDal = ReturnType<typeof createOutboxDal>;
