/**
 * Communications as sent, as RFC 5322 `.eml` files. Built with nodemailer's
 * MailComposer, the same composer the outbox's SMTP mailer uses, so the
 * headers and body encodings are those that went out. Every value that
 * would otherwise vary is fixed: `Date` is the instant the message was
 * sent, `Message-ID` the outbox's stable id, and the MIME boundary derives
 * from the outbox row's id. The same row always gives the same bytes.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { fallbackText, outboxMessageId } from '../outbox/outbox-delivery-module.ts';
import type { OutboxMessage } from '../outbox/outbox-types.ts';

/** What an `.eml` is built from: an outbox row that was sent by email. */
export type SentMail = Pick<
  OutboxMessage,
  'id' | 'recipient' | 'subject' | 'bodyText' | 'bodyHtml' | 'payload' | 'sentAt'
>;

/** A file-name-safe slug of a subject: lower-case letters, digits and dashes, at most 50 characters. */
export function subjectSlug(subject: string): string {
  const slug = subject
    .normalize('NFKD')
    // Accents come apart from their letters under NFKD; dropping them keeps "résumé" as "resume".
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug || 'message';
}

/** `communications/001-<slug>.eml`: numbered in sending order, so names never collide. */
export function emlPath(index: number, subject: string): string {
  return `communications/${String(index + 1).padStart(3, '0')}-${subjectSlug(subject)}.eml`;
}

/**
 * The message as an RFC 5322 document.
 *
 * @param from the `From` header the mailer sends with (the SMTP settings' `from`).
 * @example
 * const bytes = await sentMailEml(row, 'Vigil <vigil@example.com>'); // "From: ...\r\nTo: ..."
 */
export async function sentMailEml(mail: SentMail, from: string): Promise<Buffer> {
  if (!mail.sentAt) throw new Error(`outbox message ${mail.id} was not sent`);
  const composer = new MailComposer({
    from,
    to: mail.recipient,
    subject: mail.subject,
    text: mail.bodyText ?? fallbackText(mail),
    ...(mail.bodyHtml ? { html: mail.bodyHtml } : {}),
    messageId: outboxMessageId(mail.id),
    date: mail.sentAt,
    // MIME parts get a boundary from these two; left alone, nodemailer picks random bytes.
    baseBoundary: `outbox-${mail.id}`,
    boundaryPrefix: '--_Vigil',
  } as ConstructorParameters<typeof MailComposer>[0]);
  return new Promise((resolve, reject) => {
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message)));
  });
}
