import { afterEach, describe, expect, it } from 'vitest';
import {
  apiClient,
  genericEvent,
  type Json,
  ndjson,
  sendSignals,
  sqlLogins,
} from '../support/live-traffic.ts';
import { type ScratchDatabase, scratchSqlite } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';
import { type ServeProcess, startServe } from '../support/vigil-process.ts';

const TOKEN = 'vgl_crash-safety-admin-token-012345';
const SENDERS = 4;
/** How long each round of ingestion runs before the SIGKILL, in ms: three different moments. */
const ROUNDS_MS = [1_500, 3_500, 2_500];

let server: ServeProcess | undefined;
let scratch: ScratchDatabase | undefined;
let inProcess: TestVigil | undefined;

afterEach(async () => {
  await inProcess?.stop();
  inProcess = undefined;
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  await scratch?.drop();
});

/** A body a sender submitted, and whether the server acknowledged it (202). */
interface Sent {
  source: 'sql-audit' | 'generic';
  body: string;
  contentType: string;
  /** The records' own identities (`sequence_group_id_g` or generic `id`). */
  recordIds: string[];
  /** The principal whose failed logins this body carries (ten or more: one brute-force incident). */
  burstOf?: string;
}

/** What one sender saw: every body it sent, and which of them were acknowledged. */
interface SenderLog {
  acknowledged: Sent[];
  unacknowledged: Sent[];
  /** Requests that got no answer because the server died under them. */
  cutOff: number;
}

/** A body of a random mix: a brute-force burst, a batch of plain logins, or one generic event. */
function nextBody(sender: number, n: number): Sent {
  const at = new Date();
  const pick = n % 5;
  if (pick === 0) {
    const principal = `s${sender}-user${n}`;
    // Its own address too, so no other rule (credential stuffing) correlates bursts together.
    const records = [
      ...sqlLogins('failed', principal, `10.${sender}.${(n >> 8) & 255}.${n & 255}`, 12, at),
      ...sqlLogins('succeeded', 'orders_app', '198.51.100.10', 20, at),
    ];
    return sqlBody(records, principal);
  }
  if (pick === 1 || pick === 3)
    return sqlBody(sqlLogins('succeeded', `s${sender}-app`, '198.51.100.10', 200, at));
  const id = `s${sender}-event-${n}`;
  return {
    source: 'generic',
    body: JSON.stringify(genericEvent(id, at)),
    contentType: 'application/json',
    recordIds: [id],
  };
}

function sqlBody(records: Json[], burstOf?: string): Sent {
  return {
    source: 'sql-audit',
    body: ndjson(records),
    contentType: 'application/x-ndjson',
    recordIds: records.map((r) => r.sequence_group_id_g as string),
    ...(burstOf ? { burstOf } : {}),
  };
}

/**
 * One sender: sends new bodies, and every fourth time sends its previous
 * body again (a sender's retry); a body that got no answer (the server died)
 * is retried first once the server is back, as a real sender would.
 */
async function runSender(sender: number, token: string, log: SenderLog, until: () => boolean, start: number) {
  let previous: Sent | undefined;
  for (let n = start; !until(); n += 1) {
    const retry = log.unacknowledged.shift() ?? (n % 4 === 3 ? previous : undefined);
    const sent = retry ?? nextBody(sender, n);
    const answer = await sendSignals(server!.url, token, sent.source, sent.body, sent.contentType);
    if (answer.status === 202) log.acknowledged.push(sent);
    else if (answer.status === 0) {
      log.unacknowledged.push(sent);
      log.cutOff += 1;
      return; // the server is gone: this round is over for this sender
    } else throw new Error(`unexpected answer ${answer.status}: ${JSON.stringify(answer.json)}`);
    previous = sent;
  }
}

/** The record identity of a stored signal: what its sender put in it. */
const recordIdOf = (signal: Json): string =>
  signal.source === 'generic' ? (signal.raw.id as string) : (signal.raw.sequence_group_id_g as string);

