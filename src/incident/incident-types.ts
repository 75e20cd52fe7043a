/** Types of incidents. The lifecycle, roles and clocks extend these in later work. */

export interface Incident {
  id: string;
  /** Human reference, `INC-<n>`, unique and increasing in recording order. */
  reference: string;
  title: string;
  description: string;
  severity: string;
  phase: string;
  /** When the incident began to be handled; may be earlier than `declaredAt` for incidents recorded after the fact. */
  openedAt: Date;
  /** When the record was created. */
  declaredAt: Date;
  declaredBy: { userId: string; email: string };
  /** Opened outside the policy's business time. */
  outOfHours: boolean;
  /** Content hash of the policy the incident was opened under. */
  policyVersion: string;
  updatedAt: Date;
}

export interface DeclareIncidentInput {
  title: string;
  severity: string;
  description: string;
  openedAt?: Date | undefined;
}

export interface IncidentPage {
  items: Incident[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Position in the newest-first order: opened instant, then recording order. */
export interface IncidentCursor {
  openedAt: string;
  seq: number;
}
