import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { emlPath, type SentMail, sentMailEml, subjectSlug } from './evidence-package-eml.ts';

const mail: SentMail = {
  id: '5b1c0e4e-0000-4000-8000-000000000001',
  recipient: 'sam@acme.example',
  subject: '[INC-7] Update: we revoked the keys — résumé',
  bodyText: 'Hello Sam,\nRotate your keys.\n',
  bodyHtml: '<p>Hello Sam,</p><p>Rotate your <b>keys</b>.</p>',
  payload: {},
  sentAt: new Date('2026-04-07T10:00:05.000Z'),
};

describe('sentMailEml', () => {
  it('gives the same bytes every time, with the sent time, Message-ID and boundary fixed', async () => {
    const a = await sentMailEml(mail, 'Vigil <vigil@example.com>');
    const b = await sentMailEml(mail, 'Vigil <vigil@example.com>');
    expect(a.equals(b)).toBe(true);
    const text = a.toString();
    expect(text).toContain('Date: Tue, 07 Apr 2026 10:00:05 +0000\r\n');
    expect(text).toContain(`Message-ID: <outbox-${mail.id}@vigil>\r\n`);
    expect(text).toContain(`outbox-${mail.id}`);
  });

  it('parses back to the subject, recipient and bodies that were sent', async () => {
    const parsed = await simpleParser(await sentMailEml(mail, 'Vigil <vigil@example.com>'));
    expect(parsed.subject).toBe(mail.subject);
    expect((parsed.to as { text: string }).text).toBe(mail.recipient);
    expect(parsed.text).toBe(mail.bodyText);
    expect(parsed.html).toBe(mail.bodyHtml);
    expect(parsed.date?.toISOString()).toBe('2026-04-07T10:00:05.000Z');
  });

  it('refuses a message that was never sent', async () => {
    await expect(sentMailEml({ ...mail, sentAt: null }, 'x@y')).rejects.toThrow(/was not sent/);
  });
});

describe('emlPath', () => {
  it('numbers messages and slugs their subjects', () => {
    expect(emlPath(0, mail.subject)).toBe('communications/001-inc-7-update-we-revoked-the-keys-resume.eml');
    expect(emlPath(11, '!!!')).toBe('communications/012-message.eml');
    expect(subjectSlug('x'.repeat(80))).toHaveLength(50);
  });
});
