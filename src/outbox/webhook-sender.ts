/**
 * Sends one webhook notice over HTTP with Node's `fetch`, and sorts every
 * failure into transient (try again later) or permanent (the target must be
 * fixed). The outbox delivery module decides what to do with each.
 *
 * A Teams or Slack webhook URL is itself the secret, in its path or query:
 * errors describe a target only as `<format> webhook <id> (<host>)`.
 */
import {
  signWebhook,
  truncateText,
  WEBHOOK_FORMATS,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookFormat,
  type WebhookNotice,
  webhookBody,
} from './webhook-formats.ts';

/** Where to send: one configured webhook. */
export interface WebhookTarget {
  id: string;
  format: WebhookFormat;
  /** `https://...` (or `http://`); its path and query may hold a secret and are never logged. */
  url: string;
  /** When set, every delivery carries {@link WEBHOOK_SIGNATURE_HEADER}, whatever the format. */
  secret?: string;
}

/** A delivery the receiver accepted (2xx). */
export interface WebhookDelivery {
  status: number;
  /** The first 500 characters of the response body, on one line. */
  response: string;
}

/** The receiver did not accept a delivery; `permanent` says whether trying again can help. */
export class WebhookRejected extends Error {
  readonly permanent: boolean;
  /** The HTTP status, when the receiver answered. */
  readonly status?: number;

  constructor(message: string, options: { permanent: boolean; status?: number }) {
    super(message);
    this.name = 'WebhookRejected';
    this.permanent = options.permanent;
    if (options.status !== undefined) this.status = options.status;
  }
}

/** Sends webhook notices. */
export interface WebhookSender {
  /**
   * POSTs `notice` to `target` in its format, signed at `now` when the target
   * has a secret. Resolves on 2xx; rejects with {@link WebhookRejected}.
   */
  send(target: WebhookTarget, notice: WebhookNotice, now: Date): Promise<WebhookDelivery>;
}

export const WEBHOOK_EVENT_HEADER = 'X-Vigil-Event';
export const WEBHOOK_DELIVERY_HEADER = 'X-Vigil-Delivery';

const DEFAULT_TIMEOUT_MS = 10_000;
const RESPONSE_CHARS = 500;
/** Bytes of a response body read at most: enough for 500 characters of an error text. */
const RESPONSE_READ_BYTES = 4_096;

/** `<format> webhook <id> (<host>)`: safe for logs and `last_error`, unlike the URL. */
export function describeWebhookTarget(target: Pick<WebhookTarget, 'id' | 'format' | 'url'>): string {
  return `${target.format} webhook ${target.id} (${URL.canParse(target.url) ? new URL(target.url).host : 'invalid URL'})`;
}

/**
 * Creates a sender. `timeoutMs` (default 10 000) bounds the whole request,
 * from connecting to reading the answer.
 *
 * @example
 * const sender = createWebhookSender();
 * await sender.send({ id: 'ops', format: 'slack', url }, notice, clock.now());
 */
export function createWebhookSender(options: { timeoutMs?: number } = {}): WebhookSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async send(target, notice, now) {
      const label = describeWebhookTarget(target);
      const url = parseTarget(target, label);
      const body = webhookBody(target.format, notice);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'Vigil-Webhook',
        [WEBHOOK_EVENT_HEADER]: notice.event,
        [WEBHOOK_DELIVERY_HEADER]: notice.id,
      };
      if (target.secret) headers[WEBHOOK_SIGNATURE_HEADER] = signWebhook(target.secret, now, body);

      let response: Response;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body,
          // Following a redirect would send the (signed) notice to a URL nobody configured.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw networkFailure(error, label, timeoutMs, url);
      }
      const status = response.status;
      if (status >= 300 && status < 400) {
        await response.body?.cancel().catch(() => {});
        throw new WebhookRejected(
          `${label} answered ${status} (a redirect, which is not followed: configure the final URL)`,
          { permanent: true, status },
        );
      }
      const text = await readSnippet(response);
      if (status >= 200 && status < 300) return { status, response: text };
      const transient = status === 408 || status === 429 || status >= 500;
      const detail = text ? `: ${redact(text, url)}` : '';
      throw new WebhookRejected(`${label} answered ${status}${detail}`, { permanent: !transient, status });
    },
  };
}

function parseTarget(target: WebhookTarget, label: string): URL {
  if (!URL.canParse(target.url))
    throw new WebhookRejected(`${label} has an invalid URL`, { permanent: true });
  if (!WEBHOOK_FORMATS.includes(target.format)) {
    throw new WebhookRejected(`${label} has an unknown format`, { permanent: true });
  }
  const url = new URL(target.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WebhookRejected(`${label} has an unsupported URL scheme ${url.protocol}`, { permanent: true });
  }
  return url;
}

/** No answer: a timeout, a refused connection, DNS or TLS trouble; all worth another try. */
function networkFailure(error: unknown, label: string, timeoutMs: number, url: URL): WebhookRejected {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new WebhookRejected(`${label} did not answer within ${timeoutMs} ms`, { permanent: false });
  }
  // undici reports "fetch failed" and puts the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = error instanceof Error ? error.cause : undefined;
  const code = cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined;
  const reason = code ?? (cause instanceof Error ? cause.message : String(error));
  return new WebhookRejected(`${label} could not be reached: ${redact(reason, url)}`, { permanent: false });
}

/** The start of a response body on one line; empty when it cannot be read (the status already tells). */
async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_READ_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    return '';
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return truncateText(text, RESPONSE_CHARS);
}

/**
 * Removes the URL's secret parts from text that may echo them (an error page
 * quoting the request): credentials, the path, the query, and each path
 * segment and query value on its own, as receivers often quote only part.
 */
function redact(text: string, url: URL): string {
  const parts = [
    url.href,
    `${url.pathname}${url.search}`,
    url.pathname,
    url.search,
    url.username,
    url.password,
    ...url.pathname.split('/'),
    ...[...url.searchParams.values()],
  ];
  const secrets = [...new Set(parts.flatMap((part) => [part, safeDecode(part)]))]
    .filter((part) => part.length >= 4)
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const part of secrets) out = out.split(part).join('[redacted]');
  return out;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
