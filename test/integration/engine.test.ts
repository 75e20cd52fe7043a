import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAuditDal } from '../../src/audit/audit-dal.ts';
import { createAuditService } from '../../src/audit/audit-service.ts';
import { createBusinessCalendar } from '../../src/calendar/business-calendar.ts';
import type { BusinessCalendar } from '../../src/calendar/calendar-types.ts';
import { createEngineLeaseDal } from '../../src/engine/engine-lease-dal.ts';
import type { Engine } from '../../src/engine/engine-types.ts';
import { createOutboxDal } from '../../src/outbox/outbox-dal.ts';
import { FakeClock } from '../../src/platform/clock.ts';
import { type Database, openDatabase } from '../../src/platform/db/database.ts';
import { toDbInstant } from '../../src/platform/db/instant-codec.ts';
import { migrateToLatest } from '../../src/platform/db/migrator.ts';
import { calendarConfigFromPolicy } from '../../src/policy/policy-calendar.ts';
import { type LoadedPolicy, loadDefaultPolicy, requireValidPolicy } from '../../src/policy/policy-loader.ts';
import { meetClock, startIncidentClocks } from '../../src/sla/sla-clock.ts';
import { createSlaDal } from '../../src/sla/sla-dal.ts';
import { createTimelineDal } from '../../src/timeline/timeline-dal.ts';
import type { TimelineKind } from '../../src/timeline/timeline-types.ts';
import { createTestEngine, createTestSlaModule, TEST_RECIPIENTS } from '../support/run-engine-once.ts';
import { describeEachDatabase, type ScratchDatabase, scratchDatabase } from '../support/test-databases.ts';

/** Tuesday 7 April 2026, 10:00 in London: business hours, so a critical incident acknowledges within 15 min. */
const T0 = new Date('2026-04-07T09:00:00Z');
const at = (minutes: number, seconds = 0) => new Date(T0.getTime() + minutes * 60_000 + seconds * 1000);

const slaDal = createSlaDal();
const timelineDal = createTimelineDal();
const outboxDal = createOutboxDal();
const leaseDal = createEngineLeaseDal();

