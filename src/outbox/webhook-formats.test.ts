import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  escapeSlackText,
  signWebhook,
  TEAMS_MAX_BYTES,
  truncateText,
  verifyWebhookSignature,
  type WebhookFormat,
  type WebhookNotice,
  webhookBody,
} from './webhook-formats.ts';

const notice: WebhookNotice = {
  event: 'incident.emergency',
  id: 'outbox-42',
  occurredAt: new Date('2026-04-07T09:00:00.000Z'),
  title: '[INC-2026-0042] Critical incident opened out of hours',
  text: 'Payments are failing.\nSee the runbook.',
  severity: 'Critical',
  reference: 'INC-2026-0042',
  facts: [
    { name: 'Owner', value: 'Ada Lovelace' },
    { name: 'Opened', value: '2026-04-07 09:00 UTC' },
  ],
};

// biome-ignore lint/suspicious/noExplicitAny: the tests walk parsed JSON.
type Json = any;
const parse = (format: WebhookFormat, n: WebhookNotice = notice): Json => JSON.parse(webhookBody(format, n));
const facts = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ name: `Fact ${i + 1}`, value: `value ${i + 1}` }));

describe('webhookBody generic', () => {
  it("is Vigil's documented JSON with ISO UTC time", () => {
    expect(parse('generic')).toEqual({
      specVersion: 1,
      id: 'outbox-42',
      event: 'incident.emergency',
      occurredAt: '2026-04-07T09:00:00.000Z',
      title: notice.title,
      text: notice.text,
      severity: 'Critical',
      reference: 'INC-2026-0042',
      facts: notice.facts,
    });
  });

  it('leaves out severity and reference when absent', () => {
    const body = parse('generic', { ...notice, severity: undefined, reference: undefined });
    expect(Object.keys(body)).toEqual(['specVersion', 'id', 'event', 'occurredAt', 'title', 'text', 'facts']);
  });

  it('rejects a format it does not know', () => {
    expect(() => webhookBody('email' as WebhookFormat, notice)).toThrow(/unknown webhook format: email/);
  });
});

describe('webhookBody teams', () => {
  it('is a message with one Adaptive Card: title, text and facts', () => {
    const body = parse('teams');
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const [attachment] = body.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.contentUrl).toBeNull();
    expect(attachment.content).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.4',
    });
    expect(attachment.content.body).toEqual([
      { type: 'TextBlock', text: notice.title, weight: 'Bolder', size: 'Medium', wrap: true },
      { type: 'TextBlock', text: notice.text, wrap: true },
      {
        type: 'FactSet',
        facts: [
          { title: 'Severity', value: 'Critical' },
          { title: 'Reference', value: 'INC-2026-0042' },
          { title: 'Owner', value: 'Ada Lovelace' },
          { title: 'Opened', value: '2026-04-07 09:00 UTC' },
        ],
      },
    ]);
  });

  it('does not repeat severity given as a fact, and drops empty parts', () => {
    const card = parse('teams', {
      ...notice,
      text: ' ',
      reference: undefined,
      facts: [{ name: 'severity', value: 'High' }],
    }).attachments[0].content;
    expect(card.body).toHaveLength(2);
    expect(card.body[1]).toEqual({ type: 'FactSet', facts: [{ title: 'severity', value: 'High' }] });
    const bare = parse('teams', {
      ...notice,
      text: '',
      severity: undefined,
      reference: undefined,
      facts: [],
    });
    expect(bare.attachments[0].content.body).toHaveLength(1);
  });

  it('stays under the 28 KB message limit by shortening the text', () => {
    const huge = 'é'.repeat(40_000); // 80 000 bytes in UTF-8
    const raw = webhookBody('teams', { ...notice, text: huge });
    expect(Buffer.byteLength(raw)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    const [, textBlock, factSet] = JSON.parse(raw).attachments[0].content.body;
    expect(textBlock.text.endsWith('…')).toBe(true);
    expect(textBlock.text.length).toBeGreaterThan(10_000);
    expect(factSet.facts).toHaveLength(4);
  });

  it('caps the facts at 20 and each value at 1000 characters', () => {
    const many = parse('teams', {
      ...notice,
      facts: [{ name: 'Log', value: 'x'.repeat(5_000) }, ...facts(30)],
    });
    const factSet = many.attachments[0].content.body[2];
    expect(factSet.facts).toHaveLength(20);
    expect(factSet.facts[2].value).toHaveLength(1_000);
    expect(factSet.facts[2].value.endsWith('…')).toBe(true);
  });
});

