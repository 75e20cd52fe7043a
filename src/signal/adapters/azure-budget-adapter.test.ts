import { describe, expect, it } from 'vitest';
import {
  CONTEXT,
  expectStableKeys,
  parseIssues,
  parseOk,
  RECEIVED_AT,
  REMOVE,
  readVector,
  vectorWith,
} from '../../../test/fixtures/signals/signal-vectors.ts';
import { azureBudgetAdapter, parseAmount } from './azure-budget-adapter.ts';

const LEGACY = 'budget-alert.json';
const COMMON = 'budget-alert-common-schema.json';

describe('azure-budget adapter', () => {
  it('reads the legacy notification at the receive time', () => {
    const [signal] = parseOk(azureBudgetAdapter, readVector(LEGACY));
    expect(signal).toMatchObject({
      source: 'azure-budget',
      kind: 'resource_anomaly',
      status: 'firing',
      severityHint: 'medium',
      occurredAt: RECEIVED_AT,
      entities: {
        budgetName: 'rg-orders-prod-monthly',
        subscriptionId: '4f6c2a1e-9b3d-4c8e-a7f1-2d5e8b0c9a13',
        resourceGroup: 'rg-orders-prod',
        thresholdType: 'Actual',
        budgetAmount: 5000,
        thresholdAmount: 4000,
        spentAmount: 4127.58,
        spentPercent: 82.6,
        periodStart: '2024-05-01T00:00:00.000Z',
      },
    });
    expect(signal?.dedupKey).toBe(
      'azure-budget:budget:4f6c2a1e-9b3d-4c8e-a7f1-2d5e8b0c9a13/rg-orders-prod/rg-orders-prod-monthly:Actual:4000:2024-05-01:2024-05',
    );
  });

  it('reads the common-schema CostAlerts notification with currency strings', () => {
    const [signal] = parseOk(azureBudgetAdapter, readVector(COMMON));
    expect(signal).toMatchObject({
      kind: 'resource_anomaly',
      severityHint: 'medium',
      entities: { thresholdType: 'Actual', spentAmount: 4127.58, budgetAmount: 5000, thresholdAmount: 4000 },
    });
    expect(signal?.occurredAt.toISOString()).toBe('2024-05-14T06:02:11.418Z');
    expect(signal?.correlationKey).toContain(
      'Microsoft.CostManagement/alerts/rg-orders-prod-monthly_Actual_80',
    );
  });

  it('dedups per budget, threshold and period', () => {
    expectStableKeys(azureBudgetAdapter, readVector(LEGACY));
    expectStableKeys(azureBudgetAdapter, readVector(COMMON));
    const key = (field: string, value: string) =>
      parseOk(azureBudgetAdapter, vectorWith(COMMON, { [`data.alertContext.AlertData.${field}`]: value }))[0]
        ?.dedupKey;
    const base = parseOk(azureBudgetAdapter, readVector(COMMON))[0]?.dedupKey;
    expect(key('NotificationThresholdAmount', '$4,500.00')).not.toBe(base);
    expect(key('ThresholdType', 'Forecasted')).not.toBe(base);
    expect(key('BudgetStartDate', '2024-06-01')).not.toBe(base);
    expect(key('SpentAmount', '$4,200.00')).toBe(base);
    const nextMonth = { ...CONTEXT, receivedAt: new Date('2024-06-14T12:00:00Z') };
    const legacy = parseOk(azureBudgetAdapter, readVector(LEGACY), nextMonth)[0]?.dedupKey;
    expect(legacy).not.toBe(parseOk(azureBudgetAdapter, readVector(LEGACY))[0]?.dedupKey);
  });

  it.each([
    ['Actual', '$5,100.00', 'high'],
    ['Actual', '$4,127.58', 'medium'],
    ['Actual', '$2,000.00', 'low'],
    ['Forecasted', '$5,600.00', 'medium'],
    ['Forecasted', '$4,600.00', 'low'],
  ])('gives %s spend %s the severity %s', (type, spent, hint) => {
    const body = vectorWith(COMMON, {
      'data.alertContext.AlertData.ThresholdType': type,
      'data.alertContext.AlertData.SpentAmount': spent,
    });
    expect(parseOk(azureBudgetAdapter, body)[0]?.severityHint).toBe(hint);
  });

  it.each([
    ['4127.58', 4127.58],
    ['$4,127.58', 4127.58],
    ['4.127,58 €', 4127.58],
    ['1,000', 1000],
    ['12,5', 12.5],
    ['USD', undefined],
  ])('reads the amount %s as %s', (text, amount) => {
    expect(parseAmount(text)).toBe(amount);
  });

  it('refuses invalid JSON, an unknown schemaId and another monitoring service', () => {
    expect(parseIssues(azureBudgetAdapter, '')[0]?.field).toBe('(body)');
    expect(parseIssues(azureBudgetAdapter, JSON.stringify({ schemaId: 'Other', data: {} }))).toEqual([
      expect.objectContaining({ field: 'schemaId' }),
    ]);
    expect(parseIssues(azureBudgetAdapter, readVector('azure-monitor-metric-alert-fired.json'))).toEqual([
      expect.objectContaining({ field: 'data.essentials.monitoringService' }),
    ]);
  });

  it('names missing, mistyped and unparseable fields', () => {
    const legacy = vectorWith(LEGACY, {
      'data.BudgetName': REMOVE,
      'data.SpendingAmount': 'lots',
      'data.BudgetStartDate': 'the first of May',
    });
    expect(parseIssues(azureBudgetAdapter, legacy)).toEqual(
      expect.arrayContaining([
        { field: 'data.BudgetName', reason: 'required' },
        expect.objectContaining({ field: 'data.SpendingAmount' }),
        expect.objectContaining({ field: 'data.BudgetStartDate' }),
      ]),
    );
    const common = vectorWith(COMMON, { 'data.alertContext.AlertData.SpentAmount': true });
    expect(parseIssues(azureBudgetAdapter, common)).toEqual([
      expect.objectContaining({ field: 'data.alertContext.AlertData.SpentAmount' }),
    ]);
  });
});
