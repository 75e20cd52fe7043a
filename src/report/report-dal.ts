/**
 * The reports' read model: queries over other domains' tables (incidents,
 * clocks, timeline, signal links, reviews, actions, exercises, policy
 * versions, the audit log), read-only. Reports own no table and write
 * nothing; each method maps storage rows to the plain rows of
 * report-types.ts. Every method takes the executor and the period.
 */
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../platform/db/instant-codec.ts';
import type { IncidentsTable, VigilDatabase } from '../platform/db/schema.ts';
import type {
  ActionRow,
  ClockRow,
  ExerciseRow,
  IncidentRow,
  PhaseMoveRow,
  ReportRange,
  SignalLinkRow,
} from './report-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function incidentOf(r: Selectable<IncidentsTable>): IncidentRow {
  return {
    id: r.id,
    reference: r.reference,
    title: r.title,
    severity: r.severity,
    highestSeverity: r.highest_severity ?? r.severity,
    phase: r.phase,
    openedAt: fromDbInstant(r.opened_at),
    exerciseId: r.exercise_id,
    acknowledgedAt: fromDbInstantOrNull(r.acknowledged_at),
    triageDecision: r.triage_decision,
    triageDecidedAt: fromDbInstantOrNull(r.triage_decided_at),
    triageStartedAt: fromDbInstantOrNull(r.triage_started_at),
    closedAt: fromDbInstantOrNull(r.closed_at),
  };
}

/** Counts come back as bigint text from PostgreSQL and as numbers from SQLite. */
const count = (value: string | number | bigint | null | undefined) => Number(value ?? 0);