describe('webhookBody slack', () => {
  it('has a fallback text, a header, a mrkdwn section and fields', () => {
    expect(parse('slack')).toEqual({
      text: notice.title,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: notice.title } },
        { type: 'section', text: { type: 'mrkdwn', text: notice.text } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Severity*\nCritical' },
            { type: 'mrkdwn', text: '*Reference*\nINC-2026-0042' },
            { type: 'mrkdwn', text: '*Owner*\nAda Lovelace' },
            { type: 'mrkdwn', text: '*Opened*\n2026-04-07 09:00 UTC' },
          ],
        },
      ],
    });
  });

  it('escapes &, < and > in mrkdwn, but not in the plain_text header', () => {
    const body = parse('slack', {
      ...notice,
      title: 'R&D <down>',
      text: 'Tell <!channel> & <@U123> > now',
      facts: [{ name: 'A<b>', value: 'c&d' }],
    });
    expect(body.text).toBe('R&amp;D &lt;down&gt;');
    expect(body.blocks[0].text.text).toBe('R&D <down>');
    expect(body.blocks[1].text.text).toBe('Tell &lt;!channel&gt; &amp; &lt;@U123&gt; &gt; now');
    expect(body.blocks[2].fields.at(-1).text).toBe('*A&lt;b&gt;*\nc&amp;d');
    expect(escapeSlackText('a & b')).toBe('a &amp; b');
  });

  it('truncates to the Block Kit limits without cutting an entity', () => {
    const body = parse('slack', {
      ...notice,
      title: 'T'.repeat(400),
      text: '&'.repeat(2_000), // 10 000 characters once escaped
      facts: [{ name: 'Long', value: 'v'.repeat(5_000) }],
    });
    expect(body.blocks[0].text.text).toHaveLength(150);
    expect(body.blocks[0].text.text.endsWith('…')).toBe(true);
    const section: string = body.blocks[1].text.text;
    expect(section.length).toBeLessThanOrEqual(3_000);
    expect(section).toMatch(/^(&amp;)+…$/);
    const field: string = body.blocks[2].fields.at(-1).text;
    expect(field.length).toBeLessThanOrEqual(2_000);
    expect(field.startsWith('*Long*\nvvv')).toBe(true);
  });

  it('shows at most 10 fields, the last counting the facts left out', () => {
    const fields = parse('slack', { ...notice, facts: facts(14) }).blocks[2].fields;
    expect(fields).toHaveLength(10);
    expect(fields[8].text).toBe('*Fact 7*\nvalue 7');
    expect(fields[9].text).toBe('*More*\n7 more facts not shown');
    const exact = parse('slack', { ...notice, severity: undefined, reference: undefined, facts: facts(10) });
    expect(exact.blocks[2].fields).toHaveLength(10);
    expect(exact.blocks[2].fields[9].text).toBe('*Fact 10*\nvalue 10');
  });

  it('leaves out an empty text section and an empty fields section', () => {
    const body = parse('slack', {
      ...notice,
      text: '\n',
      severity: undefined,
      reference: undefined,
      facts: [],
    });
    expect(body.blocks).toEqual([{ type: 'header', text: { type: 'plain_text', text: notice.title } }]);
  });
});

describe('truncateText', () => {
  it('keeps short text, cuts long text to max with "…", never splits a surrogate pair', () => {
    expect(truncateText('abc', 3)).toBe('abc');
    expect(truncateText('abcdef', 4)).toBe('abc…');
    expect(truncateText('a😀b', 3)).toBe('a…');
    expect(truncateText('abc', 0)).toBe('');
  });
});

describe('signWebhook and verifyWebhookSignature', () => {
  const secret = 'whsec_test';
  const at = new Date('2026-04-07T09:00:00.900Z');
  const body = '{"specVersion":1,"id":"outbox-42"}';
  const expectedHex = createHmac('sha256', secret).update(`1775552400.${body}`).digest('hex');

  it('signs "<unix seconds>.<body>" with HMAC-SHA256, Stripe style', () => {
    expect(signWebhook(secret, at, body)).toBe(`t=1775552400,v1=${expectedHex}`);
  });

  it('accepts its own signature within the tolerance, either side of now', () => {
    const header = signWebhook(secret, at, body);
    expect(verifyWebhookSignature(secret, header, body, at)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, new Date('2026-04-07T09:05:00Z'))).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, new Date('2026-04-07T08:55:00Z'))).toBe(true);
  });

  it('rejects a tampered body, a wrong secret and a replayed or future timestamp', () => {
    const header = signWebhook(secret, at, body);
    expect(verifyWebhookSignature(secret, header, `${body} `, at)).toBe(false);
    expect(verifyWebhookSignature('other', header, body, at)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, new Date('2026-04-07T09:05:01Z'))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, new Date('2026-04-07T08:54:59Z'))).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, new Date('2026-04-07T09:01:00Z'), 30)).toBe(false);
  });

  it('rejects a changed timestamp and malformed headers', () => {
    const forged = `t=1775552460,v1=${expectedHex}`;
    expect(verifyWebhookSignature(secret, forged, body, at)).toBe(false);
    for (const header of ['', 't=1775552400', `v1=${expectedHex}`, `t=abc,v1=${expectedHex}`, 'garbage']) {
      expect(verifyWebhookSignature(secret, header, body, at)).toBe(false);
    }
    expect(verifyWebhookSignature(secret, `t=1775552400,t=1775552400,v1=${expectedHex}`, body, at)).toBe(
      false,
    );
  });

  it('accepts any matching v1, so a secret can be rotated', () => {
    const other = createHmac('sha256', 'old').update(`1775552400.${body}`).digest('hex');
    expect(verifyWebhookSignature(secret, `t=1775552400,v1=${other},v1=${expectedHex}`, body, at)).toBe(true);
  });
});
