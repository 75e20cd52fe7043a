import { z } from 'zod';
import type { NormalizedSignal } from '../signal-types.ts';
import {
  asRecord,
  compactEntities,
  defineAdapter,
  failure,
  hashKey,
  normalizeAll,
  parseBatchBody,
  type RecordOutcome,
  truncate,
  zodIssues,
} from './adapter-helpers.ts';
import { instantSchema, parseInstant } from './adapter-time.ts';
import {
  type ColumnCheck,
  columnChecks,
  isNullishNumber,
  isNullishString,
  isString,
  passesColumns,
} from './column-check.ts';
import { type AuditEvent, classifyAuditEvent } from './sql-audit-classify.ts';

/**
 * Azure SQL audit records as they land in Log Analytics: `AzureDiagnostics`
 * rows (`Category: "SQLSecurityAuditEvents"`, suffixed columns such as
 * `action_id_s`, `succeeded_s` as a string) or rows of the resource-specific
 * `SQLSecurityAuditEvents` table (PascalCase, real booleans). A JSON array or
 * NDJSON, all or nothing. Kinds and severities: see `sql-audit-classify.ts`.
 *
 * - dedupKey: the event time, then `EventId`, else sequence group id +
 *   sequence number (a record over 4000 characters is split into several
 *   sequence numbers), else a hash of the record. Leading with the record's
 *   own time keeps a retry's key identical while making the store's unique
 *   index grow at its end instead of at random pages (audit streams are the
 *   largest bodies Vigil takes).
 * - occurredAt: `event_time_t` / `EventTime` (`TimeGenerated` is ingestion time).
 */
export const sqlAuditAdapter = defineAdapter('sql-audit', (body, context) => {
  const batch = parseBatchBody(body, context.contentType);
  if (!batch.ok) return failure(batch.issues);
  return normalizeAll(batch.records, normalizeRecord);
});

const optionalText = z.string().nullish();
const optionalNumber = z.number().nullish();
const requiredText = z.string();
const stringBoolean = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]).nullish();
const diagnosticsCategory = z.literal('SQLSecurityAuditEvents');
const resourceSpecificType = z.literal('SQLSecurityAuditEvents');

const diagnosticsColumns = {
  Category: diagnosticsCategory,
  event_time_t: instantSchema,
  action_id_s: requiredText,
  action_name_s: optionalText,
  succeeded_s: stringBoolean,
  server_principal_name_s: optionalText,
  database_principal_name_s: optionalText,
  target_server_principal_name_s: optionalText,
  target_database_principal_name_s: optionalText,
  client_ip_s: optionalText,
  application_name_s: optionalText,
  host_name_s: optionalText,
  database_name_s: optionalText,
  server_instance_name_s: optionalText,
  LogicalServerName_s: optionalText,
  schema_name_s: optionalText,
  object_name_s: optionalText,
  statement_s: optionalText,
  additional_information_s: optionalText,
  response_rows_d: optionalNumber,
  affected_rows_d: optionalNumber,
  duration_milliseconds_d: optionalNumber,
  sequence_group_id_g: optionalText,
  sequence_number_d: optionalNumber,
  event_id_g: optionalText,
  _ResourceId: optionalText,
  ResourceId: optionalText,
};

const resourceSpecificColumns = {
  Type: resourceSpecificType,
  EventTime: instantSchema,
  ActionId: requiredText,
  ActionName: optionalText,
  Succeeded: stringBoolean,
  ServerPrincipalName: optionalText,
  DatabasePrincipalName: optionalText,
  TargetServerPrincipalName: optionalText,
  TargetDatabasePrincipalName: optionalText,
  ClientIp: optionalText,
  ApplicationName: optionalText,
  HostName: optionalText,
  DatabaseName: optionalText,
  ServerInstanceName: optionalText,
  SchemaName: optionalText,
  ObjectName: optionalText,
  Statement: optionalText,
  AdditionalInformation: optionalText,
  ResponseRows: optionalNumber,
  AffectedRows: optionalNumber,
  DurationMs: optionalNumber,
  EventId: optionalText,
  SequenceGroupId: optionalText,
  SequenceNumber: optionalNumber,
  _ResourceId: optionalText,
};

/** A row of either layout as its schema gives it, less the event time (passed on its own). */
type DiagnosticsRow = Omit<z.output<z.ZodObject<typeof diagnosticsColumns>>, 'event_time_t'>;
type ResourceSpecificRow = Omit<z.output<z.ZodObject<typeof resourceSpecificColumns>>, 'EventTime'>;

