import { z } from 'zod';
import { SIGNAL_KINDS } from '../signal-types.ts';
import {
  compactEntities,
  defineAdapter,
  failure,
  hashKey,
  parseJsonDocument,
  severityFromWord,
  truncate,
  zodIssues,
} from './adapter-helpers.ts';
import { instantSchema } from './adapter-time.ts';

/**
 * Vigil's own event (`generic-event/v1`), for senders with no format of
 * their own. The JSON accepted (unknown extra fields are ignored):
 *
 * ```jsonc
 * {
 *   "schema": "generic-event/v1",   // optional; any other value is refused
 *   "id": "7f3c…",                  // optional; the sender's id of this event (dedup)
 *   "source": "batch-scheduler",    // required, non-empty
 *   "type": "job.failed",           // required, non-empty
 *   "severity": "error",            // required: critical | error | warning | info (also high | medium | low)
 *   "status": "firing",             // optional: firing (default) | resolved
 *   "title": "Nightly job failed",  // required, ≤ 1024 characters
 *   "description": "…",             // optional
 *   "dedupKey": "scheduler/job",    // optional; groups repeats: a resolve joins its firing
 *   "timestamp": "2024-05-14T03:41:09Z", // required, ISO 8601
 *   "kind": "app_error",            // optional: a Vigil signal kind; default generic_alert
 *   "entity": { "service": "…", "host": "…", "ip": "…", "resourceId": "…", "clientIp": "…",
 *               "principal": "…", "database": "…", "server": "…" }, // optional; strings or numbers,
 *                                   // copied to entities (`service` also as `application`)
 *   "labels": { "env": "prod" },    // optional; string values
 *   "details": { … }                // optional; free-form, kept in raw only
 * }
 * ```
 *
 * - severity: critical → critical, error → high, warning → medium, info → info.
 * - dedupKey: source + id, else a hash of the event; correlationKey: source + dedupKey.
 */
export const genericAdapter = defineAdapter('generic', (body) => {
  const document = parseJsonDocument(body);
  if (!document.ok) return failure(document.issues);
  const parsed = genericEventSchema.safeParse(document.value);
  if (!parsed.success) return failure(zodIssues(parsed.error));
  const event = parsed.data;
  const entity = event.entity ?? {};
  const labels = Object.fromEntries(
    Object.entries(event.labels ?? {}).map(([key, value]) => [`label.${key}`, value]),
  );
  return {
    ok: true,
    signals: [
      {
        source: 'generic',
        kind: event.kind ?? 'generic_alert',
        severityHint: event.severity,
        status: event.status ?? 'firing',
        occurredAt: event.timestamp,
        dedupKey: event.id ? `generic:${event.source}:${event.id}` : hashKey('generic', document.value),
        ...(event.dedupKey ? { correlationKey: `generic:${event.source}:${event.dedupKey}` } : {}),
        entities: compactEntities({
          ...labels,
          ...entity,
          application: entity.application ?? entity.service,
          sender: event.source,
          eventType: event.type,
          description: event.description ? truncate(event.description, 2000) : undefined,
        }),
        summary: event.title,
        raw: document.value,
      },
    ],
  };
});

const severitySchema = z.string().transform((value, ctx) => {
  const severity = severityFromWord(value);
  if (severity === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected critical, error, warning or info' });
    return z.NEVER;
  }
  return severity;
});

const genericEventSchema = z.object({
  schema: z.literal('generic-event/v1', { error: 'only "generic-event/v1" is accepted' }).optional(),
  id: z.string().min(1).max(255).nullish(),
  source: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  severity: severitySchema,
  status: z.enum(['firing', 'resolved']).nullish(),
  title: z.string().min(1).max(1024),
  description: z.string().nullish(),
  dedupKey: z.string().min(1).max(255).nullish(),
  timestamp: instantSchema,
  kind: z.enum(SIGNAL_KINDS).nullish(),
  entity: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  details: z.record(z.string(), z.unknown()).nullish(),
});
