import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/outbox/webhook-formats.ts';
import {
  applyEdits,
  copyDefaultPolicyFolder,
  DEFAULT_FILE_TEXT,
} from '../../src/policy/fixtures/policy-variants.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

const SECRET = 'whsec-emergency-test';
const base = { description: 'Database server unreachable', category: 'service_degradation' };

/** The default policy with an outgoing generic webhook on the emergency path, and internal messages needing the owner. */
const POLICY_TEXT = applyEdits(DEFAULT_FILE_TEXT, [
  ['    internal: []\n', '    internal: [owner]\n'],
  [
    '      - { title: Head of Engineering, email: head-of-engineering@example.com }\n    webhooks: []\n',
    '      - { title: Head of Engineering, email: head-of-engineering@example.com }\n    webhooks: [ops-hook]\n',
  ],
  ['  webhooks: []\n', '  webhooks:\n    - { id: ops-hook, format: generic }\n'],
]);

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 collecting what is posted to it. */
async function startReceiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(202, { 'content-type': 'text/plain' }).end('accepted');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/secret-path`, received, server };
}

/** The out-of-hours emergency path: every person on the list by email, and the outgoing webhook, once. */
describeEachDatabase('emergency path', (dialect) => {
  let t: TestVigil;
  let sink: SmtpSink;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let d: ReturnType<typeof incidentDriver>;

  beforeEach(async () => {
    sink = await startSmtpSink();
    receiver = await startReceiver();
    // Saturday 11:00 BST: out of hours.
    t = await startTestVigil(dialect, {
      now: '2026-04-11T10:00:00Z',
      policyPath: await copyDefaultPolicyFolder(POLICY_TEXT),
      smtp: { url: sink.url, from: 'Vigil <vigil@test.example>' },
      webhooks: { ops_hook: { url: receiver.url, secret: SECRET } },
    });
    d = incidentDriver(t);
  });
  afterEach(async () => {
    await t.stop();
    await sink.stop();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  });

  it('pages everyone on the out-of-hours list and the webhook when a critical incident opens at the weekend', async () => {
    const incident = await d.declare({ ...base, title: 'Primary database down', severity: 'critical' });
    expect(incident.outOfHours).toBe(true);
    await t.vigil.engine.runCycle();

    const paged = sink.messages.filter((m) => m.subject?.includes(incident.reference));
    expect(paged.map((m) => (m.to as { text: string }).text).sort()).toEqual([
      'cpo@example.com',
      'cto@example.com',
      'head-of-engineering@example.com',
    ]);
    expect(paged[0]!.text).toContain('Primary database down');
    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    const signature = hook!.headers['x-vigil-signature'] as string;
    expect(verifyWebhookSignature(SECRET, signature, hook!.body, t.clock.now())).toBe(true);
    expect(JSON.parse(hook!.body)).toMatchObject({
      event: 'incident.emergency',
      reference: incident.reference,
    });
    const escalation = (await d.timeline(incident.id, 'escalation')).find((e) => e.data.emergency);
    expect(escalation?.data.recipients).toHaveLength(4);
    const webhookRecord = (await d.timeline(incident.id, 'communication')).find(
      (e) => e.data.channel === 'webhook',
    );
    expect(webhookRecord?.data.response).toMatch(/^202/);

    // Later cycles page nobody again.
    await t.vigil.engine.runCycle();
    expect(receiver.received).toHaveLength(1);
  });

  it('pages when a severity is raised to critical out of hours, but not for a high incident', async () => {
    const incident = await d.declare({ ...base, title: 'Slow queries', severity: 'high' });
    await t.vigil.engine.runCycle();
    expect(receiver.received).toHaveLength(0);
    await d.act(incident.id, 'severity', { severity: 'critical', reason: 'customers cannot log in' });
    await t.vigil.engine.runCycle();
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]!.body).text).toContain('Slow queries');
  });

  it('holds an internal message for the owner when the policy asks for approval', async () => {
    const incident = await d.declare({ ...base, title: 'Slow queries', severity: 'high' });
    const url = `/api/v1/incidents/${incident.id}/communications`;
    const draft = (
      await t.api({
        method: 'POST',
        url,
        payload: { audience: 'internal', subject: 'Note', body: 'About {{reference}}' },
      })
    ).json() as { id: string; approvers: string[] };
    expect(draft.approvers).toEqual(['owner']);
    const refused = await t.api({ method: 'POST', url: `${url}/${draft.id}/send` });
    expect(refused.statusCode).toBe(409);
    expect(await t.vigil.outbox.list({ communicationIds: [draft.id] })).toEqual([]);
  });
});
