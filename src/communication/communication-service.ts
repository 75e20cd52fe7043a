/**
 * Communications on an incident: a person drafts a message (from a policy
 * template or free-form), previews it per recipient, has it approved when
 * the policy asks, and sends it. Sending renders every recipient's copy
 * and queues it in the outbox in one transaction with the timeline entry
 * and, for customers, the update that meets the cadence; delivery happens
 * later, by the outbox.
 *
 * This file assembles the service: what a message says and to whom lives
 * in `communication-content.ts`, the reads in `communication-reads.ts`,
 * the writes in `communication-writes.ts`.
 */
import { createCommunicationContent } from './communication-content.ts';
import type { CommunicationDeps } from './communication-deps.ts';
import { createCommunicationReads } from './communication-reads.ts';
import { createCommunicationWrites } from './communication-writes.ts';

export type { CommunicationDeps, CustomerContacts } from './communication-deps.ts';
export { communicationStatus } from './communication-reads.ts';
export { BREACH_NOTIFICATION_TEMPLATE, communicationKind } from './communication-writes.ts';

export function createCommunicationService(deps: CommunicationDeps) {
  const content = createCommunicationContent(deps);
  const reads = createCommunicationReads(deps, content);
  const writes = createCommunicationWrites(deps, content, reads);
  return {
    draft: writes.draft,
    revise: writes.revise,
    list: reads.list,
    get: reads.get,
    preview: reads.preview,
    approve: writes.approve,
    send: writes.send,
  };
}

export type CommunicationService = ReturnType<typeof createCommunicationService>;
