/** Types of post-incident reviews and the corrective and preventive actions that come out of them. */

export const REVIEW_STATES = ['draft', 'in_review', 'approved'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** What the review says an incident cost. */
export interface ReviewImpact {
  customers: string | null;
  data: string | null;
  services: string | null;
  duration: string | null;
}

/** A note a reviewer attached to one entry of the incident's timeline. */
export interface TimelineAnnotation {
  timelineEntryId: string;
  note: string;
}

export interface Review {
  incidentId: string;
  state: ReviewState;
  /** What happened, in a paragraph. */
  summary: string;
  /** The root cause, as free text (the policy's template may ask for five whys as well). */
  rootCause: string;
  contributingFactors: string[];
  /** A "five whys" chain, first why first. */
  whys: string[];
  impact: string;
  impactDetail: ReviewImpact;
  lessons: string;
  customerSummary: string;
  annotations: TimelineAnnotation[];
  version: number;
  updatedAt: Date;
  updatedBy: string;
  submittedAt: Date | null;
  approvedAt: Date | null;
  approvedBy: string | null;
}

export const ACTION_KINDS = ['corrective', 'preventive'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_LINK_KINDS = ['runbook', 'policy', 'monitoring_rule', 'other'] as const;

/** A corrective or preventive action, tracked to completion. */
export interface CorrectiveAction {
  id: string;
  incidentId: string | null;
  /** Set for actions that came out of a tabletop exercise. */
  exerciseId: string | null;
  title: string;
  kind: ActionKind;
  /** The owner's email. */
  owner: string;
  /** The target date, `YYYY-MM-DD` in the policy's time zone. */
  dueDate: string;
  status: ActionStatus;
  /** Why it will not be done (status wont_do), with the owner's sign-off. */
  wontDoReason: string | null;
  signedOffBy: string | null;
  links: { kind: (typeof ACTION_LINK_KINDS)[number]; ref: string }[];
  createdAt: Date;
  createdBy: string;
  updatedAt: Date;
  doneAt: Date | null;
}
