import { z } from 'zod';
import type { NormalizedSignal, SeverityHint } from '../signal-types.ts';
import {
  asRecord,
  compactEntities,
  defineAdapter,
  failure,
  hashKey,
  normalizeAll,
  parseBatchBody,
  type RecordOutcome,
  text,
  truncate,
  zodIssues,
} from './adapter-helpers.ts';
import { instantSchema } from './adapter-time.ts';

/**
 * Workspace-based Application Insights rows, a JSON array or NDJSON, all or
 * nothing: `AppExceptions` (kind app_error) and `AppRequests` (Success false
 * → request_failure; a successful request → generic_alert with severity
 * info, kept so that a failure rate has its denominator).
 *
 * - severity: exceptions by `SeverityLevel` (4 Critical → critical, 3 Error
 *   → high, 2 Warning → medium, 1 Information / 0 Verbose → info, absent →
 *   high); failed requests by `ResultCode` (5xx → medium, other → low).
 * - dedupKey: requests by `OperationId` + `Id`; exceptions carry no row id,
 *   so a hash of the record. correlationKey: `OperationId` (joins an
 *   exception to its request).
 * - occurredAt: `TimeGenerated` (for requests the start of the request).
 */
export const appInsightsAdapter = defineAdapter('appinsights', (body, context) => {
  const batch = parseBatchBody(body, context.contentType);
  if (!batch.ok) return failure(batch.issues);
  return normalizeAll(batch.records, normalizeRecord);
});

const optionalText = z.string().nullish();
const common = {
  TimeGenerated: instantSchema,
  AppRoleName: optionalText,
  AppRoleInstance: optionalText,
  OperationId: optionalText,
  OperationName: optionalText,
  _ResourceId: optionalText,
  Properties: z.record(z.string(), z.unknown()).nullish(),
};

const exceptionSchema = z.object({
  ...common,
  Type: z.literal('AppExceptions'),
  ProblemId: optionalText,
  ExceptionType: optionalText,
  OuterType: optionalText,
  Message: optionalText,
  OuterMessage: optionalText,
  InnermostMessage: optionalText,
  SeverityLevel: z.number().int().min(0).max(4).nullish(),
});

const requestSchema = z.object({
  ...common,
  Type: z.literal('AppRequests'),
  Id: optionalText,
  Name: optionalText,
  Url: optionalText,
  Success: z.boolean(),
  ResultCode: z.union([z.string(), z.number()]).nullish(),
  DurationMs: z.number().nullish(),
});

type ExceptionRow = z.infer<typeof exceptionSchema>;
type RequestRow = z.infer<typeof requestSchema>;

function normalizeRecord(raw: unknown, index: number): RecordOutcome {
  const type = asRecord(raw)?.Type;
  if (type === 'AppRequests') {
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, index) };
    return { ok: true, signal: fromRequest(parsed.data, raw) };
  }
  if (type === 'AppExceptions') {
    const parsed = exceptionSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, index) };
    return { ok: true, signal: fromException(parsed.data, raw) };
  }
  return {
    ok: false,
    issues: [{ record: index, field: 'Type', reason: 'expected "AppExceptions" or "AppRequests"' }],
  };
}

function sharedEntities(row: ExceptionRow | RequestRow) {
  const properties = row.Properties ?? {};
  return {
    application: row.AppRoleName,
    roleInstance: row.AppRoleInstance,
    operationId: row.OperationId,
    operationName: row.OperationName,
    resourceId: row._ResourceId,
    server: text(properties['db.server']),
    database: text(properties['db.name']),
    sqlErrorNumber: text(properties.sqlErrorNumber),
  };
}

function correlation(row: ExceptionRow | RequestRow): { correlationKey?: string } {
  return row.OperationId ? { correlationKey: `appinsights:${row.OperationId}` } : {};
}

function fromException(row: ExceptionRow, raw: unknown): NormalizedSignal {
  const message = row.Message ?? row.OuterMessage ?? row.InnermostMessage ?? '';
  const type = row.ExceptionType ?? row.OuterType ?? 'Exception';
  return {
    source: 'appinsights',
    kind: 'app_error',
    severityHint: exceptionSeverity(row.SeverityLevel),
    status: 'firing',
    occurredAt: row.TimeGenerated,
    // Led by the record's own time, like SQL audit keys: retries keep the key, the index grows at its end.
    dedupKey: `appinsights:${row.TimeGenerated.toISOString()}:${hashKey('appinsights', raw).slice('appinsights:'.length)}`,
    ...correlation(row),
    entities: compactEntities({
      ...sharedEntities(row),
      problemId: row.ProblemId,
      exceptionType: type,
      message: message === '' ? undefined : truncate(message, 2000),
    }),
    summary: truncate(
      `${type}${message ? `: ${message}` : ''}${row.AppRoleName ? ` in ${row.AppRoleName}` : ''}`,
      1024,
    ),
    raw,
  };
}

function fromRequest(row: RequestRow, raw: unknown): NormalizedSignal {
  const resultCode = row.ResultCode == null ? undefined : String(row.ResultCode);
  const name = row.Name ?? row.OperationName ?? 'request';
  return {
    source: 'appinsights',
    kind: row.Success ? 'generic_alert' : 'request_failure',
    severityHint: row.Success ? 'info' : /^5\d\d$/.test(resultCode ?? '') ? 'medium' : 'low',
    status: 'firing',
    occurredAt: row.TimeGenerated,
    dedupKey:
      row.Id && row.OperationId
        ? `appinsights:${row.TimeGenerated.toISOString()}:request:${row.OperationId}:${row.Id}`
        : `appinsights:${row.TimeGenerated.toISOString()}:${hashKey('appinsights', raw).slice('appinsights:'.length)}`,
    ...correlation(row),
    entities: compactEntities({
      ...sharedEntities(row),
      resultCode,
      requestId: row.Id,
      url: row.Url,
      durationMs: row.DurationMs,
    }),
    summary: `${name} ${row.Success ? 'succeeded' : 'failed'}${resultCode ? ` with ${resultCode}` : ''}${row.AppRoleName ? ` in ${row.AppRoleName}` : ''}`,
    raw,
  };
}

function exceptionSeverity(level: number | null | undefined): SeverityHint {
  switch (level) {
    case 4:
      return 'critical';
    case 3:
      return 'high';
    case 2:
      return 'medium';
    case 1:
    case 0:
      return 'info';
    default:
      return 'high';
  }
}
