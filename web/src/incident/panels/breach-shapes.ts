/** The breach API's answers (src/breach/breach-routes.ts), as the breach panel reads them. */

export interface BreachRecord {
  status: 'suspected' | 'confirmed' | 'ruled_out';
  role: 'controller' | 'processor';
  awarenessAt: string | null;
  confirmedAt: string | null;
  nature: string[];
  dataCategories: string[];
  peopleCategories: string[];
  approxPeople: number | null;
  approxRecords: number | null;
  likelyConsequences: string;
  measuresTaken: string;
  measuresProposed: string;
  contactPoint: string;
  determinations: string[];
  determinedAt: string | null;
}

export interface BreachAssessment {
  riskToRights: boolean;
  highRisk: boolean;
  rationale: string;
  consulted: string[];
  exception: string | null;
  decidedAt: string;
  decidedBy: string;
}

export interface Obligation {
  regime: string;
  regimeName: string;
  authority: string;
  obligation: string;
  name: string;
  audience: string;
  dueAt: string | null;
  metAt: string | null;
  state: string;
  late: boolean;
  reason: string | null;
  followsUp: string | null;
}

export interface BreachSubmission {
  id: string;
  regime: string;
  obligation: string;
  status: 'draft' | 'approved' | 'submitted';
  report: Record<string, string>;
  createdAt: string;
  createdBy: string;
  approvedAt: string | null;
  approvedBy: string | null;
  submittedAt: string | null;
  submittedBy: string | null;
  method: string | null;
  reference: string | null;
  delayReasons: string | null;
  late: boolean | null;
}

type Clock = { dueAt: string | null; metAt: string | null; state: string } | null;

export interface Breach {
  incidentId: string;
  reference: string;
  version: number;
  record: BreachRecord;
  assessment: BreachAssessment | null;
  clocks: { customer: Clock; regulator: Clock };
  obligations: Obligation[];
  submissions: BreachSubmission[];
}

/** An instant as the value of a datetime-local input, in the viewer's zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the viewer's zone) as an ISO instant, or undefined when empty. */
export function fromLocalInput(value: string): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

/** One item a line, or separated by commas. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
