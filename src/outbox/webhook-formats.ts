/**
 * Outgoing webhook bodies for chat and paging tools, as pure functions:
 * Vigil's own documented JSON (`generic`), a Microsoft Teams Adaptive Card
 * message (`teams`) and a Slack Block Kit message (`slack`), plus the
 * Stripe-style signature that generic receivers check.
 *
 * Limits kept (truncated with "…"):
 * - Teams: a message may be at most 28 KB (Teams incoming webhook and
 *   Workflows docs); the body is kept under {@link TEAMS_MAX_BYTES} by
 *   shortening the text, then dropping facts from the end.
 * - Slack (Block Kit reference): header text 150 characters, section text
 *   3000, at most 10 fields of 2000 each; `&`, `<` and `>` are escaped in
 *   mrkdwn, as Slack's formatting reference requires.
 *
 * Signatures: the sender adds {@link WEBHOOK_SIGNATURE_HEADER} whenever a
 * target has a secret, whatever its format. Generic receivers should check
 * it with {@link verifyWebhookSignature}; Teams and Slack ignore it (their
 * URL is the secret), and it lets a relay in front of them check it too.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../platform/crypto.ts';

export type WebhookFormat = 'generic' | 'teams' | 'slack';

/** Every format, e.g. for validating configuration. */
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['generic', 'teams', 'slack'];

/** One thing to tell a chat or paging tool, independent of its format. */
export interface WebhookNotice {
  /** e.g. 'incident.emergency', 'sla.escalation', 'outbox.delivery_delayed' */
  event: string;
  /** Stable id of this notice (the outbox row id), for receivers to deduplicate. */
  id: string;
  occurredAt: Date;
  /** One line, e.g. "[INC-2026-0042] Critical incident opened out of hours". */
  title: string;
  /** Plain text, may hold newlines. */
  text: string;
  /** Severity name, e.g. "Critical". */
  severity?: string;
  /** Incident reference, e.g. "INC-2026-0042". */
  reference?: string;
  facts: { name: string; value: string }[];
}

/** The header carrying {@link signWebhook}'s value. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Vigil-Signature';

/** Version of the generic body; bumped only for incompatible changes. */
export const GENERIC_SPEC_VERSION = 1;

/** Teams rejects messages over 28 KB (28 672 bytes); stay a little below it. */
export const TEAMS_MAX_BYTES = 27_000;
// Teams documents no per-element limits: these keep a card readable.
const TEAMS_MAX_TITLE = 500;
const TEAMS_MAX_FACTS = 20;
const TEAMS_MAX_FACT_NAME = 100;
const TEAMS_MAX_FACT_VALUE = 1_000;

const SLACK_MAX_HEADER = 150;
const SLACK_MAX_SECTION_TEXT = 3_000;
const SLACK_MAX_FIELDS = 10;
const SLACK_MAX_FIELD_TEXT = 2_000;
// Slack recommends keeping the top-level (notification) text under 4000 characters.
const SLACK_MAX_FALLBACK = 3_000;

/**
 * The exact JSON text to POST to a webhook of `format`.
 *
 * @example
 * const body = webhookBody('slack', notice); // '{"text":"[INC-2026-0042] ...","blocks":[...]}'
 */
export function webhookBody(format: WebhookFormat, notice: WebhookNotice): string {
  switch (format) {
    case 'generic':
      return JSON.stringify(genericMessage(notice));
    case 'teams':
      return teamsBody(notice);
    case 'slack':
      return JSON.stringify(slackMessage(notice));
    default:
      // Formats come from stored configuration: fail loudly on one this version does not know.
      throw new Error(`unknown webhook format: ${String(format)}`);
  }
}

function genericMessage(notice: WebhookNotice): Record<string, unknown> {
  return {
    specVersion: GENERIC_SPEC_VERSION,
    id: notice.id,
    event: notice.event,
    occurredAt: notice.occurredAt.toISOString(),
    title: notice.title,
    text: notice.text,
    severity: notice.severity,
    reference: notice.reference,
    facts: notice.facts.map(({ name, value }) => ({ name, value })),
  };
}

/** Severity and reference lead the facts in chat cards, unless the facts already name them. */
function displayFacts(notice: WebhookNotice): { name: string; value: string }[] {
  const named = new Set(notice.facts.map((fact) => fact.name.toLowerCase()));
  const lead: { name: string; value: string }[] = [];
  if (notice.severity && !named.has('severity')) lead.push({ name: 'Severity', value: notice.severity });
  if (notice.reference && !named.has('reference')) lead.push({ name: 'Reference', value: notice.reference });
  return [...lead, ...notice.facts];
}

