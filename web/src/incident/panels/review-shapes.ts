/** The review API's answers (src/review/review-routes.ts), as the review panel reads them. */

export interface Review {
  state: 'draft' | 'in_review' | 'approved';
  summary: string;
  rootCause: string;
  contributingFactors: string[];
  whys: string[];
  impact: string;
  impactDetail: {
    customers: string | null;
    data: string | null;
    services: string | null;
    duration: string | null;
  };
  lessons: string;
  customerSummary: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
  submittedAt: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
}

export interface CorrectiveAction {
  id: string;
  title: string;
  kind: 'corrective' | 'preventive';
  owner: string;
  dueDate: string;
  status: 'open' | 'in_progress' | 'done' | 'wont_do';
  wontDoReason: string | null;
  signedOffBy: string | null;
  doneAt: string | null;
}

export interface ReviewAnswer {
  incidentId: string;
  reference: string;
  /** Closing the incident needs this review approved (the policy's severities). */
  required: boolean;
  review: Review | null;
  actions: CorrectiveAction[];
}

export const ACTION_STATUS_WORDS: Record<CorrectiveAction['status'], string> = {
  open: 'open',
  in_progress: 'in progress',
  done: 'done',
  wont_do: 'won’t do',
};