describe('crash safety on SQLite', () => {
  it('keeps every acknowledged signal exactly once across SIGKILLs, with one incident per burst', async () => {
    scratch = scratchSqlite();
    server = await startServe(['--database', scratch.url], { VIGIL_ADMIN_TOKEN: TOKEN });
    const senderTokens = await Promise.all(
      Array.from({ length: SENDERS }, (_, i) => apiClient(server!.url, TOKEN).ingestToken(`sender ${i}`)),
    );
    const logs: SenderLog[] = senderTokens.map(() => ({ acknowledged: [], unacknowledged: [], cutOff: 0 }));

    for (const [round, ms] of ROUNDS_MS.entries()) {
      let killed = false;
      const senders = senderTokens.map((token, i) =>
        runSender(i, token, logs[i]!, () => killed, round * 100_000),
      );
      await new Promise((resolve) => setTimeout(resolve, ms));
      server.child.kill('SIGKILL');
      killed = true;
      await server.exited;
      await Promise.all(senders);
      server = await startServe(['--database', scratch.url], { VIGIL_ADMIN_TOKEN: TOKEN });
      const verify = await apiClient(server.url, TOKEN).call('GET', '/api/v1/audit/verify');
      expect(verify.json, `audit chain after kill ${round + 1}`).toMatchObject({ ok: true });
    }

    const api = apiClient(server.url, TOKEN);
    // Vigil's own `vigil` signals (self-watching: the tokens made above) are not the senders'.
    const signals = (await api.all('/api/v1/signals')).filter((s) => s.source !== 'vigil');
    const stored = signals.map(recordIdOf);
    const storedSet = new Set(stored);
    // None twice: every record identity appears once, so does every dedup key.
    expect(stored.length).toBe(storedSet.size);
    expect(new Set(signals.map((s) => s.dedupKey)).size).toBe(signals.length);
    // Every kill landed while senders were waiting for answers.
    expect(logs.reduce((n, l) => n + l.cutOff, 0)).toBeGreaterThanOrEqual(ROUNDS_MS.length);
    const acknowledged = logs.flatMap((l) => l.acknowledged);
    expect(acknowledged.length).toBeGreaterThan(20);
    const missing = acknowledged.flatMap((s) => s.recordIds).filter((id) => !storedSet.has(id));
    expect(missing).toEqual([]);
    // A body is all or nothing, even one cut off by the kill.
    for (const sent of logs.flatMap((l) => l.unacknowledged)) {
      const kept = sent.recordIds.filter((id) => storedSet.has(id)).length;
      expect([0, sent.recordIds.length]).toContain(kept);
    }

    // One incident per brute-force burst that was stored: never none, never two.
    const incidents = await api.all('/api/v1/incidents');
    const bursts = new Set(
      [...logs.flatMap((l) => l.acknowledged), ...logs.flatMap((l) => l.unacknowledged)]
        .filter((s) => s.burstOf && s.recordIds.every((id) => storedSet.has(id)))
        .map((s) => s.burstOf!),
    );
    expect(bursts.size).toBeGreaterThan(0);
    for (const principal of bursts) {
      const matching = incidents.filter((i) => (i.title as string).includes(`against ${principal}:`));
      expect(matching, principal).toHaveLength(1);
    }
    expect(incidents.filter((i) => (i.title as string).startsWith('Brute-force login')).length).toBe(
      bursts.size,
    );

    // Still working after all that: a new burst opens a new incident.
    const sender = await api.ingestToken('after the crashes');
    const after = await sendSignals(
      server.url,
      sender,
      'sql-audit',
      ndjson(sqlLogins('failed', 'after-crash', '10.99.0.1', 12, new Date())),
      'application/x-ndjson',
    );
    expect(after.status).toBe(202);
    expect(after.json.incidents.filter((i: Json) => i.opened)).toHaveLength(1);
    expect((await api.call('GET', '/api/v1/audit/verify')).json).toMatchObject({ ok: true });
  }, 180_000);
});

/** The engine's telemetry purge on SQLite: short batches, and ingestion answered between them. */
describe('telemetry purge on SQLite', () => {
  const OLD_SIGNALS = 20_000;
  const BATCH = 2_000; // the purge module's default batch size

  it('deletes a large backlog in bounded batches while ingestion requests keep completing', async () => {
    inProcess = await startTestVigil('sqlite', { now: '2026-01-05T10:00:00Z' });
    const t = inProcess;
    const token = (
      await t.api({ method: 'POST', url: '/api/v1/ingest-tokens', payload: { name: 'bulk' } })
    ).json().token as string;
    const ingest = (source: string, body: string, contentType: string) =>
      t.vigil.http.inject({
        method: 'POST',
        url: `/api/v1/signals/${source}`,
        payload: body,
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      });
    for (let i = 0; i < OLD_SIGNALS / 4_000; i += 1) {
      const records = sqlLogins('succeeded', `bulk${i}`, '198.51.100.10', 4_000, t.clock.now());
      expect((await ingest('sql-audit', ndjson(records), 'application/x-ndjson')).statusCode).toBe(202);
    }
    // Past the policy's 30 days of telemetry.
    t.clock.advance(40 * 24 * 3600_000);
    const auditBefore = await lastAuditSeq(t);

    let purging = true;
    const cycle = t.vigil.engine.runCycle().finally(() => {
      purging = false;
    });
    let answeredDuringPurge = 0;
    for (let n = 0; purging; n += 1) {
      const res = await ingest(
        'generic',
        JSON.stringify(genericEvent(`during-${n}`, t.clock.now())),
        'application/json',
      );
      expect(res.statusCode).toBe(202);
      if (purging) answeredDuringPurge += 1;
    }
    const report = await cycle;
    const purge = report.modules.find((m) => m.name === 'signal-purge');
    expect(purge).toMatchObject({ processed: OLD_SIGNALS, failed: 0 });
    // Requests were answered between batches, not after the whole purge. better-sqlite3 answers
    // synchronously, so this holds only if the purge yields to the event loop between batches:
    // the group committer and every socket wait on it.
    expect(answeredDuringPurge).toBeGreaterThan(0);

    // One audit entry per batch, each batch bounded.
    const entries = (
      await t.api({ method: 'GET', url: `/api/v1/audit/entries?after=${auditBefore}&limit=1000` })
    ).json().items as Json[];
    const batches = entries
      .filter((e) => e.action === 'retention.purged' && e.subjectType === 'signals')
      .map((e) => JSON.parse(e.detail).removed.signals.count as number);
    expect(batches.length).toBeGreaterThanOrEqual(OLD_SIGNALS / BATCH);
    expect(Math.max(...batches)).toBeLessThanOrEqual(BATCH);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(OLD_SIGNALS);
    const left = (await t.api({ method: 'GET', url: '/api/v1/signals?limit=500' })).json().items as Json[];
    expect(left.every((s) => s.source === 'generic')).toBe(true);
    expect((await t.api({ method: 'GET', url: '/api/v1/audit/verify' })).json()).toMatchObject({ ok: true });
  }, 120_000);
});

async function lastAuditSeq(t: TestVigil): Promise<number> {
  let after = 0;
  for (;;) {
    const items = (
      await t.api({ method: 'GET', url: `/api/v1/audit/entries?after=${after}&limit=1000` })
    ).json().items as Json[];
    if (items.length === 0) return after;
    after = items.at(-1)!.seq as number;
  }
}
