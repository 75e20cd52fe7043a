/**
 * Types of the reports: the plain rows the read model hands the pure
 * report functions, and the reports they compute. Instants are UTC `Date`s;
 * local dates (`YYYY-MM-DD`) are in the policy's time zone.
 */

export const REPORT_KINDS = ['sla', 'detection', 'actions', 'exercises', 'iso27001'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_FORMATS = ['json', 'csv', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A half-open period `[from, to)` of UTC instants. */
export interface ReportRange {
  from: Date;
  to: Date;
}

/** What every report says about itself. */
export interface ReportHeader {
  title: string;
  from: Date;
  to: Date;
  generatedAt: Date;
  timeZone: string;
}

/** One incident as the reports read it (`incidents`). */
export interface IncidentRow {
  id: string;
  reference: string;
  title: string;
  severity: string;
  highestSeverity: string;
  phase: string;
  openedAt: Date;
  exerciseId: string | null;
  acknowledgedAt: Date | null;
  triageDecision: string | null;
  triageDecidedAt: Date | null;
  /** When technical triage began (a confirmed decision or moving on to contain). */
  triageStartedAt: Date | null;
  closedAt: Date | null;
}

/** One response clock (`sla_clocks`); for the update cadence, its current period. */
export interface ClockRow {
  incidentId: string;
  name: string;
  dueAt: Date;
  metAt: Date | null;
  stoppedAt: Date | null;
  /** Earlier periods breached (the customer-update cadence). */
  breaches: number;
}

/** A move of an incident into a phase (`timeline_entries` of kind `phase_changed`). */
export interface PhaseMoveRow {
  incidentId: string;
  at: Date;
  to: string;
}

/** A signal linked to an incident (`incident_signals` joined to `signals`). */
export interface SignalLinkRow {
  incidentId: string;
  signalId: string;
  /** The rule whose firing linked it; null for a link made another way (e.g. a resolve notice). */
  ruleId: string | null;
  source: string;
  linkedAt: Date;
}

/** A corrective or preventive action (`corrective_actions`) with where it came from. */
export interface ActionRow {
  id: string;
  title: string;
  kind: string;
  owner: string;
  dueDate: string;
  status: string;
  createdAt: Date;
  doneAt: Date | null;
  /** The incident's reference, when the action belongs to one. */
  incidentReference: string | null;
  /** True when it follows an exercise or an exercise incident. */
  fromExercise: boolean;
}

/** A tabletop exercise (`exercises`) with its counts. */
export interface ExerciseRow {
  id: string;
  title: string;
  scheduledFor: string;
  status: string;
  completedOn: string | null;
  facilitator: string;
  participants: number;
  hasFindings: boolean;
  actions: number;
  liveIncidents: number;
}

/** A post-incident review's state (`reviews`). */
export interface ReviewRow {
  incidentId: string;
  state: string;
  approvedAt: Date | null;
}
