/**
 * The outbox's webhook channel: turns a queued webhook message into a
 * notice in the format its webhook expects (generic signed JSON, Microsoft
 * Teams, Slack) and posts it to the URL the environment gives for that
 * webhook id. A webhook the policy names but the environment does not
 * configure fails for good, with a reason that says which variable to set.
 */

import type { DueOutboxMessage } from '../outbox/outbox-dal.ts';
import type { WebhookChannel } from '../outbox/outbox-delivery-module.ts';
import type { WebhookFormat, WebhookNotice } from '../outbox/webhook-formats.ts';
import { WebhookRejected, type WebhookSender } from '../outbox/webhook-sender.ts';

/** Where a webhook id posts, as configured outside the policy. */
export interface WebhookEndpointConfig {
  url: string;
  secret: string | undefined;
}

/** The notice a webhook message carries: its subject as title, its text body, and the facts in its payload. */
export function noticeOf(message: DueOutboxMessage, now: Date): WebhookNotice {
  const p = message.payload;
  const facts = Array.isArray(p.facts)
    ? (p.facts as { name: unknown; value: unknown }[]).map((f) => ({
        name: String(f.name),
        value: String(f.value),
      }))
    : [];
  return {
    event: typeof p.event === 'string' ? p.event : message.kind,
    id: message.id,
    occurredAt: now,
    title: message.subject,
    text: message.bodyText ?? '',
    ...(typeof p.severity === 'string' ? { severity: p.severity } : {}),
    ...(typeof p.reference === 'string' ? { reference: p.reference } : {}),
    facts,
  };
}

export function createWebhookChannel(deps: {
  /** The policy's webhooks: id and format. */
  webhooks: readonly { id: string; format: WebhookFormat }[];
  /** Endpoint by policy webhook id (already matched to the environment). */
  endpoints: (id: string) => WebhookEndpointConfig | undefined;
  sender: WebhookSender;
}): WebhookChannel {
  const { webhooks, endpoints, sender } = deps;
  return {
    async send(message, now) {
      const id = message.recipient.replace(/^webhook:/, '');
      const hook = webhooks.find((w) => w.id === id);
      const endpoint = endpoints(id);
      if (!hook || !endpoint) {
        const variable = `VIGIL_WEBHOOK_${id.toUpperCase().replace(/-/g, '_')}_URL`;
        throw new WebhookRejected(
          hook ? `webhook ${id} has no URL: set ${variable}` : `the policy names no webhook ${id}`,
          { permanent: true },
        );
      }
      const delivery = await sender.send(
        {
          id,
          format: hook.format,
          url: endpoint.url,
          ...(endpoint.secret ? { secret: endpoint.secret } : {}),
        },
        noticeOf(message, now),
        now,
      );
      return { response: `${delivery.status} ${delivery.response}`.trim() };
    },
  };
}
