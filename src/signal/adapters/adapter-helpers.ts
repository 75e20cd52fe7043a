import type { z } from 'zod';
import { canonicalJson, sha256Hex } from '../../platform/crypto.ts';
import { rememberRawText } from '../raw-text.ts';
import {
  type AdapterIssue,
  type AdapterResult,
  MAX_BATCH_RECORDS,
  MAX_LISTED_ISSUES,
  type NormalizedSignal,
  type ParseContext,
  type SeverityHint,
  type SignalAdapter,
  type SignalEntities,
  type SignalSource,
} from '../signal-types.ts';

/** What one record turns into: a signal, or the reasons it cannot be one. */
export type RecordOutcome = { ok: true; signal: NormalizedSignal } | { ok: false; issues: AdapterIssue[] };

const NUL = '\u0000';
const hasNul = (text: string | undefined) => text?.includes(NUL) === true;

/**
 * The signal with every NUL (U+0000, which a sender may write as `\u0000` in
 * JSON) in the text it extracted replaced by U+FFFD. PostgreSQL's text cannot
 * hold a NUL, and one odd character in a log line should not refuse a batch;
 * replacing it on both databases keeps them alike. `raw` keeps the sender's
 * record as sent: it is stored as JSON text, where a NUL is escaped.
 */
function withoutNul(signal: NormalizedSignal): NormalizedSignal {
  const entityHasNul = Object.entries(signal.entities).some(
    ([key, value]) => hasNul(key) || (typeof value === 'string' && hasNul(value)),
  );
  if (
    !entityHasNul &&
    !hasNul(signal.summary) &&
    !hasNul(signal.dedupKey) &&
    !hasNul(signal.correlationKey)
  ) {
    return signal;
  }
  const clean = (text: string) => text.replaceAll(NUL, '\ufffd');
  const entities: SignalEntities = {};
  for (const [key, value] of Object.entries(signal.entities)) {
    entities[clean(key)] = typeof value === 'string' ? clean(value) : value;
  }
  return {
    ...signal,
    summary: clean(signal.summary),
    dedupKey: clean(signal.dedupKey),
    ...(signal.correlationKey === undefined ? {} : { correlationKey: clean(signal.correlationKey) }),
    entities,
  };
}

/**
 * Builds an adapter whose `parse` never throws: anything unexpected (a
 * pathological body that exhausts the stack, say) becomes an issue on
 * `(body)` rather than a crash of the request. Accepted signals carry no NUL
 * in their extracted text (see {@link withoutNul}).
 */
export function defineAdapter(
  source: SignalSource,
  parse: (body: string, context: ParseContext) => AdapterResult,
): SignalAdapter {
  return {
    source,
    parse(body, context) {
      try {
        const result = parse(body, context);
        return result.ok ? { ok: true, signals: result.signals.map(withoutNul) } : result;
      } catch (error) {
        return failure([{ field: '(body)', reason: `unprocessable body: ${(error as Error).message}` }]);
      }
    },
  };
}

/** A refusal listing at most {@link MAX_LISTED_ISSUES} issues; the last one counts those left out. */
export function failure(issues: AdapterIssue[]): AdapterResult {
  if (issues.length <= MAX_LISTED_ISSUES) return { ok: false, issues };
  const listed = issues.slice(0, MAX_LISTED_ISSUES - 1);
  const left = issues.length - listed.length;
  listed.push({ field: '(body)', reason: `${left} more issues not listed` });
  return { ok: false, issues: listed };
}

/** Parses a body holding one JSON document. */
export function parseJsonDocument(
  body: string,
): { ok: true; value: unknown } | { ok: false; issues: AdapterIssue[] } {
  if (body.trim() === '') return { ok: false, issues: [{ field: '(body)', reason: 'empty body' }] };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, issues: [{ field: '(body)', reason: `invalid JSON: ${(error as Error).message}` }] };
  }
}

/**
 * Splits a batch body into records: a JSON array, one JSON object, or NDJSON
 * (one object a line, blank lines ignored). Refuses more than
 * {@link MAX_BATCH_RECORDS} records, and lists every line that is not JSON.
 */
