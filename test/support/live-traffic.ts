/**
 * Real HTTP traffic against a running `vigil serve` (a child process): SQL
 * audit failed logins that trip the brute-force rule, single generic events,
 * and reads that page through everything stored. Shared by the backup and
 * crash-safety suites, which judge what a process kept after the fact.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here.
export type Json = Record<string, any>;

const vectorLines = readFileSync(
  new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
  'utf8',
).split('\n');

/** A failed and a successful SQL login from the shipped vector: the templates every generated record copies. */
const TEMPLATES = {
  failed: JSON.parse(vectorLines.find((line) => line.includes('"DATABASE AUTHENTICATION FAILED"'))!) as Json,
  succeeded: JSON.parse(
    vectorLines.find((line) => line.includes('"DATABASE AUTHENTICATION SUCCEEDED"'))!,
  ) as Json,
};

/**
 * `count` SQL logins of `principal` from `clientIp`, one second apart ending
 * at `at`, each with its own sequence group (so its own dedup key, and
 * `raw.sequence_group_id_g` names it). Ten failed ones within five minutes
 * fire the policy's brute-force rule; successful ones match no rule.
 */
export function sqlLogins(
  outcome: keyof typeof TEMPLATES,
  principal: string,
  clientIp: string,
  count: number,
  at: Date,
): Json[] {
  return Array.from({ length: count }, (_, i) => {
    const when = new Date(at.getTime() - (count - 1 - i) * 1000).toISOString();
    return {
      ...TEMPLATES[outcome],
      TimeGenerated: when,
      event_time_t: when,
      sequence_group_id_g: randomUUID(),
      server_principal_name_s: principal,
      session_server_principal_name_s: principal,
      client_ip_s: clientIp,
    };
  });
}

/** Failed logins: see {@link sqlLogins}. */
export const failedLogins = (principal: string, clientIp: string, count: number, at: Date): Json[] =>
  sqlLogins('failed', principal, clientIp, count, at);

/** One generic event with its own id (its dedup key is source + id). */
export function genericEvent(id: string, at: Date): Json {
  return {
    schema: 'generic-event/v1',
    id,
    source: 'load.example.com',
    type: 'job.failed',
    severity: 'warning',
    status: 'firing',
    title: `Job ${id} failed`,
    timestamp: at.toISOString(),
    entity: { service: 'batch' },
  };
}

export const ndjson = (records: readonly Json[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** A client of one server: bearer-token JSON requests. */
export function apiClient(baseUrl: string, token: string) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json }> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
  };
  return {
    call,
    /** Every page of a cursor-paged list. */
    async all(path: string): Promise<Json[]> {
      const items: Json[] = [];
      let cursor: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const page = await call('GET', `${path}${sep}limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        if (page.status !== 200) throw new Error(`GET ${path}: ${page.status} ${JSON.stringify(page.json)}`);
        items.push(...(page.json.items as Json[]));
        cursor = page.json.nextCursor ?? null;
      } while (cursor);
      return items;
    },
    /** Creates an ingest token (all sources unless one is named) and returns its secret. */
    async ingestToken(name: string): Promise<string> {
      const res = await call('POST', '/api/v1/ingest-tokens', { name });
      if (res.status !== 201) throw new Error(`ingest token: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json.token as string;
    },
  };
}

/** POSTs a body to an ingestion route; `status` 0 when the connection failed (the server died). */
export async function sendSignals(
  baseUrl: string,
  token: string,
  source: string,
  body: string,
  contentType: string,
): Promise<{ status: number; json: Json }> {
  try {
    const res = await fetch(`${baseUrl}/api/v1/signals/${source}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
  } catch {
    return { status: 0, json: {} };
  }
}