function flag(value: boolean | string | null | undefined): boolean | undefined {
  return value == null ? undefined : String(value).toLowerCase() === 'true';
}

function fromDiagnostics(row: DiagnosticsRow, eventTime: Date): AuditEvent {
  return {
    eventTime,
    actionId: row.action_id_s.trim().toUpperCase(),
    actionName: row.action_name_s ?? undefined,
    succeeded: flag(row.succeeded_s),
    principal: row.server_principal_name_s ?? undefined,
    databasePrincipal: row.database_principal_name_s ?? undefined,
    targetPrincipal: row.target_database_principal_name_s || row.target_server_principal_name_s || undefined,
    clientIp: row.client_ip_s ?? undefined,
    application: row.application_name_s ?? undefined,
    host: row.host_name_s ?? undefined,
    database: row.database_name_s ?? undefined,
    server: row.server_instance_name_s || row.LogicalServerName_s || undefined,
    schemaName: row.schema_name_s ?? undefined,
    objectName: row.object_name_s ?? undefined,
    statement: row.statement_s ?? undefined,
    additionalInformation: row.additional_information_s ?? undefined,
    responseRows: row.response_rows_d ?? undefined,
    affectedRows: row.affected_rows_d ?? undefined,
    durationMs: row.duration_milliseconds_d ?? undefined,
    eventId: row.event_id_g ?? undefined,
    sequenceGroupId: row.sequence_group_id_g ?? undefined,
    sequenceNumber: row.sequence_number_d ?? undefined,
    resourceId: row._ResourceId ?? row.ResourceId ?? undefined,
  };
}

function fromResourceSpecific(row: ResourceSpecificRow, eventTime: Date): AuditEvent {
  return {
    eventTime,
    actionId: row.ActionId.trim().toUpperCase(),
    actionName: row.ActionName ?? undefined,
    succeeded: flag(row.Succeeded),
    principal: row.ServerPrincipalName ?? undefined,
    databasePrincipal: row.DatabasePrincipalName ?? undefined,
    targetPrincipal: row.TargetDatabasePrincipalName || row.TargetServerPrincipalName || undefined,
    clientIp: row.ClientIp ?? undefined,
    application: row.ApplicationName ?? undefined,
    host: row.HostName ?? undefined,
    database: row.DatabaseName ?? undefined,
    server: row.ServerInstanceName ?? undefined,
    schemaName: row.SchemaName ?? undefined,
    objectName: row.ObjectName ?? undefined,
    statement: row.Statement ?? undefined,
    additionalInformation: row.AdditionalInformation ?? undefined,
    responseRows: row.ResponseRows ?? undefined,
    affectedRows: row.AffectedRows ?? undefined,
    durationMs: row.DurationMs ?? undefined,
    eventId: row.EventId ?? undefined,
    sequenceGroupId: row.SequenceGroupId ?? undefined,
    sequenceNumber: row.SequenceNumber ?? undefined,
    resourceId: row._ResourceId ?? undefined,
  };
}

const STRING_BOOLEANS = new Set<unknown>(['true', 'false', 'True', 'False']);

const knownChecks = new Map<z.ZodType, ColumnCheck>([
  [optionalText, isNullishString],
  [optionalNumber, isNullishNumber],
  [requiredText, isString],
  // Parsed right after the checks; a string it cannot read goes to the schema for its issue.
  [instantSchema, isString],
  [stringBoolean, (v) => v == null || typeof v === 'boolean' || STRING_BOOLEANS.has(v as string)],
  [diagnosticsCategory, (v) => v === 'SQLSecurityAuditEvents'],
  [resourceSpecificType, (v) => v === 'SQLSecurityAuditEvents'],
]);

/** One Log Analytics layout: its schema, the checks of its fast path, and how a row becomes an event. */
const layouts = {
  diagnostics: {
    schema: z
      .object(diagnosticsColumns)
      .transform((row): AuditEvent => fromDiagnostics(row, row.event_time_t)),
    checks: columnChecks(diagnosticsColumns, knownChecks),
    timeColumn: 'event_time_t',
    toEvent: (row: Record<string, unknown>, at: Date) => fromDiagnostics(row as DiagnosticsRow, at),
  },
  resourceSpecific: {
    schema: z
      .object(resourceSpecificColumns)
      .transform((row): AuditEvent => fromResourceSpecific(row, row.EventTime)),
    checks: columnChecks(resourceSpecificColumns, knownChecks),
    timeColumn: 'EventTime',
    toEvent: (row: Record<string, unknown>, at: Date) => fromResourceSpecific(row as ResourceSpecificRow, at),
  },
};

