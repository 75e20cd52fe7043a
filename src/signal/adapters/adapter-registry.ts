import { SIGNAL_SOURCES, type SignalAdapter, type SignalSource } from '../signal-types.ts';
import { alertmanagerAdapter } from './alertmanager-adapter.ts';
import { appInsightsAdapter } from './appinsights-adapter.ts';
import { azureBudgetAdapter } from './azure-budget-adapter.ts';
import { azureMonitorAdapter } from './azure-monitor-adapter.ts';
import { defenderAdapter } from './defender-adapter.ts';
import { genericAdapter } from './generic-adapter.ts';
import { pagerDutyAdapter } from './pagerduty-adapter.ts';
import { sqlAuditAdapter } from './sql-audit-adapter.ts';
import { vigilAdapter } from './vigil-adapter.ts';

export { pagerDutyAcceptedBody, pagerDutyInvalidBody } from './pagerduty-adapter.ts';

/**
 * Every ingest adapter by source. Adapters are pure and stateless, so one
 * shared table is safe; the composition root still decides which are served.
 */
export const signalAdapters: Readonly<Record<SignalSource, SignalAdapter>> = Object.freeze({
  alertmanager: alertmanagerAdapter,
  'azure-monitor': azureMonitorAdapter,
  defender: defenderAdapter,
  'sql-audit': sqlAuditAdapter,
  appinsights: appInsightsAdapter,
  'azure-budget': azureBudgetAdapter,
  generic: genericAdapter,
  pagerduty: pagerDutyAdapter,
  vigil: vigilAdapter,
});

/** True when `name` is one of the signal sources (e.g. a `{source}` path parameter). */
export function isSignalSource(name: string): name is SignalSource {
  return (SIGNAL_SOURCES as readonly string[]).includes(name);
}

/**
 * The adapter for a source named in a request, or undefined (→ 404).
 *
 * @example findSignalAdapter('sql-audit')?.parse(body, { contentType, receivedAt: clock.now() })
 */
export function findSignalAdapter(name: string): SignalAdapter | undefined {
  return isSignalSource(name) ? signalAdapters[name] : undefined;
}
