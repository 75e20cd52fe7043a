import type { Kysely, Transaction } from 'kysely';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { OutboxDal } from './outbox-dal.ts';
import type { NewOutboxMessage, OutboxMessage } from './outbox-types.ts';

/**
 * The outbox: a message is a row written in the same transaction as the
 * event that caused it, so nothing promised is lost if the process dies
 * before sending. Delivery (SMTP, retries) is a separate engine module.
 */
export function createOutboxService(deps: { db: Kysely<VigilDatabase>; dal: OutboxDal }) {
  const { db, dal } = deps;
  return {
    /** Queues the message inside `trx`; a repeat of the same dedup key is ignored (returns false). */
    enqueue(trx: Transaction<VigilDatabase>, message: NewOutboxMessage): Promise<boolean> {
      return dal.insertIfNew(trx, message);
    },

    list(
      filter: { incidentId?: string; kind?: string; communicationIds?: readonly string[] } = {},
    ): Promise<OutboxMessage[]> {
      return dal.list(db, filter);
    },
  };
}

export type OutboxService = ReturnType<typeof createOutboxService>;
