import { type Kysely, sql } from 'kysely';

/**
 * Finds breached clocks without reading every clock: the incident list's `breached` filter
 * (src/incident/incident-dal.ts) asks for the clocks of each branch below, and each branch is a
 * range scan of one small partial index instead of a probe of every incident's clocks.
 *
 * Both databases use a partial index only when the query repeats its WHERE clause term for term,
 * so the predicates here and in `breachedClockIncidentIds` must stay identical.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Breached for good: a customer-update period was missed, or a clock was met late. Such rows
  // are a few percent of all clocks and never leave the index.
  await db.schema
    .createIndex('sla_clocks_breached_for_good')
    .on('sla_clocks')
    .column('incident_id')
    .where(sql<boolean>`breaches > 0 or met_at > due_at`)
    .execute();
  // Unmet clocks that are, or will be, breached once `due_at` passes: the running clocks of open
  // incidents, plus those stopped after their due time. Clocks stopped in time (closed incidents)
  // stay out, so the index grows with the open incidents, not with history. `due_at <= now`
  // is then a range scan.
  await db.schema
    .createIndex('sla_clocks_unmet_by_due')
    .on('sla_clocks')
    .columns(['due_at', 'incident_id'])
    .where(sql<boolean>`met_at is null and (stopped_at is null or stopped_at >= due_at)`)
    .execute();
}
