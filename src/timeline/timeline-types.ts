/** Types of the incident timeline: an append-only, ordered record of what happened and who decided what. */

export const TIMELINE_KINDS = [
  'declared',
  'acknowledged',
  'triage',
  'phase_changed',
  'reopened',
  'checklist',
  'severity_changed',
  'classification',
  'role_assigned',
  'role_removed',
  'handover',
  'note',
  'decision',
  'clock_met',
  'clock_at_risk',
  'clock_breached',
  'escalation',
  'merged',
  'signal_linked',
  'communication',
  'customers_linked',
  'customers_unlinked',
  'breach',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  id: string;
  /** Position in the incident's timeline; increases with every entry across all incidents. */
  seq: number;
  incidentId: string;
  at: Date;
  kind: TimelineKind;
  /** `user:EMAIL` or `system:NAME`, as in the audit log. */
  actor: string;
  /** One line a person reads in the timeline. */
  summary: string;
  /** Structured details: a decision's rationale and alternatives, a clock's due times, a transition's reason. */
  data: Record<string, unknown>;
}

export type NewTimelineEntry = Omit<TimelineEntry, 'id' | 'seq'>;
