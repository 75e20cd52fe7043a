/**
 * An engine with the SLA module over a test escalation directory, built the
 * same way in the engine tests and in a separate engine process:
 * `node --import tsx test/support/run-engine-once.ts DATABASE_URL HOLDER NOW_ISO CYCLES`
 * runs CYCLES cycles at the fixed instant NOW_ISO, stops gracefully, and
 * prints one JSON line `{ holder, leaderCycles, processed }`.
 */
import { pathToFileURL } from 'node:url';
import { createAuditDal } from '../../src/audit/audit-dal.ts';
import { createAuditService } from '../../src/audit/audit-service.ts';
import { createEngine } from '../../src/engine/engine.ts';
import type { Engine, EngineModule } from '../../src/engine/engine-types.ts';
import { createOutboxDal } from '../../src/outbox/outbox-dal.ts';
import { createOutboxService } from '../../src/outbox/outbox-service.ts';
import { type Clock, FakeClock } from '../../src/platform/clock.ts';
import { type Database, openDatabase } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createSlaDal } from '../../src/sla/sla-dal.ts';
import {
  createSlaModule,
  type EngineMessages,
  type EscalationDirectory,
  type EscalationRecipient,
} from '../../src/sla/sla-module.ts';
import { createTimelineDal } from '../../src/timeline/timeline-dal.ts';
import { createTimelineService } from '../../src/timeline/timeline-service.ts';

/** The fixed people the test directory names for every incident. */
export const TEST_RECIPIENTS: readonly EscalationRecipient[] = [
  { email: 'olive.owner@example.com', name: 'Olive Owner', reason: 'incident_owner' },
  { email: 'nico.next@example.com', name: 'Nico Next', reason: 'next_in_succession' },
];

/** A stand-in for the incident domain's directory: reads the incident row, names fixed recipients. */
export const testDirectory: EscalationDirectory = {
  async escalationRecipients() {
    return TEST_RECIPIENTS.map((r) => ({ ...r }));
  },
  async incidentSummary(trx, incidentId) {
    const row = await trx
      .selectFrom('incidents')
      .select(['reference', 'title', 'severity', 'phase', 'opened_at', 'closed_at'])
      .where('id', '=', incidentId)
      .executeTakeFirst();
    return row
      ? {
          reference: row.reference,
          title: row.title,
          severity: row.severity,
          phase: row.phase,
          openedAt: new Date(row.opened_at),
          closed: row.closed_at !== null,
        }
      : null;
  },
  async updateReminderRecipients() {
    return [{ email: TEST_RECIPIENTS[0]!.email, name: TEST_RECIPIENTS[0]!.name }];
  },
};

/** Plain messages naming the incident and clock; the engine tests check who is told, not the words. */
export const testMessages: EngineMessages = {
  escalation: ({ incident, clock }) => ({
    subject: `[${incident.reference}] ${clock.name} breached`,
    text: `${incident.reference} ${clock.name} breached`,
    html: `<p>${incident.reference} ${clock.name} breached</p>`,
  }),
  updateReminder: ({ incident, dueAt }) => ({
    subject: `[${incident.reference}] customer update due`,
    text: `due ${dueAt.toISOString()}`,
    html: `<p>due ${dueAt.toISOString()}</p>`,
  }),
};

/** The SLA module over `database`, wired as the composition root would, with the test directory. */
export function createTestSlaModule(database: Database, clock: Clock): EngineModule {
  const db = database.kysely;
  return createSlaModule({
    db,
    slaDal: createSlaDal(),
    timeline: createTimelineService({ db, dal: createTimelineDal() }),
    outbox: createOutboxService({ db, dal: createOutboxDal() }),
    audit: createAuditService({ db, dal: createAuditDal(database.dialect) }),
    directory: testDirectory,
    messages: testMessages,
    clock,
  });
}

/** An engine running only the SLA module. */
export function createTestEngine(database: Database, holderId: string, clock: Clock): Engine {
  return createEngine({
    db: database,
    clock,
    logger: createLogger('silent'),
    holderId,
    modules: [createTestSlaModule(database, clock)],
  });
}

async function main(args: string[]): Promise<void> {
  const [url, holder, nowIso, cyclesText] = args;
  if (!url || !holder || !nowIso || !cyclesText)
    throw new Error('usage: run-engine-once DATABASE_URL HOLDER NOW_ISO CYCLES');
  const database = await openDatabase(url);
  try {
    const engine = createTestEngine(database, holder, new FakeClock(nowIso));
    let leaderCycles = 0;
    let processed = 0;
    for (let i = 0; i < Number(cyclesText); i += 1) {
      const report = await engine.runCycle();
      if (report.leader) leaderCycles += 1;
      processed += report.modules.reduce((sum, m) => sum + m.processed, 0);
    }
    await engine.stop();
    process.stdout.write(`${JSON.stringify({ holder, leaderCycles, processed })}\n`);
  } finally {
    await database.close();
  }
}

// Run only when executed as a script; the tests import the builders above.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
