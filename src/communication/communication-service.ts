/**
 * Communications on an incident: a person drafts a message (from a policy
 * template or free-form), previews it per recipient, has it approved when
 * the policy asks, and sends it. Sending renders every recipient's copy
 * and queues it in the outbox in one transaction with the timeline entry
 * and, for customers, the update that meets the cadence; delivery happens
 * later, by the outbox.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Customer } from '../customer/customer-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import {
  actorOf,
  findIncident,
  type IncidentDeps,
  recordIncidentEvent,
} from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import { meetCustomerUpdate } from '../incident/incident-update-service.ts';
import { outboxMessageId } from '../outbox/outbox-delivery-module.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { OutboxMessage } from '../outbox/outbox-types.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, type FieldIssue, Forbidden, NotFound, ValidationFailed } from '../platform/errors.ts';
import { dueAfter } from '../sla/sla-targets.ts';
import type { CommunicationDal } from './communication-dal.ts';
import { chooseTemplate, draftedValues, missingValueIssues, renderFor } from './communication-render.ts';
import type {
  Communication,
  CommunicationStatus,
  CommunicationView,
  Delivery,
  DraftInput,
  RenderedMessage,
} from './communication-types.ts';
import type { MessageTemplate } from './message-template.ts';
import { formatInstant, incidentValues } from './message-values.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** Customers with their contacts, read through the caller's executor. */
export interface CustomerContacts {
  findWithContacts(db: Executor, ids: readonly string[]): Promise<Customer[]>;
}

export interface CommunicationDeps {
  incident: IncidentDeps;
  dal: CommunicationDal;
  outbox: Pick<OutboxService, 'enqueue' | 'list'>;
  templates: Readonly<Record<string, MessageTemplate>>;
  customers: CustomerContacts;
  /** Told when a breach notification goes to customers: it meets the breach's customer obligations. */
  breachNotices?: {
    customersNotified(
      trx: Transaction<VigilDatabase>,
      incident: Incident,
      at: Date,
      communicationId: string,
    ): Promise<void>;
  };
}

/** The template whose sending to customers meets a breach's obligation to tell them. */
export const BREACH_NOTIFICATION_TEMPLATE = 'breach_notification';

/** The outbox kind of a communication's messages, e.g. `communication.customers`. */
export function communicationKind(audience: string): string {
  return `communication.${audience}`;
}

/** A communication's status: stored until it is queued, then its deliveries' combined state. */
export function communicationStatus(c: Communication, deliveries: readonly Delivery[]): CommunicationStatus {
  if (c.status !== 'queued') return c.status;
  if (deliveries.some((d) => d.status === 'failed')) return 'failed';
  return deliveries.length > 0 && deliveries.every((d) => d.status === 'sent') ? 'sent' : 'queued';
}

function deliveryOf(m: OutboxMessage): Delivery {
  return {
    outboxId: m.id,
    channel: m.channel,
    recipient: m.recipient,
    status: m.status,
    attempts: m.attempts,
    messageId: outboxMessageId(m.id),
    subject: m.subject,
    text: m.bodyText,
    html: m.bodyHtml,
    sentAt: m.sentAt,
    response: m.response,
    lastError: m.lastError,
  };
}

