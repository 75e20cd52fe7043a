import { afterEach, expect, it } from 'vitest';
import { createBreachDal } from '../../src/breach/breach-dal.ts';
import { createBreachDeadlineModule } from '../../src/breach/breach-deadline-module.ts';
import type { BreachRecordInput } from '../../src/breach/breach-service.ts';
import type { EngineModule } from '../../src/engine/engine-types.ts';
import type { Principal } from '../../src/identity/identity-types.ts';
import { createActionReminderModule } from '../../src/review/action-reminder-module.ts';
import { createReviewDal } from '../../src/review/review-dal.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

/** Rows each module's due listing returned and rows it looked at, summed over its runs. */
interface Reads {
  listed: number;
  looked: number;
}

const NOT_DUE = 1_000;
const T0 = '2026-04-07T09:00:00Z';
const HOUR = 3_600_000;
/** Seeding a thousand incidents or actions through the services takes a while on PostgreSQL. */
const SEEDING_TIMEOUT_MS = 180_000;

const breachRecord = (awarenessAt: Date): BreachRecordInput => ({
  status: 'confirmed',
  role: 'controller',
  awarenessAt,
  nature: ['confidentiality'],
  dataCategories: ['contact details'],
  peopleCategories: ['customers'],
  approxPeople: 120,
  approxRecords: 120,
  likelyConsequences: 'Phishing aimed at the customers concerned.',
  measuresTaken: 'Credentials rotated.',
  measuresProposed: 'Customers told to expect no such e-mail.',
  contactPoint: 'dpo@example.com',
  determinations: [],
});

/**
 * The breach-deadline and action-reminder modules with thousands of rows that are not due: a
 * cycle reads only the due ones (counted through the real DAL's listing), and every warning,
 * reminder and escalation still goes out exactly once, at its instant.
 */
