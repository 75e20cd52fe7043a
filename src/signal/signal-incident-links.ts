import type { Kysely } from 'kysely';
import type { VigilDatabase } from '../platform/db/schema.ts';

/** An incident a signal is linked to, and the detection rule that linked it (null: linked by hand or by an exercise). */
export interface SignalIncidentLink {
  incidentId: string;
  reference: string;
  ruleId: string | null;
}

/**
 * The incident links of a page of signals, by signal id: what the signal
 * list shows beside each signal so a reader sees which rule fired on it.
 * One query for the whole page.
 */
export async function incidentLinksOf(
  db: Kysely<VigilDatabase>,
  signalIds: readonly string[],
): Promise<Map<string, SignalIncidentLink[]>> {
  const links = new Map<string, SignalIncidentLink[]>();
  if (signalIds.length === 0) return links;
  const rows = await db
    .selectFrom('incident_signals as l')
    .innerJoin('incidents as i', 'i.id', 'l.incident_id')
    .select(['l.signal_id', 'l.incident_id', 'l.rule_id', 'i.reference'])
    .where('l.signal_id', 'in', [...signalIds])
    .orderBy('l.linked_at')
    .execute();
  for (const r of rows) {
    const list = links.get(r.signal_id) ?? [];
    list.push({ incidentId: r.incident_id, reference: r.reference, ruleId: r.rule_id });
    links.set(r.signal_id, list);
  }
  return links;
}
