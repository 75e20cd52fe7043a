/**
 * Storage rows of what follows an incident: breach records, their versions,
 * assessments and submissions, post-incident reviews, corrective actions and
 * tabletop exercises. Part of {@link VigilDatabase} (schema.ts).
 */
import type { Generated } from 'kysely';
import type { DbInstant } from './schema.ts';

export interface BreachRecordsTable {
  incident_id: string;
  version: number;
  /** JSON of the record's current fields. */
  data: string;
  created_at: DbInstant;
  updated_at: DbInstant;
  updated_by: string;
  /** When the breach-deadline module next looks at this breach; null while nothing can fall due. */
  next_check_at: DbInstant | null;
}

export interface BreachRecordVersionsTable {
  incident_id: string;
  version: number;
  data: string;
  at: DbInstant;
  by: string;
}

export interface BreachAssessmentsTable {
  seq: Generated<number>;
  incident_id: string;
  data: string;
  decided_at: DbInstant;
  decided_by: string;
}

export interface BreachSubmissionsTable {
  seq: Generated<number>;
  id: string;
  incident_id: string;
  regime: string;
  obligation: string;
  status: string;
  report: string;
  follows_up: string | null;
  created_at: DbInstant;
  created_by: string;
  approved_at: DbInstant | null;
  approved_by: string | null;
  submitted_at: DbInstant | null;
  submitted_by: string | null;
  method: string | null;
  reference: string | null;
  delay_reasons: string | null;
  late: number | null;
}

export interface ReviewsTable {
  incident_id: string;
  state: string;
  version: number;
  content: string;
  updated_at: DbInstant;
  updated_by: string;
  submitted_at: DbInstant | null;
  approved_at: DbInstant | null;
  approved_by: string | null;
}

export interface CorrectiveActionsTable {
  seq: Generated<number>;
  id: string;
  incident_id: string | null;
  exercise_id: string | null;
  title: string;
  kind: string;
  owner: string;
  /** `YYYY-MM-DD`. */
  due_date: string;
  status: string;
  wont_do_reason: string | null;
  signed_off_by: string | null;
  /** JSON array of `{kind, ref}`. */
  links: string;
  created_at: DbInstant;
  created_by: string;
  updated_at: DbInstant;
  done_at: DbInstant | null;
  /** When the action-reminder module next looks at this action; null once it is done or won't do. */
  next_check_at: DbInstant | null;
}

export interface ExercisesTable {
  id: string;
  title: string;
  scenario: string;
  /** `YYYY-MM-DD`. */
  scheduled_for: string;
  facilitator: string;
  /** JSON array of emails or names. */
  participants: string;
  /** `planned` or `completed`. */
  status: string;
  findings: string | null;
  /** `YYYY-MM-DD`. */
  completed_on: string | null;
  created_at: DbInstant;
  created_by: string;
  updated_at: DbInstant;
}
