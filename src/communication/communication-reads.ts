/**
 * The read use cases of communications (list, get, preview) and the view
 * every use case answers with: the stored communication with its
 * approvers and its deliveries as the outbox holds them.
 */
import { findIncident } from '../incident/incident-context.ts';
import { outboxMessageId } from '../outbox/outbox-delivery-module.ts';
import type { OutboxMessage } from '../outbox/outbox-types.ts';
import { NotFound } from '../platform/errors.ts';
import type { CommunicationContent } from './communication-content.ts';
import type { CommunicationDeps, Executor } from './communication-deps.ts';
import type {
  Communication,
  CommunicationStatus,
  CommunicationView,
  Delivery,
  RenderedMessage,
} from './communication-types.ts';

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

/** What a queued message went out as, from its outbox row. */
function queuedCopyOf(m: OutboxMessage): RenderedMessage {
  return {
    recipient: m.recipient,
    recipientName: String(m.payload.recipientName ?? m.recipient),
    subject: m.subject,
    text: m.bodyText ?? '',
    html: m.bodyHtml ?? '',
  };
}

/**
 * Creates the read use cases, with the `view` and `findCommunication`
 * helpers the write use cases share.
 */
export function createCommunicationReads(
  deps: Pick<CommunicationDeps, 'incident' | 'dal' | 'outbox'>,
  content: Pick<CommunicationContent, 'render'>,
) {
  const { incident: incidentDeps, dal, outbox } = deps;
  const { db, clock, policy } = incidentDeps;
  const approversByAudience = policy.policy.communications.approvers;

  /** The communication as the API shows it, with its deliveries read from the outbox. */
  async function view(c: Communication): Promise<CommunicationView> {
    const deliveries = (await outbox.list({ communicationIds: [c.id] })).map(deliveryOf);
    return {
      ...c,
      status: communicationStatus(c, deliveries),
      approvers: [...approversByAudience[c.audience]],
      deliveries,
    };
  }

  /** Finds a communication on an incident, or throws NotFound. */
  async function findCommunication(db: Executor, incidentId: string, id: string): Promise<Communication> {
    const found = await dal.findById(db, incidentId, id);
    if (!found) throw new NotFound('communication', id);
    return found;
  }

  return {
    view,
    findCommunication,

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
        const messages = (await outbox.list({ communicationIds: [c.id] })).map(queuedCopyOf);
        return { communicationId: c.id, messages };
      }
      return { communicationId: c.id, messages: await content.render(db, c, incident, clock.now()) };
    },
  };
}

/** The read use cases and shared view helpers, as the write use cases receive them. */
export type CommunicationReads = ReturnType<typeof createCommunicationReads>;
