/**
 * What a communication says and to whom: the values its template is
 * filled with, its recipients, the checks a draft must pass against the
 * policy and the incident, and each recipient's rendered copy. These read
 * the incident's clocks, roles and customers but change nothing.
 */
import type { Incident } from '../incident/incident-types.ts';
import { Conflict, type FieldIssue, ValidationFailed } from '../platform/errors.ts';
import { dueAfter } from '../sla/sla-targets.ts';
import type { CommunicationDeps, Executor } from './communication-deps.ts';
import { chooseTemplate, draftedValues, missingValueIssues, renderFor } from './communication-render.ts';
import type { Communication, DraftInput, RenderedMessage } from './communication-types.ts';
import { formatInstant, incidentValues } from './message-values.ts';

/** A recipient of a communication: an email address and the name to greet. */
export interface Recipient {
  email: string;
  name: string;
}

/** Creates the content helpers the communication use cases share. */
export function createCommunicationContent(
  deps: Pick<CommunicationDeps, 'incident' | 'templates' | 'customers' | 'exerciseFacilitator'>,
) {
  const { incident: incidentDeps, templates, customers } = deps;
  const { policy, details, customerLinks, people } = incidentDeps;
  const closedPhase = policy.policy.lifecycle.phases.at(-1)!.id;

  /**
   * The values a communication's template is filled with at `now`. The
   * next customer update is when the cadence would fall due after an update
   * sent now, unless the draft says otherwise.
   */
  async function valuesFor(trx: Executor, c: Communication, incident: Incident, now: Date) {
    const values: Record<string, string> = {
      ...incidentValues(policy.policy, incident),
      whatHappened: incident.description,
      ...draftedValues(c.values),
    };
    if (!values.nextUpdateAt) {
      const updateClock = (await incidentDeps.slaDal.listForIncident(trx, incident.id)).find(
        (k) => k.name === 'customerUpdate',
      );
      const cadence = policy.policy.slas[incident.severity]?.customerUpdate;
      if (updateClock && !updateClock.stoppedAt && cadence) {
        const next = dueAfter({ within: cadence.every, clock: cadence.clock }, now, policy.calendar);
        values.nextUpdateAt = formatInstant(next, policy.policy.time.timeZone);
      }
    }
    return values;
  }

  /** Who gets the communication: the chosen customers' contacts, or the incident's people and any extra recipients. */
  async function recipientsOf(trx: Executor, c: Communication, incident: Incident): Promise<Recipient[]> {
    const seen = new Map<string, Recipient>();
    if (c.audience === 'customers' && incident.exerciseId) {
      // Practice never reaches a customer: the exercise's facilitator plays them.
      const facilitator = (await deps.exerciseFacilitator?.(trx, incident.exerciseId)) ?? null;
      if (!facilitator) return [];
      const known = await people.findByEmail(trx, facilitator.toLowerCase());
      return [
        { email: facilitator.toLowerCase(), name: `${known?.name ?? facilitator} (exercise facilitator)` },
      ];
    }
    if (c.audience === 'customers') {
      for (const customer of await customers.findWithContacts(trx, c.customerIds)) {
        for (const contact of customer.contacts) {
          if (!seen.has(contact.email)) seen.set(contact.email, { email: contact.email, name: contact.name });
        }
      }
    } else {
      for (const { person } of await details.listRoles(trx, [c.incidentId])) {
        const email = person.email.toLowerCase();
        if (!seen.has(email)) seen.set(email, { email, name: person.name });
      }
      for (const email of c.recipients) {
        if (seen.has(email)) continue;
        const known = await people.findByEmail(trx, email);
        seen.set(email, { email, name: known?.name ?? email });
      }
    }
    return [...seen.values()];
  }

  /**
   * Issues with who a customer message names: extra recipients are not
   * allowed and every customer must be affected. Conflict when the incident
   * has no affected customers linked at all.
   */
  async function customerAudienceIssues(
    trx: Executor,
    c: Communication,
    incident: Incident,
  ): Promise<FieldIssue[]> {
    const issues: FieldIssue[] = [];
    if (c.recipients.length > 0) {
      issues.push({
        field: 'body.recipients',
        reason: 'is for internal messages; customers are named by customerIds',
      });
    }
    const affected = (await customerLinks.listAffected(trx, incident.id)).map((a) => a.id);
    // In a live exercise the facilitator plays the customers: none need be linked.
    if (affected.length === 0 && !incident.exerciseId) {
      throw new Conflict(`${incident.reference} has no affected customers linked; link them first`);
    }
    const notAffected = c.customerIds.filter((id) => !affected.includes(id));
    if (notAffected.length > 0) {
      issues.push({
        field: 'body.customerIds',
        reason: `not affected by ${incident.reference}: ${notAffected.join(', ')}`,
      });
    }
    return issues;
  }

  /** Checks a draft's content against the policy and the incident; throws ValidationFailed or Conflict. */
  async function checkDraft(trx: Executor, c: Communication, incident: Incident, now: Date) {
    if (incident.phase === closedPhase) throw new Conflict(`${incident.reference} is closed`);
    const choice = chooseTemplate(templates, c);
    const issues: FieldIssue[] = choice.ok ? [] : [...choice.issues];
    if (c.audience === 'customers') {
      issues.push(...(await customerAudienceIssues(trx, c, incident)));
    } else if (c.customerIds.length > 0) {
      issues.push({ field: 'body.customerIds', reason: 'is for customer messages' });
    }
    if (choice.ok)
      issues.push(...missingValueIssues(choice.template, await valuesFor(trx, c, incident, now)));
    if (issues.length > 0) throw new ValidationFailed(issues);
  }

  /** Builds the stored draft from a request, defaulting customers to every affected one. */
  async function fromInput(
    trx: Executor,
    base: Pick<Communication, 'id' | 'incidentId' | 'createdAt' | 'createdBy'>,
    input: DraftInput,
  ): Promise<Communication> {
    const customerIds =
      input.audience === 'customers'
        ? (input.customerIds ?? (await customerLinks.listAffected(trx, base.incidentId)).map((a) => a.id))
        : (input.customerIds ?? []);
    return {
      ...base,
      audience: input.audience,
      template: input.template ?? null,
      subject: input.subject ?? null,
      body: input.body ?? null,
      values: {
        whatHappened: input.whatHappened,
        whatWeAreDoing: input.whatWeAreDoing,
        whatYouShouldDo: input.whatYouShouldDo,
        ...(input.nextUpdateAt ? { nextUpdateAt: input.nextUpdateAt } : {}),
      },
      customerIds,
      recipients: [...new Set((input.recipients ?? []).map((e) => e.toLowerCase()))],
      status: 'draft',
      approvedAt: null,
      approvedBy: null,
      queuedAt: null,
      queuedBy: null,
    };
  }

  /** Renders each recipient's copy as it would go out at `now`; throws ValidationFailed when the draft no longer fits. */
  async function render(
    trx: Executor,
    c: Communication,
    incident: Incident,
    now: Date,
  ): Promise<RenderedMessage[]> {
    const choice = chooseTemplate(templates, c);
    if (!choice.ok) throw new ValidationFailed(choice.issues);
    const values = await valuesFor(trx, c, incident, now);
    const missing = missingValueIssues(choice.template, values);
    if (missing.length > 0) throw new ValidationFailed(missing);
    return (await recipientsOf(trx, c, incident)).map((r) => renderFor(choice.template, values, r));
  }

  return { checkDraft, fromInput, render };
}

/** The content helpers, as the use cases receive them. */
export type CommunicationContent = ReturnType<typeof createCommunicationContent>;
