/** Types of the outbox: messages Vigil has promised to send, stored before anything is sent. */

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** How a message leaves: by email, or as a POST to an outgoing webhook (`recipient` is `webhook:<id>`). */
export type OutboxChannel = 'email' | 'webhook';

export interface OutboxMessage {
  id: string;
  /** The same event never queues the same message twice: e.g. `sla.breached:<incident>:<clock>:<due>:<email>`. */
  dedupKey: string;
  createdAt: Date;
  /** What kind of message, e.g. `sla.escalation`. */
  kind: string;
  incidentId: string | null;
  channel: OutboxChannel;
  /** An email address, or `webhook:<id>` on the webhook channel. */
  recipient: string;
  subject: string;
  /** What the sender needs to render the message. */
  payload: Record<string, unknown>;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
  /** The communication this message delivers, if it came from one. */
  communicationId: string | null;
  /** The bodies exactly as sent (null only for rows queued before templates). */
  bodyText: string | null;
  bodyHtml: string | null;
  /** The receiving server's answer to the final attempt (e.g. `250 2.0.0 OK`). */
  response: string | null;
}

export type NewOutboxMessage = Pick<
  OutboxMessage,
  'dedupKey' | 'createdAt' | 'kind' | 'incidentId' | 'recipient' | 'subject' | 'payload'
> & {
  /** Default `email`. */
  channel?: OutboxChannel;
  communicationId?: string | null;
  /** The rendered bodies; a message without them is rendered from its payload when sent. */
  bodyText?: string | null;
  bodyHtml?: string | null;
};
