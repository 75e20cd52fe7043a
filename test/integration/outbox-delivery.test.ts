import { afterEach, beforeEach, expect, it } from 'vitest';
import { createOutboxDal } from '../../src/outbox/outbox-dal.ts';
import type { OutboxMessage } from '../../src/outbox/outbox-types.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const FROM = 'Vigil <vigil@test.example>';
const base = { description: 'outbox delivery', category: 'unauthorised_access' };

/** Outbox email delivery through a real SMTP server, driven by engine cycles on a fake clock. */
describeEachDatabase('outbox delivery', (dialect) => {
  let t: TestVigil;
  let sink: SmtpSink;
  let d: ReturnType<typeof incidentDriver>;

  beforeEach(async () => {
    sink = await startSmtpSink();
    // Tuesday 10:00 BST, in business hours: a critical incident's acknowledge target is 15 minutes.
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z', smtp: { url: sink.url, from: FROM } });
    d = incidentDriver(t);
  });
  afterEach(async () => {
    await t.stop();
    await sink.stop();
  });

  /** Declares a critical incident and runs the cycle that breaches its acknowledge clock. */
  async function breachAcknowledge(title: string): Promise<{ id: string; reference: string }> {
    const incident = await d.declare({ ...base, title, severity: 'critical' });
    expect(incident.sla.acknowledge.dueAt).toBe('2026-04-07T09:15:00.000Z');
    t.clock.set('2026-04-07T09:16:00Z');
    await t.vigil.engine.runCycle();
    return incident as { id: string; reference: string };
  }

  const rows = (incidentId: string): Promise<OutboxMessage[]> =>
    t.vigil.outbox.list({ incidentId, kind: 'sla.escalation' });

  it('delivers a breach escalation to each recipient once, with a stable Message-ID', async () => {
    const incident = await breachAcknowledge('Database exfiltration');
    const sent = await rows(incident.id);
    expect(sent).toHaveLength(2);
    expect(sent.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(sent.every((r) => r.sentAt?.toISOString() === '2026-04-07T09:16:00.000Z')).toBe(true);
    expect(sink.messages).toHaveLength(2);
    const byRecipient = new Map(sink.messages.map((m) => [m.to && 'text' in m.to ? m.to.text : '', m]));
    expect([...byRecipient.keys()].sort()).toEqual(['cpo@example.com', 'cto@example.com']);
    for (const row of sent) {
      const mail = byRecipient.get(row.recipient)!;
      expect(mail.subject).toBe(`[${incident.reference}] Response clock breached: acknowledge`);
      expect(mail.subject).toBe(row.subject);
      expect(mail.messageId).toBe(`<outbox-${row.id}@vigil>`);
      expect(mail.from?.value).toEqual([{ name: 'Vigil', address: 'vigil@test.example' }]);
      expect(mail.text).toContain(incident.reference);
      expect(mail.text).toContain('Database exfiltration');
      expect(mail.text).toContain('Critical');
      // Times are written for people, in the policy's time zone.
      expect(mail.text).toContain('7 April 2026, 10:15 BST');
      expect(mail.html).toContain('Database exfiltration');
    }
    expect(byRecipient.get('cpo@example.com')!.text).toContain('you own this incident');
    expect(byRecipient.get('cto@example.com')!.text).toContain('next in the succession list');

    t.clock.set('2026-04-07T09:17:00Z');
    await t.vigil.engine.runCycle();
    expect(sink.messages).toHaveLength(2);
  });

  it('holds messages through an SMTP outage and delivers each exactly once afterwards', async () => {
    sink.rejecting = true;
    const incident = await breachAcknowledge('Outage during breach');
    const held = await rows(incident.id);
    expect(held).toHaveLength(2);
    for (const row of held) {
      expect(row).toMatchObject({ status: 'pending', attempts: 1, sentAt: null });
      expect(row.lastError).toContain('451');
      // The first retry waits 30 s, plus up to 20% jitter.
      const wait = row.nextAttemptAt.getTime() - Date.parse('2026-04-07T09:16:00Z');
      expect(wait).toBeGreaterThanOrEqual(30_000);
      expect(wait).toBeLessThan(36_000);
    }
    expect(sink.messages).toHaveLength(0);

    // Before the retry is due nothing is tried, even once the server is back.
    sink.rejecting = false;
    t.clock.set('2026-04-07T09:16:20Z');
    await t.vigil.engine.runCycle();
    expect(sink.messages).toHaveLength(0);
    expect((await rows(incident.id)).map((r) => r.attempts)).toEqual([1, 1]);

    t.clock.set('2026-04-07T09:16:36Z');
    await t.vigil.engine.runCycle();
    t.clock.set('2026-04-07T09:19:00Z'); // past any claim and retry window
    await t.vigil.engine.runCycle();
    const delivered = await rows(incident.id);
    expect(delivered.map((r) => [r.status, r.attempts, r.sentAt?.toISOString()])).toEqual([
      ['sent', 2, '2026-04-07T09:16:36.000Z'],
      ['sent', 2, '2026-04-07T09:16:36.000Z'],
    ]);
    const ids = sink.messages.map((m) => m.messageId).sort();
    expect(ids).toEqual(delivered.map((r) => `<outbox-${r.id}@vigil>`).sort());
  });

  it('gives up after the maximum attempts and keeps the row as failed', async () => {
    sink.rejecting = true;
    const incident = await breachAcknowledge('Mail server gone');
    const watched = (await rows(incident.id)).map((r) => r.id);
    expect(watched).toHaveLength(2);
    for (let attempt = 2; attempt <= 10; attempt += 1) {
      // The longest backoff is one hour, plus up to 20% jitter.
      t.clock.advance(72 * 60_000 + 1_000);
      await t.vigil.engine.runCycle();
    }
    const after = (await rows(incident.id)).filter((r) => watched.includes(r.id));
    expect(after).toHaveLength(2);
    for (const row of after) {
      expect(row).toMatchObject({ status: 'failed', attempts: 10, sentAt: null });
      expect(row.lastError).toContain('451');
    }
    // A failed row is left alone, even when the server is back.
    sink.rejecting = false;
    t.clock.advance(2 * 60 * 60_000);
    await t.vigil.engine.runCycle();
    const final = (await rows(incident.id)).filter((r) => watched.includes(r.id));
    expect(final.map((r) => r.status)).toEqual(['failed', 'failed']);
    expect(final.map((r) => r.attempts)).toEqual([10, 10]);
    expect(sink.messages.filter((m) => watched.some((id) => m.messageId === `<outbox-${id}@vigil>`))).toEqual(
      [],
    );
  });

  it('delivers a message whose sender crashed after claiming it, once the claim lapses', async () => {
    sink.rejecting = true;
    const incident = await breachAcknowledge('Crash mid-send');
    const [row] = await rows(incident.id);
    expect(row!.nextAttemptAt.getTime()).toBeLessThan(Date.parse('2026-04-07T09:16:36Z'));
    sink.rejecting = false;

    // Another sender claims the row at 09:16:36 and dies before sending or marking it.
    const dal = createOutboxDal();
    const db = t.vigil.database.kysely;
    t.clock.set('2026-04-07T09:16:36Z');
    const claimed = await db
      .transaction()
      .execute((trx) => dal.claim(trx, row!.id, row!.nextAttemptAt, new Date('2026-04-07T09:18:30.000Z')));
    expect(claimed).toBe(true);
    await t.vigil.engine.runCycle();
    const messageId = `<outbox-${row!.id}@vigil>`;
    expect(sink.messages.filter((m) => m.messageId === messageId)).toHaveLength(0);
    expect((await rows(incident.id)).find((r) => r.id === row!.id)).toMatchObject({
      status: 'pending',
      attempts: 2,
    });

    t.clock.set('2026-04-07T09:18:30Z');
    await t.vigil.engine.runCycle();
    await t.vigil.engine.runCycle();
    expect(sink.messages.filter((m) => m.messageId === messageId)).toHaveLength(1);
    expect((await rows(incident.id)).find((r) => r.id === row!.id)).toMatchObject({
      status: 'sent',
      attempts: 3,
    });
  });
});
