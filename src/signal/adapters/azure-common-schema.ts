import { z } from 'zod';
import type { AdapterIssue, SeverityHint } from '../signal-types.ts';
import { asRecord, text } from './adapter-helpers.ts';
import { instantSchema, parseInstant } from './adapter-time.ts';

/**
 * The Azure Monitor common alert schema (`schemaId:
 * "azureMonitorCommonAlertSchema"`), shared by the azure-monitor, defender
 * (activity-log delivery) and azure-budget (CostAlerts) adapters. Only
 * `data.essentials` is validated strictly; `alertContext` depends on the
 * monitoring service and is read defensively.
 */

export const COMMON_SCHEMA_ID = 'azureMonitorCommonAlertSchema';

const essentialsSchema = z
  .object({
    alertId: z.string().min(1),
    alertRule: z.string().nullish(),
    severity: z.enum(['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4']).nullish(),
    signalType: z.string().nullish(),
    monitorCondition: z.enum(['Fired', 'Resolved']).nullish(),
    monitoringService: z.string().min(1),
    alertTargetIDs: z.array(z.string()).nullish(),
    configurationItems: z.array(z.string()).nullish(),
    originAlertId: z.string().nullish(),
    firedDateTime: instantSchema,
    resolvedDateTime: instantSchema.nullish(),
    description: z.string().nullish(),
  })
  .superRefine((essentials, ctx) => {
    // Only CostAlerts leave these null (the docs say so); elsewhere they decide routing.
    if (essentials.monitoringService === 'CostAlerts') return;
    for (const key of ['severity', 'monitorCondition'] as const) {
      if (essentials[key] == null) ctx.addIssue({ code: 'custom', path: [key], message: 'required' });
    }
  });

export const commonAlertSchema = z.object({
  schemaId: z.literal(COMMON_SCHEMA_ID, {
    error: `expected "${COMMON_SCHEMA_ID}": enable the common alert schema on the action group`,
  }),
  data: z.object({
    essentials: essentialsSchema,
    alertContext: z.record(z.string(), z.unknown()).nullish(),
    customProperties: z.record(z.string(), z.unknown()).nullish(),
  }),
});

export type CommonAlert = z.infer<typeof commonAlertSchema>;
export type Essentials = CommonAlert['data']['essentials'];

/** Sev0 (Azure "Critical") … Sev4 ("Verbose"), one step each. */
export function severityFromSev(severity: Essentials['severity']): SeverityHint | undefined {
  switch (severity) {
    case 'Sev0':
      return 'critical';
    case 'Sev1':
      return 'high';
    case 'Sev2':
      return 'medium';
    case 'Sev3':
      return 'low';
    case 'Sev4':
      return 'info';
    default:
      return undefined;
  }
}

/**
 * Reads an optional timestamp from the open alert context. Present but
 * unparseable is an issue (with `path` inside the document); absent is fine.
 */
export function contextInstant(value: unknown, path: string, issues: AdapterIssue[]): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const instant = typeof value === 'string' ? parseInstant(value) : undefined;
  if (instant === undefined) {
    issues.push({ field: path, reason: `not a valid timestamp: ${JSON.stringify(value).slice(0, 60)}` });
  }
  return instant;
}

/** `{name, value}` pairs of metric / log V2 `condition.allOf[].dimensions[]` and log V1 `Dimensions[]`. */
export function contextDimensions(context: Record<string, unknown>): Map<string, string> {
  const found = new Map<string, string>();
  const lists: unknown[] = [context.Dimensions];
  const allOf = asRecord(context.condition)?.allOf;
  if (Array.isArray(allOf)) for (const criterion of allOf) lists.push(asRecord(criterion)?.dimensions);
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const name = text(asRecord(entry)?.name);
      const value = text(asRecord(entry)?.value);
      if (name !== undefined && value !== undefined && !found.has(name)) found.set(name, value);
    }
  }
  return found;
}
