/**
 * The record of every message Vigil delivered or gave up on: for a message
 * about an incident, a timeline entry and an audit entry saying who got
 * what and when, what the receiving server answered, the `Message-ID`, and
 * the SHA-256 of each body as sent (the bodies themselves stay in the
 * outbox row, so the hashes on the audit chain prove they were not changed).
 */
import { formatActor } from '../audit/audit-chain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { DeliveryRecorder } from '../outbox/outbox-delivery-module.ts';
import { sha256Hex } from '../platform/crypto.ts';
import { ENGINE_ACTOR } from '../sla/sla-escalation.ts';
import type { TimelineService } from '../timeline/timeline-service.ts';

/** Creates the recorder the outbox delivery module calls in the transaction that marks a row. */
export function createDeliveryRecorder(deps: {
  timeline: Pick<TimelineService, 'record'>;
  audit: Pick<AuditService, 'append'>;
}): DeliveryRecorder {
  const { timeline, audit } = deps;
  return {
    async record(trx, message, outcome) {
      if (!message.incidentId) return;
      const how = message.channel === 'webhook' ? 'webhook' : 'email';
      const data = {
        outboxId: message.id,
        communicationId: message.communicationId,
        kind: message.kind,
        channel: message.channel,
        recipient: message.recipient,
        subject: message.subject,
        messageId: outcome.messageId,
        at: outcome.at.toISOString(),
        textSha256: message.bodyText === null ? null : sha256Hex(Buffer.from(message.bodyText, 'utf8')),
        htmlSha256: message.bodyHtml === null ? null : sha256Hex(Buffer.from(message.bodyHtml, 'utf8')),
        ...(outcome.kind === 'sent' ? { response: outcome.response } : { error: outcome.error }),
      };
      const summary =
        outcome.kind === 'sent'
          ? `${how} to ${message.recipient} delivered: ${message.subject}`
          : `${how} to ${message.recipient} failed for good (${outcome.error}): ${message.subject}`;
      await timeline.record(trx, {
        incidentId: message.incidentId,
        at: outcome.at,
        kind: 'communication',
        actor: formatActor(ENGINE_ACTOR),
        summary,
        data,
      });
      await audit.append(trx, {
        actor: ENGINE_ACTOR,
        action: outcome.kind === 'sent' ? 'communication.delivered' : 'communication.delivery_failed',
        subject: { type: 'incident', id: message.incidentId },
        detail: data,
        at: outcome.at,
      });
    },
  };
}
