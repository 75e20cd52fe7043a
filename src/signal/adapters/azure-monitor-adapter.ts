import type { AdapterIssue, NormalizedSignal, SignalKind, SignalStatus } from '../signal-types.ts';
import {
  asRecord,
  compactEntities,
  defineAdapter,
  failure,
  parseJsonDocument,
  scalar,
  sqlResourceParts,
  text,
  zodIssues,
} from './adapter-helpers.ts';
import { budgetFromCommonSchema } from './azure-budget-adapter.ts';
import {
  type CommonAlert,
  commonAlertSchema,
  contextDimensions,
  contextInstant,
  type Essentials,
  severityFromSev,
} from './azure-common-schema.ts';

/**
 * Azure Monitor common alert schema: metric, log search V1 (Log Analytics /
 * Application Insights), log search V2, activity log, service/resource
 * health, smart detector; CostAlerts are normalized as budget signals.
 *
 * - severity: Sev0 → critical, Sev1 → high, Sev2 → medium, Sev3 → low, Sev4 → info.
 * - status: `monitorCondition` (ServiceHealth: `alertContext.status` /
 *   `properties.stage` "Resolved"); activity-log alerts are always firing.
 * - kind: see {@link kindOf}.
 * - dedupKey: alertId + monitorCondition; correlationKey: alertId.
 * - occurredAt: resolvedDateTime for a resolve (else the window end, else
 *   firedDateTime); the activity-log `eventTimestamp` for activity logs;
 *   firedDateTime otherwise.
 */
export const azureMonitorAdapter = defineAdapter('azure-monitor', (body) => {
  const document = parseJsonDocument(body);
  if (!document.ok) return failure(document.issues);
  const parsed = commonAlertSchema.safeParse(document.value);
  if (!parsed.success) return failure(zodIssues(parsed.error));
  if (parsed.data.data.essentials.monitoringService === 'CostAlerts') {
    return budgetFromCommonSchema('azure-monitor', parsed.data, document.value);
  }
  const issues: AdapterIssue[] = [];
  const signal = toSignal(parsed.data, document.value, issues);
  return issues.length > 0 ? failure(issues) : { ok: true, signals: [signal] };
});

const CONTEXT = 'data.alertContext';

function toSignal(alert: CommonAlert, raw: unknown, issues: AdapterIssue[]): NormalizedSignal {
  const { essentials } = alert.data;
  const context = alert.data.alertContext ?? {};
  const condition = asRecord(context.condition) ?? {};
  const properties = asRecord(context.properties) ?? {};
  const windowStart =
    contextInstant(condition.windowStartTime, `${CONTEXT}.condition.windowStartTime`, issues) ??
    contextInstant(context.SearchIntervalStartTimeUtc, `${CONTEXT}.SearchIntervalStartTimeUtc`, issues);
  const windowEnd =
    contextInstant(condition.windowEndTime, `${CONTEXT}.condition.windowEndTime`, issues) ??
    contextInstant(context.SearchIntervalEndtimeUtc, `${CONTEXT}.SearchIntervalEndtimeUtc`, issues);
  const eventTime = contextInstant(context.eventTimestamp, `${CONTEXT}.eventTimestamp`, issues);
  const status = statusOf(essentials, context, properties);
  const occurredAt =
    status === 'resolved'
      ? (essentials.resolvedDateTime ?? windowEnd ?? essentials.firedDateTime)
      : (eventTime ?? essentials.firedDateTime);
  const dimensions = contextDimensions(context);
  const firstCriterion = asRecord((condition.allOf as unknown[] | undefined)?.[0]) ?? {};
  const resourceId =
    essentials.configurationItems?.find((item) => item.startsWith('/subscriptions/')) ??
    dimensions.get('_ResourceId') ??
    dimensions.get('ResourceId') ??
    text(properties.entity) ??
    text(asRecord(context.authorization)?.scope) ??
    essentials.alertTargetIDs?.[0];
  const sql = sqlResourceParts(resourceId);
  const extraDimensions = Object.fromEntries(
    [...dimensions]
      .filter(([name]) => !KNOWN_DIMENSIONS.has(name))
      .map(([name, value]) => [`dimension.${name}`, value]),
  );
  return {
    source: 'azure-monitor',
    kind: kindOf(essentials, context),
    severityHint: severityFromSev(essentials.severity) ?? 'medium',
    status,
    occurredAt,
    dedupKey: `azure-monitor:${essentials.alertId}:${essentials.monitorCondition ?? 'Fired'}`,
    correlationKey: `azure-monitor:${essentials.alertId}`,
    entities: compactEntities({
      ...extraDimensions,
      resourceId,
      server: sql.server,
      database: firstOf(dimensions, ['database_name_s', 'DatabaseName']) ?? sql.database,
      principal:
        firstOf(dimensions, ['server_principal_name_s', 'ServerPrincipalName']) ?? text(context.caller),
      clientIp: firstOf(dimensions, ['client_ip_s', 'ClientIp', 'client_ip', 'ClientIP']),
      application: firstOf(dimensions, ['cloud_RoleName', 'AppRoleName']),
      alertRule: essentials.alertRule,
      monitoringService: essentials.monitoringService,
      signalType: essentials.signalType,
      alertTargetId: essentials.alertTargetIDs?.[0],
      operationName: text(context.operationName),
      metricName: text(firstCriterion.metricName),
      metricValue: scalar(firstCriterion.metricValue),
      threshold: scalar(firstCriterion.threshold) ?? scalar(context.Threshold),
      resultCount: scalar(context.ResultCount),
      windowStart: windowStart?.toISOString(),
      windowEnd: windowEnd?.toISOString(),
      firedAt: essentials.firedDateTime.toISOString(),
    }),
    summary: summaryOf(essentials),
    raw,
  };
}