export function parseBatchBody(
  body: string,
  contentType: string | undefined,
): { ok: true; records: unknown[] } | { ok: false; issues: AdapterIssue[] } {
  const trimmed = body.trim();
  if (trimmed === '') return { ok: false, issues: [{ field: '(body)', reason: 'empty body' }] };
  const ndjsonDeclared = /ndjson|jsonl|json-seq/i.test(contentType ?? '');
  if (trimmed.startsWith('[') || !ndjsonDeclared) {
    try {
      const value: unknown = JSON.parse(trimmed);
      return countChecked(Array.isArray(value) ? value : [value]);
    } catch (error) {
      // A JSON array must parse whole; anything else may still be NDJSON.
      if (trimmed.startsWith('[')) {
        return {
          ok: false,
          issues: [{ field: '(body)', reason: `invalid JSON: ${(error as Error).message}` }],
        };
      }
    }
  }
  const records: unknown[] = [];
  const issues: AdapterIssue[] = [];
  const lines = trimmed.split('\n');
  for (const [lineIndex, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const record = records.length;
    if (record >= MAX_BATCH_RECORDS) return tooMany();
    try {
      const parsed: unknown = JSON.parse(line);
      rememberRawText(parsed, line.trim());
      records.push(parsed);
    } catch (error) {
      records.push(undefined);
      issues.push({
        record,
        field: '(record)',
        reason: `line ${lineIndex + 1} is not JSON: ${(error as Error).message}`,
      });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, records };
}

function countChecked(
  records: unknown[],
): { ok: true; records: unknown[] } | { ok: false; issues: AdapterIssue[] } {
  if (records.length > MAX_BATCH_RECORDS) return tooMany();
  if (records.length === 0) return { ok: false, issues: [{ field: '(body)', reason: 'no records' }] };
  return { ok: true, records };
}

function tooMany(): { ok: false; issues: AdapterIssue[] } {
  return {
    ok: false,
    issues: [{ field: '(body)', reason: `more than ${MAX_BATCH_RECORDS} records; split the batch` }],
  };
}

/**
 * Normalizes every record of a batch, all or nothing: one bad record refuses
 * the whole batch, with the issues of every bad record.
 */
export function normalizeAll(
  records: unknown[],
  normalize: (raw: unknown, index: number) => RecordOutcome,
): AdapterResult {
  const signals: NormalizedSignal[] = [];
  const issues: AdapterIssue[] = [];
  for (const [index, raw] of records.entries()) {
    const outcome = normalize(raw, index);
    if (outcome.ok) signals.push(outcome.signal);
    else issues.push(...outcome.issues);
  }
  return issues.length > 0 ? failure(issues) : { ok: true, signals };
}

/** Turns zod's issues into adapter issues naming the record and the JSON path. */
export function zodIssues(error: z.ZodError, record?: number, prefix = ''): AdapterIssue[] {
  return error.issues.map((issue) => {
    const path = joinPath(prefix, issue.path);
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    const reason = missing ? 'required' : issue.message;
    return record === undefined ? { field: path, reason } : { record, field: path, reason };
  });
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let text = prefix;
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(record)' : text;
}

/** A dedup key from the record itself, for senders that give no id: `source:sha256:<hex>`. */
export function hashKey(source: SignalSource, value: unknown): string {
  return `${source}:sha256:${sha256Hex(canonicalJson(value))}`;
}

/** Entities without empty strings, undefined or non-finite numbers. */
export function compactEntities(entries: Record<string, string | number | null | undefined>): SignalEntities {
  const entities: SignalEntities = {};
  // for...in over the adapter's own object literal: no array of pairs per record.
  for (const key in entries) {
    const value = entries[key];
    if (typeof value === 'string' && value.trim() !== '') entities[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) entities[key] = value;
  }
  return entities;
}

/** Cuts a text to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The severity words of PagerDuty, Alertmanager conventions and the generic
 * event, mapped one way everywhere: critical → critical, error → high,
 * warning → medium, info → info; unknown words give undefined.
 */
export function severityFromWord(word: string | undefined): SeverityHint | undefined {
  switch (word?.trim().toLowerCase()) {
    case 'critical':
    case 'crit':
    case 'fatal':
    case 'emergency':
    case 'alert':
    case 'page':
      return 'critical';
    case 'high':
    case 'error':
    case 'err':
    case 'major':
      return 'high';
    case 'medium':
    case 'warning':
    case 'warn':
    case 'moderate':
    case 'minor':
      return 'medium';
    case 'low':
      return 'low';
    case 'info':
    case 'informational':
    case 'information':
    case 'notice':
    case 'none':
    case 'debug':
    case 'verbose':
      return 'info';
    default:
      return undefined;
  }
}

const SQL_RESOURCE = /\/servers\/([^/]+)(?:\/databases\/([^/]+))?/i;

/** The logical server and database named by an Azure SQL resource id, if it is one. */
export function sqlResourceParts(resourceId: string | undefined): { server?: string; database?: string } {
  if (resourceId === undefined || !/microsoft\.sql\//i.test(resourceId)) return {};
  const match = SQL_RESOURCE.exec(resourceId);
  if (!match) return {};
  return { server: match[1], ...(match[2] === undefined ? {} : { database: match[2] }) };
}

/** A plain-object view of an unknown value, for reading open bags defensively. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A string or finite number read from an open bag; anything else is undefined. */
export function scalar(value: unknown): string | number | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return undefined;
}

/** A string read from an open bag (numbers become their text). */
export function text(value: unknown): string | undefined {
  const found = scalar(value);
  return found === undefined ? undefined : String(found);
}
