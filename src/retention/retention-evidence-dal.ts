/**
 * The rows that make up an incident's evidence, across the domains that
 * wrote them, read (to digest) and deleted by retention only. Children come
 * before parents so foreign keys hold at every statement; the `incidents`
 * row itself is kept as a tombstone (see docs/evidence.md).
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { SignalDal } from '../signal/signal-dal.ts';
import { canonicalRow, type StoredRow } from './retention-digest.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;
/** The tables below are named at run time; their rows are digested as stored, whatever their columns. */
type LooseDb = Kysely<Record<string, Record<string, unknown>>>;

/** A table of incident evidence: rows with `incident_id` = the incident, and the columns that order them. */
interface EvidenceTable {
  table: string;
  key: readonly string[];
}

/** In deletion order: what refers to another row goes first. */
export const EVIDENCE_TABLES: readonly EvidenceTable[] = [
  { table: 'communications', key: ['seq'] },
  { table: 'timeline_entries', key: ['seq'] },
  { table: 'corrective_actions', key: ['seq'] },
  { table: 'reviews', key: ['incident_id'] },
  { table: 'breach_submissions', key: ['seq'] },
  { table: 'breach_assessments', key: ['seq'] },
  { table: 'breach_record_versions', key: ['version'] },
  { table: 'breach_records', key: ['incident_id'] },
  { table: 'sla_clocks', key: ['name'] },
  { table: 'incident_roles', key: ['role', 'user_id'] },
  { table: 'checklist_items', key: ['phase', 'item'] },
  { table: 'incident_components', key: ['component'] },
  { table: 'incident_customers', key: ['customer_id'] },
  { table: 'incident_correlations', key: ['seq'] },
  { table: 'exercise_signal_queue', key: ['seq'] },
  { table: 'incident_signals', key: ['signal_id'] },
  { table: 'evidence_windows', key: ['id'] },
  { table: 'legal_holds', key: ['id'] },
];

/**
 * Sorts in JavaScript, not SQL: PostgreSQL may collate text by locale where
 * SQLite compares bytes, and the digest must not depend on the engine. Rows
 * are canonical first (sequence numbers as numbers); text compares by code unit.
 */
