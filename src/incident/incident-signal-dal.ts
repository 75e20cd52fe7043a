import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** The incident a correlation key last pointed at, with what decides whether it may absorb more. */
export interface CorrelatedIncident {
  incidentId: string;
  reference: string;
  phase: string;
  openedAt: Date;
  key: string;
}

/**
 * Links between incidents and the signals and correlation keys that made
 * them. Both tables belong to the incident domain; `incidents` is joined
 * read-only for the phase and opening time that decide correlation.
 */
export function createIncidentSignalDal() {
  return {
    /** For each key, the incident it most recently pointed at; in the order of `keys`, missing keys left out. */
    async findByKeys(db: Executor, keys: readonly string[]): Promise<CorrelatedIncident[]> {
      if (keys.length === 0) return [];
      const rows = await db
        .selectFrom('incident_correlations as c')
        .innerJoin('incidents as i', 'i.id', 'c.incident_id')
        .select(['c.key', 'c.seq', 'i.id', 'i.reference', 'i.phase', 'i.opened_at'])
        .where('c.key', 'in', keys)
        .orderBy('c.seq', 'desc')
        .execute();
      const latest = new Map<string, CorrelatedIncident>();
      for (const r of rows) {
        if (latest.has(r.key)) continue;
        latest.set(r.key, {
          incidentId: r.id,
          reference: r.reference,
          phase: r.phase,
          openedAt: fromDbInstant(r.opened_at),
          key: r.key,
        });
      }
      return keys.flatMap((k) => (latest.has(k) ? [latest.get(k)!] : []));
    },

    /** Points `keys` at the incident (a key already pointing at it is not repeated). */
    async addKeys(trx: Transaction<VigilDatabase>, incidentId: string, keys: readonly string[], at: Date) {
      if (keys.length === 0) return;
      const existing = await trx
        .selectFrom('incident_correlations')
        .select('key')
        .where('incident_id', '=', incidentId)
        .where('key', 'in', keys)
        .execute();
      const known = new Set(existing.map((r) => r.key));
      const fresh = [...new Set(keys)].filter((k) => !known.has(k));
      if (fresh.length === 0) return;
      await trx
        .insertInto('incident_correlations')
        .values(fresh.map((key) => ({ key, incident_id: incidentId, created_at: toDbInstant(at) })))
        .execute();
    },

    /** Links signals to the incident; returns the ids that were not linked before. */
    async linkSignals(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      signalIds: readonly string[],
      ruleId: string | null,
      at: Date,
    ): Promise<string[]> {
      if (signalIds.length === 0) return [];
      const existing = await trx
        .selectFrom('incident_signals')
        .select('signal_id')
        .where('incident_id', '=', incidentId)
        .where('signal_id', 'in', signalIds)
        .execute();
      const known = new Set(existing.map((r) => r.signal_id));
      const fresh = [...new Set(signalIds)].filter((id) => !known.has(id));
      if (fresh.length > 0) {
        await trx
          .insertInto('incident_signals')
          .values(
            fresh.map((signal_id) => ({
              incident_id: incidentId,
              signal_id,
              rule_id: ruleId,
              linked_at: toDbInstant(at),
            })),
          )
          .execute();
      }
      return fresh;
    },

    async countSignals(db: Executor, incidentId: string): Promise<number> {
      const row = await db
        .selectFrom('incident_signals')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('incident_id', '=', incidentId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type IncidentSignalDal = ReturnType<typeof createIncidentSignalDal>;
