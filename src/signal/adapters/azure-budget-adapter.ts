import { z } from 'zod';
import type { AdapterResult, NormalizedSignal, SeverityHint, SignalSource } from '../signal-types.ts';
import { compactEntities, defineAdapter, failure, parseJsonDocument, zodIssues } from './adapter-helpers.ts';
import { parseInstant } from './adapter-time.ts';
import { COMMON_SCHEMA_ID, type CommonAlert, commonAlertSchema } from './azure-common-schema.ts';

/**
 * Azure Cost Management budget notifications, kind `resource_anomaly`, in
 * both shapes an action group delivers:
 *
 * - legacy `schemaId: "AIP Budget Notification"`: flat `data`, every value a
 *   string, no id, no severity, no timestamp (occurredAt = receivedAt);
 * - common alert schema with `monitoringService: "CostAlerts"`:
 *   `alertContext.AlertData`, amounts as currency strings (`"$4,127.58"`).
 *
 * - severity from spent / budget: actual ≥ 100 % → high, ≥ 80 % → medium,
 *   else low; forecasted ≥ 100 % → medium, else low.
 * - dedupKey: budget + threshold type + threshold amount + budget start +
 *   the UTC month of occurredAt (a monthly budget notifies again each month
 *   while its start date stays the same); always firing (one-shot).
 */
export const azureBudgetAdapter = defineAdapter('azure-budget', (body, context) => {
  const document = parseJsonDocument(body);
  if (!document.ok) return failure(document.issues);
  const schemaId = (document.value as { schemaId?: unknown } | null)?.schemaId;
  if (schemaId === LEGACY_SCHEMA_ID) return legacyBudget(document.value, context.receivedAt);
  const parsed = commonAlertSchema.safeParse(document.value);
  if (!parsed.success) {
    if (schemaId !== COMMON_SCHEMA_ID) {
      return failure([
        { field: 'schemaId', reason: `expected "${LEGACY_SCHEMA_ID}" or "${COMMON_SCHEMA_ID}"` },
      ]);
    }
    return failure(zodIssues(parsed.error));
  }
  if (parsed.data.data.essentials.monitoringService !== 'CostAlerts') {
    return failure([{ field: 'data.essentials.monitoringService', reason: 'expected "CostAlerts"' }]);
  }
  return budgetFromCommonSchema('azure-budget', parsed.data, document.value);
});

const LEGACY_SCHEMA_ID = 'AIP Budget Notification';

/** An amount as budget payloads write it: `"4127.58"`, `"$4,127.58"`, `"4.127,58 €"`, or a number. */
const amountSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const amount = typeof value === 'number' ? value : parseAmount(value);
  if (amount === undefined || !Number.isFinite(amount)) {
    ctx.addIssue({ code: 'custom', message: `not an amount: ${JSON.stringify(value).slice(0, 40)}` });
    return z.NEVER;
  }
  return amount;
});

