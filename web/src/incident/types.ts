/**
 * The incident as GET /api/v1/incidents/:id returns it (src/incident/incident-schemas.ts), and the
 * shapes the incident page's panels read. Instants are ISO 8601 text.
 */

export interface Person {
  email: string;
  name: string;
}

export type ClockState = 'pending' | 'at_risk' | 'met' | 'breached';

export interface SlaClock {
  kind: 'wall' | 'business';
  startedAt: string;
  atRiskAt: string;
  dueAt: string;
  metAt: string | null;
  stoppedAt: string | null;
  state: ClockState;
  breaches: number;
}

/** A legal clock: pending, at_risk, met, breached, not_required, not_started or information. */
export interface BreachClock {
  dueAt: string | null;
  metAt: string | null;
  state: string;
}

export interface ComponentImpact {
  component: string;
  confidentiality: string;
  integrity: string;
  availability: string;
}

export interface Incident {
  id: string;
  reference: string;
  title: string;
  description: string;
  severity: string;
  highestSeverity: string;
  phase: string;
  category: string | null;
  openedAt: string;
  declaredAt: string;
  declaredBy: { userId: string; email: string };
  outOfHours: boolean;
  exercise: boolean;
  exerciseId: string | null;
  evidencePurgedAt: string | null;
  policyVersion: string;
  updatedAt: string;
  owner: Person | null;
  roles: {
    owner: Person | null;
    responders: Person[];
    communications_lead: Person | null;
    regulator_approver: Person | null;
  };
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  triage: { decision: string; reason: string; decidedAt: string; startedAt: string | null } | null;
  duplicateOf: string | null;
  closedAt: string | null;
  sla: Record<string, SlaClock | null>;
  components: ComponentImpact[];
  checklist: { phase: string; item: string; text: string; mandatory: boolean; done: boolean }[];
  runbook: string | null;
  affectedCustomers: { id: string; name: string }[];
  breach: {
    status: string;
    role: string;
    clocks: { customer: BreachClock | null; regulator: BreachClock | null };
    obligations: (BreachClock & { regime: string; obligation: string; name: string })[];
  } | null;
}

/** What every panel of the incident page is given. */
export interface PanelProps {
  incident: Incident;
  /** Ask the page to fetch the incident again (a panel changed something it shows). */
  onChanged: () => void;
}
