import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server in this process, collecting what it accepts. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:PORT`, with `user:password@` when the sink requires authentication. */
  url: string;
  /** Messages accepted so far, parsed, in arrival order. */
  messages: ParsedMail[];
  /** While true, every sender is refused with `451` (a temporary outage). */
  rejecting: boolean;
  /** Recipients refused with `550` (no such mailbox), a permanent failure. */
  unknownRecipients: Set<string>;
  /** Users who authenticated, one entry per session that did. */
  authenticatedUsers: string[];
  stop(): Promise<void>;
}

/**
 * Starts a sink on a free port of 127.0.0.1, without TLS. With `auth`, it
 * requires AUTH PLAIN or LOGIN with that user and password (over plain
 * SMTP, which only a test on the loopback interface may allow).
 */
export async function startSmtpSink(
  options: { auth?: { user: string; password: string } } = {},
): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const sink: SmtpSink = {
    url: '',
    messages,
    rejecting: false,
    unknownRecipients: new Set(),
    authenticatedUsers: [],
    stop: async () => undefined,
  };
  const { auth } = options;
  const server = new SMTPServer({
    // Plain SMTP: no STARTTLS (its self-signed certificate would be refused).
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.password) {
        sink.authenticatedUsers.push(credentials.username);
        return callback(null, { user: credentials.username });
      }
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, callback) {
      if (!sink.rejecting) return callback();
      const error = Object.assign(new Error('4.3.0 Mail system temporarily unavailable'), {
        responseCode: 451,
      });
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      if (!sink.unknownRecipients.has(address.address.toLowerCase())) return callback();
      callback(
        Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 }),
      );
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
  const credentials = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
  sink.url = `smtp://${credentials}127.0.0.1:${port}`;
  sink.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
