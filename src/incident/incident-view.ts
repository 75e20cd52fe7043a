/**
 * Assembles what is shown about incidents: the record with its people and
 * clocks (for lists), plus checklist, components, runbook and affected
 * customers (for one).
 */
import type { Kysely } from 'kysely';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { clockState, type SlaClock } from '../sla/sla-clock.ts';
import { SLA_TARGET_NAMES, type SlaTargetName } from '../sla/sla-targets.ts';
import type { IncidentDeps } from './incident-context.ts';
import type { RoleAssignment } from './incident-detail-dal.ts';
import type { ChecklistEntry, ClockView, Incident, IncidentView, Person } from './incident-types.ts';

export type IncidentSummary = Omit<
  IncidentView,
  'checklist' | 'components' | 'runbook' | 'affectedCustomers' | 'breach'
>;

export function clockViews(clocks: readonly SlaClock[], now: Date): Record<SlaTargetName, ClockView | null> {
  const views = Object.fromEntries(SLA_TARGET_NAMES.map((n) => [n, null])) as Record<
    SlaTargetName,
    ClockView | null
  >;
  for (const c of clocks) {
    views[c.name] = {
      kind: c.kind,
      startedAt: c.startedAt,
      atRiskAt: c.atRiskAt,
      dueAt: c.dueAt,
      metAt: c.metAt,
      stoppedAt: c.stoppedAt,
      state: clockState(c, now),
      breaches: c.breaches,
    };
  }
  return views;
}

function rolesOf(incident: Incident, assignments: readonly RoleAssignment[]): IncidentSummary['roles'] {
  const mine = assignments.filter((a) => a.incidentId === incident.id);
  const one = (role: RoleAssignment['role']): Person | null =>
    mine.find((a) => a.role === role)?.person ?? null;
  return {
    owner: one('owner'),
    responders: mine.filter((a) => a.role === 'responder').map((a) => a.person),
    communications_lead: one('communications_lead'),
    regulator_approver: one('regulator_approver'),
  };
}

/** Summaries of many incidents with two batched queries (roles, clocks), not two per incident. */
export async function summarise(
  deps: Pick<IncidentDeps, 'details' | 'slaDal'>,
  db: Kysely<VigilDatabase>,
  incidents: readonly Incident[],
  now: Date,
): Promise<IncidentSummary[]> {
  const ids = incidents.map((i) => i.id);
  const [assignments, clocks] = await Promise.all([
    deps.details.listRoles(db, ids),
    deps.slaDal.listForIncidents(db, ids),
  ]);
  return incidents.map((incident) => {
    const roles = rolesOf(incident, assignments);
    return { ...incident, owner: roles.owner, roles, sla: clockViews(clocks.get(incident.id) ?? [], now) };
  });
}

/** The full view of one incident. */
export async function viewIncident(
  deps: Pick<IncidentDeps, 'details' | 'slaDal' | 'policy' | 'customerLinks' | 'breachSummary'>,
  db: Kysely<VigilDatabase>,
  incident: Incident,
  now: Date,
): Promise<IncidentView> {
  const [summary] = await summarise(deps, db, [incident], now);
  const [done, components, affectedCustomers] = await Promise.all([
    deps.details.doneChecklistItems(db, incident.id),
    deps.details.listComponents(db, incident.id),
    deps.customerLinks.listAffected(db, incident.id),
  ]);
  const checklist: ChecklistEntry[] = deps.policy.policy.lifecycle.phases.flatMap((phase) =>
    phase.checklist.map((item) => ({
      phase: phase.id,
      item: item.id,
      text: item.text,
      mandatory: item.mandatory,
      done: done.has(`${phase.id}/${item.id}`),
    })),
  );
  const runbook = incident.category ? deps.policy.runbookSteps(incident.category, incident.phase) : null;
  const breach = (await deps.breachSummary?.summaryFor(db, incident, now)) ?? null;
  return { ...summary!, checklist, components, runbook, affectedCustomers, breach };
}
