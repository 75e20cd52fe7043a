/**
 * The draft of a report to an authority (or a notice), built from the
 * incident and its breach record, section by section, in the order the
 * obligation's `content` lists what the law asks a notification to contain.
 * People edit nothing here: they correct the record, and a new draft
 * follows it. Pure.
 */
import type { Incident } from '../incident/incident-types.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { Obligation } from './breach-obligations.ts';
import type { BreachAssessment, StoredBreachRecord } from './breach-types.ts';

const iso = (at: Date | null) => (at ? at.toISOString() : 'not recorded');
const list = (items: readonly string[]) => (items.length > 0 ? items.join(', ') : 'not yet known');
const approx = (n: number | null) => (n === null ? 'not yet known' : `about ${n.toLocaleString('en-GB')}`);

/** One section per content item the obligation names; unknown items are listed with what is on record. */
function section(item: string, record: StoredBreachRecord): string {
  switch (item) {
    case 'nature':
      return `Nature of the breach: loss of ${list(record.nature)}.`;
    case 'categories':
      return `Categories of personal data: ${list(record.dataCategories)}. Categories of people: ${list(record.peopleCategories)}.`;
    case 'approximate_numbers':
      return `Approximate number of people concerned: ${approx(record.approxPeople)}; of records concerned: ${approx(record.approxRecords)}.`;
    case 'contact_point':
      return `Contact point for more information: ${record.contactPoint || 'not yet named'}.`;
    case 'likely_consequences':
      return `Likely consequences: ${record.likelyConsequences || 'being assessed'}.`;
    case 'measures':
      return `Measures taken: ${record.measuresTaken || 'none recorded yet'}. Measures proposed: ${record.measuresProposed || 'none recorded yet'}.`;
    default:
      return `${item.replace(/_/g, ' ')}: see the incident record.`;
  }
}

export function draftReport(input: {
  policy: Policy;
  incident: Pick<Incident, 'reference' | 'title'>;
  record: StoredBreachRecord;
  obligation: Obligation;
  assessment: BreachAssessment | null;
}): Record<string, string> {
  const { policy, incident, record, obligation, assessment } = input;
  const report: Record<string, string> = {
    to: `${obligation.authority} (${obligation.regimeName}): ${obligation.name}`,
    from: policy.organization.name,
    incident: `${incident.reference}: ${incident.title}`,
    role:
      record.role === 'controller'
        ? 'We are the controller of the data concerned.'
        : 'We process the data concerned for a controller.',
    timeline: `Aware since ${iso(record.awarenessAt)}; confirmed ${iso(record.confirmedAt)}; due ${iso(obligation.dueAt)}.`,
  };
  for (const item of obligation.content) report[item] = section(item, record);
  if (assessment) report.assessment = assessment.rationale;
  return report;
}