const KNOWN_DIMENSIONS = new Set([
  '_ResourceId',
  'ResourceId',
  'database_name_s',
  'DatabaseName',
  'server_principal_name_s',
  'ServerPrincipalName',
  'client_ip_s',
  'ClientIp',
  'client_ip',
  'ClientIP',
  'cloud_RoleName',
  'AppRoleName',
]);

function firstOf(dimensions: Map<string, string>, names: string[]): string | undefined {
  for (const name of names) {
    const value = dimensions.get(name);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

function statusOf(
  essentials: Essentials,
  context: Record<string, unknown>,
  properties: Record<string, unknown>,
): SignalStatus {
  if (essentials.monitoringService === 'ServiceHealth') {
    const stage = text(properties.stage) ?? text(context.status);
    if (stage?.toLowerCase() === 'resolved') return 'resolved';
  }
  return essentials.monitorCondition === 'Resolved' ? 'resolved' : 'firing';
}

const PERMISSION_OPERATION =
  /Microsoft\.Authorization\/|firewallRules|securityRules|networkSecurityGroups|administrators|virtualNetworkRules/i;

/**
 * The kind, by monitoring service: Defender alerts in the security activity
 * log → threat_alert; administrative operations on role assignments,
 * firewall and network rules → permission_change; restores → backup_restore;
 * metric, Prometheus, autoscale and resource-health alerts → resource_anomaly;
 * smart detector → app_error; log search alerts by their query (failed
 * logins → auth_failure, exceptions → app_error, failed requests →
 * request_failure, SecurityAlert → threat_alert); anything else generic_alert.
 */
export function kindOf(essentials: Essentials, context: Record<string, unknown>): SignalKind {
  const service = essentials.monitoringService;
  if (service.startsWith('Activity Log')) {
    const operation = text(context.operationName) ?? text(asRecord(context.authorization)?.action) ?? '';
    if (service === 'Activity Log - Security' || /^Microsoft\.Security\//i.test(operation))
      return 'threat_alert';
    if (service === 'Activity Log - Autoscale') return 'resource_anomaly';
    if (PERMISSION_OPERATION.test(operation)) return 'permission_change';
    if (/restore|backup/i.test(operation)) return 'backup_restore';
    return 'generic_alert';
  }
  if (service === 'Resource Health') return 'resource_anomaly';
  if (service === 'SmartDetector') return 'app_error';
  if (essentials.signalType === 'Metric' || service === 'Platform' || /prometheus/i.test(service)) {
    return 'resource_anomaly';
  }
  if (essentials.signalType === 'Log') return kindOfQuery(searchQuery(context));
  return 'generic_alert';
}

function searchQuery(context: Record<string, unknown>): string {
  const allOf = asRecord(context.condition)?.allOf;
  const v2 = Array.isArray(allOf)
    ? allOf.map((criterion) => text(asRecord(criterion)?.searchQuery) ?? '')
    : [];
  return [text(context.SearchQuery) ?? '', ...v2].join('\n');
}

function kindOfQuery(query: string): SignalKind {
  if (
    /DATABASE AUTHENTICATION FAILED|\bDBAF\b|\bLGIF\b|LOGIN FAILED|SigninLogs[\s\S]*ResultType/i.test(query)
  ) {
    return 'auth_failure';
  }
  if (/\bSecurityAlert\b/.test(query)) return 'threat_alert';
  if (/\b(AppExceptions|exceptions)\b/.test(query)) return 'app_error';
  if (/\b(AppRequests|requests)\b/.test(query) && /resultCode|success/i.test(query)) return 'request_failure';
  return 'generic_alert';
}

function summaryOf(essentials: Essentials): string {
  const rule = essentials.alertRule ?? undefined;
  const description = essentials.description?.trim() || undefined;
  if (rule !== undefined && description !== undefined) return `${rule}: ${description}`;
  return description ?? rule ?? `Azure Monitor alert ${essentials.alertId}`;
}
