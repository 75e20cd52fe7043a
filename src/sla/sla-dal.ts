import type { Kysely, Selectable, Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { SlaClocksTable, VigilDatabase } from '../platform/db/schema.ts';
import type { ClockKind } from '../policy/policy-types.ts';
import { nextCheckAt, type SlaClock } from './sla-clock.ts';
import type { SlaTargetName } from './sla-targets.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

/** A stored clock and the incident it belongs to. */
export interface StoredClock {
  incidentId: string;
  clock: SlaClock;
}

function toClock(row: Selectable<SlaClocksTable>): SlaClock {
  return {
    name: row.name as SlaTargetName,
    kind: row.kind as ClockKind,
    startedAt: fromDbInstant(row.started_at),
    atRiskAt: fromDbInstant(row.at_risk_at),
    dueAt: fromDbInstant(row.due_at),
    metAt: fromDbInstantOrNull(row.met_at),
    stoppedAt: fromDbInstantOrNull(row.stopped_at),
    atRiskNotedAt: fromDbInstantOrNull(row.at_risk_noted_at),
    escalatedAt: fromDbInstantOrNull(row.escalated_at),
    breaches: Number(row.breaches),
  };
}

const orNull = (d: Date | null): string | null => (d ? toDbInstant(d) : null);

function toRow(incidentId: string, clock: SlaClock): SlaClocksTable {
  return {
    incident_id: incidentId,
    name: clock.name,
    kind: clock.kind,
    started_at: toDbInstant(clock.startedAt),
    at_risk_at: toDbInstant(clock.atRiskAt),
    due_at: toDbInstant(clock.dueAt),
    met_at: orNull(clock.metAt),
    stopped_at: orNull(clock.stoppedAt),
    at_risk_noted_at: orNull(clock.atRiskNotedAt),
    escalated_at: orNull(clock.escalatedAt),
    breaches: clock.breaches,
    next_check_at: orNull(nextCheckAt(clock)),
  };
}

/** Queries of SLA clocks. `next_check_at` is always derived from the clock, never set on its own. */
export function createSlaDal() {
  return {
    async insert(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      clocks: readonly SlaClock[],
    ): Promise<void> {
      if (clocks.length === 0) return;
      await trx
        .insertInto('sla_clocks')
        .values(clocks.map((c) => toRow(incidentId, c)))
        .execute();
    },

    /** Writes the clock as given (insert or replace). */
    async save(trx: Transaction<VigilDatabase>, incidentId: string, clock: SlaClock): Promise<void> {
      const row = toRow(incidentId, clock);
      const { incident_id: _id, name: _name, ...changes } = row;
      const updated = await trx
        .updateTable('sla_clocks')
        .set(changes)
        .where('incident_id', '=', incidentId)
        .where('name', '=', clock.name)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) await trx.insertInto('sla_clocks').values(row).execute();
    },

    /**
     * Saves `next` only if the stored clock still needs a check at
     * `expectedCheckAt`: the engine's compare-and-set, so that two engines,
     * or an engine racing a request, never act on the same event twice.
     */
    async saveIfUnchanged(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
      expectedCheckAt: Date,
      next: SlaClock,
    ): Promise<boolean> {
      const { incident_id: _id, name: _name, ...changes } = toRow(incidentId, next);
      const updated = await trx
        .updateTable('sla_clocks')
        .set(changes)
        .where('incident_id', '=', incidentId)
        .where('name', '=', next.name)
        .where('next_check_at', '=', toDbInstant(expectedCheckAt))
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    async listForIncident(db: Executor, incidentId: string): Promise<SlaClock[]> {
      const rows = await db
        .selectFrom('sla_clocks')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .execute();
      return rows.map(toClock);
    },

    async listForIncidents(db: Executor, incidentIds: readonly string[]): Promise<Map<string, SlaClock[]>> {
      const byIncident = new Map<string, SlaClock[]>();
      if (incidentIds.length === 0) return byIncident;
      const rows = await db
        .selectFrom('sla_clocks')
        .selectAll()
        .where('incident_id', 'in', incidentIds)
        .execute();
      for (const row of rows) {
        const list = byIncident.get(row.incident_id) ?? [];
        list.push(toClock(row));
        byIncident.set(row.incident_id, list);
      }
      return byIncident;
    },

    /** Clocks that need the engine at or before `now`, earliest first. */
    async listDue(db: Executor, now: Date, limit: number): Promise<StoredClock[]> {
      const rows = await db
        .selectFrom('sla_clocks')
        .selectAll()
        .where('next_check_at', '<=', toDbInstant(now))
        .orderBy('next_check_at')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ incidentId: r.incident_id, clock: toClock(r) }));
    },
  };
}

export type SlaDal = ReturnType<typeof createSlaDal>;
