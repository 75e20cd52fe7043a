/** Types of the outbox: messages Vigil has promised to send, stored before anything is sent. */

export type OutboxStatus = 'pending' | 'sent' | 'failed';

export interface OutboxMessage {
  id: string;
  /** The same event never queues the same message twice: e.g. `sla.breached:<incident>:<clock>:<due>:<email>`. */
  dedupKey: string;
  createdAt: Date;
  /** What kind of message, e.g. `sla.escalation`. */
  kind: string;
  incidentId: string | null;
  /** An email address. */
  recipient: string;
  subject: string;
  /** What the sender needs to render the message. */
  payload: Record<string, unknown>;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
}

export type NewOutboxMessage = Pick<
  OutboxMessage,
  'dedupKey' | 'createdAt' | 'kind' | 'incidentId' | 'recipient' | 'subject' | 'payload'
>;