describeEachDatabase('engine and SLA escalation', (dialect) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let policy: LoadedPolicy;
  let calendar: BusinessCalendar;
  let clock: FakeClock;
  const extraDatabases: Database[] = [];

  beforeEach(async () => {
    scratch = scratchDatabase(dialect);
    database = await openDatabase(scratch.url);
    expect((await migrateToLatest(database)).error).toBeUndefined();
    policy = requireValidPolicy(await loadDefaultPolicy());
    calendar = createBusinessCalendar(calendarConfigFromPolicy(policy.policy));
    clock = new FakeClock(T0);
    await database.kysely
      .insertInto('policy_versions')
      .values({
        version: policy.version,
        source: 'built-in',
        content: policy.text,
        first_loaded_at: toDbInstant(T0),
      })
      .execute();
    await database.kysely
      .insertInto('users')
      .values({
        id: 'u-declarer',
        email: 'declarer@example.com',
        display_name: 'Dee Clarer',
        role: 'responder',
        created_at: toDbInstant(T0),
      })
      .execute();
  });

  afterEach(async () => {
    for (const extra of extraDatabases.splice(0)) await extra.close();
    await database.close();
    await scratch.drop();
  });

  /** An incident row and its clocks, started at `openedAt` as the incident domain would. */
  async function addIncident(n: number, options: { openedAt?: Date; closedAt?: Date } = {}): Promise<string> {
    const id = `incident-${n}`;
    const openedAt = options.openedAt ?? T0;
    const clocks = startIncidentClocks(policy.policy, calendar, 'critical', openedAt);
    await database.kysely.transaction().execute(async (trx) => {
      await trx
        .insertInto('incidents')
        .values({
          id,
          reference: `INC-${n}`,
          title: `Incident ${n}`,
          description: 'test',
          severity: 'critical',
          phase: options.closedAt ? 'closed' : 'identify',
          opened_at: toDbInstant(openedAt),
          declared_at: toDbInstant(openedAt),
          declared_by: 'u-declarer',
          out_of_hours: calendar.isBusinessTime(openedAt) ? 0 : 1,
          policy_version: policy.version,
          updated_at: toDbInstant(openedAt),
          closed_at: options.closedAt ? toDbInstant(options.closedAt) : null,
        })
        .execute();
      await slaDal.insert(trx, id, clocks);
    });
    return id;
  }

  /**
   * Another engine's database: its own pool on PostgreSQL, as another server
   * would have. On SQLite the engines share the connection: two
   * better-sqlite3 connections in one process would block the event loop on
   * each other's busy timeout (separate processes are tested below).
   */
  async function peerDatabase(): Promise<Database> {
    if (dialect === 'sqlite') return database;
    const peer = await openDatabase(scratch.url);
    extraDatabases.push(peer);
    return peer;
  }

  async function kinds(incidentId: string, ...only: TimelineKind[]): Promise<TimelineKind[]> {
    return (await timelineDal.listForIncident(database.kysely, incidentId, only)).map((e) => e.kind);
  }

  async function counts() {
    const rows = await database.kysely
      .selectFrom('timeline_entries')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('kind')
      .execute();
    const timeline = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
    const outbox = (await outboxDal.list(database.kysely, { kind: 'sla.escalation' })).length;
    const audit = await createAuditService({ db: database.kysely, dal: createAuditDal(dialect) }).verify();
    return { timeline, outbox, auditEntries: audit.entries, auditOk: audit.ok };
  }

  const processedBy = (report: Awaited<ReturnType<Engine['runCycle']>>) =>
    report.modules.reduce((sum, m) => sum + m.processed, 0);

  it('records at risk once, then the breach and its escalation once, with a verifiable audit chain', async () => {
    const id = await addIncident(12);
    const engine = createTestEngine(database, 'engine-a', clock);

    clock.set(at(12)); // acknowledge is at risk from 09:11:15 (75% of 15 min)
    expect(processedBy(await engine.runCycle())).toBe(1);
    const [atRisk] = await timelineDal.listForIncident(database.kysely, id);
    expect(atRisk).toMatchObject({ kind: 'clock_at_risk', actor: 'system:engine' });
    expect(atRisk?.summary).toBe('acknowledge clock at risk (due 09:15 UTC)');
    expect(atRisk?.data).toEqual({
      clock: 'acknowledge',
      dueAt: '2026-04-07T09:15:00.000Z',
      atRiskAt: '2026-04-07T09:11:15.000Z',
      startedAt: '2026-04-07T09:00:00.000Z',
    });
    expect(processedBy(await engine.runCycle())).toBe(0);

    clock.set(at(16));
    expect(processedBy(await engine.runCycle())).toBe(1);
    expect(await kinds(id)).toEqual(['clock_at_risk', 'clock_breached', 'escalation']);
    const messages = await outboxDal.list(database.kysely, { incidentId: id });
    expect(messages.map((m) => m.recipient).sort()).toEqual(TEST_RECIPIENTS.map((r) => r.email).sort());
    expect(messages[0]).toMatchObject({
      kind: 'sla.escalation',
      subject: '[INC-12] acknowledge breached',
      dedupKey: `sla.breached:${id}:acknowledge:2026-04-07T09:15:00.000Z:${messages[0]?.recipient}`,
      payload: { reference: 'INC-12', title: 'Incident 12', severity: 'critical', clock: 'acknowledge' },
    });
    const escalation = (await timelineDal.listForIncident(database.kysely, id, ['escalation']))[0];
    expect(escalation?.summary).toContain('Olive Owner (incident owner), Nico Next (next in succession)');

    const before = await counts();
    expect(before).toMatchObject({ outbox: 2, auditEntries: 2, auditOk: true });
    for (const minute of [16, 17, 18]) {
      clock.set(at(minute));
      await engine.runCycle();
    }
    expect(await counts()).toEqual(before);
    const ack = (await slaDal.listForIncident(database.kysely, id)).find((c) => c.name === 'acknowledge');
    expect(ack).toMatchObject({ escalatedAt: at(16), atRiskNotedAt: at(12) });
  });

  it('after a restart, escalates each clock that fell due while no engine ran, exactly once', async () => {
    const ids = [await addIncident(1), await addIncident(2), await addIncident(3)];
    clock.set(at(45)); // acknowledge (09:15) and triage (09:30) are past due; containment is not at risk yet
    const first = createTestEngine(database, 'after-restart', clock);
    expect(processedBy(await first.runCycle())).toBe(6);
    await first.stop();
    for (const id of ids) {
      // A clock first seen past due goes straight to the breach: no late at-risk entry.
      expect(await kinds(id)).toEqual(['clock_breached', 'escalation', 'clock_breached', 'escalation']);
    }
    const once = await counts();
    expect(once).toMatchObject({ outbox: 12, auditEntries: 6, auditOk: true });

    const second = createTestEngine(database, 'after-second-restart', clock);
    const report = await second.runCycle();
    expect(report.leader).toBe(true);
    expect(processedBy(report)).toBe(0);
    expect(await counts()).toEqual(once);
  });

  it('never escalates a clock met before its due time', async () => {
    const id = await addIncident(7);
    const ack = (await slaDal.listForIncident(database.kysely, id)).find((c) => c.name === 'acknowledge')!;
    await database.kysely.transaction().execute((trx) => slaDal.save(trx, id, meetClock(ack, at(5))));
    const engine = createTestEngine(database, 'engine-a', clock);
    for (const minute of [12, 16, 25, 60]) {
      clock.set(at(minute));
      await engine.runCycle();
    }
    const entries = await timelineDal.listForIncident(database.kysely, id);
    expect(entries.filter((e) => e.data.clock === 'acknowledge')).toEqual([]);
    expect(entries.map((e) => `${e.kind}:${e.data.clock}`)).toEqual([
      'clock_at_risk:triage',
      'clock_breached:triage',
      'escalation:triage',
    ]);
    const messages = await outboxDal.list(database.kysely, { incidentId: id });
    expect(messages.every((m) => m.dedupKey.includes(':triage:'))).toBe(true);
  });

  it('advances the clocks of a closed incident without recording or notifying anything', async () => {
    const id = await addIncident(8, { closedAt: at(3) });
    clock.set(at(45));
    const engine = createTestEngine(database, 'engine-a', clock);
    expect(processedBy(await engine.runCycle())).toBe(2);
    expect(await kinds(id)).toEqual([]);
    expect(await counts()).toMatchObject({ outbox: 0, auditEntries: 0 });
    expect(await slaDal.listDue(database.kysely, at(45), 10)).toEqual([]);
  });

  it('lets one of two engines lead; concurrent cycles never escalate twice', async () => {
    await Promise.all([addIncident(1), addIncident(2), addIncident(3)]);
    clock.set(at(45));
    const a = createTestEngine(database, 'engine-a', clock);
    const b = createTestEngine(await peerDatabase(), 'engine-b', clock);
    const reports = await Promise.all([a.runCycle(), b.runCycle()]);
    expect(reports.filter((r) => r.leader)).toHaveLength(1);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    await Promise.all([a.runCycle(), b.runCycle(), a.runCycle(), b.runCycle()]);
    expect(await counts()).toEqual({
      timeline: { clock_breached: 6, escalation: 6 },
      outbox: 12,
      auditEntries: 6,
      auditOk: true,
    });
  });

  it('never fires twice even when two SLA modules race without the lease (compare-and-set)', async () => {
    await Promise.all([addIncident(1), addIncident(2), addIncident(3)]);
    const peer = await peerDatabase();
    const one = createTestSlaModule(database, clock);
    const two = createTestSlaModule(peer, clock);
    const results = await Promise.all([one.runOnce(at(45)), two.runOnce(at(45)), one.runOnce(at(45))]);
    expect(results.reduce((sum, r) => sum + r.processed, 0)).toBe(6);
    expect(results.flatMap((r) => r.failures ?? [])).toEqual([]);
    expect(await counts()).toMatchObject({ timeline: { clock_breached: 6, escalation: 6 }, outbox: 12 });
  });

  it('hands over to another engine once a dead leader’s lease expires', async () => {
    const id = await addIncident(5);
    const a = createTestEngine(database, 'engine-a', clock);
    const b = createTestEngine(await peerDatabase(), 'engine-b', clock);
    clock.set(at(14, 50));
    expect((await a.runCycle()).leader).toBe(true); // notes acknowledge at risk, then "dies"
    expect((await b.runCycle()).leader).toBe(false);

    clock.advance(10_000); // 09:15:00: acknowledge is due, but the lease has 10 s left
    expect((await b.runCycle()).leader).toBe(false);
    expect(await kinds(id, 'clock_breached')).toEqual([]);

    clock.advance(15_000); // 25 s after the last renewal
    const report = await b.runCycle();
    expect(report).toMatchObject({ leader: true, modules: [{ name: 'sla', processed: 1, failed: 0 }] });
    expect(await kinds(id)).toEqual(['clock_at_risk', 'clock_breached', 'escalation']);
    expect(await leaseDal.read(database.kysely, 'engine')).toMatchObject({
      holder: 'engine-b',
      acquiredAt: at(15, 15),
    });
    expect(a.isLeader()).toBe(false);
  });

  it('releases the lease on a graceful stop, so another engine leads at once', async () => {
    const a = createTestEngine(database, 'engine-a', clock);
    const b = createTestEngine(await peerDatabase(), 'engine-b', clock);
    expect((await a.runCycle()).leader).toBe(true);
    clock.advance(5_000);
    expect((await a.runCycle()).leader).toBe(true);
    // A renewal keeps the time the lease was first acquired.
    expect(await leaseDal.read(database.kysely, 'engine')).toMatchObject({
      acquiredAt: T0,
      expiresAt: at(0, 25),
    });
    expect((await b.runCycle()).leader).toBe(false);
    await a.stop();
    expect(a.isLeader()).toBe(false);
    expect((await b.runCycle()).leader).toBe(true);
    expect((await a.runCycle()).leader).toBe(false); // a stopped engine stays stopped
  });

  // PostgreSQL only: that is where several servers share one database. (It passes on SQLite too, but
  // spawning two processes costs seconds, and one SQLite file is served by one process.)
  it.skipIf(dialect !== 'postgres')(
    'escalates once when two engine processes run cycles at the same time (postgres only: one SQLite file is served by one process)',
    async () => {
      const ids = [await addIncident(1), await addIncident(2)];
      const runProcess = (holder: string) =>
        promisify(execFile)(
          process.execPath,
          [
            '--import',
            'tsx',
            'test/support/run-engine-once.ts',
            scratch.url,
            holder,
            at(45).toISOString(),
            '5',
          ],
          { timeout: 30_000 },
        );
      const outputs = await Promise.all([runProcess('process-a'), runProcess('process-b')]);
      const results = outputs.map((o) => JSON.parse(o.stdout) as { leaderCycles: number; processed: number });
      // Whichever led (a graceful stop may let the later one lead too), the events were handled once in all.
      expect(results.reduce((sum, r) => sum + r.processed, 0)).toBe(4);
      expect(results.some((r) => r.leaderCycles === 5)).toBe(true);
      for (const id of ids) expect(await kinds(id, 'clock_breached', 'escalation')).toHaveLength(4);
      expect(await counts()).toMatchObject({ outbox: 8, auditEntries: 4, auditOk: true });
    },
  );
});