export function createReportDal() {
  /** Incidents opened in the period, as a subquery the per-incident tables join against. */
  const openedIn = (db: Executor, range: ReportRange) =>
    db
      .selectFrom('incidents')
      .select('id')
      .where('opened_at', '>=', toDbInstant(range.from))
      .where('opened_at', '<', toDbInstant(range.to));

  return {
    /** Incidents (real and exercise) opened in `[from, to)`, by opening. */
    async incidentsOpened(db: Executor, range: ReportRange): Promise<IncidentRow[]> {
      const rows = await db
        .selectFrom('incidents')
        .selectAll()
        .where('opened_at', '>=', toDbInstant(range.from))
        .where('opened_at', '<', toDbInstant(range.to))
        .orderBy('opened_at')
        .orderBy('seq')
        .execute();
      return rows.map(incidentOf);
    },

    /** The clocks of the incidents opened in the period. */
    async clocks(db: Executor, range: ReportRange): Promise<ClockRow[]> {
      const rows = await db
        .selectFrom('sla_clocks')
        .select(['incident_id', 'name', 'due_at', 'met_at', 'stopped_at', 'breaches'])
        .where('incident_id', 'in', openedIn(db, range))
        .execute();
      return rows.map((r) => ({
        incidentId: r.incident_id,
        name: r.name,
        dueAt: fromDbInstant(r.due_at),
        metAt: fromDbInstantOrNull(r.met_at),
        stoppedAt: fromDbInstantOrNull(r.stopped_at),
        breaches: count(r.breaches),
      }));
    },

    /** Forward phase moves (timeline `phase_changed`) of the incidents opened in the period. */
    async phaseMoves(db: Executor, range: ReportRange): Promise<PhaseMoveRow[]> {
      const rows = await db
        .selectFrom('timeline_entries')
        .select(['incident_id', 'at', 'data'])
        .where('kind', '=', 'phase_changed')
        .where('incident_id', 'in', openedIn(db, range))
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        incidentId: r.incident_id,
        at: fromDbInstant(r.at),
        to: String((JSON.parse(r.data) as { to?: unknown }).to ?? ''),
      }));
    },

    /** Signals linked to the incidents opened in the period, with their source. */
    async signalLinks(db: Executor, range: ReportRange): Promise<SignalLinkRow[]> {
      // A signal's id is its sequence number as text; the cast joins the two on both engines.
      const rows = await db
        .selectFrom('incident_signals as l')
        .innerJoin('signals as s', (join) => join.on(sql<boolean>`cast(s.seq as text) = l.signal_id`))
        .select(['l.incident_id', 'l.signal_id', 'l.rule_id', 'l.linked_at', 's.source'])
        .where('l.incident_id', 'in', openedIn(db, range))
        .execute();
      return rows.map((r) => ({
        incidentId: r.incident_id,
        signalId: r.signal_id,
        ruleId: r.rule_id,
        source: r.source,
        linkedAt: fromDbInstant(r.linked_at),
      }));
    },

    /** Real incidents closed in the period (and still closed), with their review's state. */
    async closedWithReviews(
      db: Executor,
      range: ReportRange,
    ): Promise<{ incident: IncidentRow; reviewState: string | null }[]> {
      const rows = await db
        .selectFrom('incidents as i')
        .leftJoin('reviews as r', 'r.incident_id', 'i.id')
        .selectAll('i')
        .select('r.state as review_state')
        .where('i.closed_at', '>=', toDbInstant(range.from))
        .where('i.closed_at', '<', toDbInstant(range.to))
        .where('i.exercise_id', 'is', null)
        .orderBy('i.closed_at')
        .execute();
      return rows.map((r) => ({ incident: incidentOf(r), reviewState: r.review_state }));
    },

    /** Reviews of real incidents approved in the period. */
    async reviewsApproved(db: Executor, range: ReportRange): Promise<number> {
      const row = await db
        .selectFrom('reviews as r')
        .innerJoin('incidents as i', 'i.id', 'r.incident_id')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('r.approved_at', '>=', toDbInstant(range.from))
        .where('r.approved_at', '<', toDbInstant(range.to))
        .where('i.exercise_id', 'is', null)
        .executeTakeFirst();
      return count(row?.n);
    },

    /** Actions open now, or created or completed in the period. */
    async actions(db: Executor, range: ReportRange): Promise<ActionRow[]> {
      const from = toDbInstant(range.from);
      const to = toDbInstant(range.to);
      const rows = await db
        .selectFrom('corrective_actions as a')
        .leftJoin('incidents as i', 'i.id', 'a.incident_id')
        .select([
          'a.id',
          'a.title',
          'a.kind',
          'a.owner',
          'a.due_date',
          'a.status',
          'a.created_at',
          'a.done_at',
          'a.exercise_id',
          'i.reference',
          'i.exercise_id as incident_exercise_id',
        ])
        .where((eb) =>
          eb.or([
            eb('a.status', 'in', ['open', 'in_progress']),
            eb.and([eb('a.created_at', '>=', from), eb('a.created_at', '<', to)]),
            eb.and([eb('a.done_at', '>=', from), eb('a.done_at', '<', to)]),
          ]),
        )
        .orderBy('a.seq')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        title: r.title,
        kind: r.kind,
        owner: r.owner,
        dueDate: r.due_date,
        status: r.status,
        createdAt: fromDbInstant(r.created_at),
        doneAt: fromDbInstantOrNull(r.done_at),
        incidentReference: r.reference,
        fromExercise: r.exercise_id !== null || r.incident_exercise_id !== null,
      }));
    },

    /** Every exercise with its action and live-incident counts (the cadence needs the last one ever). */
    async exercises(db: Executor): Promise<ExerciseRow[]> {
      const rows = await db.selectFrom('exercises').selectAll().execute();
      const actions = await db
        .selectFrom('corrective_actions')
        .select(['exercise_id', (eb) => eb.fn.countAll<string | number>().as('n')])
        .where('exercise_id', 'is not', null)
        .groupBy('exercise_id')
        .execute();
      const live = await db
        .selectFrom('incidents')
        .select(['exercise_id', (eb) => eb.fn.countAll<string | number>().as('n')])
        .where('exercise_id', 'is not', null)
        .groupBy('exercise_id')
        .execute();
      const actionsOf = new Map(actions.map((a) => [a.exercise_id, count(a.n)]));
      const liveOf = new Map(live.map((a) => [a.exercise_id, count(a.n)]));
      return rows.map((r) => ({
        id: r.id,
        title: r.title,
        scheduledFor: r.scheduled_for,
        status: r.status,
        completedOn: r.completed_on,
        facilitator: r.facilitator,
        participants: (JSON.parse(r.participants) as unknown[]).length,
        hasFindings: Boolean(r.findings?.trim()),
        actions: actionsOf.get(r.id) ?? 0,
        liveIncidents: liveOf.get(r.id) ?? 0,
      }));
    },

    /** Every policy version and when it was first loaded. */
    async policyVersions(db: Executor): Promise<{ version: string; firstLoadedAt: Date }[]> {
      const rows = await db
        .selectFrom('policy_versions')
        .select(['version', 'first_loaded_at'])
        .orderBy('first_loaded_at')
        .execute();
      return rows.map((r) => ({ version: r.version, firstLoadedAt: fromDbInstant(r.first_loaded_at) }));
    },

    /** Audit entries with `action` on real incidents in the period (the vault's and packages' records). */
    async incidentAuditCount(db: Executor, range: ReportRange, action: string): Promise<number> {
      const row = await db
        .selectFrom('audit_log as a')
        .innerJoin('incidents as i', 'i.id', 'a.subject_id')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('a.action', '=', action)
        .where('a.subject_type', '=', 'incident')
        .where('a.at', '>=', toDbInstant(range.from))
        .where('a.at', '<', toDbInstant(range.to))
        .where('i.exercise_id', 'is', null)
        .executeTakeFirst();
      return count(row?.n);
    },

    /** Signals received in the period, per source, most first; a live exercise's replayed signals are practice and left out. */
    async signalsReceived(db: Executor, range: ReportRange): Promise<{ source: string; count: number }[]> {
      const rows = await db
        .selectFrom('signals')
        .select(['source', (eb) => eb.fn.countAll<string | number>().as('n')])
        .where('received_at', '>=', toDbInstant(range.from))
        .where('received_at', '<', toDbInstant(range.to))
        // Replayed exercise signals are stored under `exercise:` keys (signal-exercise-replay.ts).
        .where('dedup_key', 'not like', 'exercise:%')
        .groupBy('source')
        .execute();
      return rows
        .map((r) => ({ source: r.source, count: count(r.n) }))
        .sort((a, b) => b.count - a.count || a.source.localeCompare(b.source));
    },
  };
}

export type ReportDal = ReturnType<typeof createReportDal>;