describeEachDatabase('engine modules read only what is due', (dialect) => {
  let t: TestVigil;
  let admin: Principal;
  afterEach(async () => t.stop());

  async function start() {
    t = await startTestVigil(dialect, { now: T0 });
    admin = await t.vigil.identity.authenticate(ADMIN_TOKEN);
  }

  async function declare(title: string) {
    return t.vigil.incidents.declare(admin, { title, severity: 'low', description: 'x' });
  }

  /** A deadline module of its own (as on a second engine), its DAL reads counted. */
  function breachModule(reads: Reads): EngineModule {
    const dal = createBreachDal();
    const { vigil } = t;
    return createBreachDeadlineModule({
      db: vigil.incidentDeps.db,
      dal: {
        ...dal,
        listDue: async (db, now, limit) => {
          const rows = await dal.listDue(db, now, limit);
          reads.listed += rows.length;
          return rows;
        },
      },
      breaches: {
        obligationsAt: (executor, incidentId, now) => {
          reads.looked += 1;
          return vigil.breaches.obligationsAt(executor, incidentId, now);
        },
      },
      incident: vigil.incidentDeps,
      outbox: vigil.outbox,
      timeline: vigil.timeline,
      audit: vigil.audit,
      clock: t.clock,
    });
  }

  function actionModule(reads: Reads): EngineModule {
    const dal = createReviewDal();
    const { vigil } = t;
    return createActionReminderModule({
      db: vigil.incidentDeps.db,
      dal: {
        ...dal,
        listDueActions: async (db, now, limit) => {
          const rows = await dal.listDueActions(db, now, limit);
          reads.listed += rows.length;
          return rows;
        },
        findAction: (db, id) => {
          reads.looked += 1;
          return dal.findAction(db, id);
        },
      },
      incident: vigil.incidentDeps,
      outbox: vigil.outbox,
      audit: vigil.audit,
      clock: t.clock,
    });
  }

  /** Runs `module` at `iso` (the fake clock moved there too); the reads of that run alone. */
  async function runAt(module: EngineModule, reads: Reads, iso: string | Date) {
    t.clock.set(typeof iso === 'string' ? iso : iso.toISOString());
    const before = { ...reads };
    const result = await module.runOnce(t.clock.now());
    expect(result.failures ?? []).toEqual([]);
    return {
      processed: result.processed,
      listed: reads.listed - before.listed,
      looked: reads.looked - before.looked,
    };
  }

  const regulatorEvents = async (incidentId: string) =>
    (await t.vigil.outbox.list({ incidentId, kind: 'breach.deadline' }))
      .filter((m) => m.payload.obligation === 'regulator')
      .map((m) => m.payload.event);

  it(
    'looks at no breach that is not due, and warns at each instant exactly once',
    async () => {
      await start();
      for (let n = 0; n < NOT_DUE; n++) {
        const incident = await declare(`Quiet breach ${n}`);
        await t.vigil.breaches.setRecord(admin, incident.id, breachRecord(new Date(T0)));
      }
      const reads: Reads = { listed: 0, looked: 0 };
      const module = breachModule(reads);
      // The first run after a start looks at every record once (the policy may have changed).
      expect(await runAt(module, reads, T0)).toMatchObject({ listed: NOT_DUE, looked: NOT_DUE });
      expect(await runAt(module, reads, '2026-04-07T10:00:00Z')).toEqual({
        processed: 0,
        listed: 0,
        looked: 0,
      });

      // A breach aware of 48 hours ago: its regulator deadline is 72 h after awareness, so 24 h are left at 10:00.
      const awareAt = new Date(Date.parse('2026-04-07T10:00:00Z') - 48 * HOUR);
      const dueAt = awareAt.getTime() + 72 * HOUR;
      const watched = await declare('Leaked export');
      await t.vigil.breaches.setRecord(admin, watched.id, breachRecord(awareAt));
      // The change marked it due in its own transaction: the next run lists it, and only it.
      expect(await runAt(module, reads, '2026-04-07T10:00:00Z')).toMatchObject({ listed: 1, looked: 1 });
      expect(await regulatorEvents(watched.id)).toEqual(['24 hours left']);

      const steps: [number, string[]][] = [
        [dueAt - 12 * HOUR - 1, ['24 hours left']],
        [dueAt - 12 * HOUR, ['24 hours left', '12 hours left']],
        [dueAt - 4 * HOUR - 1, ['24 hours left', '12 hours left']],
        [dueAt - 4 * HOUR, ['24 hours left', '12 hours left', '4 hours left']],
        [dueAt - 1, ['24 hours left', '12 hours left', '4 hours left']],
        [dueAt, ['24 hours left', '12 hours left', '4 hours left', 'deadline missed']],
        [dueAt + HOUR, ['24 hours left', '12 hours left', '4 hours left', 'deadline missed']],
      ];
      for (const [at, expected] of steps) {
        const run = await runAt(module, reads, new Date(at));
        const label = new Date(at).toISOString();
        expect(await regulatorEvents(watched.id), label).toEqual(expected);
        // Never more than the one watched breach is read, and only at an instant something falls due.
        expect(run.looked, label).toBeLessThanOrEqual(1);
        expect(run.listed, label).toBe(run.looked);
      }
      const escalations = (await t.vigil.timeline.list(watched.id)).filter(
        (e) => e.kind === 'escalation' && e.data.obligation === 'regulator',
      );
      expect(escalations).toHaveLength(1);
    },
    SEEDING_TIMEOUT_MS,
  );

  it('sends a due warning once when two engines look at the same breach at the same time', async () => {
    await start();
    const awareAt = new Date(Date.parse(T0) - 48 * HOUR);
    const incident = await declare('Leaked export');
    await t.vigil.breaches.setRecord(admin, incident.id, breachRecord(awareAt));
    const reads: Reads = { listed: 0, looked: 0 };
    const [a, b] = [breachModule(reads), breachModule(reads)];
    // Their first runs (each marks every record due) happen before the race.
    await runAt(a, reads, '2026-04-06T09:00:00Z');
    await runAt(b, reads, '2026-04-06T09:00:00Z');
    t.clock.set(T0);
    const results = await Promise.all([a.runOnce(t.clock.now()), b.runOnce(t.clock.now())]);
    expect(results.map((r) => r.processed).sort()).toEqual([0, 1]);
    expect(await regulatorEvents(incident.id)).toEqual(['24 hours left']);
    const warned = (await t.vigil.timeline.list(incident.id)).filter(
      (e) => e.kind === 'clock_at_risk' && e.data.obligation === 'regulator',
    );
    expect(warned).toHaveLength(1);
  });

  it(
    'looks at no action that is not due, and reminds and escalates exactly once at the start of each local day',
    async () => {
      await start();
      const incident = await declare('Exposed key');
      for (let n = 0; n < NOT_DUE; n++) {
        await t.vigil.reviews.addAction(admin, incident.id, {
          title: `Later work ${n}`,
          kind: 'corrective',
          owner: 'cto@example.com',
          dueDate: '2026-06-30',
        });
      }
      const reads: Reads = { listed: 0, looked: 0 };
      const module = actionModule(reads);
      expect(await runAt(module, reads, T0)).toMatchObject({ processed: 0, listed: NOT_DUE });
      expect(await runAt(module, reads, '2026-04-07T10:00:00Z')).toEqual({
        processed: 0,
        listed: 0,
        looked: 0,
      });

      const action = await t.vigil.reviews.addAction(admin, incident.id, {
        title: 'Scan logs for secrets',
        kind: 'preventive',
        owner: 'cto@example.com',
        dueDate: '2026-04-20',
      });
      expect(await runAt(module, reads, '2026-04-07T10:00:00Z')).toEqual({
        processed: 0,
        listed: 1,
        looked: 1,
      });
      const sent = async () =>
        (await t.vigil.outbox.list({ incidentId: incident.id }))
          .filter((m) => m.payload.actionId === action.id)
          .map((m) => `${m.payload.event} ${m.recipient}`)
          .sort();
      // Europe/London: 13 April (7 days before) starts at 23:00 UTC on the 12th (BST).
      const steps: [string, number, string[]][] = [
        ['2026-04-12T22:59:59.999Z', 0, []],
        ['2026-04-12T23:00:00.000Z', 1, ['reminder-7 cto@example.com']],
        ['2026-04-18T22:59:59.999Z', 0, ['reminder-7 cto@example.com']],
        ['2026-04-18T23:00:00.000Z', 1, ['reminder-1 cto@example.com', 'reminder-7 cto@example.com']],
        ['2026-04-20T22:59:59.999Z', 0, ['reminder-1 cto@example.com', 'reminder-7 cto@example.com']],
        [
          '2026-04-20T23:00:00.000Z',
          1,
          [
            'overdue cpo@example.com',
            'overdue cto@example.com',
            'reminder-1 cto@example.com',
            'reminder-7 cto@example.com',
          ],
        ],
      ];
      for (const [at, listed, expected] of steps) {
        const run = await runAt(module, reads, at);
        expect(run.listed, at).toBe(listed);
        expect(await sent(), at).toEqual(expected);
      }
      // Overdue is the last event for this date: nothing is listed any more, however late it gets.
      expect(await runAt(module, reads, '2026-05-20T09:00:00Z')).toMatchObject({ listed: 0 });
      const escalated = (await t.vigil.audit.entries(0, 100_000)).filter(
        (e) => e.action === 'action.overdue_escalated' && e.subjectId === action.id,
      );
      expect(escalated).toHaveLength(1);
    },
    SEEDING_TIMEOUT_MS,
  );

  it('stops looking at an action once it is done, and looks again when its date moves', async () => {
    await start();
    const incident = await declare('Exposed key');
    const input = { title: 'Rotate keys', kind: 'corrective' as const, owner: 'cto@example.com' };
    const done = await t.vigil.reviews.addAction(admin, incident.id, { ...input, dueDate: '2026-04-10' });
    const moved = await t.vigil.reviews.addAction(admin, incident.id, { ...input, dueDate: '2026-04-30' });
    const reads: Reads = { listed: 0, looked: 0 };
    const module = actionModule(reads);
    expect(await runAt(module, reads, T0)).toMatchObject({ processed: 1, listed: 2 });
    await t.vigil.reviews.updateAction(admin, done.id, { status: 'done' });
    await t.vigil.reviews.updateAction(admin, moved.id, { dueDate: '2026-04-08' });
    // The new date made its action due at once; the done one is never listed again.
    expect(await runAt(module, reads, T0)).toEqual({ processed: 1, listed: 1, looked: 1 });
    expect(await runAt(module, reads, '2026-04-20T09:00:00Z')).toMatchObject({ processed: 1, listed: 1 });
    expect(await runAt(module, reads, '2026-05-20T09:00:00Z')).toEqual({
      processed: 0,
      listed: 0,
      looked: 0,
    });
    const doneMessages = (await t.vigil.outbox.list({ incidentId: incident.id })).filter(
      (m) => m.payload.actionId === done.id,
    );
    expect(doneMessages.map((m) => m.payload.event)).toEqual(['reminder-7']);
  });
});
