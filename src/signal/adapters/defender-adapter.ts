import { z } from 'zod';
import type { AdapterIssue, NormalizedSignal, SeverityHint, SignalStatus } from '../signal-types.ts';
import {
  asRecord,
  compactEntities,
  defineAdapter,
  failure,
  normalizeAll,
  parseJsonDocument,
  type RecordOutcome,
  scalar,
  sqlResourceParts,
  text,
  truncate,
  zodIssues,
} from './adapter-helpers.ts';
import { instantSchema } from './adapter-time.ts';
import { COMMON_SCHEMA_ID, commonAlertSchema, severityFromSev } from './azure-common-schema.ts';

/**
 * Microsoft Defender for Cloud security alerts (Defender for SQL included),
 * kind `threat_alert`, in the three shapes they are delivered: the REST alert
 * resource (continuous export to Event Hub), a Log Analytics `SecurityAlert`
 * row, and an `Activity Log - Security` alert in the common alert schema.
 * The body is one alert or a JSON array of them (record = array index).
 *
 * - severity: High → high, Medium → medium, Low → low, Informational → info.
 * - status: Active / New / InProgress → firing; Resolved / Dismissed → resolved.
 * - dedupKey: systemAlertId + status (alertType alone is not unique: three
 *   alerts share `SQL.DB_BruteForce`); correlationKey: systemAlertId.
 * - occurredAt: start of the suspicious activity (`startTimeUtc` / `StartTime`).
 * - entities: alertType; client IP, principal, application, host and the
 *   statement from `extendedProperties` (keys as seen in the field, read
 *   case-insensitively), falling back to `entities[]` (ip → address,
 *   account → name); resource id, server and database from the resource.
 */
export const defenderAdapter = defineAdapter('defender', (body) => {
  const document = parseJsonDocument(body);
  if (!document.ok) return failure(document.issues);
  if (Array.isArray(document.value)) {
    if (document.value.length === 0) return failure([{ field: '(body)', reason: 'no alerts' }]);
    return normalizeAll(document.value, (raw, index) => normalizeAlert(raw, index));
  }
  return normalizeAll([document.value], (raw) => normalizeAlert(raw, undefined));
});

const severitySchema = z.string().transform((value, ctx) => {
  const severity = DEFENDER_SEVERITY[value.trim().toLowerCase()];
  if (severity === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected High, Medium, Low or Informational' });
    return z.NEVER;
  }
  return severity;
});

const DEFENDER_SEVERITY: Record<string, SeverityHint> = {
  high: 'high',
  medium: 'medium',
  low: 'low',
  informational: 'info',
  information: 'info',
};

const bag = z.record(z.string(), z.unknown());
const jsonText = z.union([z.string(), z.array(z.unknown()), bag]).nullish();

const restSchema = z.object({
  type: z.string(),
  properties: z.object({
    alertType: z.string().min(1),
    systemAlertId: z.string().min(1),
    alertDisplayName: z.string().nullish(),
    description: z.string().nullish(),
    severity: severitySchema,
    status: z.string().nullish(),
    startTimeUtc: instantSchema,
    endTimeUtc: instantSchema.nullish(),
    timeGeneratedUtc: instantSchema.nullish(),
    compromisedEntity: z.string().nullish(),
    correlationKey: z.string().nullish(),
    intent: z.string().nullish(),
    techniques: z.array(z.string()).nullish(),
    resourceIdentifiers: z.array(bag).nullish(),
    entities: z.array(bag).nullish(),
    extendedProperties: bag.nullish(),
  }),
});

const rowSchema = z.object({
  Type: z.literal('SecurityAlert'),
  SystemAlertId: z.string().min(1),
  AlertType: z.string().min(1),
  DisplayName: z.string().nullish(),
  AlertName: z.string().nullish(),
  Description: z.string().nullish(),
  AlertSeverity: severitySchema,
  Status: z.string().nullish(),
  TimeGenerated: instantSchema,
  StartTime: instantSchema.nullish(),
  EndTime: instantSchema.nullish(),
  ResourceId: z.string().nullish(),
  CompromisedEntity: z.string().nullish(),
  Tactics: z.string().nullish(),
  Techniques: z.string().nullish(),
  Entities: jsonText,
  ExtendedProperties: jsonText,
});

