import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import type { Vigil } from '../../src/app/vigil.ts';
import { findSignalAdapter } from '../../src/signal/adapters/adapter-registry.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

/**
 * The brute-force sample: 35 failed logins recorded between 02:09:58.1 and
 * 02:18:05.9. The default rule fires at 10 failures for one principal
 * within 5 minutes.
 */
const bruteForce = readFileSync(
  new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
  'utf8',
);
/** Each record's occurrence as the adapter reads it, as an offset from the first, in file order. */
const parsed = (() => {
  const result = findSignalAdapter('sql-audit')!.parse(bruteForce, {
    contentType: 'application/x-ndjson',
    receivedAt: new Date(0),
  });
  if (!result.ok) throw new Error('the sample must parse');
  return result.signals;
})();
const first = Math.min(...parsed.map((s) => s.occurredAt.getTime()));
const recordedOffsets = parsed.map((s) => s.occurredAt.getTime() - first).sort((a, b) => a - b);
/** When the rule's tenth failure for one principal is due: the threshold. */
const tenthFailure = parsed
  .filter((s) => s.kind === 'auth_failure' && s.entities.principal === 'sqladmin')
  .map((s) => s.occurredAt.getTime() - first)
  .sort((a, b) => a - b)[9]!;

/** What the whole file fires, at any speed: the rules of the default policy. */
const WHOLE_FILE_FIRINGS = ['Brute-force login', 'Bulk data read', 'Permission change', 'Permission change'];

/** Live exercises replayed at real speed: records arrive when their recorded time comes. */
describeEachDatabase('live exercise at real speed', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t.stop());

  const START = '2026-04-07T10:00:00.000Z';
  const startMs = Date.parse(START);

  async function planExercise(): Promise<string> {
    t = await startTestVigil(dialect, { now: START });
    const planned = await t.api({
      method: 'POST',
      url: '/api/v1/exercises',
      payload: {
        title: 'Brute force at night',
        scenario: 'The on-call engineer sees failed logins pile up.',
        scheduledFor: '2026-04-07',
        facilitator: 'cto@example.com',
      },
    });
    return (planned.json() as Json).id;
  }

  const run = (exerciseId: string, payload: Json) =>
    t.api({
      method: 'POST',
      url: `/api/v1/exercises/${exerciseId}/run`,
      payload: { source: 'sql-audit', signals: bruteForce, contentType: 'application/x-ndjson', ...payload },
    });

  async function exerciseSignals(): Promise<Json[]> {
    const answer = await t.api({ method: 'GET', url: '/api/v1/signals?source=sql-audit&limit=100' });
    return (answer.json() as Json).items;
  }

  /** Moves the fake clock to `offsetMs` after the start and runs one engine cycle on `vigil`. */
  async function cycleAt(offsetMs: number, vigil: Vigil = t.vigil): Promise<void> {
    t.clock.set(new Date(startMs + offsetMs).toISOString());
    await vigil.engine.runCycle();
  }

  it('releases each record when its recorded offset has passed, and detection fires when the tenth arrives', async () => {
    const exerciseId = await planExercise();
    const answer = await run(exerciseId, { speed: 'real' });
    expect(answer.statusCode, answer.body).toBe(201);
    const ran = answer.json() as Json;
    expect(ran).toMatchObject({
      speed: 'real',
      speedup: 1,
      scheduled: 35,
      firstReleaseAt: START,
      lastReleaseAt: new Date(startMs + recordedOffsets.at(-1)!).toISOString(),
    });
    // Nothing has arrived yet: the queue waits for the engine.
    expect(await exerciseSignals()).toEqual([]);

    await cycleAt(0);
    expect(await exerciseSignals()).toHaveLength(recordedOffsets.filter((o) => o <= 0).length);

    // Just before the tenth failure for sqladmin is due, nothing has fired.
    await cycleAt(tenthFailure - 1);
    const before = await exerciseSignals();
    expect(before).toHaveLength(recordedOffsets.filter((o) => o < tenthFailure).length);
    const d = incidentDriver(t);
    expect(await d.timeline(ran.incidentId, 'signal_linked')).toEqual([]);

    await cycleAt(tenthFailure);
    const linked = await d.timeline(ran.incidentId, 'signal_linked');
    expect(linked.map((e) => e.data.rule)).toEqual(['Brute-force login']);
    expect(linked[0]?.at).toBe(new Date(startMs + tenthFailure).toISOString());

    // A released record happened "now": its occurrence is its release instant.
    const arrived = await exerciseSignals();
    expect(arrived.map((s) => s.occurredAt).sort()).toEqual(
      recordedOffsets.filter((o) => o <= tenthFailure).map((o) => new Date(startMs + o).toISOString()),
    );
  });

  it('survives a restart halfway: another process releases the rest, each record once', async () => {
    const exerciseId = await planExercise();
    const ran = (await run(exerciseId, { speed: 'real' })).json() as Json;
    await cycleAt(recordedOffsets[12]!);
    expect(await exerciseSignals()).toHaveLength(13);

    // The first process stops without warning; the next one takes the engine lease over.
    const second = await t.another();
    try {
      await cycleAt(recordedOffsets[12]! + 60_000, second);
      await cycleAt(recordedOffsets.at(-1)! + 60_000, second);
      await cycleAt(recordedOffsets.at(-1)! + 120_000, second);
    } finally {
      await second.close();
    }
    const all = await exerciseSignals();
    expect(all).toHaveLength(35);
    expect(new Set(all.map((s) => s.id)).size).toBe(35);
    // Brute force fired once (its hour of cooldown held across the restart); the file's later
    // records fire the permission and bulk-read rules.
    const linked = await incidentDriver(t).timeline(ran.incidentId, 'signal_linked');
    expect(linked.map((e: Json) => e.data.rule).sort()).toEqual(WHOLE_FILE_FIRINGS);
  });

  it('plays the file faster with a speedup: eight minutes of logins in eight seconds', async () => {
    const exerciseId = await planExercise();
    const ran = (await run(exerciseId, { speed: 'real', speedup: 60 })).json() as Json;
    const last = Math.round(recordedOffsets.at(-1)! / 60);
    expect(ran.lastReleaseAt).toBe(new Date(startMs + last).toISOString());
    await cycleAt(last - 1_000);
    expect((await exerciseSignals()).length).toBeLessThan(35);
    await cycleAt(last);
    expect(await exerciseSignals()).toHaveLength(35);
    const linked = await incidentDriver(t).timeline(ran.incidentId, 'signal_linked');
    expect(linked.map((e: Json) => e.data.rule).sort()).toEqual(WHOLE_FILE_FIRINGS);
  });

  it('refuses a bad file or a speedup without real speed, opening nothing', async () => {
    const exerciseId = await planExercise();
    const badFile = await run(exerciseId, { speed: 'real', signals: '{"TimeGenerated": 12}\n' });
    expect(badFile.statusCode).toBe(400);
    expect(badFile.headers['content-type']).toContain('application/problem+json');
    const misplaced = await run(exerciseId, { speedup: 10 });
    expect(misplaced.statusCode).toBe(400);
    expect((misplaced.json() as Json).errors.map((e: Json) => e.field)).toContain('body.speedup');
    const tooFast = await run(exerciseId, { speed: 'real', speedup: 100_000 });
    expect(tooFast.statusCode).toBe(400);

    const incidents = (await t.api({ method: 'GET', url: '/api/v1/incidents?exercise=true' })).json() as Json;
    expect(incidents.items).toEqual([]);
    await cycleAt(600_000);
    expect(await exerciseSignals()).toEqual([]);
  });
});
