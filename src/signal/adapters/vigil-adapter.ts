import { z } from 'zod';
import type { SeverityHint, SignalKind } from '../signal-types.ts';
import {
  compactEntities,
  defineAdapter,
  failure,
  parseJsonDocument,
  truncate,
  zodIssues,
} from './adapter-helpers.ts';
import { instantSchema } from './adapter-time.ts';

/**
 * Vigil's own security events (`src/identity`'s `SecurityEvent`), as the
 * composition root's port serialises them after the sign-in or token
 * transaction commits. Internal only: the ingestion route refuses this
 * source for every ingest token, so nobody outside can forge one.
 *
 * ```jsonc
 * { "id": "4b1f…",            // random per event: two identical failures are two signals
 *   "kind": "sign_in_failed",  // sign_in_failed | locked_out | signed_in | role_changed | token_created
 *   "principal": "ana@example.com", // the email concerned; may be empty (an SSO failure without one)
 *   "clientIp": "203.0.113.7",
 *   "at": "2026-04-07T09:30:00.000Z",
 *   "detail": { "reason": "bad_password" } } // optional; string values, copied to entities as they are
 * ```
 *
 * | event | kind | severity |
 * |---|---|---|
 * | sign_in_failed | auth_failure | low (like a failed database login) |
 * | locked_out | auth_failure | high: the account's owner is shut out and someone kept guessing |
 * | signed_in | auth_success | info |
 * | role_changed | permission_change | medium; high when the new role is admin |
 * | token_created | permission_change | low: routine, but on record for correlation |
 *
 * A lockout stays an `auth_failure` so that it also counts towards the
 * brute-force threshold grouped by principal; its `event` entity
 * (`locked_out`) lets a match rule single it out.
 */
export const vigilAdapter = defineAdapter('vigil', (body) => {
  const document = parseJsonDocument(body);
  if (!document.ok) return failure(document.issues);
  const parsed = securityEventSchema.safeParse(document.value);
  if (!parsed.success) return failure(zodIssues(parsed.error));
  const event = parsed.data;
  const detail = Object.fromEntries(
    Object.entries(event.detail ?? {}).map(([key, value]) => [key, truncate(value, 1000)]),
  );
  const { kind, severityHint } = classify(event.kind, detail);
  return {
    ok: true,
    signals: [
      {
        source: 'vigil',
        kind,
        severityHint,
        status: 'firing',
        occurredAt: event.at,
        dedupKey: `vigil:${event.id}`,
        entities: compactEntities({
          // Detail first, so it can never overwrite the named entities below.
          ...detail,
          principal: event.principal || undefined,
          clientIp: event.clientIp || undefined,
          application: 'vigil',
          event: event.kind,
        }),
        summary: summaryOf(event.kind, event.principal, event.clientIp, detail),
        raw: document.value,
      },
    ],
  };
});

const EVENT_KINDS = ['sign_in_failed', 'locked_out', 'signed_in', 'role_changed', 'token_created'] as const;
type EventKind = (typeof EVENT_KINDS)[number];

const securityEventSchema = z.object({
  id: z.string().min(1).max(100),
  kind: z.enum(EVENT_KINDS),
  principal: z.string().max(500),
  clientIp: z.string().max(100),
  at: instantSchema,
  // Lenient on purpose: a detail Vigil's own code adds later must never cost the event.
  detail: z.record(z.string().max(64), z.string()).nullish(),
});

function classify(
  kind: EventKind,
  detail: Record<string, string>,
): { kind: SignalKind; severityHint: SeverityHint } {
  switch (kind) {
    case 'sign_in_failed':
      return { kind: 'auth_failure', severityHint: 'low' };
    case 'locked_out':
      return { kind: 'auth_failure', severityHint: 'high' };
    case 'signed_in':
      return { kind: 'auth_success', severityHint: 'info' };
    case 'role_changed':
      return { kind: 'permission_change', severityHint: detail.to === 'admin' ? 'high' : 'medium' };
    case 'token_created':
      return { kind: 'permission_change', severityHint: 'low' };
  }
}

const PHRASES: Record<EventKind, string> = {
  sign_in_failed: 'Failed sign-in to Vigil',
  locked_out: 'Vigil account locked out',
  signed_in: 'Signed in to Vigil',
  role_changed: 'Vigil role changed',
  token_created: 'Vigil token created',
};

function summaryOf(kind: EventKind, principal: string, clientIp: string, detail: Record<string, string>) {
  const who = principal ? ` for ${principal}` : '';
  const from = clientIp ? ` from ${clientIp}` : '';
  const extra =
    kind === 'role_changed' && detail.from && detail.to
      ? ` (${detail.from} → ${detail.to})`
      : detail.reason
        ? ` (${detail.reason})`
        : detail.name
          ? ` (${detail.name})`
          : '';
  return `${PHRASES[kind]}${who}${from}${extra}`;
}
