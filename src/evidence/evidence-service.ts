/**
 * The evidence vault's use cases. Content goes to the store first (streamed,
 * hashed, size-capped), then the item's row and its `evidence.attached`
 * audit entry commit in one transaction. Every download is a custody record:
 * its `evidence.read` entry commits before the bytes are handed out.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf, findIncident, type IncidentDeps, workOnIncident } from '../incident/incident-context.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Gone, NotFound } from '../platform/errors.ts';
import type { EvidenceDal } from './evidence-dal.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { EvidenceAttachInput, EvidenceItem } from './evidence-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

export interface EvidenceServiceDeps {
  incident: Pick<IncidentDeps, 'db' | 'dal' | 'clock' | 'audit'>;
  dal: EvidenceDal;
  store: EvidenceStore;
  /** The largest attachment, in bytes (the policy's `evidence.maxAttachmentSize`). */
  maxBytes: number;
}

/** An item and a stream of its bytes, for a download that has been recorded. */
export interface EvidenceDownload {
  item: EvidenceItem;
  content: Readable;
}

export function createEvidenceService(deps: EvidenceServiceDeps) {
  const { incident: incidentDeps, dal, store, maxBytes } = deps;
  const { db, audit } = incidentDeps;
  // Attaches between their put and their commit. Content is only cleaned up after a failed
  // commit when no other attach is in flight, since that one may have deduplicated onto it.
  let attaching = 0;

  async function removeIfOrphaned(sha256: string): Promise<void> {
    if (attaching > 0 || (await dal.isReferenced(db, sha256))) return;
    await store.remove(sha256);
  }

  async function requireItem(incidentIdOrReference: string, itemId: string): Promise<EvidenceItem> {
    const { incident } = await findIncident(incidentDeps.dal, db, incidentIdOrReference);
    const item = await dal.find(db, incident.id, itemId);
    if (!item) throw new NotFound('evidence item', itemId);
    return item;
  }

  /** Stores the content, then records the item and its audit entry together. */
  async function attach(
    principal: Principal,
    incidentIdOrReference: string,
    content: Readable,
    input: EvidenceAttachInput,
  ): Promise<EvidenceItem> {
    // Before a byte is read: an unknown incident must leave nothing behind.
    const { incident } = await findIncident(incidentDeps.dal, db, incidentIdOrReference);
    const actor = actorOf(principal);
    attaching += 1;
    let stored: { sha256: string; sizeBytes: number } | undefined;
    try {
      stored = await store.put(content, maxBytes);
      const { sha256, sizeBytes } = stored;
      const { result } = await workOnIncident(incidentDeps, incident.id, async (trx, _incident, now) => {
        const item: EvidenceItem = {
          id: randomUUID(),
          incidentId: incident.id,
          sha256,
          sizeBytes,
          ...input,
          addedBy: formatActor(actor),
          addedAt: now,
          purgedAt: null,
        };
        await dal.insert(trx, item);
        await audit.append(trx, {
          actor,
          action: 'evidence.attached',
          subject: { type: 'incident', id: incident.id },
          detail: { itemId: item.id, sha256, sizeBytes, ...input },
          at: now,
        });
        return item;
      });
      attaching -= 1;
      return result;
    } catch (error) {
      attaching -= 1;
      if (stored) await removeIfOrphaned(stored.sha256);
      throw error;
    }
  }

  /**
   * Records the read (`evidence.read`, naming the reader and the hash) and
   * answers the bytes. The entry commits before the stream is handed out, so
   * no download goes unrecorded; purged content answers Gone.
   */
  async function read(
    principal: Principal,
    incidentIdOrReference: string,
    itemId: string,
  ): Promise<EvidenceDownload> {
    const item = await requireItem(incidentIdOrReference, itemId);
    if (item.purgedAt) {
      throw new Gone(`the content of evidence item ${item.id} was purged under the retention policy`);
    }
    const content = await store.open(item.sha256);
    try {
      await db.transaction().execute((trx) =>
        audit.append(trx, {
          actor: actorOf(principal),
          action: 'evidence.read',
          subject: { type: 'incident', id: item.incidentId },
          detail: { itemId: item.id, sha256: item.sha256 },
          at: incidentDeps.clock.now(),
        }),
      );
    } catch (error) {
      content.destroy();
      throw error;
    }
    return { item, content };
  }

  return {
    /** The store itself, for evidence packages and retention. */
    store,
    /** The largest attachment the vault accepts, in bytes. */
    maxBytes,
    attach,
    read,

    /** The incident's items, oldest first; 404 for an unknown incident. */
    async list(incidentIdOrReference: string): Promise<EvidenceItem[]> {
      const { incident } = await findIncident(incidentDeps.dal, db, incidentIdOrReference);
      return dal.listForIncident(db, incident.id);
    },

    /** One item's record (not its content, so no custody entry). */
    get: requireItem,

    /**
     * The incident's items through the caller's executor, ordered by
     * `added_at`, then id; no audit entry. For evidence packages and retention.
     */
    listForIncident(executor: Executor, incidentId: string): Promise<EvidenceItem[]> {
      return dal.listForIncident(executor, incidentId);
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
