/** The communication API's answers, as the communications panel reads them. */

export type Audience = 'customers' | 'internal';

export interface Delivery {
  outboxId: string;
  channel: 'email' | 'webhook';
  recipient: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  subject: string;
  sentAt: string | null;
  response: string | null;
  lastError: string | null;
}

export interface Communication {
  id: string;
  audience: Audience;
  template: string | null;
  subject: string | null;
  body: string | null;
  values: Record<string, string>;
  customerIds: string[];
  recipients: string[];
  status: 'draft' | 'approved' | 'queued' | 'sent' | 'failed';
  /** The incident roles whose approval the policy needs for this audience; empty: none needed. */
  approvers: string[];
  createdAt: string;
  createdBy: string;
  approvedAt: string | null;
  approvedBy: string | null;
  queuedAt: string | null;
  queuedBy: string | null;
  deliveries: Delivery[];
}

export interface MessageTemplate {
  id: string;
  audience: Audience;
  draftable: boolean;
  subject: string;
  body: string;
  placeholders: string[];
  /** The drafting fields the template uses: whatHappened, whatWeAreDoing, whatYouShouldDo, nextUpdateAt. */
  fields: string[];
}

export interface Preview {
  communicationId: string;
  messages: { recipient: string; recipientName: string; subject: string; text: string; html: string }[];
}

/** The drafting fields in words, with a hint where the server fills in a default. */
export const FIELD_LABELS: Record<string, { label: string; hint?: string; multiline: boolean }> = {
  whatHappened: {
    label: 'What happened',
    hint: 'Left empty, the incident’s description is used.',
    multiline: true,
  },
  whatWeAreDoing: { label: 'What we are doing', multiline: true },
  whatYouShouldDo: { label: 'What you should do', multiline: true },
  nextUpdateAt: {
    label: 'Next update by',
    hint: 'Left empty, the time the update cadence gives (e.g. “7 April 2026, 15:00 BST”).',
    multiline: false,
  },
};
