/**
 * The outbox's way out by email: a tiny {@link Mailer} interface, and its
 * SMTP implementation on nodemailer. The delivery module sees only the interface.
 */
import nodemailer from 'nodemailer';

/** One email, with a plain-text body and, usually, an HTML one. */
export interface OutgoingMail {
  /** The full `Message-ID` header, angle brackets included, e.g. `<outbox-ID@vigil>`. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
}

/** What the receiving server said when it accepted a message. */
export interface MailReceipt {
  /** The server's final reply, e.g. `250 2.0.0 Ok: queued as 4F2A1`. */
  response: string;
}

/** Sends mail; rejects with the server's error when the message was not accepted. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<MailReceipt>;
  /** Releases connections; sending after close is not supported. */
  close(): void;
}

/** Where and as whom to send. */
export interface SmtpSettings {
  /** `smtp://host:port` (STARTTLS when offered) or `smtps://host:port` (TLS); may carry `user:password@`. */
  url: string;
  /** The `From` header, e.g. `Vigil <vigil@localhost>`. */
  from: string;
}

/** How long one SMTP step may take, in ms: an engine cycle must not hang on a dead server. */
const SMTP_TIMEOUT_MS = 15_000;

/**
 * True when a send failed for good: the server answered with a permanent
 * (5xx) reply, such as `550 no such user`. Timeouts, refused connections
 * and 4xx replies are worth another attempt.
 */
export function isPermanentMailFailure(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * An SMTP mailer. Each message uses its own connection (no pool): the
 * outbox sends in short bursts and a pooled socket would outlive them.
 *
 * @example
 * const mailer = createSmtpMailer({ url: 'smtp://127.0.0.1:2525', from: 'Vigil <vigil@localhost>' });
 * await mailer.send({ messageId: '<outbox-1@vigil>', to: 'a@example.com', subject: 'Hi', text: 'Hello' });
 */
export function createSmtpMailer(settings: SmtpSettings): Mailer {
  const transport = nodemailer.createTransport({
    url: settings.url,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: settings.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        messageId: mail.messageId,
      });
      return { response: String(info.response ?? '') };
    },
    close() {
      transport.close();
    },
  };
}

/** The SMTP URL without credentials, for log lines: `smtp://host:port`. */
export function describeSmtpUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