/** The fields of any delivery shape, before normalization. */
interface DefenderAlert {
  systemAlertId: string;
  alertType?: string | null | undefined;
  title?: string | null | undefined;
  severity: SeverityHint;
  status?: string | null | undefined;
  startedAt: Date;
  endedAt?: Date | null | undefined;
  resourceId?: string | null | undefined;
  compromisedEntity?: string | null | undefined;
  correlationKey?: string | null | undefined;
  intent?: string | null | undefined;
  techniques?: string | null | undefined;
  entities: unknown[];
  extended: Record<string, unknown>;
}

function normalizeAlert(raw: unknown, record: number | undefined): RecordOutcome {
  const shape = asRecord(raw);
  if (shape?.Type === 'SecurityAlert') return fromRow(raw, record);
  if (typeof shape?.type === 'string' && /^Microsoft\.Security\/locations\/alerts$/i.test(shape.type)) {
    return fromRest(raw, record);
  }
  if (shape?.schemaId === COMMON_SCHEMA_ID) return fromActivityLog(raw, record);
  const issue: AdapterIssue = {
    field: '(record)',
    reason:
      'not a Defender alert: expected type "Microsoft.Security/Locations/alerts", Type "SecurityAlert" ' +
      `or schemaId "${COMMON_SCHEMA_ID}"`,
  };
  return { ok: false, issues: [record === undefined ? issue : { record, ...issue }] };
}

function fromRest(raw: unknown, record: number | undefined): RecordOutcome {
  const parsed = restSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, record) };
  const p = parsed.data.properties;
  const azureResource = p.resourceIdentifiers?.find((identifier) => identifier.type === 'AzureResource');
  return toOutcome(raw, {
    systemAlertId: p.systemAlertId,
    alertType: p.alertType,
    title: p.alertDisplayName,
    severity: p.severity,
    status: p.status,
    startedAt: p.startTimeUtc,
    endedAt: p.endTimeUtc,
    resourceId: text(azureResource?.azureResourceId),
    compromisedEntity: p.compromisedEntity,
    correlationKey: p.correlationKey,
    intent: p.intent,
    techniques: p.techniques?.join(','),
    entities: p.entities ?? [],
    extended: p.extendedProperties ?? {},
  });
}

function fromRow(raw: unknown, record: number | undefined): RecordOutcome {
  const parsed = rowSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, record) };
  const row = parsed.data;
  const issues: AdapterIssue[] = [];
  // Entities and ExtendedProperties are `dynamic` columns exported as JSON strings: parse twice.
  const entities = decodeJson(row.Entities, 'Entities', record, issues);
  const extended = decodeJson(row.ExtendedProperties, 'ExtendedProperties', record, issues);
  if (issues.length > 0) return { ok: false, issues };
  return toOutcome(raw, {
    systemAlertId: row.SystemAlertId,
    alertType: row.AlertType,
    title: row.DisplayName ?? row.AlertName,
    severity: row.AlertSeverity,
    status: row.Status,
    startedAt: row.StartTime ?? row.TimeGenerated,
    endedAt: row.EndTime,
    resourceId: row.ResourceId,
    compromisedEntity: row.CompromisedEntity,
    intent: row.Tactics,
    techniques: row.Techniques,
    entities: Array.isArray(entities) ? entities : [],
    extended: asRecord(extended) ?? {},
  });
}

function fromActivityLog(raw: unknown, record: number | undefined): RecordOutcome {
  const parsed = commonAlertSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, record) };
  const { essentials } = parsed.data.data;
  const context = parsed.data.data.alertContext ?? {};
  const properties = asRecord(context.properties) ?? {};
  if (essentials.monitoringService !== 'Activity Log - Security') {
    const issue = {
      field: 'data.essentials.monitoringService',
      reason: 'expected "Activity Log - Security"',
    };
    return { ok: false, issues: [record === undefined ? issue : { record, ...issue }] };
  }
  const eventTime = instantSchema.safeParse(context.eventTimestamp);
  return toOutcome(raw, {
    systemAlertId: text(context.correlationId) ?? essentials.alertId,
    alertType: text(properties.alertType),
    title: text(properties.alertDisplayName) ?? essentials.alertRule,
    severity:
      DEFENDER_SEVERITY[text(properties.severity)?.toLowerCase() ?? ''] ??
      severityFromSev(essentials.severity) ??
      'medium',
    status: text(context.status),
    startedAt: eventTime.success ? eventTime.data : essentials.firedDateTime,
    resourceId: essentials.alertTargetIDs?.[0],
    compromisedEntity: text(properties.compromisedEntity),
    entities: [],
    extended: properties,
  });
}

