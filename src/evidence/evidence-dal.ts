/** Queries of the evidence vault's items; every method takes the executor. */
import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { EvidenceItemsTable, VigilDatabase } from '../platform/db/schema.ts';
import type { EvidenceItem } from './evidence-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function itemOf(r: Selectable<EvidenceItemsTable>): EvidenceItem {
  return {
    id: r.id,
    incidentId: r.incident_id,
    sha256: r.sha256,
    sizeBytes: Number(r.size_bytes),
    mediaType: r.media_type,
    filename: r.filename,
    description: r.description,
    addedBy: r.added_by,
    addedAt: fromDbInstant(r.added_at),
    purgedAt: fromDbInstantOrNull(r.purged_at),
  };
}

export function createEvidenceDal() {
  return {
    async insert(db: Executor, item: EvidenceItem): Promise<void> {
      await db
        .insertInto('evidence_items')
        .values({
          id: item.id,
          incident_id: item.incidentId,
          sha256: item.sha256,
          size_bytes: item.sizeBytes,
          media_type: item.mediaType,
          filename: item.filename,
          description: item.description,
          added_by: item.addedBy,
          added_at: toDbInstant(item.addedAt),
          purged_at: item.purgedAt ? toDbInstant(item.purgedAt) : null,
        })
        .execute();
    },

    /** The incident's items, oldest first (ties by id, so the order is stable). */
    async listForIncident(db: Executor, incidentId: string): Promise<EvidenceItem[]> {
      const rows = await db
        .selectFrom('evidence_items')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('added_at')
        .orderBy('id')
        .execute();
      return rows.map(itemOf);
    },

    async find(db: Executor, incidentId: string, itemId: string): Promise<EvidenceItem | null> {
      const row = await db
        .selectFrom('evidence_items')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .where('id', '=', itemId)
        .executeTakeFirst();
      return row ? itemOf(row) : null;
    },

    /** Whether any item, of any incident, names this content. */
    async isReferenced(db: Executor, sha256: string): Promise<boolean> {
      const row = await db
        .selectFrom('evidence_items')
        .select('id')
        .where('sha256', '=', sha256)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type EvidenceDal = ReturnType<typeof createEvidenceDal>;
