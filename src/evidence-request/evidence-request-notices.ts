/**
 * The two emails evidence requests send through the outbox: the owner's
 * notice of a new request, and the link that answers it. Short built-in
 * texts (plainTextBody), not policy templates. Pure.
 */
import { formatInstant } from '../communication/message-values.ts';
import type { NewOutboxMessage } from '../outbox/outbox-types.ts';
import { plainTextBody } from '../outbox/plain-text.ts';
import type { EvidenceRequest, EvidenceShare, ShareTarget } from './evidence-request-types.ts';

/** The owner's notice of a new request; one per request (dedup key). */
export function ownerNotice(request: EvidenceRequest, timeZone: string): NewOutboxMessage {
  const due = formatInstant(request.dueAt, timeZone);
  const period =
    request.periodFrom || request.periodTo
      ? `Period: ${request.periodFrom ?? 'any'} to ${request.periodTo ?? 'any'}.`
      : 'Period: not given.';
  return {
    dedupKey: `evidence-request:${request.id}:owner`,
    createdAt: request.receivedAt,
    kind: 'evidence_request.received',
    incidentId: null,
    recipient: request.ownerEmail,
    subject: `Evidence request ${request.reference} from ${request.organisation}, due ${due}`,
    bodyText: plainTextBody([
      `${request.requesterName} (${request.organisation}, ${request.email}) asked for evidence through the trust page.`,
      `Incident as they named it: ${request.incidentHint || 'not given'}.`,
      period,
      '',
      request.need,
      '',
      `The policy asks for an answer by ${due}. See GET /api/v1/evidence-requests/${request.id}; answer by sharing a package or report, or decline it.`,
    ]),
    bodyHtml: null,
    payload: { requestId: request.id, reference: request.reference, dueAt: request.dueAt.toISOString() },
  };
}

function targetWords(target: ShareTarget): string {
  if (target.kind === 'package') return 'the evidence package of the incident you asked about';
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return `the ${target.report} report for ${day(target.from)} to ${day(target.to)}`;
}

/**
 * The link email to the requester. It carries the secret URL, so the outbox
 * row holds the link until delivery; the share table holds only its hash.
 */
export function shareNotice(
  request: EvidenceRequest,
  share: EvidenceShare,
  url: string,
  context: { timeZone: string; organisation: string },
): NewOutboxMessage {
  return {
    dedupKey: `evidence-share:${share.id}`,
    createdAt: share.createdAt,
    kind: 'evidence_request.shared',
    incidentId: null,
    recipient: share.recipientEmail,
    subject: `${context.organisation}: the evidence you requested (${request.reference})`,
    bodyText: plainTextBody([
      `Hello ${request.requesterName},`,
      '',
      `In answer to your request ${request.reference}, ${context.organisation} shares ${targetWords(share.target)} with you:`,
      '',
      url,
      '',
      `The link is for you alone and works until ${formatInstant(share.expiresAt, context.timeZone)}. Each download is recorded.`,
    ]),
    bodyHtml: null,
    payload: { requestId: request.id, shareId: share.id },
  };
}