export function createCommunicationService(deps: CommunicationDeps) {
  const { incident: incidentDeps, dal, outbox, templates, customers, breachNotices } = deps;
  const { db, clock, policy, details, customerLinks, people } = incidentDeps;
  const approversByAudience = policy.policy.communications.approvers;
  const closedPhase = policy.policy.lifecycle.phases.at(-1)!.id;

  async function view(c: Communication): Promise<CommunicationView> {
    const deliveries = (await outbox.list({ communicationIds: [c.id] })).map(deliveryOf);
    return {
      ...c,
      status: communicationStatus(c, deliveries),
      approvers: [...approversByAudience[c.audience]],
      deliveries,
    };
  }

  async function findCommunication(db: Executor, incidentId: string, id: string): Promise<Communication> {
    const found = await dal.findById(db, incidentId, id);
    if (!found) throw new NotFound('communication', id);
    return found;
  }

  /**
   * The values a communication's template is filled with at `now`. The
   * next customer update is when the cadence would fall due after an update
   * sent now, unless the draft says otherwise.
   */
  async function valuesFor(trx: Executor, c: Communication, incident: Incident, now: Date) {
    const values: Record<string, string> = {
      ...incidentValues(policy.policy, incident),
      whatHappened: incident.description,
      ...draftedValues(c.values),
    };
    if (!values.nextUpdateAt) {
      const clock = (await incidentDeps.slaDal.listForIncident(trx, incident.id)).find(
        (k) => k.name === 'customerUpdate',
      );
      const cadence = policy.policy.slas[incident.severity]?.customerUpdate;
      if (clock && !clock.stoppedAt && cadence) {
        const next = dueAfter({ within: cadence.every, clock: cadence.clock }, now, policy.calendar);
        values.nextUpdateAt = formatInstant(next, policy.policy.time.timeZone);
      }
    }
    return values;
  }

  /** Who gets the communication: the chosen customers' contacts, or the incident's people and any extra recipients. */
  async function recipientsOf(trx: Executor, c: Communication): Promise<{ email: string; name: string }[]> {
    const seen = new Map<string, { email: string; name: string }>();
    if (c.audience === 'customers') {
      for (const customer of await customers.findWithContacts(trx, c.customerIds)) {
        for (const contact of customer.contacts) {
          if (!seen.has(contact.email)) seen.set(contact.email, { email: contact.email, name: contact.name });
        }
      }
    } else {
      for (const { person } of await details.listRoles(trx, [c.incidentId])) {
        const email = person.email.toLowerCase();
        if (!seen.has(email)) seen.set(email, { email, name: person.name });
      }
      for (const email of c.recipients) {
        if (seen.has(email)) continue;
        const known = await people.findByEmail(trx, email);
        seen.set(email, { email, name: known?.name ?? email });
      }
    }
    return [...seen.values()];
  }

  /** Checks a draft's content against the policy and the incident; throws ValidationFailed or Conflict. */
  async function checkDraft(trx: Executor, c: Communication, incident: Incident, now: Date) {
    if (incident.phase === closedPhase) throw new Conflict(`${incident.reference} is closed`);
    const choice = chooseTemplate(templates, c);
    const issues: FieldIssue[] = choice.ok ? [] : [...choice.issues];
    if (c.audience === 'customers') {
      if (c.recipients.length > 0) {
        issues.push({
          field: 'body.recipients',
          reason: 'is for internal messages; customers are named by customerIds',
        });
      }
      const affected = (await customerLinks.listAffected(trx, incident.id)).map((a) => a.id);
      if (affected.length === 0) {
        throw new Conflict(`${incident.reference} has no affected customers linked; link them first`);
      }
      const notAffected = c.customerIds.filter((id) => !affected.includes(id));
      if (notAffected.length > 0) {
        issues.push({
          field: 'body.customerIds',
          reason: `not affected by ${incident.reference}: ${notAffected.join(', ')}`,
        });
      }
    } else if (c.customerIds.length > 0) {
      issues.push({ field: 'body.customerIds', reason: 'is for customer messages' });
    }
    if (choice.ok)
      issues.push(...missingValueIssues(choice.template, await valuesFor(trx, c, incident, now)));
    if (issues.length > 0) throw new ValidationFailed(issues);
  }

  /** Builds the stored draft from a request, defaulting customers to every affected one. */
  async function fromInput(
    trx: Executor,
    base: Pick<Communication, 'id' | 'incidentId' | 'createdAt' | 'createdBy'>,
    input: DraftInput,
  ): Promise<Communication> {
    const customerIds =
      input.audience === 'customers'
        ? (input.customerIds ?? (await customerLinks.listAffected(trx, base.incidentId)).map((a) => a.id))
        : (input.customerIds ?? []);
    return {
      ...base,
      audience: input.audience,
      template: input.template ?? null,
      subject: input.subject ?? null,
      body: input.body ?? null,
      values: {
        whatHappened: input.whatHappened,
        whatWeAreDoing: input.whatWeAreDoing,
        whatYouShouldDo: input.whatYouShouldDo,
        ...(input.nextUpdateAt ? { nextUpdateAt: input.nextUpdateAt } : {}),
      },
      customerIds,
      recipients: [...new Set((input.recipients ?? []).map((e) => e.toLowerCase()))],
      status: 'draft',
      approvedAt: null,
      approvedBy: null,
      queuedAt: null,
      queuedBy: null,
    };
  }

  async function render(
    trx: Executor,
    c: Communication,
    incident: Incident,
    now: Date,
  ): Promise<RenderedMessage[]> {
    const choice = chooseTemplate(templates, c);
    if (!choice.ok) throw new ValidationFailed(choice.issues);
    const values = await valuesFor(trx, c, incident, now);
    const missing = missingValueIssues(choice.template, values);
    if (missing.length > 0) throw new ValidationFailed(missing);
    return (await recipientsOf(trx, c)).map((r) => renderFor(choice.template, values, r));
  }

  /** Runs `work` in a transaction on the incident, re-read inside it, and stamps the incident updated. */
  async function onIncident<T>(
    idOrReference: string,
    work: (trx: Transaction<VigilDatabase>, incident: Incident, now: Date) => Promise<T>,
  ): Promise<T> {
    const now = clock.now();
    const found = await findIncident(incidentDeps.dal, db, idOrReference);
    return db.transaction().execute(async (trx) => {
      const record = (await incidentDeps.dal.findById(trx, found.incident.id))!;
      const result = await work(trx, record.incident, now);
      await incidentDeps.dal.update(trx, record.incident.id, { updated_at: toDbInstant(now) });
      return result;
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

    async list(idOrReference: string): Promise<CommunicationView[]> {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      const all = await dal.listForIncident(db, incident.id);
      const byCommunication = new Map<string, Delivery[]>();
      for (const m of await outbox.list({ communicationIds: all.map((c) => c.id) })) {
        const list = byCommunication.get(m.communicationId!) ?? [];
        list.push(deliveryOf(m));
        byCommunication.set(m.communicationId!, list);
      }
      return all.map((c) => {
        const deliveries = byCommunication.get(c.id) ?? [];
        const approvers = [...approversByAudience[c.audience]];
        return { ...c, status: communicationStatus(c, deliveries), approvers, deliveries };
      });
    },

    async get(idOrReference: string, id: string): Promise<CommunicationView> {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      return view(await findCommunication(db, incident.id, id));
    },

    /**
     * Renders the communication for each recipient as it would go out now.
     * Once queued, the preview is what was queued: the stored bodies.
     */
    async preview(
      idOrReference: string,
      id: string,
    ): Promise<{ communicationId: string; messages: RenderedMessage[] }> {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      const c = await findCommunication(db, incident.id, id);
      if (c.status === 'queued') {
        const messages = (await outbox.list({ communicationIds: [c.id] })).map((m) => ({
          recipient: m.recipient,
          recipientName: String(m.payload.recipientName ?? m.recipient),
          subject: m.subject,
          text: m.bodyText ?? '',
          html: m.bodyHtml ?? '',
        }));
        return { communicationId: c.id, messages };
      }
      return { communicationId: c.id, messages: await render(db, c, incident, clock.now()) };
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

export type CommunicationService = ReturnType<typeof createCommunicationService>;
