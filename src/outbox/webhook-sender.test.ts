import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyWebhookSignature, type WebhookNotice, webhookBody } from './webhook-formats.ts';
import {
  createWebhookSender,
  describeWebhookTarget,
  WebhookRejected,
  type WebhookTarget,
} from './webhook-sender.ts';

const now = new Date('2026-04-07T09:00:00.000Z');
const notice: WebhookNotice = {
  event: 'sla.escalation',
  id: 'outbox-7',
  occurredAt: new Date('2026-04-07T08:59:00.000Z'),
  title: '[INC-2026-0042] Acknowledge target breached',
  text: 'Nobody acknowledged INC-2026-0042 within 15 minutes.',
  severity: 'High',
  reference: 'INC-2026-0042',
  facts: [{ name: 'Clock', value: 'acknowledge' }],
};

/** The secret part of every test URL: it must never show up in an error message. */
const SECRET_PATH = 'hooks/T0SECRET/B0SECRET';
const SECRET_QUERY = 'sig=QuerySecret123';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base: string;
let received: Received[] = [];

/** The test server answers by the first path segment: /200, /500, /302, /hang, ... */
function answer(path: string, res: ServerResponse): void {
  const [, route] = path.split('/');
  if (route === 'hang') return; // never answers
  if (route === '302') {
    res.writeHead(302, { location: `${base}/200/${SECRET_PATH}` }).end();
    return;
  }
  if (route === 'long') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('y'.repeat(100_000));
    return;
  }
  const status = Number(route);
  const text = status === 200 ? 'ok\n  accepted' : `error ${status}, you sent it to /${SECRET_PATH}`;
  res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(path, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
});

const target = (route: string, extra: Partial<WebhookTarget> = {}): WebhookTarget => ({
  id: 'ops-channel',
  format: 'generic',
  url: `${base}/${route}/${SECRET_PATH}?${SECRET_QUERY}`,
  ...extra,
});

/** Awaits a rejection and checks it is a WebhookRejected that leaks no part of the URL's secret. */
async function rejection(promise: Promise<unknown>): Promise<WebhookRejected> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookRejected);
  const rejected = error as WebhookRejected;
  for (const secret of ['T0SECRET', 'B0SECRET', 'QuerySecret123', SECRET_PATH]) {
    expect(rejected.message).not.toContain(secret);
  }
  return rejected;
}

describe('createWebhookSender', () => {
  const sender = createWebhookSender();

  it('delivers on 200 with the event, delivery id and a signature that verifies', async () => {
    const delivery = await sender.send(target('200', { secret: 'whsec_1' }), notice, now);
    expect(delivery).toEqual({ status: 200, response: 'ok accepted' });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.path).toBe(`/200/${SECRET_PATH}?${SECRET_QUERY}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-vigil-event']).toBe('sla.escalation');
    expect(request!.headers['x-vigil-delivery']).toBe('outbox-7');
    expect(request!.body).toBe(webhookBody('generic', notice));
    const signature = request!.headers['x-vigil-signature'] as string;
    expect(signature).toMatch(/^t=1775552400,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature('whsec_1', signature, request!.body, now)).toBe(true);
  });

  it('sends the body in the target format, unsigned without a secret', async () => {
    await sender.send(target('200', { format: 'slack' }), notice, now);
    expect(received[0]!.body).toBe(webhookBody('slack', notice));
    expect(received[0]!.headers['x-vigil-signature']).toBeUndefined();
  });

  it('keeps the first 500 characters of a long response', async () => {
    const delivery = await sender.send(target('long'), notice, now);
    expect(delivery.status).toBe(200);
    expect(delivery.response).toHaveLength(500);
  });

  it.each([500, 503, 429, 408])('treats %i as transient', async (status) => {
    const error = await rejection(sender.send(target(String(status)), notice, now));
    expect(error.permanent).toBe(false);
    expect(error.status).toBe(status);
    expect(error.message).toContain(`generic webhook ops-channel (127.0.0.1:`);
    expect(error.message).toContain(`answered ${status}: error ${status}, you sent it to /[redacted]`);
  });

  it.each([400, 403, 404, 410])('treats %i as permanent', async (status) => {
    const error = await rejection(sender.send(target(String(status), { format: 'teams' }), notice, now));
    expect(error.permanent).toBe(true);
    expect(error.status).toBe(status);
    expect(error.message).toMatch(
      new RegExp(`^teams webhook ops-channel \\(127\\.0\\.0\\.1:\\d+\\) answered ${status}`),
    );
  });

  it('does not follow a redirect and treats it as permanent', async () => {
    const error = await rejection(sender.send(target('302'), notice, now));
    expect(error.permanent).toBe(true);
    expect(error.status).toBe(302);
    expect(error.message).toMatch(/answered 302 \(a redirect, which is not followed/);
    expect(received).toHaveLength(1);
  });

  it('gives up on a server that never answers, as transient', async () => {
    const quick = createWebhookSender({ timeoutMs: 150 });
    const error = await rejection(quick.send(target('hang'), notice, now));
    expect(error.permanent).toBe(false);
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(
      /^generic webhook ops-channel \(127\.0\.0\.1:\d+\) did not answer within 150 ms$/,
    );
  });

  it('treats a refused connection as transient', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/${SECRET_PATH}?${SECRET_QUERY}`;
    const error = await rejection(sender.send({ id: 'gone', format: 'slack', url }, notice, now));
    expect(error.permanent).toBe(false);
    expect(error.message).toBe(`slack webhook gone (127.0.0.1:${port}) could not be reached: ECONNREFUSED`);
  });

  it('rejects an invalid URL, a non-HTTP URL and an unknown format as permanent, sending nothing', async () => {
    const invalid = await rejection(
      sender.send({ id: 'bad', format: 'teams', url: `not a url/${SECRET_PATH}` }, notice, now),
    );
    expect(invalid.permanent).toBe(true);
    expect(invalid.message).toBe('teams webhook bad (invalid URL) has an invalid URL');
    const ftp = await rejection(
      sender.send({ id: 'ftp', format: 'generic', url: `ftp://example.com/${SECRET_PATH}` }, notice, now),
    );
    expect(ftp.permanent).toBe(true);
    expect(ftp.message).toBe('generic webhook ftp (example.com) has an unsupported URL scheme ftp:');
    const unknown = await rejection(
      sender.send({ id: 'x', format: 'email' as WebhookTarget['format'], url: `${base}/200` }, notice, now),
    );
    expect(unknown.permanent).toBe(true);
    expect(unknown.message).toMatch(/^email webhook x \(127\.0\.0\.1:\d+\) has an unknown format$/);
    expect(received).toHaveLength(0);
  });
});

describe('describeWebhookTarget', () => {
  it('names format, id and host only', () => {
    const url = 'https://user:pw@prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers?sig=xyz';
    expect(describeWebhookTarget({ id: 'sec', format: 'teams', url })).toBe(
      'teams webhook sec (prod-12.westeurope.logic.azure.com)',
    );
  });
});
