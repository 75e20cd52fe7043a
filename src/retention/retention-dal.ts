import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { EvidenceWindowsTable, LegalHoldsTable, VigilDatabase } from '../platform/db/schema.ts';
import type { EvidenceWindow, LegalHold } from './retention-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function toHold(r: Selectable<LegalHoldsTable>): LegalHold {
  return {
    id: r.id,
    incidentId: r.incident_id,
    placedAt: fromDbInstant(r.placed_at),
    placedBy: r.placed_by,
    reason: r.reason,
    releasedAt: fromDbInstantOrNull(r.released_at),
    releasedBy: r.released_by,
    releaseReason: r.release_reason,
  };
}

function toWindow(r: Selectable<EvidenceWindowsTable>): EvidenceWindow {
  return {
    id: r.id,
    incidentId: r.incident_id,
    from: fromDbInstant(r.from_at),
    to: fromDbInstant(r.to_at),
    reason: r.reason,
    source: r.source,
    entity: r.entity === null ? null : (JSON.parse(r.entity) as Record<string, string | number>),
    createdAt: fromDbInstant(r.created_at),
    createdBy: r.created_by,
  };
}

/**
 * `"key":value` exactly as `JSON.stringify` writes the pair inside a
 * signal's entities (no spaces; strings quoted, numbers bare).
 */
export function entityNeedle(entity: Record<string, string | number>): string {
  const [key, value] = Object.entries(entity)[0]!;
  return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
}

/** A closed incident whose evidence is still kept. */
export interface ClosedIncidentRow {
  id: string;
  reference: string;
  closedAt: Date;
}

/** Queries of legal holds, evidence windows, the daily pass and the incidents' retention state. */
export function createRetentionDal() {
  return {
    async insertHold(trx: Transaction<VigilDatabase>, hold: LegalHold): Promise<void> {
      await trx
        .insertInto('legal_holds')
        .values({
          id: hold.id,
          incident_id: hold.incidentId,
          placed_at: toDbInstant(hold.placedAt),
          placed_by: hold.placedBy,
          reason: hold.reason,
          released_at: null,
          released_by: null,
          release_reason: null,
        })
        .execute();
    },

    async findActiveHold(db: Executor, incidentId: string): Promise<LegalHold | null> {
      const row = await db
        .selectFrom('legal_holds')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .where('released_at', 'is', null)
        .executeTakeFirst();
      return row ? toHold(row) : null;
    },

    /** Active holds on any of `incidentIds`, by incident. */
    async activeHolds(db: Executor, incidentIds: readonly string[]): Promise<Map<string, LegalHold>> {
      if (incidentIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('legal_holds')
        .selectAll()
        .where('incident_id', 'in', incidentIds)
        .where('released_at', 'is', null)
        .execute();
      return new Map(rows.map((r) => [r.incident_id, toHold(r)]));
    },

    /** Every hold of the incident, oldest first. */
    async listHolds(db: Executor, incidentId: string): Promise<LegalHold[]> {
      const rows = await db
        .selectFrom('legal_holds')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('placed_at')
        .orderBy('id')
        .execute();
      return rows.map(toHold);
    },

    /** Releases the active hold (compare-and-set on `released_at`); false when none was active. */
    async releaseHold(
      trx: Transaction<VigilDatabase>,
      id: string,
      release: { at: Date; by: string; reason: string },
    ): Promise<boolean> {
      const result = await trx
        .updateTable('legal_holds')
        .set({
          released_at: toDbInstant(release.at),
          released_by: release.by,
          release_reason: release.reason,
        })
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async insertWindow(trx: Transaction<VigilDatabase>, window: EvidenceWindow): Promise<void> {
      await trx
        .insertInto('evidence_windows')
        .values({
          id: window.id,
          incident_id: window.incidentId,
          from_at: toDbInstant(window.from),
          to_at: toDbInstant(window.to),
          reason: window.reason,
          source: window.source,
          entity: window.entity === null ? null : JSON.stringify(window.entity),
          entity_needle: window.entity === null ? null : entityNeedle(window.entity),
          created_at: toDbInstant(window.createdAt),
          created_by: window.createdBy,
        })
        .execute();
    },

    /** The incident's evidence windows, in the order they were marked. */
    async listWindows(db: Executor, incidentId: string): Promise<EvidenceWindow[]> {
      const rows = await db
        .selectFrom('evidence_windows')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toWindow);
    },

    /**
     * Touches the incident unless its evidence was purged; false when it was.
     * As the first write of a use case it also takes the incident's row lock
     * on PostgreSQL, so a hold or window and a purge of the same incident
     * follow one another rather than interleave.
     */
    async touchUnpurged(trx: Transaction<VigilDatabase>, incidentId: string, now: Date): Promise<boolean> {
      const result = await trx
        .updateTable('incidents')
        .set({ updated_at: toDbInstant(now) })
        .where('id', '=', incidentId)
        .where('evidence_purged_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async evidencePurgedAt(db: Executor, incidentId: string): Promise<Date | null> {
      const row = await db
        .selectFrom('incidents')
        .select('evidence_purged_at')
        .where('id', '=', incidentId)
        .executeTakeFirst();
      return fromDbInstantOrNull(row?.evidence_purged_at ?? null);
    },

    /** Closed incidents with evidence still kept that closed at or before `bound`, oldest closing first. */
    async closedUnpurged(db: Executor, bound: Date): Promise<ClosedIncidentRow[]> {
      const rows = await db
        .selectFrom('incidents')
        .select(['id', 'reference', 'closed_at'])
        .where('evidence_purged_at', 'is', null)
        .where('closed_at', 'is not', null)
        .where('closed_at', '<=', toDbInstant(bound))
        .orderBy('closed_at')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ id: r.id, reference: r.reference, closedAt: fromDbInstant(r.closed_at!) }));
    },

    /**
     * Claims the daily pass of `day`: true for the first claim of the day,
     * or when an earlier claim has not finished since `staleBefore` (its
     * process died mid-pass). A second engine, or a restart, gets false.
     */
    async claimDay(db: Executor, day: string, now: Date, staleBefore: Date): Promise<boolean> {
      const inserted = await db
        .insertInto('retention_runs')
        .values({ day, started_at: toDbInstant(now), finished_at: null })
        .onConflict((oc) => oc.column('day').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
      const retaken = await db
        .updateTable('retention_runs')
        .set({ started_at: toDbInstant(now) })
        .where('day', '=', day)
        .where('finished_at', 'is', null)
        .where('started_at', '<', toDbInstant(staleBefore))
        .executeTakeFirst();
      return Number(retaken.numUpdatedRows) === 1;
    },

    async finishDay(db: Executor, day: string, now: Date): Promise<void> {
      await db
        .updateTable('retention_runs')
        .set({ finished_at: toDbInstant(now) })
        .where('day', '=', day)
        .execute();
    },
  };
}

export type RetentionDal = ReturnType<typeof createRetentionDal>;
