/**
 * What the breach use cases share: reading an incident's breach (record,
 * assessments, submissions) with the obligations that follow from it,
 * building the view, and running a change in a transaction on the incident.
 */
import type { Kysely, Transaction } from 'kysely';
import { type IncidentDeps, type IncidentWork, workOnIncident } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { NotFound } from '../platform/errors.ts';
import type { BreachDal } from './breach-dal.ts';
import { breachObligations, type Obligation } from './breach-obligations.ts';
import type {
  BreachAssessment,
  BreachRecordVersion,
  BreachSubmission,
  RegimeTrigger,
  StoredBreachRecord,
} from './breach-types.ts';

/** What the breach service and its parts are built from. */
export interface BreachDeps {
  incident: IncidentDeps;
  dal: BreachDal;
}

/** A clock as the incident view shows the two main ones (customer and regulator). */
export interface BreachClockView {
  dueAt: Date | null;
  metAt: Date | null;
  state: Obligation['state'];
}

/** Everything known about an incident's breach. */
export interface BreachView {
  incidentId: string;
  reference: string;
  title: string;
  record: StoredBreachRecord;
  version: number;
  versions: BreachRecordVersion[];
  assessment: BreachAssessment | null;
  assessments: BreachAssessment[];
  obligations: Obligation[];
  /** The first applicable regime's customer and regulator obligations. */
  clocks: { customer: BreachClockView | null; regulator: BreachClockView | null };
  submissions: BreachSubmission[];
}

function triggersOf(record: StoredBreachRecord): Set<RegimeTrigger> {
  const triggers = new Set<RegimeTrigger>(record.determinations);
  if (record.status !== 'ruled_out') triggers.add('personal_data_breach');
  return triggers;
}

function clockView(o: Obligation | undefined): BreachClockView | null {
  return o ? { dueAt: o.dueAt, metAt: o.metAt, state: o.state } : null;
}

/** The shared reads and the transaction helper of the breach use cases. */
export function createBreachState(deps: BreachDeps) {
  const { incident: incidentDeps, dal } = deps;
  const { db, policy } = incidentDeps;

  function obligationsOf(
    record: StoredBreachRecord,
    assessment: BreachAssessment | null,
    submissions: readonly BreachSubmission[],
    now: Date,
  ): Obligation[] {
    return breachObligations({
      policy: policy.policy,
      calendar: policy.calendar,
      appliesTo: triggersOf(record),
      record,
      assessment,
      determinedAt: record.determinedAt,
      submissions: submissions.flatMap((s) =>
        s.status === 'submitted' && s.submittedAt
          ? [
              {
                regime: s.regime,
                obligation: s.obligation,
                submittedAt: s.submittedAt,
                late: s.late ?? false,
              },
            ]
          : [],
      ),
      now,
    });
  }

  /** The record, assessments, submissions and obligations of an incident's breach, read through `executor`. */
  async function stateOf(
    executor: Kysely<VigilDatabase> | Transaction<VigilDatabase>,
    incidentId: string,
    now: Date,
  ) {
    const current = await dal.findRecord(executor, incidentId);
    const assessments = await dal.listAssessments(executor, incidentId);
    const assessment = assessments.at(-1) ?? null;
    const submissions = await dal.listSubmissions(executor, incidentId);
    const obligations = current ? obligationsOf(current.record, assessment, submissions, now) : [];
    return { current, assessments, assessment, submissions, obligations };
  }

  async function view(incident: Incident, now: Date): Promise<BreachView> {
    const { current, assessments, assessment, submissions, obligations } = await stateOf(
      db,
      incident.id,
      now,
    );
    if (!current) throw new NotFound('breach record of incident', incident.reference);
    const firstRegime = obligations[0]?.regime;
    const ofFirst = obligations.filter((o) => o.regime === firstRegime);
    return {
      incidentId: incident.id,
      reference: incident.reference,
      title: incident.title,
      record: current.record,
      version: current.version,
      versions: await dal.listVersions(db, incident.id),
      assessment,
      assessments,
      obligations,
      clocks: {
        customer: clockView(ofFirst.find((o) => o.audience === 'customers')),
        regulator: clockView(ofFirst.find((o) => o.audience === 'regulator')),
      },
      submissions,
    };
  }

  /** Runs `work` in a transaction on the incident (re-read inside it) and stamps it updated. */
  const onIncident = <T>(idOrReference: string, work: IncidentWork<T>) =>
    workOnIncident(incidentDeps, idOrReference, work);

  return { stateOf, view, onIncident };
}

/** The shared reads and the transaction helper, as the use cases receive them. */
export type BreachState = ReturnType<typeof createBreachState>;
