import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in this process, collecting what it accepts. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT`. */
  url: string;
  /** Messages accepted so far, parsed, in arrival order. */
  messages: ParsedMail[];
  /** While true, every sender is refused with `451` (a temporary outage). */
  rejecting: boolean;
  stop(): Promise<void>;
}

/** Starts a sink on a free port of 127.0.0.1, without TLS or authentication. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const sink: SmtpSink = { url: '', messages, rejecting: false, stop: async () => undefined };
  const server = new SMTPServer({
    // Plain SMTP: no STARTTLS (its self-signed certificate would be refused) and no AUTH.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (!sink.rejecting) return callback();
      const error = Object.assign(new Error('4.3.0 Mail system temporarily unavailable'), {
        responseCode: 451,
      });
      callback(error);
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push(parsed);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  sink.url = `smtp://127.0.0.1:${port}`;
  sink.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
