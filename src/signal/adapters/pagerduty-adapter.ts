import { z } from 'zod';
import { canonicalJson, sha256Hex } from '../../platform/crypto.ts';
import type { AdapterIssue, NormalizedSignal } from '../signal-types.ts';
import {
  asRecord,
  compactEntities,
  defineAdapter,
  failure,
  parseJsonDocument,
  severityFromWord,
  text,
  zodIssues,
} from './adapter-helpers.ts';
import { instantSchema } from './adapter-time.ts';

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): `trigger`, `acknowledge`,
 * `resolve`. One event per body.
 *
 * - status: trigger and acknowledge → firing (`entities.pagerDutyAction`
 *   says which), resolve → resolved.
 * - severity: critical → critical, error → high, warning → medium, info →
 *   info; acknowledge / resolve carry none → info.
 * - dedup_key: required for acknowledge / resolve; a trigger without one gets
 *   a key derived from the event (PagerDuty would generate a UUID; a hash
 *   keeps the adapter pure and a retried trigger on the same key), returned
 *   in the 202 body. correlationKey: `pagerduty:<dedup_key>`.
 * - dedupKey: dedup_key + action + a hash of the event, so a retry is the
 *   same record while a new trigger on a resolved key is a new one.
 * - occurredAt: `payload.timestamp`, else the receive time.
 */
export const pagerDutyAdapter = defineAdapter('pagerduty', (body, context) => {
  const document = parseJsonDocument(body);
  if (!document.ok) return failure(document.issues);
  const parsed = eventSchema.safeParse(document.value);
  if (!parsed.success) return failure(zodIssues(parsed.error));
  const event = parsed.data;
  const eventHash = sha256Hex(canonicalJson(document.value));
  const dedupKey = event.dedup_key ?? `vigil-${eventHash.slice(0, 32)}`;
  const payload = event.event_action === 'trigger' ? event.payload : undefined;
  const custom = asRecord(payload?.custom_details) ?? {};
  const signal: NormalizedSignal = {
    source: 'pagerduty',
    kind: 'generic_alert',
    severityHint: severityFromWord(payload?.severity) ?? 'info',
    status: event.event_action === 'resolve' ? 'resolved' : 'firing',
    occurredAt: payload?.timestamp ?? context.receivedAt,
    dedupKey: `pagerduty:${dedupKey}:${event.event_action}:${eventHash.slice(0, 16)}`,
    correlationKey: `pagerduty:${dedupKey}`,
    entities: compactEntities({
      pagerDutyAction: event.event_action,
      pagerDutyDedupKey: dedupKey,
      sender: payload?.source,
      component: payload?.component,
      group: payload?.group,
      class: payload?.class,
      client: event.client,
      clientIp: text(custom.client_ip) ?? text(custom.clientIp),
      principal: text(custom.principal),
      resourceId: text(custom.azure_resource_id) ?? text(custom.resource_id),
    }),
    summary: payload?.summary ?? `${event.event_action} ${dedupKey}`,
    raw: document.value,
  };
  return { ok: true, signals: [signal] };
});

const payloadSchema = z.object({
  summary: z.string().min(1).max(1024),
  source: z.string().min(1),
  severity: z.enum(['critical', 'error', 'warning', 'info']),
  timestamp: instantSchema.nullish(),
  component: z.string().nullish(),
  group: z.string().nullish(),
  class: z.string().nullish(),
  custom_details: z.unknown().optional(),
});

const common = {
  // PagerDuty's keys are 32 characters; Vigil's routing keys are its ingest tokens, so any length is read.
  routing_key: z.string().min(1, { error: "'routing_key' is required" }).max(500),
  dedup_key: z.string().min(1).max(255).nullish(),
  client: z.string().nullish(),
  client_url: z.string().nullish(),
};

const eventSchema = z.discriminatedUnion(
  'event_action',
  [
    z.object({ ...common, event_action: z.literal('trigger'), payload: payloadSchema }),
    // Follow-ups name the alert they act on.
    z.object({
      ...common,
      event_action: z.enum(['acknowledge', 'resolve']),
      dedup_key: z.string().min(1).max(255),
    }),
  ],
  { error: 'expected trigger, acknowledge or resolve' },
);

/** The 202 body PagerDuty answers an accepted event with. */
export interface PagerDutyAccepted {
  status: 'success';
  message: 'Event processed';
  dedup_key: string;
}

/** The 400 body PagerDuty answers an invalid event with. */
export interface PagerDutyInvalid {
  status: 'invalid event';
  message: 'Event object is invalid';
  errors: string[];
}

/**
 * The 202 body for an accepted event, carrying the dedup key the sender
 * should use for acknowledge / resolve (its own, or the one derived for it).
 *
 * @example pagerDutyAcceptedBody(signal) // { status: 'success', message: 'Event processed', dedup_key: 'db/brute' }
 */
export function pagerDutyAcceptedBody(signal: NormalizedSignal): PagerDutyAccepted {
  const dedupKey = signal.entities.pagerDutyDedupKey;
  return { status: 'success', message: 'Event processed', dedup_key: String(dedupKey ?? '') };
}

/**
 * The 400 body for a refused event: one text per issue, the reason alone when
 * it already names the field (as PagerDuty's own messages do).
 */
export function pagerDutyInvalidBody(issues: readonly AdapterIssue[]): PagerDutyInvalid {
  return {
    status: 'invalid event',
    message: 'Event object is invalid',
    errors: issues.map((issue) =>
      issue.reason.includes(`'${issue.field}'`) ? issue.reason : `'${issue.field}': ${issue.reason}`,
    ),
  };
}