const startDateSchema = z.string().transform((value, ctx) => {
  const instant = parseInstant(value);
  if (instant === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a valid date: ${JSON.stringify(value.slice(0, 40))}` });
    return z.NEVER;
  }
  return instant;
});

const legacySchema = z.object({
  schemaId: z.literal(LEGACY_SCHEMA_ID),
  data: z.object({
    SubscriptionId: z.string().nullish(),
    SubscriptionName: z.string().nullish(),
    ResourceGroup: z.string().nullish(),
    BudgetName: z.string().min(1),
    BudgetType: z.string().nullish(),
    BudgetCreator: z.string().nullish(),
    Budget: amountSchema,
    SpendingAmount: amountSchema,
    NotificationThresholdAmount: amountSchema,
    BudgetStartDate: startDateSchema,
    Unit: z.string().nullish(),
  }),
});

const alertDataSchema = z.object({
  BudgetName: z.string().min(1),
  BudgetId: z.string().nullish(),
  Scope: z.string().nullish(),
  ThresholdType: z.enum(['Actual', 'Forecasted']).nullish(),
  BudgetType: z.string().nullish(),
  BudgetThreshold: amountSchema,
  NotificationThresholdAmount: amountSchema,
  SpentAmount: amountSchema,
  BudgetStartDate: startDateSchema.nullish(),
  BudgetCreator: z.string().nullish(),
  Unit: z.string().nullish(),
});

interface Budget {
  name: string;
  id?: string | null | undefined;
  scope?: string | null | undefined;
  subscriptionId?: string | null | undefined;
  resourceGroup?: string | null | undefined;
  thresholdType: 'Actual' | 'Forecasted';
  budget: number;
  threshold: number;
  spent: number;
  startDate?: Date | null | undefined;
  unit?: string | null | undefined;
}

function legacyBudget(raw: unknown, receivedAt: Date): AdapterResult {
  const parsed = legacySchema.safeParse(raw);
  if (!parsed.success) return failure(zodIssues(parsed.error));
  const data = parsed.data.data;
  const budget: Budget = {
    name: data.BudgetName,
    subscriptionId: data.SubscriptionId,
    resourceGroup: data.ResourceGroup,
    thresholdType: 'Actual',
    budget: data.Budget,
    threshold: data.NotificationThresholdAmount,
    spent: data.SpendingAmount,
    startDate: data.BudgetStartDate,
    unit: data.Unit,
  };
  return { ok: true, signals: [toSignal('azure-budget', budget, receivedAt, undefined, raw)] };
}

/** Normalizes a common-schema CostAlerts payload (shared with the azure-monitor adapter). */
export function budgetFromCommonSchema(
  source: SignalSource,
  alert: CommonAlert,
  raw: unknown,
): AdapterResult {
  const parsed = alertDataSchema.safeParse(alert.data.alertContext?.AlertData);
  if (!parsed.success) return failure(zodIssues(parsed.error, undefined, 'data.alertContext.AlertData'));
  const data = parsed.data;
  const scope = data.Scope ?? undefined;
  const budget: Budget = {
    name: data.BudgetName,
    id: data.BudgetId,
    scope,
    subscriptionId: /\/subscriptions\/([^/]+)/i.exec(scope ?? '')?.[1],
    resourceGroup: /\/resourceGroups\/([^/]+)/i.exec(scope ?? '')?.[1],
    thresholdType: data.ThresholdType ?? 'Actual',
    budget: data.BudgetThreshold,
    threshold: data.NotificationThresholdAmount,
    spent: data.SpentAmount,
    startDate: data.BudgetStartDate,
    unit: data.Unit,
  };
  const { essentials } = alert.data;
  return { ok: true, signals: [toSignal(source, budget, essentials.firedDateTime, essentials.alertId, raw)] };
}

function toSignal(
  source: SignalSource,
  budget: Budget,
  occurredAt: Date,
  alertId: string | undefined,
  raw: unknown,
): NormalizedSignal {
  const percent = budget.budget > 0 ? Math.round((budget.spent / budget.budget) * 1000) / 10 : undefined;
  const identity =
    budget.id ?? [budget.subscriptionId, budget.resourceGroup, budget.name].filter(Boolean).join('/');
  const period = budget.startDate?.toISOString().slice(0, 10) ?? '-';
  const month = occurredAt.toISOString().slice(0, 7);
  const unit = budget.unit ? ` ${budget.unit}` : '';
  const spentWord = budget.thresholdType === 'Forecasted' ? 'forecast spend' : 'actual spend';
  return {
    source,
    kind: 'resource_anomaly',
    severityHint: severityOf(budget, percent),
    status: 'firing',
    occurredAt,
    dedupKey: `${source}:budget:${identity}:${budget.thresholdType}:${budget.threshold}:${period}:${month}`,
    ...(alertId === undefined ? {} : { correlationKey: `${source}:${alertId}` }),
    entities: compactEntities({
      budgetName: budget.name,
      budgetId: budget.id,
      resourceId: budget.id ?? budget.scope,
      scope: budget.scope,
      subscriptionId: budget.subscriptionId,
      resourceGroup: budget.resourceGroup,
      thresholdType: budget.thresholdType,
      budgetAmount: budget.budget,
      thresholdAmount: budget.threshold,
      spentAmount: budget.spent,
      spentPercent: percent,
      currency: budget.unit,
      periodStart: budget.startDate?.toISOString(),
    }),
    summary:
      `Budget ${budget.name}: ${spentWord} ${budget.spent}${unit}` +
      `${percent === undefined ? '' : ` (${percent}% of ${budget.budget}${unit})`} passed the threshold ${budget.threshold}${unit}`,
    raw,
  };
}

function severityOf(budget: Budget, percent: number | undefined): SeverityHint {
  if (percent === undefined) return 'medium';
  if (budget.thresholdType === 'Forecasted') return percent >= 100 ? 'medium' : 'low';
  if (percent >= 100) return 'high';
  return percent >= 80 ? 'medium' : 'low';
}

/**
 * Reads a currency-formatted amount: symbols and spaces dropped; when both
 * `.` and `,` appear the last one is the decimal mark; a lone `,` followed by
 * exactly three digits groups thousands, otherwise it is the decimal mark.
 */
export function parseAmount(value: string): number | undefined {
  let digits = value.replace(/[^\d.,-]/g, '');
  if (!/\d/.test(digits)) return undefined;
  const lastDot = digits.lastIndexOf('.');
  const lastComma = digits.lastIndexOf(',');
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const group = decimal === '.' ? ',' : '.';
    digits = digits.split(group).join('').replace(decimal, '.');
  } else if (lastComma >= 0) {
    digits = /^-?\d{1,3}(,\d{3})+$/.test(digits) ? digits.split(',').join('') : digits.replace(',', '.');
  }
  if (!/^-?\d+(\.\d+)?$/.test(digits)) return undefined;
  return Number(digits);
}