function teamsBody(notice: WebhookNotice): string {
  const title = truncateText(notice.title, TEAMS_MAX_TITLE);
  const facts = displayFacts(notice)
    .slice(0, TEAMS_MAX_FACTS)
    .map((fact) => ({
      title: truncateText(fact.name, TEAMS_MAX_FACT_NAME),
      value: truncateText(fact.value, TEAMS_MAX_FACT_VALUE),
    }));
  let text = notice.text;
  for (;;) {
    const body = JSON.stringify(teamsMessage(title, text, facts));
    const over = Buffer.byteLength(body) - TEAMS_MAX_BYTES;
    if (over <= 0) return body;
    if (text.length > 0) {
      // Keep the share of the text that fits (characters take 1 to 6 bytes once JSON-encoded);
      // the margin pays for the 3-byte "…" and guarantees progress on every round.
      const textBytes = Buffer.byteLength(JSON.stringify(text));
      const keep = Math.floor((text.length * (textBytes - over)) / textBytes) - 8;
      text = truncateText(text, Math.min(keep, text.length - 2));
    } else if (facts.length > 0) facts.pop();
    else return body;
  }
}

function teamsMessage(title: string, text: string, facts: { title: string; value: string }[]): unknown {
  const body: unknown[] = [{ type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true }];
  if (text.trim().length > 0) body.push({ type: 'TextBlock', text, wrap: true });
  if (facts.length > 0) body.push({ type: 'FactSet', facts });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}

function slackMessage(notice: WebhookNotice): unknown {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncateText(notice.title, SLACK_MAX_HEADER) } },
  ];
  if (notice.text.trim().length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: escapeSlackTruncated(notice.text, SLACK_MAX_SECTION_TEXT) },
    });
  }
  const fields = slackFields(displayFacts(notice));
  if (fields.length > 0) blocks.push({ type: 'section', fields });
  return { text: escapeSlackTruncated(notice.title, SLACK_MAX_FALLBACK), blocks };
}

/** At most 10 fields: past that, the last one says how many facts were left out. */
function slackFields(facts: { name: string; value: string }[]): { type: 'mrkdwn'; text: string }[] {
  const shown = facts.length > SLACK_MAX_FIELDS ? facts.slice(0, SLACK_MAX_FIELDS - 1) : facts;
  const fields = shown.map((fact) => {
    const name = escapeSlackTruncated(fact.name, 200);
    // 3 characters for the asterisks and the newline.
    const value = escapeSlackTruncated(fact.value, SLACK_MAX_FIELD_TEXT - name.length - 3);
    return { type: 'mrkdwn' as const, text: `*${name}*\n${value}` };
  });
  if (shown.length < facts.length) {
    fields.push({ type: 'mrkdwn', text: `*More*\n${facts.length - shown.length} more facts not shown` });
  }
  return fields;
}

/**
 * Escapes Slack's control characters `&`, `<` and `>` as HTML entities (and
 * nothing else), so text cannot form links or mentions such as `<!channel>`.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped text of at most `max` characters, never cutting an entity in half. */
function escapeSlackTruncated(text: string, max: number): string {
  const escaped = escapeSlackText(text);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const char of text) {
    const piece = escapeSlackText(char);
    if (out.length + piece.length > max - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/**
 * `text` if it has at most `max` UTF-16 units, else its start and "…" in
 * `max` units, never splitting a surrogate pair; empty when `max` < 1.
 */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < 1) return '';
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return `${out}…`;
}

/**
 * The {@link WEBHOOK_SIGNATURE_HEADER} value for `body` sent at `timestamp`:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>" keyed by secret>`.
 * The timestamp inside the signed text lets receivers reject replays.
 *
 * @example
 * signWebhook('s3cret', new Date('2026-04-07T09:00:00Z'), '{}') // 't=1775552400,v1=…'
 */
export function signWebhook(secret: string, timestamp: Date, body: string): string {
  const seconds = Math.floor(timestamp.getTime() / 1000);
  return `t=${seconds},v1=${hmacHex(secret, seconds, body)}`;
}

/**
 * Whether `header` is a valid signature of `body` under `secret`, made at
 * most `toleranceSeconds` (default 300) before or after `now`. Any `v1` may
 * match (several are allowed while a secret is rotated); comparisons are
 * constant-time. How a receiver checks a delivery, with the raw body bytes:
 *
 * @example
 * if (!verifyWebhookSignature(secret, req.headers['x-vigil-signature'], rawBody, clock.now())) reply(401);
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  let seconds: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value, ...rest] = part.trim().split('=');
    if (value === undefined || rest.length > 0) return false;
    if (key === 't') {
      if (seconds !== undefined || !/^\d{1,15}$/.test(value)) return false;
      seconds = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      candidates.push(value.toLowerCase());
    }
  }
  if (seconds === undefined || candidates.length === 0) return false;
  if (Math.abs(now.getTime() / 1000 - seconds) > toleranceSeconds) return false;
  const expected = hmacHex(secret, seconds, body);
  return candidates.some((candidate) => safeEqual(candidate, expected));
}

function hmacHex(secret: string, seconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${seconds}.${body}`).digest('hex');
}
