/**
 * The trust-centre sections that state commitments made after the response
 * itself: breach notification, retention, reviews, exercises and evidence
 * requests. Pure: every sentence is assembled from policy values.
 */
import type { BreachObligationSpec, BreachRegime, ObligationStart, Policy } from '../policy/policy-types.ts';
import { EVIDENCE_REQUEST_PATH, type TrustSection } from './trust-types.ts';
import { clockNote, durationText, joinWords, specText } from './trust-words.ts';

const START_WORDS: Record<ObligationStart, string> = {
  awareness: 'becoming aware of it',
  confirmation: 'confirming it',
  determination: 'determining that it qualifies',
  submission: 'the previous report',
};

/** `Information Commissioner's Office` → `the Information Commissioner's Office`. */
function withArticle(name: string): string {
  return /^the /i.test(name) ? name : `the ${name}`;
}

function audienceWords(obligation: BreachObligationSpec, regime: BreachRegime): string {
  if (obligation.audience === 'regulator') return `We notify ${withArticle(regime.authority)}`;
  if (obligation.audience === 'customers') return 'We tell affected customers';
  return 'We tell the people affected';
}

function conditionWords(obligation: BreachObligationSpec): string {
  if (obligation.when === 'risk_to_rights') {
    return ", unless we assess that the breach is unlikely to put people's rights and freedoms at risk";
  }
  if (obligation.when === 'high_risk') return ', when the breach is likely to put them at high risk';
  return '';
}

/** One obligation as a sentence, e.g. "We notify the ICO within 72 hours (around the clock) of becoming aware of it, unless …". */
export function obligationSentence(obligation: BreachObligationSpec, regime: BreachRegime): string {
  const span = `${durationText(obligation.within)} (${clockNote(obligation.clock)})`;
  const start = START_WORDS[obligation.from];
  const timing =
    obligation.audience === 'people'
      ? `without undue delay, aiming for no more than ${span} after ${start}`
      : `within ${span} of ${start}`;
  const cap = obligation.notLaterThan;
  const capped = cap
    ? `, and in any case within ${durationText(cap.within)} (${clockNote(cap.clock)}) of ${START_WORDS[cap.from]}`
    : '';
  return `${obligation.name}: ${audienceWords(obligation, regime)} ${timing}${capped}${conditionWords(obligation)}.`;
}

export function breachSection(policy: Policy): TrustSection {
  const enabled = policy.breachNotification.regimes.filter((regime) => regime.enabled);
  const register = policy.breachNotification.registerEveryBreach
    ? 'Every personal data breach is entered in our breach register, whether or not it has to be notified.'
    : 'Breaches that have to be notified are entered in our breach register.';
  return {
    id: 'breach-notification',
    title: 'Personal data breaches',
    blocks: [
      {
        kind: 'paragraph',
        text:
          enabled.length === 0
            ? 'No legal notification regime is enabled in the current policy.'
            : `We follow the notification rules of ${joinWords(enabled.map((r) => r.name))}. The clock of each duty starts at the moment named; deadlines around the clock include nights, weekends and public holidays.`,
      },
      {
        kind: 'definitions',
        items: enabled.map((regime) => ({
          term: regime.name,
          text: `Supervisory authority: ${regime.authority}.${regime.delayReasonsRequiredWhenLate ? ' A report made after its deadline states the reasons for the delay.' : ''}`,
          notes: regime.obligations.map((obligation) => obligationSentence(obligation, regime)),
        })),
      },
      { kind: 'paragraph', text: register },
    ],
  };
}

export function retentionSection(policy: Policy): TrustSection {
  const { telemetry, evidence, legalHoldBlocksPurge } = policy.retention;
  return {
    id: 'retention',
    title: 'How long we keep records',
    blocks: [
      {
        kind: 'list',
        ordered: false,
        items: [
          `Raw security telemetry (log events and alerts): ${durationText(telemetry.keep)} after we receive it, then deleted. Telemetry tied to an incident becomes part of that incident's evidence instead.`,
          `Incident evidence (the timeline, decisions, messages sent, reviews, corrective actions and attachments): ${durationText(evidence.keep)} after the incident is closed, then deleted.`,
          legalHoldBlocksPurge
            ? 'A legal hold placed on an incident stops all deletion of its evidence until the hold is lifted.'
            : 'A legal hold is recorded but does not stop scheduled deletion.',
          'Each deletion is itself recorded, with fingerprints of what was removed, in our tamper-evident audit log.',
        ],
      },
    ],
  };
}

export function reviewSection(
  policy: Policy,
  severityName: (id: string) => string,
  roleName: (id: string) => string,
): TrustSection {
  const { requiredForSeverities, approver, correctiveActionsNeedOwnerAndDueDate } = policy.reviews;
  const blocks: TrustSection['blocks'] = [
    {
      kind: 'paragraph',
      text:
        requiredForSeverities.length === 0
          ? 'Post-incident reviews are held when the incident owner decides one is useful.'
          : `A post-incident review is required before closing any incident whose severity was at any point ${joinWords(requiredForSeverities.map(severityName), 'or')}. It is approved by the ${roleName(approver)}.`,
    },
  ];
  if (correctiveActionsNeedOwnerAndDueDate) {
    blocks.push({
      kind: 'paragraph',
      text: 'Every corrective or preventive action agreed in a review has a named owner and a due date, and is chased until it is done.',
    });
  }
  return { id: 'reviews', title: 'Learning from incidents', blocks };
}

export function exerciseSection(policy: Policy): TrustSection {
  return {
    id: 'exercises',
    title: 'Exercises',
    blocks: [
      {
        kind: 'paragraph',
        text: `We rehearse this process in a tabletop exercise at least once every ${durationText(policy.exercises.every)}, and record what each exercise taught us.`,
      },
    ],
  };
}

export function evidenceRequestSection(policy: Policy): TrustSection {
  const { respondWithin, shareLinksExpireAfter } = policy.evidence.requests;
  return {
    id: 'evidence-requests',
    title: 'Requesting evidence',
    blocks: [
      {
        kind: 'paragraph',
        text: `Customers and auditors may ask for evidence about an incident or about a period of time. We answer each request within ${specText(respondWithin)} of receiving it.`,
      },
      {
        kind: 'paragraph',
        text: `Evidence is shared through a personal link for the person who asked. The link stops working ${durationText(shareLinksExpireAfter)} after it is sent, can be withdrawn sooner, and every download through it is recorded.`,
      },
      {
        kind: 'paragraph',
        text: 'Every request receives the same acknowledgement, whatever it names: the form never confirms or denies that a particular incident exists.',
      },
      { kind: 'request-form', action: EVIDENCE_REQUEST_PATH },
    ],
  };
}
