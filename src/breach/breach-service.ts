/**
 * Personal data breaches on incidents: the record (every change a new
 * version, on the timeline), the risk assessment (the latest decides, the
 * history stays), the legal obligations that follow from the policy's
 * regimes, and the reports and notices that meet them: drafted from the
 * record, approved by the policy's regulator-contact approver, submitted
 * with when, how and the authority's reference, late only with reasons.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Principal } from '../identity/identity-types.ts';
import {
  actorOf,
  findIncident,
  type IncidentDeps,
  recordIncidentEvent,
} from '../incident/incident-context.ts';
import type { Incident } from '../incident/incident-types.ts';
import { toDbInstant } from '../platform/db/instant-codec.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import {
  Conflict,
  type FieldIssue,
  Forbidden,
  NotFound,
  Unprocessable,
  ValidationFailed,
} from '../platform/errors.ts';
import type { BreachDal } from './breach-dal.ts';
import { breachObligations, type Obligation } from './breach-obligations.ts';
import { draftReport } from './breach-report.ts';
import type {
  BreachAssessment,
  BreachRecordVersion,
  BreachSubmission,
  RegimeTrigger,
  StoredBreachRecord,
} from './breach-types.ts';

/** A breach record as a person submits it. */
export type BreachRecordInput = Omit<StoredBreachRecord, 'awarenessAt' | 'confirmedAt' | 'determinedAt'> & {
  awarenessAt?: Date | undefined;
  confirmedAt?: Date | undefined;
  determinedAt?: Date | undefined;
};

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

