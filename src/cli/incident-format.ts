/**
 * The incident API's JSON as the CLI reads it, and how the CLI prints it:
 * one-line summaries for lists and changes, a block for `show`.
 */

export interface PersonJson {
  email: string;
  name: string;
}

export type ClockState = 'pending' | 'at_risk' | 'met' | 'breached';

export interface SlaClockJson {
  dueAt: string;
  metAt: string | null;
  state: ClockState;
}

export const SLA_CLOCKS = ['acknowledge', 'triage', 'containment', 'customerUpdate'] as const;

export interface ChecklistItemJson {
  phase: string;
  item: string;
  text: string;
  mandatory: boolean;
  done: boolean;
}

export interface IncidentJson {
  id: string;
  reference: string;
  title: string;
  description: string;
  severity: string;
  highestSeverity?: string | null;
  phase: string;
  category?: string | null;
  openedAt: string;
  outOfHours: boolean;
  policyVersion: string;
  declaredBy?: { email: string };
  owner?: PersonJson | null;
  roles?: {
    owner: PersonJson | null;
    responders: PersonJson[];
    communications_lead: PersonJson | null;
    regulator_approver: PersonJson | null;
  };
  acknowledgedAt?: string | null;
  triage?: { decision: string; reason: string; decidedAt: string | null; startedAt: string | null } | null;
  closedAt?: string | null;
  checklist?: ChecklistItemJson[];
  sla?: Partial<Record<(typeof SLA_CLOCKS)[number], SlaClockJson | null>>;
}

export interface IncidentPage {
  items: IncidentJson[];
  nextCursor: string | null;
}

export interface TimelineEntryJson {
  id: string;
  seq: number;
  at: string;
  kind: string;
  actor: unknown;
  summary: string;
  data?: unknown;
}

/** `/api/v1/incidents/<id>[/<rest>]`, with the id or reference escaped. */
export function incidentPath(id: string, rest?: string): string {
  const base = `/api/v1/incidents/${encodeURIComponent(id)}`;
  return rest ? `${base}/${rest}` : base;
}

export function personText(person: PersonJson | null | undefined): string {
  if (!person) return 'none';
  return person.name && person.name !== person.email ? `${person.name} <${person.email}>` : person.email;
}

/** One line per incident, as `incident list` prints them. */
export function summaryLine(i: IncidentJson): string {
  const hours = i.outOfHours ? ' (out of hours)' : '';
  return `${i.reference}  ${i.severity.padEnd(8)} ${i.phase.padEnd(9)} ${i.openedAt}${hours}  ${i.title}`;
}

function clockLine(name: string, clock: SlaClockJson | null | undefined): string {
  const label = `    ${`${name}:`.padEnd(16)}`;
  if (!clock) return `${label}none`;
  const met = clock.metAt ? `, met ${clock.metAt}` : '';
  return `${label}${clock.state.padEnd(9)} due ${clock.dueAt}${met}`;
}

function rolesLines(i: IncidentJson): string[] {
  const roles = i.roles;
  if (!roles) return [];
  const responders = roles.responders.length > 0 ? roles.responders.map(personText).join(', ') : 'none';
  return [
    `  responders:  ${responders}`,
    `  comms lead:  ${personText(roles.communications_lead)}`,
    `  regulator approver: ${personText(roles.regulator_approver)}`,
  ];
}

/** The checklist of the incident's current phase: `[x] item  text (mandatory)`. */
export function checklistLines(i: IncidentJson): string[] {
  const items = (i.checklist ?? []).filter((c) => c.phase === i.phase);
  if (items.length === 0) return [`  checklist (${i.phase}): nothing to check`];
  return [
    `  checklist (${i.phase}):`,
    ...items.map(
      (c) => `    [${c.done ? 'x' : ' '}] ${c.item}  ${c.text}${c.mandatory ? ' (mandatory)' : ''}`,
    ),
  ];
}

function triageText(i: IncidentJson): string {
  if (!i.triage) return 'not yet';
  const at = i.triage.decidedAt ? ` (${i.triage.decidedAt})` : '';
  return `${i.triage.decision}: ${i.triage.reason}${at}`;
}

/** Everything `incident show` prints. */
export function details(i: IncidentJson): string[] {
  const highest =
    i.highestSeverity && i.highestSeverity !== i.severity ? ` (highest ${i.highestSeverity})` : '';
  return [
    `${i.reference}: ${i.title}`,
    `  id:          ${i.id}`,
    `  severity:    ${i.severity}${highest}`,
    `  phase:       ${i.phase}${i.closedAt ? ` (closed ${i.closedAt})` : ''}`,
    ...(i.category ? [`  category:    ${i.category}`] : []),
    `  opened:      ${i.openedAt}${i.outOfHours ? ' (out of hours)' : ''}`,
    `  acknowledged: ${i.acknowledgedAt ?? 'not yet'}`,
    `  triage:      ${triageText(i)}`,
    `  owner:       ${personText(i.owner ?? i.roles?.owner)}`,
    ...rolesLines(i),
    ...(i.declaredBy ? [`  declared by: ${i.declaredBy.email}`] : []),
    `  policy:      ${i.policyVersion}`,
    `  description: ${i.description}`,
    ...(i.sla ? ['  SLA clocks:', ...SLA_CLOCKS.map((name) => clockLine(name, i.sla?.[name]))] : []),
    ...(i.checklist ? checklistLines(i) : []),
  ];
}

function actorText(actor: unknown): string {
  if (typeof actor === 'string') return actor;
  if (actor && typeof actor === 'object') {
    const a = actor as { email?: unknown; name?: unknown };
    if (typeof a.email === 'string') return a.email;
    if (typeof a.name === 'string') return a.name;
  }
  return 'unknown';
}

/** One timeline entry: `#seq at kind actor  summary`. */
export function timelineLine(e: TimelineEntryJson): string {
  return `#${String(e.seq).padEnd(4)} ${e.at}  ${e.kind.padEnd(16)} ${actorText(e.actor)}  ${e.summary}`;
}
