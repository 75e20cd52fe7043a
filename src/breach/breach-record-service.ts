/**
 * The breach record and its risk assessment: every change to the record is
 * a new version on the timeline, and the latest assessment decides while
 * the earlier ones stay in the history.
 */
import type { Kysely, Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf, findIncident, recordIncidentEvent } from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, type FieldIssue, ValidationFailed } from '../platform/errors.ts';
import type { Obligation } from './breach-obligations.ts';
import type { BreachDeps, BreachState, BreachView } from './breach-state.ts';
import type { BreachAssessment, StoredBreachRecord } from './breach-types.ts';

/** A breach record as a person submits it. */
export type BreachRecordInput = Omit<StoredBreachRecord, 'awarenessAt' | 'confirmedAt' | 'determinedAt'> & {
  awarenessAt?: Date | undefined;
  confirmedAt?: Date | undefined;
  determinedAt?: Date | undefined;
};

function checkRecord(
  input: BreachRecordInput,
  previous: StoredBreachRecord | null,
  now: Date,
): StoredBreachRecord {
  const issues: FieldIssue[] = [];
  const awarenessAt = input.awarenessAt ?? previous?.awarenessAt ?? now;
  let confirmedAt = input.confirmedAt ?? previous?.confirmedAt ?? null;
  if (input.status === 'confirmed' && !confirmedAt) confirmedAt = now;
  const future = (field: string, at: Date | null | undefined) => {
    if (at && at.getTime() > now.getTime())
      issues.push({ field, reason: `must not be in the future (now is ${now.toISOString()})` });
  };
  future('body.awarenessAt', awarenessAt);
  future('body.confirmedAt', confirmedAt);
  future('body.determinedAt', input.determinedAt);
  if (confirmedAt && confirmedAt.getTime() < awarenessAt.getTime()) {
    issues.push({
      field: 'body.confirmedAt',
      reason:
        'must not be before awarenessAt: a breach is confirmed after the organisation became aware of it',
    });
  }
  if (input.status !== 'confirmed' && input.confirmedAt) {
    issues.push({
      field: 'body.confirmedAt',
      reason: `is only recorded for a confirmed breach (status is ${input.status})`,
    });
  }
  if (input.determinations.length > 0 && !(input.determinedAt ?? previous?.determinedAt)) {
    issues.push({
      field: 'body.determinedAt',
      reason: 'is required with determinations: the deadlines they bring run from it',
    });
  }
  if (issues.length > 0) throw new ValidationFailed(issues);
  return {
    ...input,
    awarenessAt,
    confirmedAt: input.status === 'confirmed' ? confirmedAt : null,
    determinedAt: input.determinedAt ?? previous?.determinedAt ?? null,
  };
}

/** Reading, recording and assessing an incident's breach. */
export function createBreachRecordService(deps: BreachDeps, state: BreachState) {
  const { incident: incidentDeps, dal } = deps;
  const { db, clock } = incidentDeps;
  const { view, onIncident } = state;

  return {
    /** The incident's breach, or null when none is recorded (for the incident view). */
    async find(incident: Incident, now: Date): Promise<BreachView | null> {
      return (await dal.findRecord(db, incident.id)) ? view(incident, now) : null;
    },

    /**
     * The obligations of the incident's breach judged at `now`, read through `executor` (the deadline
     * module's transaction); null when no breach is recorded.
     */
    async obligationsAt(
      executor: Kysely<VigilDatabase> | Transaction<VigilDatabase>,
      incidentId: string,
      now: Date,
    ): Promise<Obligation[] | null> {
      const { current, obligations } = await state.stateOf(executor, incidentId, now);
      return current ? obligations : null;
    },

    /** Records or changes the breach record; every change is a new version on the timeline. */
    async setRecord(
      principal: Principal,
      idOrReference: string,
      input: BreachRecordInput,
    ): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        const previous = (await dal.findRecord(trx, incident.id))?.record ?? null;
        const record = checkRecord(input, previous, now);
        const actor = actorOf(principal);
        const version = await dal.saveRecord(trx, incident.id, record, now, formatActor(actor));
        const changed = previous
          ? (Object.keys(record) as (keyof StoredBreachRecord)[]).filter(
              (k) => JSON.stringify(record[k]) !== JSON.stringify(previous[k]),
            )
          : (Object.keys(record) as (keyof StoredBreachRecord)[]);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'breach',
          action: previous ? 'breach.record_changed' : 'breach.recorded',
          summary: `breach record v${version}: ${record.status}${previous && previous.status !== record.status ? ` (was ${previous.status})` : ''}, ${record.role}`,
          data: {
            version,
            changed,
            status: record.status,
            role: record.role,
            awarenessAt: record.awarenessAt?.toISOString() ?? null,
            confirmedAt: record.confirmedAt?.toISOString() ?? null,
          },
        });
      });
      return view(incident, now);
    },

    async get(idOrReference: string): Promise<BreachView> {
      const { incident } = await findIncident(incidentDeps.dal, db, idOrReference);
      return view(incident, clock.now());
    },

    /** Records the risk assessment; an earlier one stays in the history. 409 without a breach record. */
    async assess(
      principal: Principal,
      idOrReference: string,
      input: Omit<BreachAssessment, 'decidedAt' | 'decidedBy'>,
    ): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        if (!(await dal.findRecord(trx, incident.id))) {
          throw new Conflict(`${incident.reference} has no breach record: record the breach first`);
        }
        if (input.highRisk && !input.riskToRights) {
          throw new ValidationFailed([
            { field: 'body.highRisk', reason: 'a high risk is also a risk: set riskToRights too' },
          ]);
        }
        const actor = actorOf(principal);
        await dal.addAssessment(trx, incident.id, {
          ...input,
          decidedAt: now,
          decidedBy: formatActor(actor),
        });
        const verdict = input.riskToRights
          ? input.highRisk
            ? `high risk: the regulator and the people affected must be told${input.exception ? ` (exception: ${input.exception})` : ''}`
            : 'a risk to rights: the regulator must be told'
          : 'no likely risk to rights: not notifiable to the regulator';
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'decision',
          action: 'breach.assessed',
          summary: `breach assessed: ${verdict}`,
          data: { ...input, decision: verdict },
        });
      });
      return view(incident, now);
    },

    /** Every real incident with a breach record (exercises left out), notified or not, with its facts, decisions and obligations. */
    async register(): Promise<BreachView[]> {
      const now = clock.now();
      const views: BreachView[] = [];
      for (const id of await dal.listRecordedIncidents(db)) {
        const { incident } = await findIncident(incidentDeps.dal, db, id);
        // A breach practised in a live exercise is not a breach: it stays out of the register.
        if (incident.exerciseId) continue;
        views.push(await view(incident, now));
      }
      return views;
    },
  };
}
