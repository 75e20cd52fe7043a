/**
 * The write use cases of communications: draft, revise, approve and send.
 * Each runs in one transaction on the incident with its timeline and audit
 * entry; sending also queues every recipient's copy in the outbox and, for
 * customers, records the update that meets the cadence.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import {
  actorOf,
  type IncidentWork,
  recordIncidentEvent,
  workOnIncident,
} from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import { meetCustomerUpdate } from '../incident/incident-update-service.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, Forbidden } from '../platform/errors.ts';
import type { CommunicationContent } from './communication-content.ts';
import type { CommunicationDeps } from './communication-deps.ts';
import type { CommunicationReads } from './communication-reads.ts';
import type { Communication, CommunicationView, DraftInput, RenderedMessage } from './communication-types.ts';

/** The template whose sending to customers meets a breach's obligation to tell them. */
export const BREACH_NOTIFICATION_TEMPLATE = 'breach_notification';

/** The outbox kind of a communication's messages, e.g. `communication.customers`. */
export function communicationKind(audience: string): string {
  return `communication.${audience}`;
}

/** Creates the write use cases on top of the shared content and view helpers. */
export function createCommunicationWrites(
  deps: CommunicationDeps,
  content: CommunicationContent,
  reads: Pick<CommunicationReads, 'view' | 'findCommunication'>,
) {
  const { incident: incidentDeps, dal, outbox, breachNotices } = deps;
  const { policy, details } = incidentDeps;
  const approversByAudience = policy.policy.communications.approvers;
  const { checkDraft, fromInput, render } = content;
  const { view, findCommunication } = reads;

  /** Runs `work` in a transaction on the incident ({@link workOnIncident}); answers what it returned. */
  const onIncident = async <T>(idOrReference: string, work: IncidentWork<T>): Promise<T> =>
    (await workOnIncident(incidentDeps, idOrReference, work)).result;

  /** Queues each recipient's copy in the outbox; the dedup key makes a copy go out once per recipient. */
  async function enqueueCopies(
    trx: Transaction<VigilDatabase>,
    c: Communication,
    incident: Incident,
    messages: readonly RenderedMessage[],
    now: Date,
  ): Promise<void> {
    for (const m of messages) {
      await outbox.enqueue(trx, {
        dedupKey: `communication:${c.id}:${m.recipient}`,
        createdAt: now,
        kind: communicationKind(c.audience),
        incidentId: incident.id,
        communicationId: c.id,
        recipient: m.recipient,
        subject: m.subject,
        bodyText: m.text,
        bodyHtml: m.html,
        payload: {
          communicationId: c.id,
          reference: incident.reference,
          template: c.template,
          recipientName: m.recipientName,
        },
      });
    }
  }

  /** Records the queuing on the incident's timeline and audit log. */
  async function recordQueued(
    trx: Transaction<VigilDatabase>,
    c: Communication,
    incident: Incident,
    messages: readonly RenderedMessage[],
    actor: Actor,
    now: Date,
  ): Promise<void> {
    await recordIncidentEvent(incidentDeps, trx, {
      incidentId: incident.id,
      actor,
      at: now,
      kind: 'communication',
      action: 'communication.queued',
      summary: `${c.audience} message queued for ${messages.length} recipient${messages.length === 1 ? '' : 's'}: ${messages[0]!.subject}`,
      data: {
        communicationId: c.id,
        audience: c.audience,
        template: c.template,
        recipients: messages.map((m) => m.recipient),
        subject: messages[0]!.subject,
      },
    });
  }

  return {
    /** Creates a draft; its content is checked now, so a draft can always be previewed and sent. */
    async draft(principal: Principal, idOrReference: string, input: DraftInput): Promise<CommunicationView> {
      const created = await onIncident(idOrReference, async (trx, incident, now) => {
        const actor = actorOf(principal);
        const base = {
          id: randomUUID(),
          incidentId: incident.id,
          createdAt: now,
          createdBy: formatActor(actor),
        };
        const c = await fromInput(trx, base, input);
        await checkDraft(trx, c, incident, now);
        await dal.insert(trx, c);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'communication',
          action: 'communication.drafted',
          summary: `${c.audience} message drafted${c.template ? ` from template ${c.template}` : ''}`,
          data: { communicationId: c.id, audience: c.audience, template: c.template },
        });
        return c;
      });
      return view(created);
    },

    /** Replaces a draft's content; an approval is withdrawn, since the words changed. 409 once queued. */
    async revise(
      principal: Principal,
      idOrReference: string,
      id: string,
      input: DraftInput,
    ): Promise<CommunicationView> {
      const revised = await onIncident(idOrReference, async (trx, incident, now) => {
        const existing = await findCommunication(trx, incident.id, id);
        if (existing.status === 'queued') throw new Conflict(`communication ${id} is already queued`);
        const c = await fromInput(trx, existing, input);
        await checkDraft(trx, c, incident, now);
        await dal.revise(trx, c);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor: actorOf(principal),
          at: now,
          kind: 'communication',
          action: 'communication.revised',
          summary: `${c.audience} message revised${existing.status === 'approved' ? ' (approval withdrawn)' : ''}`,
          data: { communicationId: c.id, audience: c.audience, template: c.template },
        });
        return { ...c, status: 'draft' as const };
      });
      return view(revised);
    },

    /**
     * Approves a draft. Only someone holding one of the policy's approver
     * roles for the audience on this incident may (403 otherwise); a
     * message that needs no approval, or is already approved or queued, 409.
     */
    async approve(principal: Principal, idOrReference: string, id: string): Promise<CommunicationView> {
      const approved = await onIncident(idOrReference, async (trx, incident, now) => {
        const c = await findCommunication(trx, incident.id, id);
        const approvers = approversByAudience[c.audience];
        if (approvers.length === 0)
          throw new Conflict(`${c.audience} messages need no approval under the policy`);
        if (c.status !== 'draft') throw new Conflict(`communication ${id} is already ${c.status}`);
        const held = (await details.listRoles(trx, [incident.id]))
          .filter((a) => a.person.userId === principal.user.id)
          .map((a) => a.role as string);
        const role = approvers.find((r) => held.includes(r));
        if (!role) {
          throw new Forbidden(
            `approving ${c.audience} messages on ${incident.reference} needs its ${approvers.join(' or ')}`,
          );
        }
        const actor = actorOf(principal);
        await dal.approve(trx, c.id, now, formatActor(actor));
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'communication',
          action: 'communication.approved',
          summary: `${c.audience} message approved as ${role}`,
          data: { communicationId: c.id, audience: c.audience, role },
        });
        return { ...c, status: 'approved' as const, approvedAt: now, approvedBy: formatActor(actor) };
      });
      return view(approved);
    },

    /**
     * Sends a communication: renders each recipient's copy and queues it in
     * the outbox, all in one transaction. 409 while a needed approval is
     * missing or when already queued. A customer message meets the
     * customer-update cadence at this moment.
     */
    async send(principal: Principal, idOrReference: string, id: string): Promise<CommunicationView> {
      const queued = await onIncident(idOrReference, async (trx, incident, now) => {
        const c = await findCommunication(trx, incident.id, id);
        if (c.status === 'queued') throw new Conflict(`communication ${id} is already queued`);
        const approvers = approversByAudience[c.audience];
        if (approvers.length > 0 && c.status !== 'approved') {
          throw new Conflict(
            `${c.audience} messages need approval by the incident's ${approvers.join(' or ')} before they are sent`,
          );
        }
        const messages = await render(trx, c, incident, now);
        if (messages.length === 0) throw new Conflict(`communication ${id} has no recipients`);
        const actor = actorOf(principal);
        if (!(await dal.markQueued(trx, c.id, now, formatActor(actor)))) {
          throw new Conflict(`communication ${id} is already queued`);
        }
        await enqueueCopies(trx, c, incident, messages, now);
        await recordQueued(trx, c, incident, messages, actor, now);
        if (c.audience === 'customers') {
          await meetCustomerUpdate(incidentDeps, trx, incident, { sentAt: now, now, actor });
          if (c.template === BREACH_NOTIFICATION_TEMPLATE)
            await breachNotices?.customersNotified(trx, incident, now, c.id);
        }
        return { ...c, status: 'queued' as const, queuedAt: now, queuedBy: formatActor(actor) };
      });
      return view(queued);
    },
  };
}