export function createBreachService(deps: { incident: IncidentDeps; dal: BreachDal }) {
  const { incident: incidentDeps, dal } = deps;
  const { db, clock, policy, details } = incidentDeps;
  const approverRole = policy.policy.command.regulatorContactApprover;

  function triggersOf(record: StoredBreachRecord): Set<RegimeTrigger> {
    const triggers = new Set<RegimeTrigger>(record.determinations);
    if (record.status !== 'ruled_out') triggers.add('personal_data_breach');
    return triggers;
  }

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

  /** The record, assessments, submissions and obligations of an incident's breach, read through `trx`. */
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

  function clockView(o: Obligation | undefined): BreachClockView | null {
    return o ? { dueAt: o.dueAt, metAt: o.metAt, state: o.state } : null;
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
  async function onIncident<T>(
    idOrReference: string,
    work: (trx: Transaction<VigilDatabase>, incident: Incident, now: Date) => Promise<T>,
  ): Promise<{ incident: Incident; now: Date; result: T }> {
    const now = clock.now();
    const found = await findIncident(incidentDeps.dal, db, idOrReference);
    const result = await db.transaction().execute(async (trx) => {
      const record = (await incidentDeps.dal.findById(trx, found.incident.id))!;
      const value = await work(trx, record.incident, now);
      await incidentDeps.dal.update(trx, record.incident.id, { updated_at: toDbInstant(now) });
      return value;
    });
    return { incident: found.incident, now, result };
  }

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

  function requireObligation(
    obligations: readonly Obligation[],
    regime: string,
    obligation: string,
  ): Obligation {
    const found = obligations.find((o) => o.regime === regime && o.obligation === obligation);
    if (!found) {
      const known = obligations.map((o) => `${o.regime}/${o.obligation}`).join(', ') || 'none';
      throw new ValidationFailed([
        { field: 'body.obligation', reason: `must be an obligation that applies here: ${known}` },
      ]);
    }
    return found;
  }

  async function findSubmission(trx: Transaction<VigilDatabase>, incidentId: string, id: string) {
    const found = (await dal.listSubmissions(trx, incidentId)).find((s) => s.id === id);
    if (!found) throw new NotFound('breach submission', id);
    return found;
  }

  return {
    /** The incident's breach, or null when none is recorded (for the incident view). */
    async find(incident: Incident, now: Date): Promise<BreachView | null> {
      return (await dal.findRecord(db, incident.id)) ? view(incident, now) : null;
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

    /** Drafts a report for one obligation from the record (a follow-up names the submission it completes). */
    async draftSubmission(
      principal: Principal,
      idOrReference: string,
      input: { regime: string; obligation: string; followsUp?: string | undefined },
    ): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        const { current, assessment, submissions, obligations } = await stateOf(trx, incident.id, now);
        if (!current)
          throw new Conflict(`${incident.reference} has no breach record: record the breach first`);
        const obligation = requireObligation(obligations, input.regime, input.obligation);
        if (
          input.followsUp &&
          !submissions.some((s) => s.id === input.followsUp && s.status === 'submitted')
        ) {
          throw new ValidationFailed([
            { field: 'body.followsUp', reason: 'must name a submitted report of this incident' },
          ]);
        }
        const actor = actorOf(principal);
        const submission: BreachSubmission = {
          id: randomUUID(),
          incidentId: incident.id,
          regime: obligation.regime,
          obligation: obligation.obligation,
          status: 'draft',
          report: draftReport({
            policy: policy.policy,
            incident,
            record: current.record,
            obligation,
            assessment,
          }),
          followsUp: input.followsUp ?? null,
          createdAt: now,
          createdBy: formatActor(actor),
          approvedAt: null,
          approvedBy: null,
          submittedAt: null,
          submittedBy: null,
          method: null,
          reference: null,
          delayReasons: null,
          late: null,
        };
        await dal.insertSubmission(trx, submission);
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'breach',
          action: 'breach.report_drafted',
          summary: `${obligation.name} (${obligation.regimeName}): report drafted${input.followsUp ? ' as a follow-up' : ''}`,
          data: { submissionId: submission.id, regime: submission.regime, obligation: submission.obligation },
        });
      });
      return view(incident, now);
    },

    /** Approves a drafted report: only the holder of the policy's regulator-contact approver role on the incident. */
    async approveSubmission(principal: Principal, idOrReference: string, id: string): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        const submission = await findSubmission(trx, incident.id, id);
        if (submission.status !== 'draft')
          throw new Conflict(`submission ${id} is already ${submission.status}`);
        const holds = (await details.listRoles(trx, [incident.id])).some(
          (a) => a.role === approverRole && a.person.userId === principal.user.id,
        );
        if (!holds)
          throw new Forbidden(
            `approving contact with a regulator on ${incident.reference} needs its ${approverRole}`,
          );
        const actor = actorOf(principal);
        await dal.updateSubmission(trx, {
          ...submission,
          status: 'approved',
          approvedAt: now,
          approvedBy: formatActor(actor),
        });
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'decision',
          action: 'breach.report_approved',
          summary: `report for ${submission.regime}/${submission.obligation} approved as ${approverRole}`,
          data: { submissionId: id, role: approverRole },
        });
      });
      return view(incident, now);
    },

    /**
     * Marks a report submitted (when, how, the authority's reference). A
     * report to a regulator needs its approval first (409); one after its due
     * time needs the reasons for the delay when the regime asks (422).
     */
    async submit(
      principal: Principal,
      idOrReference: string,
      id: string,
      input: {
        submittedAt?: Date | undefined;
        method: string;
        reference?: string | undefined;
        delayReasons?: string | undefined;
      },
    ): Promise<BreachView> {
      const { incident, now } = await onIncident(idOrReference, async (trx, incident, now) => {
        const submission = await findSubmission(trx, incident.id, id);
        if (submission.status === 'submitted') throw new Conflict(`submission ${id} is already submitted`);
        const { obligations } = await stateOf(trx, incident.id, now);
        const obligation = requireObligation(obligations, submission.regime, submission.obligation);
        if (obligation.audience === 'regulator' && submission.status !== 'approved') {
          throw new Conflict(
            `a report to a regulator needs approval by the incident's ${approverRole} before it is submitted`,
          );
        }
        const submittedAt = input.submittedAt ?? now;
        if (submittedAt.getTime() > now.getTime()) {
          throw new ValidationFailed([{ field: 'body.submittedAt', reason: 'must not be in the future' }]);
        }
        const late = obligation.dueAt !== null && submittedAt.getTime() > obligation.dueAt.getTime();
        const regime = policy.policy.breachNotification.regimes.find((r) => r.id === submission.regime);
        if (late && regime?.delayReasonsRequiredWhenLate && !input.delayReasons?.trim()) {
          throw new Unprocessable([
            {
              field: 'body.delayReasons',
              reason: `the report is late (due ${obligation.dueAt!.toISOString()}): give the reasons for the delay`,
            },
          ]);
        }
        const actor = actorOf(principal);
        await dal.updateSubmission(trx, {
          ...submission,
          status: 'submitted',
          submittedAt,
          submittedBy: formatActor(actor),
          method: input.method,
          reference: input.reference ?? null,
          delayReasons: input.delayReasons?.trim() || null,
          late,
        });
        await recordIncidentEvent(incidentDeps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'communication',
          action: 'breach.report_submitted',
          summary: `${obligation.name} (${obligation.regimeName}) submitted by ${input.method}${late ? ' late' : ''}${input.reference ? `, reference ${input.reference}` : ''}`,
          data: {
            submissionId: id,
            regime: submission.regime,
            obligation: submission.obligation,
            submittedAt: submittedAt.toISOString(),
            dueAt: obligation.dueAt?.toISOString() ?? null,
            late,
            delayReasons: input.delayReasons ?? null,
            reference: input.reference ?? null,
          },
        });
      });
      return view(incident, now);
    },

    /**
     * Customers were told (a breach-notification communication was sent):
     * each applicable customers obligation not yet met is met now. Runs in
     * the sending transaction.
     */
    async customersNotified(
      trx: Transaction<VigilDatabase>,
      incident: Incident,
      at: Date,
      communicationId: string,
    ) {
      const { obligations } = await stateOf(trx, incident.id, at);
      for (const o of obligations) {
        if (o.audience !== 'customers' || o.metAt || o.state === 'not_required' || o.state === 'not_started')
          continue;
        await dal.insertSubmission(trx, {
          id: randomUUID(),
          incidentId: incident.id,
          regime: o.regime,
          obligation: o.obligation,
          status: 'submitted',
          report: { notice: `customer communication ${communicationId}` },
          followsUp: null,
          createdAt: at,
          createdBy: 'system:communications',
          approvedAt: null,
          approvedBy: null,
          submittedAt: at,
          submittedBy: 'system:communications',
          method: 'email (Vigil communication)',
          reference: communicationId,
          delayReasons: null,
          late: o.dueAt !== null && at.getTime() > o.dueAt.getTime(),
        });
      }
    },

    /** Every incident with a breach record, notified or not, with its facts, decisions and obligations. */
    async register(): Promise<BreachView[]> {
      const now = clock.now();
      const views: BreachView[] = [];
      for (const id of await dal.listRecordedIncidents(db)) {
        const { incident } = await findIncident(incidentDeps.dal, db, id);
        views.push(await view(incident, now));
      }
      return views;
    },
  };
}

export type BreachService = ReturnType<typeof createBreachService>;