function inKeyOrder(rows: readonly StoredRow[], key: readonly string[]): StoredRow[] {
  const compare = (a: unknown, b: unknown) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0;
  return rows.map(canonicalRow).sort((a, b) => {
    for (const column of key) {
      const order = compare(a[column], b[column]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

const SIGNAL_CHUNK = 500;

/** A signal of another incident's link or window is that incident's evidence: it stays. */
const keptByAnother = (incidentId: string) => sql<boolean>`not exists (
    select 1 from incident_signals l
    where l.incident_id <> ${incidentId} and l.signal_id = cast(signals.seq as text))
  and not exists (select 1 from evidence_windows w
    where w.incident_id <> ${incidentId}
      and w.from_at <= signals.received_at and w.to_at > signals.received_at
      and (w.source is null or w.source = signals.source)
      and (w.entity_needle is null
        or length(replace(signals.entities, w.entity_needle, '')) < length(signals.entities)))`;

export function createRetentionEvidenceDal(deps: { signals: Pick<SignalDal, 'firstSeqReceivedFrom'> }) {
  /** Sequence numbers of the signals the incident links, and those inside its windows. */
  async function signalCandidates(db: Executor, incidentId: string): Promise<number[]> {
    const seqs = new Set<number>();
    const links = await db
      .selectFrom('incident_signals')
      .select('signal_id')
      .where('incident_id', '=', incidentId)
      .execute();
    for (const l of links) if (/^\d+$/.test(l.signal_id)) seqs.add(Number(l.signal_id));
    const windows = await db
      .selectFrom('evidence_windows')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .execute();
    for (const w of windows) {
      // Signals are stored in receipt order: a window of receipt times is a range of sequence numbers.
      const from = await deps.signals.firstSeqReceivedFrom(db, fromDbInstant(w.from_at));
      if (from === null) continue;
      const to =
        (await deps.signals.firstSeqReceivedFrom(db, fromDbInstant(w.to_at))) ?? Number.MAX_SAFE_INTEGER;
      let q = db.selectFrom('signals').select('seq').where('seq', '>=', from).where('seq', '<', to);
      if (w.source !== null) q = q.where('source', '=', w.source);
      if (w.entity_needle !== null)
        q = q.where(sql<boolean>`length(replace(entities, ${w.entity_needle}, '')) < length(entities)`);
      for (const r of await q.execute()) seqs.add(Number(r.seq));
    }
    return [...seqs].sort((a, b) => a - b);
  }

  /** The incident's signals that may go: received before `cutoff`, and no other incident's evidence. */
  async function signalRows(db: Executor, incidentId: string, cutoff: Date, remove: boolean) {
    const candidates = await signalCandidates(db, incidentId);
    const rows: StoredRow[] = [];
    for (let i = 0; i < candidates.length; i += SIGNAL_CHUNK) {
      const chunk = candidates.slice(i, i + SIGNAL_CHUNK);
      const found = remove
        ? await db
            .deleteFrom('signals')
            .where('seq', 'in', chunk)
            .where('received_at', '<', toDbInstant(cutoff))
            .where(keptByAnother(incidentId))
            .returningAll()
            .execute()
        : await db
            .selectFrom('signals')
            .selectAll()
            .where('seq', 'in', chunk)
            .where('received_at', '<', toDbInstant(cutoff))
            .where(keptByAnother(incidentId))
            .execute();
      // PostgreSQL's partition key (migration 0018) is storage, not the signal: the digest leaves it out.
      rows.push(...(found as StoredRow[]).map(({ shelf: _, ...row }) => row));
    }
    return inKeyOrder(rows, ['seq']);
  }

  return {
    /**
     * Reads (and unless `dryRun`, deletes) every evidence row of the incident,
     * table by table, returning the rows in key order for the digest.
     * Signals go only when received before `telemetryCutoff`.
     */
    async takeEvidence(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      options: { telemetryCutoff: Date; dryRun: boolean },
    ): Promise<Record<string, StoredRow[]>> {
      const loose = trx as unknown as LooseDb;
      const taken: Record<string, StoredRow[]> = {};
      const communicationIds = (
        await trx.selectFrom('communications').select('id').where('incident_id', '=', incidentId).execute()
      ).map((c) => c.id);
      const outbox = trx
        .selectFrom('outbox')
        .selectAll()
        .where((eb) =>
          communicationIds.length === 0
            ? eb('incident_id', '=', incidentId)
            : eb.or([eb('incident_id', '=', incidentId), eb('communication_id', 'in', communicationIds)]),
        );
      taken.outbox = inKeyOrder((await outbox.execute()) as StoredRow[], ['seq']);
      if (!options.dryRun && taken.outbox.length > 0)
        await trx
          .deleteFrom('outbox')
          .where(
            'seq',
            'in',
            taken.outbox.map((r) => Number(r.seq)),
          )
          .execute();
      // Signals before the links and windows that name them.
      taken.signals = await signalRows(trx, incidentId, options.telemetryCutoff, !options.dryRun);
      for (const { table, key } of EVIDENCE_TABLES) {
        const rows = await loose
          .selectFrom(table)
          .selectAll()
          .where('incident_id', '=', incidentId)
          .execute();
        taken[table] = inKeyOrder(rows, key);
        if (!options.dryRun && rows.length > 0)
          await loose.deleteFrom(table).where('incident_id', '=', incidentId).execute();
      }
      return taken;
    },

    /** The incident row as stored, for the tombstone's digest. */
    async incidentRow(db: Executor, incidentId: string): Promise<StoredRow | undefined> {
      return db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst();
    },

    /**
     * Turns the incident row into a tombstone: free text stripped, the
     * purge stamped. Only if not purged yet: false when another pass got there first.
     */
    async tombstone(trx: Transaction<VigilDatabase>, incidentId: string, reference: string, now: Date) {
      const result = await trx
        .updateTable('incidents')
        .set({
          title: `${reference} (evidence purged)`,
          description: '',
          triage_reason: null,
          evidence_purged_at: toDbInstant(now),
          updated_at: toDbInstant(now),
        })
        .where('id', '=', incidentId)
        .where('evidence_purged_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Marks the incident's vault items purged and clears their descriptions.
     * Raw SQL: `evidence_items` belongs to the vault (migration 0012), which
     * retention reaches only through this statement and the port.
     */
    async markAttachmentsPurged(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      now: Date,
    ): Promise<void> {
      await sql`update evidence_items set purged_at = ${toDbInstant(now)}, description = ''
        where incident_id = ${incidentId} and purged_at is null`.execute(trx);
    },

    /** True when an item of another incident, not purged, holds the same content. */
    async contentSharedElsewhere(db: Executor, incidentId: string, sha256: string): Promise<boolean> {
      const { rows } = await sql<{ one: number }>`select 1 as one from evidence_items
        where sha256 = ${sha256} and incident_id <> ${incidentId} and purged_at is null`.execute(db);
      return rows.length > 0;
    },
  };
}

export type RetentionEvidenceDal = ReturnType<typeof createRetentionEvidenceDal>;
