import pino, { type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Structured JSON logs. Credentials never reach a log line: headers that
 * carry them are redacted wherever they appear.
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'vigil' },
    serializers: { req: serializeRequest },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.token', 'token'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Query parameters that carry credentials: ingest tokens for senders that
 * cannot set headers, and an OpenID Connect callback's one-time code.
 */
const SECRET_QUERY = /([?&](?:token|access_token|api_key|code)=)[^&#]*/gi;
/** Path segments that are credentials: the secret of a link shared with one recipient. */
const SECRET_PATH = /^(\/shared\/)[^/?#]+/i;

/** A URL with the values of credential-carrying query parameters and path segments replaced. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_PATH, '$1[redacted]').replace(SECRET_QUERY, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  hostname?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** The request as a log line shows it: method, URL without credentials, host, peer. */
function serializeRequest(req: LoggedRequest) {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    host: req.hostname,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
