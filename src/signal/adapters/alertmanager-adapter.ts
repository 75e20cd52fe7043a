import { z } from 'zod';
import { type NormalizedSignal, SIGNAL_KINDS, type SignalKind } from '../signal-types.ts';
import {
  compactEntities,
  defineAdapter,
  failure,
  parseJsonDocument,
  severityFromWord,
  zodIssues,
} from './adapter-helpers.ts';
import { instantSchema, isZeroTime } from './adapter-time.ts';

/**
 * Prometheus Alertmanager webhook, `version: "4"`: one signal per entry of
 * `alerts[]`, each with its own status (a group stays `firing` while any of
 * its alerts fires, so the top-level status is not used).
 *
 * - severity: `labels.severity` by convention (critical → critical,
 *   error/high → high, warning → medium, low → low, info/none → info);
 *   missing or unknown → medium.
 * - kind: `labels.vigil_kind` when it names a signal kind, else `generic_alert`.
 * - dedupKey: fingerprint + startsAt + status; correlationKey: groupKey + fingerprint.
 * - raw: the alert object of `alerts[]` as received.
 */

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).nullish(),
  startsAt: instantSchema,
  endsAt: instantSchema.optional(),
  generatorURL: z.string().nullish(),
  fingerprint: z.string().min(1),
});

const webhookSchema = z.object({
  version: z.literal('4', { error: 'only Alertmanager webhook version "4" is accepted' }),
  groupKey: z.string().min(1),
  receiver: z.string().nullish(),
  status: z.enum(['firing', 'resolved']).nullish(),
  truncatedAlerts: z.number().nullish(),
  alerts: z.array(alertSchema),
});

type Alert = z.infer<typeof alertSchema>;

export const alertmanagerAdapter = defineAdapter('alertmanager', (body) => {
  const document = parseJsonDocument(body);
  if (!document.ok) return failure(document.issues);
  const parsed = webhookSchema.safeParse(document.value);
  if (!parsed.success) return failure(zodIssues(parsed.error));
  const rawAlerts = (document.value as { alerts: unknown[] }).alerts;
  const signals = parsed.data.alerts.map((alert, index) =>
    toSignal(alert, rawAlerts[index], parsed.data.groupKey, parsed.data.receiver ?? undefined),
  );
  return { ok: true, signals };
});

function toSignal(
  alert: Alert,
  raw: unknown,
  groupKey: string,
  receiver: string | undefined,
): NormalizedSignal {
  const { labels } = alert;
  const annotations = alert.annotations ?? {};
  const endsAt = alert.endsAt !== undefined && !isZeroTime(alert.endsAt) ? alert.endsAt : undefined;
  const occurredAt = alert.status === 'resolved' && endsAt !== undefined ? endsAt : alert.startsAt;
  return {
    source: 'alertmanager',
    kind: kindFromLabel(labels.vigil_kind),
    severityHint: severityFromWord(labels.severity) ?? 'medium',
    status: alert.status,
    occurredAt,
    dedupKey: `alertmanager:${alert.fingerprint}:${alert.startsAt.toISOString()}:${alert.status}`,
    correlationKey: `alertmanager:${groupKey}:${alert.fingerprint}`,
    entities: compactEntities({
      alertType: labels.alertname,
      instance: labels.instance,
      job: labels.job,
      service: labels.service,
      application: labels.application ?? labels.app ?? labels.service ?? labels.job,
      namespace: labels.namespace,
      pod: labels.pod,
      cluster: labels.cluster,
      server: labels.server ?? labels.host ?? labels.node,
      database: labels.database ?? labels.db,
      clientIp: labels.client_ip,
      fingerprint: alert.fingerprint,
      receiver,
      startsAt: alert.startsAt.toISOString(),
      endsAt: endsAt?.toISOString(),
    }),
    summary:
      annotations.summary ??
      annotations.description ??
      labels.alertname ??
      `Alertmanager alert ${alert.fingerprint}`,
    raw,
  };
}

function kindFromLabel(label: string | undefined): SignalKind {
  return SIGNAL_KINDS.find((kind) => kind === label) ?? 'generic_alert';
}