function decodeJson(
  value: string | unknown[] | Record<string, unknown> | null | undefined,
  field: string,
  record: number | undefined,
  issues: AdapterIssue[],
): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  if (value.trim() === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    const issue = { field, reason: 'not a JSON-encoded value' };
    issues.push(record === undefined ? issue : { record, ...issue });
    return undefined;
  }
}

function toOutcome(raw: unknown, alert: DefenderAlert): RecordOutcome {
  return { ok: true, signal: toSignal(raw, alert) };
}

function toSignal(raw: unknown, alert: DefenderAlert): NormalizedSignal {
  const status = statusOf(alert.status);
  const extended = lowerKeys(alert.extended);
  const fromEntities = entityValues(alert.entities);
  const resourceId = alert.resourceId ?? fromEntities.resourceId;
  const sql = sqlResourceParts(resourceId ?? undefined);
  const statement = text(extended['vulnerable statement']) ?? text(extended['suspicious statement']);
  const title = alert.title ?? alert.alertType ?? 'Defender alert';
  const subject = alert.compromisedEntity ?? sql.database;
  return {
    source: 'defender',
    kind: 'threat_alert',
    severityHint: alert.severity,
    status,
    occurredAt: alert.startedAt,
    dedupKey: `defender:${alert.systemAlertId}:${status}`,
    correlationKey: `defender:${alert.systemAlertId}`,
    entities: compactEntities({
      alertType: alert.alertType,
      systemAlertId: alert.systemAlertId,
      defenderStatus: alert.status,
      clientIp: text(extended['client ip address']) ?? fromEntities.clientIp,
      principal: text(extended['client principal name']) ?? fromEntities.principal,
      application: text(extended['client application']),
      host: text(extended['client hostname']) ?? fromEntities.host,
      statement: statement === undefined ? undefined : truncate(statement, 2000),
      failedLogins: numeric(extended['failed logins']),
      successfulLogins: numeric(extended['successful logins']),
      resourceId,
      server: sql.server,
      database: sql.database,
      compromisedEntity: alert.compromisedEntity,
      defenderCorrelationKey: alert.correlationKey,
      intent: alert.intent,
      techniques: alert.techniques,
      endedAt: alert.endedAt?.toISOString(),
    }),
    summary: `${title}${alert.alertType ? ` (${alert.alertType})` : ''}${subject ? ` on ${subject}` : ''}`,
    raw,
  };
}

function statusOf(status: string | null | undefined): SignalStatus {
  const word = status?.trim().toLowerCase();
  return word === 'resolved' || word === 'dismissed' ? 'resolved' : 'firing';
}

function lowerKeys(bagValue: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(bagValue).map(([key, value]) => [key.trim().toLowerCase(), value]),
  );
}

function numeric(value: unknown): number | undefined {
  const found = scalar(value);
  const number = typeof found === 'string' && found.trim() !== '' ? Number(found) : found;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** Values from `entities[]`, whose keys are camelCase (REST) or PascalCase (Log Analytics). */
function entityValues(entities: unknown[]): {
  clientIp?: string;
  principal?: string;
  host?: string;
  resourceId?: string;
} {
  const found: { clientIp?: string; principal?: string; host?: string; resourceId?: string } = {};
  for (const entity of entities) {
    const fields = lowerKeys(asRecord(entity) ?? {});
    const type = text(fields.type)?.toLowerCase();
    if (type === 'ip') found.clientIp ??= text(fields.address);
    else if (type === 'account') found.principal ??= text(fields.name);
    else if (type === 'host') found.host ??= text(fields.hostname) ?? text(fields.netbiosname);
    else if (type === 'azure-resource') found.resourceId ??= text(fields.resourceid);
  }
  return found;
}