/**
 * The record as an audit event without running its schema, when the checks vouch for every
 * column and the event time reads; undefined sends the record through the schema. Exported for
 * the test that holds it to the schema's answer.
 */
export function readAuditEventFast(raw: unknown): AuditEvent | undefined {
  const record = asRecord(raw);
  if (!record) return undefined;
  const layout = record.Type === 'SQLSecurityAuditEvents' ? layouts.resourceSpecific : layouts.diagnostics;
  if (!passesColumns(record, layout.checks)) return undefined;
  const eventTime = parseInstant(record[layout.timeColumn] as string);
  return eventTime === undefined ? undefined : layout.toEvent(record, eventTime);
}

/** The record as an audit event through its layout's schema: the reference the fast path matches. */
export function readAuditEvent(
  raw: unknown,
): { ok: true; event: AuditEvent } | { ok: false; error: z.ZodError } {
  const layout =
    asRecord(raw)?.Type === 'SQLSecurityAuditEvents' ? layouts.resourceSpecific : layouts.diagnostics;
  const parsed = layout.schema.safeParse(raw);
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, error: parsed.error };
}

function normalizeRecord(raw: unknown, index: number): RecordOutcome {
  const fast = readAuditEventFast(raw);
  if (fast) return { ok: true, signal: toSignal(fast, raw) };
  const read = readAuditEvent(raw);
  if (!read.ok) return { ok: false, issues: zodIssues(read.error, index) };
  return { ok: true, signal: toSignal(read.event, raw) };
}

function toSignal(event: AuditEvent, raw: unknown): NormalizedSignal {
  const { kind, severityHint } = classifyAuditEvent(event);
  const rows = event.responseRows || event.affectedRows || undefined;
  const object = [event.schemaName, event.objectName].filter(Boolean).join('.');
  const outcome = event.succeeded === undefined ? undefined : event.succeeded ? 'success' : 'failure';
  return {
    source: 'sql-audit',
    kind,
    severityHint,
    status: 'firing',
    occurredAt: event.eventTime,
    dedupKey: dedupKeyOf(event, raw),
    entities: compactEntities({
      principal: event.principal,
      clientIp: event.clientIp,
      database: event.database,
      server: event.server,
      application: event.application,
      resourceId: event.resourceId,
      statement: event.statement === undefined ? undefined : truncate(event.statement, 2000),
      rows,
      actionId: event.actionId,
      outcome,
      host: event.host,
      databasePrincipal: event.databasePrincipal,
      targetPrincipal: event.targetPrincipal,
      object: object || undefined,
      durationMs: event.durationMs,
      errorCode: errorCode(event.additionalInformation),
    }),
    summary: summaryOf(event, outcome),
    raw,
  };
}

function dedupKeyOf(event: AuditEvent, raw: unknown): string {
  const at = event.eventTime.toISOString();
  if (event.eventId) return `sql-audit:${at}:event:${event.eventId}`;
  if (event.sequenceGroupId && event.sequenceNumber !== undefined) {
    return `sql-audit:${at}:seq:${event.sequenceGroupId}:${event.sequenceNumber}`;
  }
  return `sql-audit:${at}:${hashKey('sql-audit', raw).slice('sql-audit:'.length)}`;
}

// Element names as Microsoft Sentinel's failed-login rule extracts them.
function errorCode(information: string | undefined): number | undefined {
  const match = /<error_code>(\d+)<\/error_code>|Err (\d+),/.exec(information ?? '');
  const code = match?.[1] ?? match?.[2];
  return code === undefined ? undefined : Number(code);
}

function summaryOf(event: AuditEvent, outcome: string | undefined): string {
  const action = event.actionName ?? event.actionId;
  const who = event.principal ? ` by ${event.principal}` : '';
  const from = event.clientIp ? ` from ${event.clientIp}` : '';
  const where = event.database ? ` on ${event.server ? `${event.server}/` : ''}${event.database}` : '';
  const failed = outcome === 'failure' && !/FAILED/i.test(action) ? ' (failed)' : '';
  return `${action}${failed}${who}${from}${where}`;
}
