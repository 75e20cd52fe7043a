/** Types of incidents. */
import type { ClockState } from '../sla/sla-clock.ts';
import type { SlaTargetName } from '../sla/sla-targets.ts';

export const TRIAGE_DECISIONS = ['confirmed', 'false_positive', 'duplicate'] as const;
export type TriageDecision = (typeof TRIAGE_DECISIONS)[number];

export const INCIDENT_ROLES = ['owner', 'responder', 'communications_lead', 'regulator_approver'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

export const IMPACT_LEVELS = ['none', 'low', 'medium', 'high'] as const;
export type ImpactLevel = (typeof IMPACT_LEVELS)[number];

export interface Person {
  userId: string;
  email: string;
  name: string;
}

export interface Incident {
  id: string;
  /** Human reference, `INC-<n>`, unique and increasing in recording order. */
  reference: string;
  title: string;
  description: string;
  severity: string;
  /** The most severe severity the incident ever had. */
  highestSeverity: string;
  phase: string;
  category: string | null;
  /** When the incident began to be handled; may be earlier than `declaredAt` for incidents recorded after the fact. */
  openedAt: Date;
  /** When the record was created. */
  declaredAt: Date;
  declaredBy: { userId: string; email: string };
  /** Opened outside the policy's business time. */
  outOfHours: boolean;
  /** The live exercise this incident practises; null for a real incident. */
  exerciseId: string | null;
  /** When the retention policy purged the incident's evidence (only a tombstone is left); null before. */
  evidencePurgedAt: Date | null;
  /** Content hash of the policy the incident was opened under. */
  policyVersion: string;
  updatedAt: Date;
  ownerId: string | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  triage: {
    decision: TriageDecision;
    reason: string;
    decidedAt: Date;
  } | null;
  /** When technical triage began: a `confirmed` decision, or moving on to contain. */
  triageStartedAt: Date | null;
  duplicateOf: string | null;
  closedAt: Date | null;
}

export interface ComponentImpact {
  component: string;
  confidentiality: ImpactLevel;
  integrity: ImpactLevel;
  availability: ImpactLevel;
}

export interface DeclareIncidentInput {
  title: string;
  severity: string;
  description: string;
  openedAt?: Date | undefined;
  category?: string | undefined;
  components?: ComponentImpact[] | undefined;
}

export interface ClockView {
  kind: 'wall' | 'business';
  startedAt: Date;
  atRiskAt: Date;
  dueAt: Date;
  metAt: Date | null;
  stoppedAt: Date | null;
  state: ClockState;
  breaches: number;
}

export interface ChecklistEntry {
  phase: string;
  item: string;
  text: string;
  mandatory: boolean;
  done: boolean;
}

/** A customer the incident affects. */
export interface AffectedCustomer {
  id: string;
  name: string;
}

/** Everything shown about one incident: the record, its people, checklist, clocks and runbook. */
export interface IncidentView extends Incident {
  owner: Person | null;
  roles: {
    owner: Person | null;
    responders: Person[];
    communications_lead: Person | null;
    regulator_approver: Person | null;
  };
  components: ComponentImpact[];
  checklist: ChecklistEntry[];
  sla: Record<SlaTargetName, ClockView | null>;
  /** The category runbook's steps for the current phase (Markdown), if the policy has one. */
  runbook: string | null;
  /** The customers linked as affected, by name. */
  affectedCustomers: AffectedCustomer[];
  /** The personal data breach recorded on the incident, with its legal clocks; null when none is. */
  breach: IncidentBreachSummary | null;
}

/** A legal clock of a breach, like the SLA clocks: due, met, state. */
export interface BreachClock {
  dueAt: Date | null;
  metAt: Date | null;
  state: string;
}

/** What the incident view shows of its breach record (the breach domain fills it in). */
export interface IncidentBreachSummary {
  status: string;
  role: string;
  clocks: { customer: BreachClock | null; regulator: BreachClock | null };
  obligations: (BreachClock & { regime: string; obligation: string; name: string })[];
}

export interface IncidentFilter {
  phase?: string | undefined;
  severity?: string | undefined;
  ownerEmail?: string | undefined;
  breached?: boolean | undefined;
  outOfHours?: boolean | undefined;
  /** True: only exercise incidents; false: only real ones. */
  exercise?: boolean | undefined;
  openedFrom?: Date | undefined;
  openedTo?: Date | undefined;
  /** True: only open incidents (not closed); false: only closed ones. */
  open?: boolean | undefined;
}

export interface IncidentPage {
  items: IncidentView[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Position in the newest-first order: opened instant, then recording order. */
export interface IncidentCursor {
  openedAt: string;
  seq: number;
}
