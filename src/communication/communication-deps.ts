/**
 * What the communication use cases are built from: the incident context,
 * their own storage, the outbox, the policy's templates and the customers'
 * contacts. The composition root supplies them once.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Customer } from '../customer/customer-types.ts';
import type { IncidentDeps } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { CommunicationDal } from './communication-dal.ts';
import type { MessageTemplate } from './message-template.ts';

/** Reads run on the database or inside the caller's transaction. */
export type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** Customers with their contacts, read through the caller's executor. */
export interface CustomerContacts {
  findWithContacts(db: Executor, ids: readonly string[]): Promise<Customer[]>;
}

export interface CommunicationDeps {
  incident: IncidentDeps;
  dal: CommunicationDal;
  outbox: Pick<OutboxService, 'enqueue' | 'list'>;
  templates: Readonly<Record<string, MessageTemplate>>;
  customers: CustomerContacts;
  /** Told when a breach notification goes to customers: it meets the breach's customer obligations. */
  /** Who runs a live exercise: its customer messages go to them, never to customers. */
  exerciseFacilitator?: (executor: Executor, exerciseId: string) => Promise<string | null>;
  breachNotices?: {
    customersNotified(
      trx: Transaction<VigilDatabase>,
      incident: Incident,
      at: Date,
      communicationId: string,
    ): Promise<void>;
  };
}
