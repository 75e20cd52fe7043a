/** Types of personal data breaches: the record on an incident, its risk assessment, and reports sent. */

export type BreachStatus = 'suspected' | 'confirmed' | 'ruled_out';
export type BreachRole = 'controller' | 'processor';
export type BreachNature = 'confidentiality' | 'integrity' | 'availability';

export const BREACH_STATUSES = [
  'suspected',
  'confirmed',
  'ruled_out',
] as const satisfies readonly BreachStatus[];
export const BREACH_ROLES = ['controller', 'processor'] as const satisfies readonly BreachRole[];
export const BREACH_NATURES = [
  'confidentiality',
  'integrity',
  'availability',
] as const satisfies readonly BreachNature[];

export interface BreachRecord {
  status: BreachStatus;
  role: BreachRole;
  awarenessAt: Date | null;
  confirmedAt: Date | null;
  nature: BreachNature[];
  dataCategories: string[];
  peopleCategories: string[];
  approxPeople: number | null;
  approxRecords: number | null;
  likelyConsequences: string;
  measuresTaken: string;
  measuresProposed: string;
  contactPoint: string;
}

export interface BreachAssessment {
  riskToRights: boolean;
  highRisk: boolean;
  rationale: string;
  consulted: string[];
  exception: string | null;
  decidedAt: Date;
  decidedBy: string;
}

/** A report sent to an authority (or a notice to customers/people), for one obligation of one regime. */
export interface Submission {
  regime: string;
  obligation: string;
  submittedAt: Date;
  late: boolean;
}

/** What can make a regulatory regime apply to an incident. */
export const REGIME_TRIGGERS = [
  'personal_data_breach',
  'significant_incident',
  'major_ict_incident',
  'material_cybersecurity_incident',
] as const;
export type RegimeTrigger = (typeof REGIME_TRIGGERS)[number];

/**
 * The breach record as stored on an incident: the personal data breach's
 * facts, plus the determinations other regimes start from (a significant
 * incident under NIS2, a major ICT incident under DORA, a material one under
 * the SEC's rule) and when that determination was made.
 */
export interface StoredBreachRecord extends BreachRecord {
  /** Determinations beyond a personal data breach (which `status` already says). */
  determinations: Exclude<RegimeTrigger, 'personal_data_breach'>[];
  determinedAt: Date | null;
}

/** A version of the record, as the history shows it. */
export interface BreachRecordVersion {
  version: number;
  record: StoredBreachRecord;
  at: Date;
  by: string;
}

export type SubmissionStatus = 'draft' | 'approved' | 'submitted';

/** A report (or notice) for one obligation: drafted from the record, approved, submitted. */
export interface BreachSubmission {
  id: string;
  incidentId: string;
  regime: string;
  obligation: string;
  status: SubmissionStatus;
  /** The report's content, section by section (nature, categories, numbers, contact point, ...). */
  report: Record<string, string>;
  followsUp: string | null;
  createdAt: Date;
  createdBy: string;
  approvedAt: Date | null;
  approvedBy: string | null;
  submittedAt: Date | null;
  submittedBy: string | null;
  method: string | null;
  reference: string | null;
  delayReasons: string | null;
  late: boolean | null;
}
