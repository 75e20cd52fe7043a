/** Types of communications: messages drafted on an incident, approved, then sent through the outbox. */
import type { OutboxChannel } from '../outbox/outbox-types.ts';

export const COMMUNICATION_AUDIENCES = ['customers', 'internal'] as const;
export type CommunicationAudience = (typeof COMMUNICATION_AUDIENCES)[number];

/**
 * `draft`, `approved` and `queued` are stored; once queued, the status
 * follows the outbox rows: `sent` when every recipient has it, `failed`
 * when any delivery failed for good, `queued` while any is still pending.
 */
export type CommunicationStatus = 'draft' | 'approved' | 'queued' | 'sent' | 'failed';
export type StoredCommunicationStatus = 'draft' | 'approved' | 'queued';

/** The values a person writes for a message; the incident supplies the rest. */
export interface DraftedValues {
  whatHappened?: string | undefined;
  whatWeAreDoing?: string | undefined;
  whatYouShouldDo?: string | undefined;
  /** Overrides the next-update time the cadence gives (e.g. when no cadence runs). */
  nextUpdateAt?: string | undefined;
}

export const DRAFTED_VALUE_NAMES = ['whatHappened', 'whatWeAreDoing', 'whatYouShouldDo'] as const;

export interface Communication {
  id: string;
  incidentId: string;
  audience: CommunicationAudience;
  /** A policy template id, or null for a free-form subject and body. */
  template: string | null;
  /** Free-form subject and body, in the template language; null when a template is named. */
  subject: string | null;
  body: string | null;
  values: DraftedValues;
  /** Customers to tell (audience `customers`). */
  customerIds: string[];
  /** Extra internal recipients beyond the people holding a role on the incident (audience `internal`). */
  recipients: string[];
  status: StoredCommunicationStatus;
  createdAt: Date;
  /** `user:EMAIL`, as in the audit log. */
  createdBy: string;
  approvedAt: Date | null;
  approvedBy: string | null;
  queuedAt: Date | null;
  queuedBy: string | null;
}

/** One recipient's copy of a queued communication, as the outbox holds it. */
export interface Delivery {
  outboxId: string;
  channel: OutboxChannel;
  recipient: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  /** The stable `Message-ID` header of the email. */
  messageId: string;
  subject: string;
  text: string | null;
  html: string | null;
  sentAt: Date | null;
  response: string | null;
  lastError: string | null;
}

/** A communication as the API shows it. */
export interface CommunicationView extends Omit<Communication, 'status'> {
  status: CommunicationStatus;
  /** Role ids whose holder on the incident may approve; empty when no approval is needed. */
  approvers: string[];
  deliveries: Delivery[];
}

/** A draft as a person submits it. */
export interface DraftInput extends DraftedValues {
  audience: CommunicationAudience;
  template?: string | undefined;
  subject?: string | undefined;
  body?: string | undefined;
  customerIds?: string[] | undefined;
  recipients?: string[] | undefined;
}

/** A message rendered for one recipient. */
export interface RenderedMessage {
  recipient: string;
  recipientName: string;
  subject: string;
  text: string;
  html: string;
}
