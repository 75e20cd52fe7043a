/**
 * Builds the trust-centre document from the policy Vigil enforces, so the
 * published description of the process can never say something other than
 * what the server does. Pure: the same policy always gives the same document.
 */
import type { LoadedPolicy } from '../policy/policy-loader.ts';
import type { CustomerUpdateTarget, Policy, SlaTarget } from '../policy/policy-types.ts';
import {
  breachSection,
  evidenceRequestSection,
  exerciseSection,
  retentionSection,
  reviewSection,
} from './trust-commitments.ts';
import type { TrustDocument, TrustSection } from './trust-types.ts';
import { capitalise, joinWords, specText } from './trust-words.ts';

/** Looks up display names by id, falling back to the id so an unknown id still reads. */
function namer(items: readonly { id: string; name: string }[]): (id: string) => string {
  const names = new Map(items.map((item) => [item.id, item.name]));
  return (id) => names.get(id) ?? id;
}

function organisationSection(policy: Policy): TrustSection {
  const { name, trustCentreUrl } = policy.organization;
  const blocks: TrustSection['blocks'] = [
    {
      kind: 'paragraph',
      text: `${name} describes on this page how it detects, handles and learns from security incidents. The page is produced from the same policy file that our incident management system enforces, so each figure below is the one our staff and systems work to.`,
    },
  ];
  if (trustCentreUrl) {
    blocks.push({ kind: 'paragraph', text: `The published copy of this page lives at ${trustCentreUrl}.` });
  }
  return { id: 'organisation', title: 'About this page', blocks };
}

function severitySection(policy: Policy): TrustSection {
  return {
    id: 'severities',
    title: 'Severity levels',
    blocks: [
      {
        kind: 'paragraph',
        text: `Each incident is given one of ${policy.severities.length} severity levels, listed from most to least severe. The level sets the response targets below.`,
      },
      {
        kind: 'definitions',
        items: policy.severities.map((severity) => ({
          term: severity.name,
          text: severity.definition,
          notes: severity.examples.map((example) => `Example: ${example}`),
        })),
      },
    ],
  };
}

/** A response target cell: its normal figure and, where set, the out-of-hours one. */
function targetCell(target: SlaTarget): string {
  const normal = specText(target);
  return target.outOfHours ? `${normal}; out of hours ${specText(target.outOfHours)}` : normal;
}

function updateCells(policy: Policy, target: CustomerUpdateTarget | null): [string, string] {
  if (!target) return ['none scheduled (covered by routine reporting)', 'none scheduled'];
  const first = target.outOfHours
    ? `${specText(target)}; out of hours ${specText(target.outOfHours)}`
    : specText(target);
  const every = `every ${specText({ within: target.every, clock: target.clock })}`;
  const milestone = target.onPhaseChange
    ? `${every}, and within ${specText(policy.slaRules.milestoneUpdate)} of each change of phase`
    : every;
  return [first, milestone];
}

function targetsSection(policy: Policy): TrustSection {
  const phaseName = namer(policy.lifecycle.phases);
  const rows = policy.severities.map((severity) => {
    const sla = policy.slas[severity.id];
    if (!sla) return [severity.name, 'not set', 'not set', 'not set', 'not set', 'not set'];
    return [
      severity.name,
      targetCell(sla.acknowledge),
      targetCell(sla.triage),
      targetCell(sla.containment),
      ...updateCells(policy, sla.customerUpdate),
    ];
  });
  const percent = Math.round(policy.slaRules.atRiskFraction * 100);
  const told = policy.slaRules.notifyOnBreach.map((who) =>
    who === 'incident_owner' ? 'the incident owner' : 'the next person in the line of command',
  );
  return {
    id: 'response-targets',
    title: 'Response targets',
    blocks: [
      {
        kind: 'paragraph',
        text: 'Every target is measured from the moment the incident is opened. Targets in business time count only business hours on business days (see below); targets around the clock count nights, weekends and holidays too. Where an out-of-hours figure is given, it applies to incidents opened outside business hours.',
      },
      {
        kind: 'table',
        caption: 'Response targets per severity',
        head: [
          'Severity',
          'Acknowledge',
          'Triage',
          'Contain',
          'First customer update',
          'Further customer updates',
        ],
        rows,
      },
      {
        kind: 'paragraph',
        text: `A target is flagged as at risk once ${percent}% of its time has passed. If one is missed, ${joinWords(told)} ${told.length === 1 ? 'is' : 'are'} alerted. Customer updates continue until the incident reaches the ${phaseName(policy.slaRules.customerUpdatesUntil)} phase.`,
      },
    ],
  };
}

function hoursSection(policy: Policy): TrustSection {
  const { timeZone, businessHours, holidays, closures } = policy.time;
  const days = joinWords(businessHours.days.map(capitalise));
  const items = [
    `Business hours: ${days}, ${businessHours.opensAt} to ${businessHours.closesAt}, ${timeZone} time.`,
    holidays
      ? `Public holidays of ${holidays.subdivision ? `${holidays.country}-${holidays.subdivision}` : holidays.country} are not business days.`
      : 'No public holiday calendar is applied.',
  ];
  if (closures.length > 0) items.push(`We are also closed on ${joinWords(closures)}.`);
  return {
    id: 'business-hours',
    title: 'Business hours',
    blocks: [
      { kind: 'list', ordered: false, items },
      {
        kind: 'paragraph',
        text: 'A business day is one full span of business hours, so a target of one business day opened late on a working day ends at the same hour on the next working day.',
      },
    ],
  };
}

function rolesSection(policy: Policy): TrustSection {
  const roleName = namer(policy.roles);
  const { primaryOwner, succession, regulatorContactApprover, regulatorContactInputs } = policy.command;
  const line =
    succession.length > 0
      ? ` If they are unavailable, command passes to ${joinWords(
          succession.map((p) => `the ${p.title}`),
          'and then to',
        )}.`
      : '';
  const inputs =
    regulatorContactInputs.length > 0 ? `, after hearing from ${joinWords(regulatorContactInputs)}` : '';
  return {
    id: 'roles',
    title: 'Roles and responsibilities',
    blocks: [
      {
        kind: 'definitions',
        items: policy.roles.map((role) => ({ term: role.name, text: role.description })),
      },
      {
        kind: 'paragraph',
        text: `The ${primaryOwner.title} is in command of every incident unless command is handed over.${line} Contact with a regulator is signed off by the ${roleName(regulatorContactApprover)}${inputs}.`,
      },
    ],
  };
}

function lifecycleSection(policy: Policy): TrustSection {
  return {
    id: 'lifecycle',
    title: 'How an incident is handled',
    blocks: [
      { kind: 'paragraph', text: 'Each incident moves through these phases in order.' },
      {
        kind: 'definitions',
        items: policy.lifecycle.phases.map((phase) => {
          const required = phase.checklist.filter((item) => item.mandatory).map((item) => item.text);
          return {
            term: phase.name,
            text: phase.description,
            notes: required.map((text) => `Required before moving on: ${text}`),
          };
        }),
      },
    ],
  };
}

function communicationsSection(policy: Policy): TrustSection {
  const { customerChannel, statusPage, approvers, emergency } = policy.communications;
  const roleName = namer(policy.roles);
  const items = [
    `Affected customers hear from us by ${customerChannel}, on the schedule in the response targets table.`,
    approvers.customers.length > 0
      ? `A message to customers is approved before it is sent by someone acting as ${joinWords(approvers.customers.map(roleName), 'or')}.`
      : 'Messages to customers are sent without a separate approval step.',
  ];
  if (statusPage) items.push('We also post updates on our status page.');
  if (emergency.severities.length > 0) {
    const severityName = namer(policy.severities);
    const when = emergency.outOfHoursOnly ? 'opens outside business hours' : 'opens, at any hour,';
    const who = emergency.notify.map((person) => person.title);
    items.push(
      `When a ${joinWords(emergency.severities.map(severityName), 'or')} incident ${when} we alert ${who.length > 0 ? joinWords(who.map((title) => `the ${title}`)) : 'our on-call channels'} straight away.`,
    );
  }
  return {
    id: 'communications',
    title: 'Keeping customers informed',
    blocks: [{ kind: 'list', ordered: false, items }],
  };
}

/**
 * The trust-centre document for a loaded policy.
 *
 * @example
 * const doc = buildTrustDocument(vigil.policy);
 * const html = renderTrustHtml(doc);
 */
export function buildTrustDocument(loaded: Pick<LoadedPolicy, 'policy' | 'version'>): TrustDocument {
  const { policy } = loaded;
  const organisation = policy.organization.name;
  return {
    title: `${organisation}: security incident response`,
    organisation,
    summary: `How ${organisation} responds to security incidents, and what you can expect from us.`,
    sections: [
      organisationSection(policy),
      severitySection(policy),
      targetsSection(policy),
      hoursSection(policy),
      rolesSection(policy),
      lifecycleSection(policy),
      communicationsSection(policy),
      breachSection(policy),
      retentionSection(policy),
      reviewSection(policy, namer(policy.severities), namer(policy.roles)),
      exerciseSection(policy),
      evidenceRequestSection(policy),
    ],
    policyVersion: loaded.version,
  };
}
